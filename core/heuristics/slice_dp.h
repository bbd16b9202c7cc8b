#ifndef PIPECUT_CORE_HEURISTICS_SLICE_DP_H_
#define PIPECUT_CORE_HEURISTICS_SLICE_DP_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "core/graph/graph.h"
#include "core/solve/solve_context.h"

namespace pipecut {

// A slicing of one topological order: stage b holds order[cuts[b],
// cuts[b+1]); cuts has k + 1 entries, cuts[0] = 0 and cuts[k] = n, and empty
// stages are allowed (cuts[b] == cuts[b+1]).
struct Slicing {
  std::vector<int> cuts;
  double bottleneck = 0;
};

// Optimal slicing of a topological order into at most k contiguous stages
// under the exact cost model (the paper's Algorithm 1). Interval costs are
// computed incrementally as a stage grows by one node, and only intervals
// whose work (a lower bound on their cost) stays under the current threshold
// are enumerated. The threshold starts at twice the order-independent lower
// bound and doubles until a slicing fits, so the result is exact. Not
// thread-safe: one instance per thread (it keeps scratch buffers).
class SliceDp {
 public:
  explicit SliceDp(const Graph& graph);

  // The optimal slicing of `order` (a topological order of every node) with
  // bottleneck <= `limit` and every stage's memory <= `memory_limit` (0 = no
  // limit); nullopt when none exists or `ctx` stopped the search.
  std::optional<Slicing> Solve(
      absl::Span<const int> order, int k,
      double limit = std::numeric_limits<double>::infinity(),
      int64_t memory_limit = 0, const SolveContext* ctx = nullptr);

  // Stage of every node for a slicing of `order`.
  static std::vector<int> StageOf(absl::Span<const int> order,
                                  const Slicing& slicing);

 private:
  // Enumerates the intervals of cost <= threshold; false if stopped.
  bool EnumerateIntervals(absl::Span<const int> order, double threshold,
                          int64_t memory_limit, const SolveContext* ctx);
  // Layered DP over the enumerated intervals.
  std::optional<Slicing> BestSlicing(int n, int k) const;

  const Graph& graph_;
  std::vector<int> pos_;
  std::vector<int> last_succ_pos_;
  std::vector<int> in_stamp_;
  // Intervals grouped by left end l: ends_[begin_[l] .. begin_[l+1]) with
  // their costs.
  std::vector<int> begin_;
  std::vector<int> ends_;
  std::vector<double> costs_;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_HEURISTICS_SLICE_DP_H_
