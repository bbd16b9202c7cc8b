#ifndef PIPECUT_CORE_BOUNDS_BOTTLENECK_MIP_H_
#define PIPECUT_CORE_BOUNDS_BOTTLENECK_MIP_H_

#include <string>

#include "core/graph/graph.h"
#include "core/options.h"
#include "core/solve/worker.h"

namespace pipecut {

// "bottleneck_mip": the 3-way split relaxation (DESIGN section 2, model in
// split_model.h). Its optimum is <= OPT: the heaviest stage S* of an optimal
// partition has w(S*) >= W/k, and (stages before S*, S*, stages after S*)
// with the exact in/out indicators is a feasible point of the model whose
// objective is f(S*) <= OPT. CBC's dual bound is <= the model's optimum, so
// every bound streamed while it runs, and the final one, is valid.
//
// First solves the same relaxation by a combinatorial search
// (heavy_stage_search.h), probing thresholds for a quarter of the remaining
// time: on wide graphs with heavy communication CBC's LP spreads S* over
// everything and stays at W/k. If the search pins the optimum, the MIP is
// skipped. Then runs the MIP once, with a quarter of the remaining
// time (at least 1 s), leaving the rest to the stronger guess and exact
// models.
class BottleneckMipWorker : public Worker {
 public:
  BottleneckMipWorker(const Graph& graph, int k, const ResolvedOptions& options)
      : graph_(graph), k_(k), options_(options) {}
  std::string name() const override { return "bottleneck_mip"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  // True once the search has pinned the relaxation's optimum, or found a
  // set no costlier than the board's bound (the MIP cannot help).
  bool SolveBySearch(SolveContext& ctx, SolutionBoard& board);

  const Graph& graph_;
  const int k_;
  const ResolvedOptions& options_;
  bool searched_ = false;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_BOTTLENECK_MIP_H_
