#ifndef PIPECUT_CORE_GRAPH_GRAPH_H_
#define PIPECUT_CORE_GRAPH_GRAPH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "pipecut/v1/graph.pb.h"

namespace pipecut {

// Size limits applied while building a Graph from untrusted input.
struct GraphLimits {
  int64_t max_nodes = 1'000'000;
  int64_t max_edges = 20'000'000;
};

// An immutable, validated DAG with dense node indices 0..n-1 (in input order)
// and compact (CSR) adjacency. Parallel edges are merged. Thread-safe: all
// methods are const.
class Graph {
 public:
  // Validates `proto` and builds the graph. Returns INVALID_ARGUMENT naming the
  // offending element: empty graph, empty or duplicate node id, an edge naming
  // an unknown node, a self-loop, a cycle (with the nodes on one cycle), a
  // negative or non-finite work/comm, a negative memory, or a size limit.
  static absl::StatusOr<Graph> FromProto(const v1::Graph& proto,
                                         const GraphLimits& limits = {});

  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;
  Graph(const Graph&) = default;
  Graph& operator=(const Graph&) = default;

  const std::string& name() const { return name_; }
  int num_nodes() const { return static_cast<int>(ids_.size()); }
  int num_edges() const { return static_cast<int>(succ_.size()); }

  const std::string& id(int v) const { return ids_[v]; }
  const std::string& op_type(int v) const { return op_types_[v]; }
  double work(int v) const { return work_[v]; }
  double comm(int v) const { return comm_[v]; }
  int64_t memory(int v) const { return memory_[v]; }
  std::optional<int> FindNode(absl::string_view id) const;

  absl::Span<const int> successors(int v) const {
    return absl::MakeConstSpan(succ_.data() + succ_begin_[v],
                               succ_begin_[v + 1] - succ_begin_[v]);
  }
  absl::Span<const int> predecessors(int v) const {
    return absl::MakeConstSpan(pred_.data() + pred_begin_[v],
                               pred_begin_[v + 1] - pred_begin_[v]);
  }

  // A topological order (Kahn's algorithm, smallest index first).
  const std::vector<int>& topological_order() const { return topo_; }

  double total_work() const { return total_work_; }
  double max_work() const { return max_work_; }
  int64_t total_memory() const { return total_memory_; }
  // True when some tensor can cross a stage boundary at a cost: a node with
  // comm > 0 and a successor. Without it the problem is SALBP-2.
  bool has_communication() const { return has_communication_; }

  // Back to the wire form (merged edges, input node order).
  v1::Graph ToProto() const;

 private:
  Graph() = default;

  std::string name_;
  std::vector<std::string> ids_;
  std::vector<std::string> op_types_;
  std::vector<double> work_;
  std::vector<double> comm_;
  std::vector<int64_t> memory_;
  absl::flat_hash_map<std::string, int> index_;
  std::vector<int> succ_begin_, succ_;
  std::vector<int> pred_begin_, pred_;
  std::vector<int> topo_;
  double total_work_ = 0;
  double max_work_ = 0;
  int64_t total_memory_ = 0;
  bool has_communication_ = false;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_GRAPH_GRAPH_H_
