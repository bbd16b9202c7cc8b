#ifndef PIPECUT_CORE_HEURISTICS_LOCAL_SEARCH_H_
#define PIPECUT_CORE_HEURISTICS_LOCAL_SEARCH_H_

#include <cstdint>
#include <random>
#include <vector>

#include "absl/types/span.h"
#include "core/graph/graph.h"
#include "core/solve/solve_context.h"

namespace pipecut {

// Local search on a stage assignment: move one node to any other stage of
// its window, from its latest producer's stage to its earliest consumer's
// (the memory limit is kept). Not only to a neighbouring stage: on wide
// graphs the stages are side by side rather than one after another, and a
// node's best stage is often several indices away (PipeDream nasnetalarge,
// k = 16: 102.8 -> 93.1; a 150-node layered DAG with heavy comm: 113.6 ->
// 102.1; never worse beyond noise on the testbed). The
// objective is lexicographic: (bottleneck, sum of squared stage costs); the
// second term rewards moves that relieve a stage tied at the bottleneck, so
// plateaus are crossed. A move only changes the costs of its two stages (the
// in/out terms of other stages depend only on their own membership), and those
// changes are computed from the node and its producers in O(sum of their
// degrees). Iterated local search: Perturb() makes random feasible moves and
// the search keeps the best partition seen.
// Not thread-safe.
class LocalSearch {
 public:
  LocalSearch(const Graph& graph, int k, int64_t memory_limit, uint64_t seed);

  // Starts from `stage_of`, a feasible partition (precedence and memory).
  void Reset(absl::Span<const int> stage_of);

  // Applies improving moves until none is left (a local optimum) or `ctx`
  // stops; returns the number of moves applied.
  int Descend(const SolveContext* ctx);

  // Applies `moves` random feasible moves, ignoring the objective.
  void Perturb(int moves);

  // Returns to the best partition seen since Reset().
  void RestoreBest();

  double bottleneck() const;
  const std::vector<int>& stage_of() const { return stage_of_; }
  // Best (lexicographic) partition seen since Reset().
  double best_bottleneck() const { return best_bottleneck_; }
  const std::vector<int>& best_stage_of() const { return best_stage_of_; }

 private:
  // Change of f(stage) caused by terms that involve v or its producers, as a
  // function of the current assignment.
  double Contribution(int v, int stage) const;
  bool CanMove(int v, int to) const;
  // The stages v may move to: [latest producer's stage, earliest consumer's].
  std::pair<int, int> Window(int v) const;
  // Applies the move, given the new costs of its two stages.
  void Apply(int v, int to, double cost_from, double cost_to);
  // New costs of v's stage and `to` if v moved there.
  std::pair<double, double> MovedCosts(int v, int to);
  void Recompute();
  void RecordIfBest();

  const Graph& graph_;
  const int k_;
  const int64_t memory_limit_;
  std::mt19937_64 rng_;
  std::vector<int> stage_of_;
  std::vector<double> cost_;
  std::vector<int64_t> memory_;
  double best_bottleneck_ = 0;
  double best_sum_squares_ = 0;
  std::vector<int> best_stage_of_;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_HEURISTICS_LOCAL_SEARCH_H_
