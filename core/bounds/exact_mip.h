#ifndef PIPECUT_CORE_BOUNDS_EXACT_MIP_H_
#define PIPECUT_CORE_BOUNDS_EXACT_MIP_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/mip/mip_model.h"
#include "core/options.h"
#include "core/solve/worker.h"

namespace pipecut {

// The exact partition MIP (DESIGN section 2) in prefix form: y[v][b] = 1 iff
// stage(v) <= b, b = 0..k-1 (y[v][k-1] = 1). Proof of exactness is in
// exact_mip.cc next to the constraints.
struct ExactModel {
  MipModel mip;
  // Column of y[v][b], or -1 when fixed; then fixed_y[v][b] holds the value.
  std::vector<std::vector<int>> y;
  std::vector<std::vector<char>> fixed_y;
  int t = -1;
  int k = 1;
  // The MIP start for a partition (normalised so empty stages come last), or
  // nullopt when it violates the model's fixings.
  std::optional<std::vector<double>> StartFor(const Graph& graph,
                                              std::vector<int> stage_of) const;
  // stage(v) = first b with y[v][b] = 1.
  std::vector<int> Decode(const std::vector<double>& x) const;

  // Extra columns kept for StartFor.
  struct Indicator {
    int col;
    int u;
    int b;
    bool in;  // true: u in in(S_b); false: u in out(S_b)
  };
  std::vector<Indicator> indicators;
  std::vector<int> all_placed;  // z[b] columns, b = 0..k-2
};

struct ExactModelSpec {
  int k = 1;
  int64_t memory_limit = 0;
  double lower_bound = 0;  // proved; used as T >= lower_bound
  // Bottleneck of a known partition (OPT <= upper_bound); used to fix stages
  // from ancestor/descendant work. infinity = none.
  double upper_bound = std::numeric_limits<double>::infinity();
  double scale = 1;  // cost multiplier inside the model (MipCostScale)
};

// Earliest and latest stage of each node in every partition whose
// bottleneck is <= upper_bound (all stages 0..k-1 when it is infinite).
void StageWindows(const Graph& graph, int k, double upper_bound,
                  std::vector<int>& earliest, std::vector<int>& latest);

ExactModel BuildExactModel(const Graph& graph, const ExactModelSpec& spec);
// Cheap upper estimates for the size limits.
int64_t ExactModelVariables(const Graph& graph, int k);
int64_t ExactModelNonzeros(const Graph& graph, int k);

// "exact_mip": solves the exact model with the remaining time, the incumbent
// as MIP start and cutoff. Its incumbents go to the board (which re-evaluates
// them), and its dual bound counts whenever CBC stops on its own time limit:
// the model's optimum is OPT. A single run would hold its MIP slot (see
// SolveContext::set_long_step_slots; on one thread, the only thread) to the
// end, starving the other MIP workers (CBC cannot pause), so it runs in rounds
// of doubling length (from a quarter of the remaining time), each rebuilt from
// the latest incumbent and bound, with the other workers stepping in between.
class ExactMipWorker : public Worker {
 public:
  ExactMipWorker(const Graph& graph, int k, const ResolvedOptions& options)
      : graph_(graph), k_(k), options_(options) {}
  std::string name() const override { return "exact_mip"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int k_;
  const ResolvedOptions& options_;
  double round_fraction_ = 0.25;  // of the remaining time
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_EXACT_MIP_H_
