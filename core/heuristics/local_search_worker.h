#ifndef PIPECUT_CORE_HEURISTICS_LOCAL_SEARCH_WORKER_H_
#define PIPECUT_CORE_HEURISTICS_LOCAL_SEARCH_WORKER_H_

#include <cstdint>
#include <limits>
#include <string>

#include "core/heuristics/local_search.h"
#include "core/solve/worker.h"

namespace pipecut {

// "local_search": iterated local search from the board's incumbent (or, when
// there is none yet, from SliceDP on the input topological order). One step =
// (re)start from a better incumbent if another worker published one, else
// perturb the best partition found and descend again. Improvements are
// offered to the board. Finishes after kMaxIdleSteps steps in a row without
// any improvement of the board's incumbent.
class LocalSearchWorker : public Worker {
 public:
  static constexpr int kMaxIdleSteps = 200;

  LocalSearchWorker(const Graph& graph, int k, int64_t memory_limit,
                    uint64_t seed);

  std::string name() const override { return "local_search"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int k_;
  const int64_t memory_limit_;
  LocalSearch search_;
  std::mt19937_64 rng_;
  bool started_ = false;
  double board_best_ = std::numeric_limits<double>::infinity();
  int idle_steps_ = 0;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_HEURISTICS_LOCAL_SEARCH_WORKER_H_
