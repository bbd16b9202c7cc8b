#ifndef PIPECUT_CORE_SOLVE_SOLVE_CONTEXT_H_
#define PIPECUT_CORE_SOLVE_SOLVE_CONTEXT_H_

#include <atomic>
#include <cstdint>
#include <limits>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "pipecut/v1/service.pb.h"

namespace pipecut {

// Source of time, injectable so tests can use a fake clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // The process-wide real clock.
  static const Clock* Real();
};

// The one stop token and time frame of a solve, passed to every worker.
// Thread-safe. ShouldStop() is cheap (an atomic load and a clock read) and
// sticky: once it returns true it always will.
class SolveContext {
 public:
  // `time_limit` counts from now; `external_deadline` is e.g. an RPC deadline
  // (absl::InfiniteFuture() when none). `clock` must outlive the context.
  SolveContext(absl::Duration time_limit, absl::Time external_deadline,
               const Clock* clock = Clock::Real());

  bool ShouldStop() const;
  // Records the first reason only; later calls are no-ops.
  void RequestStop(v1::StopReason reason);
  bool stop_requested() const { return reason_.load() != 0; }
  // UNSPECIFIED until a stop was requested or a deadline noticed.
  v1::StopReason stop_reason() const {
    return static_cast<v1::StopReason>(reason_.load());
  }

  absl::Time start() const { return start_; }
  // The earlier of the time limit and the external deadline.
  absl::Time deadline() const { return deadline_; }
  double ElapsedSeconds() const;
  double RemainingSeconds() const;
  const Clock& clock() const { return *clock_; }

  // Slots for long, non-preemptible steps (CBC runs, and the probes that
  // hold a thread for a share of the time left: the stage-cover LP, the
  // bottleneck relaxation's search). The solver sets threads - 1 (at least
  // 1) so that one thread always serves the quick workers: long steps
  // holding every thread starve the heuristics whose partitions the
  // certificate is measured against. Unlimited by default.
  void set_long_step_slots(int slots) { long_step_slots_.store(slots); }
  // Preferred long steps are the combinatorial searches that keep raising
  // the bound where CBC's relaxations stall (wide graphs with heavy
  // communication). While one has used a slot within kPreferredGrace, a
  // normal step (a CBC run) may not take the last free slot: between two
  // probes of the stage-cover LP a CBC run would otherwise hold the only
  // slot for seconds.
  enum class LongStepPriority { kNormal, kPreferred };
  static constexpr absl::Duration kPreferredGrace = absl::Milliseconds(200);
  // True when a slot was taken; pair with ReleaseLongStepSlot (see
  // LongStepSlot).
  bool TryAcquireLongStepSlot(
      LongStepPriority priority = LongStepPriority::kNormal);
  void ReleaseLongStepSlot(
      LongStepPriority priority = LongStepPriority::kNormal);

 private:
  const Clock* clock_;
  absl::Time start_;
  absl::Time time_limit_deadline_;
  absl::Time external_deadline_;
  absl::Time deadline_;
  mutable std::atomic<int> reason_{0};
  std::atomic<int> long_step_slots_{1 << 30};
  // When a preferred step last tried, took or returned a slot (Unix nanos).
  static constexpr int64_t kNeverNanos = std::numeric_limits<int64_t>::min();
  std::atomic<int64_t> preferred_seen_nanos_{kNeverNanos};
};

// Holds one long-step slot of `ctx` for its lifetime, if one was free.
class LongStepSlot {
 public:
  using Priority = SolveContext::LongStepPriority;
  explicit LongStepSlot(SolveContext& ctx,
                        Priority priority = Priority::kNormal)
      : ctx_(ctx),
        priority_(priority),
        held_(ctx.TryAcquireLongStepSlot(priority)) {}
  ~LongStepSlot() {
    if (held_) ctx_.ReleaseLongStepSlot(priority_);
  }
  LongStepSlot(const LongStepSlot&) = delete;
  LongStepSlot& operator=(const LongStepSlot&) = delete;
  bool held() const { return held_; }

 private:
  SolveContext& ctx_;
  const Priority priority_;
  const bool held_;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_SOLVE_SOLVE_CONTEXT_H_
