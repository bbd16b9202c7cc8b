#include "core/bounds/cluster_stage.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "absl/time/time.h"
#include "core/cost/partition_cost.h"
#include "core/solve/solution_board.h"
#include "core/solve/solve_context.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

using Status = ClusterStage::StageSearch::Status;

// The nodes on a path between two nodes of `seed` (seed included).
std::vector<char> Hull(const std::vector<int>& seed,
                       const std::vector<std::vector<char>>& reach) {
  const int n = static_cast<int>(reach.size());
  std::vector<char> hull(n, 0);
  for (int v = 0; v < n; ++v) {
    for (int x : seed) {
      for (int y : seed) {
        if (v == x || v == y || (reach[x][v] && reach[v][y])) hull[v] = 1;
      }
    }
  }
  return hull;
}

// min f(S) over convex S holding `seed`, avoiding `excluded`, within the
// memory limit, by enumerating every subset; infinity if there is none.
double BruteForceCheapestStage(const Graph& graph, const std::vector<int>& seed,
                               const std::vector<char>& excluded,
                               int64_t memory_limit) {
  return testing::BruteForceCheapestConvexSet(
      graph, memory_limit,
      [&](const std::vector<char>& in_set, const StageCost&) {
        for (int v = 0; v < graph.num_nodes(); ++v) {
          if (in_set[v] && excluded[v]) return false;
        }
        for (int v : seed) {
          if (!in_set[v]) return false;
        }
        return true;
      });
}

struct Case {
  double density;
  double comm_scale;
  int64_t memory_limit;
};

class SearchStageMatchesBruteForce : public ::testing::TestWithParam<Case> {};

// Seeds are one node, or the hull of a node and one of its descendants
// (connected), or of two nodes picked at random (maybe unrelated: the stage
// may then be two pieces); some other nodes are excluded. Just below the
// brute-force minimum nothing is found; just above, a valid stage of that cost
// is.
TEST_P(SearchStageMatchesBruteForce, OnRandomDags) {
  const Case c = GetParam();
  for (uint64_t seed = 0; seed < 150; ++seed) {
    const int n = 3 + static_cast<int>(seed % 10);  // 3..12
    const Graph graph = testing::MakeGraph(
        testing::RandomDag(n, c.density, c.comm_scale, seed));
    const auto reach = testing::Reachability(graph);
    std::mt19937_64 rng(seed);
    const int x = static_cast<int>(rng() % n);
    std::vector<int> seed_nodes = {x};
    if (seed % 3 == 2) {
      seed_nodes.push_back(static_cast<int>(rng() % n));  // maybe unrelated
    } else {
      for (int y = 0; y < n; ++y) {
        if (reach[x][y] && rng() % 3 == 0) {
          seed_nodes.push_back(y);
          break;
        }
      }
    }
    const std::vector<char> hull = Hull(seed_nodes, reach);
    std::vector<int> cluster;
    std::vector<char> excluded(n, 0);
    for (int v = 0; v < n; ++v) {
      if (hull[v]) {
        cluster.push_back(v);
      } else if (rng() % 5 == 0) {
        excluded[v] = 1;
      }
    }
    const ClusterStage bound(graph, c.memory_limit);
    const double best =
        BruteForceCheapestStage(graph, cluster, excluded, c.memory_limit);
    const auto search = [&](double t) {
      return bound.SearchStage(cluster, excluded, t, {});
    };
    if (!std::isfinite(best)) {
      EXPECT_EQ(search(1e18).status, Status::kNone) << "seed " << seed;
      continue;
    }
    EXPECT_EQ(search(best * (1 - 1e-9)).status, Status::kNone)
        << "seed " << seed;
    const ClusterStage::StageSearch found = search(best * (1 + 1e-9) + 1e-12);
    ASSERT_EQ(found.status, Status::kFound) << "seed " << seed;
    std::vector<char> in_set(n, 0);
    for (int v : found.nodes) {
      in_set[v] = 1;
      EXPECT_FALSE(excluded[v]) << "seed " << seed;
    }
    for (int v : cluster) EXPECT_TRUE(in_set[v]) << "seed " << seed;
    EXPECT_TRUE(testing::IsConvex(in_set, reach)) << "seed " << seed;
    const StageCost cost = EvaluateNodeSet(graph, in_set);
    EXPECT_NEAR(cost.cost(), found.cost, 1e-9) << "seed " << seed;
    EXPECT_LE(cost.cost(), best * (1 + 1e-9) + 1e-12) << "seed " << seed;
    if (c.memory_limit > 0) {
      EXPECT_LE(cost.memory, c.memory_limit);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, SearchStageMatchesBruteForce,
                         ::testing::Values(Case{0.3, 1, 0}, Case{0.5, 3, 0},
                                           Case{0.2, 10, 0},
                                           Case{0.4, 2, 250}));

TEST(ClusterStage, ClustersTieTensorsAndCloseHulls) {
  // a -> b -> c, a -> c; c(a) = 100 ties a with b and c; nothing ties d.
  const Graph graph = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "a" work: 1 comm: 100 }
    nodes { id: "b" work: 1 comm: 1 }
    nodes { id: "c" work: 1 comm: 1 }
    nodes { id: "d" work: 1 comm: 1 }
    edges { src: "a" dst: "b" }
    edges { src: "b" dst: "c" }
    edges { src: "a" dst: "c" }
    edges { src: "c" dst: "d" }
  )pb"));
  const ClusterStage bound(graph, 0);
  const auto clusters = bound.Clusters(50);
  ASSERT_EQ(clusters.size(), 2u);
  EXPECT_EQ(clusters[0], (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(clusters[1], (std::vector<int>{3}));
  // At t = 3.5 the stage holding a, b, c costs 3 + c(c) = 4: refuted.
  EXPECT_EQ(bound.Probe(3.5, 1000, absl::InfiniteFuture()),
            ClusterStage::Outcome::kRefuted);
  EXPECT_EQ(bound.Probe(4.5, 1000, absl::InfiniteFuture()),
            ClusterStage::Outcome::kNotRefuted);
}

struct BoundCase {
  double density;
  double comm_scale;
  int k;
};

class ClusterStageBound : public ::testing::TestWithParam<BoundCase> {};

// Every refuted guess is at most the brute-force optimum; and the bound is
// not idle: on comm-heavy graphs it refutes guesses close to OPT.
TEST_P(ClusterStageBound, NeverPassesTheOptimum) {
  const BoundCase c = GetParam();
  int tight = 0;
  for (uint64_t seed = 0; seed < 120; ++seed) {
    const int n = 3 + static_cast<int>(seed % 6);  // 3..8
    const Graph graph = testing::MakeGraph(
        testing::RandomDag(n, c.density, c.comm_scale, 1000 + seed));
    const double opt = *testing::BruteForceOptimum(graph, c.k);
    const ClusterStage bound(graph, 0);
    for (double factor : {0.5, 0.8, 0.95, 0.999, 1.0 + 1e-6, 1.05, 1.5}) {
      const double t = opt * factor;
      const auto outcome = bound.Probe(t, 1'000'000, absl::InfiniteFuture());
      ASSERT_NE(outcome, ClusterStage::Outcome::kGaveUp) << "seed " << seed;
      if (outcome == ClusterStage::Outcome::kRefuted) {
        EXPECT_LE(t, opt * (1 + 1e-9)) << "seed " << seed << " t " << t;
        if (factor == 0.999) ++tight;
      }
    }
  }
  if (c.comm_scale >= 10) {
    EXPECT_GT(tight, 10);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ClusterStageBound,
                         ::testing::Values(BoundCase{0.3, 1, 2},
                                           BoundCase{0.4, 10, 3},
                                           BoundCase{0.5, 30, 2},
                                           BoundCase{0.3, 30, 4}));

TEST(ClusterStageWorker, RaisesTheBoardsBoundToTheOptimumWhenTied) {
  // A language-model head in miniature: the logits tensor of h costs far
  // more than any stage, so h, its reader and the hull between share a
  // stage, which must also read x's tensor (5) or hold x.
  const Graph graph = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "x" work: 4 comm: 5 }
    nodes { id: "h" work: 10 comm: 1000 }
    nodes { id: "g" work: 10 comm: 1 }
    nodes { id: "y" work: 1 comm: 1 }
    edges { src: "x" dst: "h" }
    edges { src: "h" dst: "g" }
    edges { src: "x" dst: "g" }
    edges { src: "g" dst: "y" }
  )pb"));
  const int k = 4;
  const double opt = *testing::BruteForceOptimum(graph, k);
  SolveContext ctx(absl::Seconds(10), absl::InfiniteFuture());
  SolutionBoard::Params params;
  params.k = k;
  SolutionBoard board(graph, params, &ctx);
  ClusterStageWorker worker(graph, 0);
  for (int step = 0; step < 60 && worker.Step(ctx, board); ++step) {
  }
  EXPECT_LE(board.lower_bound(), opt);
  EXPECT_GE(board.lower_bound(), opt * (1 - 1e-6));
}

}  // namespace
}  // namespace pipecut
