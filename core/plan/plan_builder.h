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

// The stream event for `snapshot`, for a reader whose previous event carried
// the incumbent `last_sent` (null before any). Coalescing may merge a
// partition and a bound into one snapshot, so the kind is decided by what the
// reader has not seen yet rather than by the board's last change:
// FINAL once the solve is done; PARTITION (with the plan, source = the
// incumbent's worker) when the incumbent differs from `last_sent`; otherwise
// BOUND (source = the bound's worker). `with_plan = false` drops the plan
// (ListJobs keeps its answer small).
v1::SolveEvent EventFromSnapshot(const Graph& graph, int k,
                                 const BoardSnapshot& snapshot,
                                 const Incumbent* last_sent,
                                 bool with_plan = true);

// Dense stage_of from a plan's {node id: stage} map. INVALID_ARGUMENT names an
// unknown node id or a node without a stage.
absl::StatusOr<std::vector<int>> StageOfFromMap(
    const Graph& graph,
    const google::protobuf::Map<std::string, int32_t>& stage_of);

}  // namespace pipecut

#endif  // PIPECUT_CORE_PLAN_PLAN_BUILDER_H_
