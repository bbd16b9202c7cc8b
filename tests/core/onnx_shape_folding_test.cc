#include "core/importers/onnx_shape_folding.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

namespace pipecut {
namespace {

using ::testing::ElementsAre;

onnx::NodeProto* AddNode(onnx::GraphProto& g, const std::string& op,
                         std::vector<std::string> inputs,
                         const std::string& output) {
  onnx::NodeProto* n = g.add_node();
  n->set_op_type(op);
  n->set_name(output + "_node");
  for (const std::string& i : inputs) n->add_input(i);
  n->add_output(output);
  return n;
}

void AddInt64(onnx::GraphProto& g, const std::string& name,
              std::vector<int64_t> values, bool scalar = false) {
  onnx::TensorProto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  if (!scalar) t->add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values) t->add_int64_data(v);
}

void AddInput(onnx::GraphProto& g, const std::string& name,
              std::vector<int64_t> dims, bool symbolic_first = false) {
  onnx::ValueInfoProto* v = g.add_input();
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (size_t i = 0; i < dims.size(); ++i) {
    auto* d = t->mutable_shape()->add_dim();
    if (symbolic_first && i == 0) {
      d->set_dim_param("batch");
    } else {
      d->set_dim_value(dims[i]);
    }
  }
}

// The value of the Constant that replaced the node producing `output`.
std::vector<int64_t> ConstantValues(const onnx::GraphProto& g,
                                    const std::string& output) {
  for (const onnx::NodeProto& n : g.node()) {
    if (n.output_size() == 1 && n.output(0) == output) {
      EXPECT_EQ(n.op_type(), "Constant") << output;
      EXPECT_EQ(n.input_size(), 0) << output;
      if (n.attribute_size() != 1) return {};
      const auto& data = n.attribute(0).t().int64_data();
      return {data.begin(), data.end()};
    }
  }
  ADD_FAILURE() << "no node for " << output;
  return {};
}

std::vector<int64_t> InferredDims(const onnx::GraphProto& g,
                                  const std::string& name) {
  for (const onnx::ValueInfoProto& v : g.value_info()) {
    if (v.name() != name) continue;
    std::vector<int64_t> dims;
    for (const auto& d : v.type().tensor_type().shape().dim()) {
      dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    }
    return dims;
  }
  return {};
}

// x: 2 x 6 x 8. y = x[:, :, d/2 : d] with d = shape(x)[2], as exporters
// write a fused projection split; r = range(0, d, 2).
onnx::ModelProto SliceModel(bool symbolic_batch) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto& g = *m.mutable_graph();
  AddInput(g, "x", {2, 6, 8}, symbolic_batch);
  AddInt64(g, "two_idx", {2}, /*scalar=*/true);
  AddInt64(g, "two", {2}, /*scalar=*/true);
  AddInt64(g, "zero", {0}, /*scalar=*/true);
  AddInt64(g, "axes0", {0});
  AddInt64(g, "slice_axes", {2});
  AddNode(g, "Shape", {"x"}, "s");
  AddNode(g, "Gather", {"s", "two_idx"}, "d");
  AddNode(g, "Div", {"d", "two"}, "half");
  AddNode(g, "Unsqueeze", {"half", "axes0"}, "start");
  AddNode(g, "Unsqueeze", {"d", "axes0"}, "end");
  AddNode(g, "Slice", {"x", "start", "end", "slice_axes"}, "y");
  AddNode(g, "Range", {"zero", "d", "two"}, "r");
  AddNode(g, "Concat", {"start", "end", "axes0"}, "cat")
      ->add_attribute()
      ->CopyFrom([] {
        onnx::AttributeProto a;
        a.set_name("axis");
        a.set_type(onnx::AttributeProto::INT);
        a.set_i(0);
        return a;
      }());
  return m;
}

void Infer(onnx::ModelProto& m) {
  onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance());
}

TEST(OnnxShapeFolding, EvaluatesShapeArithmeticIntoConstants) {
  onnx::ModelProto m = SliceModel(/*symbolic_batch=*/false);
  Infer(m);
  EXPECT_EQ(FoldShapeComputations(m), 7);
  const onnx::GraphProto& g = m.graph();
  EXPECT_THAT(ConstantValues(g, "s"), ElementsAre(2, 6, 8));
  EXPECT_THAT(ConstantValues(g, "d"), ElementsAre(8));
  EXPECT_THAT(ConstantValues(g, "half"), ElementsAre(4));
  EXPECT_THAT(ConstantValues(g, "start"), ElementsAre(4));
  EXPECT_THAT(ConstantValues(g, "r"), ElementsAre(0, 2, 4, 6));
  EXPECT_THAT(ConstantValues(g, "cat"), ElementsAre(4, 8, 0));
  // The Slice is data, not a shape: it stays, and now infers.
  EXPECT_EQ(g.node(5).op_type(), "Slice");
  Infer(m);
  EXPECT_THAT(InferredDims(m.graph(), "y"), ElementsAre(2, 6, 4));
  // A fixpoint: nothing left to fold.
  EXPECT_EQ(FoldShapeComputations(m), 0);
}

// torch's expand(-1, ...) exports as Where(Equal(target, -1), 1, target).
TEST(OnnxShapeFolding, EqualAndWhereAsInExpand) {
  onnx::ModelProto m;
  onnx::GraphProto& g = *m.mutable_graph();
  AddInt64(g, "target", {-1, 5});
  AddInt64(g, "minus_one", {-1}, /*scalar=*/true);
  AddInt64(g, "ones", {1, 1});
  AddNode(g, "Equal", {"target", "minus_one"}, "eq");
  AddNode(g, "Where", {"eq", "ones", "target"}, "shape");
  EXPECT_EQ(FoldShapeComputations(m), 2);
  EXPECT_EQ(g.node(0).attribute(0).t().data_type(), onnx::TensorProto::BOOL);
  EXPECT_THAT(g.node(0).attribute(0).t().int32_data(), ElementsAre(1, 0));
  EXPECT_THAT(ConstantValues(g, "shape"), ElementsAre(1, 5));
}

TEST(OnnxShapeFolding, LeavesSymbolicShapesAlone) {
  onnx::ModelProto m = SliceModel(/*symbolic_batch=*/true);
  Infer(m);
  EXPECT_EQ(FoldShapeComputations(m), 0);
  EXPECT_EQ(m.graph().node(0).op_type(), "Shape");
}

TEST(OnnxShapeFolding, IgnoresMalformedNodes) {
  onnx::ModelProto m;
  onnx::GraphProto& g = *m.mutable_graph();
  AddInt64(g, "v", {1, 2, 3});
  AddInt64(g, "big_index", {7}, /*scalar=*/true);
  AddInt64(g, "zero", {0}, /*scalar=*/true);
  AddNode(g, "Gather", {"v", "big_index"}, "a");  // out of range
  AddNode(g, "Div", {"v", "zero"}, "b");          // division by zero
  AddNode(g, "Unsqueeze", {"v"}, "c");            // no axes
  AddNode(g, "Slice", {"v"}, "e");                // missing inputs
  onnx::TensorProto* bad = g.add_initializer();   // raw_data of wrong size
  bad->set_name("bad");
  bad->set_data_type(onnx::TensorProto::INT64);
  bad->add_dims(2);
  bad->set_raw_data("abc");
  AddNode(g, "Identity", {"bad"}, "f");
  EXPECT_EQ(FoldShapeComputations(m), 0);
}

}  // namespace
}  // namespace pipecut
