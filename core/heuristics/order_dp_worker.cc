#include "core/heuristics/order_dp_worker.h"

#include "core/util/logging.h"

namespace pipecut {

OrderDpWorker::OrderDpWorker(const Graph& graph, int k, int64_t memory_limit)
    : graph_(graph), k_(k), memory_limit_(memory_limit), dp_(graph) {}

bool OrderDpWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  if (!initialised_) {
    orders_ = SeedOrders(graph_);
    initialised_ = true;
    // A first answer in O((n + m) log) before any DP: the work-balanced
    // greedy slicing of the first order. The DP steps only improve on it.
    std::vector<int> quick =
        dp_.GreedyPartition(orders_[0].order, k_, memory_limit_);
    if (!quick.empty()) board.OfferPartition(std::move(quick), name());
    return true;
  }
  if (next_ >= orders_.size()) return false;
  const std::vector<int>& order = orders_[next_++].order;
  std::optional<Slicing> slicing =
      dp_.Solve(order, k_, board.best_bottleneck(), memory_limit_, &ctx);
  if (slicing.has_value()) {
    board.OfferPartition(SliceDp::StageOf(order, *slicing), name());
  } else if (dp_.interval_cap_hit()) {
    // Every order of this graph would be as large: the greedy slicing of the
    // first step stays the dp answer.
    PIPECUT_LOG(Warning) << "dp: SliceDP interval cap reached (n = "
                         << graph_.num_nodes() << ", k = " << k_
                         << "); keeping the greedy slicing";
    return false;
  }
  return next_ < orders_.size();
}

}  // namespace pipecut
