#ifndef PIPECUT_SERVER_SOLVE_EVENT_H_
#define PIPECUT_SERVER_SOLVE_EVENT_H_

#include "core/graph/graph.h"
#include "core/solve/solution_board.h"
#include "pipecut/v1/service.pb.h"

namespace pipecut::server {

// The stream event for `snapshot`, for a reader whose previous event carried
// the incumbent `last_sent` (null before any). Coalescing may merge a
// partition and a bound into one snapshot, so the kind is decided by what the
// reader has not seen yet rather than by the board's last change:
// FINAL once the solve is done; PARTITION (with the plan, source = the
// incumbent's worker) when the incumbent differs from `last_sent`; otherwise
// BOUND (source = the bound's worker). `with_plan = false` drops the plan
// (ListJobs keeps its answer small).
v1::SolveEvent StreamEvent(const Graph& graph, int k,
                           const BoardSnapshot& snapshot,
                           const Incumbent* last_sent, bool with_plan = true);

}  // namespace pipecut::server

#endif  // PIPECUT_SERVER_SOLVE_EVENT_H_
