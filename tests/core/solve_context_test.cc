#include "core/solve/solve_context.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace pipecut {
namespace {

TEST(SolveContext, MipSlotsAreUnlimitedByDefault) {
  SolveContext ctx(absl::Seconds(10), absl::InfiniteFuture());
  MipSlot a(ctx), b(ctx), c(ctx);
  EXPECT_TRUE(a.held() && b.held() && c.held());
}

TEST(SolveContext, MipSlotsAreCountedAndReturned) {
  SolveContext ctx(absl::Seconds(10), absl::InfiniteFuture());
  ctx.set_mip_slots(1);
  {
    MipSlot first(ctx);
    EXPECT_TRUE(first.held());
    MipSlot second(ctx);
    EXPECT_FALSE(second.held());  // and gives nothing back when destroyed
  }
  MipSlot again(ctx);
  EXPECT_TRUE(again.held());
  MipSlot more(ctx);
  EXPECT_FALSE(more.held());
}

}  // namespace
}  // namespace pipecut
