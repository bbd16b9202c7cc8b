#ifndef PIPECUT_SERVER_SOLVE_REACTOR_H_
#define PIPECUT_SERVER_SOLVE_REACTOR_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipecut/v1/service.grpc.pb.h"
#include "server/job.h"
#include "server/job_manager.h"
#include "server/metrics.h"

namespace pipecut::server {

// Streams one job's events to one client (Solve and WatchJob), following
// STYLE.md item 8: a `pending_` slot holds only the latest snapshot (updates
// coalesce, a slow reader never builds a backlog), `in_flight_` is left alone
// until OnWriteDone, and exactly one of the threads involved holds the
// "write token" at a time, so Finish runs exactly once and never overlaps a
// write. No lock is held while calling into gRPC, because reactions may run
// inline. The reactor owns itself until OnDone.
class SolveReactor : public grpc::ServerWriteReactor<v1::SolveEvent>,
                     public JobSubscriber {
 public:
  enum class Mode {
    kSolve,  // the stream owns the job: dropping the stream cancels it
    kWatch,  // the job outlives the stream; events carry job_id
  };

  // Creates the reactor and subscribes it to `job` (which replays the current
  // state). Returns the pointer to hand to gRPC.
  static SolveReactor* Start(grpc::CallbackServerContext* context,
                             std::shared_ptr<Job> job, JobManager* jobs,
                             Metrics* metrics, Mode mode);

  void OnJobUpdate(const BoardSnapshot& snapshot) override;
  void OnJobFailed(const absl::Status& status) override;

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  SolveReactor(grpc::CallbackServerContext* context, std::shared_ptr<Job> job,
               JobManager* jobs, Metrics* metrics, Mode mode);

  // What the token holder must do once the lock is released.
  struct Action {
    enum Kind { kNone, kWrite, kWriteAndFinish, kFinish } kind = kNone;
    grpc::Status status;
  };
  // Decides the next operation if nobody holds the token; takes it if so.
  Action NextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Perform(const Action& action);
  const char* method() const;

  grpc::CallbackServerContext* const context_;
  const std::shared_ptr<Job> job_;
  JobManager* const jobs_;
  Metrics* const metrics_;
  const Mode mode_;
  const absl::Time start_ = absl::Now();
  std::shared_ptr<SolveReactor> self_;  // released in OnDone

  absl::Mutex mu_;
  std::optional<BoardSnapshot> pending_ ABSL_GUARDED_BY(mu_);
  uint64_t last_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool final_seen_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<const Incumbent> last_sent_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;   // the write token is out
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // Finish was called
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> error_ ABSL_GUARDED_BY(mu_);
  grpc::StatusCode final_code_ ABSL_GUARDED_BY(mu_) = grpc::StatusCode::OK;
  v1::SolveEvent in_flight_;  // touched only by the token holder
};

// A stream that ends at once with `status` (bad input, limits, NOT_FOUND).
grpc::ServerWriteReactor<v1::SolveEvent>* FailedStream(
    const grpc::Status& status, absl::string_view method, Metrics* metrics);

}  // namespace pipecut::server

#endif  // PIPECUT_SERVER_SOLVE_REACTOR_H_
