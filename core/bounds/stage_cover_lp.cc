#include "core/bounds/stage_cover_lp.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "coin/ClpSimplex.hpp"
#include "coin/CoinFinite.hpp"
#include "core/bounds/closure_work.h"
#include "core/bounds/forced_crossing.h"
#include "core/bounds/heavy_stage_search.h"
#include "core/solve/solution_board.h"
#include "core/util/logging.h"

namespace pipecut {
namespace {

// Stages the greedy adds per round, and seeds it grows from per round on
// larger graphs (the nodes of largest dual value, then random ones).
constexpr int kColumnsPerRound = 30;
// Stages the exact search collects per round (it stops at the first
// otherwise, and the LP then needs a round per stage).
constexpr int kSearchAnswers = 10;
// The exact search builds its suffix tables once it has taken this many
// states without them (HeavyStageParams::tables_after_states).
constexpr int64_t kTablesAfterStates = 200'000;
constexpr int kTopSeeds = 96;
constexpr int kRandomSeeds = 32;
// Singletons costing t or more start the LP at this objective (they are no
// stages; the LP drops them once real stages cover their nodes).
constexpr double kArtificialCost = 1e3;
// Dual values are capped at this multiple of the work's share k w(v) / W.
// The exact search prunes a branch once its value plus the most the work
// left under t can add falls short; uncapped duals put large values on
// nodes of little work and it prunes nothing. Heavy 150-node layered DAG,
// k = 16, refuted within a solve (40-60 s): uncapped 62.2, cap 1.1 76.3,
// 1.25 78.5, 1.5 77.6 (LP margins grow with the cap, pruning weakens).
constexpr double kValueCap = 1.25;

}  // namespace

// Grows convex stages greedily. f is kept incrementally: a node's term in
// f(S) depends only on whether it is in S and how many of its readers are.
class StageCoverLp::Pricer {
 public:
  Pricer(const Graph& graph, int64_t memory_limit,
         std::shared_ptr<const ClosureRows> rows)
      : graph_(graph),
        memory_limit_(memory_limit),
        n_(graph.num_nodes()),
        rows_(std::move(rows)),
        desc_union_(rows_->words, 0),
        anc_union_(rows_->words, 0),
        in_s_(n_, 0),
        readers_in_(n_, 0) {}

  struct Stage {
    std::vector<int> nodes;  // sorted
    double value = 0;
    double cost = 0;
  };

  // f of a node set, from scratch.
  double Cost(const std::vector<int>& nodes) {
    Clear();
    for (int v : nodes) Add(v);
    const double cost = cost_;
    Clear();
    return cost;
  }

  // Grows a stage from `seed` while f < t, each time adding the neighbour
  // (with the nodes between it and the stage) of best score: the dual value
  // gained per cost added (`ratio`) or the value gained less the cost at one
  // stage per t. Returns the stage of largest value met on the way.
  Stage Grow(int seed, const std::vector<double>& y, double t, bool ratio) {
    Clear();
    Add(seed);
    Unite(seed);
    Stage best;
    if (cost_ < t && Fits()) best = Snapshot(y);
    std::vector<int> added;
    while (true) {
      double best_score = -std::numeric_limits<double>::infinity();
      std::vector<int> best_nodes;
      for (int u : Candidates()) {
        std::vector<int> nodes = WithHull(u);
        const double before = cost_;
        const int64_t memory_before = memory_;
        double gain = 0;
        for (int v : nodes) {
          Add(v);
          gain += y[v];
        }
        const double delta = cost_ - before;
        const bool fits = cost_ < t && Fits();
        for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) Remove(*it);
        cost_ = before;
        memory_ = memory_before;
        if (!fits) continue;
        const double score =
            ratio ? gain / std::max(delta, 1e-3 * t) : gain - delta / t;
        if (score > best_score) {
          best_score = score;
          best_nodes = std::move(nodes);
        }
      }
      if (best_nodes.empty()) break;
      for (int v : best_nodes) {
        Add(v);
        Unite(v);
      }
      Stage now = Snapshot(y);
      if (now.value > best.value) best = std::move(now);
    }
    Clear();
    return best;
  }

 private:
  bool Fits() const { return memory_limit_ <= 0 || memory_ <= memory_limit_; }

  double Term(int u) const {
    if (in_s_[u]) {
      return readers_in_[u] < static_cast<int>(graph_.successors(u).size())
                 ? graph_.comm(u)
                 : 0;
    }
    return readers_in_[u] > 0 ? graph_.comm(u) : 0;
  }

  void Add(int v) {
    cost_ -= Term(v);
    for (int p : graph_.predecessors(v)) cost_ -= Term(p);
    in_s_[v] = 1;
    for (int p : graph_.predecessors(v)) ++readers_in_[p];
    cost_ += graph_.work(v) + Term(v);
    for (int p : graph_.predecessors(v)) cost_ += Term(p);
    memory_ += graph_.memory(v);
    members_.push_back(v);
  }

  // Undoes the latest Add(v) but for cost_ and memory_ (the caller restores).
  void Remove(int v) {
    in_s_[v] = 0;
    for (int p : graph_.predecessors(v)) --readers_in_[p];
    members_.pop_back();
  }

  // Adds v's rows to the unions of S's descendants and ancestors.
  void Unite(int v) {
    const uint64_t* dv = rows_->desc_row(v);
    const uint64_t* av = rows_->anc_row(v);
    for (int w = 0; w < rows_->words; ++w) {
      desc_union_[w] |= dv[w];
      anc_union_[w] |= av[w];
    }
  }

  void Clear() {
    std::fill(desc_union_.begin(), desc_union_.end(), 0);
    std::fill(anc_union_.begin(), anc_union_.end(), 0);
    for (int v : members_) {
      in_s_[v] = 0;
      for (int p : graph_.predecessors(v)) readers_in_[p] = 0;
    }
    members_.clear();
    cost_ = 0;
    memory_ = 0;
  }

  // Nodes outside S adjacent to S.
  std::vector<int> Candidates() const {
    std::vector<int> out;
    for (int v : members_) {
      for (int u : graph_.successors(v)) {
        if (!in_s_[u]) out.push_back(u);
      }
      for (int u : graph_.predecessors(v)) {
        if (!in_s_[u]) out.push_back(u);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // u and the nodes outside S on paths between u and S: S u {u} u those is
  // convex when S is (hull(S + u) = S u (desc*(S) n anc*(u)) u
  // (desc*(u) n anc*(S))). In topological position order.
  std::vector<int> WithHull(int u) const {
    const uint64_t* du = rows_->desc_row(u);
    const uint64_t* au = rows_->anc_row(u);
    std::vector<int> nodes;
    for (int w = 0; w < rows_->words; ++w) {
      const uint64_t row = (desc_union_[w] & au[w]) | (du[w] & anc_union_[w]);
      for (uint64_t bits = row; bits != 0; bits &= bits - 1) {
        const int v = w * 64 + __builtin_ctzll(bits);
        if (!in_s_[v]) nodes.push_back(v);
      }
    }
    if (std::find(nodes.begin(), nodes.end(), u) == nodes.end()) {
      nodes.push_back(u);
    }
    return nodes;
  }

  Stage Snapshot(const std::vector<double>& y) const {
    Stage stage;
    stage.nodes = members_;
    std::sort(stage.nodes.begin(), stage.nodes.end());
    for (int v : stage.nodes) stage.value += y[v];
    stage.cost = cost_;
    return stage;
  }

  const Graph& graph_;
  const int64_t memory_limit_;
  const int n_;
  const std::shared_ptr<const ClosureRows> rows_;
  // Unions of the rows of S's nodes (kept by Grow; Cost does not need them).
  std::vector<uint64_t> desc_union_, anc_union_;
  std::vector<char> in_s_;
  std::vector<int> readers_in_;
  std::vector<int> members_;  // S, in the order added
  double cost_ = 0;
  int64_t memory_ = 0;
};

StageCoverLp::StageCoverLp(const Graph& graph, int k, int64_t memory_limit)
    : graph_(graph), k_(k), memory_limit_(memory_limit) {
  // One set of closure bitsets for the pricer and the forced tensors.
  auto rows = std::make_shared<const ClosureRows>(graph);
  pricer_ = std::make_unique<Pricer>(graph, memory_limit, rows);
  forced_ = std::make_unique<ForcedCrossing>(graph, std::move(rows));
}

StageCoverLp::~StageCoverLp() = default;

StageCoverLp::Probe StageCoverLp::Decide(double t, absl::Time give_up_at,
                                         const SolveContext* ctx) {
  Probe probe;
  const int n = graph_.num_nodes();
  ClpSimplex lp;
  lp.setLogLevel(0);
  lp.resize(n, 0);
  for (int v = 0; v < n; ++v) {
    lp.setRowLower(v, 1);
    lp.setRowUpper(v, COIN_DBL_MAX);
  }
  auto add_column = [&](const std::vector<int>& nodes, double objective) {
    const std::vector<double> ones(nodes.size(), 1.0);
    lp.addColumn(static_cast<int>(nodes.size()), nodes.data(), ones.data(), 0.0,
                 COIN_DBL_MAX, objective);
  };
  for (int v = 0; v < n; ++v) {
    const bool stage =
        pricer_->Cost({v}) < t &&
        (memory_limit_ <= 0 || graph_.memory(v) <= memory_limit_);
    add_column({v}, stage ? 1.0 : kArtificialCost);
  }
  // What each node surely adds to a stage below t: its work, and its tensor
  // when no stage below t keeps it inside (forced_crossing.h).
  const std::vector<double> size = forced_->OwnTermSizes(t, ctx);
  // Caps: y(v) <= kValueCap k size(v) / sum of sizes (the dual of a column
  // covering v alone at that objective), so the search prunes on value per
  // size.
  const double cap =
      kValueCap * k_ / std::accumulate(size.begin(), size.end(), 0.0);
  for (int v = 0; v < n; ++v) {
    if (size[v] > 0) add_column({v}, cap * size[v]);
  }
  for (const Column& column : pool_) {
    if (column.cost < t) add_column(column.nodes, 1.0);
  }
  auto remember = [&](Pricer::Stage stage) {
    if (!known_.insert(stage.nodes).second) return false;
    add_column(stage.nodes, 1.0);
    pool_.push_back({std::move(stage.nodes), stage.cost});
    return true;
  };

  std::mt19937_64 rng(12345);
  std::vector<double> y(n);
  while (true) {
    if (ctx != nullptr && ctx->ShouldStop()) return probe;
    if (absl::Now() > give_up_at) {
      probe.outcome = Outcome::kGaveUp;
      return probe;
    }
    lp.primal();
    ++probe.rounds;
    probe.columns = lp.numberColumns();
    if (lp.status() != 0) {
      probe.outcome = Outcome::kGaveUp;  // not solved: claim nothing
      return probe;
    }
    probe.lp_value = lp.objectiveValue();
    const double* dual = lp.dualRowSolution();
    for (int v = 0; v < n; ++v) y[v] = std::max(0.0, dual[v]);
    // A restricted LP of value <= k without artificial columns covers the
    // nodes with k stages (and capped pieces): no y within the caps can
    // refute t. Nothing is claimed; the worker stops probing above t.
    if (probe.lp_value <= k_ * (1 + 1e-9)) {
      const double* x = lp.primalColumnSolution();
      bool artificial = false;
      for (int v = 0; v < n; ++v) {
        artificial |= lp.objective()[v] > 1 && x[v] > 1e-9;
      }
      if (!artificial) {
        probe.outcome = Outcome::kNotRefuted;
        return probe;
      }
    }

    // Greedy pricing: every seed on small graphs, else the nodes of largest
    // dual value and a few random ones.
    std::vector<int> seeds(n);
    std::iota(seeds.begin(), seeds.end(), 0);
    if (n > kTopSeeds + kRandomSeeds) {
      std::shuffle(seeds.begin(), seeds.end(), rng);
      std::partial_sort(seeds.begin(), seeds.begin() + kTopSeeds, seeds.end(),
                        [&](int a, int b) { return y[a] > y[b]; });
      seeds.resize(kTopSeeds + kRandomSeeds);
    }
    std::vector<Pricer::Stage> found;
    for (int seed : seeds) {
      if (y[seed] <= 0) continue;
      for (const bool ratio : {true, false}) {
        Pricer::Stage stage = pricer_->Grow(seed, y, t, ratio);
        if (stage.value > 1 + 1e-6) found.push_back(std::move(stage));
      }
      if (ctx != nullptr && ctx->ShouldStop()) return probe;
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.value > b.value; });
    int added = 0;
    for (Pricer::Stage& stage : found) {
      if (added == kColumnsPerRound) break;
      added += remember(std::move(stage)) ? 1 : 0;
    }
    if (added > 0) continue;

    // The greedy found nothing: the exact search decides.
    const double total = std::accumulate(y.begin(), y.end(), 0.0);
    HeavyStageParams params;
    params.value = y;
    params.size = size;
    // Shaved so that rounding in the sums cannot hide a stage.
    params.min_value = total / k_ * (1 - 1e-9);
    params.threshold = t;
    params.memory_limit = memory_limit_;
    params.max_states = std::numeric_limits<int64_t>::max();
    params.give_up_at = give_up_at;
    params.max_answers = kSearchAnswers;
    params.tables_after_states = kTablesAfterStates;
    const HeavyStageResult result = SearchHeavyStage(graph_, params, ctx);
    probe.search_states += result.states;
    switch (result.status) {
      case HeavyStageResult::Status::kNone:
        probe.outcome = Outcome::kRefuted;
        return probe;
      case HeavyStageResult::Status::kFound: {
        bool added = false;
        auto add = [&](std::vector<int> nodes, double cost) {
          std::sort(nodes.begin(), nodes.end());
          added |= remember({std::move(nodes), 0, cost});
        };
        add(result.nodes, result.cost);
        for (const HeavyStageResult::Answer& more : result.more) {
          add(more.nodes, more.cost);
        }
        if (!added) {
          probe.outcome = Outcome::kGaveUp;  // the LP did not move
          return probe;
        }
        break;
      }
      case HeavyStageResult::Status::kGaveUp:
        probe.outcome = Outcome::kGaveUp;
        return probe;
      case HeavyStageResult::Status::kStopped:
        return probe;
    }
  }
}

StageCoverLpWorker::StageCoverLpWorker(const Graph& graph, int k,
                                       int64_t memory_limit)
    : graph_(graph),
      k_(k),
      memory_limit_(memory_limit),
      rounder_(graph, BoundRounder::kCombinatorialShave) {}

StageCoverLpWorker::~StageCoverLpWorker() = default;

bool StageCoverLpWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  // Without communication the LP is the bin-packing pattern LP, which
  // salbp_lb already solves on item sizes.
  if (!graph_.has_communication()) return false;
  if (bound_ == nullptr) {
    absl::StatusOr<Contraction> contraction =
        ContractAnchoredNodes(graph_, memory_limit_ > 0);
    if (contraction.ok()) {
      contraction_ = std::make_unique<Contraction>(*std::move(contraction));
    }
    const Graph& graph = contraction_ ? contraction_->graph : graph_;
    if (graph.num_nodes() > kStageCoverMaxNodes) {
      PIPECUT_LOG(Info) << name() << ": skipped, " << graph.num_nodes()
                        << " nodes (at most " << kStageCoverMaxNodes << ")";
      return false;
    }
    bound_ = std::make_unique<StageCoverLp>(graph, k_, memory_limit_);
  }
  if (probes_ >= 40) return false;
  // W/k is a bound (LB0) even before the board has one.
  const double bound = std::max(board.lower_bound(), graph_.total_work() / k_);
  const std::optional<GuessLadder::Guess> guess = ladder_.Next(
      bound, std::min(board.best_bottleneck(), graph_.total_work()));
  if (!guess.has_value()) return false;
  LongStepSlot slot(ctx, LongStepSlot::Priority::kPreferred);
  if (!slot.held()) return YieldForLongStepSlot(ctx, board);
  ++probes_;
  const double t = guess->t;
  const absl::Time start = absl::Now();
  const absl::Duration given =
      absl::Seconds(guess->share * std::max(0.0, ctx.RemainingSeconds()));
  const StageCoverLp::Probe probe = bound_->Decide(t, start + given, &ctx);
  PIPECUT_LOG(Info) << name() << ": bottleneck < " << t << ": "
                    << GuessOutcomeName(probe.outcome) << " (LP "
                    << probe.lp_value << ", " << probe.rounds << " rounds, "
                    << probe.columns << " columns, " << probe.search_states
                    << " search states)";
  if (probe.outcome == GuessOutcome::kRefuted) {
    board.RaiseLowerBound(rounder_(t), name());
  }
  const double used =
      given > absl::ZeroDuration() ? (absl::Now() - start) / given : 1;
  return ladder_.Take(*guess, probe.outcome, used);
}

}  // namespace pipecut
