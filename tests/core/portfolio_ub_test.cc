#include <algorithm>
#include <memory>

#include "core/cost/partition_cost.h"
#include "core/options.h"
#include "core/solve/portfolio.h"
#include "core/solve/solver.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

ResolvedOptions UpperBoundOptions(int threads, int64_t memory_limit = 0) {
  v1::SolveOptions proto;
  for (const char* m : {"lb0", "dp", "brkga", "local_search"}) {
    proto.add_methods(m);
  }
  proto.set_num_threads(threads);
  proto.set_time_limit_seconds(60);  // a safety net; workers finish first
  proto.set_memory_limit_bytes(memory_limit);
  proto.mutable_brkga()->set_population(24);
  proto.mutable_brkga()->set_generations(20);
  auto options = ResolveOptions(proto);
  EXPECT_TRUE(options.ok()) << options.status();
  return *options;
}

TEST(PortfolioUpperBounds, RegistersBrkgaAndLocalSearchAfterLb0AndDp) {
  const std::vector<std::string>& methods = KnownMethods();
  ASSERT_GE(methods.size(), 4u);
  EXPECT_EQ(methods[0], "lb0");
  EXPECT_EQ(methods[1], "dp");
  EXPECT_NE(std::find(methods.begin(), methods.end(), "brkga"), methods.end());
  EXPECT_NE(std::find(methods.begin(), methods.end(), "local_search"),
            methods.end());
}

TEST(PortfolioUpperBounds, SmallDagsReachTheBruteForceOptimum) {
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 3 + trial % 6;
    const int k = 2 + trial % 3;
    const double comm = trial % 2 == 0 ? 1 : 20;
    const int64_t memory_limit = trial % 4 == 0 ? 220 : 0;
    auto graph = std::make_shared<const Graph>(
        testing::MakeGraph(testing::RandomDag(n, 0.4, comm, 4000 + trial)));
    auto snapshot = SolveToCompletion(
        graph, k, UpperBoundOptions(1 + trial % 2, memory_limit));
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    const std::optional<double> opt =
        testing::BruteForceOptimum(*graph, k, memory_limit);
    if (!opt.has_value()) {
      EXPECT_EQ(snapshot->incumbent, nullptr) << "trial " << trial;
      continue;
    }
    ASSERT_NE(snapshot->incumbent, nullptr) << "trial " << trial;
    EXPECT_NEAR(snapshot->best_bottleneck(), *opt, 1e-9) << "trial " << trial;
    EXPECT_LE(snapshot->lower_bound, snapshot->best_bottleneck());
  }
}

TEST(PortfolioUpperBounds, BrkgaWorkerIsReproducibleOnOneThread) {
  auto graph = std::make_shared<const Graph>(
      testing::MakeGraph(testing::RandomDag(60, 0.08, 6, 21)));
  v1::SolveOptions proto;
  proto.add_methods("brkga");
  proto.set_num_threads(1);
  proto.set_random_seed(5);
  proto.set_time_limit_seconds(60);
  proto.mutable_brkga()->set_population(12);
  proto.mutable_brkga()->set_generations(6);
  const ResolvedOptions options = *ResolveOptions(proto);
  auto first = SolveToCompletion(graph, 5, options);
  auto second = SolveToCompletion(graph, 5, options);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_NE(first->incumbent, nullptr);
  ASSERT_NE(second->incumbent, nullptr);
  EXPECT_EQ(first->incumbent->stage_of, second->incumbent->stage_of);
  EXPECT_EQ(first->best_bottleneck(), second->best_bottleneck());
  EXPECT_EQ(first->stop_reason, v1::STOP_REASON_WORKERS_DONE);
}

TEST(PortfolioUpperBounds, WorkersNeverOfferInfeasiblePartitions) {
  for (int trial = 0; trial < 6; ++trial) {
    const int64_t memory_limit = trial % 2 == 0 ? 0 : 900;
    auto graph = std::make_shared<const Graph>(testing::MakeGraph(
        testing::RandomDag(40 + 10 * trial, 0.1, 8, 60 + trial)));
    ResolvedOptions options = UpperBoundOptions(2, memory_limit);
    options.methods = {"dp", "brkga", "local_search"};
    auto solver = Solver::Create(graph, 3 + trial, options);
    ASSERT_TRUE(solver.ok()) << solver.status();
    ThreadPool pool(2);
    (*solver)->Start(&pool);
    (*solver)->Wait();
    EXPECT_EQ((*solver)->board().rejected_offers(), 0) << "trial " << trial;
    const BoardSnapshot snapshot = (*solver)->board().Snapshot();
    if (snapshot.incumbent == nullptr) continue;
    EXPECT_EQ(FirstMemoryViolation(snapshot.incumbent->cost, memory_limit), -1);
  }
}

}  // namespace
}  // namespace pipecut
