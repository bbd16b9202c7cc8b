#ifndef PIPECUT_CORE_HEURISTICS_BRKGA_H_
#define PIPECUT_CORE_HEURISTICS_BRKGA_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "absl/types/span.h"
#include "core/graph/graph.h"
#include "core/heuristics/slice_dp.h"
#include "core/options.h"
#include "core/solve/executor.h"
#include "core/solve/solve_context.h"

namespace pipecut {

// Biased random-key genetic algorithm (Goncalves & Resende) with the
// sort-and-slice decoder of Archer et al.: a chromosome holds one key in
// [0, 1) per node; decoding takes, among ready nodes, the one with the
// smallest key (OrderByKeys), then slices that order optimally (SliceDp).
//
// Fitness and pruning: a chromosome's fitness is the exact SliceDP optimum of
// its order when that optimum is <= (1 + kPruneSlack) x the best bottleneck
// known (this run's best, or the external limit given by the caller, e.g. the
// board's incumbent), and +infinity otherwise. Pruning at the incumbent itself
// would make every chromosome that is not a new record equally "infinite", so
// the elite would be chosen blindly; the slack keeps the near-best chromosomes
// (the ones selection must tell apart) exactly ranked while hopeless decodes
// stay cheap. Ties, including +infinity, rank by population index.
//
// Determinism: all random draws happen on the calling thread, each decode is
// independent, and results are merged in index order, so for a given seed
// and external limits the run is identical on 1 or many decode threads.
// Not thread-safe (one caller); it decodes on a private pool.
class Brkga {
 public:
  static constexpr double kPruneSlack = 0.25;

  // `num_threads` decode threads (1 = decode on the caller's thread).
  Brkga(const Graph& graph, int k, int64_t memory_limit,
        const BrkgaParams& params, uint64_t seed, int num_threads);
  ~Brkga();

  // Adds a chromosome whose decoder order is exactly `order` (a topological
  // order). Before the first generation these fill the initial population
  // (up to its size); later they replace the worst chromosomes at the next
  // generation.
  void AddOrder(absl::Span<const int> order);

  // Evaluates the initial population on the first call, then breeds one
  // generation per call. `external_limit` is a known bottleneck (e.g. the
  // board's incumbent) used for pruning. Returns false when `ctx` stopped
  // the generation (the population is then left as it was).
  bool RunGeneration(
      const SolveContext* ctx,
      double external_limit = std::numeric_limits<double>::infinity());

  // Generations run so far (the initial population counts as the first).
  int generations_done() const { return generations_done_; }
  // Best decoded bottleneck and its partition (infinity / empty before any).
  double best_bottleneck() const { return best_bottleneck_; }
  const std::vector<int>& best_stage_of() const { return best_stage_of_; }
  // Fitness of the current population, best first.
  std::vector<double> Fitness() const;

 private:
  struct Chromosome {
    std::vector<double> keys;
    double fitness = std::numeric_limits<double>::infinity();
  };
  struct Decoded {
    double fitness = std::numeric_limits<double>::infinity();
    std::vector<int> stage_of;
  };

  std::vector<double> RandomKeys();
  std::vector<double> KeysOfOrder(absl::Span<const int> order) const;
  // Decodes population_[first..) into fitness; false if stopped.
  bool Decode(int first, double limit, const SolveContext* ctx);
  void DecodeOne(int slot, int chromosome, double limit,
                 const SolveContext* ctx);
  void SortPopulation();

  const Graph& graph_;
  const int k_;
  const int64_t memory_limit_;
  const BrkgaParams params_;
  const int num_elite_;
  const int num_mutants_;
  std::mt19937_64 rng_;
  std::unique_ptr<ThreadPool> pool_;           // null with one thread
  std::vector<std::unique_ptr<SliceDp>> dps_;  // one per decode thread

  std::vector<Chromosome> population_;
  std::vector<Decoded> decoded_;  // per chromosome, scratch of one generation
  std::vector<std::vector<double>> pending_;  // injected, not yet decoded
  int generations_done_ = 0;
  double best_bottleneck_ = std::numeric_limits<double>::infinity();
  std::vector<int> best_stage_of_;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_HEURISTICS_BRKGA_H_
