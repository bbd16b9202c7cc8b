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

}  // namespace
}  // namespace pipecut
