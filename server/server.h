#ifndef PIPECUT_SERVER_SERVER_H_
#define PIPECUT_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/solve/executor.h"
#include "server/job_manager.h"
#include "server/metrics.h"
#include "server/partition_service.h"

namespace prometheus {
class Exposer;
}

namespace pipecut::server {

// The pipecut gRPC server (TensorFlow Serving's server.h shape): build with
// Start(options), block in Wait(), stop with Shutdown(grace). Owns the one
// shared solve pool, the job manager, the metrics and their HTTP endpoint.
// Thread-safe; Shutdown may be called from any thread (e.g. a sigwait
// thread) and more than once.
class Server {
 public:
  struct Options {
    // gRPC listen address. Port 0 picks a free port (see port()).
    // Default "0.0.0.0:50051".
    std::string listen = "0.0.0.0:50051";
    // Prometheus /metrics address; empty disables the endpoint (metrics are
    // still kept). Port 0 picks a free port (see metrics_port()).
    // Default "0.0.0.0:9464".
    std::string metrics_listen = "0.0.0.0:9464";
    // Threads of the shared solve pool; 0 = hardware threads. Default 0.
    int solver_threads = 0;
    // Running/queued job limits and retention of finished jobs.
    JobLimits limits;
    // Largest request accepted, in bytes (a graph with a million nodes is
    // ~100 MB). Default 256 MiB.
    int max_message_bytes = 256 << 20;
    // Shutdown: time granted to running jobs before they are cancelled
    // (STOP_REASON_SHUTDOWN), and then to streams to send final events.
    // Defaults 10 s and 5 s.
    absl::Duration drain_grace = absl::Seconds(10);
    absl::Duration stream_flush_timeout = absl::Seconds(5);
    // Version reported by pipecut_build_info. Default "0.0.0" (main.cc passes
    // the project version).
    std::string version = "0.0.0";
  };

  Server();
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving; returns once both ports are bound. Errors:
  // INVALID_ARGUMENT for bad options, UNAVAILABLE when a port cannot be bound.
  absl::Status Start(const Options& options);
  // Blocks until Shutdown() completed.
  void Wait();
  // Drains (STYLE.md item 10): health NOT_SERVING, new jobs refused, queued
  // jobs ended, running jobs given `grace` then cancelled, final events sent,
  // then the gRPC server and the metrics endpoint stop.
  void Shutdown(absl::Duration grace);
  void Shutdown() { Shutdown(options_.drain_grace); }

  // Bound ports (valid after Start). metrics_port() is 0 when disabled.
  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  // "host:port" with the bound port, for logs and clients.
  std::string address() const;
  std::string metrics_address() const;

  Metrics& metrics() { return *metrics_; }
  JobManager& jobs() { return *jobs_; }
  ThreadPool& pool() { return *pool_; }
  // An in-process channel to this server (tests, benchmarks).
  std::shared_ptr<grpc::Channel> InProcessChannel();

 private:
  Options options_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<JobManager> jobs_;
  std::unique_ptr<PartitionServiceImpl> service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
  int metrics_port_ = 0;

  absl::Mutex shutdown_mu_;
  bool started_ ABSL_GUARDED_BY(shutdown_mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
  absl::Notification shutdown_done_;
};

// Splits "host:port" (IPv6 as "[::1]:port"). INVALID_ARGUMENT on bad input.
absl::Status SplitHostPort(const std::string& address, std::string* host,
                           int* port);

}  // namespace pipecut::server

#endif  // PIPECUT_SERVER_SERVER_H_
