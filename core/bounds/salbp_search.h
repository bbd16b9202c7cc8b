#ifndef PIPECUT_CORE_BOUNDS_SALBP_SEARCH_H_
#define PIPECUT_CORE_BOUNDS_SALBP_SEARCH_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/solve/solve_context.h"
#include "core/solve/worker.h"

namespace pipecut {

// The outcome of one SALBP-2 decision search D(T).
struct SalbpDecisionResult {
  enum class Status {
    kFeasible,    // stage_of: <= k stations of work <= T (and memory)
    kInfeasible,  // proven: no partition has bottleneck < next_cycle_time
    kStopped,     // the stop token fired; nothing proven
  };
  Status status = Status::kStopped;
  std::vector<int> stage_of;
  // With kInfeasible: the smallest cycle time at which any comparison the
  // search made would have gone the other way (infinity when none would).
  double next_cycle_time = std::numeric_limits<double>::infinity();
  int64_t search_nodes = 0;
};

// Decides D(T) for a compute-only graph (every comm 0, so a stage costs its
// work): can the nodes be split into <= k stations, each a difference of two
// ideals, of work <= T and memory <= memory_limit (0 = none)? Station-
// oriented depth-first branch and bound (SALOME-style):
//
// * Stations are filled in order; a station's load is enumerated over the
//   available nodes (all predecessors assigned, including to this station)
//   by include/exclude branching, and only MAXIMAL loads (no available node
//   fits in time and memory any more) are closed. Dominance proof: take any
//   feasible completion whose next station L is not maximal, with available
//   v fitting beside L. v lies in a later station j'. Moving v into L keeps
//   precedence (v's predecessors are assigned up to this station, its
//   successors sit in stations >= j' > this one since v precedes them) and
//   the limits (L + v fits; j' only loses work and memory). Repeating this
//   gives a feasible completion with a maximal next station, so enumerating
//   maximal loads loses no solution (comm = 0 is what makes "work" the whole
//   station cost).
// * Prune when the remaining work needs more than the stations left
//   (remaining / stations_left > T), likewise for the descendant closure of
//   any unassigned node (all of it is unassigned, so it must fit in the
//   stations left), and, up front, when some node has work > T or memory >
//   limit.
// * Memo: an ideal (assigned set) from which the search failed with s
//   stations used fails with any s' >= s (the rest of the problem depends
//   only on the ideal and the number of stations left).
// * Further rules, each proved where it is implemented (salbp_search.cc):
//   at every station, per-node windows (earliest station from the
//   unassigned ancestors' work, latest from the descendants'), window sets
//   (all nodes whose latest station is <= r, with their ancestors, fit in
//   the stations up to r; likewise earliest >= r with descendants), forced
//   nodes, LB2/LB3 bin packing; inside a load, blocked work (excluded nodes
//   and their descendants must fit the later stations), the station zone
//   (an upper bound on the reachable load) and Jackson task dominance.
//   The maximal loads of a station are tried fullest first (up to 4096 of
//   them; beyond, depth-first).
//
// next_cycle_time: the search is deterministic and branches only on
// comparisons of computed values against T ("x <= T" or "x > T"). For every
// t in [T, x_min), with x_min the smallest compared value above T, each
// comparison has the same outcome, so D(t) runs the identical search and is
// infeasible too. Hence OPT >= x_min when D(T) is infeasible and T <= OPT.
// (Rules with monotone tests note the T at which they would stop firing.)
SalbpDecisionResult SolveSalbpDecision(const Graph& graph, int k,
                                       int64_t memory_limit, double cycle_time,
                                       const SolveContext* ctx = nullptr);

// D(T) for a sequence of cycle times on one graph. Failed ideals are kept
// between calls together with the cycle time up to which each failure is
// proven (the next_cycle_time argument above, applied to the subtree below
// that ideal), so a later D(T') reuses every failure that holds at T'.
// With integral works a cycle time t is decided as floor(t) (every station's
// work is an integer), and next_cycle_time may then be floor(t) + 1.
// node_limit > 0 stops a call (kStopped) after about that many search nodes.
// order_seed != 0 randomises the order in which candidate nodes are tried
// (it steers the search only; the answer is the same).
class SalbpDecider {
 public:
  SalbpDecider(const Graph& graph, int k, int64_t memory_limit);
  ~SalbpDecider();
  SalbpDecider(const SalbpDecider&) = delete;
  SalbpDecider& operator=(const SalbpDecider&) = delete;
  SalbpDecisionResult Decide(double cycle_time, const SolveContext* ctx,
                             int64_t node_limit = 0, uint64_t order_seed = 0);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// True when every node's comm is 0 (then the problem is SALBP-2).
bool IsComputeOnly(const Graph& graph);

// "salbp_search": exact SALBP-2 by increasing cycle time. Each step decides
// D(T) for T = the proven lower bound; an infeasible T raises the bound to
// next_cycle_time (rounded up with integral works, where every station's
// work and so OPT are integers), a feasible one is offered as the incumbent,
// which then meets the lower bound. Does nothing when some comm is nonzero.
//
// Each D(T) races the graph and its reverse (stations mirrored), both
// deciders keeping their failed ideals, under doubling node budgets; tests
// can pin one direction. With racing directions, after a head start of the
// lower side, steps alternate with upper-side probes D(T_u) for T_u between
// the bound and the incumbent (randomised orders, node budgets, about as
// many search nodes as the lower side): a feasible probe drops the
// incumbent, an infeasible one is a bound like any other D(T).
//
// With two threads or more the method runs as two workers, one per side
// (Sides::kLower and kUpper): the upper one probes from the start and,
// when nothing lies between bound and incumbent, races the lower one on
// D(t) in its own randomised orders (the two keep separate failed ideals).
class SalbpSearchWorker : public Worker {
 public:
  enum class Direction { kRace, kForward, kBackward };
  enum class Sides { kBoth, kLower, kUpper };
  // Search nodes the lower side spends before the upper side's probes start
  // (tests lower it to see probes on small graphs).
  static constexpr int64_t kProbeHeadStart = 16'000'000;
  SalbpSearchWorker(const Graph& graph, int k, int64_t memory_limit,
                    Direction direction = Direction::kRace,
                    int64_t probe_head_start = kProbeHeadStart,
                    Sides sides = Sides::kBoth);
  std::string name() const override { return "salbp_search"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;
  // Upper-side probes run so far (for tests and logs).
  int64_t probes() const { return static_cast<int64_t>(probe_seed_); }

 private:
  void Init();
  // Every value compared is a sum of works computed in some order; with
  // fractional works it may differ from the evaluator's sum by a few ulps,
  // so published bounds are shaved by far more than that.
  double Publishable(double bound) const {
    return integral_ ? bound : bound * (1 - 1e-12);
  }
  // D(t) on the graph or its reverse (stations mapped back to stages).
  SalbpDecisionResult Decide(bool backward, double t, SolveContext& ctx,
                             int64_t budget, uint64_t seed);
  // One upper-side probe; false when there is nothing to probe (with
  // or_bound, D(t) itself is probed then).
  bool ProbeUpper(double t, SolveContext& ctx, SolutionBoard& board,
                  bool or_bound);

  const Graph& graph_;
  const int k_;
  const int64_t memory_limit_;
  const bool applicable_;
  const Direction direction_;
  const int64_t probe_head_start_;
  const Sides sides_;
  bool integral_ = true;
  double proven_ = 0;  // our own proven lower bound (unshaved)
  // Created on the first Step: deciders on the graph and on its reverse.
  std::unique_ptr<SalbpDecider> forward_, backward_;
  std::unique_ptr<Graph> reversed_;
  bool backward_won_ = false;  // the direction that decided the last D(T)
  // The lower side's current D(t): its node budget and round (order seed).
  double lower_t_ = -1;
  int64_t lower_budget_ = 0;
  uint64_t lower_round_ = 0;
  // The upper side's probes (see ProbeUpper).
  double probe_fraction_ = 0.5;
  int64_t probe_budget_ = 200'000;
  uint64_t probe_seed_ = 0;
  // Search nodes spent by each side, to share the time.
  int64_t lower_nodes_ = 0, probe_nodes_ = 0;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_SALBP_SEARCH_H_
