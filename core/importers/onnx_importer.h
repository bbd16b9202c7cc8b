#ifndef PIPECUT_CORE_IMPORTERS_ONNX_IMPORTER_H_
#define PIPECUT_CORE_IMPORTERS_ONNX_IMPORTER_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/cost/device_profile.h"
#include "onnx/onnx_pb.h"
#include "pipecut/v1/graph.pb.h"

namespace pipecut {

// What an import did, for logs, the CLI summary and benchmarks.
struct OnnxImportStats {
  int onnx_nodes = 0;     // operators in the ONNX graph
  int folded_nodes = 0;   // constant / shape-only operators folded away
  int compute_nodes = 0;  // pipecut nodes
  int edges = 0;
  double total_flops = 0;
  int64_t weight_bytes = 0;     // sum of memory_bytes
  int unknown_dim_tensors = 0;  // tensors with a dim taken as 1
  int inference_rounds = 0;     // shape inference + folding passes
  std::map<std::string, int> ops_without_formula;  // op type -> count
};

// Turns an ONNX model into a pipecut graph (work and comm in milliseconds,
// memory_bytes in bytes; the cost model is documented in device_profile.h
// and the FLOP formulas in onnx_op_cost.h):
// - shapes are completed with ONNX shape inference (with data propagation),
//   alternated with FoldShapeComputations (onnx_shape_folding.h) so that
//   Reshape/Slice targets computed from Shape ops resolve;
// - constants and shape computations are folded into their consumers: a node
//   is folded when it is Shape/Size (it reads metadata only) or when every
//   input is constant (an initializer or the output of a folded node);
// - every other node is one pipecut node, with an edge per (producer,
//   consumer) pair of a non-constant tensor, multi-output operators
//   included; control-flow subgraphs' outer-scope reads count as inputs;
// - memory_bytes = bytes of the constant tensors the node reads (dims x
//   element size: stripped weights work); a weight shared by two nodes is
//   charged to both (never under-counts a stage);
// - comm = bytes of the node's outputs read by other nodes / link bandwidth;
// - node ids are the ONNX node names, or "<op_type>_<index>" when a name is
//   empty or repeated.
// An op without a FLOP formula gets an elementwise estimate and one warning
// per op type. Malformed or truncated bytes give INVALID_ARGUMENT; no input
// crashes. The graph is not validated here (Graph::FromProto does that).
absl::StatusOr<v1::Graph> ImportOnnxModel(absl::string_view bytes,
                                          const DeviceProfile& device,
                                          OnnxImportStats* stats = nullptr);
// As above, from a parsed model (shape inference mutates the copy).
absl::StatusOr<v1::Graph> ImportOnnxModelProto(
    onnx::ModelProto model, const DeviceProfile& device,
    OnnxImportStats* stats = nullptr);
// Reads `path` and imports it; errors name the path.
absl::StatusOr<v1::Graph> ImportOnnxFile(const std::string& path,
                                         const DeviceProfile& device,
                                         OnnxImportStats* stats = nullptr);

// True when the path ends in ".onnx" (case-insensitive).
bool IsOnnxPath(absl::string_view path);

}  // namespace pipecut

#endif  // PIPECUT_CORE_IMPORTERS_ONNX_IMPORTER_H_
