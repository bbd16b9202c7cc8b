#include "core/graph/graph.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

using ::pipecut::testing::GraphProtoFromText;
using ::testing::HasSubstr;

absl::Status BuildStatus(const std::string& text) {
  return Graph::FromProto(GraphProtoFromText(text)).status();
}

TEST(Graph, BuildsAdjacencyAndTopologicalOrder) {
  Graph g = testing::MakeGraph(testing::DesignExample());
  EXPECT_EQ(g.num_nodes(), 4);
  EXPECT_EQ(g.num_edges(), 4);
  EXPECT_EQ(g.total_work(), 4);
  const int a = *g.FindNode("a"), d = *g.FindNode("d");
  EXPECT_EQ(g.successors(a).size(), 2);
  EXPECT_EQ(g.predecessors(d).size(), 2);
  EXPECT_EQ(g.topological_order().front(), a);
  EXPECT_EQ(g.topological_order().back(), d);
}

TEST(Graph, MergesParallelEdges) {
  Graph g = testing::MakeGraph(GraphProtoFromText(R"pb(
    nodes { id: "x" }
    nodes { id: "y" }
    edges { src: "x" dst: "y" }
    edges { src: "x" dst: "y" })pb"));
  EXPECT_EQ(g.num_edges(), 1);
}

TEST(Graph, RejectsEmptyGraph) {
  EXPECT_THAT(BuildStatus("name: 'e'").message(), HasSubstr("no nodes"));
}

TEST(Graph, RejectsDuplicateId) {
  absl::Status s = BuildStatus("nodes { id: 'x' } nodes { id: 'x' }");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("duplicate node id 'x'"));
}

TEST(Graph, RejectsEmptyId) {
  EXPECT_THAT(BuildStatus("nodes { id: '' }").message(), HasSubstr("empty id"));
}

TEST(Graph, RejectsUnknownNodeInEdge) {
  absl::Status s =
      BuildStatus("nodes { id: 'x' } edges { src: 'x' dst: 'ghost' }");
  EXPECT_THAT(s.message(), HasSubstr("unknown node 'ghost'"));
}

TEST(Graph, RejectsSelfLoop) {
  absl::Status s = BuildStatus("nodes { id: 'x' } edges { src: 'x' dst: 'x' }");
  EXPECT_THAT(s.message(), HasSubstr("self-loop on node 'x'"));
}

TEST(Graph, ReportsTheNodesOfACycle) {
  absl::Status s = BuildStatus(R"pb(
    nodes { id: "in" }
    nodes { id: "p" }
    nodes { id: "q" }
    nodes { id: "r" }
    nodes { id: "out" }
    edges { src: "in" dst: "p" }
    edges { src: "p" dst: "q" }
    edges { src: "q" dst: "r" }
    edges { src: "r" dst: "p" }
    edges { src: "r" dst: "out" })pb");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("cycle"));
  EXPECT_THAT(s.message(), HasSubstr("p"));
  EXPECT_THAT(s.message(), HasSubstr("q"));
  EXPECT_THAT(s.message(), HasSubstr("r"));
  EXPECT_THAT(s.message(), ::testing::Not(HasSubstr("in ")));
  EXPECT_THAT(s.message(), ::testing::Not(HasSubstr("out")));
}

TEST(Graph, CycleIsListedInEdgeOrder) {
  absl::Status s = BuildStatus(R"pb(
    nodes { id: "p" }
    nodes { id: "q" }
    nodes { id: "r" }
    edges { src: "p" dst: "q" }
    edges { src: "q" dst: "r" }
    edges { src: "r" dst: "p" })pb");
  // Any rotation of p -> q -> r -> p is fine; check consecutive pairs.
  const std::string m(s.message());
  EXPECT_TRUE(m.find("p -> q -> r -> p") != std::string::npos ||
              m.find("q -> r -> p -> q") != std::string::npos ||
              m.find("r -> p -> q -> r") != std::string::npos)
      << m;
}

TEST(Graph, RejectsBadCosts) {
  EXPECT_THAT(BuildStatus("nodes { id: 'x' work: -1 }").message(),
              HasSubstr("node 'x': work"));
  EXPECT_THAT(BuildStatus("nodes { id: 'x' comm: nan }").message(),
              HasSubstr("node 'x': comm"));
  EXPECT_THAT(BuildStatus("nodes { id: 'x' work: inf }").message(),
              HasSubstr("node 'x': work"));
  EXPECT_THAT(BuildStatus("nodes { id: 'x' memory_bytes: -5 }").message(),
              HasSubstr("node 'x': memory_bytes"));
}

TEST(Graph, EnforcesSizeLimits) {
  GraphLimits limits;
  limits.max_nodes = 1;
  absl::Status s =
      Graph::FromProto(
          GraphProtoFromText("nodes { id: 'x' } nodes { id: 'y' }"), limits)
          .status();
  EXPECT_THAT(s.message(), HasSubstr("above the limit"));
}

TEST(Graph, RoundTripsThroughProto) {
  Graph g = testing::MakeGraph(testing::RandomDag(12, 0.3, 5, 7));
  Graph h = testing::MakeGraph(g.ToProto());
  EXPECT_EQ(h.num_nodes(), g.num_nodes());
  EXPECT_EQ(h.num_edges(), g.num_edges());
  for (int v = 0; v < g.num_nodes(); ++v) {
    EXPECT_EQ(h.id(v), g.id(v));
    EXPECT_EQ(h.successors(v).size(), g.successors(v).size());
  }
}

}  // namespace
}  // namespace pipecut

namespace pipecut {
namespace {

TEST(Graph, HasCommunicationOnlyWhenATensorCanCross) {
  EXPECT_TRUE(testing::MakeGraph(testing::DesignExample()).has_communication());
  // Comm on a sink never crosses a boundary.
  EXPECT_FALSE(testing::MakeGraph(testing::GraphProtoFromText(R"pb(
                 nodes { id: "x" }
                 nodes { id: "y" comm: 3 }
                 edges { src: "x" dst: "y" })pb"))
                   .has_communication());
}

}  // namespace
}  // namespace pipecut
