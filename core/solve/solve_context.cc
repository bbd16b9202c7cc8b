#include "core/solve/solve_context.h"

#include <algorithm>

namespace pipecut {
namespace {

class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

const Clock* Clock::Real() {
  static const RealClock* const kClock = new RealClock;
  return kClock;
}

SolveContext::SolveContext(absl::Duration time_limit,
                           absl::Time external_deadline, const Clock* clock)
    : clock_(clock),
      start_(clock->Now()),
      time_limit_deadline_(start_ + time_limit),
      external_deadline_(external_deadline),
      deadline_(std::min(time_limit_deadline_, external_deadline)) {}

bool SolveContext::TryAcquireLongStepSlot(LongStepPriority priority) {
  const int64_t now = absl::ToUnixNanos(clock_->Now());
  // A normal step leaves the last slot to a preferred one seen recently.
  int keep = 0;
  if (priority == LongStepPriority::kPreferred) {
    preferred_seen_nanos_.store(now);
  } else if (const int64_t seen = preferred_seen_nanos_.load();
             seen != kNeverNanos &&
             now - seen < absl::ToInt64Nanoseconds(kPreferredGrace)) {
    keep = 1;
  }
  int free = long_step_slots_.load();
  while (free > keep) {
    if (long_step_slots_.compare_exchange_weak(free, free - 1)) return true;
  }
  return false;
}

void SolveContext::ReleaseLongStepSlot(LongStepPriority priority) {
  if (priority == LongStepPriority::kPreferred) {
    preferred_seen_nanos_.store(absl::ToUnixNanos(clock_->Now()));
  }
  long_step_slots_.fetch_add(1);
}

bool SolveContext::ShouldStop() const {
  if (reason_.load(std::memory_order_relaxed) != 0) return true;
  const absl::Time now = clock_->Now();
  if (now < deadline_) return false;
  int expected = 0;
  reason_.compare_exchange_strong(
      expected,
      now >= external_deadline_ && external_deadline_ <= time_limit_deadline_
          ? v1::STOP_REASON_DEADLINE
          : v1::STOP_REASON_TIME_LIMIT);
  return true;
}

void SolveContext::RequestStop(v1::StopReason reason) {
  int expected = 0;
  reason_.compare_exchange_strong(expected, reason);
}

double SolveContext::ElapsedSeconds() const {
  return absl::ToDoubleSeconds(clock_->Now() - start_);
}

double SolveContext::RemainingSeconds() const {
  return std::max(0.0, absl::ToDoubleSeconds(deadline_ - clock_->Now()));
}

}  // namespace pipecut
