#ifndef PIPECUT_CORE_PLAN_PLAN_BUILDER_H_
#define PIPECUT_CORE_PLAN_PLAN_BUILDER_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/cost/partition_cost.h"
#include "core/graph/graph.h"
#include "core/solve/solution_board.h"
#include "pipecut/v1/plan.pb.h"
#include "pipecut/v1/service.pb.h"

namespace pipecut {

// The plan of a feasible partition: stage_of, per-stage breakdown and
// bottleneck. The certificate fields (lower_bound, gap...) are left 0.
v1::Plan BuildPlan(const Graph& graph, int k, absl::Span<const int> stage_of,
                   const PartitionCost& cost);

// The plan of a snapshot's incumbent with its certificate; a plan with only
// graph_name, k and lower_bound when there is no incumbent yet.
v1::Plan PlanFromSnapshot(const Graph& graph, int k,
                          const BoardSnapshot& snapshot);

// The stream event for a snapshot. The plan is attached to partition and
// final events only.
v1::SolveEvent EventFromSnapshot(const Graph& graph, int k,
                                 const BoardSnapshot& snapshot);

// Dense stage_of from a plan's {node id: stage} map. INVALID_ARGUMENT names an
// unknown node id or a node without a stage.
absl::StatusOr<std::vector<int>> StageOfFromMap(
    const Graph& graph,
    const google::protobuf::Map<std::string, int32_t>& stage_of);

}  // namespace pipecut

#endif  // PIPECUT_CORE_PLAN_PLAN_BUILDER_H_
