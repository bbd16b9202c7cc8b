#include "core/bounds/split_model.h"

#include <vector>

namespace pipecut {
namespace {

bool HasSuccessors(const Graph& g, int u) { return !g.successors(u).empty(); }

}  // namespace

int64_t SplitModelVariables(const Graph& graph, bool guess) {
  return int64_t{graph.num_nodes()} * (guess ? 6 : 4) + 1;
}

int64_t SplitModelNonzeros(const Graph& graph, bool guess) {
  const int64_t n = graph.num_nodes(), e = graph.num_edges();
  return guess ? 18 * e + 18 * n + 8 : 12 * e + 8 * n + 4;
}

SplitModel BuildSplitModel(const Graph& graph, const SplitModelSpec& spec) {
  const int n = graph.num_nodes();
  const int k = spec.k;
  const int b = spec.guess_stage;
  const bool guess = b > 0;
  const double total_work = graph.total_work() * spec.scale;
  std::vector<double> w(n), c(n);
  for (int v = 0; v < n; ++v) {
    w[v] = graph.work(v) * spec.scale;
    c[v] = graph.comm(v) * spec.scale;
  }
  SplitModel out;
  MipModel& mip = out.mip;
  out.a.resize(n);
  out.d.resize(n);
  // Objective weights: the bottleneck relaxation minimises f(S) directly;
  // guess models minimise T >= f(S).
  const double f_weight = guess ? 0 : 1;
  for (int v = 0; v < n; ++v) {
    out.a[v] = mip.AddVar(0, 1, -f_weight * w[v], true);
    out.d[v] = mip.AddVar(0, 1, f_weight * w[v], true);
  }
  if (guess)
    out.t = mip.AddVar(spec.lower_bound * spec.scale, MipModel::kInf, 1, false);

  // Ideal structure.
  for (int v = 0; v < n; ++v)
    mip.AddRow(0, MipModel::kInf, {{out.d[v], 1}, {out.a[v], -1}});
  for (int u = 0; u < n; ++u) {
    for (int v : graph.successors(u)) {
      mip.AddRow(0, MipModel::kInf, {{out.a[u], 1}, {out.a[v], -1}});
      mip.AddRow(0, MipModel::kInf, {{out.d[u], 1}, {out.d[v], -1}});
    }
  }

  // f(S) terms: sum w (d - a) + c.alpha + c.beta.
  std::vector<std::pair<int, double>> f_terms;
  for (int v = 0; v < n; ++v) {
    f_terms.push_back({out.d[v], w[v]});
    f_terms.push_back({out.a[v], -w[v]});
  }
  for (int u = 0; u < n; ++u) {
    if (c[u] <= 0 || !HasSuccessors(graph, u)) continue;
    const int alpha = mip.AddVar(0, 1, f_weight * c[u], false);
    const int beta = mip.AddVar(0, 1, f_weight * c[u], false);
    f_terms.push_back({alpha, c[u]});
    f_terms.push_back({beta, c[u]});
    for (int v : graph.successors(u)) {
      // alpha_u >= a_u + d_v - a_v - 1
      mip.AddRow(-1, MipModel::kInf,
                 {{alpha, 1}, {out.a[u], -1}, {out.d[v], -1}, {out.a[v], 1}});
      // beta_u >= d_u - a_u - d_v
      mip.AddRow(0, MipModel::kInf,
                 {{beta, 1}, {out.d[u], -1}, {out.a[u], 1}, {out.d[v], 1}});
    }
  }

  // S is a heaviest stage of the partition it comes from: its k stages' works
  // sum to W, so w(S) >= W / k.
  {
    std::vector<std::pair<int, double>> work_s;
    for (int v = 0; v < n; ++v) {
      work_s.push_back({out.d[v], w[v]});
      work_s.push_back({out.a[v], -w[v]});
    }
    mip.AddRow(total_work / k, MipModel::kInf, work_s);
  }
  // S is a stage: it respects the memory limit.
  if (spec.memory_limit > 0) {
    std::vector<std::pair<int, double>> mem;
    for (int v = 0; v < n; ++v) {
      mem.push_back({out.d[v], static_cast<double>(graph.memory(v))});
      mem.push_back({out.a[v], -static_cast<double>(graph.memory(v))});
    }
    mip.AddRow(-MipModel::kInf, static_cast<double>(spec.memory_limit), mem);
  }
  if (!guess) return out;

  // Guess model for S = S_b, the heaviest stage of an optimal partition, which
  // sits at index b (1-based); T stands for OPT. Proof that the optimal
  // partition (with T = OPT) satisfies every row below:
  //  - T >= f(S_b) since OPT is the bottleneck.
  //  - P = S_1 u .. u S_{b-1}: each of its b-1 stages has work <= w(S_b)
  //    (S_b is heaviest), so w(P) <= (b-1) w(S); likewise w(Q) <= (k-b) w(S).
  //  - Every u in out(P) is in out(S_j) of the stage S_j in P that holds it
  //    (it has a reader outside P, hence outside S_j), so
  //    w(P) + c(out(P)) <= sum_{j<b} f(S_j) <= (b-1) T. Symmetrically every
  //    u in in(Q) is in in(S_j) for a stage S_j in Q that reads it, so
  //    w(Q) + c(in(Q)) <= (k-b) T.
  //  - Memory: P and Q are unions of b-1 and k-b stages.
  //  - T >= spec.lower_bound since that bound is <= OPT.
  // So model b's optimum is <= OPT for the true b, and min over b of any
  // valid lower bound on each model's optimum is <= OPT.
  {
    std::vector<std::pair<int, double>> row = {{out.t, 1}};
    for (auto [col, coef] : f_terms) row.push_back({col, -coef});
    mip.AddRow(0, MipModel::kInf, row);  // T - f(S) >= 0
  }
  {
    // w(P) - (b-1) w(S) <= 0 with w(P) = w.a and w(S) = w.(d - a).
    std::vector<std::pair<int, double>> row;
    for (int v = 0; v < n; ++v) {
      row.push_back({out.a[v], w[v] * b});
      row.push_back({out.d[v], -w[v] * (b - 1)});
    }
    mip.AddRow(-MipModel::kInf, 0, row);
  }
  {
    // w(Q) - (k-b) w(S) <= 0 with w(Q) = W - w.d.
    std::vector<std::pair<int, double>> row;
    for (int v = 0; v < n; ++v) {
      row.push_back({out.d[v], -w[v] * (1 + k - b)});
      row.push_back({out.a[v], w[v] * (k - b)});
    }
    mip.AddRow(-MipModel::kInf, -total_work, row);
  }
  {
    // gamma_u >= a_u - a_v: u in P with a reader outside P (out(P)).
    // delta_u >= d_u - d_v: u outside Q with a reader in Q (in(Q)).
    std::vector<std::pair<int, double>> p_row, q_row;
    for (int v = 0; v < n; ++v) {
      p_row.push_back({out.a[v], w[v]});
      q_row.push_back({out.d[v], -w[v]});
    }
    for (int u = 0; u < n; ++u) {
      if (c[u] <= 0 || !HasSuccessors(graph, u)) continue;
      const int gamma = mip.AddVar(0, 1, 0, false);
      const int delta = mip.AddVar(0, 1, 0, false);
      p_row.push_back({gamma, c[u]});
      q_row.push_back({delta, c[u]});
      for (int v : graph.successors(u)) {
        mip.AddRow(0, MipModel::kInf,
                   {{gamma, 1}, {out.a[u], -1}, {out.a[v], 1}});
        mip.AddRow(0, MipModel::kInf,
                   {{delta, 1}, {out.d[u], -1}, {out.d[v], 1}});
      }
    }
    p_row.push_back({out.t, -(b - 1.0)});
    q_row.push_back({out.t, -static_cast<double>(k - b)});
    mip.AddRow(-MipModel::kInf, 0, p_row);            // w(P)+c(out P) <= (b-1)T
    mip.AddRow(-MipModel::kInf, -total_work, q_row);  // W-w.d+c(in Q) <= (k-b)T
  }
  if (spec.memory_limit > 0) {
    const double m_limit = static_cast<double>(spec.memory_limit);
    std::vector<std::pair<int, double>> p_mem, q_mem;
    double total_memory = 0;
    for (int v = 0; v < n; ++v) {
      const double m = static_cast<double>(graph.memory(v));
      total_memory += m;
      p_mem.push_back({out.a[v], m});
      q_mem.push_back({out.d[v], -m});
    }
    mip.AddRow(-MipModel::kInf, (b - 1) * m_limit, p_mem);
    mip.AddRow(-MipModel::kInf, (k - b) * m_limit - total_memory, q_mem);
  }
  return out;
}

}  // namespace pipecut
