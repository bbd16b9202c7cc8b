#include "core/plan/evaluate_request.h"

#include "absl/strings/str_cat.h"
#include "core/cost/partition_cost.h"
#include "core/plan/plan_builder.h"

namespace pipecut {

absl::StatusOr<v1::EvaluateResponse> EvaluateRequest(
    const v1::EvaluateRequest& request, const GraphLimits& limits) {
  absl::StatusOr<Graph> graph = Graph::FromProto(request.graph(), limits);
  if (!graph.ok()) return graph.status();
  if (request.memory_limit_bytes() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "memory_limit_bytes must be >= 0, got ", request.memory_limit_bytes()));
  }
  absl::StatusOr<std::vector<int>> stage_of =
      StageOfFromMap(*graph, request.stage_of());
  if (!stage_of.ok()) return stage_of.status();
  absl::StatusOr<PartitionCost> cost =
      EvaluatePartition(*graph, *stage_of, request.k());
  if (!cost.ok()) return cost.status();
  v1::EvaluateResponse response;
  *response.mutable_plan() = BuildPlan(*graph, request.k(), *stage_of, *cost);
  response.mutable_plan()->set_gap(1);  // no lower bound was computed
  const int violation =
      FirstMemoryViolation(*cost, request.memory_limit_bytes());
  response.set_memory_feasible(violation < 0);
  if (violation >= 0) {
    response.set_violation(absl::StrCat(
        "stage ", violation, " holds ", cost->stages[violation].memory,
        " bytes, above the limit of ", request.memory_limit_bytes()));
  }
  return response;
}

}  // namespace pipecut
