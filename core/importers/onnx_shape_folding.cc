#include "core/importers/onnx_shape_folding.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace pipecut {
namespace {

// Shape computations are tiny; anything bigger is real data, not a shape.
constexpr int64_t kMaxElements = 4096;

struct IntTensor {
  std::vector<int64_t> dims;
  std::vector<int64_t> values;
  int32_t type = onnx::TensorProto::INT64;
};

bool IsIntegerType(int32_t type) {
  switch (type) {
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
    case onnx::TensorProto::BOOL:
      return true;
    default:
      return false;
  }
}

int RawBytes(int32_t type) {
  switch (type) {
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      return 1;
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
      return 2;
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32:
      return 4;
    default:
      return 8;
  }
}

std::optional<int64_t> Numel(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || d > kMaxElements) return std::nullopt;
    n *= d;
    if (n > kMaxElements) return std::nullopt;
  }
  return n;
}

std::optional<IntTensor> FromTensorProto(const onnx::TensorProto& t) {
  if (!IsIntegerType(t.data_type())) return std::nullopt;
  IntTensor out;
  out.type = t.data_type();
  out.dims.assign(t.dims().begin(), t.dims().end());
  const std::optional<int64_t> n = Numel(out.dims);
  if (!n) return std::nullopt;
  const int width = RawBytes(t.data_type());
  if (!t.raw_data().empty()) {
    if (t.raw_data().size() != static_cast<size_t>(*n * width)) {
      return std::nullopt;
    }
    const bool is_signed = t.data_type() != onnx::TensorProto::UINT8 &&
                           t.data_type() != onnx::TensorProto::UINT16 &&
                           t.data_type() != onnx::TensorProto::UINT32 &&
                           t.data_type() != onnx::TensorProto::BOOL;
    for (int64_t i = 0; i < *n; ++i) {
      uint64_t bits = 0;
      std::memcpy(&bits, t.raw_data().data() + i * width, width);  // LE host
      int64_t v = static_cast<int64_t>(bits);
      if (is_signed && width < 8 && (bits >> (8 * width - 1)) != 0) {
        v = static_cast<int64_t>(bits | (~uint64_t{0} << (8 * width)));
      }
      out.values.push_back(v);
    }
  } else if (t.data_type() == onnx::TensorProto::INT64 &&
             t.int64_data_size() == *n) {
    out.values.assign(t.int64_data().begin(), t.int64_data().end());
  } else if (t.data_type() == onnx::TensorProto::UINT64 &&
             t.uint64_data_size() == *n) {
    for (uint64_t v : t.uint64_data())
      out.values.push_back(static_cast<int64_t>(v));
  } else if (t.int32_data_size() == *n && width <= 4) {
    out.values.assign(t.int32_data().begin(), t.int32_data().end());
  } else {
    return std::nullopt;
  }
  return out;
}

const onnx::AttributeProto* Attr(const onnx::NodeProto& node,
                                 const char* name) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t IntAttr(const onnx::NodeProto& node, const char* name,
                int64_t fallback) {
  const onnx::AttributeProto* a = Attr(node, name);
  return a != nullptr && a->type() == onnx::AttributeProto::INT ? a->i()
                                                                : fallback;
}

std::optional<IntTensor> ConstantValue(const onnx::NodeProto& node) {
  const onnx::AttributeProto* a = Attr(node, "value");
  if (a != nullptr && a->type() == onnx::AttributeProto::TENSOR) {
    return FromTensorProto(a->t());
  }
  a = Attr(node, "value_int");
  if (a != nullptr && a->type() == onnx::AttributeProto::INT) {
    return IntTensor{{}, {a->i()}, onnx::TensorProto::INT64};
  }
  a = Attr(node, "value_ints");
  if (a != nullptr && a->type() == onnx::AttributeProto::INTS &&
      a->ints_size() <= kMaxElements) {
    return IntTensor{{a->ints_size()},
                     {a->ints().begin(), a->ints().end()},
                     onnx::TensorProto::INT64};
  }
  return std::nullopt;
}

bool IsVector(const IntTensor& t) { return t.dims.size() == 1; }

// Axes from the second input (opset >= 13) or the "axes" attribute.
std::optional<std::vector<int64_t>> Axes(
    const onnx::NodeProto& node, const std::vector<const IntTensor*>& in) {
  if (in.size() >= 2 && in[1] != nullptr) return in[1]->values;
  const onnx::AttributeProto* a = Attr(node, "axes");
  if (a != nullptr && a->type() == onnx::AttributeProto::INTS) {
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
  }
  return std::nullopt;
}

std::optional<IntTensor> Binary(const std::string& op, const IntTensor& a,
                                const IntTensor& b) {
  const size_t na = a.values.size();
  const size_t nb = b.values.size();
  if (na != nb && na != 1 && nb != 1) return std::nullopt;
  IntTensor out;
  out.type = op == "Equal" ? onnx::TensorProto::BOOL : a.type;
  out.dims = (na >= nb ? a : b).dims;
  if (a.dims.size() > out.dims.size()) out.dims = a.dims;
  if (b.dims.size() > out.dims.size()) out.dims = b.dims;
  const size_t n = std::max(na, nb);
  if (Numel(out.dims) != static_cast<int64_t>(n)) return std::nullopt;
  for (size_t i = 0; i < n; ++i) {
    const int64_t x = a.values[na == 1 ? 0 : i];
    const int64_t y = b.values[nb == 1 ? 0 : i];
    int64_t r = 0;
    bool overflow = false;
    if (op == "Add") {
      overflow = __builtin_add_overflow(x, y, &r);
    } else if (op == "Sub") {
      overflow = __builtin_sub_overflow(x, y, &r);
    } else if (op == "Mul") {
      overflow = __builtin_mul_overflow(x, y, &r);
    } else if (op == "Equal") {
      r = x == y ? 1 : 0;
    } else {  // Div: integer division truncates toward zero, as in C.
      if (y == 0 || (x == INT64_MIN && y == -1)) return std::nullopt;
      r = x / y;
    }
    if (overflow) return std::nullopt;  // malformed input, not a shape
    out.values.push_back(r);
  }
  return out;
}

std::optional<IntTensor> Evaluate(
    const onnx::NodeProto& node, const std::vector<const IntTensor*>& in,
    const absl::flat_hash_map<std::string, std::vector<int64_t>>& shapes) {
  const std::string& op = node.op_type();
  auto all_present = [&](size_t count) {
    if (in.size() < count) return false;
    for (size_t i = 0; i < count; ++i) {
      if (in[i] == nullptr) return false;
    }
    return true;
  };
  if (op == "Shape" || op == "Size") {
    if (node.input_size() < 1) return std::nullopt;
    const auto it = shapes.find(node.input(0));
    if (it == shapes.end()) return std::nullopt;
    const std::vector<int64_t>& dims = it->second;
    if (op == "Size") {
      int64_t n = 1;
      for (int64_t d : dims) {
        if (__builtin_mul_overflow(n, d, &n)) return std::nullopt;
      }
      return IntTensor{{}, {n}, onnx::TensorProto::INT64};
    }
    const int64_t rank = static_cast<int64_t>(dims.size());
    int64_t start = IntAttr(node, "start", 0);
    int64_t end = IntAttr(node, "end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    IntTensor out{{end - start}, {}, onnx::TensorProto::INT64};
    out.values.assign(dims.begin() + start, dims.begin() + end);
    return out;
  }
  if (op == "Constant") return ConstantValue(node);
  if (op == "Identity" && all_present(1)) return *in[0];
  if (op == "Cast" && all_present(1)) {
    const int64_t to = IntAttr(node, "to", 0);
    if (!IsIntegerType(static_cast<int32_t>(to))) return std::nullopt;
    IntTensor out = *in[0];
    out.type = static_cast<int32_t>(to);
    return out;
  }
  if (op == "Gather" && all_present(2)) {
    const IntTensor& data = *in[0];
    const IntTensor& idx = *in[1];
    const int64_t axis = IntAttr(node, "axis", 0);
    if (!IsVector(data) || (axis != 0 && axis != -1)) return std::nullopt;
    IntTensor out{idx.dims, {}, data.type};
    const int64_t n = static_cast<int64_t>(data.values.size());
    for (int64_t i : idx.values) {
      if (i < 0) i += n;
      if (i < 0 || i >= n) return std::nullopt;
      out.values.push_back(data.values[i]);
    }
    return out;
  }
  if ((op == "Unsqueeze" || op == "Squeeze") && all_present(1)) {
    IntTensor out = *in[0];
    std::optional<std::vector<int64_t>> axes = Axes(node, in);
    const int64_t rank = static_cast<int64_t>(out.dims.size());
    if (op == "Unsqueeze") {
      if (!axes) return std::nullopt;
      const int64_t out_rank = rank + static_cast<int64_t>(axes->size());
      std::vector<bool> inserted(out_rank, false);
      for (int64_t a : *axes) {
        if (a < 0) a += out_rank;
        if (a < 0 || a >= out_rank || inserted[a]) return std::nullopt;
        inserted[a] = true;
      }
      std::vector<int64_t> dims;
      size_t next = 0;
      for (int64_t d = 0; d < out_rank; ++d) {
        dims.push_back(inserted[d] ? 1 : out.dims[next++]);
      }
      out.dims = dims;
    } else {
      std::vector<bool> drop(rank, false);
      if (axes) {
        for (int64_t a : *axes) {
          if (a < 0) a += rank;
          if (a < 0 || a >= rank || out.dims[a] != 1) return std::nullopt;
          drop[a] = true;
        }
      } else {
        for (int64_t d = 0; d < rank; ++d) drop[d] = out.dims[d] == 1;
      }
      std::vector<int64_t> dims;
      for (int64_t d = 0; d < rank; ++d) {
        if (!drop[d]) dims.push_back(out.dims[d]);
      }
      out.dims = dims;
    }
    return out;
  }
  if (op == "Concat" && !in.empty()) {
    const int64_t axis = IntAttr(node, "axis", 0);
    if (axis != 0 && axis != -1) return std::nullopt;
    IntTensor out{{0}, {}, onnx::TensorProto::INT64};
    for (const IntTensor* t : in) {
      if (t == nullptr || !IsVector(*t)) return std::nullopt;
      out.type = t->type;
      out.values.insert(out.values.end(), t->values.begin(), t->values.end());
    }
    out.dims[0] = static_cast<int64_t>(out.values.size());
    if (out.dims[0] > kMaxElements) return std::nullopt;
    return out;
  }
  if (op == "Slice" && all_present(3)) {
    const IntTensor& data = *in[0];
    if (!IsVector(data) || in[1]->values.size() != 1 ||
        in[2]->values.size() != 1) {
      return std::nullopt;
    }
    if (in.size() > 3 && in[3] != nullptr &&
        (in[3]->values.size() != 1 ||
         (in[3]->values[0] != 0 && in[3]->values[0] != -1))) {
      return std::nullopt;
    }
    int64_t step = 1;
    if (in.size() > 4 && in[4] != nullptr) {
      if (in[4]->values.size() != 1 || in[4]->values[0] == 0) {
        return std::nullopt;
      }
      step = in[4]->values[0];
    }
    const int64_t n = static_cast<int64_t>(data.values.size());
    int64_t start = in[1]->values[0];
    int64_t end = in[2]->values[0];
    if (start < 0) start += n;
    if (end < 0) end += n;
    IntTensor out{{0}, {}, data.type};
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, n);
      end = std::clamp<int64_t>(end, 0, n);
      for (int64_t i = start; i < end;) {
        out.values.push_back(data.values[i]);
        if (__builtin_add_overflow(i, step, &i)) break;
      }
    } else {
      start = std::clamp<int64_t>(start, -1, n - 1);
      end = std::clamp<int64_t>(end, -1, n - 1);
      for (int64_t i = start; i > end;) {
        out.values.push_back(data.values[i]);
        if (__builtin_add_overflow(i, step, &i)) break;
      }
    }
    out.dims[0] = static_cast<int64_t>(out.values.size());
    return out;
  }
  if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
       op == "Equal") &&
      all_present(2)) {
    return Binary(op, *in[0], *in[1]);
  }
  if (op == "Where" && all_present(3)) {
    // where(cond, x, y) = x + cond * (y - x) is overflow-prone; select
    // elementwise instead, broadcasting size-1 operands.
    std::optional<IntTensor> picked = Binary("Sub", *in[1], *in[2]);
    if (!picked) return std::nullopt;
    const size_t n = picked->values.size();
    const IntTensor& c = *in[0];
    if (c.values.size() != n && c.values.size() != 1) return std::nullopt;
    if (c.dims.size() > picked->dims.size()) {
      if (Numel(c.dims) != static_cast<int64_t>(n)) return std::nullopt;
      picked->dims = c.dims;
    }
    picked->type = in[1]->type;
    for (size_t i = 0; i < n; ++i) {
      const bool take_x = c.values[c.values.size() == 1 ? 0 : i] != 0;
      const IntTensor& from = take_x ? *in[1] : *in[2];
      picked->values[i] = from.values[from.values.size() == 1 ? 0 : i];
    }
    return picked;
  }
  if (op == "Range" && all_present(3)) {
    if (in[0]->values.size() != 1 || in[1]->values.size() != 1 ||
        in[2]->values.size() != 1 || in[2]->values[0] == 0) {
      return std::nullopt;
    }
    const int64_t start = in[0]->values[0];
    const int64_t limit = in[1]->values[0];
    const int64_t delta = in[2]->values[0];
    IntTensor out{{0}, {}, in[0]->type};
    for (int64_t v = start; delta > 0 ? v < limit : v > limit;) {
      out.values.push_back(v);
      if (static_cast<int64_t>(out.values.size()) > kMaxElements) {
        return std::nullopt;
      }
      if (__builtin_add_overflow(v, delta, &v)) break;
    }
    out.dims[0] = static_cast<int64_t>(out.values.size());
    return out;
  }
  if (op == "ConstantOfShape" && all_present(1)) {
    const onnx::AttributeProto* a = Attr(node, "value");
    if (a == nullptr || a->type() != onnx::AttributeProto::TENSOR) {
      return std::nullopt;  // the default value is float 0: not a shape
    }
    std::optional<IntTensor> fill = FromTensorProto(a->t());
    if (!fill || fill->values.size() != 1) return std::nullopt;
    IntTensor out{in[0]->values, {}, fill->type};
    const std::optional<int64_t> n = Numel(out.dims);
    if (!n) return std::nullopt;
    out.values.assign(*n, fill->values[0]);
    return out;
  }
  return std::nullopt;
}

void ReplaceWithConstant(onnx::NodeProto& node, const IntTensor& value) {
  const std::string output = node.output(0);
  node.clear_input();
  node.clear_output();
  node.clear_attribute();
  node.clear_domain();
  node.set_op_type("Constant");
  node.add_output(output);
  onnx::AttributeProto* a = node.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  onnx::TensorProto* t = a->mutable_t();
  t->set_data_type(value.type);
  for (int64_t d : value.dims) t->add_dims(d);
  for (int64_t v : value.values) {
    if (value.type == onnx::TensorProto::INT64) {
      t->add_int64_data(v);
    } else if (value.type == onnx::TensorProto::UINT64 ||
               value.type == onnx::TensorProto::UINT32) {
      t->add_uint64_data(static_cast<uint64_t>(v));
    } else {
      t->add_int32_data(static_cast<int32_t>(v));
    }
  }
}

void AddShape(const onnx::ValueInfoProto& v,
              absl::flat_hash_map<std::string, std::vector<int64_t>>& shapes) {
  if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) {
    return;
  }
  std::vector<int64_t> dims;
  for (const auto& d : v.type().tensor_type().shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0) return;
    dims.push_back(d.dim_value());
  }
  shapes[v.name()] = std::move(dims);
}

}  // namespace

int FoldShapeComputations(onnx::ModelProto& model) {
  onnx::GraphProto* graph = model.mutable_graph();
  absl::flat_hash_map<std::string, std::vector<int64_t>> shapes;
  for (const auto& v : graph->input()) AddShape(v, shapes);
  for (const auto& v : graph->value_info()) AddShape(v, shapes);
  for (const auto& v : graph->output()) AddShape(v, shapes);
  absl::flat_hash_map<std::string, IntTensor> values;
  for (const onnx::TensorProto& t : graph->initializer()) {
    std::optional<IntTensor> v = FromTensorProto(t);
    if (v) values[t.name()] = *std::move(v);
  }
  int replaced = 0;
  for (onnx::NodeProto& node : *graph->mutable_node()) {
    if ((!node.domain().empty() && node.domain() != "ai.onnx") ||
        node.output_size() != 1 || node.output(0).empty()) {
      continue;
    }
    // in[i] is null for an omitted optional input; an input that is named
    // but has no known value makes the node unevaluable (except for
    // Shape/Size, which read only their input's shape).
    const bool reads_shape_only =
        node.op_type() == "Shape" || node.op_type() == "Size";
    std::vector<const IntTensor*> in;
    bool unknown_input = false;
    for (const std::string& name : node.input()) {
      const auto it = name.empty() ? values.end() : values.find(name);
      if (!name.empty() && it == values.end()) unknown_input = true;
      in.push_back(it == values.end() ? nullptr : &it->second);
    }
    if (unknown_input && !reads_shape_only) continue;
    std::optional<IntTensor> value = Evaluate(node, in, shapes);
    if (!value) continue;
    if (node.op_type() != "Constant") {
      ReplaceWithConstant(node, *value);
      ++replaced;
    }
    values[node.output(0)] = *std::move(value);
  }
  return replaced;
}

}  // namespace pipecut
