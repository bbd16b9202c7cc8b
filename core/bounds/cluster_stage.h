#ifndef PIPECUT_CORE_BOUNDS_CLUSTER_STAGE_H_
#define PIPECUT_CORE_BOUNDS_CLUSTER_STAGE_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/bounds/bound_rounding.h"
#include "core/bounds/closure_work.h"
#include "core/bounds/guess_outcome.h"
#include "core/graph/contraction.h"
#include "core/graph/graph.h"
#include "core/solve/solve_context.h"
#include "core/solve/worker.h"

namespace pipecut {

// The cluster-stage bound: tensors too expensive to cross a stage boundary
// tie their producer and readers into one stage, and that stage may cost too
// much.
//
// Fix a guess t and suppose a partition with bottleneck < t.
// (1) Tied tensors. If the tensor of u crosses a boundary, u's stage pays
//     w(u) + c(u) and some stage holding a reader r but not u pays w(r) +
//     c(u). So if c(u) + max(w(u), min over readers w(r)) >= t, u and all its
//     readers share one stage.
// (2) Convexity. A stage is a difference of two ideals, so a stage holding a
//     set X holds hull(X) = desc*(X) n anc*(X) (every node on a path between
//     two nodes of X). Closing the tied groups under hulls and unions gives
//     clusters that each lie inside one stage.
// (3) For a cluster K, the stage S holding it is convex, contains K, has
//     f(S) < t (and memory within the limit), and contains no node v with
//     w(hull(K u K_v)) >= t, K_v = v's cluster (S would hold that hull).
//     SearchStage decides whether such an S exists, exactly; if for some K
//     none does, the supposition fails and OPT >= t.
// A cluster whose own cost f(K) is below t is such an S (it is convex), so
// only clusters with f(K) >= t are searched. The bound sees what the
// relaxations miss on graphs with a few huge tensors (a language-model head
// whose logits cost ten times a stage): the whole head must share a stage,
// with everything it reads or the cost of reading it.
//
// Runs on graphs of at most kClusterStageMaxNodes nodes (hull bitsets take
// n^2 / 4 bytes).
inline constexpr int kClusterStageMaxNodes = 8192;

class ClusterStage {
 public:
  // `graph` must outlive this object and have at most kClusterStageMaxNodes
  // nodes. `rows`: the graph's closure bitsets, if already built.
  ClusterStage(const Graph& graph, int64_t memory_limit,
               std::shared_ptr<const ClosureRows> rows = nullptr);
  ~ClusterStage();
  ClusterStage(const ClusterStage&) = delete;
  ClusterStage& operator=(const ClusterStage&) = delete;

  using Outcome = GuessOutcome;
  // Searches the clusters at t, costliest first, until one is refuted
  // (kNotRefuted: every cluster fits a stage of cost < t).
  Outcome Probe(double t, int64_t max_states_per_cluster, absl::Time give_up_at,
                const SolveContext* ctx = nullptr) const;

  // The clusters at t, each a sorted list of nodes, by the rules (1)-(2).
  std::vector<std::vector<int>> Clusters(double t) const;

  // hull(nodes) = desc*(nodes) n anc*(nodes), sorted.
  std::vector<int> Hull(const std::vector<int>& nodes) const;
  // The ClosureBitsets rows of v (v and its descendants, or ancestors), of
  // words() words each.
  int words() const { return rows_->words; }
  const uint64_t* desc_row(int v) const { return rows_->desc_row(v); }
  const uint64_t* anc_row(int v) const { return rows_->anc_row(v); }

  struct StageSearch {
    enum class Status { kFound, kNone, kGaveUp, kStopped };
    Status status = Status::kStopped;
    std::vector<int> nodes;  // with kFound: such a stage, of cost `cost`
    double cost = 0;
    int64_t states = 0;
  };
  struct StageLimits {
    int64_t max_states = 1'000'000;
    absl::Time give_up_at = absl::InfiniteFuture();
  };
  // Is there a convex S containing `seed` (any nodes), none of the
  // `excluded` nodes (indexed by node; empty = none), with f(S) < t and
  // memory within the limit? Exact (the proof is in the .cc).
  StageSearch SearchStage(const std::vector<int>& seed,
                          const std::vector<char>& excluded, double t,
                          const StageLimits& limits,
                          const SolveContext* ctx = nullptr) const;

 private:
  // w(desc*(X u Y) n anc*(X u Y)) from the rows of X and Y, or a value >= t
  // once the sum reaches t.
  double HullWork(const uint64_t* desc_x, const uint64_t* anc_x,
                  const uint64_t* desc_y, const uint64_t* anc_y,
                  double t) const;
  // The union of the rows of `nodes` in `rows` (rows_->desc or rows_->anc).
  std::vector<uint64_t> RowUnion(const std::vector<uint64_t>& rows,
                                 const std::vector<int>& nodes) const;
  // Rule (3) for clusters[cluster]; `desc` and `anc` hold one row per
  // cluster (the union of its nodes' rows).
  Outcome SearchCluster(int cluster,
                        const std::vector<std::vector<int>>& clusters,
                        const std::vector<uint64_t>& desc,
                        const std::vector<uint64_t>& anc, double t,
                        const StageLimits& limits,
                        const SolveContext* ctx) const;

  const Graph& graph_;
  const int64_t memory_limit_;
  const std::shared_ptr<const ClosureRows> rows_;
};

// "cluster_stage": probes the incumbent's bottleneck first (a refutation
// proves it optimal), then bisects between the board's bound and the
// lowest guess not refuted; one probe per step, each given a quarter of the
// time left. Runs on ContractAnchoredNodes(graph) (OPT unchanged).
class ClusterStageWorker : public Worker {
 public:
  ClusterStageWorker(const Graph& graph, int64_t memory_limit);
  ~ClusterStageWorker() override;
  std::string name() const override { return "cluster_stage"; }
  bool Step(SolveContext& ctx, SolutionBoard& board) override;

 private:
  const Graph& graph_;
  const int64_t memory_limit_;
  const BoundRounder rounder_;
  std::unique_ptr<Contraction> contraction_;
  std::unique_ptr<ClusterStage> bound_;
  double hi_ = std::numeric_limits<double>::infinity();
  int probes_ = 0;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_CLUSTER_STAGE_H_
