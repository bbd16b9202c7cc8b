#ifndef PIPECUT_CORE_COST_PARTITION_COST_H_
#define PIPECUT_CORE_COST_PARTITION_COST_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/graph/graph.h"

namespace pipecut {

// The cost terms of one stage S (DESIGN section 1):
// f(S) = w(S) + c(in(S)) + c(out(S)).
struct StageCost {
  double work = 0;
  double comm_in = 0;
  double comm_out = 0;
  int64_t memory = 0;
  double cost() const { return work + comm_in + comm_out; }
};

struct PartitionCost {
  std::vector<StageCost> stages;  // exactly k entries, empty stages included
  double bottleneck = 0;
  int bottleneck_stage = 0;  // first stage attaining the bottleneck
};

// OK iff `stage_of` has one entry per node, each in [0, k), and no edge goes
// from a later stage to an earlier one. Otherwise INVALID_ARGUMENT naming the
// node or the violating edge.
absl::Status CheckPartition(const Graph& graph, absl::Span<const int> stage_of,
                            int k);

// Exact per-stage costs and the bottleneck of a partition. Validates first.
absl::StatusOr<PartitionCost> EvaluatePartition(const Graph& graph,
                                                absl::Span<const int> stage_of,
                                                int k);

// Same, without validation (the caller guarantees a feasible partition).
PartitionCost EvaluateFeasiblePartition(const Graph& graph,
                                        absl::Span<const int> stage_of, int k);

// f(S) for an arbitrary node set given as a membership mask (in_set[v] != 0).
StageCost EvaluateNodeSet(const Graph& graph, absl::Span<const char> in_set);

// First stage whose memory exceeds `memory_limit` (> 0), or -1.
int FirstMemoryViolation(const PartitionCost& cost, int64_t memory_limit);

}  // namespace pipecut

#endif  // PIPECUT_CORE_COST_PARTITION_COST_H_
