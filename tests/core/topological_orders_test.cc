#include "core/heuristics/topological_orders.h"

#include <algorithm>
#include <functional>
#include <set>

#include "core/heuristics/slice_dp.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

// Calls `visit` on every topological order of `graph` (n <= 8).
void ForEachTopologicalOrder(
    const Graph& graph,
    const std::function<void(const std::vector<int>&)>& visit) {
  const int n = graph.num_nodes();
  std::vector<int> indegree(n), order;
  std::vector<char> used(n, 0);
  for (int v = 0; v < n; ++v) indegree[v] = graph.predecessors(v).size();
  std::function<void()> rec = [&] {
    if (static_cast<int>(order.size()) == n) {
      visit(order);
      return;
    }
    for (int v = 0; v < n; ++v) {
      if (used[v] || indegree[v] != 0) continue;
      used[v] = 1;
      order.push_back(v);
      for (int s : graph.successors(v)) --indegree[s];
      rec();
      for (int s : graph.successors(v)) ++indegree[s];
      order.pop_back();
      used[v] = 0;
    }
  };
  rec();
}

TEST(SeedOrders, EveryOrderIsTopologicalAndNamed) {
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + trial % 60;
    const double density = trial % 3 == 0 ? 0.05 : (trial % 3 == 1 ? 0.2 : 0.6);
    Graph g = testing::MakeGraph(
        testing::RandomDag(n, density, trial % 2 ? 10 : 0, 500 + trial));
    std::vector<NamedOrder> orders = SeedOrders(g);
    ASSERT_FALSE(orders.empty());
    EXPECT_EQ(orders[0].name, "kahn");
    std::set<std::string> names;
    for (const NamedOrder& o : orders) {
      EXPECT_TRUE(IsTopologicalOrder(g, o.order))
          << o.name << " trial " << trial;
      EXPECT_TRUE(names.insert(o.name).second) << o.name;
    }
    // Deterministic.
    std::vector<NamedOrder> again = SeedOrders(g);
    ASSERT_EQ(again.size(), orders.size());
    for (size_t i = 0; i < orders.size(); ++i) {
      EXPECT_EQ(again[i].order, orders[i].order);
    }
  }
}

TEST(SeedOrders, OffersSeveralDistinctOrdersOnBranchyGraphs) {
  Graph g = testing::MakeGraph(testing::RandomDag(40, 0.08, 10, 7));
  EXPECT_GE(SeedOrders(g).size(), 4u);
}

TEST(SeedOrders, DfsKeepsAChainTogether) {
  // Two independent chains a1->a2->a3 and b1->b2->b3 given interleaved.
  Graph g = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "a1" }
    nodes { id: "b1" }
    nodes { id: "a2" }
    nodes { id: "b2" }
    nodes { id: "a3" }
    nodes { id: "b3" }
    edges { src: "a1" dst: "a2" }
    edges { src: "a2" dst: "a3" }
    edges { src: "b1" dst: "b2" }
    edges { src: "b2" dst: "b3" })pb"));
  for (const NamedOrder& o : SeedOrders(g)) {
    if (o.name != "dfs") continue;
    // Each chain is contiguous.
    std::string ids;
    for (int v : o.order) ids += g.id(v)[0];
    EXPECT_TRUE(ids == "aaabbb" || ids == "bbbaaa") << ids;
  }
}

TEST(OrderByKeys, ReproducesAnOrderFromItsPositions) {
  Graph g = testing::MakeGraph(testing::RandomDag(50, 0.1, 5, 3));
  for (const NamedOrder& o : SeedOrders(g)) {
    std::vector<double> keys(g.num_nodes());
    for (int i = 0; i < g.num_nodes(); ++i) keys[o.order[i]] = i;
    EXPECT_EQ(OrderByKeys(g, keys), o.order) << o.name;
  }
  // Any keys give a topological order.
  std::vector<double> keys(g.num_nodes());
  for (int v = 0; v < g.num_nodes(); ++v) keys[v] = (v * 7919) % 101;
  EXPECT_TRUE(IsTopologicalOrder(g, OrderByKeys(g, keys)));
}

TEST(IsTopologicalOrder, RejectsBadOrders) {
  Graph g = testing::MakeGraph(testing::DesignExample());
  std::vector<int> order = g.topological_order();
  EXPECT_TRUE(IsTopologicalOrder(g, order));
  std::reverse(order.begin(), order.end());
  EXPECT_FALSE(IsTopologicalOrder(g, order));
  EXPECT_FALSE(IsTopologicalOrder(g, {0, 1, 2}));
  EXPECT_FALSE(IsTopologicalOrder(g, {0, 0, 1, 2}));
}

// DESIGN section 1: the stages of any partition are intervals of some
// topological order, so the best SliceDP over all orders is the optimum.
TEST(SliceDpOverAllOrders, EqualsBruteForceOptimum) {
  int checked = 0;
  for (int trial = 0; trial < 240; ++trial) {
    const int n = 2 + trial % 6;  // <= 7
    const int k = 1 + trial % 4;
    const double comm = trial % 3 == 0 ? 0 : (trial % 3 == 1 ? 4 : 25);
    const int64_t memory_limit = trial % 7 == 0 ? 160 : 0;
    Graph g = testing::MakeGraph(
        testing::RandomDag(n, trial % 2 ? 0.3 : 0.6, comm, 9000 + trial));
    SliceDp dp(g);
    double best = std::numeric_limits<double>::infinity();
    ForEachTopologicalOrder(g, [&](const std::vector<int>& order) {
      auto s = dp.Solve(order, k, std::numeric_limits<double>::infinity(),
                        memory_limit);
      if (s.has_value()) best = std::min(best, s->bottleneck);
    });
    const std::optional<double> opt =
        testing::BruteForceOptimum(g, k, memory_limit);
    if (!opt.has_value()) {
      EXPECT_EQ(best, std::numeric_limits<double>::infinity()) << trial;
      continue;
    }
    EXPECT_NEAR(best, *opt, 1e-9) << "trial " << trial;
    ++checked;
  }
  EXPECT_GT(checked, 200);
}

}  // namespace
}  // namespace pipecut
