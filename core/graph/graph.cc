#include "core/graph/graph.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace pipecut {
namespace {

absl::Status CheckCost(const v1::Node& node, absl::string_view field,
                       double value) {
  if (!std::isfinite(value) || value < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("node '", node.id(), "': ", field,
                     " must be finite and >= 0, got ", value));
  }
  return absl::OkStatus();
}

// Builds CSR arrays from (from, to) pairs sorted by `from`.
void BuildCsr(int n, const std::vector<std::pair<int, int>>& pairs,
              std::vector<int>& begin, std::vector<int>& targets) {
  begin.assign(n + 1, 0);
  for (const auto& [from, to] : pairs) ++begin[from + 1];
  for (int v = 0; v < n; ++v) begin[v + 1] += begin[v];
  targets.resize(pairs.size());
  std::vector<int> fill(begin.begin(), begin.end() - 1);
  for (const auto& [from, to] : pairs) targets[fill[from]++] = to;
}

}  // namespace

absl::StatusOr<Graph> Graph::FromProto(const v1::Graph& proto,
                                       const GraphLimits& limits) {
  const int64_t n = proto.nodes_size();
  if (n == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("graph '", proto.name(), "' has no nodes"));
  }
  if (n > limits.max_nodes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "graph has ", n, " nodes, above the limit of ", limits.max_nodes));
  }
  if (proto.edges_size() > limits.max_edges) {
    return absl::InvalidArgumentError(
        absl::StrCat("graph has ", proto.edges_size(),
                     " edges, above the limit of ", limits.max_edges));
  }

  Graph g;
  g.name_ = proto.name();
  g.ids_.reserve(n);
  g.op_types_.reserve(n);
  g.work_.reserve(n);
  g.comm_.reserve(n);
  g.memory_.reserve(n);
  g.index_.reserve(n);
  for (int i = 0; i < n; ++i) {
    const v1::Node& node = proto.nodes(i);
    if (node.id().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("node #", i, " has an empty id"));
    }
    if (!g.index_.emplace(node.id(), i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("duplicate node id '", node.id(), "'"));
    }
    if (auto s = CheckCost(node, "work", node.work()); !s.ok()) return s;
    if (auto s = CheckCost(node, "comm", node.comm()); !s.ok()) return s;
    if (node.memory_bytes() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node '", node.id(), "': memory_bytes must be >= 0, got ",
          node.memory_bytes()));
    }
    g.ids_.push_back(node.id());
    g.op_types_.push_back(node.op_type());
    g.work_.push_back(node.work());
    g.comm_.push_back(node.comm());
    g.memory_.push_back(node.memory_bytes());
    g.total_work_ += node.work();
    g.max_work_ = std::max(g.max_work_, node.work());
    g.total_memory_ += node.memory_bytes();
  }

  std::vector<std::pair<int, int>> edges;
  edges.reserve(proto.edges_size());
  for (int i = 0; i < proto.edges_size(); ++i) {
    const v1::Edge& e = proto.edges(i);
    auto src = g.index_.find(e.src());
    auto dst = g.index_.find(e.dst());
    if (src == g.index_.end() || dst == g.index_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("edge #", i, " '", e.src(), "' -> '", e.dst(),
                       "' names unknown node '",
                       src == g.index_.end() ? e.src() : e.dst(), "'"));
    }
    if (src->second == dst->second) {
      return absl::InvalidArgumentError(
          absl::StrCat("edge #", i, " is a self-loop on node '", e.src(), "'"));
    }
    edges.emplace_back(src->second, dst->second);
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  BuildCsr(n, edges, g.succ_begin_, g.succ_);
  for (auto& e : edges) std::swap(e.first, e.second);
  std::sort(edges.begin(), edges.end());
  BuildCsr(n, edges, g.pred_begin_, g.pred_);
  for (int v = 0; v < n && !g.has_communication_; ++v) {
    g.has_communication_ = g.comm_[v] > 0 && !g.successors(v).empty();
  }

  // Kahn's algorithm, smallest index first, for a stable default order.
  std::vector<int> indegree(n);
  for (int v = 0; v < n; ++v) indegree[v] = g.predecessors(v).size();
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int v = 0; v < n; ++v) {
    if (indegree[v] == 0) ready.push(v);
  }
  g.topo_.reserve(n);
  while (!ready.empty()) {
    int v = ready.top();
    ready.pop();
    g.topo_.push_back(v);
    for (int s : g.successors(v)) {
      if (--indegree[s] == 0) ready.push(s);
    }
  }
  if (static_cast<int64_t>(g.topo_.size()) < n) {
    // Every unplaced node has an unplaced predecessor, so walking backwards
    // through unplaced predecessors must revisit a node: that closes a cycle.
    int v = 0;
    while (indegree[v] == 0) ++v;
    std::vector<int> seen_at(n, -1);
    std::vector<int> walk;
    while (seen_at[v] < 0) {
      seen_at[v] = walk.size();
      walk.push_back(v);
      for (int p : g.predecessors(v)) {
        if (indegree[p] > 0) {
          v = p;
          break;
        }
      }
    }
    // walk[seen_at[v]] = v and each entry is a predecessor of the one before,
    // so the cycle in edge order is v, walk.back(), ..., walk[seen_at[v]+1], v.
    std::vector<std::string> cycle = {g.ids_[v]};
    for (int i = walk.size() - 1; i > seen_at[v]; --i) {
      cycle.push_back(g.ids_[walk[i]]);
    }
    cycle.push_back(g.ids_[v]);
    return absl::InvalidArgumentError(
        absl::StrCat("graph has a cycle: ", absl::StrJoin(cycle, " -> ")));
  }
  return g;
}

std::optional<int> Graph::FindNode(absl::string_view id) const {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

v1::Graph Graph::ToProto() const {
  v1::Graph proto;
  proto.set_name(name_);
  for (int v = 0; v < num_nodes(); ++v) {
    v1::Node* node = proto.add_nodes();
    node->set_id(ids_[v]);
    node->set_op_type(op_types_[v]);
    node->set_work(work_[v]);
    node->set_comm(comm_[v]);
    node->set_memory_bytes(memory_[v]);
  }
  for (int v = 0; v < num_nodes(); ++v) {
    for (int s : successors(v)) {
      v1::Edge* e = proto.add_edges();
      e->set_src(ids_[v]);
      e->set_dst(ids_[s]);
    }
  }
  return proto;
}

}  // namespace pipecut
