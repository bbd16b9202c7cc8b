#include "core/bounds/guess_ladder.h"

#include <optional>

#include "gtest/gtest.h"

namespace pipecut {
namespace {

constexpr double kBound = 100;
constexpr double kNoUpper = 1e9;

GuessLadder::Guess NextGuess(GuessLadder& ladder, double bound = kBound) {
  const std::optional<GuessLadder::Guess> guess = ladder.Next(bound, kNoUpper);
  EXPECT_TRUE(guess.has_value());
  return guess.value_or(GuessLadder::Guess{});
}

TEST(GuessLadder, TheStepDoublesOnlyAfterAQuickRefutation) {
  GuessLadder ladder;
  GuessLadder::Guess guess = NextGuess(ladder);
  EXPECT_DOUBLE_EQ(guess.t, 101);
  EXPECT_DOUBLE_EQ(guess.share, GuessLadder::kFullShare);
  EXPECT_TRUE(ladder.Take(guess, GuessOutcome::kRefuted, 0.1));
  guess = NextGuess(ladder, 101);
  EXPECT_DOUBLE_EQ(guess.t, 101 * 1.02);
  EXPECT_TRUE(ladder.Take(guess, GuessOutcome::kRefuted, 0.5));  // slow
  EXPECT_DOUBLE_EQ(ladder.step(), 0.02);
}

TEST(GuessLadder, AGuessFarAboveTheBoundGetsLessTime) {
  GuessLadder ladder;
  for (int i = 0; i < 3; ++i) {  // steps 1 %, 2 %, 4 %: full shares
    const GuessLadder::Guess guess = NextGuess(ladder);
    EXPECT_DOUBLE_EQ(guess.share, GuessLadder::kFullShare);
    ladder.Take(guess, GuessOutcome::kRefuted, 0);
  }
  const GuessLadder::Guess gamble = NextGuess(ladder);  // 8 %
  EXPECT_DOUBLE_EQ(gamble.t, 108);
  EXPECT_DOUBLE_EQ(gamble.share, GuessLadder::kFullShare / 2);
}

TEST(GuessLadder, AGambleThatGaveUpDoesNotCapLaterGuesses) {
  GuessLadder ladder;
  for (int i = 0; i < 3; ++i) {
    ladder.Take(NextGuess(ladder), GuessOutcome::kRefuted, 0);
  }
  const GuessLadder::Guess gamble = NextGuess(ladder);
  ASSERT_LT(gamble.share, GuessLadder::kFullShare);
  EXPECT_TRUE(ladder.Take(gamble, GuessOutcome::kGaveUp, 1));
  EXPECT_EQ(ladder.ceiling(), kNoUpper);
  EXPECT_DOUBLE_EQ(ladder.step(), 0.02);  // quartered
  // The climb goes on above the gamble's guess.
  GuessLadder::Guess guess = NextGuess(ladder);
  EXPECT_TRUE(ladder.Take(guess, GuessOutcome::kRefuted, 0));
  guess = NextGuess(ladder, 109);
  EXPECT_GT(guess.t, gamble.t);
}

TEST(GuessLadder, AFullShareGiveUpOrANonRefutationCapsLaterGuesses) {
  GuessLadder ladder;
  GuessLadder::Guess guess = NextGuess(ladder);
  ASSERT_EQ(guess.share, GuessLadder::kFullShare);
  EXPECT_TRUE(ladder.Take(guess, GuessOutcome::kGaveUp, 1));
  EXPECT_DOUBLE_EQ(ladder.ceiling(), 101);
  // Later guesses bisect below the ceiling.
  guess = NextGuess(ladder);
  EXPECT_LT(guess.t, 101);
  EXPECT_TRUE(ladder.Take(guess, GuessOutcome::kNotRefuted, 0.5));
  EXPECT_DOUBLE_EQ(ladder.ceiling(), guess.t);
  // Within 0.01 % of the bound: no more guesses.
  EXPECT_FALSE(ladder.Next(ladder.ceiling() * (1 - 1e-5), kNoUpper));
  // The upper bound lowers the ceiling for good.
  GuessLadder other;
  EXPECT_FALSE(other.Next(kBound, kBound * (1 + 1e-5)).has_value());
  EXPECT_FALSE(other.Next(kBound, kNoUpper).has_value());
}

TEST(GuessLadder, TwoGiveUpsInARowEndTheClimb) {
  GuessLadder ladder;
  EXPECT_TRUE(ladder.Take(NextGuess(ladder), GuessOutcome::kGaveUp, 1));
  EXPECT_TRUE(ladder.Take(NextGuess(ladder), GuessOutcome::kRefuted, 0.9));
  EXPECT_TRUE(ladder.Take(NextGuess(ladder), GuessOutcome::kGaveUp, 1));
  EXPECT_FALSE(ladder.Take(NextGuess(ladder), GuessOutcome::kGaveUp, 1));
  GuessLadder stopped;
  EXPECT_FALSE(stopped.Take(NextGuess(stopped), GuessOutcome::kStopped, 0));
}

}  // namespace
}  // namespace pipecut
