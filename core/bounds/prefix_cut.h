#ifndef PIPECUT_CORE_BOUNDS_PREFIX_CUT_H_
#define PIPECUT_CORE_BOUNDS_PREFIX_CUT_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/solve/worker.h"

namespace pipecut {

// The prefix-cut bound (DESIGN section 2), a polynomial bound that sees
// communication. Notation: P is an ideal (closed under predecessors),
// out(P) = {u in P : some successor of u is not in P}, W = total work,
// c = comm, A(P) = w(P) + c(out P), B(P) = W - w(P) + c(out P).
//
// Claim 1. Let S_1..S_k be a partition with bottleneck T' and 1 <= b < k.
// Then P = S_1 u ... u S_b is an ideal with A(P) <= b T' and B(P) <=
// (k - b) T'.
// Proof: a stage boundary never has an edge going backwards, so P is an
// ideal. Every u in out(P) lies in some S_i, i <= b, and has a successor in
// a later stage, so u is in out(S_i); hence sum_{i<=b} f(S_i) >= w(P) +
// c(out P). Likewise u has a successor in some S_j, j > b, and u is not in
// S_j, so u is in in(S_j); sum_{j>b} f(S_j) >= W - w(P) + c(out P). Each sum
// has b (resp. k - b) terms, each <= T'.
//
// Why not a plain Lagrangian over all ideals: for every lambda in [0, 1],
// min_P lambda A(P)/b + (1-lambda) B(P)/(k-b) <= W/k, because P = {} (A = 0,
// B = W) and P = V (A = W, B = 0) are ideals; so the relaxation of the
// two-constraint problem never beats LB0. The bound below restricts P to a
// window of ideals first, which removes those two trivial ideals.
//
// Claim 2 (the test for a guess T and a split b). Suppose a partition with
// bottleneck T' <= T exists, with P as in Claim 1, and let m <= c(out P) be
// known (m = 0 at first). Then w(P) <= b T - m, so P excludes every v with
// up(v) > b T - m (up(v) = work of v and its ancestors, all in P with v);
// and W - w(P) <= (k - b) T - m, so P contains every v with down(v) >
// (k - b) T - m (if v is not in P, none of its descendants is). Call these
// sets F and I: P lies in the window {ideals J : I <= J, J n F = {}}. So
// c(out P) >= m' := min over the window of c(out J), a min s-t cut (below),
// and m can be raised to m' and the window recomputed (a few rounds). With
// the final window and m, and optionally the window minima A* of A and B*
// of B (two more cuts):
//   T' >= tau(b, T) := max((w(I) + m)/b, (w(F) + m)/(k-b), (W + 2m)/k,
//                          A*/b, B*/(k-b)),
// and an empty window (I meets F) means no such partition: tau = +inf.
// So OPT >= min(T, tau(b, T)) for every b and T: either OPT > T, or the
// optimal partition has T' = OPT <= T and then OPT >= tau. tau is
// non-increasing in T (larger T, larger windows), so per b the best T is
// the crossing T = tau(b, T), found by bisection; every probe yields a valid
// bound, and the result is the best of them over all b.
// With k = 1 the only partition is V itself: OPT = f(V) = W exactly.
//
// Claim 3 (the end stages). Normalise a partition: move each zero-work
// source to the stage of its first consumer (that stage loses the read of
// its tensor, c(u), and gains at most its write, c(u); the old stage only
// loses; an isolated zero-work node joins any other non-empty stage at no
// cost), then move the empty stages to the end; no stage cost rises. Its
// non-empty stages are S_1..S_j. S_1 = P is an ideal holding a node other
// than a zero-work source, hence a "seed" x (a node not a zero-work source
// whose predecessors all are; walk down from any such node of P). Its cost
// is A(P) (no input, out(S_1) = out(P)). S_j = V \ Q for the ideal Q = S_1 u
// ... u S_{j-1}; a maximal node of S_j has no successor, so S_j holds a sink
// t not in Q, and its cost is B(Q) (no output; in(S_j) = out(Q), as every
// successor of Q outside Q lies in S_j). With j = 1, A(V) = B({}) = W = f(V)
// also holds. Hence OPT >= max(min_x min_{P ideal, x in P} A(P),
// min_t min_{Q ideal, t not in Q} B(Q)): one min cut per seed and per sink
// (a side with more than kMaxEndStageCuts candidates is skipped). It sees
// the comm of the first and last stage undiluted by k, which is what matters
// when communication dominates (every cut costs more than the stages it
// creates); the seeds keep weight-like zero-work sources from posing as a
// free first stage. Memory limits only raise OPT, so the bound holds there.
//
// Claim 4 (chains of splits: every middle stage pays its cuts). Fix a guess
// T, a partition with bottleneck T' <= T and, for each b in 1..k-1, P_b and
// the window (I_b, F_b, m_b) of Claim 2; add the sentinels P_0 = {} and
// P_k = V (window cut 0, w(P_0) = 0, w(P_k) = W). Call a < b separated when
// every successor of every node outside F_a lies in I_b (a = 0 and b = k
// always are). Then all successors of P_a lie in P_b, so a tensor of
// out(P_a) is written by a stage <= a and read by a stage in (a, b], and
// out(P_a) and out(P_b) are disjoint. For a chain s = c_0 < c_1 < ... <
// c_q = r of pairwise-consecutively separated splits, the stages s+1..r
// hold P_r \ P_s, write every tensor of out(P_c1..c_q) and read every tensor
// of out(P_c0..c_q-1), with these sets pairwise disjoint, so
//   (r - s) T' >= w(P_r) - w(P_s) + c(out P_s) + c(out P_r)
//                 + 2 sum_{0<i<q} c(out P_ci)
//              >= w(I_r) - (W - w(F_s)) + m_s + m_r + 2 sum m_ci.
// The best chain per (s, r) is a longest path over the splits (O(k^3)),
// and tau_4(T) = the best right-hand side / (r - s) bounds OPT like tau in
// Claim 2. It contains Claim 2's first three terms (s = 0 or r = k, no
// interior split, or one), and adds what they miss on wide graphs: one cut
// per stage boundary rather than one per bound. Searched by bisection on T
// once every single split is done.
//
// The min cut (closure with auxiliary nodes): one node x_v per v, source
// side = P. Precedence: arc x_v -> x_u of infinite capacity for every edge
// (u, v) (v in P forces u in P). For each u with successors and c(u) > 0 an
// auxiliary node z_u, z_u = [all successors of u in P]: infinite arcs z_u ->
// x_s for every successor s, and the cost c(u) (x_u - z_u) >= 0 as an arc
// x_u -> z_u of capacity c(u); a minimum cut puts z_u on the source side
// whenever it may, so it pays c(u) exactly when u is in out(P). The window:
// infinite arcs source -> x_v for v in I and x_v -> sink for v in F. A*
// adds arcs x_v -> sink of capacity w(v) (pays w(P)); B* adds source -> x_v
// of capacity w(v) (pays W - w(P)). All capacities are >= 0, so the flow
// value is the minimum itself (no cancellation); "infinite" is a finite
// capacity above any cut of the window ideal P = I.
//
// Floating point: sets I and F are computed with a slack in the permissive
// direction, every cut value is shaved by 1e-9 of the total capacity, tau by
// a relative 1e-9, and the result by a relative 1e-9; when every work and
// comm is an integer (so OPT is) it is then rounded up.
inline constexpr size_t kMaxEndStageCuts = 256;
inline constexpr int kChainSplit = -1;

struct PrefixCutOptions {
  // Rounds of window tightening per probe (each one min cut).
  int max_rounds = 4;
  // Also compute A* and B* (two more cuts per probe).
  bool work_cuts = true;
  // Bisection per b stops at this relative width or after max_probes.
  double relative_tolerance = 1e-6;
  int max_probes = 40;
};

struct PrefixCutResult {
  double bound = 0;  // proven: OPT >= bound (0 if stopped before any probe)
  // The split that proved it (0: k = 1, Claim 3 or none; kChainSplit: Claim 4).
  int best_b = 0;
  int64_t cuts = 0;  // max-flow solves
  int64_t probes = 0;
  bool complete = false;  // every b examined (false when stopped)
};

// Claim 3, then every b in 1..k-1; `should_stop` (may be empty) is polled
// between cuts. `upper_bound` (a known OPT <= upper_bound, e.g. a partition's
// bottleneck) only narrows the search.
PrefixCutResult PrefixCutLowerBound(
    const Graph& graph, int k, const PrefixCutOptions& options = {},
    const std::function<bool()>& should_stop = {},
    double upper_bound = std::numeric_limits<double>::infinity());

// min over ideals J with must_in <= J and J n must_out = {} of
// c(out J) + in_weight * w(J) + out_weight * (W - w(J)) (weights >= 0), by
// the min cut above; +inf when no such ideal exists. The flow value is
// returned as computed (not shaved). `must_in` / `must_out` are per-node
// flags (size n). Reuses one flow network; exposed for tests.
class OutCommCut {
 public:
  explicit OutCommCut(const Graph& graph);
  ~OutCommCut();
  OutCommCut(const OutCommCut&) = delete;
  OutCommCut& operator=(const OutCommCut&) = delete;

  double Solve(const std::vector<char>& must_in,
               const std::vector<char>& must_out, double in_weight = 0,
               double out_weight = 0);
  // Total comm of nodes with successors: every finite cut is below it plus
  // the weighted work.
  double total_comm() const { return total_comm_; }

 private:
  struct Network;
  const Graph& graph_;
  double total_comm_ = 0;
  std::unique_ptr<Network> net_;
};

// The seeds of Claim 3: nodes other than zero-work sources all of whose
// predecessors are zero-work sources. Exposed for tests.
std::vector<int> FirstStageSeeds(const Graph& graph);

class PrefixCutSearch;  // the per-split bisection (prefix_cut.cc)

// "prefix_cut": one split b per step (middle splits first), publishing the
// best bound so far; the incumbent's bottleneck narrows the search. Skips
// (logged) graphs with more than kPrefixCutMaxSize nodes + edges (the flow
// network would take gigabytes).
inline constexpr int64_t kPrefixCutMaxSize = 2'000'000;
class PrefixCutWorker : public Worker {
 public:
  PrefixCutWorker(const Graph& graph, int k);
  ~PrefixCutWorker() override;
  std::string name() const override { return "prefix_cut"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int k_;
  std::unique_ptr<PrefixCutSearch> search_;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_PREFIX_CUT_H_
