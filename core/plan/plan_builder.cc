#include "core/plan/plan_builder.h"

#include "absl/strings/str_cat.h"

namespace pipecut {

v1::Plan BuildPlan(const Graph& graph, int k, absl::Span<const int> stage_of,
                   const PartitionCost& cost) {
  v1::Plan plan;
  plan.set_graph_name(graph.name());
  plan.set_k(k);
  plan.set_bottleneck(cost.bottleneck);
  plan.set_bottleneck_stage(cost.bottleneck_stage);
  for (int b = 0; b < k; ++b) {
    v1::StageSummary* stage = plan.add_stages();
    const StageCost& c = cost.stages[b];
    stage->set_index(b);
    stage->set_work(c.work);
    stage->set_comm_in(c.comm_in);
    stage->set_comm_out(c.comm_out);
    stage->set_cost(c.cost());
    stage->set_memory_bytes(c.memory);
  }
  auto& map = *plan.mutable_stage_of();
  for (int v : graph.topological_order()) {
    plan.mutable_stages(stage_of[v])->add_nodes(graph.id(v));
    map[graph.id(v)] = stage_of[v];
  }
  return plan;
}

v1::Plan PlanFromSnapshot(const Graph& graph, int k,
                          const BoardSnapshot& snapshot) {
  v1::Plan plan;
  if (snapshot.incumbent) {
    plan = BuildPlan(graph, k, snapshot.incumbent->stage_of,
                     snapshot.incumbent->cost);
    plan.set_partition_method(snapshot.incumbent->source);
    plan.set_gap(snapshot.relative_gap());
  } else {
    plan.set_graph_name(graph.name());
    plan.set_k(k);
  }
  plan.set_lower_bound(snapshot.lower_bound);
  plan.set_bound_method(snapshot.bound_source);
  plan.set_proven_optimal(snapshot.proven_optimal);
  return plan;
}

v1::SolveEvent EventFromSnapshot(const Graph& graph, int k,
                                 const BoardSnapshot& snapshot,
                                 const Incumbent* last_sent, bool with_plan) {
  v1::SolveEvent event;
  event.set_seq(snapshot.seq);
  event.set_elapsed_seconds(snapshot.elapsed_seconds);
  if (snapshot.incumbent) {
    event.set_best_bottleneck(snapshot.incumbent->cost.bottleneck);
  }
  event.set_lower_bound(snapshot.lower_bound);
  event.set_relative_gap(snapshot.relative_gap());
  bool attach_plan = false;
  if (snapshot.done) {
    event.set_kind(v1::SolveEvent::KIND_FINAL);
    event.set_stop_reason(snapshot.stop_reason);
    event.set_source(snapshot.last_source);
    attach_plan = true;
  } else if (snapshot.incumbent && snapshot.incumbent.get() != last_sent) {
    event.set_kind(v1::SolveEvent::KIND_PARTITION);
    event.set_source(snapshot.incumbent->source);
    attach_plan = true;
  } else {
    event.set_kind(v1::SolveEvent::KIND_BOUND);
    event.set_source(snapshot.bound_source);
  }
  if (attach_plan && with_plan) {
    *event.mutable_plan() = PlanFromSnapshot(graph, k, snapshot);
  }
  return event;
}

absl::StatusOr<std::vector<int>> StageOfFromMap(
    const Graph& graph,
    const google::protobuf::Map<std::string, int32_t>& stage_of) {
  std::vector<int> dense(graph.num_nodes(), -1);
  for (const auto& [id, stage] : stage_of) {
    std::optional<int> v = graph.FindNode(id);
    if (!v.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("stage_of names unknown node '", id, "'"));
    }
    dense[*v] = stage;
  }
  for (int v = 0; v < graph.num_nodes(); ++v) {
    if (dense[v] < 0 && !stage_of.contains(graph.id(v))) {
      return absl::InvalidArgumentError(
          absl::StrCat("stage_of has no stage for node '", graph.id(v), "'"));
    }
  }
  return dense;
}

}  // namespace pipecut
