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
// are enumerated. The threshold starts at the smaller of twice the
// order-independent lower bound and the exact cost of the work-balanced greedy
// slicing of the same order (always feasible, so usually one pass suffices),
// and doubles until a slicing fits, so the result is exact. Not
// thread-safe: one instance per thread (it keeps scratch buffers).
class SliceDp {
 public:
  // Memory guard: the enumerated intervals (about n^2 / k of them at a tight
  // threshold, 12 bytes each) are capped so that a huge graph with few stages
  // cannot exhaust memory; past the cap Solve() gives up (nullopt) and
  // interval_cap_hit() says why. 2^25 intervals is about 400 MB.
  static constexpr int64_t kDefaultMaxIntervals = int64_t{1} << 25;

  explicit SliceDp(const Graph& graph,
                   int64_t max_intervals = kDefaultMaxIntervals);

  // The optimal slicing of `order` (a topological order of every node) with
  // bottleneck <= `limit` and every stage's memory <= `memory_limit` (0 = no
  // limit); nullopt when none exists or `ctx` stopped the search.
  std::optional<Slicing> Solve(
      absl::Span<const int> order, int k,
      double limit = std::numeric_limits<double>::infinity(),
      int64_t memory_limit = 0, const SolveContext* ctx = nullptr);

  // The work-balanced greedy slicing of `order` into at most k stages
  // (O((n + m) log) work, no DP), as a stage per node; empty when it breaks
  // the memory limit. A quick first answer; Solve() is never worse.
  std::vector<int> GreedyPartition(absl::Span<const int> order, int k,
                                   int64_t memory_limit = 0);

  // True when the last Solve() gave up at the interval cap (its nullopt then
  // says nothing about feasibility).
  bool interval_cap_hit() const { return cap_hit_; }

  // Stage of every node for a slicing of `order`.
  static std::vector<int> StageOf(absl::Span<const int> order,
                                  const Slicing& slicing);

 private:
  // Enumerates the intervals of cost <= threshold; false if stopped or past
  // the interval cap.
  bool EnumerateIntervals(absl::Span<const int> order, double threshold,
                          int64_t memory_limit, const SolveContext* ctx);
  // Layered DP over the enumerated intervals (two rows of n + 1 values), then
  // the slicing is rebuilt with the fewest intervals of cost <= the optimum,
  // so memory stays O(n + intervals) for any k.
  std::optional<Slicing> BestSlicing(int n, int k);
  // Exact bottleneck of the work-balanced greedy slicing of `order` (a valid
  // slicing, so an upper bound on the optimum); infinity if it breaks the
  // memory limit.
  double GreedyBottleneck(absl::Span<const int> order, int k,
                          int64_t memory_limit);

  const Graph& graph_;
  const int64_t max_intervals_;
  bool cap_hit_ = false;
  std::vector<int> pos_;
  std::vector<int> last_succ_pos_;
  std::vector<int> in_stamp_;
  // Intervals grouped by left end l: ends_[begin_[l] .. begin_[l+1]) with
  // their costs.
  std::vector<int> begin_;
  std::vector<int> ends_;
  std::vector<double> costs_;
  // Scratch of BestSlicing and GreedyBottleneck.
  std::vector<double> prev_, cur_;
  std::vector<int> count_, parent_;
  std::vector<int> greedy_stage_of_;
  std::vector<double> suffix_work_;  // w(order[i, n)) of the current order
  double threshold_ = 0;             // of the current enumeration
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_HEURISTICS_SLICE_DP_H_
