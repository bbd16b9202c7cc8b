#include "core/mip/cbc_solver.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "coin/CbcEventHandler.hpp"
#include "coin/CbcModel.hpp"
#include "coin/CglGomory.hpp"
#include "coin/CglKnapsackCover.hpp"
#include "coin/CglMixedIntegerRounding2.hpp"
#include "coin/CglProbing.hpp"
#include "coin/ClpEventHandler.hpp"
#include "coin/ClpSimplex.hpp"
#include "coin/ClpSolve.hpp"
#include "coin/CoinPackedMatrix.hpp"
#include "coin/OsiClpSolverInterface.hpp"
#include "core/util/logging.h"

namespace pipecut {
namespace {

constexpr double kSentinel = 1e49;  // CBC uses 1e50 for "no value"

// State shared by CBC's clones of the handlers.
struct Sink {
  const SolveContext* ctx = nullptr;
  absl::Time run_deadline;
  bool stream_bounds = false;
  const MipCallbacks* callbacks = nullptr;
  std::atomic<bool> stopped{false};  // the context stopped the run
  std::atomic<bool> lp_aborted{false};
  std::mutex mu;
  double published = -std::numeric_limits<double>::infinity();
  double last_objective = std::numeric_limits<double>::infinity();
  absl::Time next_bound_read = absl::InfinitePast();

  // Sticky; true once the context wants the run stopped.
  bool ShouldStop() {
    if (stopped.load(std::memory_order_relaxed)) return true;
    if (ctx->ShouldStop()) {
      stopped.store(true);
      return true;
    }
    return false;
  }
};

class CbcStopHandler : public CbcEventHandler {
 public:
  explicit CbcStopHandler(std::shared_ptr<Sink> sink)
      : sink_(std::move(sink)) {}
  CbcStopHandler(const CbcStopHandler& other)
      : CbcEventHandler(other), sink_(other.sink_) {}
  CbcEventHandler* clone() const override { return new CbcStopHandler(*this); }

  CbcAction event(CbcEvent which) override {
    if (sink_->ShouldStop()) return stop;
    if (which == solution || which == heuristicSolution) ReportSolution();
    if (which == node || which == treeStatus) ReportBound();
    return noAction;
  }

 private:
  void ReportSolution() {
    const double objective = model_->getMinimizationObjValue();
    const double* x = model_->bestSolution();
    if (x == nullptr || std::abs(objective) >= kSentinel) return;
    std::vector<double> copy;
    {
      std::lock_guard<std::mutex> lock(sink_->mu);
      if (!(objective < sink_->last_objective)) return;
      sink_->last_objective = objective;
      copy.assign(x, x + model_->getNumCols());
    }
    if (sink_->callbacks->on_solution) {
      sink_->callbacks->on_solution(copy, objective);
    }
  }

  void ReportBound() {
    if (!sink_->stream_bounds || !sink_->callbacks->on_bound) return;
    const absl::Time now = absl::Now();
    double bound;
    {
      std::lock_guard<std::mutex> lock(sink_->mu);
      if (now < sink_->next_bound_read) return;
      sink_->next_bound_read = now + absl::Milliseconds(20);
      bound = model_->getBestPossibleObjValue();
      if (std::abs(bound) >= kSentinel || !(bound > sink_->published)) return;
      // Checked after reading: an LP is only aborted once the (sticky) stop
      // is visible, so a bound computed after an abort is never published.
      if (sink_->ShouldStop() || sink_->lp_aborted.load()) return;
      sink_->published = bound;
    }
    sink_->callbacks->on_bound(bound);
  }

  std::shared_ptr<Sink> sink_;
};

// Aborts a running simplex once the context stops or the run's deadline has
// passed (CBC only checks its own time limit between nodes).
class ClpStopHandler : public ClpEventHandler {
 public:
  explicit ClpStopHandler(std::shared_ptr<Sink> sink)
      : sink_(std::move(sink)) {}
  ClpStopHandler(const ClpStopHandler& other)
      : ClpEventHandler(other), sink_(other.sink_) {}
  ClpEventHandler* clone() const override { return new ClpStopHandler(*this); }

  int event(Event which) override {
    if (which != endOfIteration) return -1;
    if (++calls_ % 4 != 0) return -1;
    if (sink_->ShouldStop() || absl::Now() > sink_->run_deadline) {
      // Set before returning: CBC may read the aborted LP as infeasible, so
      // no bound computed from here on is trusted.
      sink_->lp_aborted.store(true);
      return 0;
    }
    return -1;
  }

 private:
  std::shared_ptr<Sink> sink_;
  int calls_ = 0;
};

}  // namespace

MipRunResult SolveMip(const MipModel& model, const MipRunParams& params,
                      const SolveContext& ctx, const MipCallbacks& callbacks) {
  const absl::Time started = absl::Now();
  MipRunResult result;
  // CBC's own limit ends a run cleanly (its dual bound stays valid), so it
  // should expire a little before the context's deadline, which aborts LPs.
  const double remaining = ctx.RemainingSeconds();
  const double budget = std::min(params.time_limit_seconds,
                                 remaining - std::max(0.05, 0.05 * remaining));
  if (budget <= 0 || ctx.ShouldStop()) return result;

  auto sink = std::make_shared<Sink>();
  sink->ctx = &ctx;
  sink->callbacks = &callbacks;
  sink->stream_bounds = params.threads == 0;
  // The LP handler is a backstop: give CBC's own limit a head start so that a
  // normal time-out keeps its (valid) dual bound.
  sink->run_deadline = started + absl::Seconds(budget * 1.5 + 0.5);

  OsiClpSolverInterface solver;
  {
    const int n = model.num_vars();
    const int m = model.num_rows();
    std::vector<CoinBigIndex> starts(model.row_start().begin(),
                                     model.row_start().end());
    std::vector<int> lengths(m);
    for (int r = 0; r < m; ++r) {
      lengths[r] =
          static_cast<int>(model.row_start()[r + 1] - model.row_start()[r]);
    }
    CoinPackedMatrix matrix(/*colordered=*/false, n, m, model.num_nonzeros(),
                            model.value().data(), model.index().data(),
                            starts.data(), lengths.data());
    std::vector<double> col_lb(model.col_lb()), col_ub(model.col_ub());
    std::vector<double> row_lb(model.row_lb()), row_ub(model.row_ub());
    const double inf = solver.getInfinity();
    for (auto* v : {&col_lb, &col_ub, &row_lb, &row_ub}) {
      for (double& x : *v) x = std::clamp(x, -inf, inf);
    }
    solver.loadProblem(matrix, col_lb.data(), col_ub.data(), model.obj().data(),
                       row_lb.data(), row_ub.data());
    for (int j = 0; j < n; ++j) {
      if (model.is_integer()[j]) solver.setInteger(j);
    }
  }
  solver.messageHandler()->setLogLevel(0);
  solver.getModelPtr()->setLogLevel(0);
  // Dual simplex for the root LP: Clp's automatic choice for large LPs is
  // the "idiot" crash, which never reaches the event handler and so could
  // not be cancelled (measured: seconds past the deadline on 2k nodes).
  ClpSolve solve_options;
  solve_options.setSolveType(ClpSolve::useDual);
  solve_options.setPresolveType(ClpSolve::presolveOn);
  solver.setSolveOptions(solve_options);
  ClpStopHandler lp_handler(sink);
  solver.getModelPtr()->passInEventHandler(&lp_handler);

  CbcModel cbc(solver);
  cbc.setLogLevel(0);
  cbc.messageHandler()->setLogLevel(0);
  cbc.solver()->messageHandler()->setLogLevel(0);
  cbc.setUseElapsedTime(true);
  cbc.setMaximumSeconds(budget);
  cbc.setNumberThreads(params.threads);
  // A little above the requested cutoff, so that CBC's pruning tolerance
  // cannot discard a solution of value exactly `cutoff`: "infeasible" then
  // really means optimum >= cutoff.
  if (std::isfinite(params.cutoff)) {
    cbc.setCutoff(params.cutoff +
                  1e-6 * std::max(1.0, std::abs(params.cutoff)));
  }
  CbcStopHandler handler(sink);
  cbc.passInEventHandler(&handler);

  CglProbing probing;
  probing.setUsingObjective(true);
  probing.setMaxPass(1);
  probing.setMaxProbe(50);
  probing.setMaxLook(20);
  CglGomory gomory;
  gomory.setLimit(100);
  CglKnapsackCover knapsack;
  CglMixedIntegerRounding2 mir;
  cbc.addCutGenerator(&probing, -1, "Probing");
  cbc.addCutGenerator(&gomory, -1, "Gomory");
  cbc.addCutGenerator(&knapsack, -1, "Knapsack");
  cbc.addCutGenerator(&mir, -1, "MIR");

  cbc.initialSolve();
  if (sink->ShouldStop()) {
    result.seconds = absl::ToDoubleSeconds(absl::Now() - started);
    return result;
  }
  // CBC's clock starts with branchAndBound: give it what the root LP left of
  // the budget (measured: after a 3.9 s root LP, a 4.4 s limit let an exact
  // model on a 652-node graph end 0.9 s past the solve's deadline).
  const double left = budget - absl::ToDoubleSeconds(absl::Now() - started);
  if (left <= 0) {
    result.status = MipStatus::kLimit;
    result.seconds = absl::ToDoubleSeconds(absl::Now() - started);
    return result;
  }
  cbc.setMaximumSeconds(left);
  if (!params.start.empty() &&
      static_cast<int>(params.start.size()) == model.num_vars() &&
      model.MaxViolation(params.start) < 1e-7) {
    double objective = 0;
    for (int j = 0; j < model.num_vars(); ++j) {
      objective += model.obj()[j] * params.start[j];
    }
    if (objective < params.cutoff) {
      cbc.setBestSolution(params.start.data(), model.num_vars(), objective,
                          /*check=*/true);
    }
  }
  cbc.branchAndBound();

  result.nodes = cbc.getNodeCount();
  result.seconds = absl::ToDoubleSeconds(absl::Now() - started);
  if (cbc.bestSolution() != nullptr &&
      std::abs(cbc.getObjValue()) < kSentinel) {
    result.objective = cbc.getObjValue();
    result.solution.assign(cbc.bestSolution(),
                           cbc.bestSolution() + model.num_vars());
  }
  if (sink->lp_aborted.load()) {
    // An LP was cut short: CBC may have pruned a node as "infeasible".
    result.status =
        sink->stopped.load() ? MipStatus::kStopped : MipStatus::kLimit;
    return result;
  }
  if (sink->stopped.load()) {
    // Stopped by the CBC handler between nodes: the open nodes' bounds are
    // intact, so CBC's best possible value is still a valid bound.
    result.status = MipStatus::kStopped;
    const double bound = cbc.getBestPossibleObjValue();
    if (std::abs(bound) < kSentinel) result.best_bound = bound;
    if (!result.solution.empty()) {
      result.best_bound = std::min(result.best_bound, result.objective);
    }
    return result;
  }
  if (cbc.isProvenOptimal() && !result.solution.empty()) {
    result.status = MipStatus::kOptimal;
    result.best_bound = result.objective;
  } else if (cbc.isProvenInfeasible() ||
             (cbc.isProvenOptimal() && result.solution.empty())) {
    result.status = MipStatus::kInfeasible;
    result.best_bound = params.cutoff;
  } else {
    result.status = MipStatus::kLimit;
    const double bound = cbc.getBestPossibleObjValue();
    if (std::abs(bound) < kSentinel) result.best_bound = bound;
    if (!result.solution.empty()) {
      result.best_bound = std::min(result.best_bound, result.objective);
    }
  }
  return result;
}

const char* MipStatusName(MipStatus status) {
  switch (status) {
    case MipStatus::kOptimal:
      return "optimal";
    case MipStatus::kInfeasible:
      return "infeasible";
    case MipStatus::kLimit:
      return "time_limit";
    case MipStatus::kStopped:
      return "stopped";
  }
  return "error";
}

}  // namespace pipecut
