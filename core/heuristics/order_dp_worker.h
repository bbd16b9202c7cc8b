#ifndef PIPECUT_CORE_HEURISTICS_ORDER_DP_WORKER_H_
#define PIPECUT_CORE_HEURISTICS_ORDER_DP_WORKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/heuristics/slice_dp.h"
#include "core/heuristics/topological_orders.h"
#include "core/solve/worker.h"

namespace pipecut {

// "dp": first (one step) the work-balanced greedy slicing of the first seed
// order, an instant answer; then SliceDP over each deterministic seed order,
// one order per step, each pruned by the incumbent.
class OrderDpWorker : public Worker {
 public:
  OrderDpWorker(const Graph& graph, int k, int64_t memory_limit);

  std::string name() const override { return "dp"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int k_;
  const int64_t memory_limit_;
  SliceDp dp_;
  std::vector<NamedOrder> orders_;  // computed on the first step
  bool initialised_ = false;
  size_t next_ = 0;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_HEURISTICS_ORDER_DP_WORKER_H_
