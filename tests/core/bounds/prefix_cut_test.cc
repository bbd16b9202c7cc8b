#include "core/bounds/prefix_cut.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
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

constexpr double kInf = std::numeric_limits<double>::infinity();

// Every ideal of a tiny graph (n <= 12) as a bitmask, by enumeration of all
// subsets: independent of the min-cut code.
std::vector<uint32_t> AllIdeals(const Graph& graph) {
  const int n = graph.num_nodes();
  std::vector<uint32_t> ideals;
  for (uint32_t mask = 0; mask < (uint32_t{1} << n); ++mask) {
    bool closed = true;
    for (int v = 0; v < n && closed; ++v) {
      if (!(mask >> v & 1)) continue;
      for (int u : graph.predecessors(v)) closed = closed && (mask >> u & 1);
    }
    if (closed) ideals.push_back(mask);
  }
  return ideals;
}

double Work(const Graph& graph, uint32_t mask) {
  double w = 0;
  for (int v = 0; v < graph.num_nodes(); ++v) {
    if (mask >> v & 1) w += graph.work(v);
  }
  return w;
}

// c(out(P)) by the definition: nodes of P with a successor outside P.
double OutComm(const Graph& graph, uint32_t mask) {
  double c = 0;
  for (int u = 0; u < graph.num_nodes(); ++u) {
    if (!(mask >> u & 1)) continue;
    for (int s : graph.successors(u)) {
      if (!(mask >> s & 1)) {
        c += graph.comm(u);
        break;
      }
    }
  }
  return c;
}

// max over b of min over ideals P of max(A(P)/b, B(P)/(k-b)): the exact
// value of the prefix-cut argument (Claim 1), which the polynomial bound
// relaxes.
double ExactPrefixBound(const Graph& graph, int k) {
  const double total = graph.total_work();
  if (k == 1) return total;
  double best = 0;
  const std::vector<uint32_t> ideals = AllIdeals(graph);
  for (int b = 1; b < k; ++b) {
    double lb = kInf;
    for (uint32_t p : ideals) {
      const double w = Work(graph, p), c = OutComm(graph, p);
      lb = std::min(lb, std::max((w + c) / b, (total - w + c) / (k - b)));
    }
    best = std::max(best, lb);
  }
  return best;
}

// Claim 3 by enumeration: max(min over ideals P holding a node that is not a
// zero-work source of A(P), min over ideals Q != V of B(Q)).
double ExactEndStageBound(const Graph& graph) {
  const double total = graph.total_work();
  const uint32_t all = (uint32_t{1} << graph.num_nodes()) - 1;
  uint32_t zero_sources = 0;
  for (int v = 0; v < graph.num_nodes(); ++v) {
    if (graph.predecessors(v).empty() && graph.work(v) == 0) {
      zero_sources |= uint32_t{1} << v;
    }
  }
  double first = kInf, last = kInf;
  for (uint32_t p : AllIdeals(graph)) {
    const double w = Work(graph, p), c = OutComm(graph, p);
    if ((p & ~zero_sources) != 0) first = std::min(first, w + c);
    if (p != all) last = std::min(last, total - w + c);
  }
  return std::max(first == kInf ? 0 : first, last);
}

v1::Graph Chain(int n, double work, double comm) {
  v1::Graph proto;
  for (int i = 0; i < n; ++i) {
    auto* node = proto.add_nodes();
    node->set_id("n" + std::to_string(i));
    node->set_work(work);
    node->set_comm(comm);
  }
  for (int i = 0; i + 1 < n; ++i) {
    auto* e = proto.add_edges();
    e->set_src("n" + std::to_string(i));
    e->set_dst("n" + std::to_string(i + 1));
  }
  return proto;
}

TEST(PrefixCut, OneStageIsTheWholeGraph) {
  const Graph graph = testing::MakeGraph(testing::RandomDag(6, 0.4, 20, 7));
  const PrefixCutResult r = PrefixCutLowerBound(graph, 1);
  EXPECT_DOUBLE_EQ(r.bound, graph.total_work());
  EXPECT_DOUBLE_EQ(r.bound, *testing::BruteForceOptimum(graph, 1));
  EXPECT_TRUE(r.complete);
}

TEST(PrefixCut, ChainWithCommIsProvenOptimal) {
  // Chain of 4 nodes, w = 1, c = 3, k = 2. W/k = 2 (LB0). Any split of the
  // chain into two non-empty stages pays 3 on both sides: 2 + 3 = 5 at
  // best, so OPT = 4 (one stage). Prefix cut, b = 1: P = {} gives
  // max(0, 4) = 4, P = V gives max(4, 0) = 4, and every proper prefix of j
  // nodes gives max(j + 3, 4 - j + 3) >= 5, so LB_1 = 4 = OPT.
  const Graph graph = testing::MakeGraph(Chain(4, 1, 3));
  EXPECT_DOUBLE_EQ(CombinatorialLowerBound(graph, 2), 2);
  const PrefixCutResult r = PrefixCutLowerBound(graph, 2);
  EXPECT_DOUBLE_EQ(r.bound, 4);  // integral data: rounded up exactly
  EXPECT_EQ(r.best_b, 0);  // Claim 3 (first stage >= 1 + 3) proves it first
  EXPECT_DOUBLE_EQ(ExactPrefixBound(graph, 2), 4);  // and so does b = 1
  EXPECT_DOUBLE_EQ(*testing::BruteForceOptimum(graph, 2), 4);
}

TEST(PrefixCut, FractionalChainCrossing) {
  // Chain of 6 nodes, w = 1, c = 0.5, k = 3; W/k = 2. b = 1: a prefix of j
  // nodes (0 < j < 6) gives max(j + 0.5, (6 - j + 0.5) / 2), least 2.5 at
  // j = 2; P = {} gives 3 and P = V gives 6: LB_1 = 2.5. b = 2 likewise
  // (j = 4): 2.5. So Claims 1-3 stop at 2.5; Claim 4 sees that a middle
  // stage pays both its cuts: near t = 2.5 the windows are P_1 = 2 nodes and
  // P_2 = 4 nodes, separated, and 3 t >= 6 + 2 (0.5 + 0.5) gives t >= 8/3;
  // the bisection then closes in on OPT = 3 ({2 | 2 | 2}).
  const Graph graph = testing::MakeGraph(Chain(6, 1, 0.5));
  const PrefixCutResult r = PrefixCutLowerBound(graph, 3);
  EXPECT_DOUBLE_EQ(ExactPrefixBound(graph, 3), 2.5);
  EXPECT_DOUBLE_EQ(*testing::BruteForceOptimum(graph, 3), 3);
  EXPECT_LE(r.bound, 3);
  EXPECT_GT(r.bound, 2.5);
  EXPECT_EQ(r.best_b, kChainSplit);
}

TEST(PrefixCut, DesignExample) {
  // a -> b, a -> c, b -> d, c -> d; W = 4; OPT(k = 2) = 4 (one stage).
  // (A, B) of the proper ideals: {a} (1 + 5, 3 + 5), {a, b} (2 + 7, 2 + 7),
  // {a, c} (2 + 8, 2 + 8), {a, b, c} (3 + 5, 1 + 5): all have max >= 8,
  // while {} and V give 4. So LB_1 = 4 = OPT, twice LB0 = W/k = 2.
  const Graph graph = testing::MakeGraph(testing::DesignExample());
  EXPECT_DOUBLE_EQ(PrefixCutLowerBound(graph, 2).bound, 4);
  EXPECT_DOUBLE_EQ(*testing::BruteForceOptimum(graph, 2), 4);
}

TEST(PrefixCut, MinCutMatchesEnumerationOfIdeals) {
  std::mt19937_64 rng(99);
  int checked = 0, empty_windows = 0;
  for (uint64_t seed = 0; seed < 150; ++seed) {
    const int n = 2 + static_cast<int>(seed % 9);  // 2..10
    const double density = 0.15 + 0.1 * static_cast<double>(seed % 6);
    const double comm = seed % 3 == 0 ? 1 : 20;
    const Graph graph =
        testing::MakeGraph(testing::RandomDag(n, density, comm, 500 + seed));
    const std::vector<uint32_t> ideals = AllIdeals(graph);
    OutCommCut cut(graph);
    for (int trial = 0; trial < 6; ++trial) {
      std::vector<char> must_in(n, 0), must_out(n, 0);
      for (int v = 0; v < n; ++v) {
        const int r = static_cast<int>(rng() % 6);
        must_in[v] = r == 0;
        must_out[v] = r == 1;
      }
      const double in_weight = trial % 3 == 1 ? 0.7 : 0;
      const double out_weight = trial % 3 == 2 ? 1.3 : 0;
      double expected = kInf;
      for (uint32_t p : ideals) {
        bool ok = true;
        for (int v = 0; v < n; ++v) {
          if (must_in[v] && !(p >> v & 1)) ok = false;
          if (must_out[v] && (p >> v & 1)) ok = false;
        }
        if (!ok) continue;
        const double w = Work(graph, p);
        expected =
            std::min(expected, OutComm(graph, p) + in_weight * w +
                                   out_weight * (graph.total_work() - w));
      }
      const double got = cut.Solve(must_in, must_out, in_weight, out_weight);
      if (std::isinf(expected)) {
        EXPECT_TRUE(std::isinf(got)) << "seed " << seed << " trial " << trial;
        ++empty_windows;
      } else {
        EXPECT_NEAR(got, expected, 1e-9 * (1 + expected))
            << "seed " << seed << " trial " << trial;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 900);
  EXPECT_GT(empty_windows, 0);
  EXPECT_LT(empty_windows, checked / 2);
}

TEST(PrefixCut, NeverAboveBruteForce) {
  int graphs = 0, above_lb0 = 0, reaches_exact = 0, ends_stronger = 0;
  int chains_stronger = 0;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    const int n = 3 + static_cast<int>(seed % 6);  // 3..8
    const int k = 1 + static_cast<int>(seed % 4);  // 1..4
    const double density = 0.1 + 0.1 * static_cast<double>(seed % 7);
    const double comm = seed % 2 == 0 ? 1 : 30;  // light, heavy
    v1::Graph proto = testing::RandomDag(n, density, comm, 2000 + seed);
    const bool integral = seed % 5 == 4;
    if (integral) {  // integral data takes the rounding path
      for (auto& node : *proto.mutable_nodes()) {
        node.set_work(std::round(node.work()));
        node.set_comm(std::round(node.comm()));
      }
    }
    if (seed % 3 == 1) {  // weight-like sources: work 0 (Claim 3's seeds)
      const Graph shape = testing::MakeGraph(proto);
      for (int v = 0; v < shape.num_nodes(); ++v) {
        if (shape.predecessors(v).empty()) {
          proto.mutable_nodes(v)->set_work(0);
        }
      }
    }
    const Graph graph = testing::MakeGraph(proto);
    const double opt = *testing::BruteForceOptimum(graph, k);
    const PrefixCutResult r = PrefixCutLowerBound(graph, k);
    ASSERT_TRUE(r.complete);
    EXPECT_LE(r.bound, opt + 1e-9 * opt) << "seed " << seed << " k " << k;
    double exact = ExactPrefixBound(graph, k);
    if (k >= 2) {
      const double ends = ExactEndStageBound(graph);
      if (ends > exact * (1 + 1e-9)) ++ends_stronger;
      exact = std::max(exact, ends);
    }
    // With integral data OPT is an integer, so the bound may round up.
    if (integral) exact = std::ceil(exact - 1e-9);
    // Claims 1-3 relax exact arguments, which they never beat; only Claim 4
    // (chains of splits) goes further.
    if (r.best_b == kChainSplit) {
      if (r.bound > exact * (1 + 1e-9)) ++chains_stronger;
    } else {
      EXPECT_LE(r.bound, exact + 1e-9 * exact) << "seed " << seed;
    }
    EXPECT_GE(r.bound, graph.total_work() / k * (1 - 1e-8)) << "seed " << seed;
    if (r.bound > CombinatorialLowerBound(graph, k) + 1e-6) ++above_lb0;
    if (r.bound >= exact - 1e-5 * exact) ++reaches_exact;
    ++graphs;
  }
  EXPECT_EQ(graphs, 400);
  EXPECT_GT(above_lb0, 40);  // it sees communication
  EXPECT_GT(reaches_exact, 200);
  EXPECT_GT(ends_stronger, 10);   // Claim 3 adds something
  EXPECT_GT(chains_stronger, 0);  // and so does Claim 4 (more at larger k)
}

// A path 0 -> 1 -> ... -> n-1 with some edges skipping one node: narrow, so
// that stage boundaries are forced apart, as Claim 4 needs.
v1::Graph NarrowDag(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> work(0.5, 4), comm(0, 3), coin(0, 1);
  v1::Graph proto = Chain(n, 1, 1);
  for (auto& node : *proto.mutable_nodes()) {
    node.set_work(work(rng));
    node.set_comm(comm(rng));
  }
  for (int i = 0; i + 2 < n; ++i) {
    if (coin(rng) < 0.3) {
      auto* e = proto.add_edges();
      e->set_src("n" + std::to_string(i));
      e->set_dst("n" + std::to_string(i + 2));
    }
  }
  return proto;
}

// Claim 4 matters when several stage boundaries must be paid: larger k on
// narrow graphs.
TEST(PrefixCut, ChainsNeverAboveBruteForce) {
  int chains_stronger = 0;
  for (uint64_t seed = 0; seed < 150; ++seed) {
    const int n = 5 + static_cast<int>(seed % 4);  // 5..8
    const int k = 3 + static_cast<int>(seed % 3);  // 3..5
    const Graph graph = testing::MakeGraph(NarrowDag(n, 7000 + seed));
    const double opt = *testing::BruteForceOptimum(graph, k);
    const PrefixCutResult r = PrefixCutLowerBound(graph, k);
    ASSERT_TRUE(r.complete);
    EXPECT_LE(r.bound, opt + 1e-9 * opt) << "seed " << seed << " k " << k;
    const double exact =
        std::max(ExactPrefixBound(graph, k), ExactEndStageBound(graph));
    if (r.best_b == kChainSplit && r.bound > exact * (1 + 1e-9)) {
      ++chains_stronger;
    }
  }
  EXPECT_GT(chains_stronger, 10);
}

TEST(PrefixCut, WeightsDoNotMakeAFreeFirstStage) {
  // w0 (a weight: work 0, comm 1) -> x -> y -> z, work 1, comm 10, k = 4.
  // OPT = W = 3. A first stage {w0} would cost 1; normalised, w0 sits with
  // x, so the first stage holds the seed x and costs >= 11 unless it is V.
  const Graph graph = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "w0" work: 0 comm: 1 }
    nodes { id: "x" work: 1 comm: 10 }
    nodes { id: "y" work: 1 comm: 10 }
    nodes { id: "z" work: 1 comm: 10 }
    edges { src: "w0" dst: "x" }
    edges { src: "x" dst: "y" }
    edges { src: "y" dst: "z" }
  )pb"));
  EXPECT_EQ(FirstStageSeeds(graph), std::vector<int>{1});
  EXPECT_DOUBLE_EQ(*testing::BruteForceOptimum(graph, 4), 3);
  EXPECT_LT(ExactPrefixBound(graph, 4), 3);
  EXPECT_DOUBLE_EQ(PrefixCutLowerBound(graph, 4).bound, 3);
}

TEST(PrefixCut, EndStagesSeeHeavyCommAtLargeK) {
  // Chain of 4 nodes, w = 1, c = 10, k = 8: every split pays >= 11 at its
  // first stage, so OPT = W = 4 (one stage). One cut spread over b of 8
  // stages cannot show that; the first stage's own cost (Claim 3) does.
  const Graph graph = testing::MakeGraph(Chain(4, 1, 10));
  EXPECT_DOUBLE_EQ(*testing::BruteForceOptimum(graph, 8), 4);
  EXPECT_LT(ExactPrefixBound(graph, 8), 4);
  EXPECT_DOUBLE_EQ(ExactEndStageBound(graph), 4);
  EXPECT_DOUBLE_EQ(PrefixCutLowerBound(graph, 8).bound, 4);
}

TEST(PrefixCut, UpperBoundHintOnlyNarrowsTheSearch) {
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const Graph graph =
        testing::MakeGraph(testing::RandomDag(7, 0.3, 30, 3000 + seed));
    const int k = 2 + static_cast<int>(seed % 3);
    const double opt = *testing::BruteForceOptimum(graph, k);
    const double free_bound = PrefixCutLowerBound(graph, k).bound;
    const double hinted = PrefixCutLowerBound(graph, k, {}, {}, opt).bound;
    EXPECT_LE(hinted, opt + 1e-9 * opt);
    EXPECT_NEAR(hinted, free_bound, 1e-5 * opt) << "seed " << seed;
  }
}

TEST(PrefixCut, WorkerPublishesTheBound) {
  const Graph graph = testing::MakeGraph(testing::RandomDag(40, 0.1, 30, 11));
  const int k = 4;
  SolveContext ctx(absl::Seconds(30), absl::InfiniteFuture());
  SolutionBoard::Params params;
  params.k = k;
  SolutionBoard board(graph, params, &ctx);
  PrefixCutWorker worker(graph, k);
  int steps = 1;
  while (worker.Step(ctx, board)) ++steps;
  EXPECT_GE(steps, k - 1);  // one split per step, then Claim 4's probes
  const BoardSnapshot s = board.Snapshot();
  EXPECT_DOUBLE_EQ(s.lower_bound, PrefixCutLowerBound(graph, k).bound);
  EXPECT_EQ(s.bound_source, "prefix_cut");
}

TEST(PrefixCut, StopsWhenCancelled) {
  const Graph graph = testing::MakeGraph(testing::RandomDag(60, 0.1, 30, 12));
  SolveContext ctx(absl::Seconds(30), absl::InfiniteFuture());
  ctx.RequestStop(v1::STOP_REASON_CANCELLED);
  const PrefixCutResult r =
      PrefixCutLowerBound(graph, 8, {}, [&] { return ctx.ShouldStop(); });
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.cuts, 0);
  EXPECT_LE(r.bound, graph.total_work() / 8 + 1e-9);
}

}  // namespace
}  // namespace pipecut
