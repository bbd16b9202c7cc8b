#include "core/bounds/prefix_cut.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "core/bounds/bound_rounding.h"
#include "core/bounds/closure_work.h"
#include "core/util/logging.h"

// Boost.Graph's Boykov-Kolmogorov max flow (header-only part of
// libboost-graph-dev): a maintained max-flow code, fast on the shallow,
// sparse networks built here. GCC 12 at -O2 reports a false
// -Wmaybe-uninitialized inside Boost's edge iterator (a boost::optional),
// so that warning is silenced for these headers only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#pragma GCC diagnostic pop

namespace pipecut {

namespace {
using Traits =
    boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
struct VertexProps {
  boost::default_color_type color = boost::white_color;
  int64_t distance = 0;
  Traits::edge_descriptor pred;
};
struct EdgeProps {
  double capacity = 0;
  double residual = 0;
  Traits::edge_descriptor reverse;
};
using FlowGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                          VertexProps, EdgeProps>;
}  // namespace

struct OutCommCut::Network {
  FlowGraph g;
  Traits::vertex_descriptor source = 0, sink = 1;
  // Arcs whose capacity changes per solve: source -> x_v and x_v -> sink.
  std::vector<Traits::edge_descriptor> from_source, to_sink;
  // Arcs of "infinite" capacity (precedence and z_u -> x_s).
  std::vector<Traits::edge_descriptor> infinite;

  Traits::edge_descriptor AddArc(int from, int to, double capacity) {
    const auto e = boost::add_edge(from, to, g).first;
    const auto r = boost::add_edge(to, from, g).first;
    g[e].capacity = capacity;
    g[e].reverse = r;
    g[r].capacity = 0;
    g[r].reverse = e;
    return e;
  }
};

OutCommCut::OutCommCut(const Graph& graph)
    : graph_(graph), net_(std::make_unique<Network>()) {
  const int n = graph.num_nodes();
  // Vertices: 0 source, 1 sink, 2 + v = x_v, then the z_u.
  int num_vertices = 2 + n;
  std::vector<int> z_of(n, -1);
  for (int u = 0; u < n; ++u) {
    if (!graph.successors(u).empty() && graph.comm(u) > 0) {
      z_of[u] = num_vertices++;
      total_comm_ += graph.comm(u);
    }
  }
  Network& net = *net_;
  net.g = FlowGraph(num_vertices);
  for (int v = 0; v < n; ++v) {
    for (int u : graph.predecessors(v)) {
      net.infinite.push_back(net.AddArc(2 + v, 2 + u, 0));
    }
  }
  for (int u = 0; u < n; ++u) {
    if (z_of[u] < 0) continue;
    net.AddArc(2 + u, z_of[u], graph.comm(u));
    for (int s : graph.successors(u)) {
      net.infinite.push_back(net.AddArc(z_of[u], 2 + s, 0));
    }
  }
  for (int v = 0; v < n; ++v) {
    net.from_source.push_back(net.AddArc(0, 2 + v, 0));
    net.to_sink.push_back(net.AddArc(2 + v, 1, 0));
  }
}

OutCommCut::~OutCommCut() = default;

double OutCommCut::Solve(const std::vector<char>& must_in,
                         const std::vector<char>& must_out, double in_weight,
                         double out_weight) {
  const int n = graph_.num_nodes();
  Network& net = *net_;
  // Any ideal of the window, e.g. the closure of must_in, cuts less than
  // this, so a cut through an "infinite" arc is never minimum.
  const double infinity =
      2 * (total_comm_ + (in_weight + out_weight) * graph_.total_work()) + 1;
  for (auto e : net.infinite) net.g[e].capacity = infinity;
  for (int v = 0; v < n; ++v) {
    net.g[net.from_source[v]].capacity =
        must_in[v] ? infinity : out_weight * graph_.work(v);
    net.g[net.to_sink[v]].capacity =
        must_out[v] ? infinity : in_weight * graph_.work(v);
  }
  const double flow = boost::boykov_kolmogorov_max_flow(
      net.g, boost::get(&EdgeProps::capacity, net.g),
      boost::get(&EdgeProps::residual, net.g),
      boost::get(&EdgeProps::reverse, net.g),
      boost::get(&VertexProps::pred, net.g),
      boost::get(&VertexProps::color, net.g),
      boost::get(&VertexProps::distance, net.g),
      boost::get(boost::vertex_index, net.g), net.source, net.sink);
  // A finite cut is at most (infinity - 1) / 2; the flow through an
  // all-infinite path may come out a rounding error below infinity.
  if (flow > 0.5 * infinity) return std::numeric_limits<double>::infinity();
  return flow;
}

std::vector<int> FirstStageSeeds(const Graph& graph) {
  auto zero_source = [&](int v) {
    return graph.predecessors(v).empty() && graph.work(v) == 0;
  };
  std::vector<int> seeds;
  for (int v = 0; v < graph.num_nodes(); ++v) {
    if (zero_source(v)) continue;
    const auto preds = graph.predecessors(v);
    if (std::all_of(preds.begin(), preds.end(), zero_source)) {
      seeds.push_back(v);
    }
  }
  return seeds;
}

// The per-b bisection of PrefixCutLowerBound, one b at a time.
class PrefixCutSearch {
 public:
  PrefixCutSearch(const Graph& graph, int k, const PrefixCutOptions& options)
      : graph_(graph),
        k_(k),
        options_(options),
        up_(ClosureWork(graph, /*ancestors=*/true)),
        down_(ClosureWork(graph, /*ancestors=*/false)),
        total_work_(graph.total_work()),
        rounder_(graph, BoundRounder::kCombinatorialShave),
        integral_(rounder_.integral()),
        must_in_(graph.num_nodes()),
        must_out_(graph.num_nodes()) {
    if (k_ >= 2) cut_ = std::make_unique<OutCommCut>(graph);
    const double comm = cut_ ? cut_->total_comm() : 0;
    slack_ = 1e-9 * (total_work_ + comm);
    // Middle splits first: they tend to give the best bound, which then
    // lets most other splits stop after one probe.
    for (int d = 0; d < k_; ++d) {
      for (int b : {k_ / 2 - d, k_ / 2 + d}) {
        if (b >= 1 && b <= k_ - 1 &&
            std::find(order_.begin(), order_.end(), b) == order_.end()) {
          order_.push_back(b);
        }
      }
    }
  }

  bool done() const { return next_ >= order_.size() && chain_done_; }

  // Examines the next split; false when it was stopped part way.
  bool Next(double upper_bound, const std::function<bool()>& should_stop) {
    if (k_ == 1) {
      raw_ = total_work_;  // the only partition: OPT = f(V) = W
      next_ = order_.size();
      chain_done_ = true;
      return true;
    }
    if (!end_stages_done_) {
      std::optional<double> end = EndStages(should_stop);
      if (!end) return false;
      Raise(*end, 0);
      end_stages_done_ = true;
    }
    if (next_ >= order_.size())
      return done() || ChainStep(upper_bound, should_stop);
    const int b = order_[next_];
    // OPT <= W (one stage holds everything), so nothing above is provable.
    const double cap = std::min(upper_bound, total_work_);
    double t = std::max(raw_, total_work_ / k_);
    if (t >= cap) {
      ++next_;
      return true;
    }
    std::optional<double> tau = Tau(b, t, should_stop);
    if (!tau) return false;
    if (*tau <= t) {
      Raise(*tau, b);
      ++next_;
      return true;
    }
    double lo = t, hi = std::min(*tau, cap);
    Raise(lo, b);
    for (int probe = 0; probe < options_.max_probes; ++probe) {
      if (hi - lo <= options_.relative_tolerance * hi) break;
      if (integral_ && std::ceil(lo - 1e-9) >= hi) break;
      const double mid = 0.5 * (lo + hi);
      tau = Tau(b, mid, should_stop);
      if (!tau) return false;
      if (*tau > mid) {
        lo = mid;
      } else {
        hi = mid;
        lo = std::max(lo, *tau);
      }
      Raise(lo, b);
    }
    ++next_;
    return true;
  }

  // The proven bound, shaved (and rounded up on integral data).
  double bound() const { return k_ == 1 ? raw_ : rounder_(raw_); }
  int best_b() const { return best_b_; }
  int64_t cuts() const { return cuts_; }
  int64_t probes() const { return probes_; }

 private:
  void Raise(double value, int b) {
    if (value > raw_) {
      raw_ = value;
      best_b_ = b;
    }
  }

  // One probe of the bisection over Claim 4 (after every single split);
  // false when stopped.
  bool ChainStep(double upper_bound, const std::function<bool()>& should_stop) {
    const double lo = std::max(raw_, total_work_ / k_);
    const double hi = std::min({chain_hi_, upper_bound, total_work_});
    if (k_ < 3 || cut_->total_comm() == 0 || lo >= hi ||
        chain_probes_ >= options_.max_probes ||
        hi - lo <= options_.relative_tolerance * hi ||
        (integral_ && std::ceil(lo - 1e-9) >= hi)) {
      chain_done_ = true;
      return true;
    }
    // The first probe, at lo, also caps the search: tau is non-increasing in
    // t, so no t above tau(lo) is provable.
    const double t = chain_probes_ == 0 ? lo : 0.5 * (lo + hi);
    const std::optional<double> tau = ChainTau(t, should_stop);
    if (!tau) return false;
    ++chain_probes_;
    if (*tau > t) {
      Raise(t, kChainSplit);
      if (t == lo) chain_hi_ = *tau;
    } else {
      Raise(*tau, kChainSplit);
      chain_hi_ = t;
      if (t == lo) chain_done_ = true;
    }
    return true;
  }

  // A cut value safe to use as a lower bound on the true minimum.
  double Shave(double flow, double weight) const {
    return std::max(0.0,
                    flow - 1e-9 * (cut_->total_comm() + weight * total_work_));
  }

  // Claim 3: max(min over first-stage seeds x of min_{P ideal, x in P}
  // A(P), min over sinks t of min_{Q ideal, t not in Q} B(Q)); nullopt when
  // stopped. A side with more than kMaxEndStageCuts candidates counts 0.
  std::optional<double> EndStages(const std::function<bool()>& should_stop) {
    if (cut_ == nullptr || cut_->total_comm() == 0) return 0.0;
    const std::vector<int> seeds = FirstStageSeeds(graph_);
    std::vector<int> sinks;
    for (int v = 0; v < graph_.num_nodes(); ++v) {
      if (graph_.successors(v).empty()) sinks.push_back(v);
    }
    std::optional<double> first = MinCutOver(seeds, must_in_, 1, should_stop);
    if (!first) return std::nullopt;
    std::optional<double> last = MinCutOver(sinks, must_out_, 0, should_stop);
    if (!last) return std::nullopt;
    const double value = std::max(*first, *last);
    return value - 1e-9 * std::abs(value);
  }

  // min over v in `nodes` of the window cut with only `flags`[v] set:
  // A(P) (in_side = 1) or B(Q) (in_side = 0); 0 when `nodes` is empty or
  // too long.
  std::optional<double> MinCutOver(const std::vector<int>& nodes,
                                   std::vector<char>& flags, int in_side,
                                   const std::function<bool()>& should_stop) {
    if (nodes.empty() || nodes.size() > kMaxEndStageCuts) return 0.0;
    std::fill(must_in_.begin(), must_in_.end(), 0);
    std::fill(must_out_.begin(), must_out_.end(), 0);
    double best = std::numeric_limits<double>::infinity();
    for (int v : nodes) {
      if (should_stop && should_stop()) return std::nullopt;
      flags[v] = 1;
      ++cuts_;
      best = std::min(
          best,
          Shave(cut_->Solve(must_in_, must_out_, in_side, 1 - in_side), 1));
      flags[v] = 0;
    }
    return best;
  }

  // Claim 2's window for split b under the guess t: must_in_ = I,
  // must_out_ = F, and m <= c(out P). `empty` when no ideal fits.
  struct Window {
    bool empty = false;
    double m = 0, work_in = 0, work_out = 0;
  };
  std::optional<Window> FindWindow(int b, double t,
                                   const std::function<bool()>& should_stop) {
    const int n = graph_.num_nodes();
    Window window;
    int forced = -1;
    for (int round = 0;; ++round) {
      // Permissive direction: force a node only when clearly required.
      const double limit_in = b * t - window.m + slack_;
      const double limit_out = (k_ - b) * t - window.m + slack_;
      int count = 0;
      window.work_in = window.work_out = 0;
      for (int v = 0; v < n; ++v) {
        must_out_[v] = up_[v] > limit_in;
        must_in_[v] = down_[v] > limit_out;
        if (must_in_[v] && must_out_[v]) {
          window.empty = true;
          return window;
        }
        if (must_in_[v]) window.work_in += graph_.work(v);
        if (must_out_[v]) window.work_out += graph_.work(v);
        count += must_in_[v] + must_out_[v];
      }
      if (count == forced || round >= options_.max_rounds) break;
      forced = count;
      if (cut_->total_comm() == 0) break;  // m = 0 in every window
      if (should_stop && should_stop()) return std::nullopt;
      ++cuts_;
      const double cut = cut_->Solve(must_in_, must_out_);
      if (std::isinf(cut)) {
        window.empty = true;
        return window;
      }
      window.m = std::max(window.m, Shave(cut, 0));
    }
    return window;
  }

  // tau(b, t) of Claim 2 (+inf for an empty window); nullopt when stopped.
  std::optional<double> Tau(int b, double t,
                            const std::function<bool()>& should_stop) {
    ++probes_;
    const std::optional<Window> window = FindWindow(b, t, should_stop);
    if (!window) return std::nullopt;
    if (window->empty) return std::numeric_limits<double>::infinity();
    const double m = window->m;
    double tau =
        std::max({(window->work_in + m) / b, (window->work_out + m) / (k_ - b),
                  (total_work_ + 2 * m) / k_});
    if (options_.work_cuts && tau <= t && cut_->total_comm() > 0) {
      for (int side = 0; side < 2; ++side) {
        if (should_stop && should_stop()) return std::nullopt;
        ++cuts_;
        const double cut = side == 0 ? cut_->Solve(must_in_, must_out_, 1, 0)
                                     : cut_->Solve(must_in_, must_out_, 0, 1);
        if (std::isinf(cut)) return cut;
        tau = std::max(tau, Shave(cut, 1) / (side == 0 ? b : k_ - b));
        if (tau > t) break;  // already proves t
      }
    }
    return tau - 1e-9 * std::abs(tau);
  }

  // Claim 4 at the guess t: the best segment inequality over chains of
  // separated splits (+inf when some window is empty); nullopt when stopped.
  std::optional<double> ChainTau(double t,
                                 const std::function<bool()>& should_stop) {
    ++probes_;
    const int n = graph_.num_nodes();
    // Splits 0 and k are the sentinels P_0 = {} and P_k = V.
    std::vector<double> m(k_ + 1, 0), lo(k_ + 1, 0), hi(k_ + 1, 0);
    lo[k_] = hi[k_] = total_work_;
    std::vector<std::vector<char>> forced_in(k_ + 1);
    std::vector<std::vector<int>> reach(k_ + 1);  // successors of P_b's maybes
    std::vector<char> marked(n);
    for (int b = 1; b < k_; ++b) {
      const std::optional<Window> window = FindWindow(b, t, should_stop);
      if (!window) return std::nullopt;
      if (window->empty) return std::numeric_limits<double>::infinity();
      m[b] = window->m;
      lo[b] = window->work_in;
      hi[b] = total_work_ - window->work_out;
      forced_in[b] = must_in_;
      std::fill(marked.begin(), marked.end(), 0);
      for (int v = 0; v < n; ++v) {
        if (must_out_[v]) continue;
        for (int s : graph_.successors(v)) {
          if (!marked[s]) reach[b].push_back(s);
          marked[s] = 1;
        }
      }
    }
    // a < b are separated when every successor of a node that may lie in P_a
    // is forced into P_b.
    auto separated = [&](int a, int b) {
      if (b == k_) return true;
      for (int s : reach[a]) {
        if (!forced_in[b][s]) return false;
      }
      return true;
    };
    std::vector<std::vector<char>> sep(k_ + 1, std::vector<char>(k_ + 1));
    for (int a = 0; a < k_; ++a) {
      for (int b = a + 1; b <= k_; ++b) sep[a][b] = separated(a, b);
    }
    // Per start s, the heaviest chain s = c_0 < ... < c_q = r of separated
    // consecutive splits, weighing 2 m per interior split.
    const double none = -std::numeric_limits<double>::infinity();
    double tau = 0;
    for (int s = 0; s < k_; ++s) {
      std::vector<double> best(k_ + 1, none);
      best[s] = 0;
      for (int r = s + 1; r <= k_; ++r) {
        for (int q = s; q < r; ++q) {
          if (best[q] == none || !sep[q][r]) continue;
          best[r] = std::max(best[r], best[q] + (q == s ? 0 : 2 * m[q]));
        }
        if (best[r] == none) continue;
        tau = std::max(tau, (lo[r] - hi[s] + m[s] + m[r] + best[r]) / (r - s));
      }
    }
    return tau - 1e-9 * std::abs(tau);
  }

  const Graph& graph_;
  const int k_;
  const PrefixCutOptions options_;
  const std::vector<double> up_, down_;
  const double total_work_;
  const BoundRounder rounder_;
  const bool integral_;
  double slack_ = 0;
  std::unique_ptr<OutCommCut> cut_;
  std::vector<char> must_in_, must_out_;
  std::vector<int> order_;
  size_t next_ = 0;
  bool end_stages_done_ = false;
  bool chain_done_ = false;
  int chain_probes_ = 0;
  double chain_hi_ = std::numeric_limits<double>::infinity();
  double raw_ = 0;
  int best_b_ = 0;
  int64_t cuts_ = 0, probes_ = 0;
};

PrefixCutResult PrefixCutLowerBound(const Graph& graph, int k,
                                    const PrefixCutOptions& options,
                                    const std::function<bool()>& should_stop,
                                    double upper_bound) {
  PrefixCutSearch search(graph, k, options);
  PrefixCutResult result;
  bool complete = true;
  do {
    if (!search.Next(upper_bound, should_stop)) {
      complete = false;
      break;
    }
  } while (!search.done());
  result.bound = search.bound();
  result.best_b = search.best_b();
  result.cuts = search.cuts();
  result.probes = search.probes();
  result.complete = complete;
  return result;
}

PrefixCutWorker::PrefixCutWorker(const Graph& graph, int k)
    : graph_(graph), k_(k) {}

PrefixCutWorker::~PrefixCutWorker() = default;

bool PrefixCutWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  if (search_ == nullptr) {
    // The network has about 2 (n + 2 m) arcs of a few dozen bytes each.
    const int64_t size = int64_t{graph_.num_nodes()} + graph_.num_edges();
    if (size > kPrefixCutMaxSize) {
      PIPECUT_LOG(Info) << name() << ": skipped: " << size
                        << " nodes + edges > " << kPrefixCutMaxSize;
      return false;
    }
    // Built here, not in the constructor: the closure works are O(n^2/64).
    search_ = std::make_unique<PrefixCutSearch>(graph_, k_, PrefixCutOptions{});
  }
  const bool finished =
      search_->Next(board.best_bottleneck(), [&] { return ctx.ShouldStop(); });
  if (search_->bound() > 0) board.RaiseLowerBound(search_->bound(), name());
  return finished && !search_->done();
}

}  // namespace pipecut
