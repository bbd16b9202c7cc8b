#include "core/heuristics/brkga_worker.h"

#include <algorithm>

#include "core/heuristics/topological_orders.h"
#include "core/util/logging.h"

namespace pipecut {

namespace {

// Memory guard: population x nodes keys of 8 bytes (x2 while breeding). Past
// kMaxKeys (512 MB) the population shrinks, logged, rather than exhaust memory.
constexpr int64_t kMaxKeys = int64_t{1} << 26;

BrkgaParams Capped(const Graph& graph, BrkgaParams params) {
  const int64_t fit = std::max<int64_t>(2, kMaxKeys / graph.num_nodes());
  if (params.population > fit) {
    PIPECUT_LOG(Warning) << "brkga: population " << params.population << " x "
                         << graph.num_nodes() << " nodes is too large; using "
                         << fit;
    params.population = static_cast<int>(fit);
  }
  return params;
}

}  // namespace

BrkgaWorker::BrkgaWorker(const Graph& graph, int k,
                         const ResolvedOptions& options, uint64_t seed)
    : graph_(graph),
      k_(k),
      generations_(options.brkga.generations),
      brkga_(graph, k, options.memory_limit_bytes, Capped(graph, options.brkga),
             seed, options.num_threads) {}

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
