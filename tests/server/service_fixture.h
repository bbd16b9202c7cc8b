#ifndef PIPECUT_TESTS_SERVER_SERVICE_FIXTURE_H_
#define PIPECUT_TESTS_SERVER_SERVICE_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "pipecut/v1/service.grpc.pb.h"
#include "server/server.h"

namespace pipecut::server::testing {

// Polls `condition` every few milliseconds until it holds or `timeout`
// passes. For state that changes asynchronously (a job's final bookkeeping),
// never for server readiness (Start returns once bound).
inline bool WaitFor(const std::function<bool()>& condition,
                    absl::Duration timeout = absl::Seconds(20)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

// A server on 127.0.0.1:0 (no metrics endpoint unless asked) and a stub over
// TCP or the in-process channel.
class TestServer {
 public:
  explicit TestServer(Server::Options options = DefaultOptions(),
                      bool in_process = false) {
    server_ = std::make_unique<Server>();
    absl::Status started = server_->Start(options);
    EXPECT_TRUE(started.ok()) << started;
    if (in_process) {
      channel_ = server_->InProcessChannel();
    } else {
      channel_ = grpc::CreateChannel(server_->address(),
                                     grpc::InsecureChannelCredentials());
    }
    stub_ = v1::PartitionService::NewStub(channel_);
  }
  ~TestServer() { ReleasePool(); }

  static Server::Options DefaultOptions() {
    Server::Options options;
    options.listen = "127.0.0.1:0";
    options.metrics_listen = "";
    options.solver_threads = 2;
    return options;
  }

  Server& server() { return *server_; }
  v1::PartitionService::Stub& stub() { return *stub_; }
  const std::shared_ptr<grpc::Channel>& channel() { return channel_; }

  // Occupies every pool thread until ReleasePool(), so started jobs cannot
  // make progress: a deterministic stand-in for "a long solve".
  void BlockPool() {
    release_ = std::make_shared<absl::Notification>();
    for (int i = 0; i < server_->pool().num_threads(); ++i) {
      server_->pool().Schedule(
          [release = release_] { release->WaitForNotification(); });
    }
    ASSERT_TRUE(WaitFor([&] {
      return server_->pool().busy_threads() == server_->pool().num_threads();
    }));
  }
  void ReleasePool() {
    if (release_ != nullptr && !release_->HasBeenNotified()) release_->Notify();
  }
  // True once no pool thread runs a task and nothing is queued.
  bool PoolIdle() {
    return server_->pool().busy_threads() == 0 &&
           server_->pool().queue_length() == 0;
  }

 private:
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::PartitionService::Stub> stub_;
  std::shared_ptr<absl::Notification> release_;
};

// Reads a whole event stream; returns its status.
template <typename Reader>
grpc::Status ReadAll(Reader& reader, std::vector<v1::SolveEvent>* events) {
  v1::SolveEvent event;
  while (reader->Read(&event)) events->push_back(event);
  return reader->Finish();
}

}  // namespace pipecut::server::testing

#endif  // PIPECUT_TESTS_SERVER_SERVICE_FIXTURE_H_
