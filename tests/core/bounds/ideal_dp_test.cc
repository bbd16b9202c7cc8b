#include "core/bounds/ideal_dp.h"

#include <cmath>
#include <limits>

#include "core/cost/partition_cost.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

TEST(IdealDp, DesignExample) {
  // At most k stages: one stage holding everything costs 4 (no comm).
  const Graph graph = testing::MakeGraph(testing::DesignExample());
  IdealDpParams params;
  params.k = 2;
  const IdealDpResult result = SolveIdealDp(graph, params);
  ASSERT_EQ(result.status, IdealDpResult::Status::kSolved);
  EXPECT_DOUBLE_EQ(result.bottleneck, 4);
  EXPECT_EQ(result.ideals, 6);  // {}, a, ab, ac, abc, abcd
  auto cost = EvaluatePartition(graph, result.stage_of, 2);
  ASSERT_TRUE(cost.ok());
  EXPECT_DOUBLE_EQ(cost->bottleneck, 4);
}

TEST(IdealDp, GivesUpAboveTheIdealLimit) {
  // 12 independent nodes have 2^12 ideals.
  const Graph graph = testing::MakeGraph(testing::RandomDag(12, 0, 1, 7));
  IdealDpParams params;
  params.k = 3;
  params.max_ideals = 1000;
  EXPECT_EQ(SolveIdealDp(graph, params).status,
            IdealDpResult::Status::kTooLarge);
}

struct Case {
  double density;
  double comm_scale;
  int k;
  int64_t memory_limit;
};

class IdealDpMatchesBruteForce : public ::testing::TestWithParam<Case> {};

TEST_P(IdealDpMatchesBruteForce, OnRandomDags) {
  const Case c = GetParam();
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const int n = 4 + static_cast<int>(seed % 4);  // 4..7
    const Graph graph = testing::MakeGraph(
        testing::RandomDag(n, c.density, c.comm_scale, seed));
    const auto opt = testing::BruteForceOptimum(graph, c.k, c.memory_limit);
    IdealDpParams params;
    params.k = c.k;
    params.memory_limit = c.memory_limit;
    // Half the runs with a limit from a known partition (everything in one
    // stage when it fits), half without.
    if (seed % 2 == 0 && opt.has_value()) params.cost_limit = *opt * 1.5 + 1;
    const IdealDpResult result = SolveIdealDp(graph, params);
    if (!opt.has_value()) {
      EXPECT_EQ(result.status, IdealDpResult::Status::kNoSolution) << seed;
      continue;
    }
    ASSERT_EQ(result.status, IdealDpResult::Status::kSolved) << seed;
    EXPECT_NEAR(result.bottleneck, *opt, 1e-9) << "seed " << seed;
    auto cost = EvaluatePartition(graph, result.stage_of, c.k);
    ASSERT_TRUE(cost.ok()) << cost.status();
    EXPECT_NEAR(cost->bottleneck, *opt, 1e-9) << "seed " << seed;
    if (c.memory_limit > 0) {
      EXPECT_EQ(FirstMemoryViolation(*cost, c.memory_limit), -1);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IdealDpMatchesBruteForce,
    ::testing::Values(Case{0.3, 1, 2, 0}, Case{0.3, 1, 3, 0},
                      Case{0.5, 20, 2, 0}, Case{0.5, 20, 3, 0},
                      Case{0.2, 20, 4, 0}, Case{0.8, 5, 3, 0},
                      Case{0.4, 10, 3, 150}, Case{0.4, 1, 2, 200},
                      Case{0.3, 10, 1, 0}));

}  // namespace
}  // namespace pipecut
