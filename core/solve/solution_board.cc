#include "core/solve/solution_board.h"

#include <algorithm>
#include <utility>

#include "core/util/logging.h"

namespace pipecut {

double BoardSnapshot::relative_gap() const {
  if (!incumbent) return 1;
  const double ub = incumbent->cost.bottleneck;
  if (ub <= 0) return 0;
  return std::clamp((ub - lower_bound) / ub, 0.0, 1.0);
}

SolutionBoard::SolutionBoard(const Graph& graph, const Params& params,
                             SolveContext* context,
                             std::vector<SolveObserver*> observers)
    : graph_(graph),
      params_(params),
      context_(context),
      observers_(std::move(observers)) {}

bool SolutionBoard::OfferPartition(std::vector<int> stage_of,
                                   absl::string_view source) {
  // Evaluate outside the lock: it is O(n + m) and needs no shared state.
  absl::StatusOr<PartitionCost> cost =
      EvaluatePartition(graph_, stage_of, params_.k);
  const bool memory_ok =
      cost.ok() && FirstMemoryViolation(*cost, params_.memory_limit) < 0;
  if (!cost.ok() || !memory_ok) {
    PIPECUT_LOG(Error) << "rejected an infeasible partition from " << source
                       << ": "
                       << (cost.ok() ? "memory limit exceeded"
                                     : cost.status().message());
    absl::MutexLock lock(&mu_);
    ++rejected_offers_;
    return false;
  }
  const double bottleneck = cost->bottleneck;
  double elapsed;
  {
    absl::MutexLock lock(&mu_);
    if (state_.done || bottleneck >= state_.best_bottleneck()) return false;
    elapsed = context_->ElapsedSeconds();
    auto incumbent = std::make_shared<Incumbent>();
    incumbent->stage_of = std::move(stage_of);
    incumbent->cost = *std::move(cost);
    incumbent->source = std::string(source);
    incumbent->elapsed_seconds = elapsed;
    state_.incumbent = std::move(incumbent);
    best_ub_.store(bottleneck);
    state_.lower_bound = std::min(raw_lower_bound_, bottleneck);
    ++partition_improvements_[std::string(source)];
    PublishLocked(v1::SolveEvent::KIND_PARTITION, source);
  }
  for (SolveObserver* o : observers_)
    o->OnPartition(source, bottleneck, elapsed);
  return true;
}

bool SolutionBoard::RaiseLowerBound(double lower_bound,
                                    absl::string_view source) {
  double reported, elapsed;
  {
    absl::MutexLock lock(&mu_);
    if (state_.done || !(lower_bound > raw_lower_bound_)) return false;
    const double ub = state_.best_bottleneck();
    if (lower_bound > ub * (1 + 1e-9) + 1e-12) {
      // A valid bound never exceeds a feasible bottleneck: this is a bug in
      // the bound, so say so loudly, and keep the stream consistent.
      PIPECUT_LOG(Error) << "lower bound " << lower_bound << " from " << source
                         << " exceeds the incumbent " << ub << "; clamped";
    }
    raw_lower_bound_ = lower_bound;
    const double clamped = std::min(lower_bound, ub);
    if (!(clamped > state_.lower_bound)) return false;
    state_.lower_bound = clamped;
    state_.bound_source = std::string(source);
    best_lb_.store(clamped);
    ++bound_improvements_[std::string(source)];
    elapsed = context_->ElapsedSeconds();
    reported = clamped;
    PublishLocked(v1::SolveEvent::KIND_BOUND, source);
  }
  for (SolveObserver* o : observers_)
    o->OnLowerBound(source, reported, elapsed);
  return true;
}

void SolutionBoard::ReportInfeasible(absl::string_view source) {
  {
    absl::MutexLock lock(&mu_);
    if (state_.done) return;
    state_.last_source = std::string(source);
  }
  context_->RequestStop(v1::STOP_REASON_INFEASIBLE);
}

void SolutionBoard::ReportMipSolve(absl::string_view model,
                                   absl::string_view status, double seconds) {
  for (SolveObserver* o : observers_) o->OnMipSolve(model, status, seconds);
}

v1::StopReason SolutionBoard::GapStopReason() const {
  if (!state_.incumbent) return v1::STOP_REASON_UNSPECIFIED;
  const double ub = state_.incumbent->cost.bottleneck;
  if (ub - state_.lower_bound <=
      params_.optimality_tolerance * std::max(1.0, ub)) {
    return v1::STOP_REASON_OPTIMAL;
  }
  if (state_.relative_gap() <= params_.target_relative_gap) {
    return v1::STOP_REASON_TARGET_GAP;
  }
  return v1::STOP_REASON_UNSPECIFIED;
}

void SolutionBoard::PublishLocked(v1::SolveEvent::Kind kind,
                                  absl::string_view source) {
  ++state_.seq;
  state_.elapsed_seconds = context_->ElapsedSeconds();
  state_.last_kind = kind;
  state_.last_source = std::string(source);
  const v1::StopReason reason = GapStopReason();
  state_.proven_optimal = reason == v1::STOP_REASON_OPTIMAL;
  if (reason != v1::STOP_REASON_UNSPECIFIED) context_->RequestStop(reason);
}

BoardSnapshot SolutionBoard::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

BoardSnapshot SolutionBoard::AwaitChange(uint64_t after_seq,
                                         absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return state_.seq > after_seq || state_.done;
  };
  mu_.AwaitWithDeadline(absl::Condition(&changed), deadline);
  return state_;
}

bool SolutionBoard::IdleUntilChange(absl::Duration max_wait) const {
  absl::MutexLock lock(&mu_);
  const uint64_t seq = state_.seq;
  auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return state_.seq > seq || state_.done;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&changed), max_wait);
}

void SolutionBoard::Finish(v1::StopReason reason) {
  absl::MutexLock lock(&mu_);
  if (state_.done) return;
  state_.done = true;
  state_.stop_reason = reason;
  state_.elapsed_seconds = context_->ElapsedSeconds();
  state_.last_kind = v1::SolveEvent::KIND_FINAL;
  ++state_.seq;
}

std::map<std::string, int> SolutionBoard::partition_improvements() const {
  absl::MutexLock lock(&mu_);
  return partition_improvements_;
}

std::map<std::string, int> SolutionBoard::bound_improvements() const {
  absl::MutexLock lock(&mu_);
  return bound_improvements_;
}

int SolutionBoard::rejected_offers() const {
  absl::MutexLock lock(&mu_);
  return rejected_offers_;
}

bool YieldForLongStepSlot(const SolveContext& ctx, const SolutionBoard& board) {
  board.IdleUntilChange(absl::Milliseconds(2));
  return !ctx.ShouldStop();
}

}  // namespace pipecut
