#include "core/bounds/bound_rounding.h"

#include <cmath>

#include "core/bounds/combinatorial_bound.h"

namespace pipecut {

BoundRounder::BoundRounder(const Graph& graph, double relative_shave)
    : relative_shave_(relative_shave) {
  for (int v = 0; v < graph.num_nodes() && integral_; ++v) {
    const double w = graph.work(v), c = graph.comm(v);
    integral_ =
        w == std::floor(w) && c == std::floor(c) && w < 1e12 && c < 1e12;
  }
}

double BoundRounder::operator()(double raw_bound) const {
  if (!std::isfinite(raw_bound)) return raw_bound;
  const double shaved = raw_bound - relative_shave_ * std::abs(raw_bound);
  return integral_ ? std::ceil(shaved - 1e-9) : shaved;
}

double MipCostScale(const Graph& graph, int k) {
  const double lb0 = CombinatorialLowerBound(graph, k);
  return lb0 > 0 ? 1 / lb0 : 1;
}

}  // namespace pipecut
