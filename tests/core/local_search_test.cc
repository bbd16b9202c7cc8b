#include "core/heuristics/local_search.h"

#include <limits>

#include "core/cost/partition_cost.h"
#include "core/heuristics/slice_dp.h"
#include "core/heuristics/topological_orders.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

// A feasible but unbalanced start: a random-key order cut into k pieces of
// equal node count (memory ignored).
std::vector<int> EqualCountPartition(const Graph& g, int k, uint64_t seed) {
  std::vector<double> keys(g.num_nodes());
  for (int v = 0; v < g.num_nodes(); ++v)
    keys[v] = (v * 2654435761u + seed) % 1000;
  const std::vector<int> order = OrderByKeys(g, keys);
  std::vector<int> stage_of(g.num_nodes());
  for (int i = 0; i < g.num_nodes(); ++i) {
    stage_of[order[i]] = static_cast<int64_t>(i) * k / g.num_nodes();
  }
  return stage_of;
}

TEST(LocalSearch, NeverWorsensAndStaysFeasible) {
  for (int trial = 0; trial < 120; ++trial) {
    const int n = 5 + trial % 50;
    const int k = 2 + trial % 7;
    const double comm = trial % 3 == 0 ? 0 : (trial % 3 == 1 ? 3 : 30);
    Graph g =
        testing::MakeGraph(testing::RandomDag(n, 0.15, comm, 7000 + trial));
    const std::vector<int> start = EqualCountPartition(g, k, trial);
    const double start_cost = EvaluatePartition(g, start, k)->bottleneck;
    LocalSearch search(g, k, 0, trial);
    search.Reset(start);
    EXPECT_DOUBLE_EQ(search.bottleneck(), start_cost);
    search.Descend(nullptr);
    for (int round = 0; round < 5; ++round) {
      search.Perturb(3);
      ASSERT_TRUE(CheckPartition(g, search.stage_of(), k).ok());
      search.Descend(nullptr);
      ASSERT_TRUE(CheckPartition(g, search.stage_of(), k).ok());
    }
    auto best = EvaluatePartition(g, search.best_stage_of(), k);
    ASSERT_TRUE(best.ok()) << best.status();
    EXPECT_LE(best->bottleneck, start_cost + 1e-9) << "trial " << trial;
    EXPECT_NEAR(best->bottleneck, search.best_bottleneck(), 1e-9);
    auto current = EvaluatePartition(g, search.stage_of(), k);
    EXPECT_NEAR(current->bottleneck, search.bottleneck(), 1e-9);
  }
}

TEST(LocalSearch, BalancesAChain) {
  // Chain of four unit nodes without comm, all on stage 0 of 2: moving the
  // tail to stage 1 balances it to 2.
  Graph g = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "a" work: 1 }
    nodes { id: "b" work: 1 }
    nodes { id: "c" work: 1 }
    nodes { id: "d" work: 1 }
    edges { src: "a" dst: "b" }
    edges { src: "b" dst: "c" }
    edges { src: "c" dst: "d" })pb"));
  LocalSearch search(g, 2, 0, 1);
  search.Reset({0, 0, 0, 0});
  EXPECT_DOUBLE_EQ(search.bottleneck(), 4);
  EXPECT_GT(search.Descend(nullptr), 0);
  EXPECT_DOUBLE_EQ(search.best_bottleneck(), 2);
}

TEST(LocalSearch, RespectsTheMemoryLimit) {
  for (int trial = 0; trial < 60; ++trial) {
    Graph g = testing::MakeGraph(testing::RandomDag(20, 0.2, 5, 100 + trial));
    const int k = 4;
    const int64_t limit = 400;
    SliceDp dp(g);
    auto slicing = dp.Solve(g.topological_order(), k,
                            std::numeric_limits<double>::infinity(), limit);
    if (!slicing.has_value()) continue;
    LocalSearch search(g, k, limit, trial);
    search.Reset(SliceDp::StageOf(g.topological_order(), *slicing));
    for (int round = 0; round < 4; ++round) {
      search.Perturb(4);
      search.Descend(nullptr);
      auto cost = EvaluatePartition(g, search.stage_of(), k);
      ASSERT_TRUE(cost.ok());
      EXPECT_EQ(FirstMemoryViolation(*cost, limit), -1) << trial;
    }
    EXPECT_LE(search.best_bottleneck(), slicing->bottleneck + 1e-9);
  }
}

}  // namespace
}  // namespace pipecut
