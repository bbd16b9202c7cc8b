#ifndef PIPECUT_CORE_SOLVE_SOLVER_H_
#define PIPECUT_CORE_SOLVE_SOLVER_H_

#include <deque>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/graph/graph.h"
#include "core/options.h"
#include "core/solve/executor.h"
#include "core/solve/solution_board.h"
#include "core/solve/solve_context.h"
#include "core/solve/worker.h"

namespace pipecut {

// Orchestrates one solve: owns the context (stop token, deadline), the board
// and the workers, and runs worker steps on an Executor with at most
// options.num_threads steps in flight. Each step is its own task, so solves
// sharing an executor interleave. Thread-safe.
class Solver {
 public:
  // Validates k against the options and the graph. The time limit counts from
  // this call.
  static absl::StatusOr<std::unique_ptr<Solver>> Create(
      std::shared_ptr<const Graph> graph, int k, const ResolvedOptions& options,
      absl::Time external_deadline = absl::InfiniteFuture(),
      std::vector<SolveObserver*> observers = {},
      const Clock* clock = Clock::Real());

  ~Solver();

  // Schedules the workers on `executor` (which must outlive the solve) and
  // returns at once.
  void Start(Executor* executor);
  // Asks every worker to stop; the final event follows once steps return.
  void Cancel(v1::StopReason reason = v1::STOP_REASON_CANCELLED);
  // Blocks until the final state is on the board.
  void Wait();
  bool done() const;

  const SolutionBoard& board() const { return *board_; }
  const SolveContext& context() const { return *context_; }
  const Graph& graph() const { return *graph_; }
  int k() const { return k_; }
  const ResolvedOptions& options() const { return options_; }

 private:
  Solver(std::shared_ptr<const Graph> graph, int k,
         const ResolvedOptions& options, absl::Time external_deadline,
         std::vector<SolveObserver*> observers, const Clock* clock);

  // One task: steps one ready worker, then reschedules itself.
  void RunSlot();
  void FinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<const Graph> graph_;
  const int k_;
  const ResolvedOptions options_;
  std::unique_ptr<SolveContext> context_;
  std::unique_ptr<SolutionBoard> board_;
  std::vector<std::unique_ptr<Worker>> workers_;
  Executor* executor_ = nullptr;

  mutable absl::Mutex mu_;
  std::deque<int> ready_ ABSL_GUARDED_BY(mu_);  // indices into workers_
  int live_slots_ ABSL_GUARDED_BY(mu_) = 0;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

// Runs a whole solve on a private pool of options.num_threads threads and
// returns the final snapshot. For the CLI, tests and benchmarks.
absl::StatusOr<BoardSnapshot> SolveToCompletion(
    std::shared_ptr<const Graph> graph, int k, const ResolvedOptions& options);

}  // namespace pipecut

#endif  // PIPECUT_CORE_SOLVE_SOLVER_H_
