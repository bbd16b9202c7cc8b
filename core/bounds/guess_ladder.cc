#include "core/bounds/guess_ladder.h"

#include <algorithm>

namespace pipecut {

std::optional<GuessLadder::Guess> GuessLadder::Next(double bound,
                                                    double upper) {
  ceiling_ = std::min(ceiling_, upper);
  if (ceiling_ - bound <= 1e-4 * ceiling_) return std::nullopt;
  Guess guess;
  guess.t = std::min(bound * (1 + step_), 0.5 * (bound + ceiling_));
  guess.share = kFullShare * std::min(1.0, kFullStep / step_);
  return guess;
}

bool GuessLadder::Take(const Guess& guess, GuessOutcome outcome,
                       double used_share) {
  switch (outcome) {
    case GuessOutcome::kRefuted:
      if (used_share < kQuickShare) step_ *= 2;
      give_ups_ = 0;
      return true;
    case GuessOutcome::kNotRefuted:
      ceiling_ = guess.t;
      give_ups_ = 0;
      return true;
    case GuessOutcome::kGaveUp:
      step_ = std::max(step_ / 4, kFirstStep / 2);
      if (guess.share >= kFullShare) ceiling_ = guess.t;
      return ++give_ups_ < kMaxGiveUps;
    case GuessOutcome::kStopped:
      return false;
  }
  return false;
}

}  // namespace pipecut
