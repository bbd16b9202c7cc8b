#include "core/bounds/salbp_search.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/bounds/closure_work.h"
#include "core/util/logging.h"

namespace pipecut {
namespace {

// Beyond this many memo entries (about 40 bytes each) entries that no longer
// hold at the recent cycle times are swept; while it stays full, new
// failures are not recorded: the search stays complete, only slower.
constexpr size_t kMaxMemoEntries = 2'000'000;

// Task dominance needs an n x n relation; above this many nodes it is off.
constexpr int kMaxDominanceNodes = 4096;
// Ancestor lists (for zones) take up to n^2 / 2 entries.
constexpr int kMaxAncestorListNodes = 2048;

// Beyond this many maximal loads, or search nodes spent listing them, a
// station is searched depth-first. (Without the node cap, listing cost
// trivial instances with few stations their 2 s: ARC111 m=3, 4, 10; a cap
// of 20k nodes lost SCHOLL m=36, 37, 44 at 2 s, 100k one of them.)
constexpr size_t kMaxCollectedLoads = 4096;
constexpr int64_t kMaxCollectNodes = 400'000;

// First node budget of the forward/backward race in SalbpSearchWorker.
constexpr int64_t kFirstRaceBudget = 20'000;

}  // namespace

// Depth-first search for D(T); see SolveSalbpDecision in the header for the
// method and the proofs, and the comments below for the later rules.
class SalbpDecider::Impl {
 public:
  Impl(const Graph& graph, int k, int64_t memory_limit)
      : graph_(graph),
        n_(graph.num_nodes()),
        k_(k),
        memory_limit_(memory_limit),
        station_of_(n_, -1),
        pred_left_(n_),
        rank_(n_),
        tail_(ClosureWork(graph, /*ancestors=*/false)),
        zobrist_(n_) {
    SetOrder(0);
    // Ideals are memoised by 128-bit Zobrist keys; with at most 2e6 entries
    // a false "already failed" hit has probability about 2^-86.
    std::mt19937_64 rng(0x5a1b9);
    for (auto& key : zobrist_) key = {rng(), rng()};
    // Every station's work is a sum of integers: exact in doubles below
    // 2^53, and a cycle time t admits exactly what floor(t) admits.
    integral_ = graph.total_work() < 9e15;
    for (int v = 0; v < n_ && integral_; ++v) {
      if (graph.work(v) != std::floor(graph.work(v))) integral_ = false;
    }
    if (memory_limit_ == 0 && n_ <= kMaxDominanceNodes) BuildDominance();
    head_.resize(n_);
    heads_.resize(n_);
    tails_.resize(n_);
    mark_.assign(n_, 0);
    if (n_ <= kMaxAncestorListNodes) {
      // Ancestor lists, nearest (reverse topological) first.
      ancestors_.resize(n_);
      descendants_.resize(n_);
      std::vector<int> seen(n_, -1);
      for (int x = 0; x < n_; ++x) {
        std::vector<int> stack(graph_.predecessors(x).begin(),
                               graph_.predecessors(x).end());
        for (int a : stack) seen[a] = x;
        for (size_t i = 0; i < stack.size(); ++i) {
          ancestors_[x].push_back(stack[i]);
          descendants_[stack[i]].push_back(x);
          for (int b : graph_.predecessors(stack[i])) {
            if (seen[b] != x) {
              seen[b] = x;
              stack.push_back(b);
            }
          }
        }
      }
      words_ = (n_ + 63) / 64;
      desc_bits_.assign(static_cast<size_t>(n_) * words_, 0);
      for (int x = 0; x < n_; ++x) {
        uint64_t* row = &desc_bits_[static_cast<size_t>(x) * words_];
        row[x / 64] |= uint64_t{1} << (x % 64);
        for (int d : descendants_[x]) row[d / 64] |= uint64_t{1} << (d % 64);
      }
    }
  }

  SalbpDecisionResult Decide(double t, const SolveContext* ctx,
                             int64_t node_limit, uint64_t order_seed) {
    SetOrder(order_seed);
    t_ = integral_ ? std::floor(t) : t;
    recent_t_[calls_++ % recent_t_.size()] = t_;
    ctx_ = ctx;
    node_limit_ = node_limit;
    nodes_ = 0;
    stopped_ = false;
    next_ = std::numeric_limits<double>::infinity();
    std::fill(station_of_.begin(), station_of_.end(), -1);
    for (int v = 0; v < n_; ++v) {
      pred_left_[v] = static_cast<int>(graph_.predecessors(v).size());
    }
    key_ = {0, 0};
    assigned_ = 0;
    excluded_.clear();
    load_nodes_.clear();
    blocked_in_.assign(n_, -1);
    blocked_work_.assign(k_, 0);
    zone_work_.assign(k_, 0);
    zone_blocked_.assign(k_, 0);
    outside_work_.assign(k_, 0);
    outside_count_.assign(k_, 0);
    forced_work_.assign(k_, 0);
    forced_flip_.assign(k_, std::numeric_limits<double>::infinity());
    blocked_stack_.clear();
    saved_bits_.clear();
    blocked_bits_.assign(
        desc_bits_.empty() ? 0 : static_cast<size_t>(k_) * words_, 0);

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
  // The search from an ideal with `stations` stations closed failed for
  // every cycle time below `until`.
  struct Failure {
    int stations;
    double until;
  };

  // Heavier nodes first: big items placed early find packings sooner.
  // (Largest descendant work first, Helgeson-Birnie style, proved fewer
  // Scholl instances in 2 s: 196 against 215 of 302.) A nonzero seed
  // scales each work by a random factor in [0.6, 1.4) before sorting: the
  // order only steers the search (every rule holds for any order, and so do
  // the remembered failures), so restarts can diversify.
  void SetOrder(uint64_t seed) {
    if (seed == order_seed_ && seed != 0) return;
    order_seed_ = seed;
    std::vector<double> key(n_);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.6, 1.4);
    for (int v = 0; v < n_; ++v) {
      key[v] = graph_.work(v) * (seed == 0 ? 1.0 : unit(rng));
    }
    std::vector<int> order(n_);
    for (int v = 0; v < n_; ++v) order[v] = v;
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return key[a] > key[b]; });
    for (int i = 0; i < n_; ++i) rank_[order[i]] = i;
  }

  // A comparison "x <= T" came out false: D(t) for t >= x could differ.
  void NoteAbove(double x) { next_ = std::min(next_, x); }

  // Stations 0..s-1 are closed; `remaining` is the unassigned work.
  bool Station(int s, double remaining) {
    if (assigned_ == n_) return true;
    if (s == k_) return false;
    const int left = k_ - s;
    const double per_station = remaining / left;
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
    if (const double q = worst_tail / left; q > t_) {
      NoteAbove(q);
      return false;
    }
    // (The dual feasible functions of dual_feasible.h, tried here at every
    // station, proved nothing more on the Scholl set and cost 1-11 %.)
    if (BinPackingFails(left)) return false;
    if (auto it = memo_.find(key_); it != memo_.end() &&
                                    it->second.stations <= s &&
                                    it->second.until > t_) {
      // Fewer stations left cannot help; the failure holds below `until`.
      NoteAbove(it->second.until);
      return false;
    }
    std::vector<int> candidates;
    for (int v = 0; v < n_; ++v) {
      if (station_of_[v] < 0 && pred_left_[v] == 0) candidates.push_back(v);
    }
    std::sort(candidates.begin(), candidates.end(),
              [&](int a, int b) { return rank_[a] < rank_[b]; });
    const Key key = key_;
    // The comparisons made below this ideal alone bound where its failure
    // holds (the proof of next_cycle_time, applied to the subtree).
    const double outer_next = next_;
    next_ = std::numeric_limits<double>::infinity();
    bool found = false;
    if (!ComputeZone(s)) {
      // Enumerate the maximal loads first, then try them fullest first
      // (least idle time: best fit; on the Scholl set this proved 4 of 8
      // hard instances more in 5 s); too many loads (or too many nodes
      // spent listing them) fall back to the depth-first order. Only the order
      // of the children changes, and integral or not, every comparison made
      // while listing is noted.
      Collected collected;
      collected.first_node = nodes_;
      collect_ = &collected;
      Load(s, 0, 0, 0, 0, excluded_.size(),
           std::numeric_limits<double>::infinity(), 0, candidates, remaining);
      collect_ = nullptr;
      if (collected.overflow) {
        found = !stopped_ && Load(s, 0, 0, 0, 0, excluded_.size(),
                                  std::numeric_limits<double>::infinity(), 0,
                                  candidates, remaining);
      } else if (!stopped_) {
        found = Replay(s, collected, remaining);
      }
    }
    const double until = next_;
    next_ = std::min(outer_next, until);
    if (!found && !stopped_) Remember(key, s, until);
    return found;
  }

  struct Collected {
    std::vector<int> nodes;     // the loads' nodes, load after load
    std::vector<size_t> begin;  // of each load in nodes
    std::vector<double> loads;  // their work
    bool overflow = false;
    int64_t first_node = 0;  // nodes_ when the listing began
  };

  bool Replay(int s, const Collected& c, double remaining) {
    std::vector<int> order(c.loads.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return c.loads[a] > c.loads[b]; });
    for (int i : order) {
      const size_t from = c.begin[i];
      const size_t to = i + 1 < static_cast<int>(c.begin.size())
                            ? c.begin[i + 1]
                            : c.nodes.size();
      for (size_t p = from; p < to; ++p) {
        const int v = c.nodes[p];
        Assign(v, s);
        load_nodes_.push_back(v);
        for (int y : graph_.successors(v)) --pred_left_[y];
      }
      if (Station(s + 1, remaining - c.loads[i])) return true;
      for (size_t p = to; p-- > from;) {
        const int v = c.nodes[p];
        for (int y : graph_.successors(v)) ++pred_left_[y];
        load_nodes_.pop_back();
        Unassign(v);
      }
      if (stopped_) return false;
    }
    return false;
  }

  void Remember(const Key& key, int s, double until) {
    if (memo_.size() >= kMaxMemoEntries && !memo_.contains(key)) {
      // Sweep failures that no longer hold at any cycle time asked of late
      // (the worker's probes above its bound come and go, so not just at
      // this T); at most once per rise of that floor: a sweep that frees
      // nothing would otherwise repeat on every failure.
      const double floor =
          *std::min_element(recent_t_.begin(), recent_t_.end());
      if (floor > swept_below_) {
        swept_below_ = floor;
        for (auto it = memo_.begin(); it != memo_.end();) {
          if (it->second.until <= floor) {
            memo_.erase(it++);
          } else {
            ++it;
          }
        }
      }
      if (memo_.size() >= kMaxMemoEntries) return;
    }
    auto [it, inserted] = memo_.try_emplace(key, Failure{s, until});
    if (!inserted && !(it->second.stations <= s && it->second.until >= until)) {
      it->second = Failure{s, until};
    }
  }

  // Bin-packing bounds on the stations the unassigned nodes need (each
  // station holds work <= T): LB2 counts the nodes heavier than T/2 (no two
  // share a station) plus half of those of exactly T/2; LB3 gives weight 1
  // above 2T/3, 2/3 at 2T/3, 1/2 in (T/3, 2T/3), 1/3 at T/3 (a station's
  // nodes weigh at most 1: one above 2T/3 leaves room only for nodes below
  // T/3; otherwise at most two above T/3, or one at 2T/3 and one at T/3, or
  // three at T/3). More stations than the k - s left means failure. Exact
  // equalities are used only with integral works (weights in sixths).
  // Both counts only fall as T grows, so a prune holds until the smallest
  // T' at which some node of a firing rule changes class: noted.
  bool BinPackingFails(int left) {
    int64_t big = 0, half = 0, sixths = 0;
    double flip2 = std::numeric_limits<double>::infinity();
    double flip3 = flip2;
    const double t = t_;
    for (int v = 0; v < n_; ++v) {
      if (station_of_[v] >= 0) continue;
      const double w = graph_.work(v);
      const double w2 = 2 * w, w3 = 3 * w;
      if (w3 <= t && !(integral_ && w3 == t)) continue;  // weightless
      if (w2 > t) {
        ++big;
        flip2 = std::min(flip2, w2);
      } else if (integral_ && w2 == t) {
        ++half;
        flip2 = std::min(flip2, t + 1);
      }
      if (w3 > 2 * t) {
        sixths += 6;
        flip3 = std::min(flip3, 1.5 * w);
      } else if (integral_ && w3 == 2 * t) {
        sixths += 4;
        flip3 = std::min(flip3, t + 1);
      } else if (w3 > t) {
        sixths += 3;
        flip3 = std::min(flip3, w3);
      } else {  // integral_ && w3 == t
        sixths += 2;
        flip3 = std::min(flip3, t + 1);
      }
    }
    const bool lb2 = big + (half + 1) / 2 > left;
    const bool lb3 = (sixths + 5) / 6 > left;
    if (!lb2 && !lb3) return false;
    // Products by 2 and 3 round monotonically (t is representable), so the
    // classes are exact; a firing rule holds below its flip point.
    NoteAbove(std::max(lb2 ? flip2 : 0.0, lb3 ? flip3 : 0.0));
    return true;
  }

  // Extends station s (current `load`, `memory`, `count` nodes) with the
  // undecided candidates from position `start` on. Positions before `start`
  // are decided: included, excluded (in excluded_ from `excluded_base`), or
  // too big for a load no larger than this one.
  bool Load(int s, double load, int64_t memory, int count, size_t start,
            size_t excluded_base, double min_excluded, double optional,
            std::vector<int>& candidates, double remaining) {
    if ((++nodes_ & 1023) == 0 &&
        ((ctx_ != nullptr && ctx_->ShouldStop()) ||
         (node_limit_ > 0 && nodes_ >= node_limit_))) {
      stopped_ = true;
    }
    if (stopped_) return false;
    if (collect_ != nullptr &&
        (collect_->overflow ||
         nodes_ - collect_->first_node > kMaxCollectNodes)) {
      collect_->overflow = true;
      return false;
    }
    if (ZoneFails(s, min_excluded)) return false;
    if (const double need = Shaved(optional + forced_work_[s]); need > t_) {
      // The forced set shrinks as T grows: the prune holds below its flip.
      NoteAbove(std::min(need, forced_flip_[s]));
      return false;
    }
    const size_t mark = blocked_stack_.size();
    for (size_t i = start; i < candidates.size(); ++i) {
      const int v = candidates[i];
      if (memory_limit_ > 0 && memory + graph_.memory(v) > memory_limit_) {
        // Independent of T; the memory only grows, so v never fits here.
        if (Block(v, s)) return Unblock(s, mark);
        continue;
      }
      const double with_v = load + graph_.work(v);
      if (with_v > t_) {
        NoteAbove(with_v);
        if (Block(v, s)) return Unblock(s, mark);  // never fits here again
        continue;
      }
      // Include v; its successors may become available in this station.
      Assign(v, s);
      load_nodes_.push_back(v);
      const size_t old_size = candidates.size();
      for (int y : graph_.successors(v)) {
        if (--pred_left_[y] == 0) candidates.push_back(y);
      }
      if (Load(s, with_v, memory + graph_.memory(v), count + 1, i + 1,
               excluded_base, min_excluded,
               forced_[s][v] ? optional : optional + graph_.work(v), candidates,
               remaining)) {
        return true;  // keep the assignment: it is the answer
      }
      candidates.resize(old_size);
      for (int y : graph_.successors(v)) ++pred_left_[y];
      load_nodes_.pop_back();
      Unassign(v);
      if (stopped_) return Unblock(s, mark);
      // Exclude v from this station.
      if (Block(v, s)) return Unblock(s, mark);
      excluded_.push_back(v);
      const bool found = Load(s, load, memory, count, i + 1, excluded_base,
                              std::min(min_excluded, graph_.work(v)), optional,
                              candidates, remaining);
      excluded_.pop_back();
      if (found) return true;
      return Unblock(s, mark);
    }
    // Nothing undecided fits: the load is maximal unless an excluded node
    // still fits beside it (then the branch that included it covers it).
    if (count == 0) return Unblock(s, mark);
    for (size_t j = excluded_base; j < excluded_.size(); ++j) {
      const int u = excluded_[j];
      if (memory_limit_ > 0 && memory + graph_.memory(u) > memory_limit_) {
        continue;
      }
      const double with_u = load + graph_.work(u);
      if (with_u <= t_) return Unblock(s, mark);
      NoteAbove(with_u);
    }
    if (Dominated(load, count, candidates)) return Unblock(s, mark);
    if (collect_ != nullptr) {
      if (collect_->loads.size() >= kMaxCollectedLoads) {
        collect_->overflow = true;
      } else {
        collect_->begin.push_back(collect_->nodes.size());
        collect_->nodes.insert(collect_->nodes.end(), load_nodes_.end() - count,
                               load_nodes_.end());
        collect_->loads.push_back(load);
      }
      return Unblock(s, mark);
    }
    if (Station(s + 1, remaining - load)) return true;
    return Unblock(s, mark);
  }

  // Zone of station s: the unassigned nodes x whose unassigned ancestors
  // (x included) weigh <= T; only they can join station s, since all those
  // ancestors must join with x. The final load of s is at most U = zone
  // work - blocked zone work (included nodes stay in U). Two prunes:
  // * the stations after s take at most (k - s - 1) T, so the final load
  //   must reach remaining - (k - s - 1) T <= U;
  // * an excluded node u stays available, and a closed load L with
  //   L + w(u) <= T is not maximal; L <= U, so U + w(u) <= T for the
  //   lightest excluded u means no maximal load remains (no memory limit).
  // The zone depends on T only through "weight <= T" tests, whose failing
  // values are noted (partial sums above T, which is conservative).
  bool ComputeZone(int s) {
    if (zone_.size() <= static_cast<size_t>(s)) zone_.resize(s + 1);
    std::vector<char>& zone = zone_[s];
    zone.assign(n_, 0);
    double work = 0, outside = 0;
    int outside_count = 0;
    const int left = k_ - s;
    for (int x = 0; x < n_; ++x) {
      if (station_of_[x] >= 0) continue;
      double head = graph_.work(x);
      if (!ancestors_.empty()) {
        for (int a : ancestors_[x]) {
          if (station_of_[a] < 0) head += graph_.work(a);
        }
      }
      // Window of x (dynamic head-tail test): its unassigned ancestors
      // (head, x included) fill stations s..station(x), its descendants
      // (>= tail_[x], x included) fill station(x)..k-1, so
      // station(x) >= s + ceil(head/T) - 1 and <= k - ceil(tail/T); an
      // empty window fails. Each count only drops as T grows, first at
      // a / (count - 1): the failure holds below the smaller of the two.
      const int64_t ch = StationsFor(head), ct = StationsFor(tail_[x]);
      if (ch + ct > left + 1) {
        NoteAbove(std::min(FlipOf(head, ch), FlipOf(tail_[x], ct)));
        return true;
      }
      head_[x] = head;
      heads_[x] = ch;
      tails_[x] = ct;
      if (head > t_) {
        NoteAbove(head);
        outside += graph_.work(x);
        ++outside_count;
        continue;
      }
      zone[x] = 1;
      work += graph_.work(x);
    }
    zone_work_[s] = work;
    zone_blocked_[s] = 0;
    outside_work_[s] = outside;
    outside_count_[s] = outside_count;
    return ForcedFails(s) || WindowsFail(s);
  }

  // Window sets. For r in s..k-1, the nodes x whose latest station
  // k - ceil(tail/T) is <= r lie in stations s..r, and so do their
  // unassigned ancestors: that union must weigh <= (r - s + 1) T. The nodes
  // whose earliest station s + ceil(head/T) - 1 is >= r lie in r..k-1 with
  // all their descendants: that union must weigh <= (k - r) T. As T grows
  // the sets only shrink, first when some member's count drops: a failure
  // holds below min(its weight ratio, the members' flip points).
  bool WindowsFail(int s) {
    if (ancestors_.empty()) return false;
    order_.clear();
    for (int x = 0; x < n_; ++x) {
      if (station_of_[x] < 0) order_.push_back(x);
    }
    // Latest stations ascending: ancestor unions.
    std::sort(order_.begin(), order_.end(),
              [&](int a, int b) { return tails_[a] > tails_[b]; });
    ++stamp_;
    double work = 0, flip = std::numeric_limits<double>::infinity();
    size_t i = 0;
    for (int r = s; r < k_ - 1 && i < order_.size(); ++r) {
      for (; i < order_.size() && k_ - tails_[order_[i]] <= r; ++i) {
        const int x = order_[i];
        flip = std::min(flip, FlipOf(tail_[x], tails_[x]));
        work += Mark(x);
        for (int a : ancestors_[x]) {
          if (station_of_[a] < 0) work += Mark(a);
        }
      }
      const double q = Shaved(work) / (r - s + 1);
      if (q > t_) {
        NoteAbove(std::min(flip, q));
        return true;
      }
    }
    // Earliest stations descending: descendant unions.
    std::sort(order_.begin(), order_.end(),
              [&](int a, int b) { return heads_[a] > heads_[b]; });
    ++stamp_;
    work = 0;
    flip = std::numeric_limits<double>::infinity();
    i = 0;
    for (int r = k_ - 1; r > s && i < order_.size(); --r) {
      for (; i < order_.size() && s + heads_[order_[i]] - 1 >= r; ++i) {
        const int x = order_[i];
        flip = std::min(flip, FlipOf(head_[x], heads_[x]));
        work += Mark(x);
        for (int d : descendants_[x]) work += Mark(d);
      }
      const double q = Shaved(work) / (k_ - r);
      if (q > t_) {
        NoteAbove(std::min(flip, q));
        return true;
      }
    }
    return false;
  }

  // Work of x if not yet marked in this pass (then marks it).
  double Mark(int x) {
    if (mark_[x] == stamp_) return 0;
    mark_[x] = stamp_;
    return graph_.work(x);
  }

  // Forced nodes: an unassigned x whose descendant closure (x included,
  // all unassigned, weighing >= tail_[x]) exceeds what the k - s - 1 later
  // stations hold (tail_[x] > (k - s - 1) T) must join station s, and so
  // must its unassigned ancestors (they precede x and are not in earlier
  // stations). Their total work F must fit: F > T fails. Inside the load,
  // the included non-forced work plus F must fit too. As T grows the forced
  // set only shrinks, so a failure holds below min(F, the smallest
  // tail_[x] / (k - s - 1) over forced x): noted.
  bool ForcedFails(int s) {
    if (forced_.size() <= static_cast<size_t>(s)) forced_.resize(s + 1);
    std::vector<char>& forced = forced_[s];
    forced.assign(n_, 0);
    const int after = k_ - s - 1;
    double work = 0, flip = std::numeric_limits<double>::infinity();
    for (int x = 0; x < n_; ++x) {
      if (station_of_[x] >= 0) continue;
      if (after > 0) {
        const double q = tail_[x] / after;
        if (q <= t_) continue;
        flip = std::min(flip, q);
      }
      if (!forced[x]) {
        forced[x] = 1;
        work += graph_.work(x);
      }
      if (ancestors_.empty()) continue;  // a weaker (smaller) forced work
      for (int a : ancestors_[x]) {
        if (station_of_[a] < 0 && !forced[a]) {
          forced[a] = 1;
          work += graph_.work(a);
        }
      }
    }
    forced_work_[s] = work;
    forced_flip_[s] = flip;
    const double need = Shaved(work);
    if (need > t_) {
      NoteAbove(std::min(flip, need));
      return true;
    }
    return false;
  }

  // ceil(a / T), never above the exact value: integer arithmetic with
  // integral works, else a ratio shaved by far more than rounding errors.
  int64_t StationsFor(double a) const {
    if (integral_) {
      const auto num = static_cast<int64_t>(a), den = static_cast<int64_t>(t_);
      return den <= 0 ? std::numeric_limits<int32_t>::max()
                      : (num + den - 1) / den;
    }
    return static_cast<int64_t>(std::ceil(a / t_ * (1 - 1e-12)));
  }
  // The smallest T' > T at which StationsFor(a) drops below c.
  static double FlipOf(double a, int64_t c) {
    return c >= 2 ? a / static_cast<double>(c - 1)
                  : std::numeric_limits<double>::infinity();
  }

  // With fractional works a computed sum may exceed the exact one by a few
  // ulps; sums compared as lower bounds are shaved by far more than that.
  double Shaved(double x) const { return integral_ ? x : x * (1 - 1e-12); }

  // remaining - U is computed as outside work + blocked zone work (sums of
  // nonnegative terms, no cancellation); with fractional works the
  // maximality test keeps a relative slack in the permissive direction.
  bool ZoneFails(int s, double min_excluded) {
    const int after = k_ - s - 1;
    if (after == 0) {
      // Everything must join s (blocking already failed on any block).
      if (outside_count_[s] > 0) return true;
    } else if (const double q = (outside_work_[s] + zone_blocked_[s]) / after;
               q > t_) {
      NoteAbove(q);
      return true;
    }
    if (memory_limit_ > 0 || std::isinf(min_excluded)) return false;
    const double upper = zone_work_[s] - zone_blocked_[s];
    return upper + min_excluded <= (integral_ ? t_ : t_ * (1 - 1e-9));
  }

  // Blocking: a node excluded from station s, or too big (in work or
  // memory) for its growing load, can no longer join station s, nor can any
  // of its descendants. All blocked nodes are unassigned and must fit in the
  // k - s - 1 stations after s, so blocked work > (k - s - 1) T fails (this
  // includes the tail test of Station(s + 1): v's descendants are blocked
  // with v). Marks v and its descendants blocked for s; true on failure.
  bool Block(int v, int s) {
    double& work = blocked_work_[s];
    if (!desc_bits_.empty()) {
      // Bitset path (profiled: the walk below took half the time on SCHOLL
      // m=50): one undo entry per call, saving the station's blocked words.
      uint64_t* bits = &blocked_bits_[static_cast<size_t>(s) * words_];
      const uint64_t* desc = &desc_bits_[static_cast<size_t>(v) * words_];
      bool fresh = false;
      for (int w = 0; w < words_ && !fresh; ++w) {
        fresh = (desc[w] & ~bits[w]) != 0;
      }
      if (fresh) {
        blocked_stack_.push_back({-1, 0, work, zone_blocked_[s]});
        saved_bits_.insert(saved_bits_.end(), bits, bits + words_);
        const std::vector<char>& zone = zone_[s];
        for (int w = 0; w < words_; ++w) {
          for (uint64_t m = desc[w] & ~bits[w]; m != 0; m &= m - 1) {
            const int x = w * 64 + __builtin_ctzll(m);
            work += graph_.work(x);
            if (zone[x]) zone_blocked_[s] += graph_.work(x);
          }
          bits[w] |= desc[w];
        }
      }
    } else if (blocked_in_[v] != s) {
      dfs_.assign(1, v);
      blocked_stack_.push_back({v, blocked_in_[v], work, zone_blocked_[s]});
      blocked_in_[v] = s;
      while (!dfs_.empty()) {
        const int x = dfs_.back();
        dfs_.pop_back();
        work += graph_.work(x);
        if (zone_[s][x]) zone_blocked_[s] += graph_.work(x);
        for (int y : graph_.successors(x)) {
          if (blocked_in_[y] == s) continue;
          blocked_stack_.push_back({y, blocked_in_[y], work, zone_blocked_[s]});
          blocked_in_[y] = s;
          dfs_.push_back(y);
        }
      }
    }
    const int after = k_ - s - 1;
    if (after == 0) return true;
    const double q = work / after;
    if (q > t_) {
      NoteAbove(q);
      return true;
    }
    return false;
  }

  // Undoes the blocks of station s made since `mark`; returns false (the
  // failure of the caller) for convenience.
  bool Unblock(int s, size_t mark) {
    if (blocked_stack_.size() > mark) {
      blocked_work_[s] = blocked_stack_[mark].work;  // exact, no drift
      zone_blocked_[s] = blocked_stack_[mark].zone_work;
      if (!desc_bits_.empty()) {
        std::copy(saved_bits_.begin() + mark * words_,
                  saved_bits_.begin() + (mark + 1) * words_,
                  blocked_bits_.begin() + static_cast<size_t>(s) * words_);
        saved_bits_.resize(mark * words_);
        blocked_stack_.resize(mark);
      }
      while (blocked_stack_.size() > mark) {
        blocked_in_[blocked_stack_.back().node] = blocked_stack_.back().before;
        blocked_stack_.pop_back();
      }
    }
    return false;
  }

  // Task dominance (Jackson): i dominates j when F(i) (all descendants)
  // contains F(j), w(i) >= w(j), and (w(i) > w(j), or F(i) != F(j), or
  // i < j). A closed load L of station s holding j but not i, with i
  // available (all predecessors assigned) and w(L) - w(j) + w(i) <= T, is
  // skipped. Proof: take a feasible completion whose station s is L; i sits
  // in a later station q. Swap i and j: station s gets w(L) - w(j) + w(i)
  // <= T, station q loses w(i) - w(j) >= 0. i's predecessors are assigned
  // and its descendants lie in stations >= q > s; j's predecessors are in
  // stations <= s < q; j's descendants are in F(i), unassigned before this
  // station (i is), so outside L and in stations >= q. With no memory limit
  // (the rule is off otherwise) the result is feasible. Maximal-load moves
  // (header) raise (w(L), |L|) and swaps keep both while raising sum of the
  // ranks of L's nodes in the order (w, |F|, -index), which dominance
  // respects; so a feasible completion whose station s is maximal and not
  // dominated exists whenever any does, and those are all enumerated.
  bool Dominated(double load, int count, const std::vector<int>& candidates) {
    if (dominates_.empty()) return false;
    const size_t first = load_nodes_.size() - count;
    for (int i : candidates) {
      if (station_of_[i] >= 0) continue;
      const uint64_t* row = &dominates_[static_cast<size_t>(i) * words_];
      for (size_t p = first; p < load_nodes_.size(); ++p) {
        const int j = load_nodes_[p];
        if ((row[j / 64] >> (j % 64) & 1) == 0) continue;
        const double swapped = load - graph_.work(j) + graph_.work(i);
        if (swapped <= t_) return true;
        NoteAbove(swapped);
      }
    }
    return false;
  }

  void BuildDominance() {
    words_ = (n_ + 63) / 64;
    std::vector<uint64_t> desc(static_cast<size_t>(n_) * words_, 0);
    std::vector<int> size(n_, 0);
    const std::vector<int>& topo = graph_.topological_order();
    for (auto it = topo.rbegin(); it != topo.rend(); ++it) {
      const int v = *it;
      uint64_t* row = &desc[static_cast<size_t>(v) * words_];
      for (int y : graph_.successors(v)) {
        const uint64_t* other = &desc[static_cast<size_t>(y) * words_];
        for (int w = 0; w < words_; ++w) row[w] |= other[w];
        row[y / 64] |= uint64_t{1} << (y % 64);
      }
      for (int w = 0; w < words_; ++w) size[v] += __builtin_popcountll(row[w]);
    }
    dominates_.assign(static_cast<size_t>(n_) * words_, 0);
    int64_t pairs = 0;
    for (int i = 0; i < n_; ++i) {
      const uint64_t* fi = &desc[static_cast<size_t>(i) * words_];
      for (int j = 0; j < n_; ++j) {
        if (i == j || graph_.work(i) < graph_.work(j) || size[i] < size[j]) {
          continue;
        }
        const uint64_t* fj = &desc[static_cast<size_t>(j) * words_];
        bool contains = true;
        for (int w = 0; w < words_ && contains; ++w) {
          contains = (fj[w] & ~fi[w]) == 0;
        }
        if (!contains) continue;
        if (graph_.work(i) > graph_.work(j) || size[i] > size[j] || i < j) {
          dominates_[static_cast<size_t>(i) * words_ + j / 64] |= uint64_t{1}
                                                                  << (j % 64);
          ++pairs;
        }
      }
    }
    if (pairs == 0) dominates_.clear();
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
  bool integral_ = false;
  double t_ = 0;
  const SolveContext* ctx_ = nullptr;
  int64_t node_limit_ = 0;

  std::vector<int> station_of_;
  std::vector<int> pred_left_;  // unassigned predecessors
  std::vector<int> rank_;
  uint64_t order_seed_ = 0;
  Collected* collect_ = nullptr;    // set while a station's loads are listed
  const std::vector<double> tail_;  // lower bounds on descendant work
  std::vector<Key> zobrist_;
  std::vector<int> excluded_;
  std::vector<int> load_nodes_;  // included nodes, station by station
  struct Blocked {
    int node;
    int before;        // its blocked_in_ before
    double work;       // blocked_work_ before
    double zone_work;  // zone_blocked_ before
  };
  std::vector<std::vector<int>> ancestors_;  // empty when too many nodes
  std::vector<std::vector<char>> zone_;      // per station
  std::vector<double> zone_work_, zone_blocked_, outside_work_;
  std::vector<int> outside_count_;
  std::vector<std::vector<char>> forced_;  // per station
  std::vector<double> forced_work_;
  std::vector<double> forced_flip_;  // T at which forced_ first shrinks
  std::vector<std::vector<int>> descendants_;  // with ancestors_
  std::vector<double> head_;                   // per node, this station
  std::vector<int64_t> heads_, tails_;         // ceil(head / T), ceil(tail / T)
  std::vector<int> order_;
  std::vector<int64_t> mark_;
  int64_t stamp_ = 0;
  std::vector<int> blocked_in_;         // station a node is blocked for, or -1
  std::vector<double> blocked_work_;    // per station
  std::vector<Blocked> blocked_stack_;  // undo log
  std::vector<int> dfs_;
  std::vector<uint64_t> desc_bits_;     // descendants incl. self, per node
  std::vector<uint64_t> blocked_bits_;  // per station
  std::vector<uint64_t> saved_bits_;    // undo log of blocked_bits_
  int words_ = 0;                       // per row of dominates_
  std::vector<uint64_t> dominates_;     // row i: the nodes i dominates
  Key key_{0, 0};                       // of the assigned set
  int assigned_ = 0;
  absl::flat_hash_map<Key, Failure> memo_;  // ideal -> failure
  // The cycle times of the last calls (a sweep keeps what they can use).
  std::array<double, 8> recent_t_{};
  uint64_t calls_ = 0;
  double swept_below_ = -std::numeric_limits<double>::infinity();
  double next_ = std::numeric_limits<double>::infinity();
  int64_t nodes_ = 0;
  bool stopped_ = false;
};

SalbpDecider::SalbpDecider(const Graph& graph, int k, int64_t memory_limit)
    : impl_(std::make_unique<Impl>(graph, k, memory_limit)) {}
SalbpDecider::~SalbpDecider() = default;

SalbpDecisionResult SalbpDecider::Decide(double cycle_time,
                                         const SolveContext* ctx,
                                         int64_t node_limit,
                                         uint64_t order_seed) {
  return impl_->Decide(cycle_time, ctx, node_limit, order_seed);
}

SalbpDecisionResult SolveSalbpDecision(const Graph& graph, int k,
                                       int64_t memory_limit, double cycle_time,
                                       const SolveContext* ctx) {
  return SalbpDecider(graph, k, memory_limit).Decide(cycle_time, ctx);
}

bool IsComputeOnly(const Graph& graph) {
  for (int v = 0; v < graph.num_nodes(); ++v) {
    if (graph.comm(v) != 0) return false;
  }
  return true;
}

SalbpSearchWorker::SalbpSearchWorker(const Graph& graph, int k,
                                     int64_t memory_limit, Direction direction,
                                     int64_t probe_head_start, Sides sides)
    : graph_(graph),
      k_(k),
      memory_limit_(memory_limit),
      applicable_(IsComputeOnly(graph)),
      direction_(direction),
      probe_head_start_(probe_head_start),
      sides_(sides) {
  for (int v = 0; v < graph.num_nodes(); ++v) {
    if (graph.work(v) != std::floor(graph.work(v))) integral_ = false;
  }
  // Integer sums are exact in doubles only below 2^53.
  if (graph.total_work() >= 9e15) integral_ = false;
}

void SalbpSearchWorker::Init() {
  forward_ = std::make_unique<SalbpDecider>(graph_, k_, memory_limit_);
  backward_won_ = direction_ == Direction::kBackward;
  // The reversed graph has the same partitions, stations mirrored, and is
  // sometimes far easier to search station by station (SALOME's
  // bidirectional idea): both directions race with doubling node budgets.
  v1::Graph proto = graph_.ToProto();
  for (auto& edge : *proto.mutable_edges()) {
    std::string src = edge.src();
    edge.set_src(edge.dst());
    edge.set_dst(std::move(src));
  }
  if (auto reversed = Graph::FromProto(proto);
      reversed.ok() && direction_ != Direction::kForward) {
    reversed_ = std::make_unique<Graph>(*std::move(reversed));
    backward_ = std::make_unique<SalbpDecider>(*reversed_, k_, memory_limit_);
  }
}

SalbpDecisionResult SalbpSearchWorker::Decide(bool backward, double t,
                                              SolveContext& ctx, int64_t budget,
                                              uint64_t seed) {
  SalbpDecisionResult result =
      (backward ? *backward_ : *forward_).Decide(t, &ctx, budget, seed);
  if (backward && result.status == SalbpDecisionResult::Status::kFeasible) {
    // Station s of the reversed graph is stage k - 1 - s here.
    for (int& stage : result.stage_of) stage = k_ - 1 - stage;
  }
  return result;
}

bool SalbpSearchWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  if (!applicable_ || ctx.ShouldStop()) return false;
  // T is a proven lower bound: the board's (rounded up with integral works,
  // where every station's work and hence OPT is an integer) or our own.
  double t = std::max(board.lower_bound(), proven_);
  if (integral_) t = std::ceil(t);
  if (t > board.lower_bound()) board.RaiseLowerBound(Publishable(t), name());
  if (board.best_bottleneck() <= t) return false;  // already optimal

  // Stepping up from the bound (bisecting towards the incumbent was slower
  // on the Scholl set: the probes below OPT are the hard ones, and there the
  // bound is usually tight) makes every feasible probe a proof.
  if (forward_ == nullptr) Init();
  if (t != lower_t_) {
    lower_t_ = t;
    lower_budget_ = kFirstRaceBudget;
    lower_round_ = 0;
  }
  // The upper side gets about as many search nodes as the lower side, after
  // a head start of the lower side: when the bound is tight D(t) is usually
  // feasible and found quickly (probing from the start lost 8 of 263 Scholl
  // proofs at 2 s, e.g. SCHOLL m=39, 46).
  if (sides_ == Sides::kUpper) {
    // Alone on its thread the upper side probes from the start; with
    // nothing between bound and incumbent it races the lower side on D(t)
    // in its own orders.
    ProbeUpper(t, ctx, board, /*or_bound=*/true);
    return !ctx.ShouldStop();
  }
  if (sides_ == Sides::kBoth && direction_ == Direction::kRace &&
      probe_nodes_ + probe_head_start_ < lower_nodes_ &&
      ProbeUpper(t, ctx, board, /*or_bound=*/false)) {
    return !ctx.ShouldStop();
  }
  // One round of the lower side: D(t) in each direction under the current
  // budget. Each decider keeps its failed ideals, so the next round (twice
  // the budget) replays little; the cost is at most about four times that
  // of the faster direction. Rounds after the first use randomised orders
  // (seeds 1, 2, ...): restarts that keep the failures found so far, which
  // helps most when D(T) is feasible and the default order misses the
  // solutions.
  SalbpDecisionResult result;
  if (backward_ == nullptr || direction_ != Direction::kRace) {
    // A pinned direction decides D(t) in one go.
    result = Decide(backward_ != nullptr && direction_ == Direction::kBackward,
                    t, ctx, 0, 0);
  } else {
    const bool backward_first = backward_won_;
    result = Decide(backward_first, t, ctx, lower_budget_, lower_round_);
    lower_nodes_ += result.search_nodes;
    if (result.status == SalbpDecisionResult::Status::kStopped &&
        !ctx.ShouldStop()) {
      result = Decide(!backward_first, t, ctx, lower_budget_, lower_round_);
      lower_nodes_ += result.search_nodes;
      if (result.status != SalbpDecisionResult::Status::kStopped) {
        backward_won_ = !backward_first;
      }
    }
    lower_budget_ *= 2;
    ++lower_round_;
  }
  switch (result.status) {
    case SalbpDecisionResult::Status::kStopped:
      break;
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
      board.RaiseLowerBound(Publishable(proven_), name());
      return true;
    }
  }
  return !ctx.ShouldStop();
}

// The upper side: D(T_u) for a T_u strictly between the bound t and the
// incumbent, under a node budget with a randomised order, alternating
// directions (the deciders' failed ideals are shared with the lower side:
// each holds up to its own cycle time). A feasible answer is a real
// partition (the board re-evaluates it) and drops the incumbent; an
// infeasible one proves OPT > T_u like any D(T). T_u sits at a fraction of
// the way from t to the incumbent: lowered after a success, raised towards
// the incumbent after a stopped probe; stuck one below the incumbent, the
// budget doubles. (Measured on ARC111 m=20, 10 s: the incumbent fell from
// 8825 to 7524, bound 7521; budgets below ~150k nodes find nothing there,
// the listing of a station's maximal loads alone may take 400k.)
bool SalbpSearchWorker::ProbeUpper(double t, SolveContext& ctx,
                                   SolutionBoard& board, bool or_bound) {
  const double ub = board.best_bottleneck();
  if (ub <= t) return false;
  double target = t;
  if (!std::isinf(ub)) {
    target = t + (ub - t) * probe_fraction_;
    if (integral_) {
      target = std::min(std::floor(target), ub - 1);
    } else {
      target = std::min(target, ub * (1 - 1e-9));
    }
  }
  // D(t) is the lower side's question, asked here only when racing it.
  if (target <= t && !or_bound) return false;
  target = std::max(target, t);
  ++probe_seed_;
  const bool backward = backward_ != nullptr && (probe_seed_ & 1) != 0;
  const SalbpDecisionResult r =
      Decide(backward, target, ctx, probe_budget_, probe_seed_);
  probe_nodes_ += r.search_nodes;
  switch (r.status) {
    case SalbpDecisionResult::Status::kFeasible:
      board.OfferPartition(r.stage_of, name());
      probe_fraction_ = std::max(0.05, probe_fraction_ * 0.75);
      break;
    case SalbpDecisionResult::Status::kInfeasible:
      // A proof like the lower side's (next_cycle_time needs only that
      // D(target) is infeasible): OPT >= next > target.
      if (std::isinf(r.next_cycle_time)) {
        board.ReportInfeasible(name());
        return true;
      }
      proven_ = std::max(proven_, integral_ ? std::ceil(r.next_cycle_time)
                                            : r.next_cycle_time);
      board.RaiseLowerBound(Publishable(proven_), name());
      break;
    case SalbpDecisionResult::Status::kStopped:
      if (integral_ && target >= ub - 1) probe_budget_ *= 2;  // stuck
      probe_fraction_ = 1 - (1 - probe_fraction_) / 2;
      break;
  }
  return true;
}

}  // namespace pipecut
