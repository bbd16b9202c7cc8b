#include "core/bounds/exact_mip.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "core/bounds/bound_rounding.h"
#include "core/bounds/closure_work.h"
#include "core/mip/cbc_solver.h"
#include "core/mip/mip_limits.h"
#include "core/solve/solution_board.h"
#include "core/solve/solve_context.h"
#include "core/util/logging.h"

namespace pipecut {
namespace {

// A linear expression over columns plus a constant (fixed y values fold in).
struct Expr {
  std::vector<std::pair<int, double>> terms;
  double constant = 0;
  void Add(int col, double coef, double fixed_value) {
    if (col >= 0) {
      terms.push_back({col, coef});
    } else {
      constant += coef * fixed_value;
    }
  }
};

void AddRow(MipModel& mip, double lb, double ub, const Expr& e) {
  if (e.terms.empty()) return;  // constant rows hold for every fixing used
  mip.AddRow(lb - e.constant, ub - e.constant, e.terms);
}

}  // namespace

void StageWindows(const Graph& graph, int k, double upper_bound,
                  std::vector<int>& earliest, std::vector<int>& latest) {
  const int n = graph.num_nodes();
  earliest.assign(n, 0);
  latest.assign(n, k - 1);
  if (!std::isfinite(upper_bound) || upper_bound <= 0) return;
  // Proof: in a partition with bottleneck <= UB, v and all its ancestors lie
  // in stages 0..stage(v), whose works (each <= its cost <= UB) sum to at
  // least w(ancestors), so stage(v) + 1 >= w(A(v)) / UB. Symmetrically
  // k - stage(v) >= w(D(v)) / UB for the descendants. The 1e-9 keeps
  // rounding noise from tightening a window by a whole stage.
  const std::vector<double> up = ClosureWork(graph, true);
  const std::vector<double> down = ClosureWork(graph, false);
  for (int v = 0; v < n; ++v) {
    const int e = static_cast<int>(std::ceil(up[v] / upper_bound - 1e-9)) - 1;
    const int l = k - static_cast<int>(std::ceil(down[v] / upper_bound - 1e-9));
    earliest[v] = std::clamp(e, 0, k - 1);
    latest[v] = std::clamp(l, 0, k - 1);
  }
  for (int v = 0; v < n; ++v) {
    if (earliest[v] > latest[v]) {  // cannot happen for a real UB; stay safe
      earliest.assign(n, 0);
      latest.assign(n, k - 1);
      return;
    }
  }
}

int64_t ExactModelVariables(const Graph& graph, int k) {
  return int64_t{3} * graph.num_nodes() * k + k + 1;
}

int64_t ExactModelNonzeros(const Graph& graph, int k) {
  return (int64_t{9} * graph.num_edges() + int64_t{8} * graph.num_nodes()) * k;
}

// The model. Columns y[v][b] for earliest(v) <= b < latest(v); y is 0 below
// earliest(v) and 1 from latest(v) on. Rows, each satisfied by the encoding
// of any partition with bottleneck <= UB (so the model's optimum is OPT):
//  - y[v][b] <= y[v][b+1]                       (prefix form)
//  - y[v][b] <= y[u][b] for each edge (u, v)    (stage(u) <= stage(v))
//  - s[v][b] = y[v][b] - y[v][b-1] is [stage(v) = b].
//  - in[u][b] >= y[u][b-1] - y[v][b-1] + y[v][b] - 1 per edge (u, v):
//      1 iff u is before stage b and v is in it, so in(S_b) is covered;
//  - out[u][b] >= s[u][b] - y[v][b] per edge (u, v): u in S_b, v after it.
//  - T >= sum_v w s[v][b] + sum_u c (in[u][b] + out[u][b]) for every b:
//      at an integer point the smallest indicators are exact, so T >= f(S_b)
//      and min T = the bottleneck; every integer solution is a partition.
//  - memory per stage; T >= the proved lower bound.
//  - Symmetry ("at most k"): moving empty stages to the end changes no
//      stage's node set, so some optimal partition has them last; z[b] = 1
//      allows stage b+1 to be empty only once every node is in stages <= b
//      (n z[b] <= sum_v y[v][b]), and sum_v s[v][b+1] >= 1 - z[b]. The
//      normalised partition also respects the stage windows (they hold for
//      every partition with bottleneck <= UB).
ExactModel BuildExactModel(const Graph& graph, const ExactModelSpec& spec) {
  const int n = graph.num_nodes();
  const int k = spec.k;
  ExactModel out;
  out.k = k;
  MipModel& mip = out.mip;
  std::vector<int> earliest, latest;
  StageWindows(graph, k, spec.upper_bound, earliest, latest);
  out.y.assign(n, std::vector<int>(k, -1));
  out.fixed_y.assign(n, std::vector<char>(k, 0));
  for (int v = 0; v < n; ++v) {
    for (int b = 0; b < k; ++b) {
      if (b >= latest[v]) {
        out.fixed_y[v][b] = 1;
      } else if (b >= earliest[v]) {
        out.y[v][b] = mip.AddBinary();
      }
    }
  }
  out.t = mip.AddVar(spec.lower_bound * spec.scale, MipModel::kInf, 1, false);
  auto add_y = [&](Expr& e, int v, int b, double coef) {
    if (b < 0) return;
    e.Add(out.y[v][b], coef, out.fixed_y[v][b]);
  };
  auto is_const = [&](int v, int b) { return b < 0 || out.y[v][b] < 0; };
  auto const_value = [&](int v, int b) {
    return b < 0 ? 0 : out.fixed_y[v][b];
  };

  for (int v = 0; v < n; ++v) {
    for (int b = 0; b + 1 < k; ++b) {
      Expr e;
      add_y(e, v, b + 1, 1);
      add_y(e, v, b, -1);
      AddRow(mip, 0, MipModel::kInf, e);
    }
  }
  for (int u = 0; u < n; ++u) {
    for (int v : graph.successors(u)) {
      for (int b = 0; b < k; ++b) {
        Expr e;
        add_y(e, u, b, 1);
        add_y(e, v, b, -1);
        AddRow(mip, 0, MipModel::kInf, e);
      }
    }
  }
  for (int b = 0; b < k; ++b) {
    Expr cost;  // f(S_b)
    for (int v = 0; v < n; ++v) {
      add_y(cost, v, b, graph.work(v) * spec.scale);
      add_y(cost, v, b - 1, -graph.work(v) * spec.scale);
    }
    for (int u = 0; u < n; ++u) {
      const double c = graph.comm(u) * spec.scale;
      if (c <= 0 || graph.successors(u).empty()) continue;
      // in[u][b] is needed only if u can be before b and a reader in b.
      const bool u_can_be_before =
          !(is_const(u, b - 1) && const_value(u, b - 1) == 0);
      const bool u_can_be_in = !(is_const(u, b) && is_const(u, b - 1) &&
                                 const_value(u, b) == const_value(u, b - 1));
      int in_col = -1, out_col = -1;
      for (int v : graph.successors(u)) {
        const bool v_can_be_in = !(is_const(v, b) && is_const(v, b - 1) &&
                                   const_value(v, b) == const_value(v, b - 1));
        const bool v_can_be_after = !(is_const(v, b) && const_value(v, b) == 1);
        if (u_can_be_before && v_can_be_in) {
          if (in_col < 0) {
            in_col = mip.AddVar(0, 1, 0, false);
            out.indicators.push_back({in_col, u, b, true});
          }
          Expr e;  // in - y[u][b-1] + y[v][b-1] - y[v][b] >= -1
          e.Add(in_col, 1, 0);
          add_y(e, u, b - 1, -1);
          add_y(e, v, b - 1, 1);
          add_y(e, v, b, -1);
          AddRow(mip, -1, MipModel::kInf, e);
        }
        if (u_can_be_in && v_can_be_after) {
          if (out_col < 0) {
            out_col = mip.AddVar(0, 1, 0, false);
            out.indicators.push_back({out_col, u, b, false});
          }
          Expr e;  // out - y[u][b] + y[u][b-1] + y[v][b] >= 0
          e.Add(out_col, 1, 0);
          add_y(e, u, b, -1);
          add_y(e, u, b - 1, 1);
          add_y(e, v, b, 1);
          AddRow(mip, 0, MipModel::kInf, e);
        }
      }
      if (in_col >= 0) cost.Add(in_col, c, 0);
      if (out_col >= 0) cost.Add(out_col, c, 0);
    }
    Expr row = cost;  // T - f(S_b) >= 0
    for (auto& term : row.terms) term.second = -term.second;
    row.constant = -row.constant;
    row.Add(out.t, 1, 0);
    AddRow(mip, 0, MipModel::kInf, row);
    if (spec.memory_limit > 0) {
      Expr mem;
      for (int v = 0; v < n; ++v) {
        const double m = static_cast<double>(graph.memory(v));
        add_y(mem, v, b, m);
        add_y(mem, v, b - 1, -m);
      }
      if (mem.terms.empty() && mem.constant > spec.memory_limit) {
        // A fixed stage over the limit: no partition with bottleneck <= UB.
        mip.AddRow(1, MipModel::kInf, {{out.t, 0}});
      }
      AddRow(mip, -MipModel::kInf, static_cast<double>(spec.memory_limit), mem);
    }
  }
  // Empty stages last.
  for (int b = 0; b + 1 < k; ++b) {
    const int z = mip.AddBinary();
    out.all_placed.push_back(z);
    Expr placed;  // sum_v y[v][b] - n z >= 0
    for (int v = 0; v < n; ++v) add_y(placed, v, b, 1);
    placed.Add(z, -n, 0);
    AddRow(mip, 0, MipModel::kInf, placed);
    Expr next;  // sum_v s[v][b+1] + z >= 1
    for (int v = 0; v < n; ++v) {
      add_y(next, v, b + 1, 1);
      add_y(next, v, b, -1);
    }
    next.Add(z, 1, 0);
    AddRow(mip, 1, MipModel::kInf, next);
  }
  return out;
}

std::optional<std::vector<double>> ExactModel::StartFor(
    const Graph& graph, std::vector<int> stage_of) const {
  const int n = graph.num_nodes();
  // Normalise: renumber the non-empty stages 0, 1, ... in order.
  std::vector<int> used(k, 0);
  for (int s : stage_of) used[s] = 1;
  std::vector<int> rank(k, 0);
  for (int b = 0, r = 0; b < k; ++b) rank[b] = used[b] ? r++ : r;
  int last = 0;
  for (int& s : stage_of) {
    s = rank[s];
    last = std::max(last, s);
  }
  std::vector<double> x(mip.num_vars(), 0);
  for (int v = 0; v < n; ++v) {
    for (int b = 0; b < k; ++b) {
      const int value = stage_of[v] <= b ? 1 : 0;
      if (y[v][b] >= 0) {
        x[y[v][b]] = value;
      } else if (fixed_y[v][b] != value) {
        return std::nullopt;
      }
    }
  }
  for (const Indicator& ind : indicators) {
    bool on = false;
    for (int v : graph.successors(ind.u)) {
      if (ind.in) on |= stage_of[ind.u] < ind.b && stage_of[v] == ind.b;
      if (!ind.in) on |= stage_of[ind.u] == ind.b && stage_of[v] > ind.b;
    }
    x[ind.col] = on ? 1 : 0;
  }
  for (int b = 0; b + 1 < k; ++b) x[all_placed[b]] = last <= b ? 1 : 0;
  // T: the largest stage cost as the model computes it (exact indicators).
  double t = mip.col_lb()[this->t];
  for (int r = 0; r < mip.num_rows(); ++r) {
    // Rows with a T column: T - f(S_b) >= rhs; T must cover the activity.
    double activity = 0, t_coef = 0;
    for (int64_t p = mip.row_start()[r]; p < mip.row_start()[r + 1]; ++p) {
      if (mip.index()[p] == this->t) {
        t_coef = mip.value()[p];
      } else {
        activity += mip.value()[p] * x[mip.index()[p]];
      }
    }
    if (t_coef > 0) t = std::max(t, (mip.row_lb()[r] - activity) / t_coef);
  }
  x[this->t] = t;
  return x;
}

std::vector<int> ExactModel::Decode(const std::vector<double>& x) const {
  const int n = static_cast<int>(y.size());
  std::vector<int> stage_of(n, k - 1);
  for (int v = 0; v < n; ++v) {
    for (int b = 0; b < k; ++b) {
      const bool set = y[v][b] >= 0 ? x[y[v][b]] > 0.5 : fixed_y[v][b] != 0;
      if (set) {
        stage_of[v] = b;
        break;
      }
    }
  }
  return stage_of;
}

bool ExactMipWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  if (absl::Status fits =
          CheckMipSize(name(), ExactModelVariables(graph_, k_),
                       ExactModelNonzeros(graph_, k_), options_);
      !fits.ok()) {
    PIPECUT_LOG(Info) << "skipped: " << fits.message();
    board.ReportMipSolve(name(), "too_large", 0);
    return false;
  }
  // The incumbent fixes stage windows and serves as MIP start and cutoff;
  // wait for one for the first tenth of the budget (the heuristics usually
  // give one at once).
  if (board.Snapshot().incumbent == nullptr &&
      ctx.ElapsedSeconds() <
          0.1 * (ctx.ElapsedSeconds() + ctx.RemainingSeconds())) {
    board.IdleUntilChange(absl::Milliseconds(5));
    return !ctx.ShouldStop();
  }
  LongStepSlot slot(ctx);
  if (!slot.held()) return YieldForLongStepSlot(ctx, board);
  const BoardSnapshot snapshot = board.Snapshot();
  ExactModelSpec spec;
  spec.k = k_;
  spec.memory_limit = options_.memory_limit_bytes;
  spec.lower_bound = snapshot.lower_bound;
  spec.upper_bound = snapshot.best_bottleneck();
  spec.scale = MipCostScale(graph_, k_);
  const ExactModel model = BuildExactModel(graph_, spec);
  if (ctx.ShouldStop()) return false;
  const BoundRounder rounder(graph_);

  MipRunParams params;
  // Rounds release the MIP slot now and then, so the other MIP workers get
  // their turn (and, on one thread, the heuristics queued behind).
  const bool in_rounds = round_fraction_ < 1;
  params.time_limit_seconds =
      in_rounds ? std::max(1.0, round_fraction_ * ctx.RemainingSeconds())
                : ctx.RemainingSeconds();
  params.threads = options_.mip_threads;
  std::optional<std::vector<double>> start;
  if (snapshot.incumbent != nullptr) {
    start = model.StartFor(graph_, snapshot.incumbent->stage_of);
  }
  if (start.has_value()) {
    params.start = *std::move(start);
  } else {
    params.cutoff = spec.upper_bound * spec.scale;
  }
  MipCallbacks callbacks;
  callbacks.on_bound = [&](double bound) {
    board.RaiseLowerBound(rounder(bound / spec.scale), name());
  };
  callbacks.on_solution = [&](const std::vector<double>& x, double) {
    board.OfferPartition(model.Decode(x), name());
  };
  const MipRunResult result = SolveMip(model.mip, params, ctx, callbacks);
  board.ReportMipSolve(name(), MipStatusName(result.status), result.seconds);
  if (!result.solution.empty()) {
    board.OfferPartition(model.Decode(result.solution), name());
  }
  if (std::isfinite(result.best_bound)) {
    board.RaiseLowerBound(rounder(result.best_bound / spec.scale), name());
  }
  PIPECUT_LOG(Debug) << name() << ": bound " << result.best_bound / spec.scale
                     << " after " << result.nodes << " nodes, "
                     << result.seconds << " s";
  if (in_rounds && result.status == MipStatus::kLimit && !ctx.ShouldStop()) {
    round_fraction_ *= 2;
    return true;
  }
  return false;
}

}  // namespace pipecut
