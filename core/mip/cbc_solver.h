#ifndef PIPECUT_CORE_MIP_CBC_SOLVER_H_
#define PIPECUT_CORE_MIP_CBC_SOLVER_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "core/mip/mip_model.h"
#include "core/solve/solve_context.h"

namespace pipecut {

struct MipRunParams {
  // Wall-clock limit of this run (CBC runs with setUseElapsedTime). It is
  // further capped by the context's remaining time.
  double time_limit_seconds = 10;
  // CBC threads: 0 = serial (STACK.md section 4: 1 is not serial).
  int threads = 0;
  // Only solutions with objective < cutoff are of interest; when CBC proves
  // that none exists the result is kInfeasible with best_bound = cutoff.
  double cutoff = std::numeric_limits<double>::infinity();
  // Optional MIP start (one value per column), tried after the root LP.
  std::vector<double> start;
};

enum class MipStatus {
  kOptimal,     // objective == best_bound (within CBC's tolerances)
  kInfeasible,  // no solution with objective < cutoff
  kLimit,       // time limit: best_bound is CBC's dual bound
  kStopped,     // the context stopped the run: best_bound is valid only
                // when CBC stopped between nodes (else -inf)
};

// "optimal", "infeasible", "time_limit", "stopped": the metric label values.
const char* MipStatusName(MipStatus status);

struct MipRunResult {
  MipStatus status = MipStatus::kStopped;
  // A valid lower bound on the model's optimum (minimisation), -inf when
  // nothing is known. For kInfeasible it is the cutoff (optimum >= cutoff).
  double best_bound = -std::numeric_limits<double>::infinity();
  double objective = std::numeric_limits<double>::infinity();
  std::vector<double> solution;  // empty when no incumbent
  int64_t nodes = 0;
  double seconds = 0;
};

// Called from CBC's thread(s) while it runs; must be thread-safe and cheap.
struct MipCallbacks {
  // A proved lower bound on the optimum, strictly rising between calls. Only
  // serial runs (threads == 0) stream bounds; parallel runs report the final
  // one in the result.
  std::function<void(double bound)> on_bound;
  // A new incumbent (original columns; raw branchAndBound has no presolve).
  std::function<void(const std::vector<double>& x, double objective)>
      on_solution;
};

// Solves `model` with raw CbcModel::branchAndBound (thread-safe across
// concurrent solves, unlike CbcMain; STACK.md section 4), quiet logs, an
// elapsed-time limit, and event handlers on CBC and on its Clp LP solver that
// stop within one node / one simplex iteration once ctx.ShouldStop() turns
// true. Once an LP has been aborted nothing CBC says about bounds is trusted
// (an aborted LP could look infeasible); a stop between nodes keeps the tree's
// bound, which is still valid.
MipRunResult SolveMip(const MipModel& model, const MipRunParams& params,
                      const SolveContext& ctx,
                      const MipCallbacks& callbacks = {});

}  // namespace pipecut

#endif  // PIPECUT_CORE_MIP_CBC_SOLVER_H_
