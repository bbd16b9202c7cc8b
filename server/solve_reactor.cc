#include "server/solve_reactor.h"

#include <chrono>
#include <utility>

#include "core/plan/plan_builder.h"
#include "server/status_util.h"

namespace pipecut::server {

SolveReactor::SolveReactor(grpc::CallbackServerContext* context,
                           std::shared_ptr<Job> job, JobManager* jobs,
                           Metrics* metrics, Mode mode)
    : context_(context),
      job_(std::move(job)),
      jobs_(jobs),
      metrics_(metrics),
      mode_(mode) {}

SolveReactor* SolveReactor::Start(grpc::CallbackServerContext* context,
                                  std::shared_ptr<Job> job, JobManager* jobs,
                                  Metrics* metrics, Mode mode) {
  std::shared_ptr<SolveReactor> reactor(
      new SolveReactor(context, job, jobs, metrics, mode));
  reactor->self_ = reactor;
  // Writes started before gRPC binds the reactor are backlogged by gRPC.
  job->Subscribe(reactor);
  return reactor.get();
}

const char* SolveReactor::method() const {
  return mode_ == Mode::kSolve ? "Solve" : "WatchJob";
}

void SolveReactor::OnJobUpdate(const BoardSnapshot& snapshot) {
  Action action;
  {
    absl::MutexLock lock(&mu_);
    // Snapshots arrive from the pump and from the replay at subscription;
    // keep only newer ones so the stream stays monotone.
    if (finished_ || final_seen_ || snapshot.seq <= last_seq_) return;
    last_seq_ = snapshot.seq;
    final_seen_ = snapshot.done;
    pending_ = snapshot;
    action = NextLocked();
  }
  Perform(action);
}

void SolveReactor::OnJobFailed(const absl::Status& status) {
  Action action;
  {
    absl::MutexLock lock(&mu_);
    error_ = ToGrpcStatus(status);
    action = NextLocked();
  }
  Perform(action);
}

SolveReactor::Action SolveReactor::NextLocked() {
  Action action;
  if (writing_ || finished_) return action;
  if (cancelled_ || error_.has_value()) {
    finished_ = true;
    action.kind = Action::kFinish;
    action.status = cancelled_ ? grpc::Status(grpc::StatusCode::CANCELLED,
                                              "the stream was cancelled")
                               : *error_;
    final_code_ = action.status.error_code();
    return action;
  }
  if (!pending_.has_value()) return action;
  const BoardSnapshot snapshot = *std::move(pending_);
  pending_.reset();
  in_flight_ =
      EventFromSnapshot(job_->graph(), job_->k(), snapshot, last_sent_.get());
  if (in_flight_.kind() != v1::SolveEvent::KIND_BOUND) {
    last_sent_ = snapshot.incumbent;
  }
  if (mode_ == Mode::kWatch) in_flight_.set_job_id(job_->id());
  writing_ = true;
  if (snapshot.done) {
    finished_ = true;
    final_code_ = grpc::StatusCode::OK;
    action.kind = Action::kWriteAndFinish;
  } else {
    action.kind = Action::kWrite;
  }
  return action;
}

void SolveReactor::Perform(const Action& action) {
  switch (action.kind) {
    case Action::kNone:
      return;
    case Action::kWrite:
      StartWrite(&in_flight_);
      return;
    case Action::kWriteAndFinish:
      StartWriteAndFinish(&in_flight_, grpc::WriteOptions(), grpc::Status::OK);
      return;
    case Action::kFinish:
      Finish(action.status);
      return;
  }
}

void SolveReactor::OnWriteDone(bool ok) {
  Action action;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) cancelled_ = true;  // the client is gone
    action = NextLocked();
  }
  Perform(action);
}

void SolveReactor::OnCancel() {
  Action action;
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    action = NextLocked();
  }
  if (mode_ == Mode::kSolve) {
    // The Solve stream owns its job: a dropped stream stops the solve. Tell a
    // passed deadline apart from a client cancel for logs and metrics. The
    // client may cut the call at its deadline slightly before the server's
    // timer fires, so compare with the solver's deadline, which sits a
    // margin earlier (SolverDeadline).
    const bool deadline_passed = absl::Now() >= job_->external_deadline();
    jobs_->Cancel(job_, deadline_passed ? v1::STOP_REASON_DEADLINE
                                        : v1::STOP_REASON_CANCELLED);
  }
  Perform(action);
}

void SolveReactor::OnDone() {
  job_->Unsubscribe(this);
  grpc::StatusCode code;
  {
    absl::MutexLock lock(&mu_);
    code = final_code_;
  }
  if (metrics_ != nullptr) {
    metrics_->RecordRpc(method(), code,
                        absl::ToDoubleSeconds(absl::Now() - start_));
  }
  // Dropping the self-reference may delete this; nothing may follow.
  std::shared_ptr<SolveReactor> self = std::move(self_);
}

namespace {

class FailedStreamReactor : public grpc::ServerWriteReactor<v1::SolveEvent> {
 public:
  FailedStreamReactor(const grpc::Status& status, absl::string_view method,
                      Metrics* metrics) {
    if (metrics != nullptr) metrics->RecordRpc(method, status.error_code(), 0);
    Finish(status);
  }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::SolveEvent>* FailedStream(
    const grpc::Status& status, absl::string_view method, Metrics* metrics) {
  return new FailedStreamReactor(status, method, metrics);
}

}  // namespace pipecut::server
