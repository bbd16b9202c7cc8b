#ifndef PIPECUT_CORE_BOUNDS_BOUND_ROUNDING_H_
#define PIPECUT_CORE_BOUNDS_BOUND_ROUNDING_H_

#include "core/graph/graph.h"

namespace pipecut {

// Turns a MIP solver's dual bound into one safe to publish. CBC's bounds are
// exact only up to its LP tolerances (about 1e-7 after the workers scale the
// model so that LB0 = 1), so the raw bound is first shaved by that relative
// amount. When every work and comm value is an integer, every stage cost and
// hence OPT is an integer, so OPT >= L implies OPT >= ceil(L): the shaved
// bound is rounded up, which is what lets a MIP prove SALBP instances
// optimal. Combinatorial bounds, exact up to the order of floating-point
// sums, use the same rule with a relative shave of 1e-9.
class BoundRounder {
 public:
  static constexpr double kMipShave = 1e-7;
  static constexpr double kCombinatorialShave = 1e-9;
  explicit BoundRounder(const Graph& graph, double relative_shave = kMipShave);
  double operator()(double raw_bound) const;
  bool integral() const { return integral_; }

 private:
  double relative_shave_;
  bool integral_ = true;
};

// The factor the MIP workers multiply every cost by (1 / LB0, or 1 when LB0
// is 0), so that CBC's absolute tolerances are relative to the instance.
double MipCostScale(const Graph& graph, int k);

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_BOUND_ROUNDING_H_
