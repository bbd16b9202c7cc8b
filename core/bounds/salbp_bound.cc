#include "core/bounds/salbp_bound.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "core/bounds/bound_rounding.h"
#include "core/bounds/closure_work.h"
#include "core/bounds/combinatorial_bound.h"
#include "core/bounds/dual_feasible.h"
#include "core/bounds/pattern_lp.h"

namespace pipecut {

double BinPackingLowerBound(const Graph& graph, int k) {
  const int n = graph.num_nodes();
  std::vector<double> w(n);
  for (int v = 0; v < n; ++v) w[v] = graph.work(v);
  std::sort(w.begin(), w.end(), std::greater<>());
  double best = 0;
  for (int64_t p = 1; p * k + 1 <= n; ++p) {
    double sum =
        0;  // w[pk-p] .. w[pk] (0-based): the p+1 lightest of the top pk+1
    for (int64_t i = p * k - p; i <= p * k; ++i) sum += w[i];
    best = std::max(best, sum);
  }
  return best;
}

double NeighbourhoodLowerBound(const Graph& graph) {
  double best = 0;
  for (int v = 0; v < graph.num_nodes(); ++v) {
    double bound = graph.work(v);
    for (int u : graph.predecessors(v)) {
      bound += std::min(graph.work(u), graph.comm(u));
    }
    if (!graph.successors(v).empty()) {
      double succ_work = 0;
      for (int y : graph.successors(v)) succ_work += graph.work(y);
      bound += std::min(graph.comm(v), succ_work);
    }
    best = std::max(best, bound);
  }
  return best;
}

double HeadTailLowerBound(const Graph& graph, int k) {
  const int n = graph.num_nodes();
  const std::vector<double> up = ClosureWork(graph, true);
  const std::vector<double> down = ClosureWork(graph, false);
  auto feasible = [&](double t) {
    for (int v = 0; v < n; ++v) {
      // Rounding noise must only make the test more permissive.
      const double heads = std::ceil(up[v] / t - 1e-9);
      const double tails = std::ceil(down[v] / t - 1e-9);
      if (heads + tails > k + 1) return false;
    }
    return true;
  };
  double lo = CombinatorialLowerBound(graph, k);
  if (lo <= 0 || feasible(lo)) return lo;
  double hi =
      std::max(graph.total_work(), lo);  // one stage holds all: feasible
  if (!feasible(hi)) return lo;
  while (hi - lo > 1e-9 * hi) {
    const double mid = 0.5 * (lo + hi);
    if (feasible(mid)) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return lo;  // infeasible (or LB0): every partition has bottleneck > lo
}

namespace {

// The pattern LP (the costliest test) from the integer `bound` up: galloping
// to a capacity it does not refute, then bisection. Every refuted capacity
// c proves OPT > c by itself.
double PatternLpRaise(const std::vector<int64_t>& items, int k, double bound) {
  const auto refuted = [&](int64_t c) {
    return PatternLpNeedsMoreBins(items, c, k);
  };
  auto lo = static_cast<int64_t>(bound);
  if (!refuted(lo)) return bound;
  int64_t hi = lo + 1;
  for (int64_t step = 2; refuted(hi); step *= 2) {
    lo = hi;
    hi = lo + step;
    if (hi > kMaxPatternCapacity) break;  // refutes nothing above
  }
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (refuted(mid) ? lo : hi) = mid;
  }
  return static_cast<double>(lo + 1);
}

}  // namespace

double DestructiveLowerBound(const Graph& graph, int k) {
  const int n = graph.num_nodes();
  std::vector<double> w(n);
  for (int v = 0; v < n; ++v) w[v] = graph.work(v);
  const std::vector<double> up = ClosureWork(graph, true);
  const std::vector<double> down = ClosureWork(graph, false);
  const double total = graph.total_work();
  constexpr double kSlack = 1e-9;
  // Integral works also get the dual feasible functions (exact integers).
  const bool integral = BoundRounder(graph).integral();
  std::vector<int64_t> items;
  if (integral) {
    for (double x : w) items.push_back(static_cast<int64_t>(x));
  }
  // True when no partition into k stages has bottleneck <= t.
  auto impossible = [&](double t) {
    if (std::ceil(total / t - kSlack) > k) return true;
    int64_t big = 0, half = 0;
    double weight = 0;
    for (double x : w) {
      const double r = x / t;
      if (r > 0.5 + kSlack) {
        ++big;
      } else if (r >= 0.5 - kSlack) {
        ++half;
      }
      if (r > 2.0 / 3 + kSlack) {
        weight += 1;
      } else if (r >= 2.0 / 3 - kSlack) {
        weight += 2.0 / 3;
      } else if (r > 1.0 / 3 + kSlack) {
        weight += 0.5;
      } else if (r >= 1.0 / 3 - kSlack) {
        weight += 1.0 / 3;
      }
    }
    // Items counted "equal" may really be a little larger: those weights are
    // the smaller ones, so the counts stay lower bounds.
    if (big + (half + 1) / 2 > k) return true;
    if (std::ceil(weight - 1e-6) > k) return true;
    if (!items.empty() && t == std::floor(t) &&
        DffNeedsMoreBins(items, static_cast<int64_t>(t), k)) {
      return true;
    }
    for (int v = 0; v < n; ++v) {
      if (std::ceil(up[v] / t - kSlack) + std::ceil(down[v] / t - kSlack) >
          k + 1) {
        return true;
      }
    }
    return false;
  };
  double lo = std::max(CombinatorialLowerBound(graph, k),
                       BinPackingLowerBound(graph, k));
  if (lo <= 0) return lo;
  if (integral) lo = std::ceil(lo - kSlack);
  if (!impossible(lo)) return integral ? PatternLpRaise(items, k, lo) : lo;
  double hi = std::max(total, lo);  // one stage holds everything
  if (impossible(hi)) return lo;    // cannot happen; stay safe
  if (integral) {
    // Bisection on integers: a impossible, b possible.
    double a = lo, b = std::ceil(hi);
    while (b - a > 1) {
      const double mid = std::floor(0.5 * (a + b));
      if (impossible(mid)) {
        a = mid;
      } else {
        b = mid;
      }
    }
    // OPT > a and OPT is an integer.
    return PatternLpRaise(items, k, std::floor(a) + 1);
  }
  while (hi - lo > 1e-9 * hi) {
    const double mid = 0.5 * (lo + hi);
    if (impossible(mid)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;  // impossible: OPT > lo
}

double SalbpLowerBound(const Graph& graph, int k) {
  const double bound = std::max(
      {CombinatorialLowerBound(graph, k), BinPackingLowerBound(graph, k),
       HeadTailLowerBound(graph, k), NeighbourhoodLowerBound(graph),
       DestructiveLowerBound(graph, k)});
  // With integral work and comm every stage cost, hence OPT, is an integer.
  return BoundRounder(graph).integral() ? std::ceil(bound - 1e-9) : bound;
}

bool SalbpBoundWorker::Step(SolveContext& /*ctx*/, SolutionBoard& board) {
  board.RaiseLowerBound(SalbpLowerBound(graph_, k_), name());
  return false;
}

}  // namespace pipecut
