#ifndef PIPECUT_CORE_HEURISTICS_BRKGA_WORKER_H_
#define PIPECUT_CORE_HEURISTICS_BRKGA_WORKER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/heuristics/brkga.h"
#include "core/options.h"
#include "core/solve/worker.h"

namespace pipecut {

// "brkga": one BRKGA generation per step. The initial population holds the
// deterministic seed orders (SeedOrders) and the board's incumbent when there
// is one; afterwards any better incumbent published by another worker is
// injected into the next generation. Each new best partition is offered to
// the board. Finishes after options.brkga.generations generations (0 = runs
// until the solve stops). Decodes on options.num_threads private threads.
class BrkgaWorker : public Worker {
 public:
  BrkgaWorker(const Graph& graph, int k, const ResolvedOptions& options,
              uint64_t seed);

  std::string name() const override { return "brkga"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int k_;
  const int generations_;
  Brkga brkga_;
  bool seeded_ = false;
  // The best bottleneck this worker has seen on the board or produced; an
  // incumbent below it comes from elsewhere and is injected.
  double known_ = std::numeric_limits<double>::infinity();
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_HEURISTICS_BRKGA_WORKER_H_
