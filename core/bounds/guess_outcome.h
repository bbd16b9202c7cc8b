#ifndef PIPECUT_CORE_BOUNDS_GUESS_OUTCOME_H_
#define PIPECUT_CORE_BOUNDS_GUESS_OUTCOME_H_

#include <string>

#include "core/bounds/bound_rounding.h"
#include "core/solve/solution_board.h"

namespace pipecut {

// What a bound that tests one guess t ("is there a partition with
// bottleneck < t?") concluded.
enum class GuessOutcome {
  kRefuted,     // proven: no partition has bottleneck < t
  kNotRefuted,  // the bound's argument cannot refute t
  kGaveUp,      // a search hit its limits; nothing is claimed
  kStopped,     // the solve's stop token fired
};

// "refuted", "not refuted", "gave up", "stopped" (for logs).
const char* GuessOutcomeName(GuessOutcome outcome);

// How a worker that bisects on guesses takes a probe's outcome at t: a
// refutation raises the board's bound to rounder(t) (under `source`);
// kNotRefuted and kGaveUp make t the new ceiling `hi` of later guesses.
// Returns whether the worker should probe again (false once stopped).
bool TakeGuessOutcome(GuessOutcome outcome, double t,
                      const BoundRounder& rounder, const std::string& source,
                      SolutionBoard& board, double& hi);

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_GUESS_OUTCOME_H_
