#include "core/importers/onnx_op_cost.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace pipecut {
namespace {

TensorDesc T(std::vector<int64_t> dims, int64_t element_bytes = 4) {
  TensorDesc t;
  t.dims = std::move(dims);
  t.element_bytes = element_bytes;
  return t;
}

TensorDesc Absent() {
  TensorDesc t;
  t.present = false;
  return t;
}

onnx::NodeProto Node(const std::string& op) {
  onnx::NodeProto node;
  node.set_op_type(op);
  return node;
}

void SetInt(onnx::NodeProto& node, const std::string& name, int64_t value) {
  onnx::AttributeProto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void SetInts(onnx::NodeProto& node, const std::string& name,
             std::vector<int64_t> values) {
  onnx::AttributeProto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

TEST(OnnxOpCost, ConvWithBias) {
  // Y = 1x16x6x6 = 576 outputs, each a 3x3x3 dot product plus a bias add.
  const OpCost c =
      EstimateOpCost(Node("Conv"), {T({1, 3, 8, 8}), T({16, 3, 3, 3}), T({16})},
                     {T({1, 16, 6, 6})});
  EXPECT_TRUE(c.has_formula);
  EXPECT_DOUBLE_EQ(c.flops, 2.0 * 576 * 27 + 576);
  EXPECT_DOUBLE_EQ(c.bytes_touched, (192 + 432 + 16 + 576) * 4.0);
}

TEST(OnnxOpCost, DepthwiseAndGroupedConv) {
  onnx::NodeProto dw = Node("Conv");
  SetInt(dw, "group", 32);
  // 32 channels, one 3x3 filter each: 2048 outputs x 9 MACs.
  EXPECT_DOUBLE_EQ(EstimateOpCost(dw, {T({1, 32, 10, 10}), T({32, 1, 3, 3})},
                                  {T({1, 32, 8, 8})})
                       .flops,
                   2.0 * 2048 * 9);
  onnx::NodeProto grouped = Node("Conv");
  SetInt(grouped, "group", 4);
  // 64 in, 32 out, 4 groups: each output reads 16 channels x 1x1.
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(grouped, {T({2, 64, 5, 5}), T({32, 16, 1, 1}), Absent()},
                     {T({2, 32, 5, 5})})
          .flops,
      2.0 * 1600 * 16);
}

TEST(OnnxOpCost, ConvTranspose) {
  // Each of the 100 inputs scatters into 2 x 3 x 3 outputs; bias on 98.
  EXPECT_DOUBLE_EQ(EstimateOpCost(Node("ConvTranspose"),
                                  {T({1, 4, 5, 5}), T({4, 2, 3, 3}), T({2})},
                                  {T({1, 2, 7, 7})})
                       .flops,
                   2.0 * 100 * 18 + 98);
}

TEST(OnnxOpCost, GemmHonoursTransA) {
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(Node("Gemm"), {T({8, 16}), T({16, 32}), T({32})},
                     {T({8, 32})})
          .flops,
      2.0 * 256 * 16 + 256);
  onnx::NodeProto trans = Node("Gemm");
  SetInt(trans, "transA", 1);
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(trans, {T({16, 8}), T({16, 32})}, {T({8, 32})}).flops,
      2.0 * 256 * 16);
}

TEST(OnnxOpCost, BatchedMatMulAsInAttention) {
  // Q K^T for batch 2, 12 heads, 128 tokens, head dim 64.
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(Node("MatMul"), {T({2, 12, 128, 64}), T({2, 12, 64, 128})},
                     {T({2, 12, 128, 128})})
          .flops,
      2.0 * 2 * 12 * 128 * 128 * 64);
  // Broadcast weight: [4, 10, 32] x [32, 8].
  EXPECT_DOUBLE_EQ(EstimateOpCost(Node("MatMul"), {T({4, 10, 32}), T({32, 8})},
                                  {T({4, 10, 8})})
                       .flops,
                   2.0 * 320 * 32);
}

TEST(OnnxOpCost, Einsum) {
  onnx::NodeProto node = Node("Einsum");
  onnx::AttributeProto* a = node.add_attribute();
  a->set_name("equation");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("bhqd,bhkd->bhqk");
  const OpCost c = EstimateOpCost(node, {T({1, 2, 4, 8}), T({1, 2, 5, 8})},
                                  {T({1, 2, 4, 5})});
  EXPECT_TRUE(c.has_formula);
  EXPECT_DOUBLE_EQ(c.flops, 2.0 * 1 * 2 * 4 * 8 * 5);
  // A rank mismatch falls back instead of reading out of bounds.
  const OpCost bad =
      EstimateOpCost(node, {T({1, 2, 4}), T({1, 2, 5, 8})}, {T({1, 2, 4, 5})});
  EXPECT_FALSE(bad.has_formula);
}

TEST(OnnxOpCost, Lstm) {
  // seq 10, batch 2, input 16, hidden 32: W is 1 x 128 x 16, R 1 x 128 x 32.
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(Node("LSTM"),
                     {T({10, 2, 16}), T({1, 128, 16}), T({1, 128, 32})},
                     {T({10, 1, 2, 32})})
          .flops,
      2.0 * 20 * (2048 + 4096));
}

TEST(OnnxOpCost, PoolingNormsSoftmaxReductions) {
  onnx::NodeProto pool = Node("MaxPool");
  SetInts(pool, "kernel_shape", {3, 3});
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(pool, {T({1, 8, 9, 9})}, {T({1, 8, 4, 4})}).flops,
      128.0 * 9);
  EXPECT_DOUBLE_EQ(EstimateOpCost(Node("GlobalAveragePool"), {T({1, 8, 7, 7})},
                                  {T({1, 8, 1, 1})})
                       .flops,
                   392);
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(Node("BatchNormalization"),
                     {T({1, 8, 4, 4}), T({8}), T({8}), T({8}), T({8})},
                     {T({1, 8, 4, 4})})
          .flops,
      4.0 * 128);
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(Node("LayerNormalization"),
                     {T({2, 5, 16}), T({16}), T({16})}, {T({2, 5, 16})})
          .flops,
      7.0 * 160);
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(Node("InstanceNormalization"),
                     {T({1, 3, 4, 4}), T({3}), T({3})}, {T({1, 3, 4, 4})})
          .flops,
      7.0 * 48);
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(Node("Softmax"), {T({2, 10})}, {T({2, 10})}).flops, 100);
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(Node("ReduceMean"), {T({4, 6})}, {T({4, 1})}).flops, 24);
}

TEST(OnnxOpCost, ElementwiseMovesAndViews) {
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(Node("Add"), {T({3, 5}), T({5})}, {T({3, 5})}).flops, 15);
  EXPECT_DOUBLE_EQ(EstimateOpCost(Node("Tanh"), {T({3, 5})}, {T({3, 5})}).flops,
                   60);
  const OpCost transpose =
      EstimateOpCost(Node("Transpose"), {T({3, 5})}, {T({5, 3})});
  EXPECT_DOUBLE_EQ(transpose.flops, 0);
  EXPECT_DOUBLE_EQ(transpose.bytes_touched, 120);
  const OpCost reshape =
      EstimateOpCost(Node("Reshape"), {T({3, 5}), T({1}, 8)}, {T({15})});
  EXPECT_DOUBLE_EQ(reshape.flops, 0);
  EXPECT_DOUBLE_EQ(reshape.bytes_touched, 0);
  // Half-precision tensors touch half the bytes.
  EXPECT_DOUBLE_EQ(
      EstimateOpCost(Node("Relu"), {T({4}, 2)}, {T({4}, 2)}).bytes_touched, 16);
}

TEST(OnnxOpCost, UnknownOpFallsBackToElementwise) {
  onnx::NodeProto custom = Node("FancyOp");
  const OpCost c = EstimateOpCost(custom, {T({3, 5})}, {T({3, 5}), T({2})});
  EXPECT_FALSE(c.has_formula);
  EXPECT_DOUBLE_EQ(c.flops, 17);
  // A known name in a custom domain is not the ONNX op.
  onnx::NodeProto other = Node("Conv");
  other.set_domain("com.example");
  EXPECT_FALSE(EstimateOpCost(other, {T({1})}, {T({1})}).has_formula);
}

TEST(OnnxOpCost, MissingShapesDoNotCrash) {
  // No inputs at all, empty dims, absent optional inputs.
  for (const char* op : {"Conv", "ConvTranspose", "Gemm", "MatMul", "LSTM",
                         "Einsum", "MaxPool", "Softmax", "Add"}) {
    const OpCost c = EstimateOpCost(Node(op), {}, {});
    EXPECT_GE(c.flops, 0) << op;
    const OpCost d = EstimateOpCost(Node(op), {T({}), Absent()}, {T({})});
    EXPECT_GE(d.flops, 0) << op;
  }
}

TEST(OnnxOpCost, ElementBytes) {
  EXPECT_EQ(OnnxElementBytes(onnx::TensorProto::FLOAT), 4);
  EXPECT_EQ(OnnxElementBytes(onnx::TensorProto::FLOAT16), 2);
  EXPECT_EQ(OnnxElementBytes(onnx::TensorProto::INT64), 8);
  EXPECT_EQ(OnnxElementBytes(onnx::TensorProto::UINT8), 1);
  EXPECT_EQ(OnnxElementBytes(onnx::TensorProto::COMPLEX128), 16);
  EXPECT_EQ(OnnxElementBytes(onnx::TensorProto::STRING), 0);
}

}  // namespace
}  // namespace pipecut
