#include <algorithm>
#include <memory>

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

}  // namespace
}  // namespace pipecut
