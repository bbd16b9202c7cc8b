#include "core/heuristics/slice_dp.h"

#include <algorithm>

#include "core/cost/partition_cost.h"

namespace pipecut {

SliceDp::SliceDp(const Graph& graph, int64_t max_intervals)
    : graph_(graph),
      max_intervals_(max_intervals),
      pos_(graph.num_nodes()),
      last_succ_pos_(graph.num_nodes()),
      in_stamp_(graph.num_nodes()) {}

bool SliceDp::EnumerateIntervals(absl::Span<const int> order, double threshold,
                                 int64_t memory_limit,
                                 const SolveContext* ctx) {
  const int n = order.size();
  begin_.assign(1, 0);
  ends_.clear();
  costs_.clear();
  std::fill(in_stamp_.begin(), in_stamp_.end(), -1);
  for (int l = 0; l < n; ++l) {
    if (ctx != nullptr && (l & 63) == 0 && ctx->ShouldStop()) return false;
    double work = 0, comm_in = 0, comm_out = 0;
    int64_t memory = 0;
    for (int r = l; r < n; ++r) {
      // Extend the stage [l, r) by v = order[r].
      const int v = order[r];
      work += graph_.work(v);
      memory += graph_.memory(v);
      // Work only grows with r and cost >= work: no longer stage can fit.
      if (work > threshold) break;
      if (memory_limit > 0 && memory > memory_limit) break;
      for (int u : graph_.predecessors(v)) {
        if (pos_[u] < l) {
          // u's tensor now enters the stage; paid once however many readers.
          if (in_stamp_[u] != l) {
            in_stamp_[u] = l;
            comm_in += graph_.comm(u);
          }
        } else if (last_succ_pos_[u] == r) {
          // v was u's last reader: u's tensor no longer leaves the stage.
          comm_out -= graph_.comm(u);
        }
      }
      if (last_succ_pos_[v] >= 0) comm_out += graph_.comm(v);
      const double cost = work + comm_in + comm_out;
      if (cost <= threshold) {
        ends_.push_back(r + 1);
        costs_.push_back(cost);
      }
    }
    if (static_cast<int64_t>(ends_.size()) > max_intervals_) {
      cap_hit_ = true;
      return false;
    }
    begin_.push_back(ends_.size());
  }
  return true;
}

std::optional<Slicing> SliceDp::BestSlicing(int n, int k) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // prev[r] / cur[r]: min bottleneck covering order[0, r) with at most j
  // stages. Only two rows are kept; the slicing is rebuilt afterwards.
  prev_.assign(n + 1, kInf);
  prev_[0] = 0;
  // Pruning (exact): every stage costs at least its work, so a state at r
  // after j stages ends at >= max(value, w(order[r, n)) / (k - j)). States
  // whose bound exceeds the best value known to be reachable (prev_[n], or
  // the threshold since every interval is within it) cannot improve the
  // optimum; ties are kept.
  for (int j = 1; j <= k; ++j) {
    cur_ = prev_;  // an empty j-th stage
    bool improved = false;
    const int stages_left = k - j;
    auto hopeless = [&](double value, int r) {
      const double bound = std::min(cur_[n], threshold_);
      if (value > bound) return true;
      if (r == n) return false;
      return stages_left == 0 ||
             suffix_work_[r] > stages_left * bound * (1 + 1e-12);
    };
    for (int l = 0; l < n; ++l) {
      const double base = prev_[l];
      if (base == kInf) continue;
      // The j-th stage starts at l: k - j + 1 stages must carry the rest.
      const double bound = std::min(cur_[n], threshold_);
      if (base > bound ||
          suffix_work_[l] > (stages_left + 1) * bound * (1 + 1e-12)) {
        continue;
      }
      for (int i = begin_[l]; i < begin_[l + 1]; ++i) {
        const int r = ends_[i];
        const double value = std::max(base, costs_[i]);
        if (value < cur_[r] && !hopeless(value, r)) {
          cur_[r] = value;
          improved = true;
        }
      }
    }
    prev_.swap(cur_);
    // With no improvement at layer j no later layer can improve either.
    if (!improved) break;
  }
  const double best = prev_[n];
  if (best == kInf) return std::nullopt;
  // Rebuild: the fewest intervals of cost <= best covering [0, n). Some
  // slicing into <= k such intervals exists, so the fewest is <= k. The
  // comparisons use the very doubles of the DP, so they are exact.
  std::vector<int>& count = count_;
  std::vector<int>& parent = parent_;
  count.assign(n + 1, std::numeric_limits<int>::max());
  parent.assign(n + 1, -1);
  count[0] = 0;
  for (int l = 0; l < n; ++l) {
    if (count[l] == std::numeric_limits<int>::max()) continue;
    for (int i = begin_[l]; i < begin_[l + 1]; ++i) {
      const int r = ends_[i];
      if (costs_[i] <= best && count[l] + 1 < count[r]) {
        count[r] = count[l] + 1;
        parent[r] = l;
      }
    }
  }
  Slicing slicing;
  slicing.bottleneck = best;
  slicing.cuts.assign(k + 1, n);
  int j = count[n];
  for (int r = n; r > 0; r = parent[r]) slicing.cuts[j--] = r;
  slicing.cuts[0] = 0;
  return slicing;
}

double SliceDp::GreedyBottleneck(absl::Span<const int> order, int k,
                                 int64_t memory_limit) {
  // Contiguous pieces of work <= cap, cap found by bisection (greedy filling
  // is exact for min-max contiguous work); then the exact cost of that
  // slicing, communication included. Infinity if it breaks the memory limit.
  const double lb = std::max(graph_.total_work() / k, graph_.max_work());
  auto pieces = [&](double cap, bool assign) {
    int piece = 0;
    double work = 0;
    for (int v : order) {
      if (work > 0 && work + graph_.work(v) > cap) {
        ++piece;
        work = 0;
      }
      work += graph_.work(v);
      // Rounding can open one piece too many at cap = W; the remainder then
      // joins the last stage, still a slicing of the order.
      if (assign) greedy_stage_of_[v] = std::min(piece, k - 1);
    }
    return piece + 1;
  };
  double lo = lb, hi = std::max(lb, graph_.total_work());
  for (int it = 0; it < 60 && hi - lo > 1e-9 * hi; ++it) {
    const double mid = (lo + hi) / 2;
    (pieces(mid, false) <= k ? hi : lo) = mid;
  }
  greedy_stage_of_.resize(graph_.num_nodes());
  pieces(hi, true);
  const PartitionCost cost =
      EvaluateFeasiblePartition(graph_, greedy_stage_of_, k);
  if (FirstMemoryViolation(cost, memory_limit) >= 0) {
    return std::numeric_limits<double>::infinity();
  }
  return cost.bottleneck;
}

std::vector<int> SliceDp::GreedyPartition(absl::Span<const int> order, int k,
                                          int64_t memory_limit) {
  if (GreedyBottleneck(order, k, memory_limit) ==
      std::numeric_limits<double>::infinity()) {
    return {};
  }
  return greedy_stage_of_;
}

std::optional<Slicing> SliceDp::Solve(absl::Span<const int> order, int k,
                                      double limit, int64_t memory_limit,
                                      const SolveContext* ctx) {
  const int n = order.size();
  cap_hit_ = false;
  for (int i = 0; i < n; ++i) pos_[order[i]] = i;
  suffix_work_.assign(n + 1, 0);
  for (int i = n - 1; i >= 0; --i) {
    suffix_work_[i] = suffix_work_[i + 1] + graph_.work(order[i]);
  }
  for (int v = 0; v < n; ++v) {
    last_succ_pos_[v] = -1;
    for (int s : graph_.successors(v)) {
      last_succ_pos_[v] = std::max(last_succ_pos_[v], pos_[s]);
    }
  }
  // One stage holding everything costs W (no tensor crosses it), so the
  // optimum is <= W and the doubling below ends by W at the latest.
  // Once the threshold reaches W it becomes the limit itself, so rounding in
  // the sums cannot lose the single-stage slicing.
  const double total = graph_.total_work();
  const double lb0 = std::max(total / k, graph_.max_work());
  // A slicing of this very order costs `greedy`, so a threshold a hair above
  // it always succeeds: it caps the doubling and, when it is the smaller
  // start, makes one enumeration pass enough with few intervals.
  const double greedy = GreedyBottleneck(order, k, memory_limit);
  const double sure = greedy * (1 + 1e-9);
  auto capped = [&](double t) {
    return t >= total ? limit : std::min(limit, t);
  };
  double threshold = std::min(capped(2 * lb0), sure);
  while (true) {
    if (!EnumerateIntervals(order, threshold, memory_limit, ctx)) {
      return std::nullopt;
    }
    threshold_ = threshold;
    std::optional<Slicing> best = BestSlicing(n, k);
    if (best.has_value()) return best;
    // Every slicing with bottleneck <= threshold was enumerated, so none
    // exists; retry with a larger one unless the limit is reached.
    if (threshold >= limit) return std::nullopt;
    double next = capped(2 * threshold);
    if (threshold < sure) next = std::min(next, sure);
    threshold = next;
  }
}

std::vector<int> SliceDp::StageOf(absl::Span<const int> order,
                                  const Slicing& slicing) {
  std::vector<int> stage_of(order.size());
  for (int b = 0; b + 1 < static_cast<int>(slicing.cuts.size()); ++b) {
    for (int i = slicing.cuts[b]; i < slicing.cuts[b + 1]; ++i) {
      stage_of[order[i]] = b;
    }
  }
  return stage_of;
}

}  // namespace pipecut
