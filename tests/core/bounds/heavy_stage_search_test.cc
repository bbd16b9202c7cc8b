#include "core/bounds/heavy_stage_search.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/bounds/forced_crossing.h"
#include "core/cost/partition_cost.h"
#include "gtest/gtest.h"
#include "tests/testing/test_graphs.h"

namespace pipecut {
namespace {

using Status = HeavyStageResult::Status;

// min f(S) over convex S with w(S) >= min_work (and memory within the
// limit), by enumerating every subset; infinity if there is none.
double BruteForceCheapestHeavyStage(const Graph& graph, double min_work,
                                    int64_t memory_limit) {
  return testing::BruteForceCheapestConvexSet(
      graph, memory_limit,
      [&](const std::vector<char>&, const StageCost& cost) {
        return cost.work >= min_work;
      });
}

// The suffix tables from the start (0) or never (-1): small graphs are
// settled in fewer states than the default waits for, so both are forced.
constexpr int64_t kTablesModes[] = {0, -1};

HeavyStageResult Search(const Graph& graph, double min_work, double threshold,
                        int64_t memory_limit = 0,
                        int64_t tables_after_states = 0) {
  HeavyStageParams params;
  params.min_value = min_work;
  params.threshold = threshold;
  params.memory_limit = memory_limit;
  params.tables_after_states = tables_after_states;
  return SearchHeavyStage(graph, params);
}

TEST(HeavyStageSearch, DesignExample) {
  // W = 4, so V itself (cost 4) is the cheapest set of work >= 2: every
  // proper part of weight 2 or 3 pays a tensor of a (5) or more.
  const Graph graph = testing::MakeGraph(testing::DesignExample());
  const double best = BruteForceCheapestHeavyStage(graph, 2, 0);
  EXPECT_DOUBLE_EQ(best, 4);
  EXPECT_EQ(Search(graph, 2, best).status, Status::kNone);
  const HeavyStageResult found = Search(graph, 2, best + 1e-9);
  ASSERT_EQ(found.status, Status::kFound);
  EXPECT_NEAR(found.cost, best, 1e-12);
}

TEST(HeavyStageSearch, GivesUpAtTheStateLimit) {
  const Graph graph = testing::MakeGraph(testing::RandomDag(14, 0.2, 1, 3));
  HeavyStageParams params;
  params.min_value = graph.total_work() / 2;
  params.threshold = graph.total_work();
  params.max_states = 3;
  EXPECT_EQ(SearchHeavyStage(graph, params).status, Status::kGaveUp);
}

TEST(HeavyStageSearch, GivesUpOnGraphsTooDeepToRecurseOn) {
  v1::Graph proto;
  for (int i = 0; i <= 10'000; ++i) {
    v1::Node* node = proto.add_nodes();
    node->set_id(absl::StrCat("n", i));
    node->set_work(1);
    node->set_comm(1);
    if (i > 0) {
      v1::Edge* edge = proto.add_edges();
      edge->set_src(absl::StrCat("n", i - 1));
      edge->set_dst(node->id());
    }
  }
  const Graph graph = testing::MakeGraph(proto);
  EXPECT_EQ(Search(graph, 100, 1e9).status, Status::kGaveUp);
}

struct Case {
  double density;
  double comm_scale;
  double work_fraction;  // min_work = this * W
  int64_t memory_limit;
};

class HeavyStageSearchMatchesBruteForce
    : public ::testing::TestWithParam<Case> {};

// Just below the brute-force minimum nothing is found; just above, a convex
// set of that cost and weight is. A cut that is not monotone, or a set that
// is not convex, fails one half or the other.
TEST_P(HeavyStageSearchMatchesBruteForce, OnRandomDags) {
  const Case c = GetParam();
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const int n = 3 + static_cast<int>(seed / 2 % 10);  // 3..12
    const Graph graph = testing::MakeGraph(
        testing::RandomDag(n, c.density, c.comm_scale, seed / 2));
    const int64_t tables = kTablesModes[seed % 2];
    const double min_work = c.work_fraction * graph.total_work();
    const double best =
        BruteForceCheapestHeavyStage(graph, min_work, c.memory_limit);
    if (!std::isfinite(best)) {
      EXPECT_EQ(Search(graph, min_work, 1e18, c.memory_limit, tables).status,
                Status::kNone)
          << "seed " << seed;
      continue;
    }
    EXPECT_EQ(Search(graph, min_work, best * (1 - 1e-9), c.memory_limit, tables)
                  .status,
              Status::kNone)
        << "seed " << seed;
    const HeavyStageResult found = Search(
        graph, min_work, best * (1 + 1e-9) + 1e-12, c.memory_limit, tables);
    ASSERT_EQ(found.status, Status::kFound) << "seed " << seed;
    std::vector<char> in_set(n, 0);
    for (int v : found.nodes) in_set[v] = 1;
    const StageCost cost = EvaluateNodeSet(graph, in_set);
    EXPECT_TRUE(testing::IsConvex(in_set, testing::Reachability(graph)))
        << "seed " << seed;
    EXPECT_GE(cost.work, min_work) << "seed " << seed;
    EXPECT_NEAR(cost.cost(), found.cost, 1e-9) << "seed " << seed;
    EXPECT_LE(cost.cost(), best * (1 + 1e-9) + 1e-12) << "seed " << seed;
    if (c.memory_limit > 0) {
      EXPECT_LE(cost.memory, c.memory_limit);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HeavyStageSearchMatchesBruteForce,
    ::testing::Values(Case{0.3, 0.1, 1.0 / 4, 0}, Case{0.3, 1, 1.0 / 4, 0},
                      Case{0.5, 2, 1.0 / 3, 0}, Case{0.2, 3, 1.0 / 8, 0},
                      Case{0.6, 1, 1.0 / 2, 0}, Case{0.4, 1, 1.0 / 4, 300}));

// A random DAG with random values: zero on a third of the nodes and up to 20
// per unit of work elsewhere, so the value-per-size cut is exercised both
// where it prunes and where it must not; min_value is a share of the total.
struct ValuedCase {
  explicit ValuedCase(uint64_t seed)
      : n(3 + static_cast<int>(seed % 10)),  // 3..12
        graph(testing::MakeGraph(
            testing::RandomDag(n, 0.3, seed % 2 == 0 ? 1 : 5, 500 + seed))),
        value(n) {
    std::mt19937_64 rng(seed);
    double total = 0;
    for (int v = 0; v < n; ++v) {
      value[v] = rng() % 3 == 0 ? 0 : graph.work(v) * (rng() % 2000) / 100.0;
      total += value[v];
    }
    // Positive: the empty set (which brute force skips) never qualifies.
    min_value = std::max(1e-6, total * (1 + seed % 4) / 6.0);
  }
  double ValueOf(const std::vector<char>& in_set) const {
    double sum = 0;
    for (int v = 0; v < n; ++v) sum += in_set[v] ? value[v] : 0;
    return sum;
  }
  // The cheapest convex set of value >= min_value, by brute force.
  double BruteForceBest() const {
    return testing::BruteForceCheapestConvexSet(
        graph, 0, [&](const std::vector<char>& in_set, const StageCost&) {
          return ValueOf(in_set) >= min_value;
        });
  }

  int n;
  Graph graph;
  std::vector<double> value;
  double min_value;
};

// The search with `sizes(t)` (empty: the work) against brute force: no set
// just below the cheapest qualifying one, a correct one just above.
void ExpectMatchesBruteForce(
    const ValuedCase& c, uint64_t seed,
    const std::function<std::vector<double>(double t)>& sizes) {
  const double best = c.BruteForceBest();
  HeavyStageParams params;
  params.value = c.value;
  params.min_value = c.min_value;
  params.tables_after_states = kTablesModes[seed % 2];
  std::vector<double> size;
  auto search = [&](double t) {
    params.threshold = t;
    size = sizes(t);
    params.size = size;
    return SearchHeavyStage(c.graph, params);
  };
  if (!std::isfinite(best)) {
    EXPECT_EQ(search(1e18).status, Status::kNone) << "seed " << seed;
    return;
  }
  EXPECT_EQ(search(best * (1 - 1e-9)).status, Status::kNone) << "seed " << seed;
  const HeavyStageResult found = search(best * (1 + 1e-9) + 1e-12);
  ASSERT_EQ(found.status, Status::kFound) << "seed " << seed;
  std::vector<char> in_set(c.n, 0);
  for (int v : found.nodes) in_set[v] = 1;
  EXPECT_TRUE(testing::IsConvex(in_set, testing::Reachability(c.graph)))
      << "seed " << seed;
  EXPECT_GE(c.ValueOf(in_set), c.min_value) << "seed " << seed;
  EXPECT_NEAR(EvaluateNodeSet(c.graph, in_set).cost(), found.cost, 1e-9)
      << "seed " << seed;
}

TEST(HeavyStageSearch, WithValuesMatchesBruteForce) {
  int found_sets = 0;
  for (uint64_t seed = 0; seed < 600; ++seed) {
    const ValuedCase c(seed / 2);
    found_sets += std::isfinite(c.BruteForceBest()) ? 1 : 0;
    ExpectMatchesBruteForce(c, seed,
                            [](double) { return std::vector<double>(); });
  }
  EXPECT_GT(found_sets, 400);
}

// Sizes that count forced tensors (ForcedCrossing::OwnTermSizes): every
// convex set below t pays at least its nodes' sizes (checked on every
// subset), and the search with them still matches brute force.
TEST(HeavyStageSearch, WithForcedTensorSizesMatchesBruteForce) {
  int larger = 0;  // cases where some size exceeds the work
  for (uint64_t seed = 0; seed < 600; ++seed) {
    const ValuedCase c(seed / 2);
    const ForcedCrossing forced(c.graph);
    const auto reach = testing::Reachability(c.graph);
    ExpectMatchesBruteForce(c, seed, [&](double t) {
      std::vector<double> size = forced.OwnTermSizes(t);
      bool grew = false;
      for (int v = 0; v < c.n; ++v) grew |= size[v] > c.graph.work(v);
      larger += grew ? 1 : 0;
      testing::BruteForceCheapestConvexSet(
          c.graph, 0, [&](const std::vector<char>& in_set, const StageCost& f) {
            if (f.cost() >= t || !testing::IsConvex(in_set, reach))
              return false;
            double sum = 0;
            for (int v = 0; v < c.n; ++v) sum += in_set[v] ? size[v] : 0;
            EXPECT_LE(sum, f.cost() * (1 + 1e-9)) << "seed " << seed;
            return false;
          });
      return size;
    });
  }
  EXPECT_GT(larger, 200);
}

// With max_answers, every answer qualifies (convex, value, cost as reported
// and below t), no set is reported twice, and no more than asked for.
TEST(HeavyStageSearch, CollectsDistinctAnswers) {
  int several = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const ValuedCase c(seed / 2);
    const double best = c.BruteForceBest();
    if (!std::isfinite(best)) continue;
    HeavyStageParams params;
    params.value = c.value;
    params.min_value = c.min_value;
    params.threshold = best * 1.5 + 1e-9;
    params.max_answers = 4;
    params.tables_after_states = kTablesModes[seed % 2];
    const HeavyStageResult result = SearchHeavyStage(c.graph, params);
    ASSERT_EQ(result.status, Status::kFound) << "seed " << seed;
    std::vector<HeavyStageResult::Answer> answers = result.more;
    answers.push_back({result.nodes, result.cost});
    EXPECT_LE(answers.size(), 4u) << "seed " << seed;
    several += answers.size() > 1 ? 1 : 0;
    const auto reach = testing::Reachability(c.graph);
    std::set<std::vector<int>> seen;
    for (HeavyStageResult::Answer& answer : answers) {
      std::vector<char> in_set(c.n, 0);
      for (int v : answer.nodes) in_set[v] = 1;
      EXPECT_TRUE(testing::IsConvex(in_set, reach)) << "seed " << seed;
      EXPECT_GE(c.ValueOf(in_set), c.min_value) << "seed " << seed;
      const double cost = EvaluateNodeSet(c.graph, in_set).cost();
      EXPECT_NEAR(cost, answer.cost, 1e-9) << "seed " << seed;
      EXPECT_LT(cost, params.threshold) << "seed " << seed;
      std::sort(answer.nodes.begin(), answer.nodes.end());
      EXPECT_TRUE(seen.insert(answer.nodes).second) << "seed " << seed;
    }
  }
  EXPECT_GT(several, 30);
}

// Graphs too large for brute force, where the tables have many rows: the
// search with them (from the start) decides as the plain search does, at
// thresholds where both answers occur, and whatever it finds qualifies. (A
// table entry that is not an upper bound prunes an answer.)
TEST(HeavyStageSearch, WithTablesDecidesAsWithout) {
  int refuted = 0, found_sets = 0;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const int n = 20 + static_cast<int>(seed % 16);  // 20..35
    const Graph graph = testing::MakeGraph(
        testing::RandomDag(n, 0.15, seed % 2 == 0 ? 1 : 3, 900 + seed));
    std::mt19937_64 rng(seed);
    std::vector<double> value(n);
    double total = 0;
    for (int v = 0; v < n; ++v) {
      value[v] = rng() % 4 == 0 ? 0 : graph.work(v) * (rng() % 100) / 50.0;
      total += value[v];
    }
    const auto reach = testing::Reachability(graph);
    for (double share : {0.2, 0.4}) {
      for (double t_share : {0.1, 0.2, 0.3}) {
        HeavyStageParams params;
        params.value = value;
        params.min_value = share * total;
        params.threshold = t_share * (graph.total_work() + total / 4);
        params.tables_after_states = -1;
        const HeavyStageResult plain = SearchHeavyStage(graph, params);
        params.tables_after_states = 0;
        const HeavyStageResult tabled = SearchHeavyStage(graph, params);
        ASSERT_NE(plain.status, Status::kGaveUp);
        EXPECT_EQ(tabled.status, plain.status) << "seed " << seed;
        if (tabled.status != Status::kFound) {
          ++refuted;
          continue;
        }
        ++found_sets;
        std::vector<char> in_set(n, 0);
        double got = 0;
        for (int v : tabled.nodes) {
          in_set[v] = 1;
          got += value[v];
        }
        EXPECT_TRUE(testing::IsConvex(in_set, reach)) << "seed " << seed;
        EXPECT_GE(got, params.min_value) << "seed " << seed;
        EXPECT_LT(EvaluateNodeSet(graph, in_set).cost(), params.threshold)
            << "seed " << seed;
      }
    }
  }
  EXPECT_GT(refuted, 50);
  EXPECT_GT(found_sets, 100);
}

}  // namespace
}  // namespace pipecut
