#ifndef PIPECUT_CORE_BOUNDS_HEAVY_STAGE_SEARCH_H_
#define PIPECUT_CORE_BOUNDS_HEAVY_STAGE_SEARCH_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "core/graph/graph.h"
#include "core/solve/solve_context.h"

namespace pipecut {

struct HeavyStageParams {
  // The question: is there a convex set S with w(S) >= min_work and
  // f(S) < threshold (and memory(S) <= memory_limit when that is > 0)?
  double min_work = 0;
  double threshold = 0;
  int64_t memory_limit = 0;
  // Give up (kGaveUp) past this many search states or this time, and at
  // once on graphs of more than 10,000 nodes (the search recurses per node).
  int64_t max_states = 50'000'000;
  absl::Time give_up_at = absl::InfiniteFuture();
};

struct HeavyStageResult {
  enum class Status {
    kFound,   // nodes: such a set, of cost `cost`
    kNone,    // no such set
    kGaveUp,  // a limit was hit first; nothing is claimed
    kStopped,
  };
  Status status = Status::kStopped;
  std::vector<int> nodes;
  double cost = 0;
  int64_t states = 0;
};

// Solves the bottleneck relaxation (bottleneck_mip.h) combinatorially, as a
// decision problem, where CBC cannot: on wide graphs with heavy
// communication its LP relaxation spreads every node over the three parts,
// pays no communication at all and stays at W/k.
//
// Why the bound is valid: the heaviest stage S* of an optimal partition is
// convex, has w(S*) >= W/k (the k stages share W) and f(S*) <= OPT. So if
// no convex S with w(S) >= W/k has f(S) < t, then OPT >= t.
//
// Why the search is exact. Nodes are decided in one topological order, each
// either taken into S or left out for good. A node may be taken only if no
// left-out node lies on a path from S to it (S stays convex; every convex
// set is reached this way, by taking exactly its nodes). Along a branch
// three sums only grow: w(S); c(in(S)), since a taken node's predecessors
// come earlier and are decided (a left-out one is read from outside for
// good); and c(y) for the nodes y of S with a left-out successor (y is in
// out(S) for good). Their sum lb <= f(S') for every S' completing the
// branch, and w(S') - w(S) more work at least must still be taken, so a
// branch with lb + max(0, min_work - w(S)) >= t holds no answer; nor does
// one where adding the communication still to come (a look-ahead over the
// tensors of S with undecided readers, proved where it is computed) reaches
// t. A branch whose set already weighs min_work is also checked as it
// stands (the rest left out): its cost is lb plus the nodes of S with
// undecided successors.
HeavyStageResult SearchHeavyStage(const Graph& graph,
                                  const HeavyStageParams& params,
                                  const SolveContext* ctx = nullptr);

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_HEAVY_STAGE_SEARCH_H_
