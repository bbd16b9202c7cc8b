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

// The worker on a small DAG where the LP's limit is OPT, with one long-step
// slot (a solve on two threads).
class StageCoverLpWorkerTest : public ::testing::Test {
 protected:
  StageCoverLpWorkerTest()
      : graph_(testing::MakeGraph(testing::RandomDag(8, 0.4, 3, 2000 + 13))),
        ctx_(absl::Seconds(10), absl::InfiniteFuture()),
        board_(graph_, BoardParams(), &ctx_),
        worker_(graph_, kK, 0) {
    ctx_.set_long_step_slots(1);
  }
  static SolutionBoard::Params BoardParams() {
    SolutionBoard::Params params;
    params.k = kK;
    return params;
  }
  void StepToTheEnd() {
    for (int step = 0; step < 60 && worker_.Step(ctx_, board_); ++step) {
    }
  }

  static constexpr int kK = 2;
  const Graph graph_;
  SolveContext ctx_;
  SolutionBoard board_;
  StageCoverLpWorker worker_;
};

// The worker bisects up to the LP's limit.
TEST_F(StageCoverLpWorkerTest, RaisesTheBoardsBoundWithinTheOptimum) {
  const double opt = *testing::BruteForceOptimum(graph_, kK);
  const double lb0 = board_.lower_bound();
  StepToTheEnd();
  EXPECT_LE(board_.lower_bound(), opt * (1 + 1e-9));
  EXPECT_GT(board_.lower_bound(), lb0);
  EXPECT_GE(board_.lower_bound(), 0.999 * opt);
}

// Its probes hold a thread for long, so they wait for a long-step slot: the
// worker yields (asks to be stepped again) without probing while none is
// free, and probes once one is.
TEST_F(StageCoverLpWorkerTest, ProbesOnlyWithALongStepSlot) {
  const double lb0 = board_.lower_bound();
  {
    LongStepSlot taken(ctx_);  // e.g. a CBC run on the other thread
    ASSERT_TRUE(taken.held());
    EXPECT_TRUE(worker_.Step(ctx_, board_));
    EXPECT_EQ(board_.lower_bound(), lb0);
  }
  StepToTheEnd();
  EXPECT_GT(board_.lower_bound(), lb0);
}

}  // namespace
}  // namespace pipecut
