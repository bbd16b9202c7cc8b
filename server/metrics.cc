#include "server/metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/solve/portfolio.h"
#include "server/status_util.h"

namespace pipecut::server {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// The service's RPC methods and the codes it returns; all start at zero.
const std::vector<std::string>& RpcMethods() {
  static const auto* const kMethods = new std::vector<std::string>{
      "Solve",     "SubmitJob", "WatchJob", "GetJob",
      "CancelJob", "ListJobs",  "Evaluate"};
  return *kMethods;
}
constexpr grpc::StatusCode kRpcCodes[] = {
    grpc::StatusCode::OK,
    grpc::StatusCode::CANCELLED,
    grpc::StatusCode::INVALID_ARGUMENT,
    grpc::StatusCode::DEADLINE_EXCEEDED,
    grpc::StatusCode::NOT_FOUND,
    grpc::StatusCode::RESOURCE_EXHAUSTED,
    grpc::StatusCode::UNAVAILABLE,
    grpc::StatusCode::INTERNAL,
};
// Job outcomes: the stop reasons, plus jobs that failed to start and jobs
// refused by a limit or bad input.
constexpr v1::StopReason kStopReasons[] = {
    v1::STOP_REASON_OPTIMAL,    v1::STOP_REASON_TARGET_GAP,
    v1::STOP_REASON_TIME_LIMIT, v1::STOP_REASON_WORKERS_DONE,
    v1::STOP_REASON_CANCELLED,  v1::STOP_REASON_DEADLINE,
    v1::STOP_REASON_INFEASIBLE, v1::STOP_REASON_SHUTDOWN,
};
// MIP models and statuses the bound workers report through OnMipSolve.
const char* const kMipModels[] = {"bottleneck_mip", "guess_mip", "exact_mip"};
const char* const kMipStatuses[] = {"optimal",    "time_limit", "stopped",
                                    "infeasible", "too_large",  "error"};

// Seconds, from sub-millisecond RPCs to hour-long jobs.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
          1,      2.5,   5,      10,    30,   60,    300,  900, 3600};
}

}  // namespace

// Samples the pool gauges right before every collection, so they are exact at
// scrape time without a background thread.
class Metrics::SampledCollectable : public prometheus::Collectable {
 public:
  SampledCollectable(Metrics* metrics,
                     std::shared_ptr<prometheus::Registry> registry)
      : metrics_(metrics), registry_(std::move(registry)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    metrics_->SamplePool();
    return registry_->Collect();
  }

 private:
  Metrics* const metrics_;
  const std::shared_ptr<prometheus::Registry> registry_;
};

Metrics::Metrics(absl::string_view version)
    : registry_(std::make_shared<prometheus::Registry>()),
      rpc_requests_(BuildCounter()
                        .Name("pipecut_rpc_requests_total")
                        .Help("Finished RPCs by method and status code.")
                        .Register(*registry_)),
      rpc_duration_(BuildHistogram()
                        .Name("pipecut_rpc_duration_seconds")
                        .Help("RPC latency by method (streams: whole stream).")
                        .Register(*registry_)),
      jobs_finished_(BuildCounter()
                         .Name("pipecut_jobs_total")
                         .Help("Jobs by outcome: their stop reason, 'failed' "
                               "or 'rejected' (limits, bad input).")
                         .Register(*registry_)),
      jobs_running_(BuildGauge()
                        .Name("pipecut_jobs_running")
                        .Help("Jobs currently solving.")
                        .Register(*registry_)
                        .Add({})),
      jobs_queued_(BuildGauge()
                       .Name("pipecut_jobs_queued")
                       .Help("Jobs waiting for a running slot.")
                       .Register(*registry_)
                       .Add({})),
      job_duration_(BuildHistogram()
                        .Name("pipecut_job_duration_seconds")
                        .Help("Wall-clock time from a job's start to its end.")
                        .Register(*registry_)
                        .Add({}, LatencyBuckets())),
      time_to_first_partition_(
          BuildHistogram()
              .Name("pipecut_time_to_first_partition_seconds")
              .Help("Time from a job's start to its first partition.")
              .Register(*registry_)
              .Add({}, LatencyBuckets())),
      final_gap_(BuildHistogram()
                     .Name("pipecut_final_relative_gap_ratio")
                     .Help("Relative gap (UB - LB) / UB of finished jobs.")
                     .Register(*registry_)
                     .Add({},
                          prometheus::Histogram::BucketBoundaries{
                              0, 1e-6, 1e-4, 1e-3, 0.01, 0.02, 0.05, 0.1, 0.2,
                              0.3, 0.5, 0.75, 1})),
      partition_improvements_(
          BuildCounter()
              .Name("pipecut_incumbent_improvements_total")
              .Help("Strictly better partitions, by the worker that found "
                    "them.")
              .Register(*registry_)),
      bound_improvements_(
          BuildCounter()
              .Name("pipecut_lower_bound_improvements_total")
              .Help("Strictly higher lower bounds, by the worker that proved "
                    "them.")
              .Register(*registry_)),
      mip_solves_(BuildCounter()
                      .Name("pipecut_mip_solves_total")
                      .Help("MIP bound solves by model and status.")
                      .Register(*registry_)),
      pool_queue_length_(BuildGauge()
                             .Name("pipecut_worker_pool_queue_length")
                             .Help("Worker steps waiting in the shared pool.")
                             .Register(*registry_)
                             .Add({})),
      pool_busy_threads_(BuildGauge()
                             .Name("pipecut_worker_pool_busy_threads")
                             .Help("Pool threads running a worker step.")
                             .Register(*registry_)
                             .Add({})),
      pool_threads_(BuildGauge()
                        .Name("pipecut_worker_pool_threads")
                        .Help("Threads of the shared solve pool.")
                        .Register(*registry_)
                        .Add({})),
      pool_busy_seconds_(BuildCounter()
                             .Name("pipecut_worker_pool_busy_seconds_total")
                             .Help("Thread-seconds the pool spent running "
                                   "worker steps.")
                             .Register(*registry_)
                             .Add({})) {
  BuildGauge()
      .Name("pipecut_build_info")
      .Help("Build information; the value is always 1.")
      .Register(*registry_)
      .Add({{"version", std::string(version)}})
      .Set(1);
  absl::MutexLock lock(&mu_);
  for (const std::string& method : RpcMethods()) {
    for (grpc::StatusCode code : kRpcCodes) {
      rpc_counters_[{method, static_cast<int>(code)}] = &rpc_requests_.Add(
          {{"method", method}, {"code", GrpcCodeName(code)}});
    }
    rpc_histograms_[method] =
        &rpc_duration_.Add({{"method", method}}, LatencyBuckets());
  }
  for (v1::StopReason reason : kStopReasons) {
    const std::string label = OutcomeLabel(reason);
    outcome_counters_[label] = &jobs_finished_.Add({{"outcome", label}});
  }
  for (const char* label : {"failed", "rejected"}) {
    outcome_counters_[label] = &jobs_finished_.Add({{"outcome", label}});
  }
  for (const std::string& method : KnownMethods()) {
    partition_counters_[method] =
        &partition_improvements_.Add({{"source", method}});
    bound_counters_[method] = &bound_improvements_.Add({{"source", method}});
  }
  for (const char* model : kMipModels) {
    for (const char* status : kMipStatuses) {
      mip_counters_[std::string(model) + "/" + status] =
          &mip_solves_.Add({{"model", model}, {"status", status}});
    }
  }
  collectable_ = std::make_shared<SampledCollectable>(this, registry_);
}

std::string Metrics::Serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, collectable_->Collect());
  return out.str();
}

void Metrics::SetPoolSampler(std::function<PoolStats()> sampler) {
  absl::MutexLock lock(&mu_);
  pool_sampler_ = std::move(sampler);
}

void Metrics::SamplePool() {
  absl::MutexLock lock(&mu_);
  if (!pool_sampler_) return;
  const PoolStats stats = pool_sampler_();
  pool_queue_length_.Set(static_cast<double>(stats.queue_length));
  pool_busy_threads_.Set(stats.busy_threads);
  pool_threads_.Set(stats.threads);
  if (stats.busy_seconds > pool_busy_seconds_seen_) {
    pool_busy_seconds_.Increment(stats.busy_seconds - pool_busy_seconds_seen_);
    pool_busy_seconds_seen_ = stats.busy_seconds;
  }
}

void Metrics::RecordRpc(absl::string_view method, grpc::StatusCode code,
                        double seconds) {
  prometheus::Counter* counter;
  prometheus::Histogram* histogram;
  {
    absl::MutexLock lock(&mu_);
    const std::string name(method);
    auto& c = rpc_counters_[{name, static_cast<int>(code)}];
    if (c == nullptr) {
      c = &rpc_requests_.Add({{"method", name}, {"code", GrpcCodeName(code)}});
    }
    auto& h = rpc_histograms_[name];
    if (h == nullptr)
      h = &rpc_duration_.Add({{"method", name}}, LatencyBuckets());
    counter = c;
    histogram = h;
  }
  counter->Increment();
  histogram->Observe(seconds);
}

prometheus::Counter& Metrics::LabelledCounter(
    prometheus::Family<prometheus::Counter>& family,
    std::map<std::string, prometheus::Counter*>& cache,
    const std::string& label, absl::string_view value) {
  // Callers hold mu_ (the caches are guarded by it).
  auto& c = cache[std::string(value)];
  if (c == nullptr) c = &family.Add({{label, std::string(value)}});
  return *c;
}

void Metrics::RecordRejectedJob() {
  absl::MutexLock lock(&mu_);
  outcome_counters_["rejected"]->Increment();
}

void Metrics::SetJobCounts(int running, int queued) {
  jobs_running_.Set(running);
  jobs_queued_.Set(queued);
}

void Metrics::RecordJobFinished(absl::string_view outcome, double run_seconds,
                                double final_gap, bool had_partition) {
  {
    absl::MutexLock lock(&mu_);
    LabelledCounter(jobs_finished_, outcome_counters_, "outcome", outcome)
        .Increment();
  }
  job_duration_.Observe(run_seconds);
  // A job without a partition has no gap to speak of.
  if (had_partition) final_gap_.Observe(final_gap);
}

void Metrics::RecordFirstPartition(double seconds_since_start) {
  time_to_first_partition_.Observe(seconds_since_start);
}

void Metrics::RecordPartitionImprovement(absl::string_view source) {
  absl::MutexLock lock(&mu_);
  LabelledCounter(partition_improvements_, partition_counters_, "source",
                  source)
      .Increment();
}

void Metrics::RecordBoundImprovement(absl::string_view source) {
  absl::MutexLock lock(&mu_);
  LabelledCounter(bound_improvements_, bound_counters_, "source", source)
      .Increment();
}

void Metrics::RecordMipSolve(absl::string_view model,
                             absl::string_view status) {
  absl::MutexLock lock(&mu_);
  auto& c = mip_counters_[absl::StrCat(model, "/", status)];
  if (c == nullptr) {
    c = &mip_solves_.Add(
        {{"model", std::string(model)}, {"status", std::string(status)}});
  }
  c->Increment();
}

std::string Metrics::OutcomeLabel(v1::StopReason reason) {
  std::string name = v1::StopReason_Name(reason);
  constexpr absl::string_view kPrefix = "STOP_REASON_";
  if (absl::string_view(name).substr(0, kPrefix.size()) == kPrefix) {
    name = name.substr(kPrefix.size());
  }
  return absl::AsciiStrToLower(name);
}

void MetricsObserver::OnPartition(absl::string_view source,
                                  double /*bottleneck*/,
                                  double elapsed_seconds) {
  metrics_->RecordPartitionImprovement(source);
  if (!first_partition_seen_.exchange(true)) {
    metrics_->RecordFirstPartition(elapsed_seconds);
  }
}

void MetricsObserver::OnLowerBound(absl::string_view source,
                                   double /*lower_bound*/,
                                   double /*elapsed_seconds*/) {
  metrics_->RecordBoundImprovement(source);
}

void MetricsObserver::OnMipSolve(absl::string_view model,
                                 absl::string_view status, double /*seconds*/) {
  metrics_->RecordMipSolve(model, status);
}

}  // namespace pipecut::server
