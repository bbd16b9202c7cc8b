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

// The search recurses once per node (two frames of about 100 bytes each):
// 10,000 nodes need about 2 MB of a thread's 8 MB stack. Larger graphs give
// up (their stages hold far too many nodes for the search anyway).
constexpr int kMaxNodes = 10'000;

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
                   const SolveContext* ctx)
      : graph_(graph), params_(params), ctx_(ctx) {
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
    const bool found = Visit(0);
    if (found) {
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
    if (vs >= params_.min_value) return true;
    if (vs + suffix_value_[next] < params_.min_value) return false;
    // The sizes added stay below `room`, so their value is below ratio * room.
    const double ratio = suffix_ratio_[next];
    return std::isinf(ratio) || vs + ratio * room > params_.min_value;
  }

  bool OutOfBudget() {
    if (stopped_ || gave_up_) return true;
    if (++result_.states % 4096 == 0) {
      if (ctx_ != nullptr && ctx_->ShouldStop()) stopped_ = true;
      if (absl::Now() > params_.give_up_at) gave_up_ = true;
    }
    if (result_.states > params_.max_states) gave_up_ = true;
    return stopped_ || gave_up_;
  }

  // Nodes 0..i-1 of the order are decided.
  bool Visit(int i) {
    if (vs_ >= params_.min_value && lb_ + open_cost_ < params_.threshold) {
      RecordAnswer();
      return true;
    }
    const int n = static_cast<int>(order_.size());
    if (i == n || !Promising(lb_, vs_, i) || OutOfBudget() ||
        !Promising(lb_ + PendingCost(i), vs_, i)) {
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

  void RecordAnswer() {
    result_.cost = lb_ + open_cost_;
    for (int i = 0; i < static_cast<int>(order_.size()); ++i) {
      if (in_s_[i]) result_.nodes.push_back(order_[i]);
    }
  }

  const Graph& graph_;
  const HeavyStageParams& params_;
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
  bool stopped_ = false, gave_up_ = false;
  HeavyStageResult result_;
};

}  // namespace

HeavyStageResult SearchHeavyStage(const Graph& graph,
                                  const HeavyStageParams& params,
                                  const SolveContext* ctx) {
  return HeavyStageSearch(graph, params, ctx).Run();
}

}  // namespace pipecut
