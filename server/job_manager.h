#ifndef PIPECUT_SERVER_JOB_MANAGER_H_
#define PIPECUT_SERVER_JOB_MANAGER_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/solve/executor.h"
#include "core/solve/solve_request.h"
#include "server/job.h"
#include "server/metrics.h"

namespace pipecut::server {

// Admission and retention limits of the job scheduler.
struct JobLimits {
  // Jobs solving at once; they share the one thread pool. Default 4.
  int max_running_jobs = 4;
  // Jobs waiting for a running slot; beyond it SubmitJob and Solve get
  // RESOURCE_EXHAUSTED. 0 = no queue. Default 64.
  int max_queued_jobs = 64;
  // How long a finished job stays visible to GetJob/WatchJob/ListJobs.
  // Default 1 hour.
  absl::Duration finished_job_ttl = absl::Hours(1);
  // Finished jobs kept at most (oldest dropped first). Default 1000.
  int max_finished_jobs = 1000;
};

// Schedules jobs on the shared executor: at most max_running_jobs run, at
// most max_queued_jobs wait (FIFO), the rest are refused; finished jobs are
// kept for a while, then dropped. Thread-safe. Lock order: manager, then job.
class JobManager {
 public:
  // `executor` and `metrics` (may be null) must outlive the manager.
  JobManager(const JobLimits& limits, Executor* executor, Metrics* metrics);
  // Cancels everything (STOP_REASON_SHUTDOWN) and waits for the pumps.
  ~JobManager();
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  // Starts or queues a job. RESOURCE_EXHAUSTED names the limit that refused
  // it; UNAVAILABLE while draining.
  absl::StatusOr<std::shared_ptr<Job>> Submit(PreparedSolve prepared,
                                              absl::Time external_deadline);
  // NOT_FOUND for an unknown or expired id.
  absl::StatusOr<std::shared_ptr<Job>> Find(const std::string& id);
  // Stops a running job or ends a queued one with `reason`; a finished job is
  // left as it is.
  void Cancel(const std::shared_ptr<Job>& job, v1::StopReason reason);
  // Known jobs, newest submission first.
  std::vector<std::shared_ptr<Job>> List();

  // Draining: refuse new jobs and end the queued ones (STOP_REASON_SHUTDOWN).
  void StopAccepting();
  // Stops every running job with `reason`.
  void StopAllRunning(v1::StopReason reason);
  // True once no job runs or waits; false when `deadline` passed first.
  bool AwaitIdle(absl::Time deadline);

  int running() const;
  int queued() const;

 private:
  void OnJobFinished(const std::shared_ptr<Job>& job);
  // Work that notifies subscribers runs after mu_ is released: a stream's
  // reactions may run inline and call back into the manager.
  using Deferred = std::vector<std::function<void()>>;
  static void Run(Deferred& deferred);
  void StartQueuedLocked(Deferred& deferred) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndUnstartedLocked(std::shared_ptr<Job> job, v1::StopReason reason,
                          Deferred& deferred)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EvictLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateGaugesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NewIdLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const JobLimits limits_;
  Executor* const executor_;
  Metrics* const metrics_;

  mutable absl::Mutex mu_;
  bool accepting_ ABSL_GUARDED_BY(mu_) = true;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::shared_ptr<Job>> queue_ ABSL_GUARDED_BY(mu_);
  // Every known job by id, and the order of submission.
  std::map<std::string, std::shared_ptr<Job>> jobs_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> submitted_ ABSL_GUARDED_BY(mu_);
  // Finished jobs, oldest first, for retention.
  std::deque<std::string> finished_ ABSL_GUARDED_BY(mu_);
  absl::BitGen bitgen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pipecut::server

#endif  // PIPECUT_SERVER_JOB_MANAGER_H_
