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

}  // namespace pipecut
