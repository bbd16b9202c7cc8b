#include "core/bounds/heavy_stage_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <utility>
#include <vector>

#include "absl/time/clock.h"

namespace pipecut {
namespace {

using Status = HeavyStageResult::Status;

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The search recurses once per node (two frames of about 100 bytes each):
// 10,000 nodes need about 2 MB of a thread's 8 MB stack. Larger graphs give
// up (their stages hold far too many nodes for the search anyway).
constexpr int kMaxNodes = 10'000;

// Budgets of the suffix tables: r_j = (j + 1) threshold / kBuckets. A finer
// grid rounds budgets up less and costs more per check.
constexpr int kBuckets = 32;
// While a row is built, a branch is pruned unless it may beat an entry by
// more than this share of min_value, and entries are raised by it (so they
// stay upper bounds): a coarser table, far fewer states to build it.
constexpr double kTableSlack = 0.01;
// Rows are built from the end of the order while each takes at most this
// many states; the rows nearer the start (whose sets may span the whole
// graph) cost the most and serve the fewest states of the search.
constexpr int64_t kMaxRowStates = 1'000'000;

// A topological order that takes, of the ready nodes, the one whose latest
// predecessor came last: a node's readers follow it closely, so the cost of
// taking it (or of leaving them out) shows soon, before many unrelated
// choices pile up in between. On the 150-node heavy layered DAG (k = 16) it
// needs 2.0M states instead of 12.7M with the graph's breadth-first order to
// refute t = 66.87, and 5.2M instead of 22.9M for t = 69.01.
std::vector<int> ReadersSoonOrder(const Graph& graph) {
  const int n = graph.num_nodes();
  std::vector<int> missing(n), order;
  order.reserve(n);
  // (position of the latest predecessor, -node): latest first, then by id.
  std::priority_queue<std::pair<int, int>> ready;
  for (int v = 0; v < n; ++v) {
    missing[v] = static_cast<int>(graph.predecessors(v).size());
    if (missing[v] == 0) ready.emplace(-1, -v);
  }
  while (!ready.empty()) {
    const int v = -ready.top().second;
    ready.pop();
    const int position = static_cast<int>(order.size());
    order.push_back(v);
    for (int s : graph.successors(v)) {
      if (--missing[s] == 0) ready.emplace(position, -s);
    }
  }
  return order;
}

class HeavyStageSearch {
 public:
  HeavyStageSearch(const Graph& graph, const HeavyStageParams& params,
                   bool with_tables, const SolveContext* ctx)
      : graph_(graph), params_(params), with_tables_(with_tables), ctx_(ctx) {
    const int n = graph.num_nodes();
    order_ = ReadersSoonOrder(graph);
    std::vector<int> index(n);
    for (int i = 0; i < n; ++i) index[order_[i]] = i;
    preds_.resize(n);
    succs_.resize(n);
    last_reader_.assign(n, -1);
    for (int i = 0; i < n; ++i) {
      for (int u : graph.predecessors(order_[i])) preds_[i].push_back(index[u]);
      for (int s : graph.successors(order_[i])) {
        succs_[i].push_back(index[s]);
        last_reader_[i] = std::max(last_reader_[i], index[s]);
      }
    }
    mark_.assign(n, 0);
    value_.resize(n);
    for (int i = 0; i < n; ++i) {
      value_[i] = params.value.empty() ? graph.work(order_[i])
                                       : params.value[order_[i]];
    }
    suffix_value_.assign(n + 1, 0);
    suffix_ratio_.assign(n + 1, 0);
    for (int i = n - 1; i >= 0; --i) {
      suffix_value_[i] = suffix_value_[i + 1] + value_[i];
      const double size =
          params.size.empty() ? graph.work(order_[i]) : params.size[order_[i]];
      const double ratio = value_[i] <= 0 ? 0
                           : size > 0     ? value_[i] / size
                                      : std::numeric_limits<double>::infinity();
      suffix_ratio_[i] = std::max(suffix_ratio_[i + 1], ratio);
    }
    in_s_.assign(n, 0);
    reach_.assign(n, 0);
    dead_.assign(n, 0);
    readers_in_s_.assign(n, 0);
  }

  HeavyStageResult Run() {
    if (graph_.num_nodes() > kMaxNodes) {
      result_.status = Status::kGaveUp;
      return result_;
    }
    bool found = with_tables_ && BuildSuffixTables();
    if (!found && !stopped_ && !gave_up_) found = Visit(0);
    if (found || !result_.nodes.empty()) {
      result_.status = Status::kFound;
    } else if (stopped_) {
      result_.status = Status::kStopped;
    } else if (gave_up_) {
      result_.status = Status::kGaveUp;
    } else {
      result_.status = Status::kNone;
    }
    return result_;
  }

 private:
  // Whether a branch whose sums are these, with the nodes from position
  // `next` on undecided, can still hold an answer (the header's rule).
  bool Promising(double lb, double vs, int next) const {
    const double room = params_.threshold - lb;
    if (room <= 0) return false;
    if (row_ != nullptr) {  // tabulating: may some entry of the row rise?
      for (int j = kBuckets - 1; j >= 0 && Budget(j) > lb; --j) {
        if (vs + MostAdded(next, Budget(j) - lb) > row_[j]) return true;
      }
      return false;
    }
    if (vs >= params_.min_value) return true;
    if (vs + suffix_value_[next] < params_.min_value) return false;
    // The sizes added stay below `room`, so their value is below ratio * room.
    const double ratio = suffix_ratio_[next];
    return std::isinf(ratio) || vs + ratio * room > params_.min_value;
  }

  // The most value the nodes from `next` on add to a set whose cost must
  // stay below lb + room (the header's rule).
  double MostAdded(int next, double room) const {
    const double ratio = suffix_ratio_[next];
    return std::isinf(ratio) ? suffix_value_[next]
                             : std::min(suffix_value_[next], ratio * room);
  }

  // Suffix tables (a Russian-doll search). table_[i][j] >= the value of
  // every convex set X of nodes at positions >= i with f(X) < r_j (and
  // memory within the limit).
  //  Build, i = n-1 down to 1: X either avoids i, so row i+1 bounds it, or
  // contains i; those sets are searched as the branch "leave every node
  // before i, take i" of the search itself, each set recorded as it stands
  // (plus the slack), pruned by the value-per-size cut and by the rows after
  // i (below) where they cannot beat an entry. A set reaching min_value
  // below t is an answer and ends the search.
  //  Use (TablesAllow): a branch with positions < m decided, set S and sums
  // lb, completes as S u Y with Y at positions >= m. Tensors written at
  // positions >= m are cut by S u Y iff cut by Y. An earlier tensor u that Y
  // reads (so f(Y) counts it) is cut by S u Y, and not counted in lb,
  // unless u is in S or S reads u; lb counts only cut terms of S u Y apart
  // from those. So f(S u Y) >= lb + f(Y) - D, D = c of the tensors of S and
  // of those S reads that have a reader at m or later, and f(S u Y) < r
  // needs f(Y) < r - lb + D: value(Y) <= table_[m][j] for the smallest
  // r_j >= r - lb + D (no bound when that exceeds t).
  // Returns true when the build met an answer (recorded).
  bool BuildSuffixTables() {
    const int n = static_cast<int>(order_.size());
    table_.assign(static_cast<size_t>(n + 1) * kBuckets, 0);  // row n: empty
    slack_ = kTableSlack * std::max(0.0, params_.min_value);
    bool found = false;
    built_from_ = n;
    for (int i = n - 1; i >= 1 && !found && !stopped_ && !gave_up_; --i) {
      row_ = &table_[static_cast<size_t>(i) * kBuckets];
      row_state_limit_ = result_.states + kMaxRowStates;
      std::copy_n(row_ + kBuckets, kBuckets, row_);
      if (params_.memory_limit <= 0 ||
          graph_.memory(order_[i]) <= params_.memory_limit) {
        found = Take(i);
      }
      if (row_overflow_) break;  // row i is incomplete: not used
      built_from_ = i;
    }
    row_ = nullptr;
    row_overflow_ = false;
    return found;
  }

  double Budget(int j) const { return params_.threshold * (j + 1) / kBuckets; }

  // table_[m][j] for the smallest r_j >= room, +inf past t or without row m.
  double TableValue(int m, double room) const {
    if (room > params_.threshold || m < built_from_) return kInfinity;
    int j = std::clamp(
        static_cast<int>(std::ceil(room / params_.threshold * kBuckets)) - 1, 0,
        kBuckets - 1);
    while (Budget(j) < room) ++j;  // rounding in ceil; Budget(last) = t
    return table_[static_cast<size_t>(m) * kBuckets + j];
  }

  // D of the rule above: the tensors of S and those S reads, with a reader
  // at position m or later.
  double SharedTensors(int m) {
    const int64_t mine = ++stamp_;
    double total = 0;
    for (int p : taken_) {
      if (last_reader_[p] >= m) total += graph_.comm(order_[p]);
      for (int q : preds_[p]) {
        if (in_s_[q] || mark_[q] == mine) continue;
        mark_[q] = mine;
        if (last_reader_[q] >= m) total += graph_.comm(order_[q]);
      }
    }
    return total;
  }

  // Whether the suffix tables let the branch at m hold an answer (or, while
  // tabulating, raise an entry of the row).
  bool TablesAllow(int m) {
    if (table_.empty() || m < built_from_) return true;
    const double shared = SharedTensors(m);
    if (row_ == nullptr) {
      // Rounding in the tables' sums must not prune an answer: a margin.
      const double margin = 1e-9 * std::max(1.0, std::abs(params_.min_value));
      return vs_ + TableValue(m, params_.threshold - lb_ + shared) >=
             params_.min_value - margin;
    }
    for (int j = kBuckets - 1; j >= 0 && Budget(j) > lb_; --j) {
      if (vs_ + TableValue(m, Budget(j) - lb_ + shared) > row_[j]) return true;
    }
    return false;
  }

  // While tabulating: the set as it stands (the rest left out), of cost
  // `cost`, in every budget above that. True if it is an answer (recorded).
  bool RecordInTable(double cost) {
    if (vs_ >= params_.min_value && cost < params_.threshold) {
      RecordAnswer();
      return true;  // the rows would no longer bound the branch's sets
    }
    for (int j = kBuckets - 1; j >= 0 && Budget(j) > cost; --j) {
      row_[j] = std::max(row_[j], vs_ + slack_);
    }
    return false;
  }

  bool OutOfBudget() {
    if (stopped_ || gave_up_) return true;
    if (++result_.states % 4096 == 0) {
      if (ctx_ != nullptr && ctx_->ShouldStop()) stopped_ = true;
      if (absl::Now() > params_.give_up_at) gave_up_ = true;
    }
    if (result_.states > params_.max_states) gave_up_ = true;
    if (row_ != nullptr && result_.states > row_state_limit_) {
      row_overflow_ = true;
    }
    return stopped_ || gave_up_ || row_overflow_;
  }

  // Nodes 0..i-1 of the order are decided.
  bool Visit(int i) {
    if (row_ != nullptr) {
      if (RecordInTable(lb_ + open_cost_)) return true;
    } else if (vs_ >= params_.min_value &&
               lb_ + open_cost_ < params_.threshold) {
      // Its supersets would be much the same answer: the branch ends.
      return RecordAnswer();
    }
    const int n = static_cast<int>(order_.size());
    if (i == n || !Promising(lb_, vs_, i) || OutOfBudget() ||
        !Promising(lb_ + PendingCost(i), vs_, i) || !TablesAllow(i)) {
      return false;
    }
    bool blocked = false;  // a left-out node reachable from S precedes i
    bool reached = false;  // i is reachable from S
    for (int p : preds_[i]) {
      if (reach_[p]) reached = true;
      if (reach_[p] && !in_s_[p]) blocked = true;
    }
    const int v = order_[i];
    if (!blocked && (params_.memory_limit <= 0 ||
                     memory_ + graph_.memory(v) <= params_.memory_limit)) {
      if (Take(i)) return true;
    }
    return Leave(i, reached);
  }

  // A lower bound on the communication that every completion of the branch
  // adds to lb (nodes 0..i-1 decided). A node p of S with an undecided
  // reader either sends its tensor (c(p)) or has all its undecided readers
  // join S; a reader joins only if no left-out node reachable from S
  // precedes it (else p surely pays c(p)), and then reads every left-out
  // predecessor q, which S does not read yet: c(q) more. So p adds at least
  // min(c(p), c(Q(p))), Q(p) = those q over p's readers. The nodes p and the
  // nodes q are distinct terms of f of the completed set, so the minima of
  // nodes p with pairwise disjoint Q(p) add up (taken greedily).
  double PendingCost(int i) {
    double total = 0;
    const int64_t used = ++stamp_;  // q taken by an earlier p of this call
    for (int p : taken_) {
      if (dead_[p] || last_reader_[p] < i) continue;
      const int64_t mine = ++stamp_;
      bool certain = false, shared = false;
      double q_cost = 0;
      for (int r : succs_[p]) {
        if (r < i) continue;  // decided, so in S: p is not dead
        for (int q : preds_[r]) {
          if (q >= i || in_s_[q]) continue;
          if (reach_[q]) certain = true;  // r can never join
          if (readers_in_s_[q] > 0 || mark_[q] == mine) continue;
          if (mark_[q] >= used) shared = true;
          mark_[q] = mine;
          q_cost += graph_.comm(order_[q]);
        }
        if (certain) break;
      }
      const double c = graph_.comm(order_[p]);
      if (certain) {
        total += c;
      } else if (!shared && q_cost > 0) {
        total += std::min(c, q_cost);
      }
    }
    return total;
  }

  bool Take(int i) {
    const int v = order_[i];
    double add = graph_.work(v);
    for (int p : preds_[i]) {
      if (!in_s_[p] && readers_in_s_[p] == 0) add += graph_.comm(order_[p]);
    }
    if (!Promising(lb_ + add, vs_ + value_[i], i + 1)) return false;
    const double saved_lb = lb_, saved_vs = vs_, saved_open = open_cost_;
    const int64_t saved_memory = memory_;
    for (int p : preds_[i]) {
      if (!in_s_[p]) {
        ++readers_in_s_[p];
      } else if (!dead_[p] && last_reader_[p] == i) {
        open_cost_ -= graph_.comm(order_[p]);  // every reader of p is in S
      }
    }
    if (last_reader_[i] >= 0) open_cost_ += graph_.comm(v);
    lb_ += add;
    vs_ += value_[i];
    memory_ += graph_.memory(v);
    in_s_[i] = 1;
    reach_[i] = 1;
    taken_.push_back(i);
    const bool found = Visit(i + 1);
    if (found) return true;
    taken_.pop_back();
    in_s_[i] = 0;
    reach_[i] = 0;
    for (int p : preds_[i]) {
      if (!in_s_[p]) --readers_in_s_[p];
    }
    lb_ = saved_lb;
    vs_ = saved_vs;
    open_cost_ = saved_open;
    memory_ = saved_memory;
    return false;
  }

  bool Leave(int i, bool reached) {
    const double saved_lb = lb_, saved_open = open_cost_;
    const size_t mark = died_.size();
    for (int p : preds_[i]) {
      if (in_s_[p] && !dead_[p]) {
        dead_[p] = 1;
        died_.push_back(p);
        lb_ += graph_.comm(order_[p]);
        open_cost_ -= graph_.comm(order_[p]);
      }
    }
    reach_[i] = reached ? 1 : 0;
    const bool found = Promising(lb_, vs_, i + 1) && Visit(i + 1);
    if (found) return true;
    reach_[i] = 0;
    for (size_t j = mark; j < died_.size(); ++j) dead_[died_[j]] = 0;
    died_.resize(mark);
    lb_ = saved_lb;
    open_cost_ = saved_open;
    return false;
  }

  // Records S as an answer; true when that is the last one wanted.
  bool RecordAnswer() {
    std::vector<int> nodes;
    for (int i = 0; i < static_cast<int>(order_.size()); ++i) {
      if (in_s_[i]) nodes.push_back(order_[i]);
    }
    if (result_.nodes.empty()) {
      result_.nodes = std::move(nodes);
      result_.cost = lb_ + open_cost_;
    } else {
      result_.more.push_back({std::move(nodes), lb_ + open_cost_});
    }
    return row_ != nullptr ||
           1 + static_cast<int>(result_.more.size()) >= params_.max_answers;
  }

  const Graph& graph_;
  const HeavyStageParams& params_;
  const bool with_tables_;
  const SolveContext* ctx_;
  std::vector<int> order_;
  std::vector<std::vector<int>> preds_, succs_;  // in order positions
  std::vector<int> last_reader_;                 // order position, -1 for sinks
  std::vector<double> value_;                    // in order positions
  std::vector<double> suffix_value_;             // of positions i..n-1
  std::vector<double> suffix_ratio_;             // max value / size over them
  std::vector<char> in_s_, reach_, dead_;
  std::vector<int> readers_in_s_;
  std::vector<int> died_;      // nodes of S made dead, undone branch by branch
  std::vector<int> taken_;     // S, in the order taken
  std::vector<int64_t> mark_;  // PendingCost's stamps
  int64_t stamp_ = 0;
  double lb_ = 0;  // w(S) + c(in(S)) + c(S's tensors a left-out node reads)
  double vs_ = 0;  // value(S)
  double open_cost_ = 0;  // c(S's other tensors with an undecided reader)
  int64_t memory_ = 0;
  // Suffix tables: (n + 1) rows of kBuckets, row 0 unused (empty: none).
  std::vector<double> table_;
  double* row_ = nullptr;  // the row being built, while tabulating
  double slack_ = 0;       // kTableSlack * min_value
  int built_from_ = 0;     // the rows from this one on are built
  int64_t row_state_limit_ = 0;
  bool row_overflow_ = false;
  bool stopped_ = false, gave_up_ = false;
  HeavyStageResult result_;
};

}  // namespace

HeavyStageResult SearchHeavyStage(const Graph& graph,
                                  const HeavyStageParams& params,
                                  const SolveContext* ctx) {
  const int64_t plain_states = params.tables_after_states;
  if (plain_states < 0 || plain_states >= params.max_states) {
    return HeavyStageSearch(graph, params, false, ctx).Run();
  }
  HeavyStageResult first;
  if (plain_states > 0) {
    HeavyStageParams plain = params;
    plain.max_states = plain_states;
    first = HeavyStageSearch(graph, plain, false, ctx).Run();
    // Settled, stopped or out of time.
    if (first.status != Status::kGaveUp || first.states <= plain_states) {
      return first;
    }
  }
  HeavyStageParams rest = params;
  rest.max_states = params.max_states - first.states;
  HeavyStageResult second = HeavyStageSearch(graph, rest, true, ctx).Run();
  second.states += first.states;
  return second;
}

}  // namespace pipecut
