#include "core/solve/solve_request.h"

#include "absl/strings/str_cat.h"

namespace pipecut {

absl::StatusOr<PreparedSolve> PrepareSolve(const v1::SolveRequest& request) {
  PreparedSolve prepared;
  absl::StatusOr<ResolvedOptions> options = ResolveOptions(request.options());
  if (!options.ok()) return options.status();
  prepared.options = *std::move(options);
  if (request.k() < 1 || request.k() > prepared.options.max_stages) {
    return absl::InvalidArgumentError(
        absl::StrCat("k = ", request.k(), " is outside [1, ",
                     prepared.options.max_stages, "] (options.max_stages)"));
  }
  prepared.k = request.k();
  GraphLimits limits;
  limits.max_nodes = prepared.options.max_nodes;
  absl::StatusOr<Graph> graph = Graph::FromProto(request.graph(), limits);
  if (!graph.ok()) return graph.status();
  prepared.graph = std::make_shared<const Graph>(*std::move(graph));
  return prepared;
}

}  // namespace pipecut
