#ifndef PIPECUT_SERVER_METRICS_H_
#define PIPECUT_SERVER_METRICS_H_

#include <grpcpp/support/status.h>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "core/solve/solution_board.h"
#include "pipecut/v1/service.pb.h"

namespace pipecut::server {

// Load of the shared solve pool, sampled when metrics are collected.
struct PoolStats {
  size_t queue_length = 0;
  int busy_threads = 0;
  int threads = 0;
  double busy_seconds = 0;  // cumulated since start
};

// Every metric of the server, declared once and built at startup (Envoy
// style), so prometheus-cpp can only throw while the server boots. Names
// follow STYLE.md item 11 and Prometheus' naming rules; label values are
// bounded sets (methods, codes, outcomes, worker names) and the known ones are
// created at zero so rate() works from the first scrape. Thread-safe.
class Metrics {
 public:
  // `version` becomes pipecut_build_info{version}.
  explicit Metrics(absl::string_view version);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Collects the registry after sampling the pool; register this (not the raw
  // registry) with an Exposer.
  std::shared_ptr<prometheus::Collectable> collectable() const {
    return collectable_;
  }
  // The Prometheus text exposition of every metric, as /metrics serves it.
  std::string Serialize() const;

  // Installs the pool sampler (called at collection time).
  void SetPoolSampler(std::function<PoolStats()> sampler);

  // One finished RPC.
  void RecordRpc(absl::string_view method, grpc::StatusCode code,
                 double seconds);
  // A job was rejected by a limit (RESOURCE_EXHAUSTED) or bad input.
  void RecordRejectedJob();
  void SetJobCounts(int running, int queued);
  // A job finished: `outcome` is its stop reason (or "failed").
  void RecordJobFinished(absl::string_view outcome, double run_seconds,
                         double final_gap, bool had_partition);
  void RecordFirstPartition(double seconds_since_start);
  void RecordPartitionImprovement(absl::string_view source);
  void RecordBoundImprovement(absl::string_view source);
  void RecordMipSolve(absl::string_view model, absl::string_view status);

  // Label value of a stop reason: "optimal", "time_limit", ...
  static std::string OutcomeLabel(v1::StopReason reason);

 private:
  class SampledCollectable;
  void SamplePool();

  // Counter of `family` with one label {name=value}, created on first use
  // for values outside the known set (rare: a new worker name).
  prometheus::Counter& LabelledCounter(
      prometheus::Family<prometheus::Counter>& family,
      std::map<std::string, prometheus::Counter*>& cache,
      const std::string& label, absl::string_view value);

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> collectable_;

  prometheus::Family<prometheus::Counter>& rpc_requests_;
  prometheus::Family<prometheus::Histogram>& rpc_duration_;
  prometheus::Family<prometheus::Counter>& jobs_finished_;
  prometheus::Gauge& jobs_running_;
  prometheus::Gauge& jobs_queued_;
  prometheus::Histogram& job_duration_;
  prometheus::Histogram& time_to_first_partition_;
  prometheus::Histogram& final_gap_;
  prometheus::Family<prometheus::Counter>& partition_improvements_;
  prometheus::Family<prometheus::Counter>& bound_improvements_;
  prometheus::Family<prometheus::Counter>& mip_solves_;
  prometheus::Gauge& pool_queue_length_;
  prometheus::Gauge& pool_busy_threads_;
  prometheus::Gauge& pool_threads_;
  prometheus::Counter& pool_busy_seconds_;

  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, int>, prometheus::Counter*> rpc_counters_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Histogram*> rpc_histograms_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Counter*> outcome_counters_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Counter*> partition_counters_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Counter*> bound_counters_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Counter*> mip_counters_
      ABSL_GUARDED_BY(mu_);
  std::function<PoolStats()> pool_sampler_ ABSL_GUARDED_BY(mu_);
  double pool_busy_seconds_seen_ ABSL_GUARDED_BY(mu_) = 0;
};

// Feeds one job's solve events into Metrics (improvements by worker, MIP
// solves) and remembers the time of the first partition. Thread-safe: the
// board calls it from worker threads.
class MetricsObserver : public SolveObserver {
 public:
  explicit MetricsObserver(Metrics* metrics) : metrics_(metrics) {}

  void OnPartition(absl::string_view source, double bottleneck,
                   double elapsed_seconds) override;
  void OnLowerBound(absl::string_view source, double lower_bound,
                    double elapsed_seconds) override;
  void OnMipSolve(absl::string_view model, absl::string_view status,
                  double seconds) override;

 private:
  Metrics* const metrics_;
  std::atomic<bool> first_partition_seen_{false};
};

}  // namespace pipecut::server

#endif  // PIPECUT_SERVER_METRICS_H_
