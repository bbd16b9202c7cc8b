#ifndef PIPECUT_CLIENT_SOLVE_SESSION_H_
#define PIPECUT_CLIENT_SOLVE_SESSION_H_

#include <atomic>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "pipecut/v1/service.pb.h"

namespace pipecut::client {

using EventCallback = std::function<void(const v1::SolveEvent&)>;

// Runs a solve in this process and reports every (coalesced) event, the final
// one included, to `on_event`. Setting `*interrupt` cancels the solve; the
// final event then says STOP_REASON_CANCELLED. Returns the final event, or
// INVALID_ARGUMENT for a bad request.
absl::StatusOr<v1::SolveEvent> SolveInProcess(
    const v1::SolveRequest& request, const EventCallback& on_event,
    const std::atomic<bool>* interrupt);

// The same through a pipecut-server at `server` (HOST:PORT) with the Solve
// RPC. UNAVAILABLE when the server cannot be reached.
absl::StatusOr<v1::SolveEvent> SolveRemotely(
    const std::string& server, const v1::SolveRequest& request,
    const EventCallback& on_event, const std::atomic<bool>* interrupt);

// Evaluate RPC.
absl::StatusOr<v1::EvaluateResponse> EvaluateRemotely(
    const std::string& server, const v1::EvaluateRequest& request);

}  // namespace pipecut::client

#endif  // PIPECUT_CLIENT_SOLVE_SESSION_H_
