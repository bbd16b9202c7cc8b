#include "core/solve/solver.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/solve/portfolio.h"

namespace pipecut {

absl::StatusOr<std::unique_ptr<Solver>> Solver::Create(
    std::shared_ptr<const Graph> graph, int k, const ResolvedOptions& options,
    absl::Time external_deadline, std::vector<SolveObserver*> observers,
    const Clock* clock) {
  if (k < 1 || k > options.max_stages) {
    return absl::InvalidArgumentError(
        absl::StrCat("k = ", k, " is outside [1, ", options.max_stages,
                     "] (options.max_stages)"));
  }
  if (graph->num_nodes() > options.max_nodes) {
    return absl::InvalidArgumentError(
        absl::StrCat("graph has ", graph->num_nodes(),
                     " nodes, above options.max_nodes = ", options.max_nodes));
  }
  return std::unique_ptr<Solver>(new Solver(std::move(graph), k, options,
                                            external_deadline,
                                            std::move(observers), clock));
}

Solver::Solver(std::shared_ptr<const Graph> graph, int k,
               const ResolvedOptions& options, absl::Time external_deadline,
               std::vector<SolveObserver*> observers, const Clock* clock)
    : graph_(std::move(graph)), k_(k), options_(options) {
  context_ = std::make_unique<SolveContext>(
      absl::Seconds(options_.time_limit_seconds), external_deadline, clock);
  context_->set_long_step_slots(std::max(1, options_.num_threads - 1));
  SolutionBoard::Params params;
  params.k = k_;
  params.memory_limit = options_.memory_limit_bytes;
  params.target_relative_gap = options_.target_relative_gap;
  params.optimality_tolerance = options_.optimality_tolerance;
  board_ = std::make_unique<SolutionBoard>(*graph_, params, context_.get(),
                                           std::move(observers));
  workers_ = MakeWorkers(*graph_, k_, options_);
}

Solver::~Solver() {
  Cancel();
  Wait();
}

void Solver::Start(Executor* executor) {
  absl::MutexLock lock(&mu_);
  if (started_) return;
  started_ = true;
  executor_ = executor;
  for (int i = 0; i < static_cast<int>(workers_.size()); ++i)
    ready_.push_back(i);
  const int slots =
      std::min<int>(options_.num_threads, static_cast<int>(workers_.size()));
  if (slots == 0) {
    FinishLocked();
    return;
  }
  live_slots_ = slots;
  for (int i = 0; i < slots; ++i) executor_->Schedule([this] { RunSlot(); });
}

void Solver::RunSlot() {
  int index = -1;
  {
    absl::MutexLock lock(&mu_);
    if (!context_->ShouldStop() && !ready_.empty()) {
      index = ready_.front();
      ready_.pop_front();
    }
    if (index < 0) {
      if (--live_slots_ == 0) FinishLocked();
      return;
    }
  }
  const bool again = workers_[index]->Step(*context_, *board_);
  absl::MutexLock lock(&mu_);
  if (again) ready_.push_back(index);
  executor_->Schedule([this] { RunSlot(); });
}

void Solver::FinishLocked() {
  v1::StopReason reason = context_->stop_reason();
  if (reason == v1::STOP_REASON_UNSPECIFIED) {
    const BoardSnapshot snapshot = board_->Snapshot();
    reason = snapshot.proven_optimal ? v1::STOP_REASON_OPTIMAL
                                     : v1::STOP_REASON_WORKERS_DONE;
  }
  board_->Finish(reason);
  done_ = true;
}

void Solver::Cancel(v1::StopReason reason) { context_->RequestStop(reason); }

void Solver::Wait() {
  absl::MutexLock lock(&mu_);
  if (!started_) {
    FinishLocked();
    return;
  }
  mu_.Await(absl::Condition(&done_));
}

bool Solver::done() const {
  absl::MutexLock lock(&mu_);
  return done_;
}

absl::StatusOr<BoardSnapshot> SolveToCompletion(
    std::shared_ptr<const Graph> graph, int k, const ResolvedOptions& options) {
  auto solver = Solver::Create(std::move(graph), k, options);
  if (!solver.ok()) return solver.status();
  ThreadPool pool(options.num_threads);
  (*solver)->Start(&pool);
  (*solver)->Wait();
  return (*solver)->board().Snapshot();
}

}  // namespace pipecut
