#include "core/heuristics/slice_dp.h"

#include <algorithm>
#include <functional>

#include "core/cost/partition_cost.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

// Best slicing of `order` into at most k intervals, by enumerating every cut
// vector and evaluating with the brute-force stage cost.
double BruteForceSlicing(const Graph& g, const std::vector<int>& order, int k,
                         int64_t memory_limit) {
  const int n = order.size();
  double best = std::numeric_limits<double>::infinity();
  std::vector<int> cuts(k + 1, 0);
  cuts[k] = n;
  std::function<void(int)> rec = [&](int b) {
    if (b == k) {
      std::vector<int> stage_of(g.num_nodes());
      for (int s = 0; s < k; ++s) {
        for (int i = cuts[s]; i < cuts[s + 1]; ++i) stage_of[order[i]] = s;
      }
      auto cost = EvaluatePartition(g, stage_of, k);
      if (FirstMemoryViolation(*cost, memory_limit) >= 0) return;
      double bottleneck = 0;
      for (int s = 0; s < k; ++s) {
        bottleneck =
            std::max(bottleneck, testing::BruteForceStageCost(g, stage_of, s));
      }
      best = std::min(best, bottleneck);
      return;
    }
    for (int c = cuts[b - 1]; c <= n; ++c) {
      cuts[b] = c;
      rec(b + 1);
    }
  };
  rec(1);
  return best;
}

TEST(SliceDp, DesignExampleUsesOneStage) {
  // "At most k stages": all four nodes on one stage cost W = 4 with no
  // tensor crossing, better than any split into two non-empty stages (>= 8).
  Graph g = testing::MakeGraph(testing::DesignExample());
  SliceDp dp(g);
  auto slicing = dp.Solve(g.topological_order(), 2);
  ASSERT_TRUE(slicing.has_value());
  EXPECT_DOUBLE_EQ(slicing->bottleneck, 4);
  auto cost = EvaluatePartition(
      g, SliceDp::StageOf(g.topological_order(), *slicing), 2);
  EXPECT_DOUBLE_EQ(cost->bottleneck, 4);
  EXPECT_EQ(testing::BruteForceOptimum(g, 2), 4);
}

TEST(SliceDp, EqualsBruteForceOverSlicings) {
  for (int trial = 0; trial < 400; ++trial) {
    const int n = 1 + trial % 9;
    const int k = 1 + trial % 5;
    const double comm = (trial / 2) % 3 == 0 ? 0 : (trial % 4 == 0 ? 30 : 5);
    Graph g =
        testing::MakeGraph(testing::RandomDag(n, 0.35, comm, 1000 + trial));
    const int64_t memory_limit = trial % 5 == 0 ? 150 : 0;
    SliceDp dp(g);
    auto slicing =
        dp.Solve(g.topological_order(), k,
                 std::numeric_limits<double>::infinity(), memory_limit);
    const double expected =
        BruteForceSlicing(g, g.topological_order(), k, memory_limit);
    if (expected == std::numeric_limits<double>::infinity()) {
      EXPECT_FALSE(slicing.has_value()) << "trial " << trial;
      continue;
    }
    ASSERT_TRUE(slicing.has_value()) << "trial " << trial;
    EXPECT_NEAR(slicing->bottleneck, expected, 1e-9) << "trial " << trial;
    auto cost = EvaluatePartition(
        g, SliceDp::StageOf(g.topological_order(), *slicing), k);
    ASSERT_TRUE(cost.ok());
    EXPECT_NEAR(cost->bottleneck, expected, 1e-9) << "trial " << trial;
    EXPECT_EQ(FirstMemoryViolation(*cost, memory_limit), -1);
  }
}

TEST(SliceDp, LimitPrunesWorseSlicings) {
  Graph g = testing::MakeGraph(testing::DesignExample());
  SliceDp dp(g);
  EXPECT_FALSE(dp.Solve(g.topological_order(), 2, 3.5).has_value());
  EXPECT_TRUE(dp.Solve(g.topological_order(), 2, 4).has_value());
}

TEST(SliceDp, ReportsMemoryInfeasibility) {
  Graph g = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "x" memory_bytes: 10 }
    nodes { id: "y" memory_bytes: 20 }
    edges { src: "x" dst: "y" })pb"));
  SliceDp dp(g);
  EXPECT_FALSE(dp.Solve(g.topological_order(), 2,
                        std::numeric_limits<double>::infinity(), 15)
                   .has_value());
  EXPECT_TRUE(dp.Solve(g.topological_order(), 2,
                       std::numeric_limits<double>::infinity(), 20)
                  .has_value());
}

TEST(SliceDp, GreedyPartitionIsAValidSlicingNoBetterThanTheDp) {
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + trial % 40;
    const int k = 1 + trial % 9;
    Graph g = testing::MakeGraph(
        testing::RandomDag(n, 0.2, trial % 2 ? 10 : 0, 2000 + trial));
    const int64_t memory_limit = trial % 4 == 0 ? 300 : 0;
    SliceDp dp(g);
    const std::vector<int> quick =
        dp.GreedyPartition(g.topological_order(), k, memory_limit);
    auto best = dp.Solve(g.topological_order(), k,
                         std::numeric_limits<double>::infinity(), memory_limit);
    if (quick.empty()) continue;  // greedy broke the memory limit
    auto cost = EvaluatePartition(g, quick, k);
    ASSERT_TRUE(cost.ok()) << cost.status();
    EXPECT_EQ(FirstMemoryViolation(*cost, memory_limit), -1);
    ASSERT_TRUE(best.has_value());
    EXPECT_LE(best->bottleneck, cost->bottleneck + 1e-9) << "trial " << trial;
  }
}

TEST(SliceDp, GivesUpCleanlyAtTheIntervalCap) {
  Graph g = testing::MakeGraph(testing::RandomDag(60, 0.1, 2, 77));
  SliceDp capped(g, /*max_intervals=*/50);
  EXPECT_FALSE(capped.Solve(g.topological_order(), 2).has_value());
  EXPECT_TRUE(capped.interval_cap_hit());
  SliceDp roomy(g);
  EXPECT_TRUE(roomy.Solve(g.topological_order(), 2).has_value());
  EXPECT_FALSE(roomy.interval_cap_hit());
}

}  // namespace
}  // namespace pipecut
