#include "server/solve_event.h"

#include "core/plan/plan_builder.h"

namespace pipecut::server {

v1::SolveEvent StreamEvent(const Graph& graph, int k,
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

}  // namespace pipecut::server
