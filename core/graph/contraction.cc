#include "core/graph/contraction.h"

#include <cstdint>
#include <utility>

#include "absl/status/statusor.h"

namespace pipecut {
namespace {

// Merges only ever delete the one edge between a node and its anchor, so
// degrees are counters and the remaining edges are those between live nodes.
class Contractor {
 public:
  Contractor(const Graph& g, bool memory_limited)
      : g_(g), memory_limited_(memory_limited) {
    const int n = g.num_nodes();
    into_.assign(n, -1);
    work_.resize(n);
    memory_.resize(n);
    in_degree_.resize(n);
    out_degree_.resize(n);
    for (int v = 0; v < n; ++v) {
      work_[v] = g.work(v);
      memory_[v] = g.memory(v);
      in_degree_[v] = static_cast<int>(g.predecessors(v).size());
      out_degree_[v] = static_cast<int>(g.successors(v).size());
    }
  }

  absl::StatusOr<Contraction> Run() {
    std::vector<int> pending(g_.num_nodes());
    for (int v = 0; v < g_.num_nodes(); ++v) pending[v] = v;
    while (!pending.empty()) {
      const int v = pending.back();
      pending.pop_back();
      if (into_[v] >= 0) continue;
      const int anchor = TryMerge(v);
      if (anchor >= 0) pending.push_back(anchor);
    }
    return Build();
  }

 private:
  bool Alive(int v) const { return into_[v] < 0; }

  // Merges v into its anchor when rule (a) or (b) applies; returns the
  // anchor or -1.
  int TryMerge(int v) {
    if (memory_limited_ && memory_[v] > 0) return -1;
    if (in_degree_[v] == 0 && out_degree_[v] == 1 && work_[v] <= g_.comm(v)) {
      const int anchor = OnlyLive(g_.successors(v));
      if (anchor < 0) return -1;
      --in_degree_[anchor];
      return Merge(v, anchor);
    }
    if (out_degree_[v] == 0 && in_degree_[v] == 1 && work_[v] == 0) {
      const int anchor = OnlyLive(g_.predecessors(v));
      if (anchor < 0) return -1;
      --out_degree_[anchor];
      return Merge(v, anchor);
    }
    return -1;
  }

  int OnlyLive(absl::Span<const int> nodes) const {
    for (int u : nodes) {
      if (Alive(u)) return u;
    }
    return -1;  // unreachable: the degree counts live neighbours
  }

  int Merge(int v, int anchor) {
    into_[v] = anchor;
    work_[anchor] += work_[v];
    memory_[anchor] += memory_[v];
    return anchor;
  }

  absl::StatusOr<Contraction> Build() const {
    const int n = g_.num_nodes();
    v1::Graph proto;
    proto.set_name(g_.name());
    std::vector<int> index(n, -1);
    for (int v = 0; v < n; ++v) {
      if (!Alive(v)) continue;
      index[v] = proto.nodes_size();
      v1::Node* node = proto.add_nodes();
      node->set_id(g_.id(v));
      node->set_op_type(g_.op_type(v));
      node->set_work(work_[v]);
      node->set_comm(g_.comm(v));
      node->set_memory_bytes(memory_[v]);
    }
    for (int u = 0; u < n; ++u) {
      if (!Alive(u)) continue;
      for (int v : g_.successors(u)) {
        if (!Alive(v)) continue;
        v1::Edge* edge = proto.add_edges();
        edge->set_src(g_.id(u));
        edge->set_dst(g_.id(v));
      }
    }
    // A subgraph of a valid graph with summed costs is valid; this fails
    // only if the sums overflow.
    absl::StatusOr<Graph> graph = Graph::FromProto(proto);
    if (!graph.ok()) return graph.status();
    std::vector<int> group_of(n);
    for (int v = 0; v < n; ++v) {
      int r = v;
      while (!Alive(r)) r = into_[r];
      group_of[v] = index[r];
    }
    return Contraction{*std::move(graph), std::move(group_of)};
  }

  const Graph& g_;
  const bool memory_limited_;
  std::vector<int> into_;  // merge target, -1 while alive
  std::vector<double> work_;
  std::vector<int64_t> memory_;
  std::vector<int> in_degree_, out_degree_;
};

}  // namespace

std::vector<int> Contraction::Expand(const std::vector<int>& stage_of) const {
  std::vector<int> out(group_of.size());
  for (size_t v = 0; v < group_of.size(); ++v) {
    out[v] = stage_of[group_of[v]];
  }
  return out;
}

absl::StatusOr<Contraction> ContractAnchoredNodes(const Graph& graph,
                                                  bool memory_limited) {
  return Contractor(graph, memory_limited).Run();
}

}  // namespace pipecut
