#include "core/bounds/forced_crossing.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <utility>

#include "core/bounds/bound_rounding.h"
#include "core/cost/partition_cost.h"

namespace pipecut {
namespace {

static_assert(kForcedCrossingMaxNodes <= kClusterStageMaxNodes,
              "the stage search must take every graph that gets bitsets");

// Paths examined per guess by Bound 2.
constexpr int kMaxPaths = 32;
// Search states per tensor when testing whether a stage can hold its hull.
constexpr int64_t kStageForcedStates = 2'000;
// Readers kept per tensor when counting extra reads (each costs searches).
constexpr size_t kMaxApartReaders = 8;
// Partners tried per tensor when matching conflicting pairs.
constexpr size_t kMaxPartners = 8;
// Comparisons against a guess allow this relative slack in the permissive
// direction (sums of works in another order differ in the last bits).
constexpr double kSlack = 1e-9;

// One probe of the bisection of Bound 2 on [lo, hi] (OPT >= lo is proven,
// nothing above hi is provable); false when nothing is left to probe.
bool BisectStep(const ForcedCrossing& bound, int k, bool integral, double& lo,
                double& hi, const SolveContext* ctx) {
  if (lo >= hi || hi - lo <= 1e-6 * hi ||
      (integral && std::ceil(lo - 1e-9) >= hi)) {
    return false;
  }
  const double t = 0.5 * (lo + hi);
  if (bound.PathsRuleOut(t, k, ctx)) {
    lo = t;
  } else {
    hi = t;
  }
  return true;
}

}  // namespace

ForcedCrossing::ForcedCrossing(const Graph& g,
                               std::shared_ptr<const ClosureRows> rows)
    : graph_(g),
      hull_(g.num_nodes(), 0),
      far_hull_(g.num_nodes(), 0),
      far_(g.num_nodes(), -1) {
  const int n = g.num_nodes();
  if (n <= kForcedCrossingMaxNodes) {
    stage_ = std::make_unique<ClusterStage>(g, 0, std::move(rows));
  }
  const int words = stage_ ? stage_->words() : 0;
  std::vector<uint64_t> row(words);
  for (int u = 0; u < n; ++u) {
    if (g.successors(u).empty() || g.comm(u) == 0) continue;
    std::fill(row.begin(), row.end(), 0);
    for (int s : g.successors(u)) {
      const double one = stage_ ? PathWork(u, s) : g.work(u) + g.work(s);
      if (far_[u] < 0 || one > far_hull_[u]) {
        far_[u] = s;
        far_hull_[u] = one;
      }
      if (!stage_) continue;
      const uint64_t* a = stage_->anc_row(s);
      for (int i = 0; i < words; ++i) row[i] |= a[i];
    }
    if (!stage_) {
      hull_[u] = far_hull_[u];
      continue;
    }
    const uint64_t* d = stage_->desc_row(u);
    for (int i = 0; i < words; ++i) {
      for (uint64_t m = row[i] & d[i]; m != 0; m &= m - 1) {
        hull_[u] += g.work(i * 64 + __builtin_ctzll(m));
      }
    }
  }
}

ForcedCrossing::~ForcedCrossing() = default;

double ForcedCrossing::PathWork(int x, int y) const {
  if (!stage_) return 0;
  const uint64_t* d = stage_->desc_row(x);
  const uint64_t* a = stage_->anc_row(y);
  double sum = 0;
  for (int i = 0; i < stage_->words(); ++i) {
    for (uint64_t m = d[i] & a[i]; m != 0; m &= m - 1) {
      sum += graph_.work(i * 64 + __builtin_ctzll(m));
    }
  }
  return sum;
}

double ForcedCrossing::SumBound(int k) const {
  const Graph& g = graph_;
  const double total = g.total_work();
  // (h(u), c(u)) by increasing h; `forced` = C(T) for T below the next h.
  std::vector<std::pair<double, double>> tensors;
  double forced = 0;
  for (int u = 0; u < g.num_nodes(); ++u) {
    if (hull_[u] > 0) {
      tensors.emplace_back(hull_[u], g.comm(u));
      forced += g.comm(u);
    }
  }
  std::sort(tensors.begin(), tensors.end());
  // Scan the intervals [lo, next h) on which C is constant; the first one
  // holding a T with k T >= W + 2 C(T) holds T0.
  double lo = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const double t = std::max(lo, (total + 2 * forced) / k);
    if (t < tensors[i].first) return std::max(t, g.max_work());
    // From T = tensors[i].first on, tensor i (and any tie) is not forced.
    lo = tensors[i].first;
    forced -= tensors[i].second;
    while (i + 1 < tensors.size() && tensors[i + 1].first == lo) {
      forced -= tensors[++i].second;
    }
  }
  return std::max({lo, total / k, g.max_work()});
}

std::vector<double> ForcedCrossing::Sizes(
    double t, const std::vector<char>& forced) const {
  const int n = graph_.num_nodes();
  std::vector<double> size(n);
  for (int v = 0; v < n; ++v) size[v] = graph_.work(v);
  for (int u = 0; u < n; ++u) {
    if (!forced[u]) continue;
    size[u] += graph_.comm(u);
    if (far_hull_[u] > t) size[far_[u]] += graph_.comm(u);
  }
  return size;
}

std::vector<double> ForcedCrossing::OwnTermSizes(
    double t, const SolveContext* ctx) const {
  const std::vector<char> forced = Forced(t, ctx);
  std::vector<double> size(graph_.num_nodes());
  for (int v = 0; v < graph_.num_nodes(); ++v) {
    size[v] = graph_.work(v) + (forced[v] ? graph_.comm(v) : 0.0);
  }
  return size;
}

bool ForcedCrossing::NoStageHolds(const std::tuple<int, int, int>& key,
                                  const std::vector<int>& nodes, double t,
                                  const SolveContext* ctx) const {
  if (stage_ == nullptr) return false;
  Settled& settled = settled_[key];
  if (t <= settled.none_below) return true;
  if (t >= settled.held_from) return false;
  const std::vector<int> hull = stage_->Hull(nodes);
  std::vector<char> in_set(graph_.num_nodes(), 0);
  for (int v : hull) in_set[v] = 1;
  // Cheap answers first: the hull alone is such a stage, or too heavy.
  const StageCost own = EvaluateNodeSet(graph_, in_set);
  bool none = false;
  if (own.work >= t * (1 + kSlack)) {
    none = true;
  } else if (own.cost() >= t * (1 + kSlack)) {
    ClusterStage::StageLimits limits;
    limits.max_states = kStageForcedStates;
    const ClusterStage::StageSearch::Status status =
        stage_->SearchStage(hull, {}, t * (1 + kSlack), limits, ctx).status;
    if (status == ClusterStage::StageSearch::Status::kStopped) return false;
    none = status == ClusterStage::StageSearch::Status::kNone;
  }
  if (none) {
    settled.none_below = std::max(settled.none_below, t);
  } else {
    settled.held_from = std::min(settled.held_from, t);
  }
  return none;
}

std::vector<char> ForcedCrossing::Forced(double t,
                                         const SolveContext* ctx) const {
  const Graph& g = graph_;
  const int n = g.num_nodes();
  std::vector<char> forced(n, 0);
  for (int u = 0; u < n; ++u) {
    if (g.successors(u).empty() || g.comm(u) == 0) continue;
    if (hull_[u] > t) {
      forced[u] = 1;
    } else if (ctx == nullptr || !ctx->ShouldStop()) {
      // A stage keeping u's tensor inside holds u and its readers.
      std::vector<int> holder(g.successors(u).begin(), g.successors(u).end());
      holder.push_back(u);
      forced[u] = NoStageHolds({u, -1, -1}, holder, t, ctx);
    }
  }
  return forced;
}

std::vector<int> ForcedCrossing::ExtraReads(double t,
                                            const std::vector<char>& forced,
                                            const SolveContext* ctx) const {
  const Graph& g = graph_;
  std::vector<int> extra(g.num_nodes(), 0);
  for (int u = 0; u < g.num_nodes(); ++u) {
    if (!forced[u] || g.successors(u).size() < 2) continue;
    std::vector<int> apart = {u};
    for (int r : g.successors(u)) {
      if (apart.size() > kMaxApartReaders) break;
      if (ctx != nullptr && ctx->ShouldStop()) return extra;
      bool ok = true;
      for (int x : apart) {
        ok = ok &&
             (PathWork(x, r) > t || NoStageHolds({x, r, -1}, {x, r}, t, ctx));
      }
      if (ok) apart.push_back(r);
    }
    extra[u] = std::max(0, static_cast<int>(apart.size()) - 2);
  }
  return extra;
}

double ForcedCrossing::PairedCrossings(double t,
                                       const std::vector<char>& forced,
                                       std::vector<char>& paired,
                                       const SolveContext* ctx) const {
  const Graph& g = graph_;
  const int n = g.num_nodes();
  paired.assign(n, 0);
  if (stage_ == nullptr) return 0;
  const auto open = [&](int u) {
    return !forced[u] && !paired[u] && g.comm(u) > 0 &&
           !g.successors(u).empty();
  };
  std::vector<int> tensors;
  for (int u = 0; u < n; ++u) {
    if (open(u)) tensors.push_back(u);
  }
  std::sort(tensors.begin(), tensors.end(), [&](int a, int b) {
    return g.comm(a) > g.comm(b) || (g.comm(a) == g.comm(b) && a < b);
  });
  double total = 0;
  for (int u : tensors) {
    if (!open(u)) continue;
    // Partners: u's readers, and the other producers its readers read.
    std::vector<int> partners;
    for (int r : g.successors(u)) {
      if (open(r)) partners.push_back(r);
      for (int v : g.predecessors(r)) {
        if (v != u && open(v)) partners.push_back(v);
      }
    }
    std::sort(partners.begin(), partners.end(), [&](int a, int b) {
      return g.comm(a) > g.comm(b) || (g.comm(a) == g.comm(b) && a < b);
    });
    partners.erase(std::unique(partners.begin(), partners.end()),
                   partners.end());
    if (partners.size() > kMaxPartners) partners.resize(kMaxPartners);
    for (int v : partners) {
      if (ctx != nullptr && ctx->ShouldStop()) return total;
      std::vector<int> both(g.successors(u).begin(), g.successors(u).end());
      both.insert(both.end(), g.successors(v).begin(), g.successors(v).end());
      both.push_back(u);
      both.push_back(v);
      if (NoStageHolds({u, v, 0}, both, t, ctx)) {
        paired[u] = paired[v] = 1;
        total += std::min(g.comm(u), g.comm(v));
        break;
      }
    }
  }
  return total;
}

double ForcedCrossing::PathCutCost(const std::vector<int>& path,
                                   const std::vector<double>& size,
                                   const Charges& charges, double t) const {
  // Extra cost of a run boundary after path[i] (see Bound 2).
  auto cut = [&](size_t i) {
    const int u = path[i];
    if (charges.paired[u]) return 0.0;
    if (!charges.forced[u]) return 2 * graph_.comm(u);
    if (charges.extra_reads[u] == 0 && far_hull_[u] > t &&
        PathWork(path[i + 1], far_[u]) > t) {
      return graph_.comm(u);
    }
    return 0.0;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const size_t length = path.size();
  std::vector<double> prefix(length + 1, 0);
  for (size_t i = 0; i < length; ++i) prefix[i + 1] = prefix[i] + size[path[i]];
  // best[j]: cheapest split of path[0..j) whose last run ends at j - 1, =
  // min over run starts i with prefix[j] - prefix[i] <= t of best[i] + the
  // cut before i. The feasible starts form a window sliding right, so a
  // deque of starts with increasing values gives O(length).
  std::vector<double> best(length + 1, inf), value(length + 1, inf);
  std::deque<size_t> starts;
  best[0] = 0;
  for (size_t j = 1; j <= length; ++j) {
    const size_t i = j - 1;  // the run may start at path[i]
    if (best[i] < inf) {
      value[i] = best[i] + (i > 0 ? cut(i - 1) : 0.0);
      while (!starts.empty() && value[starts.back()] >= value[i]) {
        starts.pop_back();
      }
      starts.push_back(i);
    }
    while (!starts.empty() &&
           prefix[j] - prefix[starts.front()] > t * (1 + kSlack)) {
      starts.pop_front();
    }
    if (!starts.empty()) best[j] = value[starts.front()];
  }
  return best[length];
}

bool ForcedCrossing::PathsRuleOut(double t, int k,
                                  const SolveContext* ctx) const {
  const Graph& g = graph_;
  const int n = g.num_nodes();
  Charges charges;
  charges.forced = Forced(t, ctx);
  const std::vector<char>& forced = charges.forced;
  const std::vector<double> size = Sizes(t, forced);
  // W + 2 C(t), the extra reads and the paired crossings: every charge
  // lands in some stage.
  double total = 0;
  for (int v = 0; v < n; ++v) {
    if (size[v] > t * (1 + kSlack)) return true;  // its stage costs more
    total += size[v];
    if (forced[v] && !(far_hull_[v] > t)) total += g.comm(v);
  }
  const double capacity = k * t * (1 + kSlack);
  if (total > capacity) return true;
  charges.extra_reads = ExtraReads(t, forced, ctx);
  for (int v = 0; v < n; ++v) total += charges.extra_reads[v] * g.comm(v);
  total += 2 * PairedCrossings(t, forced, charges.paired, ctx);
  if (total > capacity) return true;
  std::vector<char> used(n, 0);
  std::vector<double> heaviest(n);
  std::vector<int> previous(n);
  for (int round = 0; round < kMaxPaths; ++round) {
    // The heaviest path by size through unused nodes.
    int end = -1;
    for (int v : g.topological_order()) {
      if (used[v]) continue;
      heaviest[v] = size[v];
      previous[v] = -1;
      for (int p : g.predecessors(v)) {
        if (!used[p] && heaviest[p] + size[v] > heaviest[v]) {
          heaviest[v] = heaviest[p] + size[v];
          previous[v] = p;
        }
      }
      if (end < 0 || heaviest[v] > heaviest[end]) end = v;
    }
    if (end < 0 || heaviest[end] <= t) break;  // one run holds any path
    std::vector<int> path;
    for (int v = end; v >= 0; v = previous[v]) path.push_back(v);
    std::reverse(path.begin(), path.end());
    for (int v : path) used[v] = 1;
    total += PathCutCost(path, size, charges, t);
    if (total > capacity) return true;
  }
  return false;
}

double ForcedCrossingLowerBound(const Graph& graph, int k, double upper_bound,
                                int max_probes) {
  const ForcedCrossing bound(graph);
  double lo = bound.SumBound(k);
  double hi = std::min(upper_bound, graph.total_work());
  const bool integral = BoundRounder(graph).integral();
  for (int probe = 0; probe < max_probes; ++probe) {
    if (!BisectStep(bound, k, integral, lo, hi, nullptr)) break;
  }
  return lo;
}

ForcedCrossingWorker::ForcedCrossingWorker(const Graph& graph, int k)
    : graph_(graph),
      k_(k),
      rounder_(graph, BoundRounder::kCombinatorialShave) {}

ForcedCrossingWorker::~ForcedCrossingWorker() = default;

bool ForcedCrossingWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  if (!graph_.has_communication()) return false;  // SALBP: salbp_lb's job
  bool more = true;
  if (bound_ == nullptr) {
    bound_ = std::make_unique<ForcedCrossing>(graph_);
    lo_ = bound_->SumBound(k_);
  } else {
    hi_ = std::min({hi_, board.best_bottleneck(), graph_.total_work()});
    more = ++probes_ <= 40 &&
           BisectStep(*bound_, k_, rounder_.integral(), lo_, hi_, &ctx);
  }
  // Sums in another order may differ in the last bits; with integral data
  // OPT is an integer.
  board.RaiseLowerBound(rounder_(lo_), name());
  return more;
}

}  // namespace pipecut
