#ifndef PIPECUT_CORE_BOUNDS_GUESS_LADDER_H_
#define PIPECUT_CORE_BOUNDS_GUESS_LADDER_H_

#include <limits>
#include <optional>

#include "core/bounds/guess_outcome.h"

namespace pipecut {

// Where a bound whose refutations get steeply dearer with the guess (the
// stage-cover LP, stage_cover_lp.h) probes next. It steps up from the bound:
// the step (1 % of the bound at first) doubles only after a refutation that
// took under a quarter of its probe's time, and a give-up quarters it. A
// probe may take a quarter of the time left, a guess more than 4 % above the
// bound proportionally less: it is a gamble (heavy 150-node layered DAG,
// k = 16, with the heuristics, 60 s: doubling after every refutation leapt
// to the steep part and gave up twice at 69.8). A guess that is not refuted,
// or that gave up with the full share, caps later guesses, which then bisect
// below it; a gamble that gave up does not (the step has retreated, and the
// guess may come back with more time: the LP alone for 1.5 s on the ResNet-50
// operator graph, k = 16, stopped at 62.73 below such a cap, 66.62 without).
// Two give-ups in a row end the climb.
class GuessLadder {
 public:
  struct Guess {
    double t = 0;
    double share = 0;  // of the time left, that its probe may take
  };

  // The next guess above `bound` (> 0), or none when the ceiling is within
  // 0.01 % of it. `upper` (e.g. the incumbent) lowers the ceiling for good.
  std::optional<Guess> Next(double bound, double upper);
  // Takes the outcome of the probe of `guess` that used `used_share` of its
  // time. Returns false once the climb is over.
  bool Take(const Guess& guess, GuessOutcome outcome, double used_share);

  double ceiling() const { return ceiling_; }
  double step() const { return step_; }

  static constexpr double kFirstStep = 0.01;
  static constexpr double kFullStep = 0.04;
  static constexpr double kFullShare = 0.25;
  static constexpr double kQuickShare = 0.25;
  static constexpr int kMaxGiveUps = 2;

 private:
  double ceiling_ = std::numeric_limits<double>::infinity();
  double step_ = kFirstStep;  // relative to the bound
  int give_ups_ = 0;          // probes in a row that gave up
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_GUESS_LADDER_H_
