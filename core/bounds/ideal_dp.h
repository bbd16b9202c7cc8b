#ifndef PIPECUT_CORE_BOUNDS_IDEAL_DP_H_
#define PIPECUT_CORE_BOUNDS_IDEAL_DP_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/graph/graph.h"
#include "core/options.h"
#include "core/solve/solve_context.h"
#include "core/solve/worker.h"

namespace pipecut {

struct IdealDpParams {
  int k = 1;
  int64_t memory_limit = 0;  // 0 = none
  // OPT <= cost_limit must be known (e.g. a partition's bottleneck): only
  // stages with work <= cost_limit are enumerated.
  double cost_limit = std::numeric_limits<double>::infinity();
  int64_t max_ideals = 200'000;
  int64_t max_pairs = 50'000'000;
  // Give up (kTooLarge) after this time; checked with the stop token.
  absl::Time give_up_at = absl::InfiniteFuture();
};

struct IdealDpResult {
  enum class Status {
    kSolved,      // bottleneck == OPT, stage_of attains it
    kNoSolution,  // no partition with bottleneck <= cost_limit (and memory)
    kTooLarge,    // more ideals or pairs than allowed
    kStopped,
  };
  Status status = Status::kStopped;
  double bottleneck = std::numeric_limits<double>::infinity();
  std::vector<int> stage_of;
  int64_t ideals = 0;
  int64_t pairs = 0;
};

// Exact DP over the ideals (lower sets) of the DAG (cf. Tarnawski et al.
// 2020). Every feasible partition is a chain of ideals
// {} = I_0 <= I_1 <= ... <= I_k = V with stage b = I_{b+1} \ I_b, and
// conversely every such chain is a feasible partition (no edge can leave a
// later difference for an earlier one: the I_b are closed under
// predecessors). The cost f(I \ J) depends only on the pair (J, I), so
// OPT = min over chains of at most k non-trivial steps of the largest step
// cost. Pairs with w(I \ J) > cost_limit >= OPT cannot be on an optimal chain
// (f >= w), so dropping them keeps the DP exact. The optimum is the smallest
// pair cost T for which V is reachable from {} in <= k steps of cost <= T
// (binary search over the sorted pair costs, one O(pairs) DP per probe).
//
// The DP runs on ContractAnchoredNodes(graph) (weights hanging off their
// consumer and similar nodes merged; OPT is unchanged), so `ideals` and
// `pairs` count those of the contracted graph.
//
// Ideals are identified by 128-bit Zobrist keys; a collision among 2e5
// ideals has probability about 2^-92.
IdealDpResult SolveIdealDp(const Graph& graph, const IdealDpParams& params,
                           const SolveContext* ctx = nullptr);

// "ideal_dp": runs SolveIdealDp with the incumbent's bottleneck (or a quick
// SliceDP of the topological order) as cost limit; offers the optimal
// partition and publishes its value as a lower bound, which proves
// optimality. Gives up (logged) when the graph has more than
// options.ideal_dp_max_ideals ideals, more than 20 stage pairs per allowed
// ideal, or after a quarter of the remaining time (the other workers need the
// threads; a partial DP proves nothing). Too many pairs with an ideal count
// that fits is retried (up to 3 times) once the incumbent is 10 % lower, as
// the pairs are the stages cheaper than the incumbent (it stops waiting when
// the board stays quiet for about a second). When it gives up on a graph
// with communication, it probes with SearchIdealChain instead (see
// ProbeChains).
class IdealDpWorker : public Worker {
 public:
  IdealDpWorker(const Graph& graph, int k, const ResolvedOptions& options)
      : graph_(graph), k_(k), options_(options) {}
  std::string name() const override { return "ideal_dp"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  // Too many ideals or pairs for the DP: bisects between the bound and the
  // incumbent with SearchIdealChain probes, for a quarter of the remaining
  // time. Only on graphs with communication: without it only work cuts the
  // chain search, and salbp_search does that search far better.
  void ProbeChains(SolveContext& ctx, SolutionBoard& board);

  const Graph& graph_;
  const int k_;
  const ResolvedOptions& options_;
  // After a pair overflow: run again once the incumbent is below this.
  double retry_below_ = std::numeric_limits<double>::infinity();
  int retries_left_ = 3;
  int quiet_waits_ = 0;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_IDEAL_DP_H_
