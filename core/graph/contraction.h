#ifndef PIPECUT_CORE_GRAPH_CONTRACTION_H_
#define PIPECUT_CORE_GRAPH_CONTRACTION_H_

#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/graph.h"

namespace pipecut {

// A graph with some nodes merged into a neighbour, and the map back.
struct Contraction {
  Graph graph;
  // group_of[v] = the node of `graph` that original node v was merged into.
  std::vector<int> group_of;

  // A partition of `graph` as a partition of the original graph.
  std::vector<int> Expand(const std::vector<int>& stage_of) const;
};

// Merges nodes that some optimal partition always places with a neighbour,
// so that OPT is unchanged and every partition of the result is a partition
// of the original with the same stage costs. Repeated to a fixpoint; each
// rule is exact on the graph it is applied to, so by induction so is the
// whole contraction. A merged node keeps the anchor's comm and edges (minus
// the merged one) and adds the work and memory.
//
// (a) A source u with exactly one successor v and w(u) <= c(u) joins v.
//     Proof: take an optimal partition with stage(u) < stage(v) and move u to
//     stage(v) (u has no predecessors, so precedence holds). u's old stage
//     loses w(u) and its out-cost c(u). v's stage gains w(u) and no longer
//     reads u's tensor: change w(u) - c(u) <= 0. No other stage reads u.
// (b) A sink t with exactly one predecessor p and w(t) = 0 joins p.
//     Proof: move t to stage(p) (t has no successors). That stage gains no
//     work and at most loses p's out-cost; t's old stage loses t and at most
//     its read of p. No stage cost rises.
// With a memory limit, a move adds the node's memory to the anchor's stage,
// so nodes with memory_bytes > 0 are then never merged.
//
// Why: exported operator graphs hang every weight tensor off its consumer as
// a zero-work source; merging them shrinks the number of ideals (lower
// sets) from exponential to near-linear for inference graphs, which is what
// makes the ideal DP exact there.
absl::StatusOr<Contraction> ContractAnchoredNodes(const Graph& graph,
                                                  bool memory_limited);

}  // namespace pipecut

#endif  // PIPECUT_CORE_GRAPH_CONTRACTION_H_
