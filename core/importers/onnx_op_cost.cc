#include "core/importers/onnx_op_cost.h"

#include <cctype>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace pipecut {
namespace {

enum class Kind {
  kConv,
  kConvTranspose,
  kGemm,
  kMatMul,
  kEinsum,
  kRecurrent,
  kPool,
  kGlobalPool,
  kBatchNorm,
  kStatNorm,
  kLpNorm,
  kSoftmax,
  kReduce,
  kSimple,
  kTranscendental,
  kMove,
  kView,
};

const absl::flat_hash_map<std::string, Kind>& OpKinds() {
  static const auto* kinds = [] {
    auto* m = new absl::flat_hash_map<std::string, Kind>;
    auto add = [m](Kind kind, std::initializer_list<const char*> ops) {
      for (const char* op : ops) (*m)[op] = kind;
    };
    add(Kind::kConv, {"Conv", "ConvInteger", "QLinearConv"});
    add(Kind::kConvTranspose, {"ConvTranspose"});
    add(Kind::kGemm, {"Gemm"});
    add(Kind::kMatMul, {"MatMul", "MatMulInteger", "QLinearMatMul"});
    add(Kind::kEinsum, {"Einsum"});
    add(Kind::kRecurrent, {"LSTM", "GRU", "RNN"});
    add(Kind::kPool, {"MaxPool", "AveragePool", "LpPool"});
    add(Kind::kGlobalPool,
        {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"});
    add(Kind::kBatchNorm, {"BatchNormalization"});
    add(Kind::kStatNorm, {"LayerNormalization", "InstanceNormalization",
                          "GroupNormalization", "MeanVarianceNormalization"});
    add(Kind::kLpNorm, {"LpNormalization"});
    add(Kind::kSoftmax, {"Softmax", "LogSoftmax", "Hardmax"});
    add(Kind::kReduce,
        {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
         "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
         "ReduceSumSquare", "ArgMax", "ArgMin", "TopK", "CumSum"});
    add(Kind::kSimple, {"Add",
                        "Sub",
                        "Mul",
                        "Div",
                        "Neg",
                        "Abs",
                        "Relu",
                        "LeakyRelu",
                        "PRelu",
                        "Max",
                        "Min",
                        "Sum",
                        "Mean",
                        "Clip",
                        "Where",
                        "Equal",
                        "Less",
                        "LessOrEqual",
                        "Greater",
                        "GreaterOrEqual",
                        "And",
                        "Or",
                        "Xor",
                        "Not",
                        "Sign",
                        "Floor",
                        "Ceil",
                        "Round",
                        "Mod",
                        "BitShift",
                        "Reciprocal",
                        "HardSigmoid",
                        "HardSwish",
                        "ThresholdedRelu",
                        "Shrink",
                        "IsNaN",
                        "IsInf",
                        "Trilu",
                        "Resize",
                        "Upsample",
                        "QuantizeLinear",
                        "DequantizeLinear"});
    add(Kind::kTranscendental,
        {"Exp",   "Log",   "Sqrt", "Pow",      "Tanh",     "Sigmoid", "Erf",
         "Elu",   "Selu",  "Celu", "Softplus", "Softsign", "Sin",     "Cos",
         "Tan",   "Asin",  "Acos", "Atan",     "Sinh",     "Cosh",    "Asinh",
         "Acosh", "Atanh", "Gelu", "Mish"});
    add(Kind::kMove, {"Transpose",
                      "Concat",
                      "Split",
                      "Slice",
                      "Gather",
                      "GatherElements",
                      "GatherND",
                      "ScatterND",
                      "ScatterElements",
                      "Scatter",
                      "Pad",
                      "Expand",
                      "Tile",
                      "Cast",
                      "CastLike",
                      "DepthToSpace",
                      "SpaceToDepth",
                      "Compress",
                      "NonZero",
                      "OneHot",
                      "Range",
                      "ReverseSequence",
                      "ConstantOfShape",
                      "Constant"});
    add(Kind::kView, {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity",
                      "Dropout", "Shape", "Size"});
    return m;
  }();
  return *kinds;
}

double NumelOf(const std::vector<TensorDesc>& tensors, size_t i) {
  return i < tensors.size() && tensors[i].present ? tensors[i].numel() : 0;
}

bool Present(const std::vector<TensorDesc>& tensors, size_t i) {
  return i < tensors.size() && tensors[i].present;
}

// prod(dims[from:]) of tensor i, 0 if absent.
double TailProduct(const std::vector<TensorDesc>& tensors, size_t i,
                   size_t from) {
  if (!Present(tensors, i)) return 0;
  double p = 1;
  const std::vector<int64_t>& dims = tensors[i].dims;
  for (size_t d = from; d < dims.size(); ++d) p *= static_cast<double>(dims[d]);
  return p;
}

double SumNumel(const std::vector<TensorDesc>& tensors) {
  double sum = 0;
  for (const TensorDesc& t : tensors) {
    if (t.present) sum += t.numel();
  }
  return sum;
}

double SumBytes(const std::vector<TensorDesc>& tensors) {
  double sum = 0;
  for (const TensorDesc& t : tensors) {
    if (t.present) sum += t.bytes();
  }
  return sum;
}

int64_t IntAttribute(const onnx::NodeProto& node, const char* name,
                     int64_t fallback) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() == name && a.type() == onnx::AttributeProto::INT) {
      return a.i();
    }
  }
  return fallback;
}

double KernelVolume(const onnx::NodeProto& node) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() == "kernel_shape" && a.type() == onnx::AttributeProto::INTS) {
      double volume = 1;
      for (int64_t k : a.ints()) volume *= static_cast<double>(k);
      return volume;
    }
  }
  return 1;
}

// 2 x prod(letter sizes) (or 1 x for a single operand), or -1 when the
// equation cannot be read (ellipsis, malformed, rank mismatch).
double EinsumFlops(const onnx::NodeProto& node,
                   const std::vector<TensorDesc>& inputs) {
  std::string equation;
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() == "equation" && a.type() == onnx::AttributeProto::STRING) {
      equation = a.s();
    }
  }
  if (equation.empty() || equation.find('.') != std::string::npos) return -1;
  const std::string lhs = equation.substr(0, equation.find("->"));
  absl::flat_hash_map<char, int64_t> sizes;
  size_t operand = 0;
  size_t axis = 0;
  for (char c : lhs) {
    if (c == ',') {
      if (operand >= inputs.size() || axis != inputs[operand].dims.size()) {
        return -1;
      }
      ++operand;
      axis = 0;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      if (operand >= inputs.size() || axis >= inputs[operand].dims.size()) {
        return -1;
      }
      sizes[c] = std::max<int64_t>(sizes[c], inputs[operand].dims[axis++]);
    } else if (c != ' ') {
      return -1;
    }
  }
  if (operand >= inputs.size() || axis != inputs[operand].dims.size()) {
    return -1;
  }
  double product = 1;
  for (const auto& [letter, size] : sizes) product *= static_cast<double>(size);
  return (operand >= 1 ? 2 : 1) * product;
}

}  // namespace

double TensorDesc::numel() const {
  double n = 1;
  for (int64_t d : dims) n *= static_cast<double>(d);
  return n;
}

int64_t OnnxElementBytes(int32_t data_type) {
  switch (data_type) {
    case onnx::TensorProto::UNDEFINED:
    case onnx::TensorProto::STRING:
      return 0;
    case onnx::TensorProto::BOOL:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
      return 1;
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
      return 2;
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32:
      return 4;
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
    case onnx::TensorProto::COMPLEX64:
      return 8;
    case onnx::TensorProto::COMPLEX128:
      return 16;
    default:
      return 4;
  }
}

OpCost EstimateOpCost(const onnx::NodeProto& node,
                      const std::vector<TensorDesc>& inputs,
                      const std::vector<TensorDesc>& outputs) {
  OpCost cost;
  cost.bytes_touched = SumBytes(inputs) + SumBytes(outputs);
  const double y = NumelOf(outputs, 0);
  const bool default_domain =
      node.domain().empty() || node.domain() == "ai.onnx";
  const auto& kinds = OpKinds();
  const auto it = default_domain ? kinds.find(node.op_type()) : kinds.end();
  if (it == kinds.end()) {
    cost.flops = SumNumel(outputs);
    cost.has_formula = false;
    return cost;
  }
  switch (it->second) {
    case Kind::kConv: {
      // QLinearConv's weight is input 3 (x, x_scale, x_zero, w, ...).
      const size_t w = node.op_type() == "QLinearConv" ? 3 : 1;
      const size_t bias = node.op_type() == "QLinearConv" ? 8 : 2;
      cost.flops = 2 * y * TailProduct(inputs, w, 1) +
                   (Present(inputs, bias) && node.op_type() == "Conv" ? y : 0);
      break;
    }
    case Kind::kConvTranspose:
      cost.flops = 2 * NumelOf(inputs, 0) * TailProduct(inputs, 1, 1) +
                   (Present(inputs, 2) ? y : 0);
      break;
    case Kind::kGemm: {
      double k = 0;
      if (Present(inputs, 0) && inputs[0].dims.size() == 2) {
        k = static_cast<double>(
            inputs[0].dims[IntAttribute(node, "transA", 0) != 0 ? 0 : 1]);
      }
      cost.flops = 2 * y * k + (Present(inputs, 2) ? y : 0);
      break;
    }
    case Kind::kMatMul: {
      // A is input 0 for all three (QLinearMatMul: a, a_scale, ...).
      double k = 0;
      if (Present(inputs, 0) && !inputs[0].dims.empty()) {
        k = static_cast<double>(inputs[0].dims.back());
      }
      cost.flops = 2 * y * k;
      break;
    }
    case Kind::kEinsum: {
      const double flops = EinsumFlops(node, inputs);
      if (flops < 0) {
        cost.flops = SumNumel(outputs);
        cost.has_formula = false;
      } else {
        cost.flops = flops;
      }
      break;
    }
    case Kind::kRecurrent: {
      double steps_x_batch = 0;
      if (Present(inputs, 0) && inputs[0].dims.size() == 3) {
        steps_x_batch = static_cast<double>(inputs[0].dims[0]) *
                        static_cast<double>(inputs[0].dims[1]);
      }
      cost.flops =
          2 * steps_x_batch * (NumelOf(inputs, 1) + NumelOf(inputs, 2));
      break;
    }
    case Kind::kPool:
      cost.flops = y * KernelVolume(node);
      break;
    case Kind::kGlobalPool:
    case Kind::kReduce:
      cost.flops = NumelOf(inputs, 0);
      break;
    case Kind::kBatchNorm:
      cost.flops = 4 * NumelOf(inputs, 0);
      break;
    case Kind::kStatNorm:
      cost.flops = 7 * NumelOf(inputs, 0);
      break;
    case Kind::kLpNorm:
      cost.flops = 3 * NumelOf(inputs, 0);
      break;
    case Kind::kSoftmax:
      cost.flops = 5 * NumelOf(inputs, 0);
      break;
    case Kind::kSimple:
      cost.flops = y;
      break;
    case Kind::kTranscendental:
      cost.flops = 4 * y;
      break;
    case Kind::kMove:
      cost.flops = 0;
      break;
    case Kind::kView:
      cost.flops = 0;
      cost.bytes_touched = 0;
      break;
  }
  return cost;
}

}  // namespace pipecut
