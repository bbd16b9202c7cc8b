#include "core/heuristics/local_search.h"

#include <algorithm>
#include <limits>

#include "core/cost/partition_cost.h"

namespace pipecut {
namespace {

double SumSquares(absl::Span<const double> costs) {
  double sum = 0;
  for (double c : costs) sum += c * c;
  return sum;
}

// a is better than b in (bottleneck, sum of squares) beyond rounding noise.
bool Better(double bottleneck_a, double squares_a, double bottleneck_b,
            double squares_b) {
  const double eps = 1e-12 * std::max(1.0, bottleneck_b);
  if (bottleneck_a < bottleneck_b - eps) return true;
  if (bottleneck_a > bottleneck_b + eps) return false;
  return squares_a < squares_b - 1e-9 * std::max(1.0, squares_b);
}

}  // namespace

LocalSearch::LocalSearch(const Graph& graph, int k, int64_t memory_limit,
                         uint64_t seed)
    : graph_(graph), k_(k), memory_limit_(memory_limit), rng_(seed) {}

void LocalSearch::Reset(absl::Span<const int> stage_of) {
  stage_of_.assign(stage_of.begin(), stage_of.end());
  Recompute();
  best_stage_of_ = stage_of_;
  best_bottleneck_ = bottleneck();
  best_sum_squares_ = SumSquares(cost_);
}

void LocalSearch::Recompute() {
  // Exact costs from the evaluator, so incremental rounding never drifts.
  const PartitionCost cost = EvaluateFeasiblePartition(graph_, stage_of_, k_);
  cost_.resize(k_);
  memory_.resize(k_);
  for (int b = 0; b < k_; ++b) {
    cost_[b] = cost.stages[b].cost();
    memory_[b] = cost.stages[b].memory;
  }
}

double LocalSearch::bottleneck() const {
  return *std::max_element(cost_.begin(), cost_.end());
}

double LocalSearch::Contribution(int v, int stage) const {
  // Terms of f(stage) that can change when v changes stage: v's work, and for
  // u in {v} and v's producers, u's tensor counted as input (u outside, some
  // consumer inside) or output (u inside, some consumer outside).
  auto term = [&](int u) {
    const bool inside = stage_of_[u] == stage;
    for (int s : graph_.successors(u)) {
      if ((stage_of_[s] == stage) != inside) return graph_.comm(u);
    }
    return 0.0;
  };
  double total = stage_of_[v] == stage ? graph_.work(v) + term(v) : term(v);
  for (int u : graph_.predecessors(v)) total += term(u);
  return total;
}

std::pair<int, int> LocalSearch::Window(int v) const {
  int lo = 0, hi = k_ - 1;
  for (int p : graph_.predecessors(v)) lo = std::max(lo, stage_of_[p]);
  for (int s : graph_.successors(v)) hi = std::min(hi, stage_of_[s]);
  return {lo, hi};
}

bool LocalSearch::CanMove(int v, int to) const {
  if (to < 0 || to >= k_) return false;
  const int from = stage_of_[v];
  if (to > from) {
    for (int s : graph_.successors(v)) {
      if (stage_of_[s] < to) return false;
    }
  } else {
    for (int p : graph_.predecessors(v)) {
      if (stage_of_[p] > to) return false;
    }
  }
  return memory_limit_ <= 0 || memory_[to] + graph_.memory(v) <= memory_limit_;
}

std::pair<double, double> LocalSearch::MovedCosts(int v, int to) {
  const int from = stage_of_[v];
  const double before_from = Contribution(v, from);
  const double before_to = Contribution(v, to);
  stage_of_[v] = to;
  const double after_from = Contribution(v, from);
  const double after_to = Contribution(v, to);
  stage_of_[v] = from;
  return {cost_[from] - before_from + after_from,
          cost_[to] - before_to + after_to};
}

void LocalSearch::Apply(int v, int to, double cost_from, double cost_to) {
  const int from = stage_of_[v];
  stage_of_[v] = to;
  cost_[from] = cost_from;
  cost_[to] = cost_to;
  memory_[from] -= graph_.memory(v);
  memory_[to] += graph_.memory(v);
}

void LocalSearch::RecordIfBest() {
  const double b = bottleneck(), sq = SumSquares(cost_);
  if (Better(b, sq, best_bottleneck_, best_sum_squares_)) {
    best_bottleneck_ = b;
    best_sum_squares_ = sq;
    best_stage_of_ = stage_of_;
  }
}

int LocalSearch::Descend(const SolveContext* ctx) {
  const int n = graph_.num_nodes();
  int applied = 0;
  bool improved = true;
  while (improved) {
    if (ctx != nullptr && ctx->ShouldStop()) break;
    improved = false;
    double current_max = bottleneck();
    double current_squares = SumSquares(cost_);
    for (int v = 0; v < n; ++v) {
      const auto [lo, hi] = Window(v);
      for (int to = lo; to <= hi; ++to) {
        if (to == stage_of_[v] || !CanMove(v, to)) continue;
        const int from = stage_of_[v];
        auto [cost_from, cost_to] = MovedCosts(v, to);
        double new_max = std::max(cost_from, cost_to);
        for (int b = 0; b < k_; ++b) {
          if (b != from && b != to) new_max = std::max(new_max, cost_[b]);
        }
        const double new_squares = current_squares - cost_[from] * cost_[from] -
                                   cost_[to] * cost_[to] +
                                   cost_from * cost_from + cost_to * cost_to;
        if (!Better(new_max, new_squares, current_max, current_squares)) {
          continue;
        }
        Apply(v, to, cost_from, cost_to);
        current_max = new_max;
        current_squares = new_squares;
        improved = true;
        ++applied;
        break;
      }
    }
    Recompute();
  }
  RecordIfBest();
  return applied;
}

void LocalSearch::Perturb(int moves) {
  const int n = graph_.num_nodes();
  std::uniform_int_distribution<int> pick(0, n - 1);
  std::bernoulli_distribution up(0.5);
  for (int i = 0, tries = 0; i < moves && tries < 20 * moves; ++tries) {
    const int v = pick(rng_);
    const int to = stage_of_[v] + (up(rng_) ? 1 : -1);
    if (!CanMove(v, to)) continue;
    auto [cost_from, cost_to] = MovedCosts(v, to);
    Apply(v, to, cost_from, cost_to);
    ++i;
  }
  Recompute();
}

void LocalSearch::RestoreBest() {
  stage_of_ = best_stage_of_;
  Recompute();
}

}  // namespace pipecut
