#include "core/heuristics/brkga.h"

#include <algorithm>
#include <limits>
#include <memory>

#include "core/cost/partition_cost.h"
#include "core/heuristics/topological_orders.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

BrkgaParams SmallParams() {
  BrkgaParams p;
  p.population = 16;
  p.generations = 12;
  return p;
}

std::unique_ptr<Brkga> Seeded(const Graph& g, int k, int64_t memory_limit,
                              const BrkgaParams& params, uint64_t seed,
                              int threads) {
  auto brkga =
      std::make_unique<Brkga>(g, k, memory_limit, params, seed, threads);
  for (const NamedOrder& o : SeedOrders(g)) brkga->AddOrder(o.order);
  return brkga;
}

TEST(Brkga, FindsTheOptimumOnSmallDags) {
  for (int trial = 0; trial < 120; ++trial) {
    const int n = 3 + trial % 6;  // <= 8
    const int k = 2 + trial % 3;
    const double comm = trial % 2 == 0 ? 2 : 25;  // comm-light, comm-heavy
    const int64_t memory_limit = trial % 5 == 0 ? 200 : 0;
    Graph g = testing::MakeGraph(
        testing::RandomDag(n, trial % 3 == 0 ? 0.2 : 0.45, comm, 300 + trial));
    // The worker's setup: seed orders plus random keys; 24 x 20 is ~300
    // decodes.
    BrkgaParams params = SmallParams();
    params.population = 24;
    params.generations = 20;
    auto brkga_ptr = Seeded(g, k, memory_limit, params, trial, 1);
    Brkga& brkga = *brkga_ptr;
    for (int gen = 0; gen < params.generations; ++gen) {
      ASSERT_TRUE(brkga.RunGeneration(nullptr));
    }
    const std::optional<double> opt =
        testing::BruteForceOptimum(g, k, memory_limit);
    if (!opt.has_value()) {
      EXPECT_EQ(brkga.best_bottleneck(),
                std::numeric_limits<double>::infinity());
      continue;
    }
    ASSERT_NEAR(brkga.best_bottleneck(), *opt, 1e-9) << "trial " << trial;
    auto cost = EvaluatePartition(g, brkga.best_stage_of(), k);
    ASSERT_TRUE(cost.ok()) << cost.status();
    EXPECT_NEAR(cost->bottleneck, *opt, 1e-9);
    EXPECT_EQ(FirstMemoryViolation(*cost, memory_limit), -1);
  }
}

TEST(Brkga, SameSeedSameRunOnOneOrTwoThreads) {
  Graph g = testing::MakeGraph(testing::RandomDag(80, 0.06, 8, 42));
  BrkgaParams params = SmallParams();
  params.population = 24;
  auto one_ptr = Seeded(g, 6, 0, params, 7, 1);
  auto two_ptr = Seeded(g, 6, 0, params, 7, 2);
  Brkga& one = *one_ptr;
  Brkga& two = *two_ptr;
  for (int gen = 0; gen < 8; ++gen) {
    ASSERT_TRUE(one.RunGeneration(nullptr));
    ASSERT_TRUE(two.RunGeneration(nullptr));
    ASSERT_EQ(one.Fitness(), two.Fitness()) << "generation " << gen;
  }
  EXPECT_EQ(one.best_stage_of(), two.best_stage_of());
  EXPECT_EQ(one.generations_done(), 8);
}

TEST(Brkga, NeverWorseThanItsSeedsAndFitnessIsRanked) {
  Graph g = testing::MakeGraph(testing::RandomDag(60, 0.08, 5, 11));
  const int k = 5;
  SliceDp dp(g);
  double best_seed = std::numeric_limits<double>::infinity();
  for (const NamedOrder& o : SeedOrders(g)) {
    best_seed = std::min(best_seed, dp.Solve(o.order, k)->bottleneck);
  }
  auto brkga_ptr = Seeded(g, k, 0, SmallParams(), 3, 1);
  Brkga& brkga = *brkga_ptr;
  for (int gen = 0; gen < 5; ++gen) ASSERT_TRUE(brkga.RunGeneration(nullptr));
  EXPECT_LE(brkga.best_bottleneck(), best_seed);
  const std::vector<double> fitness = brkga.Fitness();
  EXPECT_TRUE(std::is_sorted(fitness.begin(), fitness.end()));
  EXPECT_DOUBLE_EQ(fitness.front(), brkga.best_bottleneck());
  // Pruned chromosomes (beyond the slack) are +inf; the others are exact.
  for (double f : fitness) {
    if (f != std::numeric_limits<double>::infinity()) {
      EXPECT_LE(f, brkga.best_bottleneck() * (1 + Brkga::kPruneSlack) * 1.0001);
    }
  }
}

TEST(Brkga, ReportsNothingWhenMemoryIsInfeasible) {
  Graph g = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "x" memory_bytes: 10 }
    nodes { id: "y" memory_bytes: 20 }
    edges { src: "x" dst: "y" })pb"));
  Brkga brkga(g, 2, 15, SmallParams(), 1, 1);
  ASSERT_TRUE(brkga.RunGeneration(nullptr));
  EXPECT_EQ(brkga.best_bottleneck(), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(brkga.best_stage_of().empty());
}

TEST(Brkga, StopsWhenTheContextStops) {
  Graph g = testing::MakeGraph(testing::RandomDag(30, 0.1, 5, 5));
  SolveContext ctx(absl::Seconds(100), absl::InfiniteFuture());
  ctx.RequestStop(v1::STOP_REASON_CANCELLED);
  Brkga brkga(g, 3, 0, SmallParams(), 1, 2);
  EXPECT_FALSE(brkga.RunGeneration(&ctx));
  EXPECT_EQ(brkga.generations_done(), 0);
}

}  // namespace
}  // namespace pipecut
