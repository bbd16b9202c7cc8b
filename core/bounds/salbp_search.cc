#include "core/bounds/salbp_search.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/bounds/closure_work.h"
#include "core/util/logging.h"

namespace pipecut {
namespace {

// Beyond this many memo entries (about 24 bytes each) new failures are no
// longer recorded: the search stays complete, only slower.
constexpr size_t kMaxMemoEntries = 2'000'000;

// Depth-first search for D(T); see SolveSalbpDecision in the header for the
// method and the proofs.
class DecisionSearch {
 public:
  DecisionSearch(const Graph& graph, int k, int64_t memory_limit, double t,
                 const SolveContext* ctx)
      : graph_(graph),
        n_(graph.num_nodes()),
        k_(k),
        memory_limit_(memory_limit),
        t_(t),
        ctx_(ctx),
        station_of_(n_, -1),
        pred_left_(n_),
        rank_(n_),
        tail_(ClosureWork(graph, /*ancestors=*/false)),
        zobrist_(n_) {
    for (int v = 0; v < n_; ++v) {
      pred_left_[v] = static_cast<int>(graph.predecessors(v).size());
    }
    // Heavier nodes first: big items placed early find packings sooner.
    // (Largest descendant work first, Helgeson-Birnie style, proved fewer
    // Scholl instances in 2 s: 196 against 215 of 302.)
    std::vector<int> order(n_);
    for (int v = 0; v < n_; ++v) order[v] = v;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return graph.work(a) > graph.work(b);
    });
    for (int i = 0; i < n_; ++i) rank_[order[i]] = i;
    // Ideals are memoised by 128-bit Zobrist keys; with at most 2e6 entries
    // a false "already failed" hit has probability about 2^-86.
    std::mt19937_64 rng(0x5a1b9);
    for (auto& key : zobrist_) key = {rng(), rng()};
  }

  SalbpDecisionResult Run() {
    SalbpDecisionResult result;
    double total = 0;
    for (int v = 0; v < n_; ++v) {
      if (memory_limit_ > 0 && graph_.memory(v) > memory_limit_) {
        // No station can hold v at any cycle time.
        result.status = SalbpDecisionResult::Status::kInfeasible;
        return result;
      }
      total += graph_.work(v);
    }
    // A node heavier than T fits nowhere; this stays so up to the heaviest.
    if (graph_.max_work() > t_) {
      result.status = SalbpDecisionResult::Status::kInfeasible;
      result.next_cycle_time = graph_.max_work();
      return result;
    }
    const bool found = Station(0, total);
    result.search_nodes = nodes_;
    if (stopped_) return result;
    if (found) {
      result.status = SalbpDecisionResult::Status::kFeasible;
      result.stage_of = station_of_;
    } else {
      result.status = SalbpDecisionResult::Status::kInfeasible;
      result.next_cycle_time = next_;
    }
    return result;
  }

 private:
  using Key = std::pair<uint64_t, uint64_t>;

  // A comparison "x <= T" came out false: D(t) for t >= x could differ.
  void NoteAbove(double x) { next_ = std::min(next_, x); }

  // Stations 0..s-1 are closed; `remaining` is the unassigned work.
  bool Station(int s, double remaining) {
    if (assigned_ == n_) return true;
    if (s == k_) return false;
    const double per_station = remaining / (k_ - s);
    if (per_station > t_) {
      NoteAbove(per_station);
      return false;
    }
    // Tails: an unassigned v and its descendants (all unassigned, weighing
    // at least tail_[v]) fill only the k - s stations left, so they need
    // tail_[v] / (k - s) <= T.
    double worst_tail = 0;
    for (int v = 0; v < n_; ++v) {
      if (station_of_[v] < 0) worst_tail = std::max(worst_tail, tail_[v]);
    }
    if (const double q = worst_tail / (k_ - s); q > t_) {
      NoteAbove(q);
      return false;
    }
    if (auto it = memo_.find(key_); it != memo_.end() && it->second <= s) {
      return false;
    }
    std::vector<int> candidates;
    for (int v = 0; v < n_; ++v) {
      if (station_of_[v] < 0 && pred_left_[v] == 0) candidates.push_back(v);
    }
    std::sort(candidates.begin(), candidates.end(),
              [&](int a, int b) { return rank_[a] < rank_[b]; });
    const Key key = key_;
    const bool found =
        Load(s, 0, 0, 0, 0, excluded_.size(), candidates, remaining);
    if (!found && !stopped_ && memo_.size() < kMaxMemoEntries) {
      auto [it, inserted] = memo_.try_emplace(key, s);
      if (!inserted) it->second = std::min(it->second, s);
    }
    return found;
  }

  // Extends station s (current `load`, `memory`, `count` nodes) with the
  // undecided candidates from position `start` on. Positions before `start`
  // are decided: included, excluded (in excluded_ from `excluded_base`), or
  // too big for a load no larger than this one.
  bool Load(int s, double load, int64_t memory, int count, size_t start,
            size_t excluded_base, std::vector<int>& candidates,
            double remaining) {
    if ((++nodes_ & 1023) == 0 && ctx_ != nullptr && ctx_->ShouldStop()) {
      stopped_ = true;
    }
    if (stopped_) return false;
    for (size_t i = start; i < candidates.size(); ++i) {
      const int v = candidates[i];
      if (memory_limit_ > 0 && memory + graph_.memory(v) > memory_limit_) {
        if (MustJoin(v, s)) return false;
        continue;  // independent of T
      }
      const double with_v = load + graph_.work(v);
      if (with_v > t_) {
        NoteAbove(with_v);
        if (MustJoin(v, s)) return false;  // it never fits again here
        continue;
      }
      // Include v; its successors may become available in this station.
      Assign(v, s);
      const size_t old_size = candidates.size();
      for (int y : graph_.successors(v)) {
        if (--pred_left_[y] == 0) candidates.push_back(y);
      }
      if (Load(s, with_v, memory + graph_.memory(v), count + 1, i + 1,
               excluded_base, candidates, remaining)) {
        return true;  // keep the assignment: it is the answer
      }
      candidates.resize(old_size);
      for (int y : graph_.successors(v)) ++pred_left_[y];
      Unassign(v);
      if (stopped_) return false;
      // Exclude v from this station.
      if (MustJoin(v, s)) return false;
      excluded_.push_back(v);
      const bool found = Load(s, load, memory, count, i + 1, excluded_base,
                              candidates, remaining);
      excluded_.pop_back();
      return found;
    }
    // Nothing undecided fits: the load is maximal unless an excluded node
    // still fits beside it (then the branch that included it covers it).
    if (count == 0) return false;
    for (size_t j = excluded_base; j < excluded_.size(); ++j) {
      const int u = excluded_[j];
      if (memory_limit_ > 0 && memory + graph_.memory(u) > memory_limit_) {
        continue;
      }
      const double with_u = load + graph_.work(u);
      if (with_u <= t_) return false;
      NoteAbove(with_u);
    }
    return Station(s + 1, remaining - load);
  }

  // The tail test of Station(s + 1), applied before the load is complete:
  // true when v (unassigned) and its descendants cannot fit in the stations
  // after s, so v must join station s.
  bool MustJoin(int v, int s) {
    const int after = k_ - s - 1;
    if (after == 0) return true;
    const double q = tail_[v] / after;
    if (q > t_) {
      NoteAbove(q);
      return true;
    }
    return false;
  }

  void Assign(int v, int s) {
    station_of_[v] = s;
    ++assigned_;
    key_.first ^= zobrist_[v].first;
    key_.second ^= zobrist_[v].second;
  }
  void Unassign(int v) {
    station_of_[v] = -1;
    --assigned_;
    key_.first ^= zobrist_[v].first;
    key_.second ^= zobrist_[v].second;
  }

  const Graph& graph_;
  const int n_;
  const int k_;
  const int64_t memory_limit_;
  const double t_;
  const SolveContext* const ctx_;

  std::vector<int> station_of_;
  std::vector<int> pred_left_;  // unassigned predecessors
  std::vector<int> rank_;
  const std::vector<double> tail_;  // lower bounds on descendant work
  std::vector<Key> zobrist_;
  std::vector<int> excluded_;
  Key key_{0, 0};  // of the assigned set
  int assigned_ = 0;
  absl::flat_hash_map<Key, int> memo_;  // ideal -> fewest stations that failed
  double next_ = std::numeric_limits<double>::infinity();
  int64_t nodes_ = 0;
  bool stopped_ = false;
};

}  // namespace

SalbpDecisionResult SolveSalbpDecision(const Graph& graph, int k,
                                       int64_t memory_limit, double cycle_time,
                                       const SolveContext* ctx) {
  DecisionSearch search(graph, k, memory_limit, cycle_time, ctx);
  return search.Run();
}

bool IsComputeOnly(const Graph& graph) {
  for (int v = 0; v < graph.num_nodes(); ++v) {
    if (graph.comm(v) != 0) return false;
  }
  return true;
}

SalbpSearchWorker::SalbpSearchWorker(const Graph& graph, int k,
                                     int64_t memory_limit)
    : graph_(graph),
      k_(k),
      memory_limit_(memory_limit),
      applicable_(IsComputeOnly(graph)) {
  for (int v = 0; v < graph.num_nodes(); ++v) {
    if (graph.work(v) != std::floor(graph.work(v))) integral_ = false;
  }
  // Integer sums are exact in doubles only below 2^53.
  if (graph.total_work() >= 9e15) integral_ = false;
}

bool SalbpSearchWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  if (!applicable_ || ctx.ShouldStop()) return false;
  // Every value compared is a sum of works computed in some order; with
  // fractional works it may differ from the evaluator's sum by a few ulps,
  // so published bounds are shaved by far more than that.
  auto publishable = [&](double bound) {
    return integral_ ? bound : bound * (1 - 1e-12);
  };
  // T is a proven lower bound: the board's (rounded up with integral works,
  // where every station's work and hence OPT is an integer) or our own.
  double t = std::max(board.lower_bound(), proven_);
  if (integral_) t = std::ceil(t);
  if (t > board.lower_bound()) board.RaiseLowerBound(publishable(t), name());
  const double ub = board.best_bottleneck();
  if (ub <= t) return false;  // already optimal

  // Stepping up from the bound (bisecting towards the incumbent was slower
  // on the Scholl set: the probes below OPT are the hard ones, and there the
  // bound is usually tight) makes every feasible probe a proof.
  const SalbpDecisionResult result =
      SolveSalbpDecision(graph_, k_, memory_limit_, t, &ctx);
  switch (result.status) {
    case SalbpDecisionResult::Status::kStopped:
      return false;
    case SalbpDecisionResult::Status::kFeasible:
      // OPT >= t (published above) and this partition attains <= t.
      if (!board.OfferPartition(result.stage_of, name()) &&
          board.best_bottleneck() > t * (1 + 1e-9)) {
        PIPECUT_LOG(Warning)
            << "salbp_search: partition at T=" << t << " was not accepted";
      }
      return false;
    case SalbpDecisionResult::Status::kInfeasible: {
      double next = result.next_cycle_time;
      if (std::isinf(next)) {
        // D(t') fails identically for every t' >= t, and OPT >= t.
        board.ReportInfeasible(name());
        return false;
      }
      if (integral_) next = std::ceil(next);
      proven_ = std::max(proven_, next);
      board.RaiseLowerBound(publishable(proven_), name());
      return true;
    }
  }
  return false;
}

}  // namespace pipecut
