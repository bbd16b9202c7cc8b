#ifndef PIPECUT_CORE_BOUNDS_SALBP_BOUND_H_
#define PIPECUT_CORE_BOUNDS_SALBP_BOUND_H_

#include <string>

#include "core/graph/graph.h"
#include "core/solve/worker.h"

namespace pipecut {

// SALBP-2 style bounds on the compute part (f(S) >= w(S) for every stage):
//
// Bin packing (pigeonhole): sort works w_1 >= w_2 >= ... For p >= 1 with
// p k + 1 <= n, some stage holds at least p + 1 of the p k + 1 heaviest
// nodes, so OPT >= w_{pk-p+1} + ... + w_{pk+1} (the p + 1 lightest of them).
//
// Heads and tails: in a partition with bottleneck <= T, node v and its
// ancestors fill stages 0..stage(v), so stage(v) >= ceil(w(A(v)) / T) - 1,
// and its descendants fill stage(v)..k-1, so stage(v) <= k - ceil(w(D(v))/T).
// If ceil(w(A(v))/T) + ceil(w(D(v))/T) > k + 1 for some v, no partition has
// bottleneck <= T. The test is monotone in T, so the smallest T passing it
// (found by bisection to 1e-9 relative, then shaved by that much) is a lower
// bound. A(v), D(v) include v; computed exactly for n <= 4096 and by the
// heaviest path (a lower bound on them, so still valid) above.
double BinPackingLowerBound(const Graph& graph, int k);

// Neighbourhood bound, which sees communication: the stage S holding v pays,
// besides w(v), for each predecessor u either w(u) (u in S) or c(u) (u read
// by S from outside: u in in(S)), and, if v has successors, either the work
// of all of them (all in S) or c(v) (one outside: v in out(S)). These charges
// are for distinct nodes or tensors, so
//   f(S) >= w(v) + sum_{u in pred(v)} min(w(u), c(u))
//               + [succ(v) nonempty] min(c(v), w(succ(v))),
// and OPT >= the max over v.
double NeighbourhoodLowerBound(const Graph& graph);
double HeadTailLowerBound(const Graph& graph, int k);

// Destructive improvement (Scholl's SALBP-2 method with SALBP-1 bounds): a
// bottleneck T is impossible when the works cannot be packed into k stages
// of capacity T (f(S) >= w(S)) by any of these counts, each a lower bound on
// the stages needed: ceil(W / T); the nodes heavier than T/2 (no two share a
// stage) plus half of those equal to T/2; the Martello-Toth weights (1 above
// 2T/3, 2/3 at 2T/3, 1/2 in (T/3, 2T/3), 1/3 at T/3: a stage's items weigh
// at most 1 in total); with integral works, the dual feasible functions of
// dual_feasible.h; or the head/tail test above. Each test that fires at T
// proves OPT > T by itself; the counts are (nearly) non-increasing in T, so
// bisection finds the threshold; comparisons use a 1e-9 relative slack in
// the permissive direction. With integral data the bound is the next
// integer above the largest impossible T found.
double DestructiveLowerBound(const Graph& graph, int k);

// The max of these and LB0, rounded up when every work and comm value is
// an integer (then every stage cost, hence OPT, is an integer).
double SalbpLowerBound(const Graph& graph, int k);

// "salbp_lb": publishes SalbpLowerBound in one step.
class SalbpBoundWorker : public Worker {
 public:
  SalbpBoundWorker(const Graph& graph, int k) : graph_(graph), k_(k) {}
  std::string name() const override { return "salbp_lb"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int k_;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_SALBP_BOUND_H_
