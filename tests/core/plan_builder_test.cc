#include "core/plan/plan_builder.h"

#include "core/importers/graph_file.h"
#include "core/plan/evaluate_request.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

using ::testing::HasSubstr;

v1::EvaluateRequest SplitRequest(std::map<std::string, int> stages, int k = 2) {
  v1::EvaluateRequest request;
  *request.mutable_graph() = testing::DesignExample();
  request.set_k(k);
  for (const auto& [id, stage] : stages)
    (*request.mutable_stage_of())[id] = stage;
  return request;
}

TEST(EvaluateRequest, BreaksDownTheDesignSplit) {
  auto response =
      EvaluateRequest(SplitRequest({{"a", 0}, {"b", 1}, {"c", 1}, {"d", 1}}));
  ASSERT_TRUE(response.ok()) << response.status();
  const v1::Plan& plan = response->plan();
  EXPECT_DOUBLE_EQ(plan.bottleneck(), 8);
  EXPECT_EQ(plan.bottleneck_stage(), 1);
  ASSERT_EQ(plan.stages_size(), 2);
  EXPECT_THAT(plan.stages(0).nodes(), ::testing::ElementsAre("a"));
  EXPECT_DOUBLE_EQ(plan.stages(0).comm_out(), 5);
  EXPECT_DOUBLE_EQ(plan.stages(1).comm_in(), 5);
  EXPECT_DOUBLE_EQ(plan.stages(1).work(), 3);
  EXPECT_EQ(plan.stage_of().at("c"), 1);
  EXPECT_TRUE(response->memory_feasible());
}

TEST(EvaluateRequest, NamesBadInput) {
  EXPECT_THAT(EvaluateRequest(SplitRequest({{"a", 0}, {"b", 1}, {"c", 1}}))
                  .status()
                  .message(),
              HasSubstr("no stage for node 'd'"));
  EXPECT_THAT(
      EvaluateRequest(
          SplitRequest({{"a", 0}, {"b", 1}, {"c", 1}, {"d", 1}, {"zz", 0}}))
          .status()
          .message(),
      HasSubstr("unknown node 'zz'"));
  EXPECT_THAT(
      EvaluateRequest(SplitRequest({{"a", 1}, {"b", 0}, {"c", 1}, {"d", 1}}))
          .status()
          .message(),
      HasSubstr("'a' -> 'b'"));
  EXPECT_THAT(
      EvaluateRequest(SplitRequest({{"a", 0}, {"b", 0}, {"c", 0}, {"d", 5}}))
          .status()
          .message(),
      HasSubstr("outside [0, 2)"));
}

TEST(EvaluateRequest, ReportsMemoryViolation) {
  v1::EvaluateRequest request =
      SplitRequest({{"a", 0}, {"b", 1}, {"c", 1}, {"d", 1}});
  for (auto& node : *request.mutable_graph()->mutable_nodes())
    node.set_memory_bytes(10);
  request.set_memory_limit_bytes(25);
  auto response = EvaluateRequest(request);
  ASSERT_TRUE(response.ok());
  EXPECT_FALSE(response->memory_feasible());
  EXPECT_THAT(response->violation(), HasSubstr("stage 1 holds 30 bytes"));
}

TEST(PlanJson, RoundTripsWithEveryStageField) {
  auto response =
      EvaluateRequest(SplitRequest({{"a", 0}, {"b", 0}, {"c", 0}, {"d", 0}}));
  ASSERT_TRUE(response.ok());
  const std::string json = ToJson(response->plan());
  // Zero-valued stage fields are printed too, so readers need no defaults.
  EXPECT_THAT(json, HasSubstr("\"commIn\": 0"));
  EXPECT_THAT(json, HasSubstr("\"memoryBytes\": \"0\""));
  EXPECT_THAT(json, HasSubstr("\"stageOf\""));
  auto parsed = ParsePlanJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->stage_of().at("d"), 0);
  EXPECT_DOUBLE_EQ(parsed->bottleneck(), 4);
}

TEST(PlanJson, RejectsUnknownFields) {
  EXPECT_THAT(
      ParsePlanJson("{\"bottleneck\": 1, \"bogus\": 2}").status().message(),
      HasSubstr("bogus"));
  EXPECT_FALSE(ParseGraphJson("{\"nodes\": [{\"id\": 3}").ok());
}

TEST(PlanFromSnapshot, CarriesTheCertificate) {
  Graph graph = testing::MakeGraph(testing::DesignExample());
  BoardSnapshot snapshot;
  auto incumbent = std::make_shared<Incumbent>();
  incumbent->stage_of = {0, 0, 0, 0};
  incumbent->cost = EvaluateFeasiblePartition(graph, incumbent->stage_of, 2);
  incumbent->source = "dp";
  snapshot.incumbent = incumbent;
  snapshot.lower_bound = 3;
  snapshot.bound_source = "ideal_dp";
  v1::Plan plan = PlanFromSnapshot(graph, 2, snapshot);
  EXPECT_DOUBLE_EQ(plan.bottleneck(), 4);
  EXPECT_DOUBLE_EQ(plan.lower_bound(), 3);
  EXPECT_DOUBLE_EQ(plan.gap(), 0.25);
  EXPECT_EQ(plan.bound_method(), "ideal_dp");
  EXPECT_EQ(plan.partition_method(), "dp");
  EXPECT_FALSE(plan.proven_optimal());
  snapshot.done = true;
  snapshot.stop_reason = v1::STOP_REASON_TIME_LIMIT;
  v1::SolveEvent event = EventFromSnapshot(graph, 2, snapshot, nullptr);
  EXPECT_EQ(event.kind(), v1::SolveEvent::KIND_FINAL);
  EXPECT_EQ(event.stop_reason(), v1::STOP_REASON_TIME_LIMIT);
  EXPECT_TRUE(event.has_plan());
}

}  // namespace
}  // namespace pipecut
