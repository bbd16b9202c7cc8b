#ifndef PIPECUT_CORE_BOUNDS_COMBINATORIAL_BOUND_H_
#define PIPECUT_CORE_BOUNDS_COMBINATORIAL_BOUND_H_

#include <string>

#include "core/graph/graph.h"
#include "core/solve/worker.h"

namespace pipecut {

// LB0 = max(W / k, max_v w(v)), W the total work.
//
// Proof: every node is on some stage and f(S) >= w(S) (comm terms are >= 0).
// The k stage works sum to W, so the largest is >= W / k; and the stage
// holding v has f >= w(v).
double CombinatorialLowerBound(const Graph& graph, int k);

// "lb0": publishes CombinatorialLowerBound in one step.
class CombinatorialBoundWorker : public Worker {
 public:
  CombinatorialBoundWorker(const Graph& graph, int k) : graph_(graph), k_(k) {}
  std::string name() const override { return "lb0"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int k_;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_COMBINATORIAL_BOUND_H_
