#include <filesystem>
#include <fstream>
#include <string>

#include "core/graph/graph.h"
#include "core/importers/graph_file.h"
#include "core/importers/msr_json.h"
#include "core/importers/pipedream_graph.h"
#include "core/importers/salbp_in2.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

using ::testing::HasSubstr;

std::string WriteTemp(const std::string& name, const std::string& contents) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

constexpr char kMsrSample[] = R"({
  "maxSizePerFPGA": 100.0, "maxFPGAs": 2, "maxCPUs": 1,
  "nodes": [
    {"id": 1, "name": "in", "fpgaLatency": 0.5, "cpuLatency": 9, "size": 4,
     "supportedOnFpga": 1, "isBackwardNode": 0, "colorClass": 1},
    {"id": 3, "name": "mm", "fpgaLatency": 2.0, "cpuLatency": 9, "size": 4,
     "supportedOnFpga": 1, "isBackwardNode": 0},
    {"id": 7, "fpgaLatency": 1.0, "cpuLatency": 9, "size": 4,
     "supportedOnFpga": 1, "isBackwardNode": 0}],
  "edges": [
    {"sourceId": 1, "destId": 3, "cost": 0.25, "size": 8},
    {"sourceId": 1, "destId": 7, "cost": 0.25, "size": 8},
    {"sourceId": 3, "destId": 7, "cost": 0.125, "size": 8}]})";

TEST(MsrJson, WorkIsFpgaLatencyAndCommIsTheSourceCost) {
  ASSERT_TRUE(LooksLikeMsrJson(kMsrSample));
  auto proto = ParseMsrJson(kMsrSample, "sample.json");
  ASSERT_TRUE(proto.ok()) << proto.status();
  Graph g = testing::MakeGraph(*proto);
  ASSERT_EQ(g.num_nodes(), 3);
  EXPECT_EQ(g.num_edges(), 3);
  const int in = *g.FindNode("1"), mm = *g.FindNode("3"),
            out = *g.FindNode("7");
  EXPECT_DOUBLE_EQ(g.work(in), 0.5);
  EXPECT_DOUBLE_EQ(g.comm(in), 0.25);  // once per tensor, not per edge
  EXPECT_DOUBLE_EQ(g.work(mm), 2.0);
  EXPECT_DOUBLE_EQ(g.comm(mm), 0.125);
  EXPECT_DOUBLE_EQ(g.comm(out), 0);  // no consumer
  EXPECT_EQ(g.memory(mm), 0);        // sizes are ignored
  EXPECT_EQ(g.op_type(mm), "mm");
}

TEST(MsrJson, ErrorsNameFileAndElement) {
  // An edge to an unknown destination is left to Graph validation, which
  // names the edge by its node ids.
  auto bad_dest = ParseMsrJson(
      R"({"nodes": [{"id": 1, "fpgaLatency": 1}],
          "edges": [{"sourceId": 1, "destId": 2, "cost": 1}]})",
      "f.json");
  ASSERT_TRUE(bad_dest.ok()) << bad_dest.status();
  EXPECT_FALSE(Graph::FromProto(*bad_dest).ok());
  auto missing =
      ParseMsrJson(R"({"nodes": [{"id": 1}], "edges": []})", "f.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("f.json: nodes[0] has no \"fpgaLatency\""));
  auto unknown_source = ParseMsrJson(
      R"({"nodes": [{"id": 1, "fpgaLatency": 1}],
          "edges": [{"sourceId": 5, "destId": 1, "cost": 1}]})",
      "f.json");
  EXPECT_THAT(std::string(unknown_source.status().message()),
              HasSubstr("edges[0] names unknown sourceId 5"));
  EXPECT_FALSE(ParseMsrJson("{", "f.json").ok());
}

constexpr char kPipeDreamSample[] =
    "node1 -- Input0 -- forward_compute_time=0.000, "
    "backward_compute_time=0.000, activation_size=2000000.0, "
    "parameter_size=0.000\n"
    "node2 -- Conv2d(3, 64, kernel_size=(11, 11)) -- "
    "forward_compute_time=1.5, backward_compute_time=3.0, "
    "activation_size=4000000.0, parameter_size=23296.000\n"
    "node3 -- ReLU(inplace) -- forward_compute_time=0.25, "
    "backward_compute_time=0.1, activation_size=4000000.0, "
    "parameter_size=0.000\n"
    "\tnode1 -- node2\n"
    "\tnode2 -- node3\n";

TEST(PipeDreamGraph, ReadsNodesAndEdges) {
  ASSERT_TRUE(LooksLikePipeDreamGraph(kPipeDreamSample));
  auto proto = ParsePipeDreamGraph(kPipeDreamSample, "g.txt", 1e6);
  ASSERT_TRUE(proto.ok()) << proto.status();
  Graph g = testing::MakeGraph(*proto);
  ASSERT_EQ(g.num_nodes(), 3);
  EXPECT_EQ(g.num_edges(), 2);
  const int conv = *g.FindNode("node2");
  EXPECT_DOUBLE_EQ(g.work(conv), 1.5);
  EXPECT_DOUBLE_EQ(g.comm(conv), 4.0);  // 4e6 bytes at 1e6 bytes/ms
  EXPECT_EQ(g.memory(conv), 23296);
  EXPECT_EQ(g.op_type(conv), "Conv2d");
}

TEST(PipeDreamGraph, ErrorsNameLine) {
  auto bad = ParsePipeDreamGraph(
      "node1 -- A -- forward_compute_time=1, activation_size=1, "
      "parameter_size=0\n"
      "node2 -- B -- forward_compute_time=x, activation_size=1, "
      "parameter_size=0\n",
      "g.txt", 1e6);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("g.txt:2:"));
  auto bad_edge = ParsePipeDreamGraph(
      "node1 -- A -- forward_compute_time=1, activation_size=1, "
      "parameter_size=0\n\tnode1 node2\n",
      "g.txt", 1e6);
  EXPECT_THAT(std::string(bad_edge.status().message()), HasSubstr("g.txt:2:"));
}

TEST(SalbpIn2, ReadsTimesAndPrecedences) {
  auto proto =
      ParseSalbpIn2("3\r\n4\r\n5\r\n6\r\n1,2\r\n1,3\r\n-1,-1\r\n", "t.IN2");
  ASSERT_TRUE(proto.ok()) << proto.status();
  Graph g = testing::MakeGraph(*proto);
  ASSERT_EQ(g.num_nodes(), 3);
  EXPECT_EQ(g.num_edges(), 2);
  EXPECT_DOUBLE_EQ(g.work(*g.FindNode("3")), 6);
  EXPECT_DOUBLE_EQ(g.comm(*g.FindNode("1")), 0);
}

TEST(SalbpIn2, ErrorsNameLine) {
  EXPECT_THAT(
      std::string(ParseSalbpIn2("2\n1\nx\n", "t.IN2").status().message()),
      HasSubstr("t.IN2:3:"));
  EXPECT_THAT(
      std::string(ParseSalbpIn2("2\n1\n1\n1,3\n", "t.IN2").status().message()),
      HasSubstr("t.IN2:4: task number outside 1..2"));
  EXPECT_THAT(
      std::string(ParseSalbpIn2("3\n1\n1\n", "t.IN2").status().message()),
      HasSubstr("expected 3 task times"));
}

TEST(LoadGraphFile, DispatchesOnTypeAndContent) {
  auto msr = LoadGraphFile(WriteTemp("m.json", kMsrSample));
  ASSERT_TRUE(msr.ok()) << msr.status();
  EXPECT_EQ(msr->nodes_size(), 3);
  EXPECT_EQ(msr->name(), "m.json");

  v1::ImportOptions slow_link;
  slow_link.set_link_bandwidth(2e6);
  auto pd =
      LoadGraphFile(WriteTemp("p.graph.txt", kPipeDreamSample), slow_link);
  ASSERT_TRUE(pd.ok()) << pd.status();
  EXPECT_DOUBLE_EQ(pd->nodes(1).comm(), 2.0);

  auto salbp = LoadGraphFile(WriteTemp("s.IN2", "1\n7\n"));
  ASSERT_TRUE(salbp.ok()) << salbp.status();
  EXPECT_DOUBLE_EQ(salbp->nodes(0).work(), 7);

  auto own = LoadGraphFile(WriteTemp(
      "o.json", R"({"name": "mine", "nodes": [{"id": "a", "work": 2}]})"));
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->name(), "mine");

  auto broken = LoadGraphFile(WriteTemp("b.json", "{nodes"));
  EXPECT_THAT(std::string(broken.status().message()), HasSubstr("b.json"));
  v1::ImportOptions bad;
  bad.set_link_bandwidth(-1);
  EXPECT_FALSE(LoadGraphFile(WriteTemp("p2.txt", kPipeDreamSample), bad).ok());
}

TEST(LoadGraphFile, ReadsEveryTestbedFile) {
  const auto dir = testing::TestbedDir();
  if (!dir.has_value())
    GTEST_SKIP() << "testbed not found (set PIPECUT_TESTBED)";
  int files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(*dir)) {
    const std::string path = entry.path().string();
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() ||
        (ext != ".json" && ext != ".IN2" &&
         path.find(".graph.txt") == std::string::npos)) {
      continue;
    }
    auto proto = LoadGraphFile(path);
    ASSERT_TRUE(proto.ok()) << proto.status();
    auto graph = Graph::FromProto(*proto);
    ASSERT_TRUE(graph.ok()) << path << ": " << graph.status();
    EXPECT_GT(graph->total_work(), 0) << path;
    ++files;
  }
  // 16 msr graphs, 14 PipeDream profiles, 25 Scholl graphs.
  EXPECT_EQ(files, 16 + 14 + 25);
}

}  // namespace
}  // namespace pipecut
