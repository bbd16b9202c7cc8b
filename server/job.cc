#include "server/job.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/plan/plan_builder.h"
#include "core/util/logging.h"

namespace pipecut::server {
namespace {

// At most one logged bound line per job and interval (CP-SAT throttles its
// #Bound lines the same way); partitions are always logged.
constexpr absl::Duration kBoundLogInterval = absl::Seconds(1);

v1::Job::State StateForStop(v1::StopReason reason) {
  switch (reason) {
    case v1::STOP_REASON_CANCELLED:
    case v1::STOP_REASON_SHUTDOWN:
      return v1::Job::STATE_CANCELLED;
    default:
      return v1::Job::STATE_DONE;
  }
}

}  // namespace

double UnixSeconds(absl::Time t) {
  if (t == absl::InfinitePast()) return 0;
  return absl::ToDoubleSeconds(t - absl::UnixEpoch());
}

Job::Job(std::string id, PreparedSolve prepared, absl::Time external_deadline,
         absl::Time submit_time)
    : id_(std::move(id)),
      prepared_(std::move(prepared)),
      external_deadline_(external_deadline),
      submit_time_(submit_time) {}

Job::~Job() {
  {
    absl::MutexLock lock(&mu_);
    if (solver_ != nullptr) solver_->Cancel(v1::STOP_REASON_SHUTDOWN);
  }
  JoinPump();
}

void Job::JoinPump() {
  std::thread pump;
  {
    absl::MutexLock lock(&pump_mu_);
    pump = std::move(pump_);
  }
  if (!pump.joinable()) return;
  // The pump may drop the last reference to its own job.
  if (pump.get_id() == std::this_thread::get_id()) {
    pump.detach();
  } else {
    pump.join();
  }
}

void Job::Subscribe(std::shared_ptr<JobSubscriber> subscriber) {
  BoardSnapshot snapshot;
  absl::Status failure;
  bool failed = false;
  {
    absl::MutexLock lock(&mu_);
    failed = state_ == v1::Job::STATE_FAILED;
    failure = failure_;
    snapshot = latest_;
    if (!failed) subscribers_.push_back(subscriber);
  }
  if (failed) {
    subscriber->OnJobFailed(failure);
  } else if (snapshot.seq > 0 || snapshot.done) {
    subscriber->OnJobUpdate(snapshot);
  }
}

void Job::Unsubscribe(const JobSubscriber* subscriber) {
  absl::MutexLock lock(&mu_);
  subscribers_.erase(
      std::remove_if(subscribers_.begin(), subscribers_.end(),
                     [&](const std::shared_ptr<JobSubscriber>& s) {
                       return s.get() == subscriber;
                     }),
      subscribers_.end());
}

int Job::num_subscribers() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(subscribers_.size());
}

bool Job::stop_requested() const {
  absl::MutexLock lock(&mu_);
  return solver_ != nullptr && solver_->context().stop_requested();
}

absl::Status Job::Start(Executor* executor, Metrics* metrics,
                        std::function<void(std::shared_ptr<Job>)> on_finished) {
  Solver* solver_ptr;
  {
    absl::MutexLock lock(&mu_);
    if (state_ != v1::Job::STATE_QUEUED) {
      return absl::FailedPreconditionError(
          absl::StrCat("job ", id_, " is not queued"));
    }
    std::vector<SolveObserver*> observers;
    if (metrics != nullptr) {
      observer_ = std::make_unique<MetricsObserver>(metrics);
      observers.push_back(observer_.get());
    }
    // The budget counts from here: the solver is created when the job starts.
    absl::StatusOr<std::unique_ptr<Solver>> solver =
        Solver::Create(prepared_.graph, prepared_.k, prepared_.options,
                       external_deadline_, std::move(observers));
    if (!solver.ok()) return solver.status();
    solver_ = *std::move(solver);
    solver_ptr = solver_.get();
    state_ = v1::Job::STATE_RUNNING;
    start_time_ = absl::Now();
  }
  PIPECUT_LOG(Info) << "job=" << id_
                    << " event=start graph=" << prepared_.graph->name()
                    << " nodes=" << prepared_.graph->num_nodes()
                    << " k=" << prepared_.k
                    << " budget_s=" << prepared_.options.time_limit_seconds;
  solver_ptr->Start(executor);
  absl::MutexLock lock(&pump_mu_);
  pump_ = std::thread([self = shared_from_this(), solver_ptr, metrics,
                       on_finished = std::move(on_finished)]() mutable {
    self->Pump(solver_ptr, metrics, std::move(on_finished));
  });
  return absl::OkStatus();
}

void Job::StopRunning(v1::StopReason reason) {
  absl::MutexLock lock(&mu_);
  if (solver_ != nullptr) solver_->Cancel(reason);
}

void Job::Pump(Solver* solver, Metrics* metrics,
               std::function<void(std::shared_ptr<Job>)> on_finished) {
  uint64_t seq = 0;
  BoardSnapshot snapshot;
  do {
    snapshot = solver->board().AwaitChange(seq, absl::InfiniteFuture());
    seq = snapshot.seq;
    if (snapshot.done) {
      absl::MutexLock lock(&mu_);
      state_ = StateForStop(snapshot.stop_reason);
      end_time_ = absl::Now();
    }
    LogProgress(snapshot);
    Publish(snapshot);
  } while (!snapshot.done);
  solver->Wait();

  std::unique_ptr<Solver> finished;
  double run_seconds;
  {
    absl::MutexLock lock(&mu_);
    finished = std::move(solver_);
    run_seconds = absl::ToDoubleSeconds(end_time_ - start_time_);
  }
  std::string table;
  for (const auto& [source, count] : finished->board().partition_improvements())
    absl::StrAppend(&table, " partitions.", source, "=", count);
  for (const auto& [source, count] : finished->board().bound_improvements())
    absl::StrAppend(&table, " bounds.", source, "=", count);
  PIPECUT_LOG(Info) << "job=" << id_ << " event=summary" << table;
  finished.reset();  // frees the workers' memory; the snapshot stays

  if (metrics != nullptr) {
    metrics->RecordJobFinished(Metrics::OutcomeLabel(snapshot.stop_reason),
                               run_seconds, snapshot.relative_gap(),
                               snapshot.incumbent != nullptr);
  }
  on_finished(shared_from_this());
}

void Job::LogProgress(const BoardSnapshot& s) {
  const std::string head = absl::StrFormat(
      "job=%s #%s %.3fs best:%.6g next:[%.6g,%.6g] gap:%.4g", id_,
      s.done
          ? std::string("Done")
          : (s.last_kind == v1::SolveEvent::KIND_BOUND ? std::string("Bound")
                                                       : absl::StrCat(s.seq)),
      s.elapsed_seconds, s.incumbent ? s.best_bottleneck() : 0.0, s.lower_bound,
      s.incumbent ? s.best_bottleneck() : 0.0, s.relative_gap());
  if (s.done) {
    PIPECUT_LOG(Info) << head
                      << " reason=" << Metrics::OutcomeLabel(s.stop_reason);
    return;
  }
  if (s.last_kind == v1::SolveEvent::KIND_BOUND) {
    const absl::Time now = absl::Now();
    if (now - last_bound_log_ < kBoundLogInterval) return;
    last_bound_log_ = now;
  }
  PIPECUT_LOG(Info) << head << " " << s.last_source;
}

void Job::Publish(const BoardSnapshot& snapshot) {
  std::vector<std::shared_ptr<JobSubscriber>> subscribers;
  {
    absl::MutexLock lock(&mu_);
    if (snapshot.seq < latest_.seq) return;
    latest_ = snapshot;
    subscribers = subscribers_;
  }
  // Outside the lock: a subscriber's reaction may run inline and unsubscribe.
  for (const auto& s : subscribers) s->OnJobUpdate(snapshot);
}

void Job::FinishUnstarted(v1::StopReason reason) {
  BoardSnapshot final_snapshot;
  {
    absl::MutexLock lock(&mu_);
    if (state_ != v1::Job::STATE_QUEUED) return;
    state_ = StateForStop(reason);
    end_time_ = absl::Now();
    final_snapshot.seq = latest_.seq + 1;
    final_snapshot.done = true;
    final_snapshot.stop_reason = reason;
    final_snapshot.last_kind = v1::SolveEvent::KIND_FINAL;
  }
  PIPECUT_LOG(Info) << "job=" << id_ << " event=finish_unstarted reason="
                    << Metrics::OutcomeLabel(reason);
  Publish(final_snapshot);
}

void Job::Fail(const absl::Status& status) {
  std::vector<std::shared_ptr<JobSubscriber>> subscribers;
  {
    absl::MutexLock lock(&mu_);
    state_ = v1::Job::STATE_FAILED;
    end_time_ = absl::Now();
    error_ = std::string(status.message());
    failure_ = status;
    subscribers.swap(subscribers_);
  }
  PIPECUT_LOG(Error) << "job=" << id_ << " event=failed error=" << status;
  for (const auto& s : subscribers) s->OnJobFailed(status);
}

v1::Job::State Job::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

bool Job::finished() const {
  absl::MutexLock lock(&mu_);
  return state_ == v1::Job::STATE_DONE || state_ == v1::Job::STATE_CANCELLED ||
         state_ == v1::Job::STATE_FAILED;
}

absl::Time Job::end_time() const {
  absl::MutexLock lock(&mu_);
  return end_time_;
}

BoardSnapshot Job::latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

v1::Job Job::ToProto(bool with_plan) const {
  v1::Job job;
  BoardSnapshot snapshot;
  {
    absl::MutexLock lock(&mu_);
    job.set_state(state_);
    job.set_start_time(UnixSeconds(start_time_));
    job.set_end_time(UnixSeconds(end_time_));
    job.set_error(error_);
    snapshot = latest_;
  }
  job.set_id(id_);
  job.set_graph_name(prepared_.graph->name());
  job.set_k(prepared_.k);
  job.set_submit_time(UnixSeconds(submit_time_));
  if (snapshot.seq > 0 || snapshot.done) {
    *job.mutable_latest() = EventFromSnapshot(*prepared_.graph, prepared_.k,
                                              snapshot, nullptr, with_plan);
    job.mutable_latest()->set_job_id(id_);
  }
  return job;
}

}  // namespace pipecut::server
