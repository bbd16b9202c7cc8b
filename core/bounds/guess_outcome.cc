#include "core/bounds/guess_outcome.h"

namespace pipecut {

const char* GuessOutcomeName(GuessOutcome outcome) {
  switch (outcome) {
    case GuessOutcome::kRefuted:
      return "refuted";
    case GuessOutcome::kNotRefuted:
      return "not refuted";
    case GuessOutcome::kGaveUp:
      return "gave up";
    case GuessOutcome::kStopped:
      return "stopped";
  }
  return "?";
}

bool TakeGuessOutcome(GuessOutcome outcome, double t,
                      const BoundRounder& rounder, const std::string& source,
                      SolutionBoard& board, double& hi) {
  switch (outcome) {
    case GuessOutcome::kRefuted:
      board.RaiseLowerBound(rounder(t), source);
      return true;
    case GuessOutcome::kNotRefuted:
    case GuessOutcome::kGaveUp:
      hi = t;
      return true;
    case GuessOutcome::kStopped:
      return false;
  }
  return false;
}

}  // namespace pipecut
