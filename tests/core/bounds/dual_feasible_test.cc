#include "core/bounds/dual_feasible.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/bin_packing_oracle.h"

namespace pipecut {
namespace {

TEST(DualFeasible, SeesThreeItemsPerBin) {
  // 50 items of 22..27 and 9 of 21 in bins of 84: u^(3) weighs the former
  // 1/3 and the latter 1/4 (4 x 21 = 84), 16.67 + 2.25 > 18 bins. The plain
  // count 1349 / 84 = 16.06 and the LB2/LB3 weights (none above 84 / 3)
  // see nothing.
  std::vector<int64_t> items(9, 21);
  for (int i = 0; i < 50; ++i) items.push_back(22 + i % 6);
  int64_t until = 0;
  EXPECT_TRUE(DffNeedsMoreBins(items, 84, 18, &until));
  EXPECT_EQ(until, 85);  // the 21s' weight changes at once
  EXPECT_FALSE(DffNeedsMoreBins(items, 84, 19));
  // At 88 four items of 22 share a bin: u^(3) no longer counts a third each.
  EXPECT_FALSE(DffNeedsMoreBins(items, 88, 18));
}

TEST(DualFeasible, NeverClaimsMoreThanTheExactCount) {
  std::mt19937_64 rng(41);
  int fired = 0, tight = 0;
  for (int round = 0; round < 600; ++round) {
    const int n = 1 + static_cast<int>(rng() % 10);
    const int64_t capacity = 5 + static_cast<int64_t>(rng() % 40);
    std::vector<int64_t> items(n);
    for (auto& x : items) {
      x = 1 + static_cast<int64_t>(rng() % capacity);
    }
    const int exact = testing::ExactBinCount(items, capacity);
    for (int64_t bins = 0; bins <= n; ++bins) {
      int64_t until = 0;
      if (!DffNeedsMoreBins(items, capacity, bins, &until)) continue;
      ++fired;
      if (bins == exact - 1) ++tight;
      ASSERT_GT(exact, bins) << "capacity " << capacity << " round " << round;
      // The verdict holds at every capacity below `until`.
      ASSERT_GT(until, capacity);
      for (int64_t c = capacity; c < std::min(until, capacity + 60); ++c) {
        ASSERT_TRUE(DffNeedsMoreBins(items, c, bins))
            << "capacity " << c << " below " << until;
        ASSERT_GT(testing::ExactBinCount(items, c), bins);
      }
    }
  }
  // The bounds are not vacuous: they fire often, and often tightly.
  EXPECT_GT(fired, 1000);
  EXPECT_GT(tight, 300);
}

TEST(DualFeasible, ClaimsNothingWithoutCapacity) {
  const std::vector<int64_t> none = {0, 0};
  EXPECT_FALSE(DffNeedsMoreBins(none, 0, 0));
}

}  // namespace
}  // namespace pipecut
