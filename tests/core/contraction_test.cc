#include "core/graph/contraction.h"

#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/bounds/ideal_dp.h"
#include "core/cost/partition_cost.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

// A random DAG plus the shapes the contraction targets: weight-like sources
// (one consumer, work <= comm, sometimes not) and zero-work leaves, some with
// memory.
v1::Graph WithAnchoredNodes(int n, double comm_scale, uint64_t seed) {
  v1::Graph proto = testing::RandomDag(n, 0.35, comm_scale, seed);
  std::mt19937_64 rng(seed * 7919 + 1);
  std::uniform_int_distribution<int> pick(0, n - 1);
  std::uniform_int_distribution<int> coin(0, 3);
  const int extra = 1 + static_cast<int>(seed % 3);
  for (int i = 0; i < extra; ++i) {
    const std::string anchor = proto.nodes(pick(rng)).id();
    v1::Node* node = proto.add_nodes();
    v1::Edge* edge = proto.add_edges();
    node->set_id(absl::StrCat("x", i));
    node->set_memory_bytes(coin(rng) == 0 ? 10 : 0);
    if (coin(rng) < 2) {  // source feeding `anchor`
      node->set_comm(1 + coin(rng));
      node->set_work(3 * coin(rng));  // often above its comm: not merged
      edge->set_src(node->id());
      edge->set_dst(anchor);
    } else {  // zero-work leaf reading `anchor`
      node->set_comm(coin(rng));
      node->set_work(coin(rng) == 0 ? 1 : 0);
      edge->set_src(anchor);
      edge->set_dst(node->id());
    }
  }
  return proto;
}

TEST(Contraction, MergesWeightsAndZeroLeavesOnly) {
  // w (weight, work 0 <= comm 3) -> a -> b -> z (zero-work leaf);
  // h (work 5 > comm 1) -> b stays.
  const Graph graph = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "w" work: 0 comm: 3 }
    nodes { id: "a" work: 2 comm: 1 }
    nodes { id: "b" work: 4 comm: 2 }
    nodes { id: "z" work: 0 comm: 0 }
    nodes { id: "h" work: 5 comm: 1 }
    edges { src: "w" dst: "a" }
    edges { src: "a" dst: "b" }
    edges { src: "b" dst: "z" }
    edges { src: "h" dst: "b" }
  )pb"));
  absl::StatusOr<Contraction> c = ContractAnchoredNodes(graph, false);
  ASSERT_TRUE(c.ok()) << c.status();
  // w joins a; then a (work 2 > comm 1) stays; z joins b.
  ASSERT_EQ(c->graph.num_nodes(), 3);
  EXPECT_EQ(c->group_of[0], c->group_of[1]);
  EXPECT_EQ(c->group_of[2], c->group_of[3]);
  EXPECT_NE(c->group_of[4], c->group_of[2]);
  const int a = c->group_of[1];
  EXPECT_EQ(c->graph.id(a), "a");
  EXPECT_DOUBLE_EQ(c->graph.work(a), 2);
  EXPECT_EQ(c->graph.num_edges(), 2);
}

TEST(Contraction, RepeatsToAFixpoint) {
  // s -> t -> u: s (0 <= 1) joins t, then t (now a source, 1 <= 2) joins u.
  const Graph graph = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "s" work: 0 comm: 1 }
    nodes { id: "t" work: 1 comm: 2 }
    nodes { id: "u" work: 3 comm: 0 }
    edges { src: "s" dst: "t" }
    edges { src: "t" dst: "u" }
  )pb"));
  absl::StatusOr<Contraction> c = ContractAnchoredNodes(graph, false);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->graph.num_nodes(), 1);
  EXPECT_DOUBLE_EQ(c->graph.work(0), 4);
  EXPECT_EQ(c->Expand({0}), (std::vector<int>{0, 0, 0}));
}

TEST(Contraction, KeepsAHeavySourceApart) {
  // Merging h (work 10 > comm 1) into a would cost 20 instead of 11 at k = 2.
  const Graph graph = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "h" work: 10 comm: 1 }
    nodes { id: "a" work: 10 comm: 0 }
    edges { src: "h" dst: "a" }
  )pb"));
  EXPECT_EQ(ContractAnchoredNodes(graph, false)->graph.num_nodes(), 2);
  IdealDpParams params;
  params.k = 2;
  EXPECT_DOUBLE_EQ(SolveIdealDp(graph, params).bottleneck, 11);
}

TEST(Contraction, KeepsNodesWithMemoryUnderALimit) {
  const Graph graph = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "w" work: 0 comm: 3 memory_bytes: 8 }
    nodes { id: "a" work: 2 comm: 1 }
    edges { src: "w" dst: "a" }
  )pb"));
  EXPECT_EQ(ContractAnchoredNodes(graph, true)->graph.num_nodes(), 2);
  EXPECT_EQ(ContractAnchoredNodes(graph, false)->graph.num_nodes(), 1);
}

struct Case {
  double comm_scale;
  int k;
  int64_t memory_limit;
};

class ContractionKeepsTheOptimum : public ::testing::TestWithParam<Case> {};

// OPT(contracted) = OPT(original) by brute force, and the ideal DP (which runs
// on the contraction) returns a partition of the original attaining it.
TEST_P(ContractionKeepsTheOptimum, OnRandomDags) {
  const Case c = GetParam();
  int merged = 0;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    const int n = 3 + static_cast<int>(seed % 4);  // 3..6, plus 1..3 extra
    const Graph graph =
        testing::MakeGraph(WithAnchoredNodes(n, c.comm_scale, seed));
    absl::StatusOr<Contraction> contraction =
        ContractAnchoredNodes(graph, c.memory_limit > 0);
    ASSERT_TRUE(contraction.ok()) << contraction.status();
    merged += graph.num_nodes() - contraction->graph.num_nodes();
    const auto opt = testing::BruteForceOptimum(graph, c.k, c.memory_limit);
    const auto reduced_opt =
        testing::BruteForceOptimum(contraction->graph, c.k, c.memory_limit);
    ASSERT_EQ(opt.has_value(), reduced_opt.has_value()) << graph.name();
    if (!opt.has_value()) continue;
    EXPECT_NEAR(*reduced_opt, *opt, 1e-9) << graph.name();

    IdealDpParams params;
    params.k = c.k;
    params.memory_limit = c.memory_limit;
    const IdealDpResult result = SolveIdealDp(graph, params);
    ASSERT_EQ(result.status, IdealDpResult::Status::kSolved) << graph.name();
    EXPECT_NEAR(result.bottleneck, *opt, 1e-9) << graph.name();
    absl::StatusOr<PartitionCost> cost =
        EvaluatePartition(graph, result.stage_of, c.k);
    ASSERT_TRUE(cost.ok()) << cost.status();
    EXPECT_NEAR(cost->bottleneck, *opt, 1e-9) << graph.name();
  }
  EXPECT_GT(merged, 20);  // the rules fire
}

INSTANTIATE_TEST_SUITE_P(CommLightAndHeavy, ContractionKeepsTheOptimum,
                         ::testing::Values(Case{0.3, 2, 0}, Case{3.0, 2, 0},
                                           Case{3.0, 3, 0}, Case{1.0, 3, 150},
                                           Case{5.0, 4, 0}));

}  // namespace
}  // namespace pipecut
