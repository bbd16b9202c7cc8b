#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "core/bounds/bound_rounding.h"
#include "core/bounds/exact_mip.h"
#include "core/bounds/split_model.h"
#include "core/cost/partition_cost.h"
#include "core/mip/cbc_solver.h"
#include "core/options.h"
#include "core/solve/solver.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

constexpr double kEps = 1e-6;

SolveContext Context(double seconds = 20) {
  return SolveContext(absl::Seconds(seconds), absl::InfiniteFuture());
}

// Min over b of the guess models' optima (each solved to optimality).
double GuessBound(const Graph& graph, int k, int64_t memory_limit) {
  SolveContext ctx = Context();
  double bound = std::numeric_limits<double>::infinity();
  for (int b = 1; b <= k; ++b) {
    SplitModelSpec spec;
    spec.k = k;
    spec.guess_stage = b;
    spec.memory_limit = memory_limit;
    const SplitModel model = BuildSplitModel(graph, spec);
    const MipRunResult r = SolveMip(model.mip, {}, ctx);
    EXPECT_TRUE(r.status == MipStatus::kOptimal ||
                r.status == MipStatus::kInfeasible);
    bound = std::min(bound, r.best_bound);
  }
  return bound;
}

struct Instance {
  Graph graph;
  int k;
  int64_t memory_limit;
  double opt;
};

// Small random DAGs: comm-light and comm-heavy, k = 2..4, some with memory.
std::vector<Instance> Instances(int count) {
  std::vector<Instance> out;
  for (uint64_t seed = 100; static_cast<int>(out.size()) < count; ++seed) {
    const int n = 4 + static_cast<int>(seed % 4);
    const int k = 2 + static_cast<int>(seed % 3);
    const double comm = (seed / 3) % 2 == 0 ? 1 : 25;
    const double density = 0.15 + 0.1 * static_cast<double>(seed % 6);
    const int64_t memory = seed % 5 == 0 ? 180 : 0;
    Graph graph =
        testing::MakeGraph(testing::RandomDag(n, density, comm, seed));
    const auto opt = testing::BruteForceOptimum(graph, k, memory);
    if (!opt.has_value()) continue;
    out.push_back({std::move(graph), k, memory, *opt});
  }
  return out;
}

TEST(SplitModels, BoundsNeverExceedBruteForce) {
  int guess_beats_relaxation = 0;
  for (const Instance& in : Instances(150)) {
    SolveContext ctx = Context();
    SplitModelSpec spec;
    spec.k = in.k;
    spec.memory_limit = in.memory_limit;
    const MipRunResult relax =
        SolveMip(BuildSplitModel(in.graph, spec).mip, {}, ctx);
    ASSERT_EQ(relax.status, MipStatus::kOptimal)
        << in.graph.name() << " k=" << in.k << " mem=" << in.memory_limit
        << " opt=" << in.opt;
    EXPECT_LE(relax.best_bound, in.opt + kEps) << in.graph.name();
    const double guess = GuessBound(in.graph, in.k, in.memory_limit);
    EXPECT_LE(guess, in.opt + kEps) << in.graph.name() << " k=" << in.k;
    EXPECT_GE(guess, relax.best_bound - kEps) << in.graph.name();
    if (guess > relax.best_bound + kEps) ++guess_beats_relaxation;
  }
  EXPECT_GT(guess_beats_relaxation, 10);
}

TEST(ExactModel, OptimumEqualsBruteForce) {
  for (const Instance& in : Instances(120)) {
    for (bool with_ub : {false, true}) {
      SolveContext ctx = Context();
      ExactModelSpec spec;
      spec.k = in.k;
      spec.memory_limit = in.memory_limit;
      // A valid upper bound (OPT itself) exercises the stage windows.
      if (with_ub) spec.upper_bound = in.opt;
      const ExactModel model = BuildExactModel(in.graph, spec);
      const MipRunResult r = SolveMip(model.mip, {}, ctx);
      ASSERT_EQ(r.status, MipStatus::kOptimal) << in.graph.name();
      EXPECT_NEAR(r.objective, in.opt, kEps) << in.graph.name();
      auto cost = EvaluatePartition(in.graph, model.Decode(r.solution), in.k);
      ASSERT_TRUE(cost.ok());
      EXPECT_NEAR(cost->bottleneck, in.opt, kEps) << in.graph.name();
    }
  }
}

TEST(ExactModel, StartFromAPartitionIsFeasible) {
  for (const Instance& in : Instances(40)) {
    // Everything in the last stage is a feasible partition when memory
    // allows; its windows come from its own bottleneck.
    if (in.memory_limit > 0) continue;
    std::vector<int> stage_of(in.graph.num_nodes(), in.k - 1);
    const double ub =
        EvaluateFeasiblePartition(in.graph, stage_of, in.k).bottleneck;
    ExactModelSpec spec;
    spec.k = in.k;
    spec.upper_bound = ub;
    const ExactModel model = BuildExactModel(in.graph, spec);
    auto start = model.StartFor(in.graph, stage_of);
    ASSERT_TRUE(start.has_value());
    EXPECT_LT(model.mip.MaxViolation(*start), 1e-9);
    EXPECT_NEAR((*start)[model.t], ub, 1e-9);
  }
}

TEST(BoundRounder, RoundsUpOnlyIntegralInstances) {
  const Graph integral = testing::MakeGraph(testing::DesignExample());
  EXPECT_DOUBLE_EQ(BoundRounder(integral)(7.0000001), 7);
  EXPECT_DOUBLE_EQ(BoundRounder(integral)(7.2), 8);
  const Graph fractional = testing::MakeGraph(testing::RandomDag(5, 0.3, 1, 3));
  EXPECT_LT(BoundRounder(fractional)(7.2), 7.2);
  EXPECT_GT(BoundRounder(fractional)(7.2), 7.19999);
}

// Records every published lower bound.
class BoundRecorder : public SolveObserver {
 public:
  void OnPartition(absl::string_view, double, double) override {}
  void OnLowerBound(absl::string_view, double lb, double) override {
    std::lock_guard<std::mutex> lock(mu_);
    bounds_.push_back(lb);
  }
  std::vector<double> bounds() {
    std::lock_guard<std::mutex> lock(mu_);
    return bounds_;
  }

 private:
  std::mutex mu_;
  std::vector<double> bounds_;
};

ResolvedOptions Options(std::vector<std::string> methods, double seconds,
                        int64_t memory = 0) {
  v1::SolveOptions proto;
  for (auto& m : methods) proto.add_methods(m);
  proto.set_num_threads(1);
  proto.set_time_limit_seconds(seconds);
  proto.set_memory_limit_bytes(memory);
  return *ResolveOptions(proto);
}

BoardSnapshot Solve(const Instance& in, const ResolvedOptions& options,
                    BoundRecorder* recorder) {
  auto graph = std::make_shared<const Graph>(in.graph);
  auto solver =
      Solver::Create(graph, in.k, options, absl::InfiniteFuture(), {recorder});
  EXPECT_TRUE(solver.ok());
  ThreadPool pool(options.num_threads);
  (*solver)->Start(&pool);
  (*solver)->Wait();
  return (*solver)->board().Snapshot();
}

TEST(BoundWorkers, StreamedBoundsRiseAndStayBelowOptimum) {
  for (const Instance& in : Instances(60)) {
    for (const char* method :
         {"salbp_lb", "bottleneck_mip", "guess_mip", "exact_mip", "ideal_dp"}) {
      BoundRecorder recorder;
      const BoardSnapshot s = Solve(
          in, Options({"lb0", "dp", method}, 20, in.memory_limit), &recorder);
      const std::vector<double> bounds = recorder.bounds();
      for (size_t i = 0; i < bounds.size(); ++i) {
        EXPECT_LE(bounds[i], in.opt + kEps) << method << " " << in.graph.name();
        if (i > 0) {
          EXPECT_GE(bounds[i], bounds[i - 1]) << method;
        }
      }
      EXPECT_LE(s.lower_bound, in.opt + kEps) << method;
      if (std::string(method) == "exact_mip" ||
          std::string(method) == "ideal_dp") {
        // Exact methods find an optimal partition and prove it.
        EXPECT_NEAR(s.best_bottleneck(), in.opt, kEps) << method;
        EXPECT_NEAR(s.lower_bound, in.opt, 1e-6 * std::max(1.0, in.opt))
            << method << " " << in.graph.name();
      }
    }
  }
}

TEST(BoundWorkers, SkipModelsAboveTheSizeLimits) {
  const Instance in = Instances(1)[0];
  v1::SolveOptions proto;
  // Not bottleneck_mip: it first solves its relaxation by a search
  // (heavy_stage_search.h), which builds no model.
  proto.add_methods("guess_mip");
  proto.add_methods("exact_mip");
  proto.set_num_threads(1);
  proto.set_mip_max_variables(3);
  BoundRecorder recorder;
  const BoardSnapshot s = Solve(in, *ResolveOptions(proto), &recorder);
  EXPECT_TRUE(recorder.bounds().empty());
  EXPECT_EQ(s.lower_bound, 0);
  EXPECT_EQ(s.stop_reason, v1::STOP_REASON_WORKERS_DONE);
}

// A cancelled solve must stop CBC promptly: RequestStop from another thread
// while a large exact MIP runs. The bound here is deliberately generous (CI
// machines are noisy); bench/lower_bounds_harness measures the latency.
TEST(CbcSolver, StopsPromptlyWhenCancelled) {
  const Graph graph = testing::MakeGraph(testing::RandomDag(120, 0.05, 5, 42));
  ExactModelSpec spec;
  spec.k = 12;
  const ExactModel model = BuildExactModel(graph, spec);
  SolveContext ctx = Context(60);
  std::atomic<bool> running{false};
  std::chrono::steady_clock::time_point stopped_at;
  std::thread canceller([&] {
    while (!running.load()) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stopped_at = std::chrono::steady_clock::now();
    ctx.RequestStop(v1::STOP_REASON_CANCELLED);
  });
  running.store(true);
  MipRunParams params;
  params.time_limit_seconds = 60;
  const MipRunResult r = SolveMip(model.mip, params, ctx);
  const auto returned = std::chrono::steady_clock::now();
  canceller.join();
  EXPECT_EQ(r.status, MipStatus::kStopped);
  const double latency_ms =
      std::chrono::duration<double, std::milli>(returned - stopped_at).count();
  std::cout << "cancel latency: " << latency_ms << " ms\n";
  EXPECT_LT(latency_ms, 2000);
}

}  // namespace
}  // namespace pipecut
