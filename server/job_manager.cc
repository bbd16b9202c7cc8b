#include "server/job_manager.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/util/logging.h"

namespace pipecut::server {

JobManager::JobManager(const JobLimits& limits, Executor* executor,
                       Metrics* metrics)
    : limits_(limits), executor_(executor), metrics_(metrics) {
  absl::MutexLock lock(&mu_);
  UpdateGaugesLocked();
}

JobManager::~JobManager() {
  StopAccepting();
  StopAllRunning(v1::STOP_REASON_SHUTDOWN);
  AwaitIdle(absl::InfiniteFuture());
  std::map<std::string, std::shared_ptr<Job>> jobs;
  {
    absl::MutexLock lock(&mu_);
    jobs.swap(jobs_);
  }
  for (auto& [id, job] : jobs) job->JoinPump();
}

std::string JobManager::NewIdLocked() {
  while (true) {
    std::string id = absl::StrFormat(
        "job-%012x", absl::Uniform<uint64_t>(bitgen_) & 0xffffffffffffULL);
    if (!jobs_.contains(id)) return id;
  }
}

void JobManager::Run(Deferred& deferred) {
  for (auto& f : deferred) f();
  deferred.clear();
}

absl::StatusOr<std::shared_ptr<Job>> JobManager::Submit(
    PreparedSolve prepared, absl::Time external_deadline) {
  Deferred deferred;
  std::shared_ptr<Job> job;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    EvictLocked(now);
    if (!accepting_) {
      return absl::UnavailableError("server is shutting down: no new jobs");
    }
    const bool can_run = running_ < limits_.max_running_jobs && queue_.empty();
    if (!can_run &&
        static_cast<int>(queue_.size()) >= limits_.max_queued_jobs) {
      if (metrics_ != nullptr) metrics_->RecordRejectedJob();
      return absl::ResourceExhaustedError(absl::StrCat(
          "job queue is full: ", running_, " running (max_running_jobs = ",
          limits_.max_running_jobs, ") and ", queue_.size(),
          " queued (max_queued_jobs = ", limits_.max_queued_jobs, ")"));
    }
    job = std::make_shared<Job>(NewIdLocked(), std::move(prepared),
                                external_deadline, now);
    jobs_[job->id()] = job;
    submitted_.push_back(job->id());
    queue_.push_back(job);
    PIPECUT_LOG(Info) << "job=" << job->id()
                      << " event=submit graph=" << job->graph().name()
                      << " k=" << job->k() << " queued=" << queue_.size()
                      << " running=" << running_;
    StartQueuedLocked(deferred);
    UpdateGaugesLocked();
  }
  Run(deferred);
  return job;
}

void JobManager::EndUnstartedLocked(std::shared_ptr<Job> job,
                                    v1::StopReason reason, Deferred& deferred) {
  finished_.push_back(job->id());
  if (metrics_ != nullptr) {
    metrics_->RecordJobFinished(Metrics::OutcomeLabel(reason), 0, 1, false);
  }
  deferred.push_back([job, reason] { job->FinishUnstarted(reason); });
}

void JobManager::StartQueuedLocked(Deferred& deferred) {
  while (accepting_ && running_ < limits_.max_running_jobs && !queue_.empty()) {
    std::shared_ptr<Job> job = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    absl::Status started =
        job->Start(executor_, metrics_,
                   [this](std::shared_ptr<Job> j) { OnJobFinished(j); });
    if (!started.ok()) {
      --running_;
      finished_.push_back(job->id());
      deferred.push_back([job, started] { job->Fail(started); });
      if (metrics_ != nullptr)
        metrics_->RecordJobFinished("failed", 0, 1, false);
    }
  }
}

void JobManager::OnJobFinished(const std::shared_ptr<Job>& job) {
  Deferred deferred;
  {
    absl::MutexLock lock(&mu_);
    --running_;
    finished_.push_back(job->id());
    StartQueuedLocked(deferred);
    EvictLocked(absl::Now());
    UpdateGaugesLocked();
  }
  Run(deferred);
}

void JobManager::EvictLocked(absl::Time now) {
  while (!finished_.empty()) {
    auto it = jobs_.find(finished_.front());
    const bool too_many =
        static_cast<int>(finished_.size()) > limits_.max_finished_jobs;
    const bool expired =
        it == jobs_.end() ||
        it->second->end_time() + limits_.finished_job_ttl <= now;
    if (!too_many && !expired) break;
    if (it != jobs_.end()) {
      // The pump has returned from OnJobFinished, so this join is short.
      it->second->JoinPump();
      PIPECUT_LOG(Debug) << "job=" << it->first << " event=evicted";
      jobs_.erase(it);
    }
    finished_.pop_front();
  }
  // Forget ids of evicted jobs in the submission order.
  while (!submitted_.empty() && !jobs_.contains(submitted_.front())) {
    submitted_.pop_front();
  }
}

absl::StatusOr<std::shared_ptr<Job>> JobManager::Find(const std::string& id) {
  absl::MutexLock lock(&mu_);
  EvictLocked(absl::Now());
  auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    return absl::NotFoundError(
        absl::StrCat("job '", id, "' is unknown or expired"));
  }
  return it->second;
}

void JobManager::Cancel(const std::shared_ptr<Job>& job,
                        v1::StopReason reason) {
  Deferred deferred;
  {
    absl::MutexLock lock(&mu_);
    auto it = std::find(queue_.begin(), queue_.end(), job);
    if (it != queue_.end()) {
      queue_.erase(it);
      EndUnstartedLocked(job, reason, deferred);
      UpdateGaugesLocked();
    }
  }
  if (!deferred.empty()) {
    Run(deferred);
    return;
  }
  PIPECUT_LOG(Info) << "job=" << job->id()
                    << " event=cancel reason=" << Metrics::OutcomeLabel(reason);
  job->StopRunning(reason);
}

std::vector<std::shared_ptr<Job>> JobManager::List() {
  absl::MutexLock lock(&mu_);
  EvictLocked(absl::Now());
  std::vector<std::shared_ptr<Job>> jobs;
  for (auto it = submitted_.rbegin(); it != submitted_.rend(); ++it) {
    auto found = jobs_.find(*it);
    if (found != jobs_.end()) jobs.push_back(found->second);
  }
  return jobs;
}

void JobManager::StopAccepting() {
  Deferred deferred;
  {
    absl::MutexLock lock(&mu_);
    accepting_ = false;
    while (!queue_.empty()) {
      std::shared_ptr<Job> job = std::move(queue_.front());
      queue_.pop_front();
      EndUnstartedLocked(std::move(job), v1::STOP_REASON_SHUTDOWN, deferred);
    }
    UpdateGaugesLocked();
  }
  Run(deferred);
}

void JobManager::StopAllRunning(v1::StopReason reason) {
  std::vector<std::shared_ptr<Job>> jobs;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [id, job] : jobs_) jobs.push_back(job);
  }
  for (auto& job : jobs) job->StopRunning(reason);
}

bool JobManager::AwaitIdle(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return running_ == 0 && queue_.empty();
  };
  return mu_.AwaitWithDeadline(absl::Condition(&idle), deadline);
}

int JobManager::running() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

int JobManager::queued() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(queue_.size());
}

void JobManager::UpdateGaugesLocked() {
  if (metrics_ != nullptr) {
    metrics_->SetJobCounts(running_, static_cast<int>(queue_.size()));
  }
}

}  // namespace pipecut::server
