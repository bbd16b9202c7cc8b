#ifndef PIPECUT_CORE_BOUNDS_GUESS_MIP_H_
#define PIPECUT_CORE_BOUNDS_GUESS_MIP_H_

#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/options.h"
#include "core/solve/worker.h"

namespace pipecut {

// "guess_mip": guess the index b of the heaviest stage of an optimal
// partition; one split model per b in 1..k (split_model.h has the proof that
// model b* is <= OPT for the true b*). The bound is min over b of bound[b],
// where bound[b] = max(L, CBC's dual bound of model b) and L is a bound that
// was already proved (the board's, taken when model b is first solved):
// bound[b*] <= OPT, so the min is too. A model proven infeasible under the
// cutoff UB has bound[b] = UB. No b is skipped: the b <-> k+1-b mirror is not
// a symmetry once communication counts (reversing the edges turns a tensor's
// single producer-side charge into one per consumer), so every b is solved.
//
// Skipped on graphs without communication (SALBP), where it adds little.
// Each step solves one model with a time slice; the first pass visits every
// b (a bound is published only once all have a value), later passes re-solve
// the b with the smallest bound with a doubled slice, since only the weakest
// model limits the min.
class GuessMipWorker : public Worker {
 public:
  GuessMipWorker(const Graph& graph, int k, const ResolvedOptions& options);
  std::string name() const override { return "guess_mip"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

  // Per-b bounds so far (for tests); -inf before model b ran.
  const std::vector<double>& stage_bounds() const { return bound_; }

 private:
  const Graph& graph_;
  const int k_;
  const ResolvedOptions& options_;
  bool checked_ = false;
  std::vector<double> bound_;  // index b-1
  std::vector<char> closed_;   // solved to optimality or pruned by UB
  std::vector<double> slice_;  // next time slice per b
  std::vector<char> visited_;  // model b ran in the first pass
  int first_pass_next_ = 0;    // models run in the first pass
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_GUESS_MIP_H_
