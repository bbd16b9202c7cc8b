#include "core/bounds/guess_mip.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/bounds/bound_rounding.h"
#include "core/bounds/split_model.h"
#include "core/mip/cbc_solver.h"
#include "core/mip/mip_limits.h"
#include "core/solve/solution_board.h"
#include "core/solve/solve_context.h"
#include "core/util/logging.h"

namespace pipecut {

GuessMipWorker::GuessMipWorker(const Graph& graph, int k,
                               const ResolvedOptions& options)
    : graph_(graph),
      k_(k),
      options_(options),
      bound_(k, -std::numeric_limits<double>::infinity()),
      closed_(k, 0),
      slice_(k, 0),
      visited_(k, 0) {}

bool GuessMipWorker::Step(SolveContext& ctx, SolutionBoard& board) {
  if (!checked_) {
    checked_ = true;
    // Without communication the guess models add little to the SALBP bounds
    // and the exact model (measured on Scholl's instances); leave the time
    // to those.
    if (!graph_.has_communication()) return false;
    if (absl::Status fits =
            CheckMipSize(name(), SplitModelVariables(graph_, true),
                         SplitModelNonzeros(graph_, true), options_);
        !fits.ok()) {
      PIPECUT_LOG(Info) << "skipped: " << fits.message();
      board.ReportMipSolve(name(), "too_large", 0);
      return false;
    }
    // First pass: share half of the remaining time over the k models.
    const double first =
        std::clamp(0.5 * ctx.RemainingSeconds() / k_, 0.05, 5.0);
    std::fill(slice_.begin(), slice_.end(), first);
  }
  if (ctx.ShouldStop()) return false;
  LongStepSlot slot(ctx);
  if (!slot.held()) return YieldForLongStepSlot(ctx, board);

  // Pick the model: the first pass goes from the middle outwards (middle
  // guesses have the most constrained P and Q and close fastest), then the
  // open model with the smallest bound.
  int b = -1;
  if (first_pass_next_ < k_) {
    // mid, mid+1, mid-1, mid+2, ... restricted to 1..k.
    const int mid = (k_ + 1) / 2;
    for (int offset = 0; b < 0; ++offset) {
      for (int candidate : {mid + offset, mid - offset}) {
        if (candidate < 1 || candidate > k_ || b >= 0) continue;
        if (!visited_[candidate - 1]) b = candidate;
      }
    }
    visited_[b - 1] = 1;
    ++first_pass_next_;
  } else {
    double lowest = std::numeric_limits<double>::infinity();
    for (int j = 1; j <= k_; ++j) {
      if (!closed_[j - 1] && bound_[j - 1] < lowest) {
        lowest = bound_[j - 1];
        b = j;
      }
    }
    if (b < 0) return false;  // every model closed: the bound is final
  }

  const double ub = board.best_bottleneck();
  SplitModelSpec spec;
  spec.k = k_;
  spec.guess_stage = b;
  spec.memory_limit = options_.memory_limit_bytes;
  spec.lower_bound = board.lower_bound();
  spec.scale = MipCostScale(graph_, k_);
  const BoundRounder rounder(graph_);
  const SplitModel model = BuildSplitModel(graph_, spec);
  MipRunParams params;
  params.time_limit_seconds = slice_[b - 1];
  params.threads = options_.mip_threads;
  params.cutoff = ub * spec.scale;
  const MipRunResult result = SolveMip(model.mip, params, ctx);
  board.ReportMipSolve(name(), MipStatusName(result.status), result.seconds);
  if (result.status == MipStatus::kStopped) return false;
  slice_[b - 1] *= 2;
  // spec.lower_bound was proved before this run: it is a valid floor.
  double value =
      std::max(spec.lower_bound, rounder(result.best_bound / spec.scale));
  if (result.status == MipStatus::kOptimal ||
      result.status == MipStatus::kInfeasible || value >= ub) {
    closed_[b - 1] = 1;
  }
  bound_[b - 1] = std::max(bound_[b - 1], value);
  PIPECUT_LOG(Debug) << name() << ": b=" << b << " bound " << bound_[b - 1]
                     << " (" << result.nodes << " nodes, " << result.seconds
                     << " s)";

  if (first_pass_next_ >= k_) {
    const double min_bound = *std::min_element(bound_.begin(), bound_.end());
    if (std::isfinite(min_bound)) board.RaiseLowerBound(min_bound, name());
  }
  return true;
}

}  // namespace pipecut
