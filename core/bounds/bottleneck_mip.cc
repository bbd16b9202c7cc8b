#include "core/bounds/bottleneck_mip.h"

#include <algorithm>
#include <cmath>

#include "core/bounds/bound_rounding.h"
#include "core/bounds/split_model.h"
#include "core/mip/cbc_solver.h"
#include "core/mip/mip_limits.h"
#include "core/util/logging.h"

namespace pipecut {

bool BottleneckMipWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  // Without communication f(S) = w(S) >= W/k is all the model knows, so it
  // cannot beat LB0 by more than integrality; leave the time to the others.
  if (!graph_.has_communication()) return false;
  if (absl::Status fits =
          CheckMipSize(name(), SplitModelVariables(graph_, false),
                       SplitModelNonzeros(graph_, false), options_);
      !fits.ok()) {
    PIPECUT_LOG(Info) << "skipped: " << fits.message();
    board.ReportMipSolve(name(), "too_large", 0);
    return false;
  }
  MipSlot slot(ctx);
  if (!slot.held()) return YieldForMipSlot(ctx, board);
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
