#include "core/heuristics/local_search_worker.h"

#include <algorithm>

#include "core/heuristics/slice_dp.h"

namespace pipecut {

LocalSearchWorker::LocalSearchWorker(const Graph& graph, int k,
                                     int64_t memory_limit, uint64_t seed)
    : graph_(graph),
      k_(k),
      memory_limit_(memory_limit),
      search_(graph, k, memory_limit, seed),
      rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

bool LocalSearchWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  const double before = board.best_bottleneck();
  if (before < board_best_ || !started_) {
    BoardSnapshot snapshot = board.Snapshot();
    if (snapshot.incumbent != nullptr) {
      search_.Reset(snapshot.incumbent->stage_of);
    } else {
      SliceDp dp(graph_);
      std::optional<Slicing> slicing = dp.Solve(
          graph_.topological_order(), k_,
          std::numeric_limits<double>::infinity(), memory_limit_, &ctx);
      if (!slicing.has_value()) return false;  // infeasible or stopped
      search_.Reset(SliceDp::StageOf(graph_.topological_order(), *slicing));
    }
    started_ = true;
    board_best_ = snapshot.best_bottleneck();
    idle_steps_ = 0;
  } else {
    // Iterated local search: kick the best partition, descend again.
    search_.RestoreBest();
    const int max_moves = std::max(2, graph_.num_nodes() / 50);
    std::uniform_int_distribution<int> strength(1, max_moves);
    search_.Perturb(strength(rng_));
  }
  search_.Descend(&ctx);
  if (search_.best_bottleneck() < board.best_bottleneck()) {
    board.OfferPartition(search_.best_stage_of(), name());
  }
  const double after = board.best_bottleneck();
  idle_steps_ = after < before ? 0 : idle_steps_ + 1;
  board_best_ = std::min(board_best_, after);
  return idle_steps_ < kMaxIdleSteps;
}

}  // namespace pipecut
