#include "core/bounds/ideal_dp.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "core/bounds/ideal_chain_search.h"
#include "core/cost/partition_cost.h"
#include "core/graph/contraction.h"
#include "core/heuristics/slice_dp.h"
#include "core/util/logging.h"

namespace pipecut {
namespace {

using Key = std::pair<uint64_t, uint64_t>;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct Ideal {
  int parent;  // -1 for the empty ideal
  int added;   // node added to the parent
  Key key;
};

// One ideal of the current enumeration layer, with its membership and the
// nodes that can be added to it (all predecessors inside).
struct Frontier {
  int id;
  std::vector<uint64_t> bits;
  std::vector<int> addable;
};

class PairBuilder {
 public:
  PairBuilder(const Graph& g, const IdealDpParams& p,
              const std::vector<Ideal>& ideals,
              const absl::flat_hash_map<Key, int>& index,
              const std::vector<Key>& zobrist)
      : g_(g), p_(p), ideals_(ideals), index_(index), zobrist_(zobrist) {
    const int n = g.num_nodes();
    stamp_.assign(n, -1);
    cnt_j_.assign(n, 0);
    cnt_s_.assign(n, 0);
    ext_.assign(n, 0);
  }

  // Appends the pairs (J, f(I \ J)) of ideal `i`; false when too many.
  bool Build(int i, std::vector<int>& pair_j, std::vector<double>& pair_cost) {
    nodes_.clear();
    for (int t = i; ideals_[t].parent >= 0; t = ideals_[t].parent) {
      nodes_.push_back(ideals_[t].added);
      stamp_[ideals_[t].added] = i;
    }
    std::vector<int> removable;
    for (int x : nodes_) {
      int inside = 0;
      bool outside = false;
      for (int y : g_.successors(x)) {
        if (stamp_[y] == i) {
          ++inside;
        } else {
          outside = true;
        }
      }
      cnt_j_[x] = inside;
      cnt_s_[x] = 0;
      ext_[x] = outside ? 1 : 0;
      if (inside == 0) removable.push_back(x);
    }
    visited_.clear();
    sums_ = Sums{};
    pair_j_ = &pair_j;
    pair_cost_ = &pair_cost;
    overflow_ = false;
    Visit(ideals_[i].key, removable, 0);
    return !overflow_;
  }

 private:
  void Visit(const Key& key, const std::vector<int>& removable, int depth) {
    if (overflow_ || !visited_.insert(key).second) return;
    if (depth > 0) {
      const double cost = sums_.work + sums_.in + sums_.out;
      if (cost <= p_.cost_limit) {
        pair_j_->push_back(index_.at(key));
        pair_cost_->push_back(cost);
        if (static_cast<int64_t>(pair_j_->size()) > p_.max_pairs ||
            depth > 50'000) {
          overflow_ = true;
          return;
        }
      }
    }
    for (int x : removable) {
      if (sums_.work + g_.work(x) > p_.cost_limit) continue;
      if (p_.memory_limit > 0 && sums_.mem + g_.memory(x) > p_.memory_limit) {
        continue;
      }
      std::vector<int> next;
      next.reserve(removable.size() + 4);
      for (int y : removable) {
        if (y != x) next.push_back(y);
      }
      const Sums saved = sums_;
      Apply(x, next);
      if (sums_.work + sums_.out <= p_.cost_limit) {  // both only grow
        Visit({key.first ^ zobrist_[x].first, key.second ^ zobrist_[x].second},
              next, depth + 1);
      }
      Undo(x);
      sums_ = saved;  // exact: no drift over millions of steps
      if (overflow_) return;
    }
  }

  // Moves maximal node x of J into the stage S = I \ J.
  void Apply(int x, std::vector<int>& next_removable) {
    sums_.work += g_.work(x);
    sums_.mem += g_.memory(x);
    if (cnt_s_[x] > 0) sums_.in -= g_.comm(x);  // x read by S, now inside S
    if (ext_[x]) sums_.out += g_.comm(x);       // read outside I, so outside S
    for (int p : g_.predecessors(x)) {          // all in J (J is an ideal)
      if (--cnt_j_[p] == 0) next_removable.push_back(p);
      if (cnt_s_[p]++ == 0) sums_.in += g_.comm(p);
    }
  }

  // The counters only; the caller restores the sums.
  void Undo(int x) {
    for (int p : g_.predecessors(x)) {
      ++cnt_j_[p];
      --cnt_s_[p];
    }
  }

  const Graph& g_;
  const IdealDpParams& p_;
  const std::vector<Ideal>& ideals_;
  const absl::flat_hash_map<Key, int>& index_;
  const std::vector<Key>& zobrist_;
  std::vector<int> stamp_, cnt_j_, cnt_s_;
  std::vector<char> ext_;
  std::vector<int> nodes_;
  absl::flat_hash_set<Key> visited_;
  struct Sums {
    double work = 0, in = 0, out = 0;
    int64_t mem = 0;
  };
  Sums sums_;
  std::vector<int>* pair_j_ = nullptr;
  std::vector<double>* pair_cost_ = nullptr;
  bool overflow_ = false;
};

const char* OutcomeName(IdealChainResult::Status status) {
  switch (status) {
    case IdealChainResult::Status::kFound:
      return "a partition";
    case IdealChainResult::Status::kNone:
      return "none";
    case IdealChainResult::Status::kGaveUp:
      return "gave up";
    case IdealChainResult::Status::kStopped:
      return "stopped";
  }
  return "?";
}

IdealDpResult SolveOnGraph(const Graph& graph, const IdealDpParams& params,
                           const SolveContext* ctx) {
  using Status = IdealDpResult::Status;
  IdealDpResult result;
  const int n = graph.num_nodes();
  auto stopped = [&] { return ctx != nullptr && ctx->ShouldStop(); };
  auto too_slow = [&] { return absl::Now() > params.give_up_at; };
  std::vector<Key> zobrist(n);
  uint64_t seed = 0x5eed1dea15ULL;
  for (Key& z : zobrist) z = {SplitMix64(seed), SplitMix64(seed)};

  // 1. Enumerate the ideals by size (BFS), so J < I implies index(J) <
  //    index(I).
  std::vector<Ideal> ideals{{-1, -1, {0, 0}}};
  absl::flat_hash_map<Key, int> index{{Key{0, 0}, 0}};
  const int words = (n + 63) / 64;
  std::vector<Frontier> layer(1);
  layer[0].id = 0;
  layer[0].bits.assign(words, 0);
  for (int v = 0; v < n; ++v) {
    if (graph.predecessors(v).empty()) layer[0].addable.push_back(v);
  }
  for (int size = 1; size <= n; ++size) {
    std::vector<Frontier> next;
    for (const Frontier& f : layer) {
      if (stopped()) return result;
      if (too_slow()) {
        result.status = Status::kTooLarge;
        result.ideals = static_cast<int64_t>(ideals.size());
        return result;
      }
      for (int x : f.addable) {
        const Key& base = ideals[f.id].key;
        const Key key{base.first ^ zobrist[x].first,
                      base.second ^ zobrist[x].second};
        if (index.contains(key)) continue;
        const int id = static_cast<int>(ideals.size());
        ideals.push_back({f.id, x, key});
        index.emplace(key, id);
        if (static_cast<int64_t>(ideals.size()) > params.max_ideals) {
          result.status = Status::kTooLarge;
          result.ideals = static_cast<int64_t>(ideals.size());
          return result;
        }
        Frontier g{id, f.bits, {}};
        g.bits[x / 64] |= uint64_t{1} << (x % 64);
        for (int y : f.addable) {
          if (y != x) g.addable.push_back(y);
        }
        for (int y : graph.successors(x)) {
          bool ready = true;
          for (int p : graph.predecessors(y)) {
            if (!(g.bits[p / 64] >> (p % 64) & 1)) {
              ready = false;
              break;
            }
          }
          if (ready) g.addable.push_back(y);
        }
        next.push_back(std::move(g));
      }
    }
    layer = std::move(next);
  }
  const int num_ideals = static_cast<int>(ideals.size());
  const int full = num_ideals - 1;  // the only ideal of size n
  result.ideals = num_ideals;

  // 2. Pairs (J, I) with w(I \ J) <= cost_limit, in CSR form by I.
  std::vector<int64_t> begin(num_ideals + 1, 0);
  std::vector<int> pair_j;
  std::vector<double> pair_cost;
  PairBuilder builder(graph, params, ideals, index, zobrist);
  for (int i = 1; i < num_ideals; ++i) {
    if ((i & 63) == 0 && stopped()) return result;
    if ((i & 63) == 0 && too_slow()) {
      result.status = Status::kTooLarge;
      result.pairs = static_cast<int64_t>(pair_j.size());
      return result;
    }
    if (!builder.Build(i, pair_j, pair_cost)) {
      result.status = Status::kTooLarge;
      result.pairs = static_cast<int64_t>(pair_j.size());
      return result;
    }
    begin[i + 1] = static_cast<int64_t>(pair_j.size());
  }
  result.pairs = static_cast<int64_t>(pair_j.size());

  // 3. Smallest threshold T with V reachable in <= k steps of cost <= T.
  std::vector<int> steps(num_ideals);
  std::vector<int> via(num_ideals);
  auto reachable = [&](double threshold) {
    constexpr int kUnreached = 1 << 30;
    std::fill(steps.begin(), steps.end(), kUnreached);
    steps[0] = 0;
    for (int i = 1; i < num_ideals; ++i) {
      for (int64_t p = begin[i]; p < begin[i + 1]; ++p) {
        if (pair_cost[p] <= threshold && steps[pair_j[p]] + 1 < steps[i]) {
          steps[i] = steps[pair_j[p]] + 1;
          via[i] = pair_j[p];
        }
      }
    }
    return steps[full] <= params.k;
  };
  std::vector<double> costs(pair_cost);
  std::sort(costs.begin(), costs.end());
  costs.erase(std::unique(costs.begin(), costs.end()), costs.end());
  if (costs.empty() || !reachable(costs.back())) {
    result.status = Status::kNoSolution;
    return result;
  }
  size_t lo = 0, hi = costs.size() - 1;  // reachable(costs[hi]) holds
  while (lo < hi) {
    if (stopped()) return result;
    const size_t mid = lo + (hi - lo) / 2;
    if (reachable(costs[mid])) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  reachable(costs[hi]);
  result.bottleneck = costs[hi];

  // 4. The chain, as stages: node sets of I \ J along `via`.
  std::vector<int> chain{full};
  while (chain.back() != 0) chain.push_back(via[chain.back()]);
  std::reverse(chain.begin(), chain.end());
  result.stage_of.assign(n, 0);
  // A node's stage is that of the first chain ideal containing it; walk each
  // chain ideal's parent path down to the previous chain ideal's size.
  std::vector<char> in_prev(n, 0);
  for (size_t s = 1; s < chain.size(); ++s) {
    std::vector<char> in_cur(n, 0);
    for (int t = chain[s]; ideals[t].parent >= 0; t = ideals[t].parent) {
      in_cur[ideals[t].added] = 1;
    }
    for (int v = 0; v < n; ++v) {
      if (in_cur[v] && !in_prev[v])
        result.stage_of[v] = static_cast<int>(s - 1);
    }
    in_prev = std::move(in_cur);
  }
  result.status = Status::kSolved;
  return result;
}

}  // namespace

IdealDpResult SolveIdealDp(const Graph& graph, const IdealDpParams& params,
                           const SolveContext* ctx) {
  absl::StatusOr<Contraction> contraction =
      ContractAnchoredNodes(graph, params.memory_limit > 0);
  if (!contraction.ok()) return SolveOnGraph(graph, params, ctx);
  IdealDpResult result = SolveOnGraph(contraction->graph, params, ctx);
  if (result.status == IdealDpResult::Status::kSolved) {
    result.stage_of = contraction->Expand(result.stage_of);
  }
  return result;
}

void IdealDpWorker::ProbeChains(SolveContext& ctx, SolutionBoard& board) {
  // Every probe either proves OPT >= t (the bound rises to t) or finds a
  // partition under t (the incumbent falls below t); a probe that gives up
  // makes t the ceiling of the next ones, which are cheaper (lower
  // thresholds cut more branches). An incumbent from another worker is
  // probed first (proving it optimal ends the solve); one that a probe found
  // is bisected from (a chain found just under t is seldom much cheaper, so
  // probing each new one crawls), and probed once the gap is small.
  const absl::Time give_up_at =
      absl::Now() + absl::Seconds(0.25 * std::max(0.0, ctx.RemainingSeconds()));
  double ceiling = std::numeric_limits<double>::infinity();
  double probed_incumbent = ceiling;  // probed, or found by a probe
  double closing_probe = ceiling;     // probed once the gap was small
  // Give-ups in a row end the probes: two when the search could not even
  // list the first stages (wide graphs: too many at any useful threshold),
  // else four.
  int give_ups = 0, max_give_ups = 4;
  for (int probe = 0;
       probe < 40 && give_ups < max_give_ups && !ctx.ShouldStop(); ++probe) {
    const double lo = board.lower_bound();
    const double incumbent = board.best_bottleneck();
    const double hi = std::min(ceiling, incumbent);
    if (!std::isfinite(hi)) return;
    const bool close = hi - lo <= 1e-4 * hi;
    bool at_incumbent = hi == incumbent && incumbent != probed_incumbent;
    if (close && !at_incumbent) {
      if (closing_probe == incumbent || hi != incumbent) return;
      closing_probe = incumbent;
      at_incumbent = true;
    }
    IdealChainParams params;
    params.k = k_;
    // Just below the incumbent: its own stages, summed in another order, may
    // come out a few ulps cheaper and be "found" again.
    params.threshold = at_incumbent ? incumbent * (1 - 1e-10) : 0.5 * (lo + hi);
    if (at_incumbent) probed_incumbent = incumbent;
    params.memory_limit = options_.memory_limit_bytes;
    // A third of what is left, so that a hopeless first probe (at the
    // incumbent, the costliest) leaves time for cheaper ones.
    params.give_up_at = absl::Now() + (give_up_at - absl::Now()) / 3;
    const IdealChainResult result = SearchIdealChain(graph_, params, &ctx);
    give_ups =
        result.status == IdealChainResult::Status::kGaveUp ? give_ups + 1 : 0;
    if (give_ups > 0 && result.ideals <= 1) max_give_ups = 2;
    PIPECUT_LOG(Info) << name() << ": stages all below " << params.threshold
                      << ": " << OutcomeName(result.status) << " ("
                      << result.ideals << " ideals, " << result.states
                      << " states)";
    switch (result.status) {
      case IdealChainResult::Status::kNone:
        // Stage sums may round in the last bits (see the header).
        board.RaiseLowerBound(params.threshold * (1 - 1e-9), name());
        break;
      case IdealChainResult::Status::kFound:
        board.OfferPartition(result.stage_of, name());
        ceiling = std::min(ceiling, params.threshold);
        probed_incumbent = board.best_bottleneck();
        break;
      case IdealChainResult::Status::kGaveUp:
        if (absl::Now() + absl::Milliseconds(100) > give_up_at) return;
        ceiling = params.threshold;
        break;
      case IdealChainResult::Status::kStopped:
        return;
    }
  }
}

bool IdealDpWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  double limit = board.best_bottleneck();
  if (retry_below_ < std::numeric_limits<double>::infinity() &&
      !(limit < retry_below_)) {
    // Waiting for a better incumbent; idle briefly instead of spinning, and
    // stop waiting once the board has been quiet for about a second (the
    // other workers are done or stuck, and the solve should not idle here).
    quiet_waits_ =
        board.IdleUntilChange(absl::Milliseconds(20)) ? 0 : quiet_waits_ + 1;
    if (quiet_waits_ > 50) {
      PIPECUT_LOG(Info) << name() << ": gave up waiting for an incumbent below "
                        << retry_below_;
      if (graph_.has_communication()) ProbeChains(ctx, board);
      return false;
    }
    return !ctx.ShouldStop();
  }
  if (!std::isfinite(limit)) {
    // Any partition's bottleneck is a valid limit; a SliceDP of the default
    // topological order is cheap.
    SliceDp dp(graph_);
    const std::optional<Slicing> slicing = dp.Solve(
        graph_.topological_order(), k_, std::numeric_limits<double>::infinity(),
        options_.memory_limit_bytes, &ctx);
    if (slicing.has_value()) {
      limit = slicing->bottleneck;
      board.OfferPartition(
          SliceDp::StageOf(graph_.topological_order(), *slicing), name());
    }
  }
  if (ctx.ShouldStop()) return false;
  IdealDpParams params;
  params.k = k_;
  params.memory_limit = options_.memory_limit_bytes;
  // Slack so that rounding in the incremental stage costs never drops the
  // incumbent's own stages.
  params.cost_limit = limit * (1 + 1e-9) + 1e-12;
  params.max_ideals = options_.ideal_dp_max_ideals;
  params.max_pairs = std::max<int64_t>(1'000'000, 20 * params.max_ideals);
  params.give_up_at =
      absl::Now() + absl::Seconds(0.25 * std::max(0.0, ctx.RemainingSeconds()));
  const IdealDpResult result = SolveIdealDp(graph_, params, &ctx);
  switch (result.status) {
    case IdealDpResult::Status::kSolved: {
      board.OfferPartition(result.stage_of, name());
      // The DP value is OPT up to the rounding of its incremental sums (a few
      // ulps per node): shave 1e-11 relative so that it stays a bound.
      const double exact =
          EvaluateFeasiblePartition(graph_, result.stage_of, k_).bottleneck;
      const double value = std::min(exact, result.bottleneck);
      board.RaiseLowerBound(value - 1e-11 * std::max(1.0, std::abs(value)),
                            name());
      break;
    }
    case IdealDpResult::Status::kNoSolution:
      // With a finite limit this would contradict the incumbent.
      if (!std::isfinite(limit)) {
        board.ReportInfeasible(name());
      } else {
        PIPECUT_LOG(Warning)
            << name() << ": no partition under the limit " << limit;
      }
      break;
    case IdealDpResult::Status::kTooLarge:
      if (result.pairs > params.max_pairs && retries_left_-- > 0) {
        // The ideals fit but too many stages are cheaper than the limit: a
        // better incumbent (from the heuristics running meanwhile) shrinks
        // the pair set, so try again once it is 10 % lower.
        retry_below_ = 0.9 * limit;
        PIPECUT_LOG(Info) << name() << ": " << result.ideals << " ideals but "
                          << result.pairs << "+ stages under " << limit
                          << "; retrying below " << retry_below_;
        return true;
      }
      PIPECUT_LOG(Info) << name() << ": " << result.ideals << " ideals, "
                        << result.pairs
                        << " pairs exceed the limits (options."
                           "ideal_dp_max_ideals = "
                        << params.max_ideals << ")";
      if (graph_.has_communication()) ProbeChains(ctx, board);
      break;
    case IdealDpResult::Status::kStopped:
      break;
  }
  return false;
}

}  // namespace pipecut
