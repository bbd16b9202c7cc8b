#include "core/solve/solution_board.h"

#include <atomic>
#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

class FakeClock : public Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::UnixEpoch();
};

class BoardTest : public ::testing::Test {
 protected:
  BoardTest()
      : graph_(testing::MakeGraph(testing::DesignExample())),
        context_(absl::Seconds(10), absl::InfiniteFuture(), &clock_),
        board_(graph_, {.k = 2}, &context_) {}

  std::vector<int> Stages(std::vector<int> by_name) { return by_name; }

  FakeClock clock_;
  Graph graph_;
  SolveContext context_;
  SolutionBoard board_;
};

TEST_F(BoardTest, KeepsOnlyStrictImprovements) {
  // Node indices follow input order a, b, c, d.
  EXPECT_TRUE(board_.OfferPartition({0, 0, 1, 1}, "x"));   // 9
  EXPECT_FALSE(board_.OfferPartition({0, 0, 1, 1}, "y"));  // 9 again
  EXPECT_TRUE(board_.OfferPartition({0, 1, 1, 1}, "z"));   // 8
  EXPECT_FALSE(board_.OfferPartition({0, 0, 1, 1}, "x"));  // 9: worse
  BoardSnapshot s = board_.Snapshot();
  EXPECT_DOUBLE_EQ(s.best_bottleneck(), 8);
  EXPECT_EQ(s.incumbent->source, "z");
  EXPECT_EQ(board_.partition_improvements().at("x"), 1);
}

TEST_F(BoardTest, RejectsInfeasibleOffers) {
  EXPECT_FALSE(
      board_.OfferPartition({1, 0, 0, 0}, "buggy"));        // a -> b backwards
  EXPECT_FALSE(board_.OfferPartition({0, 0, 0}, "buggy"));  // wrong size
  EXPECT_EQ(board_.rejected_offers(), 2);
  EXPECT_EQ(board_.Snapshot().incumbent, nullptr);
}

TEST_F(BoardTest, LowerBoundIsMonotoneAndClampedToIncumbent) {
  EXPECT_TRUE(board_.RaiseLowerBound(2, "lb0"));
  EXPECT_FALSE(board_.RaiseLowerBound(1.5, "weak"));
  board_.OfferPartition({0, 1, 1, 1}, "dp");  // 8
  EXPECT_TRUE(board_.RaiseLowerBound(5, "mip"));
  EXPECT_DOUBLE_EQ(board_.Snapshot().lower_bound, 5);
  EXPECT_EQ(board_.Snapshot().bound_source, "mip");
  EXPECT_DOUBLE_EQ(board_.Snapshot().relative_gap(), 3.0 / 8);
}

TEST_F(BoardTest, ClosingTheGapStopsAsOptimal) {
  board_.OfferPartition({0, 0, 0, 0}, "dp");  // 4
  EXPECT_FALSE(context_.stop_requested());
  board_.RaiseLowerBound(4, "exact");
  EXPECT_TRUE(context_.stop_requested());
  EXPECT_EQ(context_.stop_reason(), v1::STOP_REASON_OPTIMAL);
  EXPECT_TRUE(board_.Snapshot().proven_optimal);
}

TEST(SolutionBoard, TargetGapStops) {
  FakeClock clock;
  Graph graph = testing::MakeGraph(testing::DesignExample());
  SolveContext context(absl::Seconds(10), absl::InfiniteFuture(), &clock);
  SolutionBoard board(graph, {.k = 2, .target_relative_gap = 0.6}, &context);
  board.OfferPartition({0, 0, 0, 0}, "dp");  // 4
  board.RaiseLowerBound(2, "lb0");           // gap 0.5
  EXPECT_EQ(context.stop_reason(), v1::STOP_REASON_TARGET_GAP);
}

TEST(SolutionBoard, RejectsMemoryViolations) {
  FakeClock clock;
  Graph graph = testing::MakeGraph(testing::GraphProtoFromText(R"pb(
    nodes { id: "x" memory_bytes: 10 }
    nodes { id: "y" memory_bytes: 20 })pb"));
  SolveContext context(absl::Seconds(10), absl::InfiniteFuture(), &clock);
  SolutionBoard board(graph, {.k = 2, .memory_limit = 25}, &context);
  EXPECT_FALSE(board.OfferPartition({0, 0}, "dp"));
  EXPECT_TRUE(board.OfferPartition({0, 1}, "dp"));
}

TEST_F(BoardTest, IdleUntilChangeTimesOutOrWakes) {
  EXPECT_FALSE(board_.IdleUntilChange(absl::Milliseconds(1)));  // quiet
  // Rising bounds until the waiter returns, so one lands after it started
  // waiting whatever the interleaving; the long timeout is never reached.
  std::atomic<bool> woke{false};
  std::thread publisher([&] {
    for (double lb = 0.001; !woke.load() && lb < 1; lb += 0.001) {
      board_.RaiseLowerBound(lb, "lb0");
      absl::SleepFor(absl::Milliseconds(1));
    }
  });
  EXPECT_TRUE(board_.IdleUntilChange(absl::Seconds(30)));
  woke = true;
  publisher.join();
  board_.Finish(v1::STOP_REASON_CANCELLED);
  EXPECT_TRUE(board_.IdleUntilChange(absl::Seconds(30)));  // done: at once
}

TEST_F(BoardTest, AwaitChangeWakesOnPublishAndFinish) {
  const uint64_t seq = board_.Snapshot().seq;
  std::thread publisher([&] { board_.RaiseLowerBound(1, "lb0"); });
  BoardSnapshot s = board_.AwaitChange(seq, absl::InfiniteFuture());
  publisher.join();
  EXPECT_GT(s.seq, seq);
  std::thread finisher([&] { board_.Finish(v1::STOP_REASON_CANCELLED); });
  s = board_.AwaitChange(s.seq, absl::InfiniteFuture());
  finisher.join();
  EXPECT_TRUE(s.done);
  EXPECT_EQ(s.stop_reason, v1::STOP_REASON_CANCELLED);
  // Nothing changes after the end.
  EXPECT_FALSE(board_.OfferPartition({0, 0, 0, 0}, "late"));
}

TEST(SolveContext, DeadlineIsStickyAndNamed) {
  FakeClock clock;
  SolveContext by_limit(absl::Seconds(5), absl::InfiniteFuture(), &clock);
  SolveContext by_rpc(absl::Seconds(5), clock.now + absl::Seconds(2), &clock);
  EXPECT_FALSE(by_limit.ShouldStop());
  clock.now += absl::Seconds(3);
  EXPECT_FALSE(by_limit.ShouldStop());
  EXPECT_TRUE(by_rpc.ShouldStop());
  EXPECT_EQ(by_rpc.stop_reason(), v1::STOP_REASON_DEADLINE);
  clock.now += absl::Seconds(3);
  EXPECT_TRUE(by_limit.ShouldStop());
  EXPECT_EQ(by_limit.stop_reason(), v1::STOP_REASON_TIME_LIMIT);
  clock.now -= absl::Seconds(10);  // sticky even if time went backwards
  EXPECT_TRUE(by_limit.ShouldStop());
}

}  // namespace
}  // namespace pipecut
