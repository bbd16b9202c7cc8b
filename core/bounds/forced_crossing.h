#ifndef PIPECUT_CORE_BOUNDS_FORCED_CROSSING_H_
#define PIPECUT_CORE_BOUNDS_FORCED_CROSSING_H_

#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/solve/worker.h"

namespace pipecut {

// The forced-crossing bound: tensors that cannot stay inside one stage.
//
// Notation: for a node u with consumers, H(u) = the nodes on some path from u
// to one of its consumers (u and the consumers included) = desc*(u) n
// anc*(succ(u)), and h(u) = w(H(u)).
//
// Claim. Let a partition have bottleneck T' and let u have h(u) > T'. Then
// c(u) is counted at least twice in the sum of the stage costs.
// Proof: a stage S_b = P_b \ P_{b-1} (P ideals) is convex: if x, z are in S_b
// and y lies on a path from x to z, then y is in P_b (an ancestor of z) and
// not in P_{b-1} (else so would be its ancestor x). So a stage holding u and
// all its consumers holds H(u) and costs at least h(u) > T', which is
// impossible. Hence some consumer s lies in another stage, a later one: u is
// in out(stage of u) and in in(stage of s), two different terms c(u).
//
// Summing over the <= k stages: k T' >= sum_b f(S_b) >= W + 2 C(T'), where
// C(T) = sum of c(u) over u with h(u) > T (each tensor is one term, so the
// counts of different u never overlap). C is non-increasing in T, so the set
// {T : k T >= W + 2 C(T)} is [T0, inf) and OPT, which lies in it, is >= T0.
// T0 is exact: C is a step function that only changes at the values h(u).
// Together with OPT >= max_v w(v). Memory limits only raise OPT.
//
// What it sees: training graphs, where a forward activation is read again by
// the backward pass far away, so no stage of cost near OPT can hold both
// ends; W/k and the cut-based bounds charge such tensors once or amortise
// them over many stages. H(u) is computed exactly with bitsets when the graph
// has at most kForcedCrossingMaxNodes nodes; larger graphs get the bound from
// h(u) >= w(u) + max over consumers s of w(s) (still a lower bound on h(u),
// so the claim holds).
inline constexpr int kForcedCrossingMaxNodes = 8192;

// h(u) for every node (0 for nodes without consumers or with c(u) = 0).
std::vector<double> ConsumerHullWork(const Graph& graph);

// max(T0, max_v w(v)) as above, not rounded.
double ForcedCrossingLowerBound(const Graph& graph, int k);

// "forced_crossing": publishes the bound once (rounded up on integral data).
class ForcedCrossingWorker : public Worker {
 public:
  ForcedCrossingWorker(const Graph& graph, int k) : graph_(graph), k_(k) {}
  std::string name() const override { return "forced_crossing"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int k_;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_FORCED_CROSSING_H_
