#include "client/jobs_command.h"

#include <grpcpp/grpcpp.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "client/exit_codes.h"
#include "client/progress_printer.h"
#include "client/solve_request_flags.h"
#include "core/importers/graph_file.h"
#include "pipecut/v1/service.grpc.pb.h"

namespace pipecut::client {
namespace {

struct JobsFlags {
  std::string server = "localhost:50051";
  double timeout = 30;  // seconds, for the unary calls
  SolveRequestFlags submit;
  // watch, get, cancel
  std::string id;
  bool json = false;
};

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

int Fail(const absl::Status& status) {
  std::cerr << "pipecut jobs: " << status.message() << "\n";
  return ExitCodeFor(status);
}

std::unique_ptr<v1::PartitionService::Stub> Connect(const JobsFlags& flags) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  args.SetMaxSendMessageSize(256 << 20);
  return v1::PartitionService::NewStub(grpc::CreateCustomChannel(
      flags.server, grpc::InsecureChannelCredentials(), args));
}

void SetTimeout(grpc::ClientContext& context, double seconds) {
  context.set_deadline(
      std::chrono::system_clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
}

const char* StateName(v1::Job::State state) {
  switch (state) {
    case v1::Job::STATE_QUEUED:
      return "queued";
    case v1::Job::STATE_RUNNING:
      return "running";
    case v1::Job::STATE_DONE:
      return "done";
    case v1::Job::STATE_CANCELLED:
      return "cancelled";
    case v1::Job::STATE_FAILED:
      return "failed";
    default:
      return "unknown";
  }
}

int RunSubmit(const JobsFlags& flags) {
  absl::StatusOr<v1::SolveRequest> request = BuildSolveRequest(flags.submit);
  if (!request.ok()) return Fail(request.status());
  grpc::ClientContext context;
  SetTimeout(context, flags.timeout);
  v1::Job job;
  grpc::Status status = Connect(flags)->SubmitJob(&context, *request, &job);
  if (!status.ok()) return Fail(FromGrpc(status));
  std::cout << job.id() << "\n";
  return kExitOk;
}

int RunWatch(const JobsFlags& flags) {
  grpc::ClientContext context;
  v1::WatchJobRequest request;
  request.set_job_id(flags.id);
  auto stub = Connect(flags);
  std::unique_ptr<grpc::ClientReader<v1::SolveEvent>> reader =
      stub->WatchJob(&context, request);
  ProgressPrinter printer(stderr, flags.json
                                      ? ProgressPrinter::Mode::kJson
                                      : ProgressPrinter::DefaultMode(stderr));
  v1::SolveEvent event, last;
  bool have_final = false;
  while (reader->Read(&event)) {
    printer.OnEvent(event);
    if (event.kind() == v1::SolveEvent::KIND_FINAL) have_final = true;
    last = event;
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return Fail(FromGrpc(status));
  if (!have_final) {
    return Fail(
        absl::UnavailableError("the stream ended without a final event"));
  }
  if (last.plan().stages_size() > 0) {
    std::cout << FormatPlanSummary(last.plan());
  }
  std::cout << "stopped      " << StopReasonName(last.stop_reason())
            << " after " << last.elapsed_seconds() << " s\n";
  switch (last.stop_reason()) {
    case v1::STOP_REASON_CANCELLED:
    case v1::STOP_REASON_DEADLINE:
    case v1::STOP_REASON_SHUTDOWN:
      return kExitStopped;
    case v1::STOP_REASON_INFEASIBLE:
      return kExitNoPartition;
    default:
      return last.plan().stages_size() > 0 ? kExitOk : kExitNoPartition;
  }
}

int RunGet(const JobsFlags& flags) {
  grpc::ClientContext context;
  SetTimeout(context, flags.timeout);
  v1::GetJobRequest request;
  request.set_job_id(flags.id);
  v1::Job job;
  grpc::Status status = Connect(flags)->GetJob(&context, request, &job);
  if (!status.ok()) return Fail(FromGrpc(status));
  std::cout << ToJson(job) << "\n";
  return kExitOk;
}

int RunList(const JobsFlags& flags) {
  grpc::ClientContext context;
  SetTimeout(context, flags.timeout);
  v1::ListJobsResponse response;
  grpc::Status status =
      Connect(flags)->ListJobs(&context, v1::ListJobsRequest(), &response);
  if (!status.ok()) return Fail(FromGrpc(status));
  if (flags.json) {
    std::cout << ToJson(response) << "\n";
    return kExitOk;
  }
  std::cout << absl::StrFormat("%-18s %-10s %4s %12s %12s %8s  %s\n", "ID",
                               "STATE", "K", "BOTTLENECK", "LOWER_BOUND", "GAP",
                               "GRAPH");
  for (const v1::Job& job : response.jobs()) {
    std::cout << absl::StrFormat(
        "%-18s %-10s %4d %12.6g %12.6g %7.2f%%  %s\n", job.id(),
        StateName(job.state()), job.k(), job.latest().best_bottleneck(),
        job.latest().lower_bound(), 100 * job.latest().relative_gap(),
        job.graph_name());
  }
  return kExitOk;
}

int RunCancel(const JobsFlags& flags) {
  grpc::ClientContext context;
  SetTimeout(context, flags.timeout);
  v1::CancelJobRequest request;
  request.set_job_id(flags.id);
  v1::Job job;
  grpc::Status status = Connect(flags)->CancelJob(&context, request, &job);
  if (!status.ok()) return Fail(FromGrpc(status));
  std::cout << job.id() << " " << StateName(job.state()) << "\n";
  return kExitOk;
}

}  // namespace

void AddJobsCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<JobsFlags>();
  CLI::App* jobs =
      app.add_subcommand("jobs", "Submit, follow and manage server-side jobs");
  jobs->require_subcommand(1);
  jobs->add_option("--server", flags->server, "pipecut-server HOST:PORT")
      ->capture_default_str();
  jobs->add_option("--timeout", flags->timeout,
                   "Seconds to wait for a unary RPC")
      ->capture_default_str();

  CLI::App* submit =
      jobs->add_subcommand("submit", "Queue a solve; prints the job id");
  AddSolveRequestFlags(*submit, flags->submit);
  submit->callback([flags, &exit_code] { exit_code = RunSubmit(*flags); });

  CLI::App* watch = jobs->add_subcommand(
      "watch", "Stream a job's progress, then print its plan");
  watch->add_option("id", flags->id, "Job id")->required();
  watch->add_flag("--json", flags->json, "Events as JSON lines on stderr");
  watch->callback([flags, &exit_code] { exit_code = RunWatch(*flags); });

  CLI::App* get = jobs->add_subcommand("get", "Print a job as JSON");
  get->add_option("id", flags->id, "Job id")->required();
  get->callback([flags, &exit_code] { exit_code = RunGet(*flags); });

  CLI::App* list = jobs->add_subcommand("list", "List jobs, newest first");
  list->add_flag("--json", flags->json, "Print the ListJobs response as JSON");
  list->callback([flags, &exit_code] { exit_code = RunList(*flags); });

  CLI::App* cancel = jobs->add_subcommand("cancel", "Cancel a job");
  cancel->add_option("id", flags->id, "Job id")->required();
  cancel->callback([flags, &exit_code] { exit_code = RunCancel(*flags); });
}

}  // namespace pipecut::client
