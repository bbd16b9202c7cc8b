#ifndef PIPECUT_CORE_BOUNDS_STAGE_COVER_LP_H_
#define PIPECUT_CORE_BOUNDS_STAGE_COVER_LP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "core/bounds/bound_rounding.h"
#include "core/bounds/guess_ladder.h"
#include "core/bounds/guess_outcome.h"
#include "core/graph/contraction.h"
#include "core/graph/graph.h"
#include "core/solve/solve_context.h"
#include "core/solve/worker.h"

namespace pipecut {

class ForcedCrossing;  // forced_crossing.h

// The stage-cover LP bound: the configuration LP of the partition problem,
// over every stage that fits under a guess t.
//
// Fix t and suppose a partition with bottleneck < t. Its stages are convex
// sets S with f(S) < t (and memory within the limit), at most k of them, and
// they cover every node. So for any weights y >= 0 on the nodes,
//   sum_v y(v) = sum over stages y(S) <= k max{ y(S) : S convex, f(S) < t }.
// If an exact search finds no convex S with f(S) < t and y(S) >= sum y / k,
// the supposition fails: OPT >= t (Farley's bound on the LP "min sum x_S,
// sum_{S ni v} x_S >= 1 over those S", whose dual is max sum y subject to
// y(S) <= 1).
//
// Which y: the LP's optimal duals. Column generation on CLP finds them:
// singletons to start (those costing t or more get a large objective, so the
// LP leaves them as soon as real stages cover their nodes), then rounds of
// greedy pricing (grow a convex stage from a seed, adding the neighbour that
// gains most dual value per cost, with every node between it and the stage,
// while f < t) add the stages of dual value above 1. When the greedy finds
// none, the exact search (heavy_stage_search.h with the duals as values)
// either proves the bound or returns a stage to add. Only that search and the
// sum of y decide; the LP's arithmetic only proposes y. Duals are capped in
// proportion to each node's size at t (its work, plus its tensor when that
// is forced at t: ForcedCrossing::OwnTermSizes), and the search prunes on
// value per size (heavy 150-node layered DAG, the LP alone for 60 s: 79.6
// where caps per unit of work reached 77.7).
//
// What it sees: every stage in the middle of a wide graph pays for the
// tensors it reads and sends, so a stage of cost t holds much less than t of
// work there; the relaxations that look at one stage (bottleneck, heavy
// stage) take the cheapest stage of the graph, often at a source or a sink.
// The LP must cover every node. Heavy 150-node layered DAG, k = 16: the
// restricted LP with greedy pricing stays above 16 up to t ~ 100 (UB
// 101-102; the other bounds stop at 76). What is certified is far less
// (about 80 in 60 s): the exact search must rule out every convex set of cost
// below t, and its cut sees the work left, not the communication.
class StageCoverLp {
 public:
  // `graph` must outlive this object.
  StageCoverLp(const Graph& graph, int k, int64_t memory_limit);
  ~StageCoverLp();
  StageCoverLp(const StageCoverLp&) = delete;
  StageCoverLp& operator=(const StageCoverLp&) = delete;

  using Outcome = GuessOutcome;
  struct Probe {
    Outcome outcome = Outcome::kStopped;
    double lp_value = 0;  // of the last restricted LP
    int rounds = 0;
    int columns = 0;
    int64_t search_states = 0;
  };
  Probe Decide(double t, absl::Time give_up_at,
               const SolveContext* ctx = nullptr);

 private:
  class Pricer;
  // Stages found so far (sorted nodes), kept across probes: a stage under t
  // is under every larger guess.
  struct Column {
    std::vector<int> nodes;
    double cost;
  };

  const Graph& graph_;
  const int k_;
  const int64_t memory_limit_;
  std::unique_ptr<Pricer> pricer_;
  std::unique_ptr<ForcedCrossing> forced_;  // which tensors leave every stage
  std::vector<Column> pool_;
  absl::flat_hash_set<std::vector<int>> known_;
};

// "stage_cover_lp": one probe per step, guesses placed by a GuessLadder
// (guess_ladder.h). The LP's probes are preferred long steps
// (SolveContext::LongStepPriority). Runs on
// ContractAnchoredNodes(graph) (OPT unchanged), on graphs with communication
// of at most kStageCoverMaxNodes nodes (closure bitsets take n^2 / 4
// bytes). Beyond a few hundred nodes the exact search gives up just above
// the other bounds (heavy 500-node layered DAG, k = 16, 60 s: 191.7 against
// 189.8).
inline constexpr int kStageCoverMaxNodes = 8192;

class StageCoverLpWorker : public Worker {
 public:
  StageCoverLpWorker(const Graph& graph, int k, int64_t memory_limit);
  ~StageCoverLpWorker() override;
  std::string name() const override { return "stage_cover_lp"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int k_;
  const int64_t memory_limit_;
  const BoundRounder rounder_;
  std::unique_ptr<Contraction> contraction_;
  std::unique_ptr<StageCoverLp> bound_;
  GuessLadder ladder_;
  int probes_ = 0;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_STAGE_COVER_LP_H_
