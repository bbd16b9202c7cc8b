#ifndef PIPECUT_CORE_HEURISTICS_TOPOLOGICAL_ORDERS_H_
#define PIPECUT_CORE_HEURISTICS_TOPOLOGICAL_ORDERS_H_

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "core/graph/graph.h"

namespace pipecut {

struct NamedOrder {
  std::string name;
  std::vector<int> order;
};

// Deterministic topological orders used to seed the search, cheapest and most
// natural first. Every order contains every node once and respects all edges.
// Identical orders are listed once (under the first name). Names:
//  kahn            Kahn's algorithm, smallest node index first (input order).
//  dfs             Kahn with a stack: follow the most recently readied node,
//                  so a branch is finished before the next one starts (keeps
//                  chains contiguous, like a depth-first walk).
//  bfs             Kahn with a FIFO queue: level by level.
//  depth           by longest path (in edges) from a source, then index.
//  work_depth      by earliest start time (longest work path from a source,
//                  excluding the node), then depth, then index.
//  critical_path   list scheduling: the ready node with the longest work path
//                  to a sink (its "bottom level") first.
//  alap            as late as possible: Kahn on the reversed graph (largest
//                  index first), reversed.
//  min_live        greedy tensor liveness: the ready node that most reduces
//                  the communication of tensors still waiting for a reader
//                  (closing tensors, not opening big ones) first. Short-lived
//                  tensors make cheap stage boundaries.
std::vector<NamedOrder> SeedOrders(const Graph& graph);

// Kahn's algorithm taking, among ready nodes, the one with the smallest
// (key[v], v). Every such order is topological; with key = position in a
// topological order it reproduces that order. O((n + m) log n).
std::vector<int> OrderByKeys(const Graph& graph, absl::Span<const double> keys);

// A topological order whose slicing into k stages is `stage_of` (a feasible
// partition): nodes by (stage, position in graph.topological_order()).
std::vector<int> OrderOfPartition(const Graph& graph,
                                  absl::Span<const int> stage_of);

// True iff `order` is a permutation of the nodes with every edge forward.
bool IsTopologicalOrder(const Graph& graph, absl::Span<const int> order);

}  // namespace pipecut

#endif  // PIPECUT_CORE_HEURISTICS_TOPOLOGICAL_ORDERS_H_
