#include "core/bounds/pattern_lp.h"

#include <cstdint>
#include <random>
#include <vector>

#include "core/bounds/dual_feasible.h"
#include "gtest/gtest.h"
#include "tests/testing/bin_packing_oracle.h"

namespace pipecut {
namespace {

TEST(PatternLp, SeesFourItemBinsNeedThreeLightOnes) {
  // 9 items of 21 and 50 of 22..27 in bins of 85: a bin holds four of them
  // only as 21 + 21 + 21 + 22, so at most 3 bins hold four and 18 bins hold
  // at most 57 < 59. The LP's duals (2/9 for 21, 1/3 above) show it; every
  // dual feasible function of dual_feasible.h misses it.
  std::vector<int64_t> items(9, 21);
  for (int i = 0; i < 50; ++i) items.push_back(22 + i % 6);
  EXPECT_FALSE(DffNeedsMoreBins(items, 85, 18));
  EXPECT_TRUE(PatternLpNeedsMoreBins(items, 85, 18));
  EXPECT_FALSE(PatternLpNeedsMoreBins(items, 85, 19));
  // At 87, 21 + 22 + 22 + 22 fits: nine bins of four, room for 63.
  EXPECT_FALSE(PatternLpNeedsMoreBins(items, 87, 18));
}

TEST(PatternLp, NeverClaimsMoreThanTheExactCount) {
  std::mt19937_64 rng(43);
  int fired = 0, tight = 0;
  for (int round = 0; round < 400; ++round) {
    const int n = 1 + static_cast<int>(rng() % 11);
    const int64_t capacity = 5 + static_cast<int64_t>(rng() % 60);
    std::vector<int64_t> items(n);
    for (auto& x : items) {
      // Few distinct sizes now and then, as in the hard instances.
      x = 1 + static_cast<int64_t>(rng() % (round % 2 ? capacity : 4)) +
          (round % 2 ? 0 : capacity / 4);
    }
    const int exact = testing::ExactBinCount(items, capacity);
    for (int64_t bins = 0; bins < exact; ++bins) {
      if (!PatternLpNeedsMoreBins(items, capacity, bins)) continue;
      ++fired;
      if (bins == exact - 1) ++tight;
    }
    ASSERT_FALSE(PatternLpNeedsMoreBins(items, capacity, exact))
        << "round " << round << " capacity " << capacity;
  }
  EXPECT_GT(fired, 800);
  EXPECT_GT(tight, 300);
}

TEST(PatternLp, AnItemAboveTheCapacityFitsNoBin) {
  const std::vector<int64_t> items = {3, 9};
  EXPECT_TRUE(PatternLpNeedsMoreBins(items, 8, 5));
  EXPECT_FALSE(PatternLpNeedsMoreBins(items, 0, 5));  // claims nothing
}

}  // namespace
}  // namespace pipecut
