#include "core/bounds/closure_work.h"

#include <algorithm>
#include <cstdint>

namespace pipecut {

std::vector<uint64_t> ClosureBitsets(const Graph& g, bool ancestors) {
  const int n = g.num_nodes();
  const int words = (n + 63) / 64;
  std::vector<int> order = g.topological_order();
  if (!ancestors) std::reverse(order.begin(), order.end());
  std::vector<uint64_t> bits(static_cast<size_t>(n) * words, 0);
  for (int v : order) {
    uint64_t* row = &bits[static_cast<size_t>(v) * words];
    row[v / 64] |= uint64_t{1} << (v % 64);
    for (int u : ancestors ? g.predecessors(v) : g.successors(v)) {
      const uint64_t* other = &bits[static_cast<size_t>(u) * words];
      for (int i = 0; i < words; ++i) row[i] |= other[i];
    }
  }
  return bits;
}

std::vector<double> ClosureWork(const Graph& g, bool ancestors) {
  const int n = g.num_nodes();
  std::vector<double> result(n, 0);
  if (n > kExactClosureNodes) {
    std::vector<int> order = g.topological_order();
    if (!ancestors) std::reverse(order.begin(), order.end());
    for (int v : order) {
      double best = 0;
      for (int u : ancestors ? g.predecessors(v) : g.successors(v)) {
        best = std::max(best, result[u]);
      }
      result[v] = best + g.work(v);
    }
    return result;
  }
  const int words = (n + 63) / 64;
  const std::vector<uint64_t> bits = ClosureBitsets(g, ancestors);
  for (int v = 0; v < n; ++v) {
    const uint64_t* row = &bits[static_cast<size_t>(v) * words];
    double sum = 0;
    for (int i = 0; i < words; ++i) {
      for (uint64_t m = row[i]; m != 0; m &= m - 1) {
        sum += g.work(i * 64 + __builtin_ctzll(m));
      }
    }
    result[v] = sum;
  }
  return result;
}

}  // namespace pipecut
