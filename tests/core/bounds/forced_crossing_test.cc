#include "core/bounds/forced_crossing.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/bounds/combinatorial_bound.h"
#include "core/solve/solution_board.h"
#include "core/solve/solve_context.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

// h(u) (or h(u, s) when `only` >= 0) by its definition: the work of the
// nodes on a path from u to one of its consumers (to `only`), found by plain
// reachability (no bitsets).
double HullWorkByReachability(const Graph& g, int u, int only = -1) {
  const int n = g.num_nodes();
  if (g.successors(u).empty() || g.comm(u) == 0) return 0;
  std::vector<char> from_u(n, 0), to_consumer(n, 0);
  std::vector<int> stack = {u};
  from_u[u] = 1;
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    for (int s : g.successors(v)) {
      if (!from_u[s]) stack.push_back(s), from_u[s] = 1;
    }
  }
  for (int s : g.successors(u)) {
    if (only < 0 || s == only) stack.push_back(s), to_consumer[s] = 1;
  }
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    for (int p : g.predecessors(v)) {
      if (!to_consumer[p]) stack.push_back(p), to_consumer[p] = 1;
    }
  }
  double sum = 0;
  for (int v = 0; v < n; ++v) {
    if (from_u[v] && to_consumer[v]) sum += g.work(v);
  }
  return sum;
}

// A training-like graph: forward f0 -> f1 -> f2 -> loss -> b2 -> b1 -> b0,
// each forward activation f_i also read by its backward b_i.
v1::Graph TrainingLike(double work, double comm) {
  v1::Graph proto;
  const std::vector<std::string> ids = {"f0", "f1", "f2", "loss",
                                        "b2", "b1", "b0"};
  for (const std::string& id : ids) {
    auto* node = proto.add_nodes();
    node->set_id(id);
    node->set_work(work);
    node->set_comm(comm);
  }
  auto edge = [&](const std::string& a, const std::string& b) {
    auto* e = proto.add_edges();
    e->set_src(a);
    e->set_dst(b);
  };
  for (size_t i = 0; i + 1 < ids.size(); ++i) edge(ids[i], ids[i + 1]);
  edge("f0", "b0");
  edge("f1", "b1");
  edge("f2", "b2");
  return proto;
}

TEST(ForcedCrossing, HullWorkMatchesReachability) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const Graph g = testing::MakeGraph(
        testing::RandomDag(20 + static_cast<int>(seed % 30), 0.15, 5, seed));
    const ForcedCrossing fc(g);
    for (int u = 0; u < g.num_nodes(); ++u) {
      EXPECT_NEAR(fc.hull()[u], HullWorkByReachability(g, u), 1e-9)
          << "seed " << seed << " node " << u;
      if (fc.hull()[u] == 0) continue;
      double far = 0;
      for (int s : g.successors(u)) {
        far = std::max(far, HullWorkByReachability(g, u, s));
      }
      EXPECT_NEAR(fc.far_hull()[u], far, 1e-9) << "seed " << seed;
      EXPECT_NEAR(fc.far_hull()[u], HullWorkByReachability(g, u, fc.far()[u]),
                  1e-9);
    }
  }
}

TEST(ForcedCrossing, TrainingLikeGraphBeatsTheOtherCheapBounds) {
  // w = 1, c = 2, k = 3, W = 7. h(f0) = 7 (the whole graph), h(f1) = 5,
  // h(f2) = 3, h(loss) = 2, ... For T in [3, 5): f0 and f1 are forced, so
  // 3 T >= 7 + 2 (2 + 2) = 15: T >= 5, not in the interval; for T in [5, 7):
  // only f0, 3 T >= 11, T >= 11/3 < 5, so T0 = 5. OPT by brute force is
  // higher still; W/k = 7/3.
  const Graph g = testing::MakeGraph(TrainingLike(1, 2));
  const int k = 3;
  EXPECT_DOUBLE_EQ(ForcedCrossing(g).SumBound(k), 5);
  const double bound = ForcedCrossingLowerBound(g, k);
  EXPECT_GE(bound, 5);
  EXPECT_LE(bound, *testing::BruteForceOptimum(g, k));
  EXPECT_GT(bound, 2 * CombinatorialLowerBound(g, k));
}

TEST(ForcedCrossing, NeverAboveBruteForce) {
  int above_lb0 = 0, paths_add = 0, stage_forced = 0, extra_reads = 0,
      pairs = 0;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    const int n = 3 + static_cast<int>(seed % 6);  // 3..8
    const int k = 1 + static_cast<int>(seed % 4);  // 1..4
    const double density = 0.2 + 0.1 * static_cast<double>(seed % 6);
    const double comm = seed % 2 == 0 ? 2 : 20;
    v1::Graph proto = testing::RandomDag(n, density, comm, 500 + seed);
    if (seed % 5 == 4) {  // integral data
      for (auto& node : *proto.mutable_nodes()) {
        node.set_work(std::round(node.work()));
        node.set_comm(std::round(node.comm()));
      }
    }
    const Graph g = testing::MakeGraph(proto);
    const double opt = *testing::BruteForceOptimum(g, k);
    const double sum = ForcedCrossing(g).SumBound(k);
    const double bound = ForcedCrossingLowerBound(g, k);
    EXPECT_LE(sum, opt * (1 + 1e-12)) << "seed " << seed << " k " << k;
    EXPECT_LE(bound, opt * (1 + 1e-9)) << "seed " << seed << " k " << k;
    EXPECT_GE(bound, sum);
    EXPECT_GE(sum, CombinatorialLowerBound(g, k) * (1 - 1e-12));
    if (sum > CombinatorialLowerBound(g, k) * (1 + 1e-9)) ++above_lb0;
    if (bound > sum * (1 + 1e-6)) ++paths_add;
    // Stage-forced tensors: forced below OPT although their hull is light.
    const ForcedCrossing fc(g);
    const std::vector<char> forced = fc.Forced(opt * 0.999);
    for (int u = 0; u < g.num_nodes(); ++u) {
      if (forced[u] && !(fc.hull()[u] > opt * 0.999)) ++stage_forced;
    }
    for (int extra : fc.ExtraReads(opt * 0.999, forced)) extra_reads += extra;
    std::vector<char> paired;
    if (fc.PairedCrossings(opt * 0.999, forced, paired) > 0) ++pairs;
  }
  EXPECT_GT(above_lb0, 30);     // Bound 1 sees communication
  EXPECT_GT(paths_add, 30);     // Bound 2 adds the cuts along paths
  EXPECT_GT(stage_forced, 30);  // and the stage search forces more tensors
  EXPECT_GT(extra_reads, 10);   // some read by several stages apart
  EXPECT_GT(pairs, 10);         // and some pairs of tensors conflict
}

TEST(ForcedCrossing, TrainingLikeGraphsNeverAboveBruteForce) {
  for (int k = 1; k <= 5; ++k) {
    for (double comm : {0.1, 1.0, 3.0, 10.0}) {
      const Graph g = testing::MakeGraph(TrainingLike(1, comm));
      const double opt = *testing::BruteForceOptimum(g, k);
      EXPECT_LE(ForcedCrossing(g).SumBound(k), opt * (1 + 1e-12))
          << "k " << k << " comm " << comm;
      EXPECT_LE(ForcedCrossingLowerBound(g, k), opt * (1 + 1e-9))
          << "k " << k << " comm " << comm;
    }
  }
}

TEST(ForcedCrossing, ALightHullThatMustHoldAHeavyHeadIsForced) {
  // f0 -> f1 -> h -> g -> b1 -> b0, f1 read by b1, f0 by b0; w = 1 but
  // w(h) = w(g) = 5, and h's tensor costs 100, so h and g share a stage.
  // h(f1) = 12, h(f0) = 14. At T = 13 f1's hull fits a stage by work, but a
  // stage holding it must read f0's tensor (2) from outside (holding f0 too
  // would hold 14 of work) or cost more: f1 is forced, f0 by its hull.
  const Graph g = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "f0" work: 1 comm: 2 }
    nodes { id: "f1" work: 1 comm: 2 }
    nodes { id: "h" work: 5 comm: 100 }
    nodes { id: "g" work: 5 comm: 1 }
    nodes { id: "b1" work: 1 comm: 1 }
    nodes { id: "b0" work: 1 comm: 1 }
    edges { src: "f0" dst: "f1" }
    edges { src: "f1" dst: "h" }
    edges { src: "h" dst: "g" }
    edges { src: "g" dst: "b1" }
    edges { src: "b1" dst: "b0" }
    edges { src: "f1" dst: "b1" }
    edges { src: "f0" dst: "b0" }
  )pb"));
  const ForcedCrossing fc(g);
  EXPECT_DOUBLE_EQ(fc.hull()[1], 12);
  const std::vector<char> forced = fc.Forced(13);
  EXPECT_TRUE(forced[0]);
  EXPECT_TRUE(forced[1]);
  EXPECT_FALSE(forced[2]);  // h's hull is h and g: one stage holds it
  for (int k = 1; k <= 4; ++k) {
    EXPECT_LE(ForcedCrossingLowerBound(g, k),
              *testing::BruteForceOptimum(g, k) * (1 + 1e-9))
        << "k " << k;
  }
}

TEST(ForcedCrossing, LargeGraphsUseAWeakerHull) {
  // Above kForcedCrossingMaxNodes, h(u) falls back to w(u) + the heaviest
  // consumer, which is <= the exact hull: a path with one long edge.
  v1::Graph proto;
  const int n = kForcedCrossingMaxNodes + 10;
  for (int i = 0; i < n; ++i) {
    auto* node = proto.add_nodes();
    node->set_id("n" + std::to_string(i));
    node->set_work(1);
    node->set_comm(1);
  }
  for (int i = 0; i + 1 < n; ++i) {
    auto* e = proto.add_edges();
    e->set_src("n" + std::to_string(i));
    e->set_dst("n" + std::to_string(i + 1));
  }
  auto* e = proto.add_edges();
  e->set_src("n0");
  e->set_dst("n" + std::to_string(n - 1));
  const Graph g = testing::MakeGraph(proto);
  const ForcedCrossing fc(g);
  EXPECT_DOUBLE_EQ(fc.hull()[0], 2);  // the exact hull would be n
  EXPECT_LE(fc.hull()[0], HullWorkByReachability(g, 0));
  EXPECT_DOUBLE_EQ(fc.hull()[n - 1], 0);               // no consumer
  EXPECT_LE(ForcedCrossingLowerBound(g, 2), n + 1.0);  // OPT <= W + 2
}

TEST(ForcedCrossing, WorkerPublishesOnceAndRoundsIntegralData) {
  const Graph g = testing::MakeGraph(TrainingLike(1, 2));
  SolveContext ctx(absl::Seconds(30), absl::InfiniteFuture());
  SolutionBoard::Params params;
  params.k = 3;
  SolutionBoard board(g, params, &ctx);
  ForcedCrossingWorker worker(g, 3);
  EXPECT_TRUE(worker.Step(ctx, board));  // Bound 1
  EXPECT_DOUBLE_EQ(board.Snapshot().lower_bound, 5);
  int steps = 1;
  while (worker.Step(ctx, board)) ++steps;  // Bound 2, one probe a step
  EXPECT_LE(steps, 42);
  const BoardSnapshot s = board.Snapshot();
  // Integral data: the published bound is the next integer.
  EXPECT_DOUBLE_EQ(s.lower_bound,
                   std::ceil(ForcedCrossingLowerBound(g, 3) - 1e-9));
  EXPECT_LE(s.lower_bound, *testing::BruteForceOptimum(g, 3));
  EXPECT_EQ(s.bound_source, "forced_crossing");
}

}  // namespace
}  // namespace pipecut
