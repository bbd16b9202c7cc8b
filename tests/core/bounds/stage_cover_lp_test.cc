#include "core/bounds/stage_cover_lp.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "core/solve/solution_board.h"
#include "core/solve/solve_context.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

using Outcome = StageCoverLp::Outcome;

struct Case {
  double density;
  double comm_scale;
  int k;
};

class StageCoverLpBound : public ::testing::TestWithParam<Case> {};

// A refuted guess is never above the brute-force optimum, and the bound is
// not idle: it refutes 0.999 OPT on many graphs where that is above LB0.
// Guesses run low to high on one object, so the column pool carries stages
// across guesses as in the worker.
TEST_P(StageCoverLpBound, NeverPassesTheOptimum) {
  const Case c = GetParam();
  int tight = 0;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    const int n = 3 + static_cast<int>(seed % 6);  // 3..8
    const Graph graph = testing::MakeGraph(
        testing::RandomDag(n, c.density, c.comm_scale, 2000 + seed));
    const double opt = *testing::BruteForceOptimum(graph, c.k);
    const double lb0 =
        std::max(graph.total_work() / c.k, graph.max_work()) * (1 + 1e-6);
    StageCoverLp bound(graph, c.k, 0);
    for (double factor : {0.5, 0.8, 0.95, 0.999, 1.0 + 1e-6, 1.05, 1.5}) {
      const double t = opt * factor;
      const StageCoverLp::Probe probe = bound.Decide(t, absl::InfiniteFuture());
      ASSERT_NE(probe.outcome, Outcome::kGaveUp) << "seed " << seed;
      ASSERT_NE(probe.outcome, Outcome::kStopped) << "seed " << seed;
      if (probe.outcome == Outcome::kRefuted) {
        EXPECT_LE(t, opt * (1 + 1e-9)) << "seed " << seed << " t " << t;
        if (factor == 0.999 && t > lb0) ++tight;
      }
    }
  }
  EXPECT_GT(tight, 40);
}

INSTANTIATE_TEST_SUITE_P(Cases, StageCoverLpBound,
                         ::testing::Values(Case{0.3, 0.3, 2}, Case{0.4, 1, 3},
                                           Case{0.5, 3, 2}, Case{0.3, 3, 4}));

// The worker bisects up to the LP's limit on a graph where that is OPT.
TEST(StageCoverLpWorker, RaisesTheBoardsBoundWithinTheOptimum) {
  const Graph graph =
      testing::MakeGraph(testing::RandomDag(8, 0.4, 3, 2000 + 13));
  const int k = 2;
  const double opt = *testing::BruteForceOptimum(graph, k);
  SolveContext ctx(absl::Seconds(10), absl::InfiniteFuture());
  SolutionBoard::Params params;
  params.k = k;
  SolutionBoard board(graph, params, &ctx);
  const double lb0 = board.lower_bound();
  StageCoverLpWorker worker(graph, k, 0);
  for (int step = 0; step < 60 && worker.Step(ctx, board); ++step) {
  }
  EXPECT_LE(board.lower_bound(), opt * (1 + 1e-9));
  EXPECT_GT(board.lower_bound(), lb0);
  EXPECT_GE(board.lower_bound(), 0.999 * opt);
}

// Its probes hold a thread for long, so they wait for a long-step slot: the
// worker yields (asks to be stepped again) without probing while none is
// free, and probes once one is.
TEST(StageCoverLpWorker, ProbesOnlyWithALongStepSlot) {
  const Graph graph =
      testing::MakeGraph(testing::RandomDag(8, 0.4, 3, 2000 + 13));
  const int k = 2;
  SolveContext ctx(absl::Seconds(10), absl::InfiniteFuture());
  ctx.set_long_step_slots(1);
  SolutionBoard::Params params;
  params.k = k;
  SolutionBoard board(graph, params, &ctx);
  const double lb0 = board.lower_bound();
  StageCoverLpWorker worker(graph, k, 0);
  {
    LongStepSlot taken(ctx);  // e.g. a CBC run on the other thread
    ASSERT_TRUE(taken.held());
    EXPECT_TRUE(worker.Step(ctx, board));
    EXPECT_EQ(board.lower_bound(), lb0);
  }
  for (int step = 0; step < 60 && worker.Step(ctx, board); ++step) {
  }
  EXPECT_GT(board.lower_bound(), lb0);
}

}  // namespace
}  // namespace pipecut
