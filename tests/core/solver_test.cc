#include "core/solve/solver.h"

#include "core/options.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

ResolvedOptions Options(std::vector<std::string> methods, int threads = 2) {
  v1::SolveOptions proto;
  for (auto& m : methods) proto.add_methods(m);
  proto.set_num_threads(threads);
  proto.set_time_limit_seconds(30);
  return *ResolveOptions(proto);
}

TEST(Solver, DesignExampleGivesFourWithCertificate) {
  auto graph = std::make_shared<const Graph>(
      testing::MakeGraph(testing::DesignExample()));
  auto snapshot = SolveToCompletion(graph, 2, Options({"lb0", "dp"}));
  ASSERT_TRUE(snapshot.ok());
  ASSERT_NE(snapshot->incumbent, nullptr);
  EXPECT_DOUBLE_EQ(snapshot->best_bottleneck(), 4);
  EXPECT_DOUBLE_EQ(snapshot->lower_bound, 2);  // LB0 = max(4/2, 1)
  EXPECT_TRUE(snapshot->done);
  EXPECT_EQ(snapshot->stop_reason, v1::STOP_REASON_WORKERS_DONE);
}

TEST(Solver, RejectsBadK) {
  auto graph = std::make_shared<const Graph>(
      testing::MakeGraph(testing::DesignExample()));
  EXPECT_EQ(Solver::Create(graph, 0, Options({"dp"})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(
          Solver::Create(graph, 5000, Options({"dp"})).status().message()),
      ::testing::HasSubstr("max_stages"));
}

TEST(Solver, ProvenOptimalStopsEarly) {
  // A chain of equal nodes without comm: LB0 = W/k is attained by SliceDP.
  v1::Graph proto;
  for (int i = 0; i < 8; ++i) {
    auto* n = proto.add_nodes();
    n->set_id("n" + std::to_string(i));
    n->set_work(1);
    if (i > 0) {
      auto* e = proto.add_edges();
      e->set_src("n" + std::to_string(i - 1));
      e->set_dst(n->id());
    }
  }
  auto graph = std::make_shared<const Graph>(testing::MakeGraph(proto));
  auto snapshot = SolveToCompletion(graph, 4, Options({"lb0", "dp"}, 1));
  ASSERT_TRUE(snapshot.ok());
  EXPECT_DOUBLE_EQ(snapshot->best_bottleneck(), 2);
  EXPECT_TRUE(snapshot->proven_optimal);
  EXPECT_EQ(snapshot->stop_reason, v1::STOP_REASON_OPTIMAL);
}

TEST(Solver, CancelBeforeStartFinishesCancelled) {
  auto graph = std::make_shared<const Graph>(
      testing::MakeGraph(testing::DesignExample()));
  auto solver = Solver::Create(graph, 2, Options({"dp"}));
  ASSERT_TRUE(solver.ok());
  ThreadPool pool(1);
  (*solver)->Cancel();
  (*solver)->Start(&pool);
  (*solver)->Wait();
  EXPECT_EQ((*solver)->board().Snapshot().stop_reason,
            v1::STOP_REASON_CANCELLED);
}

}  // namespace
}  // namespace pipecut

namespace pipecut {
namespace {

class CountingObserver : public SolveObserver {
 public:
  void OnPartition(absl::string_view, double, double) override { ++partitions; }
  void OnLowerBound(absl::string_view, double, double) override { ++bounds; }
  void OnMipSolve(absl::string_view model, absl::string_view status,
                  double) override {
    absl::MutexLock lock(&mu);
    mip_solves.emplace_back(std::string(model), std::string(status));
  }
  std::atomic<int> partitions{0}, bounds{0};
  absl::Mutex mu;
  std::vector<std::pair<std::string, std::string>> mip_solves;
};

TEST(Solver, MipSolvesReachObservers) {
  auto graph = std::make_shared<const Graph>(
      testing::MakeGraph(testing::RandomDag(8, 0.3, 5, 11)));
  v1::SolveOptions proto;
  proto.add_methods("dp");
  proto.add_methods("exact_mip");
  proto.set_num_threads(1);
  proto.set_time_limit_seconds(20);
  CountingObserver observer;
  auto solver = Solver::Create(graph, 3, *ResolveOptions(proto),
                               absl::InfiniteFuture(), {&observer});
  ASSERT_TRUE(solver.ok());
  ThreadPool pool(1);
  (*solver)->Start(&pool);
  (*solver)->Wait();
  EXPECT_GE(observer.partitions.load(), 1);
  absl::MutexLock lock(&observer.mu);
  ASSERT_EQ(observer.mip_solves.size(), 1u);
  EXPECT_EQ(observer.mip_solves[0].first, "exact_mip");
  EXPECT_THAT(observer.mip_solves[0].second,
              ::testing::AnyOf("optimal", "infeasible"));
}

}  // namespace
}  // namespace pipecut
