#include "core/heuristics/slice_dp.h"

#include <algorithm>

namespace pipecut {

SliceDp::SliceDp(const Graph& graph)
    : graph_(graph),
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
    begin_.push_back(ends_.size());
  }
  return true;
}

std::optional<Slicing> SliceDp::BestSlicing(int n, int k) const {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // best[r]: min bottleneck covering order[0, r) with at most j stages.
  std::vector<double> prev(n + 1, kInf), cur(n + 1);
  prev[0] = 0;
  // from[j][r]: left end of the j-th stage in the best slicing ending at r,
  // or -1 when the j-th stage is empty.
  std::vector<std::vector<int>> from(k + 1, std::vector<int>(n + 1, -1));
  int used = 0;
  for (int j = 1; j <= k; ++j) {
    cur = prev;  // an empty j-th stage
    bool improved = false;
    for (int l = 0; l < n; ++l) {
      if (prev[l] == kInf) continue;
      for (int i = begin_[l]; i < begin_[l + 1]; ++i) {
        const int r = ends_[i];
        const double value = std::max(prev[l], costs_[i]);
        if (value < cur[r]) {
          cur[r] = value;
          from[j][r] = l;
          improved = true;
        }
      }
    }
    prev.swap(cur);
    used = j;
    // With no improvement at layer j no later layer can improve either.
    if (!improved) break;
  }
  if (prev[n] == kInf) return std::nullopt;
  Slicing slicing;
  slicing.bottleneck = prev[n];
  slicing.cuts.assign(k + 1, n);
  int r = n;
  for (int j = used; j >= 1; --j) {
    slicing.cuts[j] = r;
    if (from[j][r] >= 0) r = from[j][r];
  }
  slicing.cuts[0] = 0;
  return slicing;
}

std::optional<Slicing> SliceDp::Solve(absl::Span<const int> order, int k,
                                      double limit, int64_t memory_limit,
                                      const SolveContext* ctx) {
  const int n = order.size();
  for (int i = 0; i < n; ++i) pos_[order[i]] = i;
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
  auto next_threshold = [&](double t) {
    return t >= total ? limit : std::min(limit, t);
  };
  double threshold = next_threshold(2 * lb0);
  while (true) {
    if (!EnumerateIntervals(order, threshold, memory_limit, ctx)) {
      return std::nullopt;
    }
    std::optional<Slicing> best = BestSlicing(n, k);
    if (best.has_value()) return best;
    // Every slicing with bottleneck <= threshold was enumerated, so none
    // exists; retry with a larger one unless the limit is reached.
    if (threshold >= limit) return std::nullopt;
    threshold = next_threshold(2 * threshold);
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
