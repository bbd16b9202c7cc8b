#include "core/importers/onnx_importer.h"

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/cost/partition_cost.h"
#include "core/graph/graph.h"
#include "core/importers/graph_file.h"
#include "core/options.h"
#include "core/solve/solver.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pipecut {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

// 1 GFLOP/s, 1 GB/s memory, 1 MB/s link, no overhead: work in ms is
// max(flops, bytes) * 1e-6 and comm in ms is bytes * 1e-3.
DeviceProfile SimpleDevice() {
  DeviceProfile d;
  d.name = "test";
  d.peak_flops = 1e9;
  d.memory_bandwidth = 1e9;
  d.link_bandwidth = 1e6;
  d.op_overhead_seconds = 0;
  return d;
}

// Builds ONNX models through the protobuf API, without value_info: the
// importer's shape inference has to fill in every intermediate shape.
class ModelBuilder {
 public:
  ModelBuilder() {
    model_.set_ir_version(8);
    model_.add_opset_import()->set_version(13);
    model_.mutable_graph()->set_name("built");
  }

  void Input(const std::string& name, std::vector<int64_t> dims,
             int32_t type = onnx::TensorProto::FLOAT) {
    Value(model_.mutable_graph()->add_input(), name, dims, type);
  }
  void Output(const std::string& name) {
    model_.mutable_graph()->add_output()->set_name(name);
  }
  // Weights without data (as the zoo strips them): only dims matter.
  void Weight(const std::string& name, std::vector<int64_t> dims) {
    onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
  }
  void IntConstant(const std::string& name, std::vector<int64_t> values,
                   bool scalar = false) {
    onnx::NodeProto* n = Node("Constant", {}, {name});
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    onnx::TensorProto* t = a->mutable_t();
    t->set_data_type(onnx::TensorProto::INT64);
    if (!scalar) t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
  }
  onnx::NodeProto* Node(const std::string& op, std::vector<std::string> inputs,
                        std::vector<std::string> outputs,
                        const std::string& name = "") {
    onnx::NodeProto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto& i : inputs) n->add_input(i);
    for (auto& o : outputs) n->add_output(o);
    return n;
  }
  static void Ints(onnx::NodeProto* n, const std::string& name,
                   std::vector<int64_t> values) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
  }
  static void Int(onnx::NodeProto* n, const std::string& name, int64_t v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  const onnx::ModelProto& model() const { return model_; }

 private:
  static void Value(onnx::ValueInfoProto* v, const std::string& name,
                    const std::vector<int64_t>& dims, int32_t type) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(type);
    auto* shape = t->mutable_shape();
    for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
  }
  onnx::ModelProto model_;
};

const v1::Node& FindNode(const v1::Graph& g, const std::string& id) {
  for (const v1::Node& n : g.nodes()) {
    if (n.id() == id) return n;
  }
  ADD_FAILURE() << "no node " << id;
  static const v1::Node kNone;
  return kNone;
}

std::vector<std::pair<std::string, std::string>> Edges(const v1::Graph& g) {
  std::vector<std::pair<std::string, std::string>> edges;
  for (const v1::Edge& e : g.edges()) edges.emplace_back(e.src(), e.dst());
  return edges;
}

std::vector<std::string> Ids(const v1::Graph& g) {
  std::vector<std::string> ids;
  for (const v1::Node& n : g.nodes()) ids.push_back(n.id());
  return ids;
}

std::string Fixture(const std::string& name) {
  return std::string(PIPECUT_SOURCE_DIR) + "/tests/fixtures/" + name;
}

// Conv -> Relu -> Reshape (target computed by Shape/Gather/Unsqueeze/Concat
// from Relu's output, as torch exports flatten) -> Gemm.
ModelBuilder ConvNet() {
  ModelBuilder b;
  b.Input("x", {1, 3, 8, 8});
  b.Weight("w", {16, 3, 3, 3});
  b.Weight("bias", {16});
  b.Weight("w2", {10, 576});
  b.Weight("b2", {10});
  b.Node("Conv", {"x", "w", "bias"}, {"c"}, "conv");
  b.Node("Relu", {"c"}, {"r"}, "relu");
  b.Node("Shape", {"r"}, {"s"}, "shape");
  b.IntConstant("zero", {0}, /*scalar=*/true);
  b.Node("Gather", {"s", "zero"}, {"g"}, "gather");
  b.IntConstant("axes", {0});
  b.Node("Unsqueeze", {"g", "axes"}, {"u"}, "unsqueeze");
  b.IntConstant("minus_one", {-1});
  ModelBuilder::Int(b.Node("Concat", {"u", "minus_one"}, {"target"}, "concat"),
                    "axis", 0);
  b.Node("Reshape", {"r", "target"}, {"flat"}, "flatten");
  onnx::NodeProto* gemm = b.Node("Gemm", {"flat", "w2", "b2"}, {"y"}, "fc");
  ModelBuilder::Int(gemm, "transB", 1);
  b.Output("y");
  return b;
}

TEST(OnnxImporter, FoldsShapeComputationsAndCostsEachOperator) {
  OnnxImportStats stats;
  absl::StatusOr<v1::Graph> g =
      ImportOnnxModelProto(ConvNet().model(), SimpleDevice(), &stats);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->name(), "built");
  EXPECT_THAT(Ids(*g),
              UnorderedElementsAreArray({"conv", "relu", "flatten", "fc"}));
  EXPECT_THAT(
      Edges(*g),
      UnorderedElementsAreArray(
          std::vector<std::pair<std::string, std::string>>{
              {"conv", "relu"}, {"relu", "flatten"}, {"flatten", "fc"}}));
  EXPECT_EQ(stats.onnx_nodes, 11);
  // Shape, three Constants, Gather, Unsqueeze, Concat.
  EXPECT_EQ(stats.folded_nodes, 7);
  EXPECT_EQ(stats.compute_nodes, 4);
  EXPECT_TRUE(stats.ops_without_formula.empty());
  EXPECT_EQ(stats.unknown_dim_tensors, 0);

  // conv: 2*576*27 + 576 FLOPs > (192+432+16+576)*4 bytes; sends 576 floats.
  const v1::Node& conv = FindNode(*g, "conv");
  EXPECT_EQ(conv.op_type(), "Conv");
  EXPECT_NEAR(conv.work(), 31680e-6, 1e-12);
  EXPECT_NEAR(conv.comm(), 2304e-3, 1e-12);
  EXPECT_EQ(conv.memory_bytes(), (432 + 16) * 4);
  // relu: memory-bound, (576+576)*4 bytes.
  const v1::Node& relu = FindNode(*g, "relu");
  EXPECT_NEAR(relu.work(), 4608e-6, 1e-12);
  EXPECT_NEAR(relu.comm(), 2304e-3, 1e-12);
  // flatten is a view: no work; the folded 2-element int64 target is its
  // only constant input. The shape [1, 576] was inferred through the folded
  // Shape/Gather/Unsqueeze/Concat chain (data propagation).
  const v1::Node& flatten = FindNode(*g, "flatten");
  EXPECT_DOUBLE_EQ(flatten.work(), 0);
  EXPECT_EQ(flatten.memory_bytes(), 16);
  EXPECT_NEAR(flatten.comm(), 2304e-3, 1e-12);
  // fc: 2*10*576 + 10 FLOPs < (576+5760+10+10)*4 bytes; graph output only.
  const v1::Node& fc = FindNode(*g, "fc");
  EXPECT_NEAR(fc.work(), 25424e-6, 1e-12);
  EXPECT_DOUBLE_EQ(fc.comm(), 0);
  EXPECT_EQ(fc.memory_bytes(), (5760 + 10) * 4);
  EXPECT_DOUBLE_EQ(stats.total_flops, 31680 + 576 + 11530);

  EXPECT_TRUE(Graph::FromProto(*g).ok());
}

TEST(OnnxImporter, MultiOutputOperatorsAndRepeatedReads) {
  ModelBuilder b;
  b.Input("x", {4, 6});
  b.IntConstant("sizes", {3, 3});
  onnx::NodeProto* split = b.Node("Split", {"x", "sizes"}, {"a", "b"}, "split");
  ModelBuilder::Int(split, "axis", 1);
  b.Node("Relu", {"a"}, {"ra"}, "relu");
  b.Node("Sigmoid", {"b"}, {"sb"}, "sigmoid");
  b.Node("Mul", {"ra", "ra"}, {"sq"}, "square");  // reads one tensor twice
  b.Node("Add", {"sq", "sb"}, {"sum"}, "add");
  b.Node("Add", {"sum", "ra"}, {"y"}, "add2");
  b.Output("y");
  absl::StatusOr<v1::Graph> g = ImportOnnxModelProto(b.model(), SimpleDevice());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT(Edges(*g), UnorderedElementsAreArray(
                             std::vector<std::pair<std::string, std::string>>{
                                 {"split", "relu"},
                                 {"split", "sigmoid"},
                                 {"relu", "square"},
                                 {"relu", "add2"},
                                 {"square", "add"},
                                 {"sigmoid", "add"},
                                 {"add", "add2"}}));
  // Split sends both 4x3 outputs; relu's output is counted once although
  // two nodes (one of them twice) read it.
  EXPECT_NEAR(FindNode(*g, "split").comm(), 2 * 48e-3, 1e-12);
  EXPECT_NEAR(FindNode(*g, "relu").comm(), 48e-3, 1e-12);
  // Sigmoid is transcendental: 4 FLOPs per element, 48 < 96 bytes.
  EXPECT_NEAR(FindNode(*g, "sigmoid").work(), 96e-6, 1e-12);
  EXPECT_TRUE(Graph::FromProto(*g).ok());
}

TEST(OnnxImporter, GeneratesUniqueIdsForUnnamedAndRepeatedNames) {
  ModelBuilder b;
  b.Input("x", {2});
  b.Node("Relu", {"x"}, {"a"}, "");
  b.Node("Relu", {"a"}, {"b"}, "dup");
  b.Node("Relu", {"b"}, {"c"}, "dup");
  b.Node("Relu", {"c"}, {"d"}, "Relu_0");  // collides with a generated id
  b.Output("d");
  absl::StatusOr<v1::Graph> g = ImportOnnxModelProto(b.model(), SimpleDevice());
  ASSERT_TRUE(g.ok()) << g.status();
  const std::vector<std::string> ids = Ids(*g);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 4u);
  EXPECT_EQ(ids[0], "Relu_0");
  EXPECT_EQ(ids[1], "dup");
  EXPECT_EQ(ids[2], "Relu_2");
  EXPECT_EQ(ids[3], "Relu_3");
  EXPECT_TRUE(Graph::FromProto(*g).ok());
}

TEST(OnnxImporter, UnknownOpsGetAnElementwiseEstimate) {
  ModelBuilder b;
  b.Input("x", {5, 5});
  onnx::NodeProto* n = b.Node("Frobnicate", {"x"}, {"y"}, "custom");
  n->set_domain("com.example");
  b.Node("Relu", {"y"}, {"z"}, "relu");
  b.Output("z");
  onnx::ModelProto model = b.model();
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("com.example");
  opset->set_version(1);
  OnnxImportStats stats;
  absl::StatusOr<v1::Graph> g =
      ImportOnnxModelProto(model, SimpleDevice(), &stats);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(stats.ops_without_formula.at("com.example::Frobnicate"), 1);
  // Its output shape is unknown (no schema), so it counts as one element.
  EXPECT_GT(stats.unknown_dim_tensors, 0);
  EXPECT_EQ(g->nodes_size(), 2);
  EXPECT_TRUE(Graph::FromProto(*g).ok());
}

// If/Loop bodies may read outer tensors directly; those are data edges.
TEST(OnnxImporter, ControlFlowBodiesReadOuterTensors) {
  ModelBuilder b;
  b.Input("x", {4});
  b.Input("cond", {}, onnx::TensorProto::BOOL);
  b.Node("Relu", {"x"}, {"r"}, "relu");
  onnx::NodeProto* branch = b.Node("If", {"cond"}, {"y"}, "if");
  for (const char* name : {"then_branch", "else_branch"}) {
    onnx::AttributeProto* a = branch->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::GRAPH);
    onnx::GraphProto* body = a->mutable_g();
    body->set_name(name);
    onnx::NodeProto* n = body->add_node();
    n->set_op_type(std::string(name) == "then_branch" ? "Identity" : "Neg");
    n->add_input("r");
    n->add_output(std::string(name) + "_out");
    onnx::ValueInfoProto* out = body->add_output();
    out->set_name(std::string(name) + "_out");
    out->mutable_type()->mutable_tensor_type()->set_elem_type(
        onnx::TensorProto::FLOAT);
  }
  b.Node("Add", {"y", "r"}, {"z"}, "add");
  b.Output("z");
  OnnxImportStats stats;
  absl::StatusOr<v1::Graph> g =
      ImportOnnxModelProto(b.model(), SimpleDevice(), &stats);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT(Ids(*g), UnorderedElementsAreArray({"relu", "if", "add"}));
  EXPECT_THAT(Edges(*g),
              UnorderedElementsAreArray(
                  std::vector<std::pair<std::string, std::string>>{
                      {"relu", "if"}, {"relu", "add"}, {"if", "add"}}));
  EXPECT_EQ(stats.ops_without_formula.at("If"), 1);
  EXPECT_TRUE(Graph::FromProto(*g).ok());
}

TEST(OnnxImporter, RejectsGarbageAndEmptyModels) {
  EXPECT_EQ(ImportOnnxModel("", SimpleDevice()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(ImportOnnxModel("", SimpleDevice()).status().message()),
      HasSubstr("no graph"));
  absl::StatusOr<v1::Graph> garbage =
      ImportOnnxModel("\xff\xff\xff\xff not a model", SimpleDevice());
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(garbage.status().message()), HasSubstr("ONNX"));
  EXPECT_EQ(
      ImportOnnxFile("/nonexistent/model.onnx", SimpleDevice()).status().code(),
      absl::StatusCode::kNotFound);
}

// Truncations and byte flips of a real model either fail with
// INVALID_ARGUMENT or give a graph the validator accepts or rejects cleanly.
TEST(OnnxImporter, TruncatedAndCorruptedFilesNeverCrash) {
  std::string bytes;
  {
    ModelBuilder b = ConvNet();
    ASSERT_TRUE(b.model().SerializeToString(&bytes));
  }
  absl::StatusOr<std::string> fixture = ReadFile(Fixture("mobilenet_v2.onnx"));
  ASSERT_TRUE(fixture.ok()) << fixture.status();
  int rejected = 0;
  auto check = [&](const std::string& data) {
    absl::StatusOr<v1::Graph> g = ImportOnnxModel(data, SimpleDevice());
    if (!g.ok()) {
      EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument)
          << g.status();
      ++rejected;
      return;
    }
    (void)Graph::FromProto(*g);  // must not crash either way
  };
  for (size_t len = 0; len < bytes.size(); ++len) check(bytes.substr(0, len));
  std::mt19937 rng(6);
  for (int i = 0; i < 60; ++i) {
    check(fixture->substr(0, rng() % fixture->size()));
  }
  for (int i = 0; i < 200; ++i) {
    std::string flipped = bytes;
    for (int f = 0; f < 3; ++f) {
      flipped[rng() % flipped.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    check(flipped);
  }
  EXPECT_GT(rejected, 0);
}

TEST(OnnxImporter, ResNet50FixtureMatchesKnownSizes) {
  OnnxImportStats stats;
  absl::StatusOr<v1::Graph> g =
      ImportOnnxFile(Fixture("resnet50.onnx"), DeviceProfile(), &stats);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->name(), "resnet50");
  // 53 convs (BN fused by the export), 49 ReLUs, 16 residual Adds, 2 pools,
  // Flatten, Gemm.
  EXPECT_EQ(stats.compute_nodes, 122);
  EXPECT_TRUE(stats.ops_without_formula.empty());
  // ResNet-50 is ~4.1 GMACs at 224x224 and has 25.5M parameters.
  EXPECT_GT(stats.total_flops, 8.0e9);
  EXPECT_LT(stats.total_flops, 8.4e9);
  EXPECT_GT(stats.weight_bytes, 4 * 25.4e6);
  EXPECT_LT(stats.weight_bytes, 4 * 25.7e6);
  // Memory equals the weights' dims x 4 summed per reading node, computed
  // independently here. The export shares identical (fused BN) biases
  // through Identity nodes; each convolution still holds its own copy.
  absl::StatusOr<std::string> bytes = ReadFile(Fixture("resnet50.onnx"));
  ASSERT_TRUE(bytes.ok());
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(*bytes));
  std::map<std::string, double> weight_bytes;
  for (const onnx::TensorProto& t : model.graph().initializer()) {
    double n = 4;
    for (int64_t d : t.dims()) n *= static_cast<double>(d);
    weight_bytes[t.name()] = n;
  }
  double expected = 0;
  for (const onnx::NodeProto& n : model.graph().node()) {
    if (n.op_type() == "Identity") {
      weight_bytes[n.output(0)] = weight_bytes.at(n.input(0));
      continue;
    }
    for (const std::string& input : n.input()) {
      const auto it = weight_bytes.find(input);
      if (it != weight_bytes.end()) expected += it->second;
    }
  }
  int64_t memory = 0;
  for (const v1::Node& n : g->nodes()) memory += n.memory_bytes();
  EXPECT_EQ(static_cast<double>(memory), expected);
}

TEST(OnnxImporter, EveryFixtureImportsToAValidGraph) {
  for (const char* name : {"resnet50.onnx", "mobilenet_v2.onnx",
                           "inception_v3.onnx", "bert_base_like.onnx"}) {
    OnnxImportStats stats;
    absl::StatusOr<v1::Graph> g =
        ImportOnnxFile(Fixture(name), DeviceProfile(), &stats);
    ASSERT_TRUE(g.ok()) << name << ": " << g.status();
    EXPECT_TRUE(stats.ops_without_formula.empty()) << name;
    EXPECT_EQ(stats.unknown_dim_tensors, 0) << name;
    absl::StatusOr<Graph> graph = Graph::FromProto(*g);
    ASSERT_TRUE(graph.ok()) << name << ": " << graph.status();
    EXPECT_GT(graph->total_work(), 0) << name;
  }
}

TEST(OnnxImporter, LoadGraphFileDispatchesOnExtensionWithTheDevice) {
  v1::ImportOptions options;
  options.mutable_device()->set_preset("t4");
  absl::StatusOr<v1::Graph> t4 =
      LoadGraphFile(Fixture("mobilenet_v2.onnx"), options);
  ASSERT_TRUE(t4.ok()) << t4.status();
  absl::StatusOr<v1::Graph> a100 = LoadGraphFile(Fixture("mobilenet_v2.onnx"));
  ASSERT_TRUE(a100.ok()) << a100.status();
  ASSERT_EQ(t4->nodes_size(), a100->nodes_size());
  double work_t4 = 0, work_a100 = 0;
  for (int i = 0; i < t4->nodes_size(); ++i) {
    work_t4 += t4->nodes(i).work();
    work_a100 += a100->nodes(i).work();
  }
  EXPECT_GT(work_t4, work_a100);  // a T4 is slower on every roofline term
  options.mutable_device()->set_preset("nope");
  EXPECT_EQ(
      LoadGraphFile(Fixture("mobilenet_v2.onnx"), options).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(OnnxImporter, ImportThenSolveEndToEnd) {
  absl::StatusOr<v1::Graph> proto = LoadGraphFile(Fixture("resnet50.onnx"));
  ASSERT_TRUE(proto.ok()) << proto.status();
  absl::StatusOr<Graph> built = Graph::FromProto(*proto);
  ASSERT_TRUE(built.ok()) << built.status();
  auto graph = std::make_shared<const Graph>(*std::move(built));
  v1::SolveOptions options;
  options.add_methods("lb0");
  options.add_methods("dp");
  options.set_num_threads(2);
  options.set_time_limit_seconds(30);
  absl::StatusOr<ResolvedOptions> resolved = ResolveOptions(options);
  ASSERT_TRUE(resolved.ok());
  const int k = 4;
  absl::StatusOr<BoardSnapshot> snapshot =
      SolveToCompletion(graph, k, *resolved);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_NE(snapshot->incumbent, nullptr);
  EXPECT_LE(snapshot->lower_bound, snapshot->best_bottleneck() + 1e-12);
  EXPECT_GE(snapshot->lower_bound, graph->total_work() / k - 1e-12);
  EXPECT_TRUE(CheckPartition(*graph, snapshot->incumbent->stage_of, k).ok());
  absl::StatusOr<PartitionCost> cost =
      EvaluatePartition(*graph, snapshot->incumbent->stage_of, k);
  ASSERT_TRUE(cost.ok());
  EXPECT_DOUBLE_EQ(cost->bottleneck, snapshot->best_bottleneck());
}

}  // namespace
}  // namespace pipecut
