#include "core/bounds/forced_crossing.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "core/bounds/bound_rounding.h"
#include "core/bounds/closure_work.h"

namespace pipecut {

std::vector<double> ConsumerHullWork(const Graph& g) {
  const int n = g.num_nodes();
  std::vector<double> hull(n, 0);
  if (n > kForcedCrossingMaxNodes) {
    for (int u = 0; u < n; ++u) {
      if (g.successors(u).empty() || g.comm(u) == 0) continue;
      double heaviest = 0;
      for (int s : g.successors(u)) heaviest = std::max(heaviest, g.work(s));
      hull[u] = g.work(u) + heaviest;
    }
    return hull;
  }
  const int words = (n + 63) / 64;
  const std::vector<uint64_t> desc = ClosureBitsets(g, false);
  const std::vector<uint64_t> anc = ClosureBitsets(g, true);
  std::vector<uint64_t> row(words);
  for (int u = 0; u < n; ++u) {
    if (g.successors(u).empty() || g.comm(u) == 0) continue;
    std::fill(row.begin(), row.end(), 0);
    for (int s : g.successors(u)) {
      const uint64_t* a = &anc[static_cast<size_t>(s) * words];
      for (int i = 0; i < words; ++i) row[i] |= a[i];
    }
    const uint64_t* d = &desc[static_cast<size_t>(u) * words];
    double sum = 0;
    for (int i = 0; i < words; ++i) {
      for (uint64_t m = row[i] & d[i]; m != 0; m &= m - 1) {
        sum += g.work(i * 64 + __builtin_ctzll(m));
      }
    }
    hull[u] = sum;
  }
  return hull;
}

double ForcedCrossingLowerBound(const Graph& g, int k) {
  const double total = g.total_work();
  const std::vector<double> hull = ConsumerHullWork(g);
  // (h(u), c(u)) by increasing h; `forced` = C(T) for T below the next h.
  std::vector<std::pair<double, double>> tensors;
  double forced = 0;
  for (int u = 0; u < g.num_nodes(); ++u) {
    if (hull[u] > 0 && g.comm(u) > 0) {
      tensors.emplace_back(hull[u], g.comm(u));
      forced += g.comm(u);
    }
  }
  std::sort(tensors.begin(), tensors.end());
  // Scan the intervals [lo, next h) on which C is constant; the first one
  // holding a T with k T >= W + 2 C(T) holds T0.
  double lo = 0;
  for (size_t i = 0; i <= tensors.size(); ++i) {
    const double t = std::max(lo, (total + 2 * forced) / k);
    if (i == tensors.size() || t < tensors[i].first) {
      return std::max(t, g.max_work());
    }
    // T = tensors[i].first: tensor i (and any tie) is no longer forced.
    lo = tensors[i].first;
    forced -= tensors[i].second;
    while (i + 1 < tensors.size() && tensors[i + 1].first == lo) {
      forced -= tensors[++i].second;
    }
    forced = std::max(forced, 0.0);
  }
  return std::max(total / k, g.max_work());  // not reached
}

bool ForcedCrossingWorker::Step(SolveContext& /*ctx*/, SolutionBoard& board) {
  if (!graph_.has_communication()) return false;  // W/k: nothing to add
  const double raw = ForcedCrossingLowerBound(graph_, k_);
  // Sums of works in another order may differ in the last bits; with
  // integral data OPT is an integer.
  double bound = raw - 1e-9 * std::abs(raw);
  if (BoundRounder(graph_).integral()) bound = std::ceil(bound - 1e-9);
  board.RaiseLowerBound(bound, name());
  return false;
}

}  // namespace pipecut
