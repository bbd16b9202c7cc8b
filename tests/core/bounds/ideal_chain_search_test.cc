#include "core/bounds/ideal_chain_search.h"

#include "absl/container/flat_hash_set.h"
#include "core/cost/partition_cost.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

using Status = IdealChainResult::Status;

IdealChainResult Search(const Graph& graph, int k, double threshold,
                        int64_t memory_limit = 0) {
  IdealChainParams params;
  params.k = k;
  params.threshold = threshold;
  params.memory_limit = memory_limit;
  return SearchIdealChain(graph, params);
}

TEST(IdealChainSearch, DesignExample) {
  // k = 2: OPT = 4 (one stage holds everything); k = 1 as well.
  const Graph graph = testing::MakeGraph(testing::DesignExample());
  EXPECT_EQ(Search(graph, 2, 4).status, Status::kNone);
  const IdealChainResult found = Search(graph, 2, 4.5);
  ASSERT_EQ(found.status, Status::kFound);
  auto cost = EvaluatePartition(graph, found.stage_of, 2);
  ASSERT_TRUE(cost.ok());
  EXPECT_DOUBLE_EQ(cost->bottleneck, 4);
}

TEST(IdealChainSearch, GivesUpAtTheStateLimit) {
  const Graph graph = testing::MakeGraph(testing::RandomDag(12, 0, 1, 7));
  IdealChainParams params;
  params.k = 3;
  params.threshold = 1e9;
  params.max_states = 10;
  EXPECT_EQ(SearchIdealChain(graph, params).status, Status::kGaveUp);
}

struct Case {
  double density;
  double comm_scale;
  int k;
  int64_t memory_limit;
  bool weightless_sources = false;  // as the weights of training graphs
};

v1::Graph CaseGraph(const Case& c, int n, uint64_t seed) {
  v1::Graph proto = testing::RandomDag(n, c.density, c.comm_scale, seed);
  if (c.weightless_sources) {
    absl::flat_hash_set<std::string> has_pred;
    for (const auto& e : proto.edges()) has_pred.insert(e.dst());
    for (auto& node : *proto.mutable_nodes()) {
      if (!has_pred.contains(node.id())) node.set_work(0);
    }
  }
  return proto;
}

class IdealChainSearchMatchesBruteForce
    : public ::testing::TestWithParam<Case> {};

// Just below OPT nothing is found; just above, a partition is, and it costs
// at most the threshold. A search that cut a branch too early (say on
// w + in + out, which is not monotone) fails the second half.
TEST_P(IdealChainSearchMatchesBruteForce, OnRandomDags) {
  const Case c = GetParam();
  int found = 0;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    const int n = 3 + static_cast<int>(seed % 6);  // 3..8
    const Graph graph = testing::MakeGraph(CaseGraph(c, n, seed));
    const auto opt = testing::BruteForceOptimum(graph, c.k, c.memory_limit);
    if (!opt.has_value()) {
      EXPECT_EQ(Search(graph, c.k, 1e18, c.memory_limit).status, Status::kNone)
          << "seed " << seed;
      continue;
    }
    EXPECT_EQ(Search(graph, c.k, *opt * (1 - 1e-9), c.memory_limit).status,
              Status::kNone)
        << "seed " << seed << " opt " << *opt;
    const double above = *opt * (1 + 1e-9) + 1e-12;
    const IdealChainResult result = Search(graph, c.k, above, c.memory_limit);
    ASSERT_EQ(result.status, Status::kFound) << "seed " << seed;
    auto cost = EvaluatePartition(graph, result.stage_of, c.k);
    ASSERT_TRUE(cost.ok()) << cost.status();
    EXPECT_LE(cost->bottleneck, above) << "seed " << seed;
    if (c.memory_limit > 0) {
      EXPECT_EQ(FirstMemoryViolation(*cost, c.memory_limit), -1);
    }
    ++found;
  }
  EXPECT_GT(found, 20);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IdealChainSearchMatchesBruteForce,
    ::testing::Values(Case{0.3, 1, 2, 0}, Case{0.3, 1, 3, 0},
                      Case{0.5, 20, 2, 0}, Case{0.5, 20, 3, 0},
                      Case{0.2, 20, 4, 0}, Case{0.8, 5, 3, 0},
                      Case{0.4, 10, 3, 150}, Case{0.4, 1, 2, 200},
                      Case{0.3, 20, 3, 0, true}, Case{0.5, 5, 2, 0, true},
                      Case{0.3, 10, 3, 150, true}));

}  // namespace
}  // namespace pipecut
