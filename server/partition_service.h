#ifndef PIPECUT_SERVER_PARTITION_SERVICE_H_
#define PIPECUT_SERVER_PARTITION_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"
#include "core/graph/graph.h"
#include "pipecut/v1/service.grpc.pb.h"
#include "server/job_manager.h"
#include "server/metrics.h"

namespace pipecut::server {

// The thin RPC edge of PartitionService (callback API): validates requests
// with the same core entry points as the CLI (PrepareSolve, EvaluateRequest),
// hands solves to the JobManager and streams them with SolveReactor. Unary
// handlers do only bounded CPU work (validation, evaluation), never wait.
// Thread-safe.
class PartitionServiceImpl final
    : public v1::PartitionService::CallbackService {
 public:
  // `jobs` and `metrics` (may be null) must outlive the service.
  PartitionServiceImpl(JobManager* jobs, Metrics* metrics,
                       const GraphLimits& evaluate_limits = {});

  grpc::ServerWriteReactor<v1::SolveEvent>* Solve(
      grpc::CallbackServerContext* context,
      const v1::SolveRequest* request) override;
  grpc::ServerUnaryReactor* SubmitJob(grpc::CallbackServerContext* context,
                                      const v1::SolveRequest* request,
                                      v1::Job* response) override;
  grpc::ServerWriteReactor<v1::SolveEvent>* WatchJob(
      grpc::CallbackServerContext* context,
      const v1::WatchJobRequest* request) override;
  grpc::ServerUnaryReactor* GetJob(grpc::CallbackServerContext* context,
                                   const v1::GetJobRequest* request,
                                   v1::Job* response) override;
  grpc::ServerUnaryReactor* CancelJob(grpc::CallbackServerContext* context,
                                      const v1::CancelJobRequest* request,
                                      v1::Job* response) override;
  grpc::ServerUnaryReactor* ListJobs(grpc::CallbackServerContext* context,
                                     const v1::ListJobsRequest* request,
                                     v1::ListJobsResponse* response) override;
  grpc::ServerUnaryReactor* Evaluate(grpc::CallbackServerContext* context,
                                     const v1::EvaluateRequest* request,
                                     v1::EvaluateResponse* response) override;

 private:
  // Finishes a unary call and records its metrics.
  grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context,
                                        const grpc::Status& status,
                                        const char* method, absl::Time start);

  JobManager* const jobs_;
  Metrics* const metrics_;
  const GraphLimits evaluate_limits_;
};

// The solver's deadline for an RPC deadline: a little earlier, so the final
// event (STOP_REASON_DEADLINE) still reaches the client before gRPC cancels
// the call. InfiniteFuture for calls without a deadline.
absl::Time SolverDeadline(std::chrono::system_clock::time_point rpc_deadline,
                          absl::Time now);

}  // namespace pipecut::server

#endif  // PIPECUT_SERVER_PARTITION_SERVICE_H_
