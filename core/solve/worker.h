#ifndef PIPECUT_CORE_SOLVE_WORKER_H_
#define PIPECUT_CORE_SOLVE_WORKER_H_

#include <string>

#include "core/solve/solution_board.h"
#include "core/solve/solve_context.h"

namespace pipecut {

// One search or bound procedure of the portfolio (cf. CP-SAT's SubSolver).
// The orchestrator calls Step() repeatedly, never concurrently for the same
// worker, until it returns false or the context stops. A step should do a
// bounded amount of work (one order, one generation, one model) so that jobs
// sharing a thread pool interleave, and must poll ctx.ShouldStop() in any
// long loop. Workers publish everything through the board.
class Worker {
 public:
  virtual ~Worker() = default;
  // The method name, as in SolveOptions.methods; events carry it as source.
  virtual std::string name() const = 0;
  // Returns true to be called again, false when finished.
  virtual bool Step(SolveContext& ctx, SolutionBoard& board) = 0;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_SOLVE_WORKER_H_
