#ifndef PIPECUT_CORE_BOUNDS_FORCED_CROSSING_H_
#define PIPECUT_CORE_BOUNDS_FORCED_CROSSING_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/bounds/bound_rounding.h"
#include "core/bounds/cluster_stage.h"
#include "core/graph/graph.h"
#include "core/solve/solve_context.h"
#include "core/solve/worker.h"

namespace pipecut {

// The forced-crossing bounds: tensors that cannot stay inside one stage.
//
// Notation: for a node u with consumers, H(u) = the nodes on some path from u
// to one of its consumers (u and the consumers included) = desc*(u) n
// anc*(succ(u)), h(u) = w(H(u)); for nodes x, y, h(x, y) = w(desc*(x) n
// anc*(y)), the work of the nodes on paths from x to y.
//
// Convexity. A stage S_b = P_b \ P_{b-1} (P ideals) is convex: if x, z are in
// S_b and y lies on a path from x to z, then y is in P_b (an ancestor of z)
// and not in P_{b-1} (else so would be its ancestor x). So if h(x, y) > T'
// for a partition with bottleneck T', x and y lie in different stages.
//
// Claim 1. If h(u) > T', u is in out(its stage) and in in(the stage of some
// later consumer): a stage holding u and all its consumers would hold H(u).
// Call such u forced (at T'), and far(u) a consumer maximising h(u, s); when
// h(u, far(u)) > T' that consumer's stage is the one reading u.
//
// Bound 1 (sum). Summing over the <= k stages: k T' >= sum_b f(S_b) >= W +
// 2 C(T'), C(T) = sum of c(u) over u forced at T (one term per tensor, so
// different u never overlap). C is non-increasing in T, so {T : k T >= W +
// 2 C(T)} is [T0, inf) and OPT, which lies in it, is >= T0 (exact: C is a
// step function changing only at the values h(u)). With OPT >= max_v w(v).
//
// Bound 2 (paths). Fix a guess T and suppose a partition with bottleneck
// T' <= T. Give each node the size w(v) + c(v) [v forced at T] + sum of c(u)
// over the forced u with far(u) = v and h(u, v) > T; the sizes in a stage are
// distinct terms of its cost (its work, out-terms of its forced tensors,
// in-terms of the forced tensors it certainly reads), so each stage's total
// size is <= T. Take node-disjoint paths v_1 -> v_2 -> ... -> v_L of the DAG.
// A path's nodes lie in non-decreasing stages, in runs of total size <= T;
// between two runs the tensor v_i is read by v_{i+1} in a later stage. That
// costs 2 c(v_i) beyond the sizes when v_i is not forced (its write and that
// read), and c(v_i) when v_i is forced with h(v_i, far) > T and
// h(v_{i+1}, far) > T (far's stage differs from both, so v_{i+1}'s read is a
// second read, not the one counted by C). Every such term is a distinct tensor
// term not counted by the sizes, so, with E(P) = the cheapest split of path
// P into runs of size <= T (a DP over the path; +inf when a single node is
// larger than T),
//   k T >= sum_b f(S_b) >= W + 2 C(T) + sum over the paths of E(P).
// If this fails, OPT > T; the test is searched by bisection on T. The paths
// are the heaviest by size, node-disjoint, chosen greedily per guess T.
// On training graphs the forward and backward chains must be cut many times,
// as each stage pays the stashed activations of its layers.
//
// Stage-forced tensors (Bound 2 only). u with h(u) <= T is forced too when no
// convex stage S containing H(u) has f(S) < T (ClusterStage::SearchStage,
// exact): if u's tensor stayed inside one stage, that stage would hold u and
// its consumers, hence H(u), and cost T or more. Claim 1's counting holds
// for u unchanged; u has no far consumer proven to read it, so its read is
// charged to no node's size (like a forced u with h(u, far(u)) <= T). On
// training graphs this catches activations whose hull is light but must
// share a stage with the costly head of the model (resnet50_training: the
// bound rises from 165.9 to 178.8).
//
// Extra reads (Bound 2 only). Call x and y apart at T when no convex stage
// holding both has f < T (its hull is too heavy, or the stage search finds
// none). If a forced u and readers r_1..r_m are pairwise apart, they lie in
// m + 1 distinct stages, and u's tensor costs (m + 1) c(u) in the sum, m - 1
// reads more than Claim 1 counts; these are added to the total (charged to
// no node's size). The path term of a forced tensor (a second read) is then
// dropped, since its reader may be one of them.
//
// Conflicting pairs (Bound 2 only). Let u and v be tensors not forced whose
// holders (a tensor with its readers) share a node: v is a reader of u, or
// they share a reader. If neither crossed, each holder would lie in one
// stage, the same one (the shared node's), so if no stage below T holds
// both, one of them crosses: 2 min(c(u), c(v)) in the sum. Pairs are matched
// greedily, disjoint, by decreasing cost; a matched tensor's cut on a path
// is then charged nothing (it may be the one paid). The stage searches are
// capped (a search that gives up proves nothing) and cached per node set
// across guesses.
//
// Memory limits only raise OPT. Hulls are exact (bitsets) for graphs of at
// most kForcedCrossingMaxNodes nodes; above, h(u, s) >= w(u) + w(s) and h(u)
// >= the max of those are used (lower bounds, so the claims hold) and Bound 2
// charges forced path tensors nothing.
inline constexpr int kForcedCrossingMaxNodes = 8192;

// Not thread-safe (a cache of search results is kept across guesses).
class ForcedCrossing {
 public:
  // `rows`: the graph's closure bitsets, if already built (shared).
  explicit ForcedCrossing(const Graph& graph,
                          std::shared_ptr<const ClosureRows> rows = nullptr);
  ~ForcedCrossing();
  ForcedCrossing(const ForcedCrossing&) = delete;
  ForcedCrossing& operator=(const ForcedCrossing&) = delete;

  // h(u) for every node (0 for nodes without consumers or with c(u) = 0).
  const std::vector<double>& hull() const { return hull_; }
  // far(u) (-1 when h(u) = 0) and h(u, far(u)).
  const std::vector<int>& far() const { return far_; }
  const std::vector<double>& far_hull() const { return far_hull_; }

  // Bound 1 (not rounded).
  double SumBound(int k) const;
  // Bound 2's test: true when no partition has bottleneck <= t.
  bool PathsRuleOut(double t, int k, const SolveContext* ctx = nullptr) const;
  // forced[u]: u is forced at t, by its hull or by the stage search.
  std::vector<char> Forced(double t, const SolveContext* ctx = nullptr) const;
  // w(v) + c(v) [v forced at t]: every convex S with f(S) < t holding v
  // pays both (v's tensor leaves S). Only v's own terms are counted, so the
  // sizes of S's nodes add up to at most f(S) (HeavyStageParams::size).
  std::vector<double> OwnTermSizes(double t,
                                   const SolveContext* ctx = nullptr) const;
  // For forced u, m - 1 for a greedy set of m readers pairwise apart and
  // apart from u (0 when m <= 1).
  std::vector<int> ExtraReads(double t, const std::vector<char>& forced,
                              const SolveContext* ctx = nullptr) const;
  // The greedy matching of conflicting pairs: sum of min(c(u), c(v)) over
  // the pairs; paired[u] marks their tensors.
  double PairedCrossings(double t, const std::vector<char>& forced,
                         std::vector<char>& paired,
                         const SolveContext* ctx = nullptr) const;

 private:
  // h(x, y), or 0 when the bitsets were not built.
  double PathWork(int x, int y) const;
  // Whether no convex stage holding the nodes has f < t (exact search,
  // false when it gives up or without the bitsets). `key` names the node
  // set for the cache: bisection asks about the same sets at nearby guesses.
  bool NoStageHolds(const std::tuple<int, int, int>& key,
                    const std::vector<int>& nodes, double t,
                    const SolveContext* ctx) const;
  std::vector<double> Sizes(double t, const std::vector<char>& forced) const;
  // The cheapest split of `path` into runs of size <= t (+inf if none).
  struct Charges {
    std::vector<char> forced;
    std::vector<int> extra_reads;
    std::vector<char> paired;
  };
  double PathCutCost(const std::vector<int>& path,
                     const std::vector<double>& size, const Charges& charges,
                     double t) const;

  const Graph& graph_;
  std::vector<double> hull_, far_hull_;
  std::vector<int> far_;
  // Holds the closure bitsets and runs the stage searches; null above
  // kForcedCrossingMaxNodes.
  std::unique_ptr<ClusterStage> stage_;
  // What the stage search settled per node set, across guesses: no stage
  // below `none_below` holds it (so none below any smaller guess), and one
  // below `held_from` does or the search gave up there (larger guesses are
  // then not searched again: a weaker answer, never a wrong one).
  struct Settled {
    double none_below = -std::numeric_limits<double>::infinity();
    double held_from = std::numeric_limits<double>::infinity();
  };
  mutable absl::flat_hash_map<std::tuple<int, int, int>, Settled> settled_;
};

// Bound 1, then Bound 2 by bisection between it and min(upper_bound, W) to
// a relative 1e-6 or max_probes probes; not rounded.
double ForcedCrossingLowerBound(
    const Graph& graph, int k,
    double upper_bound = std::numeric_limits<double>::infinity(),
    int max_probes = 40);

// "forced_crossing": Bound 1 in the first step, then one probe of Bound 2 per
// step, narrowed by the incumbent; rounded up on integral data.
class ForcedCrossingWorker : public Worker {
 public:
  ForcedCrossingWorker(const Graph& graph, int k);
  ~ForcedCrossingWorker() override;
  std::string name() const override { return "forced_crossing"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int k_;
  const BoundRounder rounder_;
  std::unique_ptr<ForcedCrossing> bound_;
  double lo_ = 0, hi_ = std::numeric_limits<double>::infinity();
  int probes_ = 0;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_FORCED_CROSSING_H_
