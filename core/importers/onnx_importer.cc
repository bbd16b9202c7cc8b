#include "core/importers/onnx_importer.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/importers/graph_file.h"
#include "core/importers/onnx_op_cost.h"
#include "core/importers/onnx_shape_folding.h"
#include "core/util/logging.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

namespace pipecut {
namespace {

// Upper limit on shape-inference rounds (see Importer::Run).
constexpr int kMaxInferenceRounds = 8;

// A dimension that is symbolic, missing or negative is taken as 1.
void AppendDim(int64_t value, bool has_value, TensorDesc& desc) {
  if (!has_value || value < 0) {
    desc.dims.push_back(1);
    desc.known = false;
  } else {
    desc.dims.push_back(value);
  }
}

TensorDesc DescFromType(const onnx::TypeProto& type) {
  TensorDesc desc;
  if (!type.has_tensor_type()) {
    desc.known = false;
    desc.element_bytes = 0;
    return desc;
  }
  const onnx::TypeProto::Tensor& tensor = type.tensor_type();
  desc.element_bytes = OnnxElementBytes(tensor.elem_type());
  if (!tensor.has_shape()) {
    desc.known = false;
    return desc;
  }
  for (const onnx::TensorShapeProto::Dimension& d : tensor.shape().dim()) {
    AppendDim(d.dim_value(), d.has_dim_value(), desc);
  }
  return desc;
}

TensorDesc DescFromTensor(const onnx::TensorProto& tensor) {
  TensorDesc desc;
  desc.element_bytes = OnnxElementBytes(tensor.data_type());
  for (int64_t d : tensor.dims()) AppendDim(d, true, desc);
  return desc;
}

// Names a subgraph (If/Loop/Scan body) reads, recursively. Names it defines
// itself are filtered later by the caller's producer lookup; ONNX forbids
// shadowing outer names, so no outer tensor is hidden by this.
void CollectSubgraphInputs(const onnx::GraphProto& graph,
                           std::vector<std::string>& names) {
  for (const onnx::NodeProto& node : graph.node()) {
    for (const std::string& input : node.input()) names.push_back(input);
    for (const onnx::AttributeProto& a : node.attribute()) {
      if (a.has_g()) CollectSubgraphInputs(a.g(), names);
      for (const onnx::GraphProto& g : a.graphs()) {
        CollectSubgraphInputs(g, names);
      }
    }
  }
}

std::vector<std::string> NodeInputs(const onnx::NodeProto& node) {
  std::vector<std::string> names(node.input().begin(), node.input().end());
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.has_g()) CollectSubgraphInputs(a.g(), names);
    for (const onnx::GraphProto& g : a.graphs())
      CollectSubgraphInputs(g, names);
  }
  return names;
}

bool HasSubgraph(const onnx::NodeProto& node) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.has_g() || a.graphs_size() > 0) return true;
  }
  return false;
}

bool IsDefaultDomain(const onnx::NodeProto& node) {
  return node.domain().empty() || node.domain() == "ai.onnx";
}

class Importer {
 public:
  Importer(const DeviceProfile& device, OnnxImportStats& stats)
      : device_(device), stats_(stats) {}

  absl::StatusOr<v1::Graph> Run(onnx::ModelProto& model) {
    if (!model.has_graph() || model.graph().node_size() == 0) {
      return absl::InvalidArgumentError(
          "ONNX model has no graph or no operators");
    }
    // Inference and shape folding alternate until the folding finds nothing
    // new: each round can only turn more shape computations into constants
    // (exported transformers need two rounds, CNNs one).
    for (int round = 0; round < kMaxInferenceRounds; ++round) {
      try {
        onnx::ShapeInferenceOptions options(/*check_type_val=*/false,
                                            /*strict_mode_val=*/0,
                                            /*data_prop_val=*/true);
        onnx::shape_inference::InferShapes(
            model, onnx::OpSchemaRegistry::Instance(), options);
      } catch (const std::exception& e) {
        return absl::InvalidArgumentError(
            absl::StrCat("ONNX shape inference failed: ", e.what()));
      }
      ++stats_.inference_rounds;
      if (FoldShapeComputations(model) == 0) break;
    }
    const onnx::GraphProto& graph = model.graph();
    CollectTensors(graph);
    FoldConstants(graph);
    absl::Status status = BuildNodes(graph);
    if (!status.ok()) return status;
    out_.set_name(graph.name().empty() ? "onnx_model" : graph.name());
    ReportWarnings();
    return std::move(out_);
  }

 private:
  void CollectTensors(const onnx::GraphProto& graph) {
    for (const onnx::ValueInfoProto& v : graph.input()) {
      tensors_[v.name()] = DescFromType(v.type());
    }
    for (const onnx::ValueInfoProto& v : graph.value_info()) {
      tensors_[v.name()] = DescFromType(v.type());
    }
    for (const onnx::ValueInfoProto& v : graph.output()) {
      tensors_[v.name()] = DescFromType(v.type());
    }
    for (const onnx::TensorProto& t : graph.initializer()) {
      tensors_[t.name()] = DescFromTensor(t);
      constant_.insert(t.name());
    }
    for (const onnx::SparseTensorProto& t : graph.sparse_initializer()) {
      TensorDesc desc;
      desc.element_bytes = OnnxElementBytes(t.values().data_type());
      for (int64_t d : t.dims()) AppendDim(d, true, desc);
      tensors_[t.values().name()] = desc;
      constant_.insert(t.values().name());
    }
  }

  // ONNX lists nodes in topological order, so one pass sees every constant
  // input before its consumer (an unsorted, malformed model only folds less).
  void FoldConstants(const onnx::GraphProto& graph) {
    folded_.assign(graph.node_size(), false);
    for (int i = 0; i < graph.node_size(); ++i) {
      const onnx::NodeProto& node = graph.node(i);
      bool fold = false;
      if (IsDefaultDomain(node) &&
          (node.op_type() == "Shape" || node.op_type() == "Size")) {
        fold = true;
      } else if (!HasSubgraph(node)) {
        fold = true;
        for (const std::string& input : node.input()) {
          if (!input.empty() && !constant_.contains(input)) fold = false;
        }
      }
      if (!fold) continue;
      folded_[i] = true;
      ++stats_.folded_nodes;
      for (const std::string& output : node.output()) {
        if (!output.empty()) constant_.insert(output);
      }
    }
  }

  TensorDesc Desc(const std::string& name) const {
    if (name.empty()) {
      TensorDesc absent;
      absent.present = false;
      return absent;
    }
    const auto it = tensors_.find(name);
    if (it != tensors_.end()) return it->second;
    TensorDesc unknown;
    unknown.known = false;
    return unknown;
  }

  std::string UniqueId(const onnx::NodeProto& node, int index) {
    if (!node.name().empty() && ids_.insert(node.name()).second) {
      return node.name();
    }
    const std::string base = absl::StrCat(
        node.op_type().empty() ? "op" : node.op_type(), "_", index);
    std::string id = base;
    for (int n = 2; !ids_.insert(id).second; ++n)
      id = absl::StrCat(base, "_", n);
    return id;
  }

  absl::Status BuildNodes(const onnx::GraphProto& graph) {
    // Pass 1: ids and the producer of every non-constant tensor.
    std::vector<int> node_of_onnx(graph.node_size(), -1);
    absl::flat_hash_map<std::string, int> producer;
    for (int i = 0; i < graph.node_size(); ++i) {
      if (folded_[i]) continue;
      const onnx::NodeProto& node = graph.node(i);
      node_of_onnx[i] = out_.nodes_size();
      v1::Node* n = out_.add_nodes();
      n->set_id(UniqueId(node, i));
      n->set_op_type(node.op_type());
      for (const std::string& output : node.output()) {
        if (!output.empty()) producer.emplace(output, node_of_onnx[i]);
      }
    }
    // Pass 2: edges, and which tensors are read by another node.
    absl::flat_hash_set<std::string> read_elsewhere;
    absl::flat_hash_set<std::pair<int, int>> edges;
    std::vector<double> memory(out_.nodes_size(), 0);
    for (int i = 0; i < graph.node_size(); ++i) {
      if (folded_[i]) continue;
      const int self = node_of_onnx[i];
      absl::flat_hash_set<std::string> seen;
      for (const std::string& input : NodeInputs(graph.node(i))) {
        if (input.empty() || !seen.insert(input).second) continue;
        if (constant_.contains(input)) {
          memory[self] += Desc(input).bytes();
          continue;
        }
        const auto it = producer.find(input);
        if (it == producer.end()) continue;  // a graph input
        read_elsewhere.insert(input);
        if (it->second != self && edges.insert({it->second, self}).second) {
          v1::Edge* e = out_.add_edges();
          e->set_src(out_.nodes(it->second).id());
          e->set_dst(out_.nodes(self).id());
        }
      }
    }
    // Pass 3: costs.
    for (int i = 0; i < graph.node_size(); ++i) {
      if (folded_[i]) continue;
      const onnx::NodeProto& node = graph.node(i);
      v1::Node* n = out_.mutable_nodes(node_of_onnx[i]);
      std::vector<TensorDesc> inputs;
      std::vector<TensorDesc> outputs;
      for (const std::string& name : node.input()) inputs.push_back(Desc(name));
      double sent_bytes = 0;
      for (const std::string& name : node.output()) {
        outputs.push_back(Desc(name));
        if (read_elsewhere.contains(name)) sent_bytes += outputs.back().bytes();
      }
      const OpCost cost = EstimateOpCost(node, inputs, outputs);
      if (!cost.has_formula) {
        ++stats_.ops_without_formula[node.domain().empty()
                                         ? node.op_type()
                                         : absl::StrCat(node.domain(),
                                                        "::", node.op_type())];
      }
      const double work =
          RooflineMilliseconds(device_, cost.flops, cost.bytes_touched);
      const double comm = TransferMilliseconds(device_, sent_bytes);
      const double mem = memory[node_of_onnx[i]];
      if (!std::isfinite(work) || !std::isfinite(comm) || work < 0 ||
          comm < 0 || !(mem >= 0) || mem > 9e18) {
        return absl::InvalidArgumentError(
            absl::StrCat("ONNX node ", n->id(), " (", node.op_type(),
                         ") has tensor sizes out of range (work ", work,
                         " ms, comm ", comm, " ms, memory ", mem, " bytes)"));
      }
      n->set_work(work);
      n->set_comm(comm);
      n->set_memory_bytes(static_cast<int64_t>(mem));
      stats_.total_flops += cost.flops;
      stats_.weight_bytes = static_cast<int64_t>(
          std::min(9e18, static_cast<double>(stats_.weight_bytes) + mem));
    }
    stats_.onnx_nodes = graph.node_size();
    stats_.compute_nodes = out_.nodes_size();
    stats_.edges = out_.edges_size();
    for (const auto& [name, desc] : tensors_) {
      if (!desc.known) ++stats_.unknown_dim_tensors;
    }
    return absl::OkStatus();
  }

  void ReportWarnings() const {
    for (const auto& [op, count] : stats_.ops_without_formula) {
      PIPECUT_LOG(Warning) << "ONNX import: no FLOP formula for op " << op
                           << " (" << count
                           << " nodes); using an elementwise estimate";
    }
    if (stats_.unknown_dim_tensors > 0) {
      PIPECUT_LOG(Warning) << "ONNX import: " << stats_.unknown_dim_tensors
                           << " tensors have unknown dimensions, taken as 1";
    }
  }

  const DeviceProfile& device_;
  OnnxImportStats& stats_;
  absl::flat_hash_map<std::string, TensorDesc> tensors_;
  absl::flat_hash_set<std::string> constant_;
  std::vector<bool> folded_;
  absl::flat_hash_set<std::string> ids_;
  v1::Graph out_;
};

}  // namespace

absl::StatusOr<v1::Graph> ImportOnnxModelProto(onnx::ModelProto model,
                                               const DeviceProfile& device,
                                               OnnxImportStats* stats) {
  OnnxImportStats local;
  OnnxImportStats& s = stats != nullptr ? *stats : local;
  s = OnnxImportStats{};
  Importer importer(device, s);
  return importer.Run(model);
}

absl::StatusOr<v1::Graph> ImportOnnxModel(absl::string_view bytes,
                                          const DeviceProfile& device,
                                          OnnxImportStats* stats) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::InvalidArgumentError("ONNX model larger than 2 GB");
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(
        "not a valid ONNX model (protobuf parse failed: truncated or "
        "corrupt file?)");
  }
  return ImportOnnxModelProto(std::move(model), device, stats);
}

absl::StatusOr<v1::Graph> ImportOnnxFile(const std::string& path,
                                         const DeviceProfile& device,
                                         OnnxImportStats* stats) {
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<v1::Graph> graph = ImportOnnxModel(*bytes, device, stats);
  if (!graph.ok()) {
    return absl::Status(graph.status().code(),
                        absl::StrCat(path, ": ", graph.status().message()));
  }
  if (graph->name() == "onnx_model") {
    std::string stem = path.substr(path.find_last_of('/') + 1);
    if (stem.size() > 5) stem.resize(stem.size() - 5);  // ".onnx"
    graph->set_name(stem);
  }
  return graph;
}

bool IsOnnxPath(absl::string_view path) {
  return absl::EndsWithIgnoreCase(path, ".onnx");
}

}  // namespace pipecut
