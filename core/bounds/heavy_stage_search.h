#ifndef PIPECUT_CORE_BOUNDS_HEAVY_STAGE_SEARCH_H_
#define PIPECUT_CORE_BOUNDS_HEAVY_STAGE_SEARCH_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/graph/graph.h"
#include "core/solve/solve_context.h"

namespace pipecut {

struct HeavyStageParams {
  // The question: is there a convex set S with value(S) >= min_value and
  // f(S) < threshold (and memory(S) <= memory_limit when that is > 0)?
  // value(S) sums `value` (one entry >= 0 per node, outliving the search)
  // over S, or the work when `value` is empty.
  double min_value = 0;
  absl::Span<const double> value;
  double threshold = 0;
  // Optional, one entry per node: size(v) >= w(v) such that every convex S
  // with f(S) < threshold has f(S) >= sum over its nodes of size(v) counted
  // as distinct terms of f: w(v) plus c(v) when v's tensor is sure to leave
  // any such S (e.g. a reader too far away to share it). Only w(v) and v's
  // own tensor may be counted, so the terms never overlap what the search
  // has already charged. Empty: the work.
  absl::Span<const double> size;
  int64_t memory_limit = 0;
  // Give up (kGaveUp) past this many search states or this time, and at
  // once on graphs of more than 10,000 nodes (the search recurses per node).
  int64_t max_states = 50'000'000;
  absl::Time give_up_at = absl::InfiniteFuture();
  // When a search takes more than this many states, search again with
  // suffix tables (a Russian-doll search, see the .cc: for every suffix of
  // the search order, the most value a convex set inside it holds per
  // budget); 0: with them from the start; -1: never. A build costs a search
  // per node; most questions are settled in far fewer states without it.
  // They pay in the stage-cover LP's pricing (150-node heavy layered DAG:
  // t = 82 refuted in 27 s instead of 97 s), not in the bottleneck
  // relaxation's search (values = work; a 500-node light layered DAG: 9.3M
  // states instead of 4.9M).
  int64_t tables_after_states = -1;
  // Answers to collect before stopping (the LP adds every one as a column):
  // a set that is an answer ends its branch, and a limit hit after the first
  // answer still reports kFound. While tables are built (an answer there
  // ends the search) one is enough.
  int max_answers = 1;
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
  // With max_answers > 1: the answers after the first, as `nodes`, `cost`.
  struct Answer {
    std::vector<int> nodes;
    double cost = 0;
  };
  std::vector<Answer> more;
  int64_t states = 0;
};

// Solves the bottleneck relaxation (bottleneck_mip.h) combinatorially, as a
// decision problem, where CBC cannot: on wide graphs with heavy
// communication its LP relaxation spreads every node over the three parts,
// pays no communication at all and stays at W/k.
//
// Why the bound is valid: the heaviest stage S* of an optimal partition is
// convex, has w(S*) >= W/k (the k stages share W) and f(S*) <= OPT. So if
// no convex S with w(S) >= W/k has f(S) < t, then OPT >= t. With other
// values it prices the stage-cover LP's columns (stage_cover_lp.h).
//
// Why the search is exact. Nodes are decided in one topological order, each
// either taken into S or left out for good. A node may be taken only if no
// left-out node lies on a path from S to it (S stays convex; every convex
// set is reached this way, by taking exactly its nodes). Along a branch
// three sums only grow: w(S); c(in(S)), since a taken node's predecessors
// come earlier and are decided (a left-out one is read from outside for
// good); and c(y) for the nodes y of S with a left-out successor (y is in
// out(S) for good). Their sum lb <= f(S') for every S' completing the
// branch. A completion S' adds the value of undecided nodes only, at most
// rho = max value(v) / size(v) over them per unit of size, and their sizes
// (work, and tensors surely sent, which no sum above counts yet) add up to
// at most f(S') - lb < t - lb. So a branch holds no answer when
// value(S) plus the value of every undecided node is below min_value, or
// when value(S) + rho (t - lb) <= min_value (with value = work, rho <= 1:
// when lb + min_value - w(S) >= t). Nor does
// one where adding the communication still to come (a look-ahead over the
// tensors of S with undecided readers, proved where it is computed) reaches
// t. A branch whose set already has min_value is also checked as it
// stands (the rest left out): its cost is lb plus the nodes of S with
// undecided successors. With suffix tables, the value the undecided nodes
// can add is also bounded by tables built from the end of the order
// (proved in the .cc): a set deep in the graph pays for what it reads,
// which the value-per-size cut does not see.
HeavyStageResult SearchHeavyStage(const Graph& graph,
                                  const HeavyStageParams& params,
                                  const SolveContext* ctx = nullptr);

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_HEAVY_STAGE_SEARCH_H_
