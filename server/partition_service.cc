#include "server/partition_service.h"

#include <algorithm>
#include <chrono>

#include "core/plan/evaluate_request.h"
#include "core/solve/solve_request.h"
#include "core/util/logging.h"
#include "server/solve_reactor.h"
#include "server/status_util.h"

namespace pipecut::server {
namespace {

// Margin kept between the solver's stop and the RPC deadline: enough to
// serialise and send the final plan, small against the caller's budget.
constexpr absl::Duration kMaxDeadlineMargin = absl::Milliseconds(200);
constexpr double kDeadlineMarginFraction = 0.1;

}  // namespace

absl::Time SolverDeadline(std::chrono::system_clock::time_point rpc_deadline,
                          absl::Time now) {
  if (rpc_deadline == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  const absl::Time deadline = absl::FromChrono(rpc_deadline);
  const absl::Duration remaining =
      std::max(deadline - now, absl::ZeroDuration());
  return deadline -
         std::min(kMaxDeadlineMargin, remaining * kDeadlineMarginFraction);
}

PartitionServiceImpl::PartitionServiceImpl(JobManager* jobs, Metrics* metrics,
                                           const GraphLimits& evaluate_limits)
    : jobs_(jobs), metrics_(metrics), evaluate_limits_(evaluate_limits) {}

grpc::ServerUnaryReactor* PartitionServiceImpl::FinishUnary(
    grpc::CallbackServerContext* context, const grpc::Status& status,
    const char* method, absl::Time start) {
  if (!status.ok()) {
    PIPECUT_LOG(Info) << "rpc=" << method
                      << " code=" << GrpcCodeName(status.error_code())
                      << " error=\"" << status.error_message() << "\"";
  }
  if (metrics_ != nullptr) {
    metrics_->RecordRpc(method, status.error_code(),
                        absl::ToDoubleSeconds(absl::Now() - start));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

grpc::ServerWriteReactor<v1::SolveEvent>* PartitionServiceImpl::Solve(
    grpc::CallbackServerContext* context, const v1::SolveRequest* request) {
  absl::StatusOr<PreparedSolve> prepared = PrepareSolve(*request);
  if (!prepared.ok()) {
    if (metrics_ != nullptr) metrics_->RecordRejectedJob();
    PIPECUT_LOG(Info) << "rpc=Solve code=INVALID_ARGUMENT error=\""
                      << prepared.status().message() << "\"";
    return FailedStream(ToGrpcStatus(prepared.status()), "Solve", metrics_);
  }
  absl::StatusOr<std::shared_ptr<Job>> job = jobs_->Submit(
      *std::move(prepared), SolverDeadline(context->deadline(), absl::Now()));
  if (!job.ok()) {
    PIPECUT_LOG(Info) << "rpc=Solve error=\"" << job.status().message() << "\"";
    return FailedStream(ToGrpcStatus(job.status()), "Solve", metrics_);
  }
  return SolveReactor::Start(context, *std::move(job), jobs_, metrics_,
                             SolveReactor::Mode::kSolve);
}

grpc::ServerUnaryReactor* PartitionServiceImpl::SubmitJob(
    grpc::CallbackServerContext* context, const v1::SolveRequest* request,
    v1::Job* response) {
  const absl::Time start = absl::Now();
  absl::StatusOr<PreparedSolve> prepared = PrepareSolve(*request);
  if (!prepared.ok()) {
    if (metrics_ != nullptr) metrics_->RecordRejectedJob();
    return FinishUnary(context, ToGrpcStatus(prepared.status()), "SubmitJob",
                       start);
  }
  // A submitted job is not bound to this call: no RPC deadline for it.
  absl::StatusOr<std::shared_ptr<Job>> job =
      jobs_->Submit(*std::move(prepared), absl::InfiniteFuture());
  if (!job.ok()) {
    return FinishUnary(context, ToGrpcStatus(job.status()), "SubmitJob", start);
  }
  *response = (*job)->ToProto(/*with_plan=*/true);
  return FinishUnary(context, grpc::Status::OK, "SubmitJob", start);
}

grpc::ServerWriteReactor<v1::SolveEvent>* PartitionServiceImpl::WatchJob(
    grpc::CallbackServerContext* context, const v1::WatchJobRequest* request) {
  absl::StatusOr<std::shared_ptr<Job>> job = jobs_->Find(request->job_id());
  if (!job.ok()) {
    return FailedStream(ToGrpcStatus(job.status()), "WatchJob", metrics_);
  }
  return SolveReactor::Start(context, *std::move(job), jobs_, metrics_,
                             SolveReactor::Mode::kWatch);
}

grpc::ServerUnaryReactor* PartitionServiceImpl::GetJob(
    grpc::CallbackServerContext* context, const v1::GetJobRequest* request,
    v1::Job* response) {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::shared_ptr<Job>> job = jobs_->Find(request->job_id());
  if (!job.ok()) {
    return FinishUnary(context, ToGrpcStatus(job.status()), "GetJob", start);
  }
  *response = (*job)->ToProto(/*with_plan=*/true);
  return FinishUnary(context, grpc::Status::OK, "GetJob", start);
}

grpc::ServerUnaryReactor* PartitionServiceImpl::CancelJob(
    grpc::CallbackServerContext* context, const v1::CancelJobRequest* request,
    v1::Job* response) {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::shared_ptr<Job>> job = jobs_->Find(request->job_id());
  if (!job.ok()) {
    return FinishUnary(context, ToGrpcStatus(job.status()), "CancelJob", start);
  }
  jobs_->Cancel(*job, v1::STOP_REASON_CANCELLED);
  *response = (*job)->ToProto(/*with_plan=*/true);
  return FinishUnary(context, grpc::Status::OK, "CancelJob", start);
}

grpc::ServerUnaryReactor* PartitionServiceImpl::ListJobs(
    grpc::CallbackServerContext* context,
    const v1::ListJobsRequest* /*request*/, v1::ListJobsResponse* response) {
  const absl::Time start = absl::Now();
  // Plans are left out: a listing of many jobs on big graphs would otherwise
  // be huge. GetJob returns a job's plan.
  for (const std::shared_ptr<Job>& job : jobs_->List()) {
    *response->add_jobs() = job->ToProto(/*with_plan=*/false);
  }
  return FinishUnary(context, grpc::Status::OK, "ListJobs", start);
}

grpc::ServerUnaryReactor* PartitionServiceImpl::Evaluate(
    grpc::CallbackServerContext* context, const v1::EvaluateRequest* request,
    v1::EvaluateResponse* response) {
  const absl::Time start = absl::Now();
  absl::StatusOr<v1::EvaluateResponse> result =
      EvaluateRequest(*request, evaluate_limits_);
  if (!result.ok()) {
    return FinishUnary(context, ToGrpcStatus(result.status()), "Evaluate",
                       start);
  }
  *response = *std::move(result);
  return FinishUnary(context, grpc::Status::OK, "Evaluate", start);
}

}  // namespace pipecut::server
