#include "client/solve_session.h"

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "core/plan/plan_builder.h"
#include "core/solve/executor.h"
#include "core/solve/solve_request.h"
#include "core/solve/solver.h"
#include "grpcpp/grpcpp.h"
#include "pipecut/v1/service.grpc.pb.h"

namespace pipecut::client {
namespace {

// How often a blocked client re-checks its interrupt flag.
constexpr absl::Duration kPollInterval = absl::Milliseconds(100);

absl::Status FromGrpc(const grpc::Status& status, const std::string& server) {
  if (status.ok()) return absl::OkStatus();
  std::string message = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    message =
        absl::StrCat("cannot reach pipecut-server at ", server, ": ", message);
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      message);
}

std::unique_ptr<v1::PartitionService::Stub> MakeStub(
    const std::string& server) {
  return v1::PartitionService::NewStub(
      grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));
}

}  // namespace

absl::StatusOr<v1::SolveEvent> SolveInProcess(
    const v1::SolveRequest& request, const EventCallback& on_event,
    const std::atomic<bool>* interrupt) {
  absl::StatusOr<PreparedSolve> prepared = PrepareSolve(request);
  if (!prepared.ok()) return prepared.status();
  absl::StatusOr<std::unique_ptr<Solver>> solver =
      Solver::Create(prepared->graph, prepared->k, prepared->options);
  if (!solver.ok()) return solver.status();
  ThreadPool pool(prepared->options.num_threads);
  (*solver)->Start(&pool);
  uint64_t seen = 0;
  std::shared_ptr<const Incumbent> last_sent;
  while (true) {
    BoardSnapshot snapshot =
        (*solver)->board().AwaitChange(seen, absl::Now() + kPollInterval);
    if (interrupt != nullptr && interrupt->load()) (*solver)->Cancel();
    if (snapshot.seq == seen && !snapshot.done) continue;
    seen = snapshot.seq;
    v1::SolveEvent event = EventFromSnapshot(*prepared->graph, prepared->k,
                                             snapshot, last_sent.get());
    last_sent = snapshot.incumbent;
    on_event(event);
    if (snapshot.done) {
      (*solver)->Wait();
      return event;
    }
  }
}

absl::StatusOr<v1::SolveEvent> SolveRemotely(
    const std::string& server, const v1::SolveRequest& request,
    const EventCallback& on_event, const std::atomic<bool>* interrupt) {
  auto stub = MakeStub(server);
  grpc::ClientContext context;
  absl::Notification finished;
  // Forwards Ctrl-C as an RPC cancellation; the server then stops the solve.
  std::thread canceller([&] {
    while (!finished.WaitForNotificationWithTimeout(kPollInterval)) {
      if (interrupt != nullptr && interrupt->load()) {
        context.TryCancel();
        return;
      }
    }
  });
  std::unique_ptr<grpc::ClientReader<v1::SolveEvent>> reader =
      stub->Solve(&context, request);
  v1::SolveEvent event, final_event;
  bool got_final = false;
  while (reader->Read(&event)) {
    on_event(event);
    if (event.kind() == v1::SolveEvent::KIND_FINAL) {
      final_event = event;
      got_final = true;
    }
  }
  grpc::Status status = reader->Finish();
  finished.Notify();
  canceller.join();
  if (got_final) return final_event;
  if (!status.ok()) return FromGrpc(status, server);
  return absl::InternalError(
      "the server closed the stream without a final event");
}

absl::StatusOr<v1::EvaluateResponse> EvaluateRemotely(
    const std::string& server, const v1::EvaluateRequest& request) {
  auto stub = MakeStub(server);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  v1::EvaluateResponse response;
  grpc::Status status = stub->Evaluate(&context, request, &response);
  if (!status.ok()) return FromGrpc(status, server);
  return response;
}

}  // namespace pipecut::client
