#include "bench/lib/baselines.h"

#include <algorithm>
#include <limits>

#include "core/cost/partition_cost.h"
#include "core/heuristics/slice_dp.h"

namespace pipecut::bench {
namespace {

BaselineResult Evaluate(const Graph& graph, int k, int64_t memory_limit,
                        std::string name, std::vector<int> stage_of) {
  BaselineResult result;
  result.name = std::move(name);
  const PartitionCost cost = EvaluateFeasiblePartition(graph, stage_of, k);
  result.bottleneck = cost.bottleneck;
  result.memory_ok = FirstMemoryViolation(cost, memory_limit) < 0;
  result.stage_of = std::move(stage_of);
  return result;
}

// Greedy fill of `order` with pieces of work <= cap; the number of pieces.
int Pieces(const Graph& graph, const std::vector<int>& order, double cap,
           std::vector<int>* stage_of) {
  int piece = 0;
  double work = 0;
  for (int v : order) {
    if (work > 0 && work + graph.work(v) > cap) {
      ++piece;
      work = 0;
    }
    work += graph.work(v);
    if (stage_of != nullptr) (*stage_of)[v] = piece;
  }
  return piece + 1;
}

}  // namespace

BaselineResult UniformNodeCount(const Graph& graph, int k,
                                int64_t memory_limit) {
  const std::vector<int>& order = graph.topological_order();
  const int64_t n = order.size();
  std::vector<int> stage_of(n);
  for (int64_t i = 0; i < n; ++i) stage_of[order[i]] = i * k / n;
  return Evaluate(graph, k, memory_limit, "uniform", std::move(stage_of));
}

BaselineResult WorkBalanced(const Graph& graph, int k, int64_t memory_limit) {
  const std::vector<int>& order = graph.topological_order();
  // The optimal cap lies in [max(W/k, max w), W]; greedy feasibility is
  // monotone in the cap.
  double lo = std::max(graph.total_work() / k, graph.max_work());
  double hi = std::max(lo, graph.total_work());
  for (int it = 0; it < 100 && hi - lo > 1e-12 * std::max(1.0, hi); ++it) {
    const double mid = (lo + hi) / 2;
    if (Pieces(graph, order, mid, nullptr) <= k) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  std::vector<int> stage_of(order.size());
  Pieces(graph, order, hi, &stage_of);
  return Evaluate(graph, k, memory_limit, "work_balanced", std::move(stage_of));
}

BaselineResult SingleOrderDp(const Graph& graph, int k, int64_t memory_limit) {
  SliceDp dp(graph);
  const std::vector<int>& order = graph.topological_order();
  std::optional<Slicing> slicing =
      dp.Solve(order, k, std::numeric_limits<double>::infinity(), memory_limit);
  if (!slicing.has_value()) {
    BaselineResult none;
    none.name = "pipedream_dp";
    none.bottleneck = std::numeric_limits<double>::infinity();
    none.memory_ok = false;
    return none;
  }
  return Evaluate(graph, k, memory_limit, "pipedream_dp",
                  SliceDp::StageOf(order, *slicing));
}

std::vector<BaselineResult> AllBaselines(const Graph& graph, int k,
                                         int64_t memory_limit) {
  return {UniformNodeCount(graph, k, memory_limit),
          WorkBalanced(graph, k, memory_limit),
          SingleOrderDp(graph, k, memory_limit)};
}

}  // namespace pipecut::bench
