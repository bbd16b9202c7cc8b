#include "core/bounds/cluster_stage.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "absl/time/clock.h"
#include "core/bounds/closure_work.h"
#include "core/util/logging.h"

namespace pipecut {
namespace {

// Comparisons against a guess allow this relative slack in the permissive
// direction (sums of works in another order differ in the last bits).
constexpr double kSlack = 1e-9;

int Find(std::vector<int>& parent, int v) {
  while (parent[v] != v) v = parent[v] = parent[parent[v]];
  return v;
}

// Unites the sets of a and b; true if they were apart.
bool Unite(std::vector<int>& parent, int a, int b) {
  a = Find(parent, a);
  b = Find(parent, b);
  if (a == b) return false;
  parent[std::max(a, b)] = std::min(a, b);
  return true;
}

// f(K) of every cluster K, in one pass over the edges.
std::vector<double> ClusterCosts(const Graph& graph,
                                 const std::vector<std::vector<int>>& clusters,
                                 const std::vector<int>& cluster_of) {
  std::vector<double> costs(clusters.size(), 0);
  std::vector<int> read_by(graph.num_nodes(), -1);  // last cluster reading p
  for (int i = 0; i < static_cast<int>(clusters.size()); ++i) {
    for (int v : clusters[i]) {
      costs[i] += graph.work(v);
      for (int p : graph.predecessors(v)) {
        if (cluster_of[p] != i && read_by[p] != i) {
          read_by[p] = i;
          costs[i] += graph.comm(p);
        }
      }
      for (int s : graph.successors(v)) {
        if (cluster_of[s] != i) {
          costs[i] += graph.comm(v);
          break;
        }
      }
    }
  }
  return costs;
}

// The search behind ClusterStage::SearchStage. It grows S from the seed,
// one neighbour at a time: each step picks an undecided node adjacent to S
// and either adds it, with every node on a path between it and S (S stays
// convex), or excludes it for good.
//
// Why it is exact. (a) Some cheapest answer has a seed node in each of its
// weakly connected components: if S is an answer and A the union of the
// components of G[S] holding seed nodes, A is convex (a node on a path
// between two nodes of A lies in S and is joined to them by that path), and
// as no edge joins A to S \ A, f(S) - f(A) = w(S \ A) + the tensors only
// S \ A reads + c(out(S \ A)) >= 0, with no more memory. (b) Every such
// convex answer S* is reached: along the branch that adds the neighbours in
// S* and excludes the others, S stays inside S*; when no neighbour is
// undecided, a node of S* \ S would be joined to a seed node by a path in
// S*, whose first node outside S is an undecided neighbour; so S = S*,
// whose cost the state checks.
// (c) The cut. Along a branch S only grows and excluded nodes stay out, so
// w(S), c(p) for excluded p read by S and c(v) for v in S with an excluded
// reader are terms of f(S') for every S' the branch reaches. An undecided
// predecessor p of S adds w(p) if it joins and c(p) if not; the readers
// outside S of a node v in S either all join (their works) or v sends its
// tensor (c(v)). Predecessors and readers outside a convex S are distinct
// nodes (one that is both lies on a path through S), each reader's work is
// claimed by one v only, and every term names a distinct node, so
//   lb = w(S) + sum of certain terms + sum over p of min(c(p), w(p))
//        + sum over v of min(c(v), w(v's unclaimed readers))
// is at most f(S'); a branch with lb >= t holds no answer.
class StageGrowth {
 public:
  StageGrowth(const Graph& graph, int words, const std::vector<uint64_t>& desc,
              const std::vector<uint64_t>& anc, int64_t memory_limit, double t,
              const ClusterStage::StageLimits& limits, const SolveContext* ctx)
      : graph_(graph),
        words_(words),
        desc_(desc),
        anc_(anc),
        memory_limit_(memory_limit),
        t_(t),
        limits_(limits),
        ctx_(ctx),
        in_s_(graph.num_nodes(), 0),
        excluded_(graph.num_nodes(), 0),
        mark_(graph.num_nodes(), 0),
        claim_(graph.num_nodes(), 0),
        s_desc_(words, 0),
        s_anc_(words, 0),
        s_bits_(words, 0) {}

  ClusterStage::StageSearch Run(const std::vector<int>& seed,
                                const std::vector<char>& excluded) {
    if (!excluded.empty()) excluded_ = excluded;
    bool found = false;
    if (AddSeed(seed)) found = Visit();  // else no S holds the seed
    result_.status = found      ? Status::kFound
                     : stopped_ ? Status::kStopped
                     : gave_up_ ? Status::kGaveUp
                                : Status::kNone;
    return result_;
  }

 private:
  using Status = ClusterStage::StageSearch::Status;

  const uint64_t* Row(const std::vector<uint64_t>& rows, int v) const {
    return &rows[static_cast<size_t>(v) * words_];
  }

  // Adds the seed with its hull; false if that holds an excluded node or
  // passes the memory limit.
  bool AddSeed(const std::vector<int>& seed) {
    for (int v : seed) {
      if (!in_s_[v] && !Add(v)) return false;
    }
    return true;
  }

  // Adds v and the nodes between it and S; false (S unchanged) if one of
  // them is excluded or the memory limit would be passed.
  bool Add(int v) {
    const uint64_t* dv = Row(desc_, v);
    const uint64_t* av = Row(anc_, v);
    std::vector<int> added;
    int64_t memory = 0;
    for (int i = 0; i < words_; ++i) {
      for (uint64_t m =
               (s_desc_[i] | dv[i]) & (s_anc_[i] | av[i]) & ~s_bits_[i];
           m != 0; m &= m - 1) {
        const int x = i * 64 + __builtin_ctzll(m);
        if (excluded_[x]) return false;
        added.push_back(x);
        memory += graph_.memory(x);
      }
    }
    if (memory_limit_ > 0 && memory_ + memory > memory_limit_) return false;
    frames_.push_back({s_.size(), s_desc_, s_anc_, memory_, work_});
    for (int x : added) {
      in_s_[x] = 1;
      s_bits_[x / 64] |= uint64_t{1} << (x % 64);
      s_.push_back(x);
      work_ += graph_.work(x);
    }
    memory_ += memory;
    for (int i = 0; i < words_; ++i) {
      s_desc_[i] |= dv[i];
      s_anc_[i] |= av[i];
    }
    return true;
  }

  void Undo() {
    Frame& frame = frames_.back();
    for (size_t j = frame.size; j < s_.size(); ++j) {
      in_s_[s_[j]] = 0;
      s_bits_[s_[j] / 64] &= ~(uint64_t{1} << (s_[j] % 64));
    }
    s_.resize(frame.size);
    s_desc_ = std::move(frame.desc);
    s_anc_ = std::move(frame.anc);
    memory_ = frame.memory;
    work_ = frame.work;
    frames_.pop_back();
  }

  bool OutOfBudget() {
    if (stopped_ || gave_up_) return true;
    if (++result_.states % 1024 == 0) {
      if (ctx_ != nullptr && ctx_->ShouldStop()) stopped_ = true;
      if (absl::Now() > limits_.give_up_at) gave_up_ = true;
    }
    if (result_.states > limits_.max_states) gave_up_ = true;
    return stopped_ || gave_up_;
  }

  bool Visit() {
    if (OutOfBudget()) return false;
    const int64_t stamp = ++stamp_;
    double cost = work_, lb = work_;
    int branch = -1;
    double stake = -1;
    const auto consider = [&](int x, double c) {
      if (c > stake) {
        stake = c;
        branch = x;
      }
    };
    for (int v : s_) {
      for (int p : graph_.predecessors(v)) {
        if (in_s_[p] || mark_[p] == stamp) continue;
        mark_[p] = stamp;
        const double c = graph_.comm(p);
        cost += c;
        if (excluded_[p]) {
          lb += c;
        } else {
          lb += std::min(c, graph_.work(p));
          consider(p, c);
        }
      }
      bool certain = false, open = false;
      double readers = 0;
      for (int r : graph_.successors(v)) {
        if (in_s_[r]) continue;
        if (excluded_[r]) {
          certain = true;
          continue;
        }
        open = true;
        if (claim_[r] != stamp) {
          claim_[r] = stamp;
          readers += graph_.work(r);
        }
        consider(r, graph_.comm(v));
      }
      const double c = graph_.comm(v);
      if (certain || open) cost += c;
      lb += certain ? c : open ? std::min(c, readers) : 0.0;
    }
    if (cost < t_) {
      result_.nodes = s_;
      std::sort(result_.nodes.begin(), result_.nodes.end());
      result_.cost = cost;
      return true;
    }
    if (lb >= t_ || branch < 0) return false;
    if (Add(branch)) {
      const bool found = Visit();
      Undo();
      if (found) return true;
    }
    excluded_[branch] = 1;
    const bool found = Visit();
    excluded_[branch] = 0;
    return found;
  }

  struct Frame {
    size_t size;
    std::vector<uint64_t> desc, anc;
    int64_t memory;
    double work;
  };

  const Graph& graph_;
  const int words_;
  const std::vector<uint64_t>& desc_;
  const std::vector<uint64_t>& anc_;
  const int64_t memory_limit_;
  const double t_;
  const ClusterStage::StageLimits& limits_;
  const SolveContext* ctx_;
  std::vector<char> in_s_, excluded_;
  std::vector<int> s_;
  std::vector<int64_t> mark_, claim_;
  int64_t stamp_ = 0;
  std::vector<uint64_t> s_desc_, s_anc_;  // union of S's rows
  std::vector<uint64_t> s_bits_;          // S
  std::vector<Frame> frames_;
  double work_ = 0;
  int64_t memory_ = 0;
  bool stopped_ = false, gave_up_ = false;
  ClusterStage::StageSearch result_;
};

}  // namespace

ClusterStage::ClusterStage(const Graph& graph, int64_t memory_limit,
                           std::shared_ptr<const ClosureRows> rows)
    : graph_(graph),
      memory_limit_(memory_limit),
      rows_(rows != nullptr ? std::move(rows)
                            : std::make_shared<const ClosureRows>(graph)) {}

ClusterStage::~ClusterStage() = default;

std::vector<uint64_t> ClusterStage::RowUnion(
    const std::vector<uint64_t>& rows, const std::vector<int>& nodes) const {
  std::vector<uint64_t> row(words(), 0);
  for (int v : nodes) {
    const uint64_t* r = &rows[static_cast<size_t>(v) * words()];
    for (int i = 0; i < words(); ++i) row[i] |= r[i];
  }
  return row;
}

double ClusterStage::HullWork(const uint64_t* desc_x, const uint64_t* anc_x,
                              const uint64_t* desc_y, const uint64_t* anc_y,
                              double t) const {
  double work = 0;
  for (int i = 0; i < words() && work < t; ++i) {
    for (uint64_t m = (desc_x[i] | desc_y[i]) & (anc_x[i] | anc_y[i]); m != 0;
         m &= m - 1) {
      work += graph_.work(i * 64 + __builtin_ctzll(m));
    }
  }
  return work;
}

std::vector<std::vector<int>> ClusterStage::Clusters(double t) const {
  const Graph& g = graph_;
  const int n = g.num_nodes();
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  // Rule (1), with the permissive slack: a tie needs the cost to reach t
  // clearly.
  for (int u = 0; u < n; ++u) {
    if (g.successors(u).empty()) continue;
    double lightest_reader = g.work(g.successors(u).front());
    for (int r : g.successors(u)) {
      lightest_reader = std::min(lightest_reader, g.work(r));
    }
    if (g.comm(u) + std::max(g.work(u), lightest_reader) < t * (1 + kSlack)) {
      continue;
    }
    for (int r : g.successors(u)) Unite(parent, u, r);
  }
  // Rule (2), to a fixpoint: each round adds every group's hull to it.
  std::vector<std::vector<int>> groups;
  for (bool changed = true; changed;) {
    changed = false;
    groups.assign(n, {});
    for (int v = 0; v < n; ++v) groups[Find(parent, v)].push_back(v);
    for (const std::vector<int>& group : groups) {
      if (group.size() < 2) continue;
      const std::vector<uint64_t> d = RowUnion(rows_->desc, group);
      const std::vector<uint64_t> a = RowUnion(rows_->anc, group);
      for (int i = 0; i < words(); ++i) {
        for (uint64_t m = d[i] & a[i]; m != 0; m &= m - 1) {
          changed |= Unite(parent, group.front(), i * 64 + __builtin_ctzll(m));
        }
      }
    }
  }
  std::vector<std::vector<int>> clusters;
  for (std::vector<int>& group : groups) {
    if (!group.empty()) clusters.push_back(std::move(group));
  }
  return clusters;
}

std::vector<int> ClusterStage::Hull(const std::vector<int>& nodes) const {
  const std::vector<uint64_t> d = RowUnion(rows_->desc, nodes);
  const std::vector<uint64_t> a = RowUnion(rows_->anc, nodes);
  std::vector<int> hull;
  for (int i = 0; i < words(); ++i) {
    for (uint64_t m = d[i] & a[i]; m != 0; m &= m - 1) {
      hull.push_back(i * 64 + __builtin_ctzll(m));
    }
  }
  return hull;
}

ClusterStage::StageSearch ClusterStage::SearchStage(
    const std::vector<int>& seed, const std::vector<char>& excluded, double t,
    const StageLimits& limits, const SolveContext* ctx) const {
  return StageGrowth(graph_, words(), rows_->desc, rows_->anc, memory_limit_, t,
                     limits, ctx)
      .Run(seed, excluded);
}

ClusterStage::Outcome ClusterStage::SearchCluster(
    int cluster, const std::vector<std::vector<int>>& clusters,
    const std::vector<uint64_t>& desc, const std::vector<uint64_t>& anc,
    double t, const StageLimits& limits, const SolveContext* ctx) const {
  const auto row = [&](const std::vector<uint64_t>& rows, int i) {
    return &rows[static_cast<size_t>(i) * words()];
  };
  std::vector<char> excluded(graph_.num_nodes(), 0);
  for (int i = 0; i < static_cast<int>(clusters.size()); ++i) {
    // Permissive slack again: exclude only what clearly costs t.
    if (i != cluster &&
        HullWork(row(desc, cluster), row(anc, cluster), row(desc, i),
                 row(anc, i), t * (1 + kSlack)) >= t * (1 + kSlack)) {
      for (int v : clusters[i]) excluded[v] = 1;
    }
  }
  switch (
      SearchStage(clusters[cluster], excluded, t * (1 + kSlack), limits, ctx)
          .status) {
    case StageSearch::Status::kNone:
      return Outcome::kRefuted;
    case StageSearch::Status::kFound:
      return Outcome::kNotRefuted;
    case StageSearch::Status::kGaveUp:
      return Outcome::kGaveUp;
    case StageSearch::Status::kStopped:
      return Outcome::kStopped;
  }
  return Outcome::kStopped;
}

ClusterStage::Outcome ClusterStage::Probe(double t,
                                          int64_t max_states_per_cluster,
                                          absl::Time give_up_at,
                                          const SolveContext* ctx) const {
  const std::vector<std::vector<int>> clusters = Clusters(t);
  const int count = static_cast<int>(clusters.size());
  std::vector<int> cluster_of(graph_.num_nodes());
  std::vector<uint64_t> desc, anc;  // one row per cluster
  desc.reserve(static_cast<size_t>(count) * words());
  anc.reserve(static_cast<size_t>(count) * words());
  for (int i = 0; i < count; ++i) {
    for (int v : clusters[i]) cluster_of[v] = i;
    const std::vector<uint64_t> d = RowUnion(rows_->desc, clusters[i]);
    const std::vector<uint64_t> a = RowUnion(rows_->anc, clusters[i]);
    desc.insert(desc.end(), d.begin(), d.end());
    anc.insert(anc.end(), a.begin(), a.end());
  }
  // A cluster that is a stage of cost < t by itself cannot be refuted.
  const std::vector<double> costs = ClusterCosts(graph_, clusters, cluster_of);
  std::vector<std::pair<double, int>> seeds;  // (-cost, cluster)
  for (int i = 0; i < count; ++i) {
    if (costs[i] >= t * (1 + kSlack)) seeds.emplace_back(-costs[i], i);
  }
  std::sort(seeds.begin(), seeds.end());
  // Rounds of growing budgets: a cluster whose stage has many shapes must
  // not hold up one that is refuted in a few states.
  std::vector<int> open;  // seeds that gave up so far
  for (const auto& seed : seeds) open.push_back(seed.second);
  for (int64_t budget = std::min<int64_t>(1 << 14, max_states_per_cluster);
       !open.empty(); budget *= 8) {
    std::vector<int> gave_up;
    for (int i : open) {
      StageLimits limits;
      limits.max_states = std::min(budget, max_states_per_cluster);
      limits.give_up_at = give_up_at;
      const Outcome one = SearchCluster(i, clusters, desc, anc, t, limits, ctx);
      if (one == Outcome::kRefuted || one == Outcome::kStopped) return one;
      if (one == Outcome::kGaveUp) gave_up.push_back(i);
      if (absl::Now() > give_up_at) return Outcome::kGaveUp;
    }
    if (budget >= max_states_per_cluster) {
      return gave_up.empty() ? Outcome::kNotRefuted : Outcome::kGaveUp;
    }
    open = std::move(gave_up);
  }
  return Outcome::kNotRefuted;
}

ClusterStageWorker::ClusterStageWorker(const Graph& graph, int64_t memory_limit)
    : graph_(graph),
      memory_limit_(memory_limit),
      rounder_(graph, BoundRounder::kCombinatorialShave) {}

ClusterStageWorker::~ClusterStageWorker() = default;

bool ClusterStageWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  if (!graph_.has_communication()) return false;  // SALBP: nothing is tied
  if (bound_ == nullptr) {
    absl::StatusOr<Contraction> contraction =
        ContractAnchoredNodes(graph_, memory_limit_ > 0);
    if (contraction.ok()) {
      contraction_ = std::make_unique<Contraction>(*std::move(contraction));
    }
    const Graph& graph = contraction_ ? contraction_->graph : graph_;
    if (graph.num_nodes() > kClusterStageMaxNodes) {
      PIPECUT_LOG(Info) << name() << ": skipped, " << graph.num_nodes()
                        << " nodes (at most " << kClusterStageMaxNodes << ")";
      return false;
    }
    bound_ = std::make_unique<ClusterStage>(graph, memory_limit_);
  }
  const double lo = board.lower_bound();
  // f(V) = W: one stage is a partition.
  hi_ = std::min({hi_, board.best_bottleneck(), graph_.total_work()});
  if (hi_ - lo <= 1e-6 * hi_ || ++probes_ > 40) {
    return false;
  }
  // The incumbent first: refuting it proves it optimal.
  const double t = probes_ == 1 ? hi_ : 0.5 * (lo + hi_);
  const absl::Time give_up_at =
      absl::Now() + absl::Seconds(0.25 * std::max(0.0, ctx.RemainingSeconds()));
  const ClusterStage::Outcome outcome =
      bound_->Probe(t, /*max_states_per_cluster=*/1'000'000, give_up_at, &ctx);
  PIPECUT_LOG(Info) << name() << ": bottleneck < " << t << ": "
                    << GuessOutcomeName(outcome);
  return TakeGuessOutcome(outcome, t, rounder_, name(), board, hi_);
}

}  // namespace pipecut
