#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <prometheus/exposer.h>

#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/util/logging.h"

namespace pipecut::server {

absl::Status SplitHostPort(const std::string& address, std::string* host,
                           int* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("address '", address, "' is not HOST:PORT"));
  }
  *host = address.substr(0, colon);
  if (!absl::SimpleAtoi(address.substr(colon + 1), port) || *port < 0 ||
      *port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("address '", address, "' has no valid port"));
  }
  return absl::OkStatus();
}

Server::Server() = default;

Server::~Server() {
  bool started;
  {
    absl::MutexLock lock(&shutdown_mu_);
    started = started_;
  }
  if (started) {
    Shutdown(absl::ZeroDuration());
    Wait();
  }
}

absl::Status Server::Start(const Options& options) {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (started_) return absl::FailedPreconditionError("already started");
  }
  options_ = options;
  std::string host;
  int requested_port;
  if (absl::Status s = SplitHostPort(options_.listen, &host, &requested_port);
      !s.ok()) {
    return s;
  }
  if (options_.limits.max_running_jobs < 1 ||
      options_.limits.max_queued_jobs < 0 ||
      options_.limits.max_finished_jobs < 0) {
    return absl::InvalidArgumentError(
        "job limits: max_running_jobs must be >= 1, max_queued_jobs and "
        "max_finished_jobs >= 0");
  }

  metrics_ = std::make_unique<Metrics>(options_.version);
  const int threads = options_.solver_threads > 0
                          ? options_.solver_threads
                          : std::max(1u, std::thread::hardware_concurrency());
  pool_ = std::make_unique<ThreadPool>(threads);
  metrics_->SetPoolSampler([pool = pool_.get()] {
    PoolStats stats;
    stats.queue_length = pool->queue_length();
    stats.busy_threads = pool->busy_threads();
    stats.threads = pool->num_threads();
    stats.busy_seconds = pool->busy_seconds();
    return stats;
  });
  jobs_ = std::make_unique<JobManager>(options_.limits, pool_.get(),
                                       metrics_.get());
  service_ =
      std::make_unique<PartitionServiceImpl>(jobs_.get(), metrics_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen, grpc::InsecureServerCredentials(),
                           &port_);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  builder.RegisterService(service_.get());
  grpc_server_ = builder.BuildAndStart();
  if (grpc_server_ == nullptr || port_ == 0) {
    grpc_server_.reset();
    jobs_.reset();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.listen));
  }
  grpc_server_->GetHealthCheckService()->SetServingStatus(true);

  if (!options_.metrics_listen.empty()) {
    std::string metrics_host;
    int metrics_requested;
    absl::Status s = SplitHostPort(options_.metrics_listen, &metrics_host,
                                   &metrics_requested);
    if (s.ok()) {
      try {
        // civetweb throws when it cannot bind; keep that exception here.
        exposer_ =
            std::make_unique<prometheus::Exposer>(options_.metrics_listen);
        exposer_->RegisterCollectable(metrics_->collectable());
        const std::vector<int> ports = exposer_->GetListeningPorts();
        metrics_port_ = ports.empty() ? 0 : ports.front();
      } catch (const std::exception& e) {
        s = absl::UnavailableError(absl::StrCat("cannot serve metrics on ",
                                                options_.metrics_listen, ": ",
                                                e.what()));
      }
    }
    if (!s.ok()) {
      grpc_server_->Shutdown();
      grpc_server_.reset();
      jobs_.reset();
      return s;
    }
  }
  {
    absl::MutexLock lock(&shutdown_mu_);
    started_ = true;
  }
  PIPECUT_LOG(Info) << "pipecut-server listening on " << address()
                    << " metrics on "
                    << (exposer_ ? metrics_address() : std::string("(off)"))
                    << " threads=" << threads
                    << " max_running_jobs=" << options_.limits.max_running_jobs
                    << " max_queued_jobs=" << options_.limits.max_queued_jobs;
  return absl::OkStatus();
}

std::string Server::address() const {
  std::string host;
  int port;
  if (!SplitHostPort(options_.listen, &host, &port).ok()) return "";
  return absl::StrCat(host, ":", port_);
}

std::string Server::metrics_address() const {
  std::string host;
  int port;
  if (!SplitHostPort(options_.metrics_listen, &host, &port).ok()) return "";
  return absl::StrCat(host, ":", metrics_port_);
}

std::shared_ptr<grpc::Channel> Server::InProcessChannel() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_message_bytes);
  args.SetMaxSendMessageSize(options_.max_message_bytes);
  return grpc_server_->InProcessChannel(args);
}

void Server::Wait() { shutdown_done_.WaitForNotification(); }

void Server::Shutdown(absl::Duration grace) {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (!started_ || shutting_down_) return;
    shutting_down_ = true;
  }
  PIPECUT_LOG(Info) << "event=drain running=" << jobs_->running()
                    << " queued=" << jobs_->queued()
                    << " grace_s=" << absl::ToDoubleSeconds(grace);
  // Load balancers stop sending traffic first.
  grpc_server_->GetHealthCheckService()->SetServingStatus(false);
  jobs_->StopAccepting();
  if (!jobs_->AwaitIdle(absl::Now() + grace)) {
    PIPECUT_LOG(Info) << "event=drain_cancel running=" << jobs_->running();
    jobs_->StopAllRunning(v1::STOP_REASON_SHUTDOWN);
    jobs_->AwaitIdle(absl::InfiniteFuture());
  }
  // Every job has published its final event; let the streams write it.
  grpc_server_->Shutdown(
      absl::ToChronoTime(absl::Now() + options_.stream_flush_timeout));
  grpc_server_->Wait();
  exposer_.reset();  // civetweb's stop takes ~2 s once it served (STACK P6)
  PIPECUT_LOG(Info) << "event=stopped";
  shutdown_done_.Notify();
}

}  // namespace pipecut::server
