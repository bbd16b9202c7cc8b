// Micro-benchmarks of the upper-bound machinery (issue 3):
//  * SliceDP on one order, unpruned (the first slicing of a solve);
//  * a BRKGA decode: random keys -> order -> SliceDP pruned at 1.25 x a known
//    bottleneck, as Brkga does;
//  * time to the first feasible partition of a 5000-node solve ("dp");
//  * brkga-10000 wall time on a 1000-node graph with 2 threads.
// Graphs are random layered DAGs (a deterministic generator below).
#include <limits>
#include <memory>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "core/graph/graph.h"
#include "core/heuristics/brkga.h"
#include "core/heuristics/slice_dp.h"
#include "core/heuristics/topological_orders.h"
#include "core/options.h"
#include "core/solve/solver.h"

namespace pipecut {
namespace {

// Layers of 4..24 nodes; each node reads 1..3 nodes of the previous layer and
// sometimes one of the layer before. Work U[1, 10], comm U[0, 4].
Graph LayeredDag(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> width(4, 24), fan_in(1, 3);
  std::uniform_real_distribution<double> work(1, 10), comm(0, 4), coin(0, 1);
  v1::Graph proto;
  std::vector<int> previous, before_previous;
  int created = 0;
  while (created < n) {
    const int w = std::min(width(rng), n - created);
    std::vector<int> layer;
    for (int i = 0; i < w; ++i) {
      const int v = created++;
      v1::Node* node = proto.add_nodes();
      node->set_id(absl::StrCat("v", v));
      node->set_work(work(rng));
      node->set_comm(comm(rng));
      auto edge = [&](int u) {
        v1::Edge* e = proto.add_edges();
        e->set_src(absl::StrCat("v", u));
        e->set_dst(node->id());
      };
      if (!previous.empty()) {
        std::uniform_int_distribution<int> pick(0, previous.size() - 1);
        for (int f = fan_in(rng); f > 0; --f) edge(previous[pick(rng)]);
      }
      if (!before_previous.empty() && coin(rng) < 0.2) {
        std::uniform_int_distribution<int> pick(0, before_previous.size() - 1);
        edge(before_previous[pick(rng)]);
      }
      layer.push_back(v);
    }
    before_previous = std::move(previous);
    previous = std::move(layer);
  }
  return *Graph::FromProto(proto);
}

const Graph& CachedDag(int n) {
  static auto* cache = new std::map<int, std::unique_ptr<Graph>>;
  auto& slot = (*cache)[n];
  if (slot == nullptr) slot = std::make_unique<Graph>(LayeredDag(n, 12345));
  return *slot;
}

void BM_SliceDpUnpruned(benchmark::State& state) {
  const Graph& g = CachedDag(state.range(0));
  const int k = state.range(1);
  SliceDp dp(g);
  for (auto _ : state) {
    benchmark::DoNotOptimize(dp.Solve(g.topological_order(), k));
  }
}

void BM_BrkgaDecode(benchmark::State& state) {
  const Graph& g = CachedDag(state.range(0));
  const int k = state.range(1);
  SliceDp dp(g);
  const double known = dp.Solve(g.topological_order(), k)->bottleneck;
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> uniform(0, 1);
  std::vector<double> keys(g.num_nodes());
  for (auto _ : state) {
    state.PauseTiming();
    for (double& key : keys) key = uniform(rng);
    state.ResumeTiming();
    const std::vector<int> order = OrderByKeys(g, keys);
    benchmark::DoNotOptimize(
        dp.Solve(order, k, known * (1 + Brkga::kPruneSlack)));
  }
}

void DecodeArgs(benchmark::internal::Benchmark* b) {
  for (int n : {100, 1000, 5000}) {
    for (int k : {4, 16, 64}) b->Args({n, k});
  }
  b->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_SliceDpUnpruned)->Apply(DecodeArgs);
BENCHMARK(BM_BrkgaDecode)->Apply(DecodeArgs);

ResolvedOptions Options(std::vector<std::string> methods, int threads,
                        double seconds, const std::string& preset = "") {
  v1::SolveOptions proto;
  for (const std::string& m : methods) proto.add_methods(m);
  proto.set_num_threads(threads);
  proto.set_time_limit_seconds(seconds);
  if (!preset.empty()) proto.mutable_brkga()->set_preset(preset);
  return *ResolveOptions(proto);
}

// Seconds from the solve's start to its first incumbent (manual time).
void BM_TimeToFirstPartition(benchmark::State& state) {
  auto graph = std::make_shared<const Graph>(LayeredDag(state.range(0), 777));
  const int k = state.range(1);
  ThreadPool pool(1);
  for (auto _ : state) {
    auto solver = *Solver::Create(graph, k, Options({"dp"}, 1, 60));
    solver->Start(&pool);
    BoardSnapshot snapshot;
    while (snapshot.incumbent == nullptr && !snapshot.done) {
      snapshot =
          solver->board().AwaitChange(snapshot.seq, absl::InfiniteFuture());
    }
    state.SetIterationTime(snapshot.incumbent->elapsed_seconds);
    solver->Cancel();
    solver->Wait();
  }
}
BENCHMARK(BM_TimeToFirstPartition)
    ->Args({5000, 16})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// Wall time of the brkga-10000 preset alone (100 x 100) with 2 threads.
void BM_Brkga10000(benchmark::State& state) {
  auto graph = std::make_shared<const Graph>(LayeredDag(state.range(0), 99));
  for (auto _ : state) {
    auto snapshot = SolveToCompletion(
        graph, state.range(1), Options({"brkga"}, 2, 600, "brkga-10000"));
    benchmark::DoNotOptimize(snapshot);
    state.counters["bottleneck"] = snapshot->best_bottleneck();
  }
}
BENCHMARK(BM_Brkga10000)
    ->Args({1000, 16})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace pipecut
