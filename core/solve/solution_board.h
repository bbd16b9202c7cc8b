#ifndef PIPECUT_CORE_SOLVE_SOLUTION_BOARD_H_
#define PIPECUT_CORE_SOLVE_SOLUTION_BOARD_H_

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/cost/partition_cost.h"
#include "core/graph/graph.h"
#include "core/solve/solve_context.h"
#include "pipecut/v1/service.pb.h"

namespace pipecut {

// The best partition found so far, as re-evaluated by the board.
struct Incumbent {
  std::vector<int> stage_of;
  PartitionCost cost;
  std::string source;
  double elapsed_seconds = 0;
};

// An immutable view of the board at one sequence number.
struct BoardSnapshot {
  uint64_t seq = 0;
  double elapsed_seconds = 0;
  std::shared_ptr<const Incumbent> incumbent;  // null before the first one
  double lower_bound = 0;    // never above the incumbent's bottleneck
  std::string bound_source;  // method that proved lower_bound
  std::string last_source;   // worker of the latest improvement
  v1::SolveEvent::Kind last_kind = v1::SolveEvent::KIND_UNSPECIFIED;
  bool done = false;
  v1::StopReason stop_reason = v1::STOP_REASON_UNSPECIFIED;
  bool proven_optimal = false;

  double best_bottleneck() const {
    return incumbent ? incumbent->cost.bottleneck
                     : std::numeric_limits<double>::infinity();
  }
  // (UB - LB) / UB; 1 without an incumbent, 0 when UB is 0.
  double relative_gap() const;
};

// Observes improvements (e.g. metrics, logs). Called outside the board's lock
// from worker threads, so implementations must be thread-safe and cheap.
class SolveObserver {
 public:
  virtual ~SolveObserver() = default;
  virtual void OnPartition(absl::string_view source, double bottleneck,
                           double elapsed_seconds) = 0;
  virtual void OnLowerBound(absl::string_view source, double lower_bound,
                            double elapsed_seconds) = 0;
  // A MIP bound model finished one solve. `model` is the method name (e.g.
  // "guess_mip"), `status` a short lower_snake word ("optimal", "time_limit",
  // "stopped", "infeasible", "too_large", "error"). For metrics; the default
  // ignores it so observers that do not count MIP solves need not override.
  virtual void OnMipSolve(absl::string_view /*model*/,
                          absl::string_view /*status*/, double /*seconds*/) {}
};

// The shared solution/bound object of one solve (DESIGN section 3): workers
// publish partitions and lower bounds; it keeps the best of each monotone,
// decides when the gap allows stopping, and wakes subscribers. Subscribers pull
// snapshots (AwaitChange), so updates coalesce and no subscriber work runs
// under the lock. Thread-safe.
class SolutionBoard {
 public:
  struct Params {
    int k = 1;
    int64_t memory_limit = 0;        // 0 = none
    double target_relative_gap = 0;  // stop when the gap is <= this
    double optimality_tolerance = 1e-6;
  };

  // `graph`, `context` and `observers` must outlive the board.
  SolutionBoard(const Graph& graph, const Params& params, SolveContext* context,
                std::vector<SolveObserver*> observers = {});

  // Re-evaluates `stage_of` with the exact evaluator and keeps it iff it is
  // feasible (precedence and memory) and strictly better than the incumbent.
  // Returns true when accepted. An infeasible offer is a worker bug: it is
  // rejected and counted in rejected_offers().
  bool OfferPartition(std::vector<int> stage_of, absl::string_view source);

  // Records a proved lower bound; true when it raised the best one.
  bool RaiseLowerBound(double lower_bound, absl::string_view source);

  // A worker proved that no feasible partition exists.
  void ReportInfeasible(absl::string_view source);

  // A MIP model finished one solve; forwarded to the observers (metrics).
  void ReportMipSolve(absl::string_view model, absl::string_view status,
                      double seconds);

  // Cheap reads for pruning in hot loops (no lock).
  double best_bottleneck() const { return best_ub_.load(); }
  double lower_bound() const { return best_lb_.load(); }

  BoardSnapshot Snapshot() const;
  // Blocks until the sequence number exceeds `after_seq`, the board is done, or
  // `deadline` passes; returns the latest snapshot either way.
  BoardSnapshot AwaitChange(uint64_t after_seq, absl::Time deadline) const;
  // For a worker with nothing to do yet: blocks until the board changes (or
  // is done) or `max_wait` passes, whichever comes first; true if it changed.
  bool IdleUntilChange(absl::Duration max_wait) const;
  // Marks the solve finished with `reason` and wakes every subscriber. The
  // first call wins.
  void Finish(v1::StopReason reason);

  // Improvements per source, for the final summary.
  std::map<std::string, int> partition_improvements() const;
  std::map<std::string, int> bound_improvements() const;
  int rejected_offers() const;

  const Graph& graph() const { return graph_; }
  const Params& params() const { return params_; }

 private:
  // Stops the solve when the gap closes; returns the reason or UNSPECIFIED.
  v1::StopReason GapStopReason() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PublishLocked(v1::SolveEvent::Kind kind, absl::string_view source)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Graph& graph_;
  const Params params_;
  SolveContext* const context_;
  const std::vector<SolveObserver*> observers_;

  std::atomic<double> best_ub_{std::numeric_limits<double>::infinity()};
  std::atomic<double> best_lb_{0};

  mutable absl::Mutex mu_;
  BoardSnapshot state_ ABSL_GUARDED_BY(mu_);
  double raw_lower_bound_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, int> partition_improvements_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> bound_improvements_ ABSL_GUARDED_BY(mu_);
  int rejected_offers_ ABSL_GUARDED_BY(mu_) = 0;
};

// For a worker that found no free long-step slot (see SolveContext): idles
// for up to a couple of milliseconds (less if the board changes) so that the
// quick workers queued behind it run, then asks to be stepped again.
bool YieldForLongStepSlot(const SolveContext& ctx, const SolutionBoard& board);

}  // namespace pipecut

#endif  // PIPECUT_CORE_SOLVE_SOLUTION_BOARD_H_
