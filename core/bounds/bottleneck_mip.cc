#include "core/bounds/bottleneck_mip.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/time/clock.h"
#include "core/bounds/bound_rounding.h"
#include "core/bounds/heavy_stage_search.h"
#include "core/bounds/split_model.h"
#include "core/graph/contraction.h"
#include "core/mip/cbc_solver.h"
#include "core/mip/mip_limits.h"
#include "core/solve/solution_board.h"
#include "core/solve/solve_context.h"
#include "core/util/logging.h"

namespace pipecut {
namespace {

const char* OutcomeName(HeavyStageResult::Status status) {
  switch (status) {
    case HeavyStageResult::Status::kFound:
      return "found";
    case HeavyStageResult::Status::kNone:
      return "none";
    case HeavyStageResult::Status::kGaveUp:
      return "gave up";
    case HeavyStageResult::Status::kStopped:
      return "stopped";
  }
  return "?";
}

}  // namespace

bool BottleneckMipWorker::SolveBySearch(SolveContext& ctx,
                                        SolutionBoard& board) {
  // Runs on the contracted graph: some optimal partition keeps its merged
  // nodes together, and that partition's heaviest stage is the S* of the
  // relaxation (bottleneck_mip.h), so the bound stays valid.
  absl::StatusOr<Contraction> contraction =
      ContractAnchoredNodes(graph_, options_.memory_limit_bytes > 0);
  const Graph& graph = contraction.ok() ? contraction->graph : graph_;
  const absl::Time give_up_at =
      absl::Now() + absl::Seconds(0.25 * std::max(0.0, ctx.RemainingSeconds()));
  // Steps up from the bound, doubling after each refuted threshold, and
  // bisects below the cheapest set found: the search's effort grows steeply
  // with the threshold, so probing the middle of a wide gap first would
  // mostly give up. A probe that gives up lowers the ceiling.
  double lo = board.lower_bound();
  // The relaxation's optimum is at most best_set: the incumbent's heaviest
  // stage, V itself (cost W) and every set found qualify. Probes stay below
  // `ceiling`, which give-ups lower too.
  double best_set = std::min(board.best_bottleneck(), graph.total_work());
  double ceiling = best_set;
  double step = 0.01 * std::max(lo, graph.total_work() / k_);
  // Two give-ups in a row: the sets are too many near the bound (wide cells,
  // big stages); the next probes would only creep.
  int give_ups = 0;
  for (int probe = 0; probe < 40 && give_ups < 2 && !ctx.ShouldStop();
       ++probe) {
    // Another bound may have passed every set found: then the relaxation
    // (and its MIP) can add nothing.
    if (board.lower_bound() >= best_set) return true;
    if (best_set - lo <= 1e-4 * best_set) return true;  // pinned
    if (ceiling - lo <= 1e-4 * ceiling) return false;   // gave up above
    HeavyStageParams params;
    // Shaved so that rounding in the sum of W cannot exclude S*.
    params.min_value = graph.total_work() / k_ * (1 - 1e-12);
    params.threshold = std::min(lo + step, 0.5 * (lo + ceiling));
    params.memory_limit = options_.memory_limit_bytes;
    params.max_states = std::numeric_limits<int64_t>::max();  // time decides
    params.give_up_at = absl::Now() + (give_up_at - absl::Now()) / 3;
    const HeavyStageResult result = SearchHeavyStage(graph, params, &ctx);
    give_ups =
        result.status == HeavyStageResult::Status::kGaveUp ? give_ups + 1 : 0;
    PIPECUT_LOG(Info) << name()
                      << ": convex sets of work >= " << params.min_value
                      << " costing below " << params.threshold << ": "
                      << OutcomeName(result.status) << " (" << result.states
                      << " states)";
    switch (result.status) {
      case HeavyStageResult::Status::kNone:
        // Stage sums may round in the last bits.
        lo = params.threshold;
        step *= 2;
        board.RaiseLowerBound(params.threshold * (1 - 1e-9), name());
        break;
      case HeavyStageResult::Status::kFound:
        best_set = ceiling = result.cost;
        break;
      case HeavyStageResult::Status::kGaveUp:
        if (absl::Now() + absl::Milliseconds(100) > give_up_at) return false;
        ceiling = params.threshold;
        break;
      case HeavyStageResult::Status::kStopped:
        return false;
    }
  }
  return false;
}

bool BottleneckMipWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  // Without communication f(S) = w(S) >= W/k is all the model knows, so it
  // cannot beat LB0 by more than integrality; leave the time to the others.
  if (!graph_.has_communication()) return false;
  if (!searched_) {
    LongStepSlot slot(ctx, LongStepSlot::Priority::kPreferred);
    if (!slot.held()) return YieldForLongStepSlot(ctx, board);
    searched_ = true;
    if (SolveBySearch(ctx, board)) return false;
  }
  if (absl::Status fits =
          CheckMipSize(name(), SplitModelVariables(graph_, false),
                       SplitModelNonzeros(graph_, false), options_);
      !fits.ok()) {
    PIPECUT_LOG(Info) << "skipped: " << fits.message();
    board.ReportMipSolve(name(), "too_large", 0);
    return false;
  }
  LongStepSlot slot(ctx);
  if (!slot.held()) return YieldForLongStepSlot(ctx, board);
  SplitModelSpec spec;
  spec.k = k_;
  spec.memory_limit = options_.memory_limit_bytes;
  spec.scale = MipCostScale(graph_, k_);
  const BoundRounder rounder(graph_);
  const SplitModel model = BuildSplitModel(graph_, spec);
  if (ctx.ShouldStop()) return false;

  MipRunParams params;
  params.time_limit_seconds = std::max(1.0, 0.25 * ctx.RemainingSeconds());
  params.threads = options_.mip_threads;
  // Solutions at or above the incumbent's bottleneck prove nothing new.
  params.cutoff = board.best_bottleneck() * spec.scale;
  MipCallbacks callbacks;
  callbacks.on_bound = [&](double bound) {
    board.RaiseLowerBound(rounder(bound / spec.scale), name());
  };
  const MipRunResult result = SolveMip(model.mip, params, ctx, callbacks);
  board.ReportMipSolve(name(), MipStatusName(result.status), result.seconds);
  if (std::isfinite(result.best_bound)) {
    board.RaiseLowerBound(rounder(result.best_bound / spec.scale), name());
  }
  PIPECUT_LOG(Debug) << name() << ": bound " << result.best_bound << " after "
                     << result.nodes << " nodes, " << result.seconds << " s";
  return false;
}

}  // namespace pipecut
