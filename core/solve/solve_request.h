#ifndef PIPECUT_CORE_SOLVE_SOLVE_REQUEST_H_
#define PIPECUT_CORE_SOLVE_SOLVE_REQUEST_H_

#include <memory>

#include "absl/status/statusor.h"
#include "core/graph/graph.h"
#include "core/options.h"
#include "pipecut/v1/service.pb.h"

namespace pipecut {

// A SolveRequest checked and resolved: the validated graph, k and options with
// defaults applied. The single entry point shared by the CLI and the server,
// so both reject bad input with the same messages.
struct PreparedSolve {
  std::shared_ptr<const Graph> graph;
  int k = 1;
  ResolvedOptions options;
};

// INVALID_ARGUMENT names the offending field, node or edge.
absl::StatusOr<PreparedSolve> PrepareSolve(const v1::SolveRequest& request);

}  // namespace pipecut

#endif  // PIPECUT_CORE_SOLVE_SOLVE_REQUEST_H_
