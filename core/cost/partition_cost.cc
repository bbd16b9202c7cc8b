#include "core/cost/partition_cost.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace pipecut {

absl::Status CheckPartition(const Graph& graph, absl::Span<const int> stage_of,
                            int k) {
  if (k < 1) {
    return absl::InvalidArgumentError(absl::StrCat("k must be >= 1, got ", k));
  }
  if (static_cast<int>(stage_of.size()) != graph.num_nodes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition assigns ", stage_of.size(),
                     " nodes but the graph has ", graph.num_nodes()));
  }
  for (int v = 0; v < graph.num_nodes(); ++v) {
    if (stage_of[v] < 0 || stage_of[v] >= k) {
      return absl::InvalidArgumentError(
          absl::StrCat("node '", graph.id(v), "' is on stage ", stage_of[v],
                       ", outside [0, ", k, ")"));
    }
  }
  for (int u = 0; u < graph.num_nodes(); ++u) {
    for (int v : graph.successors(u)) {
      if (stage_of[u] > stage_of[v]) {
        return absl::InvalidArgumentError(absl::StrCat(
            "edge '", graph.id(u), "' -> '", graph.id(v),
            "' goes backwards: stage ", stage_of[u], " -> ", stage_of[v]));
      }
    }
  }
  return absl::OkStatus();
}

PartitionCost EvaluateFeasiblePartition(const Graph& graph,
                                        absl::Span<const int> stage_of, int k) {
  PartitionCost result;
  result.stages.resize(k);
  std::vector<int> reader_stages;
  for (int u = 0; u < graph.num_nodes(); ++u) {
    StageCost& own = result.stages[stage_of[u]];
    own.work += graph.work(u);
    own.memory += graph.memory(u);
    // A tensor is paid once by its producer and once per other reading stage.
    reader_stages.clear();
    for (int v : graph.successors(u)) {
      if (stage_of[v] != stage_of[u]) reader_stages.push_back(stage_of[v]);
    }
    if (reader_stages.empty()) continue;
    std::sort(reader_stages.begin(), reader_stages.end());
    reader_stages.erase(std::unique(reader_stages.begin(), reader_stages.end()),
                        reader_stages.end());
    own.comm_out += graph.comm(u);
    for (int b : reader_stages) result.stages[b].comm_in += graph.comm(u);
  }
  for (int b = 0; b < k; ++b) {
    if (result.stages[b].cost() > result.bottleneck) {
      result.bottleneck = result.stages[b].cost();
      result.bottleneck_stage = b;
    }
  }
  return result;
}

absl::StatusOr<PartitionCost> EvaluatePartition(const Graph& graph,
                                                absl::Span<const int> stage_of,
                                                int k) {
  if (auto s = CheckPartition(graph, stage_of, k); !s.ok()) return s;
  return EvaluateFeasiblePartition(graph, stage_of, k);
}

StageCost EvaluateNodeSet(const Graph& graph, absl::Span<const char> in_set) {
  StageCost cost;
  for (int u = 0; u < graph.num_nodes(); ++u) {
    bool reads_into_set = false;
    bool reads_out_of_set = false;
    for (int v : graph.successors(u)) {
      (in_set[v] ? reads_into_set : reads_out_of_set) = true;
    }
    if (in_set[u]) {
      cost.work += graph.work(u);
      cost.memory += graph.memory(u);
      if (reads_out_of_set) cost.comm_out += graph.comm(u);
    } else if (reads_into_set) {
      cost.comm_in += graph.comm(u);
    }
  }
  return cost;
}

int FirstMemoryViolation(const PartitionCost& cost, int64_t memory_limit) {
  if (memory_limit <= 0) return -1;
  for (int b = 0; b < static_cast<int>(cost.stages.size()); ++b) {
    if (cost.stages[b].memory > memory_limit) return b;
  }
  return -1;
}

}  // namespace pipecut
