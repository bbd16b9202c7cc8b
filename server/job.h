#ifndef PIPECUT_SERVER_JOB_H_
#define PIPECUT_SERVER_JOB_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/solve/executor.h"
#include "core/solve/solution_board.h"
#include "core/solve/solve_request.h"
#include "core/solve/solver.h"
#include "pipecut/v1/service.pb.h"
#include "server/metrics.h"

namespace pipecut::server {

// Receives a job's progress (a stream reactor). Calls may come from several
// threads and may skip or repeat snapshots; implementations keep the newest
// by seq and must not block.
class JobSubscriber {
 public:
  virtual ~JobSubscriber() = default;
  virtual void OnJobUpdate(const BoardSnapshot& snapshot) = 0;
  // The job could not start; the stream should end with `status`.
  virtual void OnJobFailed(const absl::Status& status) = 0;
};

// One solve, queued or running or finished. The Solver is created when the job
// starts (so its budget counts from then) and released when it ends; the
// final snapshot stays for GetJob and late watchers. A per-job pump thread
// follows the board (AwaitChange coalesces updates) and fans snapshots out to
// subscribers, so no subscriber work ever runs on a solver thread or under
// the board's lock. Thread-safe.
class Job : public std::enable_shared_from_this<Job> {
 public:
  // `external_deadline` is e.g. the Solve RPC's deadline.
  Job(std::string id, PreparedSolve prepared, absl::Time external_deadline,
      absl::Time submit_time);
  ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  const std::string& id() const { return id_; }
  const Graph& graph() const { return *prepared_.graph; }
  int k() const { return prepared_.k; }
  // The solver's external deadline (InfiniteFuture for submitted jobs).
  absl::Time external_deadline() const { return external_deadline_; }

  // Adds `subscriber` and replays the current state to it (nothing while
  // queued). A finished job replays its final snapshot.
  void Subscribe(std::shared_ptr<JobSubscriber> subscriber);
  void Unsubscribe(const JobSubscriber* subscriber);
  // Streams following the job now (for logs and tests).
  int num_subscribers() const;
  // True once a running job was asked to stop (for tests and logs).
  bool stop_requested() const;

  // --- Called by JobManager. ---
  // Creates the Solver, schedules it on `executor` and starts the pump;
  // `on_finished` runs on the pump thread once the final state is published.
  absl::Status Start(Executor* executor, Metrics* metrics,
                     std::function<void(std::shared_ptr<Job>)> on_finished);
  // Asks a running solve to stop; no-op when finished or not started.
  void StopRunning(v1::StopReason reason);
  // Ends a job that never started (cancelled in the queue, shutdown) with a
  // final event carrying `reason`.
  void FinishUnstarted(v1::StopReason reason);
  // Ends a job whose start failed: STATE_FAILED with `status`.
  void Fail(const absl::Status& status);
  // Joins the pump thread (a no-op on the pump thread itself).
  void JoinPump();

  v1::Job::State state() const;
  bool finished() const;
  absl::Time end_time() const;
  // The job's wire form; `with_plan = false` omits latest.plan.
  v1::Job ToProto(bool with_plan) const;
  // The latest snapshot (seq 0 while queued).
  BoardSnapshot latest() const;

 private:
  void Pump(Solver* solver, Metrics* metrics,
            std::function<void(std::shared_ptr<Job>)> on_finished);
  // Stores `snapshot` and offers it to every subscriber (outside the lock).
  void Publish(const BoardSnapshot& snapshot);
  void LogProgress(const BoardSnapshot& snapshot);

  const std::string id_;
  const PreparedSolve prepared_;
  const absl::Time external_deadline_;
  const absl::Time submit_time_;

  mutable absl::Mutex mu_;
  v1::Job::State state_ ABSL_GUARDED_BY(mu_) = v1::Job::STATE_QUEUED;
  absl::Time start_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time end_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string error_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<MetricsObserver> observer_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Solver> solver_ ABSL_GUARDED_BY(mu_);
  BoardSnapshot latest_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<JobSubscriber>> subscribers_ ABSL_GUARDED_BY(mu_);
  absl::Mutex pump_mu_;
  std::thread pump_ ABSL_GUARDED_BY(pump_mu_);  // set by Start, joined once

  // Pump-thread only: throttling of bound log lines.
  absl::Time last_bound_log_ = absl::InfinitePast();
};

// Unix seconds of `t`, 0 for InfinitePast (not reached).
double UnixSeconds(absl::Time t);

}  // namespace pipecut::server

#endif  // PIPECUT_SERVER_JOB_H_
