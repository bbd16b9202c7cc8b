// Jobs on the shared pool: cancellation, deadlines, limits, retention, drain
// and metrics. Long solves are simulated by occupying the pool's threads
// (TestServer::BlockPool), which keeps the tests deterministic and fast.
#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/partition_service.h"
#include "tests/server/service_fixture.h"
#include "tests/testing/test_graphs.h"

namespace pipecut::server {
namespace {

using ::pipecut::server::testing::ReadAll;
using ::pipecut::server::testing::TestServer;
using ::pipecut::server::testing::WaitFor;
using ::testing::HasSubstr;

v1::SolveRequest Request(int n = 20, uint64_t seed = 3) {
  v1::SolveRequest request;
  *request.mutable_graph() = pipecut::testing::RandomDag(n, 0.2, 5, seed);
  request.set_k(3);
  request.mutable_options()->set_time_limit_seconds(60);
  request.mutable_options()->add_methods("lb0");
  request.mutable_options()->add_methods("dp");
  return request;
}

v1::Job Submit(TestServer& server, const v1::SolveRequest& request,
               grpc::Status* status = nullptr) {
  grpc::ClientContext context;
  v1::Job job;
  grpc::Status s = server.stub().SubmitJob(&context, request, &job);
  if (status != nullptr) {
    *status = s;
  } else {
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  return job;
}

v1::Job Get(TestServer& server, const std::string& id) {
  grpc::ClientContext context;
  v1::GetJobRequest request;
  request.set_job_id(id);
  v1::Job job;
  grpc::Status status = server.stub().GetJob(&context, request, &job);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return job;
}

std::vector<v1::SolveEvent> Watch(TestServer& server, const std::string& id,
                                  grpc::Status* status = nullptr) {
  grpc::ClientContext context;
  v1::WatchJobRequest request;
  request.set_job_id(id);
  auto reader = server.stub().WatchJob(&context, request);
  std::vector<v1::SolveEvent> events;
  grpc::Status s = ReadAll(reader, &events);
  if (status != nullptr) *status = s;
  return events;
}

double MetricValue(const std::string& exposition, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double value = 0;
      EXPECT_TRUE(absl::SimpleAtod(line.substr(series.size() + 1), &value));
      return value;
    }
  }
  ADD_FAILURE() << "no series " << series;
  return -1;
}

TEST(JobLifecycle, CancelJobStopsWorkersAndFreesThePool) {
  TestServer server;
  server.BlockPool();
  const v1::Job job = Submit(server, Request());
  EXPECT_EQ(job.state(), v1::Job::STATE_RUNNING);
  {
    grpc::ClientContext context;
    v1::CancelJobRequest cancel;
    cancel.set_job_id(job.id());
    v1::Job after;
    ASSERT_TRUE(server.stub().CancelJob(&context, cancel, &after).ok());
  }
  server.ReleasePool();
  const std::vector<v1::SolveEvent> events = Watch(server, job.id());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind(), v1::SolveEvent::KIND_FINAL);
  EXPECT_EQ(events.back().stop_reason(), v1::STOP_REASON_CANCELLED);
  EXPECT_EQ(Get(server, job.id()).state(), v1::Job::STATE_CANCELLED);
  EXPECT_TRUE(WaitFor([&] {
    return server.PoolIdle() && server.server().jobs().running() == 0;
  }));
}

TEST(JobLifecycle, DroppingTheSolveStreamCancelsItsJob) {
  TestServer server;
  server.BlockPool();
  grpc::ClientContext context;
  auto reader = server.stub().Solve(&context, Request());
  std::string id;
  ASSERT_TRUE(WaitFor([&] {
    grpc::ClientContext list_context;
    v1::ListJobsResponse list;
    if (!server.stub().ListJobs(&list_context, {}, &list).ok()) return false;
    if (list.jobs_size() == 0) return false;
    id = list.jobs(0).id();
    return true;
  }));
  // The stream is attached once the job has its subscriber.
  ASSERT_TRUE(WaitFor([&] {
    auto job = server.server().jobs().Find(id);
    return job.ok() && (*job)->num_subscribers() == 1;
  }));
  context.TryCancel();
  std::vector<v1::SolveEvent> events;
  EXPECT_EQ(ReadAll(reader, &events).error_code(), grpc::StatusCode::CANCELLED);
  // The server learns of the cancel asynchronously (OnCancel).
  ASSERT_TRUE(WaitFor([&] {
    auto job = server.server().jobs().Find(id);
    return job.ok() && (*job)->stop_requested();
  }));
  server.ReleasePool();
  const std::vector<v1::SolveEvent> final_events = Watch(server, id);
  ASSERT_FALSE(final_events.empty());
  EXPECT_EQ(final_events.back().stop_reason(), v1::STOP_REASON_CANCELLED);
  EXPECT_TRUE(WaitFor([&] { return server.PoolIdle(); }));
}

TEST(JobLifecycle, SubmittedJobOutlivesItsWatchers) {
  TestServer server;
  server.BlockPool();
  const v1::Job job = Submit(server, Request());
  {
    grpc::ClientContext context;
    v1::WatchJobRequest request;
    request.set_job_id(job.id());
    auto reader = server.stub().WatchJob(&context, request);
    context.TryCancel();
    std::vector<v1::SolveEvent> events;
    EXPECT_EQ(ReadAll(reader, &events).error_code(),
              grpc::StatusCode::CANCELLED);
  }
  server.ReleasePool();
  const std::vector<v1::SolveEvent> events = Watch(server, job.id());
  ASSERT_FALSE(events.empty());
  EXPECT_NE(events.back().stop_reason(), v1::STOP_REASON_CANCELLED);
  EXPECT_EQ(Get(server, job.id()).state(), v1::Job::STATE_DONE);
  EXPECT_GT(events.back().best_bottleneck(), 0);
}

TEST(JobLifecycle, SolveHonoursTheRpcDeadline) {
  TestServer server;
  server.BlockPool();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(300));
  auto reader = server.stub().Solve(&context, Request());
  // Hold the pool past the deadline: the first step sees it and stops.
  std::thread release([&] {
    absl::SleepFor(absl::Milliseconds(600));
    server.ReleasePool();
  });
  std::vector<v1::SolveEvent> events;
  const grpc::Status status = ReadAll(reader, &events);
  release.join();
  // Either the final event made it before gRPC cut the call, or the call
  // ended with DEADLINE_EXCEEDED; the job itself stopped for the deadline.
  if (status.ok()) {
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().stop_reason(), v1::STOP_REASON_DEADLINE);
  } else {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  grpc::ClientContext list_context;
  v1::ListJobsResponse list;
  ASSERT_TRUE(server.stub().ListJobs(&list_context, {}, &list).ok());
  ASSERT_EQ(list.jobs_size(), 1);
  const std::string id = list.jobs(0).id();
  const std::vector<v1::SolveEvent> final_events = Watch(server, id);
  ASSERT_FALSE(final_events.empty());
  EXPECT_EQ(final_events.back().stop_reason(), v1::STOP_REASON_DEADLINE);
  EXPECT_TRUE(WaitFor([&] { return server.PoolIdle(); }));
}

TEST(SolverDeadline, KeepsAMarginBeforeTheRpcDeadline) {
  const absl::Time now = absl::FromUnixSeconds(1000);
  EXPECT_EQ(SolverDeadline(std::chrono::system_clock::time_point::max(), now),
            absl::InfiniteFuture());
  // 10 s left: the margin is capped at 200 ms.
  EXPECT_EQ(SolverDeadline(absl::ToChronoTime(now + absl::Seconds(10)), now),
            now + absl::Seconds(10) - absl::Milliseconds(200));
  // 1 s left: 10 % of it.
  EXPECT_EQ(SolverDeadline(absl::ToChronoTime(now + absl::Seconds(1)), now),
            now + absl::Milliseconds(900));
  // Already past: no margin, the solve stops at once.
  EXPECT_EQ(SolverDeadline(absl::ToChronoTime(now - absl::Seconds(1)), now),
            now - absl::Seconds(1));
}

TEST(JobLifecycle, LimitsRefuseWithResourceExhaustedNamingTheLimit) {
  Server::Options options = TestServer::DefaultOptions();
  options.limits.max_running_jobs = 1;
  options.limits.max_queued_jobs = 1;
  TestServer server(options);
  server.BlockPool();
  const v1::Job running = Submit(server, Request());
  const v1::Job queued = Submit(server, Request());
  EXPECT_EQ(running.state(), v1::Job::STATE_RUNNING);
  EXPECT_EQ(queued.state(), v1::Job::STATE_QUEUED);
  EXPECT_EQ(queued.start_time(), 0);

  grpc::Status status;
  Submit(server, Request(), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("max_queued_jobs = 1"));
  {
    grpc::ClientContext context;
    auto reader = server.stub().Solve(&context, Request());
    std::vector<v1::SolveEvent> events;
    EXPECT_EQ(ReadAll(reader, &events).error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
  }

  // Cancelling a queued job ends it at once, with a final event.
  {
    grpc::ClientContext context;
    v1::CancelJobRequest cancel;
    cancel.set_job_id(queued.id());
    v1::Job after;
    ASSERT_TRUE(server.stub().CancelJob(&context, cancel, &after).ok());
    EXPECT_EQ(after.state(), v1::Job::STATE_CANCELLED);
  }
  const std::vector<v1::SolveEvent> events = Watch(server, queued.id());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), v1::SolveEvent::KIND_FINAL);
  EXPECT_EQ(events[0].stop_reason(), v1::STOP_REASON_CANCELLED);

  // The queue has room again; the next job waits for the running one.
  const v1::Job next = Submit(server, Request());
  EXPECT_EQ(next.state(), v1::Job::STATE_QUEUED);
  server.ReleasePool();
  const std::vector<v1::SolveEvent> next_events = Watch(server, next.id());
  ASSERT_FALSE(next_events.empty());
  EXPECT_EQ(next_events.back().kind(), v1::SolveEvent::KIND_FINAL);
  EXPECT_EQ(Get(server, next.id()).state(), v1::Job::STATE_DONE);
  EXPECT_GE(Get(server, next.id()).start_time(),
            Get(server, running.id()).end_time());

  const std::string metrics = server.server().metrics().Serialize();
  EXPECT_EQ(MetricValue(metrics, "pipecut_jobs_total{outcome=\"rejected\"}"),
            2);
  EXPECT_EQ(
      MetricValue(metrics,
                  "pipecut_rpc_requests_total{code=\"RESOURCE_EXHAUSTED\","
                  "method=\"SubmitJob\"}"),
      1);
}

TEST(JobLifecycle, BudgetCountsFromTheJobsStartNotItsSubmission) {
  Server::Options options = TestServer::DefaultOptions();
  options.limits.max_running_jobs = 1;
  TestServer server(options);
  server.BlockPool();
  Submit(server, Request());  // holds the only running slot
  v1::SolveRequest request = Request();
  request.mutable_options()->set_time_limit_seconds(0.2);
  const v1::Job queued = Submit(server, request);
  ASSERT_EQ(queued.state(), v1::Job::STATE_QUEUED);
  // Queued for longer than its whole budget...
  absl::SleepFor(absl::Milliseconds(500));
  server.ReleasePool();
  const std::vector<v1::SolveEvent> events = Watch(server, queued.id());
  ASSERT_FALSE(events.empty());
  // ...it still gets the budget once it starts: the finite workers complete
  // instead of the solve stopping at once without a partition.
  EXPECT_NE(events.back().stop_reason(), v1::STOP_REASON_TIME_LIMIT);
  EXPECT_GT(events.back().best_bottleneck(), 0);
  const v1::Job job = Get(server, queued.id());
  EXPECT_GE(job.start_time() - job.submit_time(), 0.4);
}

TEST(JobLifecycle, FinishedJobsExpireByCount) {
  Server::Options options = TestServer::DefaultOptions();
  options.limits.max_finished_jobs = 2;
  TestServer server(options);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(Submit(server, Request(10, i)).id());
    Watch(server, ids.back());  // until it is done
    // ...and its bookkeeping too, so jobs retire in submission order.
    ASSERT_TRUE(WaitFor([&] { return server.server().jobs().running() == 0; }));
  }
  ASSERT_TRUE(WaitFor([&] { return server.server().jobs().running() == 0; }));
  grpc::ClientContext context;
  v1::ListJobsResponse list;
  ASSERT_TRUE(server.stub().ListJobs(&context, {}, &list).ok());
  ASSERT_EQ(list.jobs_size(), 2);
  EXPECT_EQ(list.jobs(0).id(), ids[3]);
  EXPECT_EQ(list.jobs(1).id(), ids[2]);
  grpc::Status status;
  Watch(server, ids[0], &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(JobLifecycle, FinishedJobsExpireByAge) {
  Server::Options options = TestServer::DefaultOptions();
  options.limits.finished_job_ttl = absl::ZeroDuration();
  TestServer server(options);
  const v1::Job job = Submit(server, Request());
  Watch(server, job.id());
  ASSERT_TRUE(WaitFor([&] { return server.server().jobs().running() == 0; }));
  grpc::ClientContext context;
  v1::GetJobRequest request;
  request.set_job_id(job.id());
  v1::Job got;
  EXPECT_EQ(server.stub().GetJob(&context, request, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST(JobLifecycle, DrainLetsRunningJobsFinishWithinGrace) {
  TestServer server;
  server.BlockPool();
  const v1::Job job = Submit(server, Request());
  std::vector<v1::SolveEvent> events;
  std::thread watcher([&] { events = Watch(server, job.id()); });
  ASSERT_TRUE(WaitFor([&] {
    auto found = server.server().jobs().Find(job.id());
    return found.ok() && (*found)->num_subscribers() == 1;
  }));
  std::thread drain([&] { server.server().Shutdown(absl::Seconds(60)); });
  // Draining: new jobs are refused, the health service says NOT_SERVING.
  ASSERT_TRUE(WaitFor([&] {
    grpc::Status status;
    Submit(server, Request(), &status);
    return status.error_code() == grpc::StatusCode::UNAVAILABLE;
  }));
  {
    grpc::GenericStub generic(server.channel());
    grpc::ClientContext context;
    grpc::Slice empty("");  // HealthCheckRequest{service: ""} is 0 bytes
    grpc::ByteBuffer request(&empty, 1), response;
    absl::Notification done;
    grpc::Status status;
    generic.UnaryCall(&context, "/grpc.health.v1.Health/Check",
                      grpc::StubOptions(), &request, &response,
                      [&](grpc::Status s) {
                        status = s;
                        done.Notify();
                      });
    done.WaitForNotification();
    ASSERT_TRUE(status.ok()) << status.error_message();
    std::vector<grpc::Slice> slices;
    ASSERT_TRUE(response.Dump(&slices).ok());
    std::string bytes;
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    EXPECT_EQ(bytes, std::string("\x08\x02", 2));  // status: NOT_SERVING
  }
  server.ReleasePool();
  drain.join();
  watcher.join();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind(), v1::SolveEvent::KIND_FINAL);
  EXPECT_NE(events.back().stop_reason(), v1::STOP_REASON_SHUTDOWN);
  EXPECT_GT(events.back().best_bottleneck(), 0);
}

TEST(JobLifecycle, DrainCancelsJobsAfterGraceAndSendsFinalEvents) {
  Server::Options options = TestServer::DefaultOptions();
  options.limits.max_running_jobs = 1;
  TestServer server(options);
  server.BlockPool();
  const v1::Job running = Submit(server, Request());
  const v1::Job queued = Submit(server, Request());
  std::vector<v1::SolveEvent> running_events, queued_events;
  grpc::Status running_status, queued_status;
  // Subscribe before draining: watchers of existing jobs get their finals.
  grpc::ClientContext running_context, queued_context;
  v1::WatchJobRequest running_request, queued_request;
  running_request.set_job_id(running.id());
  queued_request.set_job_id(queued.id());
  auto running_reader =
      server.stub().WatchJob(&running_context, running_request);
  auto queued_reader = server.stub().WatchJob(&queued_context, queued_request);
  std::thread r1(
      [&] { running_status = ReadAll(running_reader, &running_events); });
  std::thread r2(
      [&] { queued_status = ReadAll(queued_reader, &queued_events); });
  ASSERT_TRUE(WaitFor([&] {
    for (const std::string& id : {running.id(), queued.id()}) {
      auto job = server.server().jobs().Find(id);
      if (!job.ok() || (*job)->num_subscribers() != 1) return false;
    }
    return true;
  }));
  std::thread drain([&] { server.server().Shutdown(absl::ZeroDuration()); });
  ASSERT_TRUE(WaitFor([&] {
    auto job = server.server().jobs().Find(running.id());
    return job.ok() && (*job)->stop_requested();
  }));
  server.ReleasePool();
  drain.join();
  r1.join();
  r2.join();
  EXPECT_TRUE(running_status.ok()) << running_status.error_message();
  EXPECT_TRUE(queued_status.ok()) << queued_status.error_message();
  ASSERT_FALSE(running_events.empty());
  ASSERT_FALSE(queued_events.empty());
  EXPECT_EQ(running_events.back().stop_reason(), v1::STOP_REASON_SHUTDOWN);
  EXPECT_EQ(queued_events.back().stop_reason(), v1::STOP_REASON_SHUTDOWN);
}

TEST(JobLifecycle, MetricsCountJobsRpcsAndImprovements) {
  TestServer server;
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext context;
    auto reader = server.stub().Solve(&context, Request(15, i));
    std::vector<v1::SolveEvent> events;
    ASSERT_TRUE(ReadAll(reader, &events).ok());
  }
  // RPC metrics are recorded in OnDone, after the client saw the status.
  ASSERT_TRUE(WaitFor([&] {
    return server.server().jobs().running() == 0 &&
           MetricValue(server.server().metrics().Serialize(),
                       "pipecut_rpc_requests_total{code=\"OK\","
                       "method=\"Solve\"}") == 3;
  }));
  const std::string metrics = server.server().metrics().Serialize();
  EXPECT_EQ(MetricValue(metrics, "pipecut_job_duration_seconds_count"), 3);
  EXPECT_EQ(
      MetricValue(metrics, "pipecut_time_to_first_partition_seconds_count"), 3);
  EXPECT_EQ(MetricValue(metrics, "pipecut_final_relative_gap_ratio_count"), 3);
  EXPECT_GE(MetricValue(metrics,
                        "pipecut_incumbent_improvements_total{source=\"dp\"}"),
            3);
  EXPECT_GE(
      MetricValue(metrics,
                  "pipecut_lower_bound_improvements_total{source=\"lb0\"}"),
      3);
  EXPECT_EQ(MetricValue(metrics, "pipecut_jobs_running"), 0);
  EXPECT_EQ(MetricValue(metrics, "pipecut_worker_pool_threads"), 2);
  EXPECT_GT(MetricValue(metrics, "pipecut_worker_pool_busy_seconds_total"), 0);
  EXPECT_EQ(MetricValue(metrics, "pipecut_build_info{version=\"0.0.0\"}"), 1);
  // Known label values exist before their first event.
  EXPECT_EQ(MetricValue(metrics,
                        "pipecut_mip_solves_total{model=\"guess_mip\","
                        "status=\"optimal\"}"),
            0);
  double outcomes = 0;
  for (const char* outcome :
       {"optimal", "target_gap", "time_limit", "workers_done"}) {
    outcomes += MetricValue(
        metrics, absl::StrCat("pipecut_jobs_total{outcome=\"", outcome, "\"}"));
  }
  EXPECT_EQ(outcomes, 3);
}

TEST(MetricsObserver, CountsMipSolvesFedThroughTheSolveObserver) {
  Metrics metrics("test");
  MetricsObserver observer(&metrics);
  SolveObserver& as_observer = observer;
  as_observer.OnMipSolve("guess_mip", "time_limit", 1.5);
  as_observer.OnMipSolve("guess_mip", "time_limit", 0.5);
  as_observer.OnMipSolve("new_model", "optimal", 0.1);
  const std::string text = metrics.Serialize();
  EXPECT_EQ(MetricValue(text,
                        "pipecut_mip_solves_total{model=\"guess_mip\","
                        "status=\"time_limit\"}"),
            2);
  EXPECT_EQ(MetricValue(text,
                        "pipecut_mip_solves_total{model=\"new_model\","
                        "status=\"optimal\"}"),
            1);
}

// The one test that goes through a real HTTP endpoint (civetweb's shutdown
// costs ~2 s once it has served, STACK.md P6).
TEST(MetricsEndpoint, ServesTheRegistryOverHttp) {
  Server::Options options = TestServer::DefaultOptions();
  options.metrics_listen = "127.0.0.1:0";
  TestServer server(options);
  ASSERT_GT(server.server().metrics_port(), 0);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.server().metrics_port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string request =
      "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
  ASSERT_EQ(write(fd, request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  std::string response;
  char buffer[4096];
  ssize_t got;
  while ((got = read(fd, buffer, sizeof(buffer))) > 0)
    response.append(buffer, got);
  close(fd);
  EXPECT_THAT(response, HasSubstr("200 OK"));
  EXPECT_THAT(response, HasSubstr("pipecut_build_info{version=\"0.0.0\"} 1"));
  EXPECT_THAT(response, HasSubstr("pipecut_worker_pool_threads 2"));
}

}  // namespace
}  // namespace pipecut::server
