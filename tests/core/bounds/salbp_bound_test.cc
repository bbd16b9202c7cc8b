#include "core/bounds/salbp_bound.h"

#include <algorithm>
#include <cmath>

#include "core/bounds/combinatorial_bound.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

TEST(SalbpBound, BinPackingSeesThatTwoHeavyNodesShareAStage) {
  // Three nodes of work 5 on two stages: one stage holds two of them.
  const Graph graph =
      testing::MakeGraph(testing::IndependentNodes({5, 5, 5, 1}));
  EXPECT_DOUBLE_EQ(CombinatorialLowerBound(graph, 2), 8);
  EXPECT_DOUBLE_EQ(BinPackingLowerBound(graph, 2), 10);
}

TEST(SalbpBound, RoundsUpOnIntegralData) {
  // W/k = 26/3 = 8.67 beats pigeonhole (4 + 4); rounded up that is 9, and
  // destructive improvement shows 9 impossible (7, 6 and 5 + 4 + 4 need
  // separate stages), so 10 = OPT ({7}, {6, 4}, {5, 4}).
  const Graph integral =
      testing::MakeGraph(testing::IndependentNodes({7, 6, 5, 4, 4}));
  EXPECT_DOUBLE_EQ(SalbpLowerBound(integral, 3), 10);
  // Fractional costs: no rounding.
  const Graph fractional =
      testing::MakeGraph(testing::IndependentNodes({7, 6, 5, 4, 4.2}));
  EXPECT_DOUBLE_EQ(SalbpLowerBound(fractional, 3),
                   std::max({CombinatorialLowerBound(fractional, 3),
                             BinPackingLowerBound(fractional, 3),
                             HeadTailLowerBound(fractional, 3)}));
}

TEST(SalbpBound, HeadTailSeesAChain) {
  // Chain 1 -> 4 -> 1 on 2 stages: W/k = 3 but the middle node sits with one
  // neighbour, so OPT = 5.
  v1::Graph proto = testing::IndependentNodes({1, 4, 1});
  for (int i = 0; i + 1 < 3; ++i) {
    auto* e = proto.add_edges();
    e->set_src("n" + std::to_string(i));
    e->set_dst("n" + std::to_string(i + 1));
  }
  const Graph graph = testing::MakeGraph(proto);
  const double bound = HeadTailLowerBound(graph, 2);
  EXPECT_GT(bound, 4.99);
  EXPECT_LE(bound, 5);
}

TEST(SalbpBound, NeighbourhoodSeesCommunication) {
  // Design example: d reads b and c (c = 2, 3, work 1 each) -> 1 + 1 + 1;
  // a (c = 5) has two readers of work 1 each -> 1 + min(5, 2) = 3.
  const Graph graph = testing::MakeGraph(testing::DesignExample());
  EXPECT_DOUBLE_EQ(NeighbourhoodLowerBound(graph), 3);
}

TEST(SalbpBound, DestructiveImprovementBeatsPigeonhole) {
  // Works 6, 6, 6, 4, 4, 4 on 3 stages: W/k = 10 and pigeonhole gives 10,
  // but at T = 10 the Martello-Toth weights sum to 3 x 1/2 + 3 x 1/2 = 3, and
  // at T = 11 ... the bound must stay <= OPT = 10 (6 + 4 per stage).
  const Graph graph =
      testing::MakeGraph(testing::IndependentNodes({6, 6, 6, 4, 4, 4}));
  EXPECT_DOUBLE_EQ(DestructiveLowerBound(graph, 3), 10);
  // Works 7, 7, 7, 7 on 3 stages: two sevens share a stage, OPT = 14.
  const Graph sevens =
      testing::MakeGraph(testing::IndependentNodes({7, 7, 7, 7}));
  EXPECT_DOUBLE_EQ(DestructiveLowerBound(sevens, 3), 14);
}

TEST(SalbpBound, NeverAboveBruteForce) {
  int improved = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const int n = 4 + static_cast<int>(seed % 5);  // 4..8
    const int k = 2 + static_cast<int>(seed % 3);
    const double density = 0.1 + 0.1 * static_cast<double>(seed % 7);
    const double comm = seed % 2 == 0 ? 1 : 20;
    const Graph graph =
        testing::MakeGraph(testing::RandomDag(n, density, comm, seed));
    const double opt = *testing::BruteForceOptimum(graph, k);
    const double packing = BinPackingLowerBound(graph, k);
    const double head_tail = HeadTailLowerBound(graph, k);
    EXPECT_LE(SalbpLowerBound(graph, k), opt + 1e-6) << "seed " << seed;
    EXPECT_LE(NeighbourhoodLowerBound(graph), opt + 1e-6) << "seed " << seed;
    EXPECT_LE(DestructiveLowerBound(graph, k), opt + 1e-6) << "seed " << seed;
    // The same on integral works (rounded), which takes the integer path.
    v1::Graph rounded = testing::RandomDag(n, density, comm, seed);
    for (auto& node : *rounded.mutable_nodes()) {
      node.set_work(std::round(node.work()));
      node.set_comm(std::round(node.comm()));
    }
    const Graph integral = testing::MakeGraph(rounded);
    const double integral_opt = *testing::BruteForceOptimum(integral, k);
    EXPECT_LE(DestructiveLowerBound(integral, k), integral_opt + 1e-9)
        << "seed " << seed;
    EXPECT_LE(SalbpLowerBound(integral, k), integral_opt + 1e-9)
        << "seed " << seed;
    EXPECT_LE(packing, opt + 1e-6) << "seed " << seed;
    EXPECT_LE(head_tail, opt + 1e-6) << "seed " << seed;
    if (std::max(packing, head_tail) >
        CombinatorialLowerBound(graph, k) + 1e-9) {
      ++improved;
    }
  }
  EXPECT_GT(improved, 0);  // the bounds do something beyond LB0
}

}  // namespace
}  // namespace pipecut
