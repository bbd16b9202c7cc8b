#include "core/cost/partition_cost.h"

#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

std::vector<int> StagesByName(const Graph& g,
                              std::vector<std::pair<std::string, int>> list) {
  std::vector<int> stage_of(g.num_nodes());
  for (const auto& [id, stage] : list) stage_of[*g.FindNode(id)] = stage;
  return stage_of;
}

TEST(PartitionCost, DesignWorkedExample) {
  Graph g = testing::MakeGraph(testing::DesignExample());
  // {a,b | c,d}: both stages cost 2 + 5 + 2 = 9.
  auto ab_cd = EvaluatePartition(
      g, StagesByName(g, {{"a", 0}, {"b", 0}, {"c", 1}, {"d", 1}}), 2);
  ASSERT_TRUE(ab_cd.ok());
  EXPECT_DOUBLE_EQ(ab_cd->stages[0].cost(), 9);
  EXPECT_DOUBLE_EQ(ab_cd->stages[1].cost(), 9);
  EXPECT_DOUBLE_EQ(ab_cd->bottleneck, 9);
  // {a | b,c,d}: 1 + 5 = 6 and 3 + 5 = 8; a's tensor is paid once by stage 1
  // although two of its nodes read it.
  auto a_bcd = EvaluatePartition(
      g, StagesByName(g, {{"a", 0}, {"b", 1}, {"c", 1}, {"d", 1}}), 2);
  ASSERT_TRUE(a_bcd.ok());
  EXPECT_DOUBLE_EQ(a_bcd->stages[0].cost(), 6);
  EXPECT_DOUBLE_EQ(a_bcd->stages[1].comm_in, 5);
  EXPECT_DOUBLE_EQ(a_bcd->stages[1].cost(), 8);
  EXPECT_DOUBLE_EQ(a_bcd->bottleneck, 8);
  EXPECT_EQ(a_bcd->bottleneck_stage, 1);
}

TEST(PartitionCost, NamesTheBackwardEdge) {
  Graph g = testing::MakeGraph(testing::DesignExample());
  absl::Status s = CheckPartition(
      g, StagesByName(g, {{"a", 1}, {"b", 0}, {"c", 1}, {"d", 1}}), 2);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("'a' -> 'b'"));
}

TEST(PartitionCost, RejectsStageOutOfRange) {
  Graph g = testing::MakeGraph(testing::DesignExample());
  absl::Status s = CheckPartition(g, {0, 0, 0, 2}, 2);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("outside [0, 2)"));
  EXPECT_FALSE(CheckPartition(g, {0, 0, 0}, 2).ok());
  EXPECT_FALSE(CheckPartition(g, {0, 0, 0, 0}, 0).ok());
}

TEST(PartitionCost, EmptyStagesCostNothing) {
  Graph g = testing::MakeGraph(testing::DesignExample());
  auto cost = EvaluatePartition(g, {2, 2, 2, 2}, 4);
  ASSERT_TRUE(cost.ok());
  EXPECT_DOUBLE_EQ(cost->stages[0].cost(), 0);
  EXPECT_DOUBLE_EQ(cost->stages[2].cost(), 4);
  EXPECT_EQ(cost->bottleneck_stage, 2);
}

TEST(PartitionCost, MatchesBruteForceOnRandomDags) {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 2 + trial % 25;
    const int k = 1 + trial % 6;
    Graph g = testing::MakeGraph(testing::RandomDag(
        n, 0.05 + (trial % 7) * 0.08, trial % 3 ? 5 : 0, trial));
    // A random feasible partition: random cuts of the topological order,
    // then random moves that keep precedence.
    std::vector<int> stage_of(n);
    std::uniform_int_distribution<int> pick(0, k - 1);
    std::vector<int> cuts;
    for (int b = 0; b < k - 1; ++b)
      cuts.push_back(std::uniform_int_distribution<int>(0, n)(rng));
    std::sort(cuts.begin(), cuts.end());
    for (int i = 0; i < n; ++i) {
      stage_of[g.topological_order()[i]] =
          std::upper_bound(cuts.begin(), cuts.end(), i) - cuts.begin();
    }
    auto cost = EvaluatePartition(g, stage_of, k);
    ASSERT_TRUE(cost.ok()) << cost.status();
    double bottleneck = 0;
    for (int b = 0; b < k; ++b) {
      const double expected = testing::BruteForceStageCost(g, stage_of, b);
      EXPECT_NEAR(cost->stages[b].cost(), expected, 1e-9) << "trial " << trial;
      std::vector<char> mask(n);
      for (int v = 0; v < n; ++v) mask[v] = stage_of[v] == b;
      EXPECT_NEAR(EvaluateNodeSet(g, mask).cost(), expected, 1e-9);
      bottleneck = std::max(bottleneck, expected);
    }
    EXPECT_NEAR(cost->bottleneck, bottleneck, 1e-9);
  }
}

TEST(PartitionCost, ReportsMemoryViolation) {
  Graph g = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "x" memory_bytes: 10 }
    nodes { id: "y" memory_bytes: 20 })pb"));
  auto cost = EvaluatePartition(g, {0, 1}, 2);
  ASSERT_TRUE(cost.ok());
  EXPECT_EQ(FirstMemoryViolation(*cost, 15), 1);
  EXPECT_EQ(FirstMemoryViolation(*cost, 20), -1);
  EXPECT_EQ(FirstMemoryViolation(*cost, 0), -1);
}

}  // namespace
}  // namespace pipecut
