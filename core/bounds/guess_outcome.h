#ifndef PIPECUT_CORE_BOUNDS_GUESS_OUTCOME_H_
#define PIPECUT_CORE_BOUNDS_GUESS_OUTCOME_H_

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

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_GUESS_OUTCOME_H_
