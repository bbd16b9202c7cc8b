#include "core/heuristics/brkga.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/synchronization/blocking_counter.h"
#include "core/heuristics/topological_orders.h"

namespace pipecut {

Brkga::Brkga(const Graph& graph, int k, int64_t memory_limit,
             const BrkgaParams& params, uint64_t seed, int num_threads)
    : graph_(graph),
      k_(k),
      memory_limit_(memory_limit),
      params_(params),
      // At least one elite; the rest of the split follows the fractions.
      num_elite_(std::clamp(static_cast<int>(std::ceil(params.elite_fraction *
                                                       params.population)),
                            1, params.population - 1)),
      num_mutants_(std::min(static_cast<int>(std::floor(params.mutant_fraction *
                                                        params.population)),
                            params.population - num_elite_ - 1)),
      rng_(seed) {
  num_threads = std::max(1, std::min(num_threads, params.population));
  if (num_threads > 1) pool_ = std::make_unique<ThreadPool>(num_threads);
  for (int t = 0; t < num_threads; ++t) {
    dps_.push_back(std::make_unique<SliceDp>(graph));
  }
}

Brkga::~Brkga() = default;

std::vector<double> Brkga::RandomKeys() {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> keys(graph_.num_nodes());
  for (double& key : keys) key = uniform(rng_);
  return keys;
}

std::vector<double> Brkga::KeysOfOrder(absl::Span<const int> order) const {
  // Keys increasing along the order: the decoder, which takes the ready node
  // of smallest key, reproduces the order exactly.
  const int n = order.size();
  std::vector<double> keys(n);
  for (int i = 0; i < n; ++i) keys[order[i]] = (i + 0.5) / n;
  return keys;
}

void Brkga::AddOrder(absl::Span<const int> order) {
  pending_.push_back(KeysOfOrder(order));
}

void Brkga::DecodeOne(int slot, int chromosome, double limit,
                      const SolveContext* ctx) {
  const std::vector<int> order =
      OrderByKeys(graph_, population_[chromosome].keys);
  std::optional<Slicing> slicing =
      dps_[slot]->Solve(order, k_, limit, memory_limit_, ctx);
  Decoded& out = decoded_[chromosome];
  if (slicing.has_value()) {
    out.fitness = slicing->bottleneck;
    out.stage_of = SliceDp::StageOf(order, *slicing);
  } else {
    out.fitness = std::numeric_limits<double>::infinity();
    out.stage_of.clear();
  }
}

bool Brkga::Decode(int first, double limit, const SolveContext* ctx) {
  const int size = population_.size();
  decoded_.assign(size, Decoded{});
  const int threads = dps_.size();
  if (threads == 1) {
    for (int i = first; i < size; ++i) DecodeOne(0, i, limit, ctx);
  } else {
    // Slot t decodes chromosomes first + t, first + t + threads, ...
    absl::BlockingCounter done(threads);
    for (int t = 0; t < threads; ++t) {
      pool_->Schedule([this, t, threads, first, size, limit, ctx, &done] {
        for (int i = first + t; i < size; i += threads) {
          DecodeOne(t, i, limit, ctx);
        }
        done.DecrementCount();
      });
    }
    done.Wait();
  }
  // A stop during the decode leaves pruned-looking results: discard them.
  if (ctx != nullptr && ctx->ShouldStop()) return false;
  for (int i = first; i < size; ++i) {
    population_[i].fitness = decoded_[i].fitness;
    if (decoded_[i].fitness < best_bottleneck_) {
      best_bottleneck_ = decoded_[i].fitness;
      best_stage_of_ = std::move(decoded_[i].stage_of);
    }
  }
  return true;
}

void Brkga::SortPopulation() {
  std::stable_sort(population_.begin(), population_.end(),
                   [](const Chromosome& a, const Chromosome& b) {
                     return a.fitness < b.fitness;
                   });
}

std::vector<double> Brkga::Fitness() const {
  std::vector<double> fitness;
  for (const Chromosome& c : population_) fitness.push_back(c.fitness);
  return fitness;
}

bool Brkga::RunGeneration(const SolveContext* ctx, double external_limit) {
  const int size = params_.population;
  const double known = std::min(best_bottleneck_, external_limit);
  const double limit = std::isfinite(known)
                           ? known * (1 + kPruneSlack)
                           : std::numeric_limits<double>::infinity();
  std::vector<Chromosome> previous = population_;
  int first_to_decode = 0;
  if (generations_done_ == 0) {
    population_.clear();
    for (const std::vector<double>& keys : pending_) {
      if (static_cast<int>(population_.size()) == size) break;
      population_.push_back({keys});
    }
    while (static_cast<int>(population_.size()) < size) {
      population_.push_back({RandomKeys()});
    }
  } else {
    std::uniform_int_distribution<int> pick_elite(0, num_elite_ - 1);
    std::uniform_int_distribution<int> pick_other(num_elite_, size - 1);
    std::bernoulli_distribution take_elite(params_.crossover_bias);
    std::vector<Chromosome> next(population_.begin(),
                                 population_.begin() + num_elite_);
    const int num_children = size - num_elite_ - num_mutants_;
    for (int c = 0; c < num_children; ++c) {
      const Chromosome& elite = population_[pick_elite(rng_)];
      const Chromosome& other = population_[pick_other(rng_)];
      Chromosome child;
      child.keys.resize(graph_.num_nodes());
      for (int v = 0; v < graph_.num_nodes(); ++v) {
        child.keys[v] = take_elite(rng_) ? elite.keys[v] : other.keys[v];
      }
      next.push_back(std::move(child));
    }
    for (int m = 0; m < num_mutants_; ++m) next.push_back({RandomKeys()});
    // Injected orders (e.g. another worker's incumbent) replace the last
    // non-elite chromosomes.
    int slot = size - 1;
    for (const std::vector<double>& keys : pending_) {
      if (slot < num_elite_) break;
      next[slot--].keys = keys;
    }
    population_ = std::move(next);
    first_to_decode = num_elite_;
  }
  if (!Decode(first_to_decode, limit, ctx)) {
    population_ = std::move(previous);
    return false;  // pending_ is kept for the next attempt
  }
  pending_.clear();
  SortPopulation();
  ++generations_done_;
  return true;
}

}  // namespace pipecut
