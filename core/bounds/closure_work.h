#ifndef PIPECUT_CORE_BOUNDS_CLOSURE_WORK_H_
#define PIPECUT_CORE_BOUNDS_CLOSURE_WORK_H_

#include <cstdint>
#include <vector>

#include "core/graph/graph.h"

namespace pipecut {

// For every node v, a lower bound on the work of its ancestors (or
// descendants), v included: exact (bitset closure) when the graph has at
// most kExactClosureNodes nodes, else the heaviest path ending (starting) at
// v, whose nodes are all ancestors (descendants).
inline constexpr int kExactClosureNodes = 4096;
std::vector<double> ClosureWork(const Graph& graph, bool ancestors);

// One row of (n + 63) / 64 words per node: the bitset of the node and its
// ancestors (or descendants). O(n^2 / 64) memory; callers bound n.
std::vector<uint64_t> ClosureBitsets(const Graph& graph, bool ancestors);

// Both closure bitsets of a graph, built once and shared read-only by the
// bounds of one solve that need them (each holds n^2 / 64 words).
struct ClosureRows {
  explicit ClosureRows(const Graph& graph)
      : words((graph.num_nodes() + 63) / 64),
        desc(ClosureBitsets(graph, false)),
        anc(ClosureBitsets(graph, true)) {}
  // The rows of v (v and its descendants, or its ancestors), `words` each.
  const uint64_t* desc_row(int v) const {
    return &desc[static_cast<size_t>(v) * words];
  }
  const uint64_t* anc_row(int v) const {
    return &anc[static_cast<size_t>(v) * words];
  }

  const int words;
  const std::vector<uint64_t> desc, anc;  // descendants, ancestors
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_CLOSURE_WORK_H_
