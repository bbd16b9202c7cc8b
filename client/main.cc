// pipecut: partition a model graph into pipeline stages, with a certificate.
//
//   pipecut solve GRAPH -k K [--budget S] [--target-gap G] [--server H:P]
//   [--out PLAN.json] pipecut evaluate GRAPH PLAN.json [--server H:P]
//
// Progress goes to stderr, the summary to stdout. Exit codes: see
// client/exit_codes.h and README.md.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "client/exit_codes.h"
#include "client/import_command.h"
#include "client/jobs_command.h"
#include "client/progress_printer.h"
#include "client/solve_request_flags.h"
#include "client/solve_session.h"
#include "core/importers/graph_file.h"
#include "core/plan/evaluate_request.h"
#include "core/util/logging.h"

namespace pipecut::client {
namespace {

std::atomic<bool> interrupted{false};

void OnSignal(int) { interrupted.store(true); }

int Fail(const absl::Status& status) {
  std::cerr << "pipecut: " << status.message() << "\n";
  return ExitCodeFor(status);
}

struct SolveFlags {
  SolveRequestFlags request;
  std::string server;
  std::string out;
  bool json = false;
  bool quiet = false;
};

int RunSolve(const SolveFlags& flags) {
  absl::StatusOr<v1::SolveRequest> request = BuildSolveRequest(flags.request);
  if (!request.ok()) return Fail(request.status());

  ProgressPrinter printer(stderr, flags.json
                                      ? ProgressPrinter::Mode::kJson
                                      : ProgressPrinter::DefaultMode(stderr));
  auto on_event = [&](const v1::SolveEvent& event) {
    if (!flags.quiet) printer.OnEvent(event);
  };
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  absl::StatusOr<v1::SolveEvent> final_event =
      flags.server.empty()
          ? SolveInProcess(*request, on_event, &interrupted)
          : SolveRemotely(flags.server, *request, on_event, &interrupted);
  if (!final_event.ok()) return Fail(final_event.status());

  const v1::Plan& plan = final_event->plan();
  if (plan.stages_size() == 0) {
    std::cerr << "pipecut: no feasible partition found ("
              << StopReasonName(final_event->stop_reason()) << ")\n";
    return final_event->stop_reason() == v1::STOP_REASON_CANCELLED ||
                   final_event->stop_reason() == v1::STOP_REASON_DEADLINE
               ? kExitStopped
               : kExitNoPartition;
  }
  std::cout << FormatPlanSummary(plan);
  std::cout << "stopped      " << StopReasonName(final_event->stop_reason())
            << " after " << final_event->elapsed_seconds() << " s\n";
  if (!flags.out.empty()) {
    if (auto s = WriteFile(flags.out, ToJson(plan) + "\n"); !s.ok())
      return Fail(s);
  }
  return final_event->stop_reason() == v1::STOP_REASON_CANCELLED ||
                 final_event->stop_reason() == v1::STOP_REASON_DEADLINE
             ? kExitStopped
             : kExitOk;
}

struct EvaluateFlags {
  std::string graph;
  std::string plan;
  int k = 0;
  int64_t memory_limit = 0;
  double link_bandwidth = 0;
  std::string server;
  bool json = false;
};

int RunEvaluate(const EvaluateFlags& flags) {
  absl::StatusOr<v1::Graph> graph =
      LoadGraphFile(flags.graph, ImportOptionsFrom(flags.link_bandwidth));
  if (!graph.ok()) return Fail(graph.status());
  absl::StatusOr<std::string> plan_json = ReadFile(flags.plan);
  if (!plan_json.ok()) return Fail(plan_json.status());
  absl::StatusOr<v1::Plan> plan = ParsePlanJson(*plan_json);
  if (!plan.ok()) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(flags.plan, ": ", plan.status().message())));
  }
  v1::EvaluateRequest request;
  *request.mutable_graph() = *std::move(graph);
  request.set_k(flags.k > 0 ? flags.k : plan->k());
  *request.mutable_stage_of() = plan->stage_of();
  request.set_memory_limit_bytes(flags.memory_limit);
  absl::StatusOr<v1::EvaluateResponse> response =
      flags.server.empty() ? EvaluateRequest(request)
                           : EvaluateRemotely(flags.server, request);
  if (!response.ok()) return Fail(response.status());
  if (flags.json) {
    std::cout << ToJson(*response) << "\n";
  } else {
    std::cout << FormatPlanSummary(response->plan());
    if (!response->memory_feasible()) {
      std::cout << "memory limit violated: " << response->violation() << "\n";
    }
  }
  return response->memory_feasible() ? kExitOk : kExitNoPartition;
}

}  // namespace
}  // namespace pipecut::client

int main(int argc, char** argv) {
  using namespace pipecut::client;
  CLI::App app{
      "pipecut: split a DNN model graph into k pipeline stages and certify how "
      "close the slowest stage is to optimal.\n\nExit codes: 0 ok, 1 error, 2 "
      "invalid input, 3 server unreachable, 4 cancelled or deadline, 5 no "
      "feasible partition."};
  app.require_subcommand(1);
  int exit_code = kExitOk;

  SolveFlags solve;
  CLI::App* solve_cmd =
      app.add_subcommand("solve",
                         "Find a partition and a lower bound; progress on "
                         "stderr, summary on stdout");
  AddSolveRequestFlags(*solve_cmd, solve.request);
  solve_cmd->add_option(
      "--server", solve.server,
      "Solve on a pipecut-server at HOST:PORT instead of in-process");
  solve_cmd->add_option("--out", solve.out,
                        "Write the plan as JSON to this file");
  solve_cmd->add_flag("--json", solve.json,
                      "Progress events as JSON lines on stderr");
  solve_cmd->add_flag("-q,--quiet", solve.quiet, "No progress output");
  solve_cmd->callback([&] { exit_code = RunSolve(solve); });

  EvaluateFlags evaluate;
  CLI::App* evaluate_cmd =
      app.add_subcommand("evaluate", "Cost of a given plan, stage by stage");
  evaluate_cmd->add_option("graph", evaluate.graph, "Graph file")->required();
  evaluate_cmd->add_option("plan", evaluate.plan, "PLAN.json (stageOf is used)")
      ->required();
  evaluate_cmd->add_option("-k,--stages", evaluate.k,
                           "Number of stages (default: the plan's k)");
  evaluate_cmd->add_option("--memory-limit", evaluate.memory_limit,
                           "Per-stage memory limit in bytes to check");
  evaluate_cmd->add_option(
      "--link-bandwidth", evaluate.link_bandwidth,
      "Bytes per time unit, for importers deriving comm from sizes");
  evaluate_cmd->add_option("--server", evaluate.server,
                           "Evaluate on a pipecut-server");
  evaluate_cmd->add_flag("--json", evaluate.json,
                         "Print the EvaluateResponse as JSON");
  evaluate_cmd->callback([&] { exit_code = RunEvaluate(evaluate); });

  AddJobsCommand(app, exit_code);
  AddImportCommand(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitInvalidInput;
  }
  return exit_code;
}
