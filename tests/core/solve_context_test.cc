#include "core/solve/solve_context.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace pipecut {
namespace {

TEST(SolveContext, LongStepSlotsAreUnlimitedByDefault) {
  SolveContext ctx(absl::Seconds(10), absl::InfiniteFuture());
  LongStepSlot a(ctx), b(ctx), c(ctx);
  EXPECT_TRUE(a.held() && b.held() && c.held());
}

TEST(SolveContext, LongStepSlotsAreCountedAndReturned) {
  SolveContext ctx(absl::Seconds(10), absl::InfiniteFuture());
  ctx.set_long_step_slots(1);
  {
    LongStepSlot first(ctx);
    EXPECT_TRUE(first.held());
    LongStepSlot second(ctx);
    EXPECT_FALSE(second.held());  // and gives nothing back when destroyed
  }
  LongStepSlot again(ctx);
  EXPECT_TRUE(again.held());
  LongStepSlot more(ctx);
  EXPECT_FALSE(more.held());
}

class FakeClock : public Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::UnixEpoch();
};

// A normal step may not take the last slot within the grace after a
// preferred one used a slot; it may take the others, and the last one once
// the grace has passed.
TEST(SolveContext, PreferredStepsKeepTheLastSlotForAWhile) {
  FakeClock clock;
  SolveContext ctx(absl::Seconds(10), absl::InfiniteFuture(), &clock);
  ctx.set_long_step_slots(2);
  using Priority = LongStepSlot::Priority;
  {
    LongStepSlot normal(ctx);  // no preferred step seen yet
    EXPECT_TRUE(normal.held());
  }
  { LongStepSlot preferred(ctx, Priority::kPreferred); }
  clock.now += SolveContext::kPreferredGrace / 2;
  LongStepSlot first(ctx);
  EXPECT_TRUE(first.held());  // one slot is left
  {
    LongStepSlot second(ctx);
    EXPECT_FALSE(second.held());  // the last one is kept
    LongStepSlot preferred(ctx, Priority::kPreferred);
    EXPECT_TRUE(preferred.held());
  }
  clock.now += SolveContext::kPreferredGrace / 2;
  EXPECT_FALSE(LongStepSlot(ctx).held());  // the release renewed the grace
  clock.now += SolveContext::kPreferredGrace;
  EXPECT_TRUE(LongStepSlot(ctx).held());
}

}  // namespace
}  // namespace pipecut
