// In-process service tests: every RPC of PartitionService against a real
// server on 127.0.0.1:0 (and the in-process channel, as a TEST_P).
#include <algorithm>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/service_fixture.h"
#include "tests/testing/test_graphs.h"

namespace pipecut::server {
namespace {

using ::pipecut::server::testing::ReadAll;
using ::pipecut::server::testing::TestServer;
using ::pipecut::server::testing::WaitFor;
using ::testing::HasSubstr;

v1::SolveRequest Request(const v1::Graph& graph, int k) {
  v1::SolveRequest request;
  *request.mutable_graph() = graph;
  request.set_k(k);
  request.mutable_options()->set_time_limit_seconds(30);
  request.mutable_options()->set_random_seed(1);
  // The fast, finite workers: the streams end in milliseconds. The default
  // portfolio is exercised once, under a short budget.
  request.mutable_options()->add_methods("lb0");
  request.mutable_options()->add_methods("dp");
  return request;
}

v1::Graph CyclicGraph() {
  return pipecut::testing::GraphProtoFromText(R"pb(
    name: "cyclic"
    nodes { id: "in" work: 1 }
    nodes { id: "p" work: 1 }
    nodes { id: "q" work: 1 }
    nodes { id: "r" work: 1 }
    edges { src: "in" dst: "p" }
    edges { src: "p" dst: "q" }
    edges { src: "q" dst: "r" }
    edges { src: "r" dst: "p" }
  )pb");
}

// Checks the stream contract: seq strictly increasing, UB never rising, LB
// never falling and never above UB, plans on partition events matching UB,
// and exactly one FINAL event, last.
void ExpectWellFormedStream(const std::vector<v1::SolveEvent>& events) {
  ASSERT_FALSE(events.empty());
  int finals = 0;
  double ub = 0, lb = 0;
  uint64_t seq = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::SolveEvent& e = events[i];
    SCOPED_TRACE(e.ShortDebugString());
    EXPECT_GT(e.seq(), seq);
    seq = e.seq();
    if (e.best_bottleneck() > 0) {
      if (ub > 0) {
        EXPECT_LE(e.best_bottleneck(), ub);
      }
      ub = e.best_bottleneck();
    }
    EXPECT_GE(e.lower_bound(), lb);
    lb = e.lower_bound();
    if (ub > 0) {
      EXPECT_LE(e.lower_bound(), ub * (1 + 1e-12));
    }
    if (e.kind() == v1::SolveEvent::KIND_PARTITION) {
      EXPECT_DOUBLE_EQ(e.plan().bottleneck(), e.best_bottleneck());
      EXPECT_FALSE(e.source().empty());
    }
    if (e.kind() == v1::SolveEvent::KIND_FINAL) {
      ++finals;
      EXPECT_EQ(i, events.size() - 1) << "FINAL is not the last event";
      EXPECT_NE(e.stop_reason(), v1::STOP_REASON_UNSPECIFIED);
    } else {
      EXPECT_EQ(e.stop_reason(), v1::STOP_REASON_UNSPECIFIED);
    }
  }
  EXPECT_EQ(finals, 1);
}

class PartitionServiceTest : public ::testing::TestWithParam<bool> {
 protected:
  PartitionServiceTest()
      : server_(TestServer::DefaultOptions(), /*in_process=*/GetParam()) {}
  TestServer server_;
};

INSTANTIATE_TEST_SUITE_P(Channels, PartitionServiceTest,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "InProcess" : "Tcp";
                         });

TEST_P(PartitionServiceTest, SolveStreamsMonotoneEventsAndOneFinal) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const double comm = seed % 2 == 0 ? 1 : 20;  // comm-light and comm-heavy
    const v1::Graph graph = pipecut::testing::RandomDag(30, 0.15, comm, seed);
    grpc::ClientContext context;
    auto reader = server_.stub().Solve(&context, Request(graph, 4));
    std::vector<v1::SolveEvent> events;
    const grpc::Status status = ReadAll(reader, &events);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ExpectWellFormedStream(events);
    const v1::SolveEvent& final_event = events.back();
    ASSERT_EQ(final_event.kind(), v1::SolveEvent::KIND_FINAL);
    EXPECT_GT(final_event.best_bottleneck(), 0);
    EXPECT_EQ(final_event.plan().stage_of_size(), graph.nodes_size());
    EXPECT_TRUE(final_event.job_id().empty());  // Solve streams carry no id

    // The final plan is what Evaluate says it is.
    v1::EvaluateRequest evaluate;
    *evaluate.mutable_graph() = graph;
    evaluate.set_k(4);
    *evaluate.mutable_stage_of() = final_event.plan().stage_of();
    v1::EvaluateResponse evaluated;
    grpc::ClientContext eval_context;
    ASSERT_TRUE(
        server_.stub().Evaluate(&eval_context, evaluate, &evaluated).ok());
    EXPECT_DOUBLE_EQ(evaluated.plan().bottleneck(),
                     final_event.best_bottleneck());
  }
}

TEST_P(PartitionServiceTest, DefaultPortfolioStreamIsWellFormed) {
  v1::SolveRequest request;
  *request.mutable_graph() = pipecut::testing::RandomDag(40, 0.1, 10, 11);
  request.set_k(4);
  request.mutable_options()->set_time_limit_seconds(0.5);
  request.mutable_options()->set_num_threads(2);
  grpc::ClientContext context;
  auto reader = server_.stub().Solve(&context, request);
  std::vector<v1::SolveEvent> events;
  const grpc::Status status = ReadAll(reader, &events);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectWellFormedStream(events);
  EXPECT_GT(events.back().best_bottleneck(), 0);
  EXPECT_TRUE(WaitFor([&] {
    return server_.PoolIdle() && server_.server().jobs().running() == 0;
  }));
}

TEST_P(PartitionServiceTest, SolveOfTinyGraphMatchesBruteForce) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const v1::Graph graph = pipecut::testing::RandomDag(7, 0.3, 10, seed);
    grpc::ClientContext context;
    auto reader = server_.stub().Solve(&context, Request(graph, 3));
    std::vector<v1::SolveEvent> events;
    ASSERT_TRUE(ReadAll(reader, &events).ok());
    ExpectWellFormedStream(events);
    const std::optional<double> opt = pipecut::testing::BruteForceOptimum(
        pipecut::testing::MakeGraph(graph), 3);
    ASSERT_TRUE(opt.has_value());
    // LB <= OPT <= UB, whatever the portfolio proved.
    EXPECT_LE(events.back().lower_bound(), *opt + 1e-9);
    EXPECT_GE(events.back().best_bottleneck(), *opt - 1e-9);
  }
}

TEST_P(PartitionServiceTest, InvalidGraphNamesCycleAndServerKeepsServing) {
  {
    grpc::ClientContext context;
    auto reader = server_.stub().Solve(&context, Request(CyclicGraph(), 2));
    std::vector<v1::SolveEvent> events;
    const grpc::Status status = ReadAll(reader, &events);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    // "graph has a cycle: p -> q -> r -> p" (rotation may differ).
    const std::string& message = status.error_message();
    const size_t colon = message.find("cycle: ");
    ASSERT_NE(colon, std::string::npos) << message;
    std::vector<std::string> nodes =
        absl::StrSplit(message.substr(colon + 7), " -> ");
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    EXPECT_THAT(nodes, ::testing::ElementsAre("p", "q", "r")) << message;
    EXPECT_TRUE(events.empty());
  }
  {
    grpc::ClientContext context;
    v1::Job job;
    const grpc::Status status =
        server_.stub().SubmitJob(&context, Request(CyclicGraph(), 2), &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    grpc::ClientContext context;
    v1::Job job;
    const grpc::Status status = server_.stub().SubmitJob(
        &context, Request(pipecut::testing::DesignExample(), 0), &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("k = 0"));
  }
  {
    v1::SolveRequest request = Request(pipecut::testing::DesignExample(), 2);
    request.mutable_options()->set_target_relative_gap(2);
    grpc::ClientContext context;
    v1::Job job;
    const grpc::Status status =
        server_.stub().SubmitJob(&context, request, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("target_relative_gap"));
  }
  // Still serving.
  grpc::ClientContext context;
  auto reader = server_.stub().Solve(
      &context, Request(pipecut::testing::DesignExample(), 2));
  std::vector<v1::SolveEvent> events;
  ASSERT_TRUE(ReadAll(reader, &events).ok());
  ExpectWellFormedStream(events);
  // DESIGN section 1: one stage with all four nodes, bottleneck 4.
  EXPECT_DOUBLE_EQ(events.back().best_bottleneck(), 4);
}

TEST_P(PartitionServiceTest, EvaluateReturnsBreakdownAndRejectsBadInput) {
  v1::EvaluateRequest request;
  *request.mutable_graph() = pipecut::testing::DesignExample();
  request.set_k(2);
  (*request.mutable_stage_of())["a"] = 0;
  for (const char* id : {"b", "c", "d"}) (*request.mutable_stage_of())[id] = 1;
  v1::EvaluateResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(server_.stub().Evaluate(&context, request, &response).ok());
  }
  // DESIGN section 1: {a | b,c,d} costs 6 and 8.
  EXPECT_DOUBLE_EQ(response.plan().bottleneck(), 8);
  ASSERT_EQ(response.plan().stages_size(), 2);
  EXPECT_DOUBLE_EQ(response.plan().stages(0).cost(), 6);
  EXPECT_TRUE(response.memory_feasible());

  (*request.mutable_stage_of())["a"] = 1;
  (*request.mutable_stage_of())["b"] = 0;  // edge a->b goes backwards
  grpc::ClientContext context;
  const grpc::Status status =
      server_.stub().Evaluate(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("'a'"));
}

TEST_P(PartitionServiceTest, SubmitGetListWatchJob) {
  const v1::Graph graph = pipecut::testing::RandomDag(25, 0.2, 5, 7);
  v1::Job submitted;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(
        server_.stub().SubmitJob(&context, Request(graph, 3), &submitted).ok());
  }
  EXPECT_FALSE(submitted.id().empty());
  EXPECT_EQ(submitted.k(), 3);
  EXPECT_EQ(submitted.graph_name(), graph.name());
  EXPECT_GT(submitted.submit_time(), 0);

  // Watch to the end: events carry the job id and end with one FINAL.
  std::vector<v1::SolveEvent> events;
  {
    grpc::ClientContext context;
    v1::WatchJobRequest watch;
    watch.set_job_id(submitted.id());
    auto reader = server_.stub().WatchJob(&context, watch);
    ASSERT_TRUE(ReadAll(reader, &events).ok());
  }
  ExpectWellFormedStream(events);
  for (const v1::SolveEvent& e : events) EXPECT_EQ(e.job_id(), submitted.id());

  // A finished job replays exactly its final event.
  {
    grpc::ClientContext context;
    v1::WatchJobRequest watch;
    watch.set_job_id(submitted.id());
    auto reader = server_.stub().WatchJob(&context, watch);
    std::vector<v1::SolveEvent> replay;
    ASSERT_TRUE(ReadAll(reader, &replay).ok());
    ASSERT_EQ(replay.size(), 1u);
    EXPECT_EQ(replay[0].kind(), v1::SolveEvent::KIND_FINAL);
    EXPECT_EQ(replay[0].seq(), events.back().seq());
    EXPECT_DOUBLE_EQ(replay[0].best_bottleneck(),
                     events.back().best_bottleneck());
  }

  v1::Job job;
  {
    grpc::ClientContext context;
    v1::GetJobRequest get;
    get.set_job_id(submitted.id());
    ASSERT_TRUE(server_.stub().GetJob(&context, get, &job).ok());
  }
  EXPECT_EQ(job.state(), v1::Job::STATE_DONE);
  EXPECT_GE(job.end_time(), job.start_time());
  EXPECT_GE(job.start_time(), job.submit_time());
  EXPECT_EQ(job.latest().kind(), v1::SolveEvent::KIND_FINAL);
  EXPECT_EQ(job.latest().plan().stage_of_size(), graph.nodes_size());

  // Cancelling a finished job is a no-op.
  {
    grpc::ClientContext context;
    v1::CancelJobRequest cancel;
    cancel.set_job_id(submitted.id());
    v1::Job after;
    ASSERT_TRUE(server_.stub().CancelJob(&context, cancel, &after).ok());
    EXPECT_EQ(after.state(), v1::Job::STATE_DONE);
    EXPECT_EQ(after.latest().stop_reason(), job.latest().stop_reason());
  }

  // A second job; ListJobs is newest first and leaves plans out.
  v1::Job second;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(server_.stub()
                    .SubmitJob(&context,
                               Request(pipecut::testing::DesignExample(), 2),
                               &second)
                    .ok());
  }
  v1::ListJobsResponse list;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(
        server_.stub().ListJobs(&context, v1::ListJobsRequest(), &list).ok());
  }
  ASSERT_GE(list.jobs_size(), 2);
  EXPECT_EQ(list.jobs(0).id(), second.id());
  EXPECT_EQ(list.jobs(1).id(), submitted.id());
  EXPECT_EQ(list.jobs(1).latest().plan().stage_of_size(), 0);
}

TEST_P(PartitionServiceTest, UnknownJobIsNotFound) {
  grpc::ClientContext get_context;
  v1::GetJobRequest get;
  get.set_job_id("job-nope");
  v1::Job job;
  EXPECT_EQ(server_.stub().GetJob(&get_context, get, &job).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext cancel_context;
  v1::CancelJobRequest cancel;
  cancel.set_job_id("job-nope");
  EXPECT_EQ(
      server_.stub().CancelJob(&cancel_context, cancel, &job).error_code(),
      grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext watch_context;
  v1::WatchJobRequest watch;
  watch.set_job_id("job-nope");
  auto reader = server_.stub().WatchJob(&watch_context, watch);
  std::vector<v1::SolveEvent> events;
  const grpc::Status status = ReadAll(reader, &events);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("job-nope"));
  EXPECT_TRUE(events.empty());
}

}  // namespace
}  // namespace pipecut::server
