#include "core/heuristics/brkga_worker.h"

#include "core/heuristics/topological_orders.h"

namespace pipecut {

BrkgaWorker::BrkgaWorker(const Graph& graph, int k,
                         const ResolvedOptions& options, uint64_t seed)
    : graph_(graph),
      k_(k),
      generations_(options.brkga.generations),
      brkga_(graph, k, options.memory_limit_bytes, options.brkga, seed,
             options.num_threads) {}

bool BrkgaWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  if (!seeded_) {
    for (const NamedOrder& seed : SeedOrders(graph_))
      brkga_.AddOrder(seed.order);
    seeded_ = true;
  }
  if (board.best_bottleneck() < known_) {
    BoardSnapshot snapshot = board.Snapshot();
    if (snapshot.incumbent != nullptr &&
        snapshot.incumbent->cost.bottleneck < known_) {
      brkga_.AddOrder(OrderOfPartition(graph_, snapshot.incumbent->stage_of));
      known_ = snapshot.incumbent->cost.bottleneck;
    }
  }
  if (!brkga_.RunGeneration(&ctx, board.best_bottleneck())) return false;
  if (brkga_.best_bottleneck() < board.best_bottleneck()) {
    board.OfferPartition(brkga_.best_stage_of(), name());
  }
  known_ = std::min(known_, brkga_.best_bottleneck());
  return generations_ == 0 || brkga_.generations_done() < generations_;
}

}  // namespace pipecut
