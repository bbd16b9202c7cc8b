// Lower-bound quality per method (issue 4): geometric mean of LB/UB over the
// testbed's real DNN graphs and over wide random layered DAGs, for several k;
// Scholl SALBP-2 instances proven optimal (default portfolio, or the methods
// given); the latency of cancelling a running CBC solve; and a single full
// solve for peak-RSS measurements (run it under /usr/bin/time -v).
//
//   lower_bounds_harness --testbed ../shared/testbed --budget 2
//       --sets real,wide
//   lower_bounds_harness --sets real,wide --full --ks 16 --budget 60
//       --threads 2
//   lower_bounds_harness --sets scholl --scholl-budget 60 --threads 2
//       [--scholl-methods salbp_lb,dp,salbp_search]
//   lower_bounds_harness --sets cancel
//   lower_bounds_harness --single GRAPH -k 64 --budget 10

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "bench/lib/layered_dag.h"
#include "core/bounds/exact_mip.h"
#include "core/bounds/split_model.h"
#include "core/graph/graph.h"
#include "core/importers/graph_file.h"
#include "core/mip/cbc_solver.h"
#include "core/options.h"
#include "core/solve/portfolio.h"
#include "core/solve/solution_board.h"
#include "core/solve/solver.h"
#include "core/util/logging.h"

namespace pipecut::bench {
namespace {

namespace fs = std::filesystem;

struct Instance {
  std::string name;
  std::shared_ptr<const Graph> graph;
};

const std::vector<std::string> kBoundMethods = {
    "lb0",           "salbp_lb",      "prefix_cut",     "forced_crossing",
    "cluster_stage", "ideal_dp",      "bottleneck_mip", "guess_mip",
    "exact_mip",     "stage_cover_lp"};

bool Known(const std::string& m) {
  const auto& known = KnownMethods();
  return std::find(known.begin(), known.end(), m) != known.end();
}

std::shared_ptr<const Graph> Load(const std::string& path) {
  absl::StatusOr<v1::Graph> proto = LoadGraphFile(path);
  if (!proto.ok()) {
    std::fprintf(stderr, "skip %s: %s\n", path.c_str(),
                 std::string(proto.status().message()).c_str());
    return nullptr;
  }
  absl::StatusOr<Graph> graph = Graph::FromProto(*proto);
  if (!graph.ok()) {
    std::fprintf(stderr, "skip %s: %s\n", path.c_str(),
                 std::string(graph.status().message()).c_str());
    return nullptr;
  }
  return std::make_shared<const Graph>(*std::move(graph));
}

std::vector<Instance> RealGraphs(const std::string& testbed) {
  std::vector<std::string> paths;
  for (const char* dir :
       {"msr-dnn-partitioning/OperatorGraphs",
        "msr-dnn-partitioning/LayerGraphs", "pipedream-profiles"}) {
    const fs::path p = fs::path(testbed) / dir;
    if (!fs::is_directory(p)) continue;
    for (const auto& entry : fs::directory_iterator(p)) {
      const std::string f = entry.path().string();
      if (f.ends_with(".json") || f.ends_with(".graph.txt")) paths.push_back(f);
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Instance> out;
  for (const std::string& path : paths) {
    auto g = Load(path);
    if (g != nullptr) {
      out.push_back({fs::path(path).parent_path().filename().string() + "/" +
                         fs::path(path).filename().string(),
                     g});
    }
  }
  return out;
}

// The wide set: per size, light and heavy communication in turn.
std::vector<v1::Graph> WideProtos(int per_size) {
  std::vector<v1::Graph> out;
  for (int n : {150, 500, 1000, 2000}) {
    for (int s = 0; s < per_size; ++s) {
      LayeredDagParams p;
      p.num_nodes = n;
      p.comm_scale = s % 2 == 0 ? 0.1 : 1.0;
      p.seed = 1000 + n + s;
      out.push_back(LayeredDag(p));
    }
  }
  return out;
}

std::vector<Instance> WideGraphs(int per_size) {
  std::vector<Instance> out;
  for (const v1::Graph& proto : WideProtos(per_size)) {
    auto g = Graph::FromProto(proto);
    if (!g.ok()) continue;
    out.push_back({g->name(), std::make_shared<const Graph>(*std::move(g))});
  }
  return out;
}

// Writes the wide set as pipecut JSON, one file per graph, so that the CLI
// and the service can be run on exactly the harness's instances.
int DumpWide(const std::string& dir, int per_size) {
  std::error_code error;
  fs::create_directories(dir, error);
  for (const v1::Graph& proto : WideProtos(per_size)) {
    const std::string path =
        (fs::path(dir) / (proto.name() + ".json")).string();
    if (absl::Status written = WriteFile(path, ToJson(proto)); !written.ok()) {
      std::fprintf(stderr, "%s\n", std::string(written.message()).c_str());
      return 1;
    }
    std::printf("%s\n", path.c_str());
  }
  return 0;
}

ResolvedOptions Options(std::vector<std::string> methods, double seconds,
                        int threads) {
  v1::SolveOptions proto;
  for (const std::string& m : methods) {
    if (Known(m)) proto.add_methods(m);
  }
  proto.set_time_limit_seconds(seconds);
  proto.set_num_threads(threads);
  return *ResolveOptions(proto);
}

// One bound method alone on a fresh board seeded with the UB partition (the
// MIPs use it as cutoff and for stage windows, as in a real solve).
// Returns the method's lower bound and the board's final best bottleneck.
std::pair<double, double> RunBound(const Instance& in, int k,
                                   const std::string& method,
                                   const std::vector<int>& ub_partition,
                                   double budget) {
  const ResolvedOptions options = Options({method}, budget, 1);
  SolveContext ctx(absl::Seconds(budget), absl::InfiniteFuture());
  SolutionBoard::Params params;
  params.k = k;
  SolutionBoard board(*in.graph, params, &ctx);
  board.OfferPartition(ub_partition, "ub");
  for (auto& worker : MakeWorkers(*in.graph, k, options)) {
    while (!ctx.ShouldStop() && worker->Step(ctx, board)) {
    }
  }
  return {board.lower_bound(), board.best_bottleneck()};
}

struct Row {
  std::map<std::string, double> log_sum;  // per method, sum of log(LB/UB)
  int count = 0;
  int proven = 0;
};

void RunRatios(const std::string& set, const std::vector<Instance>& instances,
               const std::vector<int>& ks, double budget, double ub_budget) {
  std::map<int, Row> rows;
  // SliceDP over the seed orders plus local search: both finish on their own
  // (BRKGA would take the whole budget), so the UB does not depend on how
  // busy the machine is.
  const std::vector<std::string> ub_methods = {"dp", "local_search"};
  for (int k : ks) {
    for (const Instance& in : instances) {
      const auto t0 = std::chrono::steady_clock::now();
      auto ub =
          SolveToCompletion(in.graph, k, Options(ub_methods, ub_budget, 1));
      if (!ub.ok() || ub->incumbent == nullptr) continue;
      double ub_value = ub->best_bottleneck();
      if (!(ub_value > 0)) continue;
      Row& row = rows[k];
      // Every method runs on its own board; an exact method may also find a
      // better partition, so ratios use the best UB seen by any of them.
      std::map<std::string, double> lbs;
      double best_ub = ub_value, lb0 = 0;
      for (const std::string& m : kBoundMethods) {
        if (!Known(m)) continue;
        auto [lb, ub_seen] =
            RunBound(in, k, m, ub->incumbent->stage_of, budget);
        best_ub = std::min(best_ub, ub_seen);
        // A method that proves nothing in its budget still leaves LB0 on a
        // real board, so each method is reported on top of LB0.
        lbs[m] = std::max(lb0, lb);
        if (m == "lb0") lb0 = lb;
      }
      double best = 0;
      std::string line;
      for (auto& [m, lb] : lbs) {
        const double ratio = std::min(1.0, lb / best_ub);
        best = std::max(best, ratio);
        row.log_sum[m] += std::log(std::max(ratio, 1e-12));
        line += " " + m + "=" + std::to_string(ratio);
      }
      row.log_sum["best"] += std::log(std::max(best, 1e-12));
      row.count++;
      if (best >= 1 - 1e-9) row.proven++;
      ub_value = best_ub;
      best *= best_ub;
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
              .count();
      std::fprintf(stderr, "%s k=%d %s n=%d UB=%g best=%.4f%s (%.1fs)\n",
                   set.c_str(), k, in.name.c_str(), in.graph->num_nodes(),
                   ub_value, best / ub_value, line.c_str(), secs);
    }
  }
  std::printf("\n### %s: geometric mean of LB/UB (%zu graphs)\n\n", set.c_str(),
              instances.size());
  std::printf("| k |");
  for (const std::string& m : kBoundMethods) {
    if (Known(m)) std::printf(" %s |", m.c_str());
  }
  std::printf(" best | proven optimal |\n|---|");
  for (const std::string& m : kBoundMethods) {
    if (Known(m)) std::printf("---|");
  }
  std::printf("---|---|\n");
  for (auto& [k, row] : rows) {
    std::printf("| %d |", k);
    for (const std::string& m : kBoundMethods) {
      if (Known(m))
        std::printf(" %.4f |", std::exp(row.log_sum[m] / row.count));
    }
    std::printf(" %.4f | %d/%d |\n", std::exp(row.log_sum["best"] / row.count),
                row.proven, row.count);
  }
  std::fflush(stdout);
}

// What a user gets: the whole default portfolio for `budget` seconds on
// `threads` threads per (graph, k); LB/UB are the solve's own.
void RunFull(const std::string& set, const std::vector<Instance>& instances,
             const std::vector<int>& ks, double budget, int threads) {
  std::printf("\n### %s: full default portfolio, %g s, %d thread(s)\n\n",
              set.c_str(), budget, threads);
  std::printf(
      "| k | geo-mean LB/UB | proven optimal | median s | bound sources |\n"
      "|---|---|---|---|---|\n");
  for (int k : ks) {
    double log_sum = 0;
    int count = 0, proven = 0;
    std::vector<double> seconds;
    std::map<std::string, int> sources;
    for (const Instance& in : instances) {
      const auto t0 = std::chrono::steady_clock::now();
      auto r = SolveToCompletion(in.graph, k, Options({}, budget, threads));
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
              .count();
      if (!r.ok() || r->incumbent == nullptr || !(r->best_bottleneck() > 0)) {
        continue;
      }
      const double ratio = std::min(1.0, r->lower_bound / r->best_bottleneck());
      log_sum += std::log(std::max(ratio, 1e-12));
      ++count;
      proven += r->proven_optimal ? 1 : 0;
      seconds.push_back(secs);
      ++sources[r->bound_source];
      std::fprintf(stderr,
                   "%s k=%d %s n=%d UB=%g LB=%g ratio=%.4f by %s%s "
                   "(%.1fs)\n",
                   set.c_str(), k, in.name.c_str(), in.graph->num_nodes(),
                   r->best_bottleneck(), r->lower_bound, ratio,
                   r->bound_source.c_str(), r->proven_optimal ? " proven" : "",
                   secs);
    }
    if (count == 0) continue;
    std::sort(seconds.begin(), seconds.end());
    std::string by;
    for (const auto& [source, n] : sources) {
      by += (by.empty() ? "" : ", ") + source + " " + std::to_string(n);
    }
    std::printf("| %d | %.4f | %d/%d | %.1f | %s |\n", k,
                std::exp(log_sum / count), proven, count,
                seconds[seconds.size() / 2], by.c_str());
    std::fflush(stdout);
  }
}

void RunScholl(const std::string& testbed, double budget, int limit,
               int threads, const std::vector<std::string>& methods) {
  const fs::path dir = fs::path(testbed) / "salbp2-scholl";
  std::ifstream csv(dir / "instances.csv");
  std::string line;
  std::getline(csv, line);  // header
  std::vector<std::pair<std::string, int>> list;
  while (std::getline(csv, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() == 2) list.push_back({f[0], std::stoi(f[1])});
  }
  if (limit > 0 && static_cast<int>(list.size()) > limit) {
    // An even spread over the list (it is grouped by graph).
    std::vector<std::pair<std::string, int>> spread;
    for (int i = 0; i < limit; ++i)
      spread.push_back(list[i * list.size() / limit]);
    list = spread;
  }
  std::map<std::string, std::shared_ptr<const Graph>> graphs;
  int proven = 0, total = 0;
  double seconds_proven = 0, seconds_all = 0;
  std::vector<double> proof_times;
  std::map<std::string, int> by_source;
  for (const auto& [file, m] : list) {
    if (!graphs.contains(file)) graphs[file] = Load((dir / file).string());
    if (graphs[file] == nullptr) continue;
    const auto t0 = std::chrono::steady_clock::now();
    auto r =
        SolveToCompletion(graphs[file], m, Options(methods, budget, threads));
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    if (!r.ok()) continue;
    ++total;
    seconds_all += secs;
    if (r->proven_optimal) {
      ++proven;
      seconds_proven += secs;
      proof_times.push_back(secs);
      by_source[r->bound_source]++;
    }
    std::fprintf(stderr, "scholl %s m=%d UB=%g LB=%g %s by %s (%.2fs)\n",
                 file.c_str(), m, r->best_bottleneck(), r->lower_bound,
                 r->proven_optimal ? "OPTIMAL" : "open",
                 r->bound_source.c_str(), secs);
  }
  std::sort(proof_times.begin(), proof_times.end());
  std::printf(
      "\n### Scholl SALBP-2: %d/%d proven optimal (%.1f%%) at %.0f s "
      "per instance, %d threads, methods %s\n\n",
      proven, total, 100.0 * proven / std::max(1, total), budget, threads,
      methods.empty() ? "(default portfolio)"
                      : absl::StrJoin(methods, ",").c_str());
  std::printf(
      "total wall time %.0f s; median time to proof %.2f s; bound "
      "sources of the proofs:",
      seconds_all,
      proof_times.empty() ? 0 : proof_times[proof_times.size() / 2]);
  for (auto& [s, c] : by_source) std::printf(" %s=%d", s.c_str(), c);
  std::printf("\n");
  (void)seconds_proven;
}

// Milliseconds from RequestStop (issued `delay` after the start) to SolveMip
// returning on `model`.
double CancelLatencyMs(const MipModel& model, std::chrono::milliseconds delay) {
  SolveContext ctx(absl::Seconds(60), absl::InfiniteFuture());
  std::chrono::steady_clock::time_point stop_time;
  std::thread canceller([&] {
    std::this_thread::sleep_for(delay);
    stop_time = std::chrono::steady_clock::now();
    ctx.RequestStop(v1::STOP_REASON_CANCELLED);
  });
  MipRunParams params;
  params.time_limit_seconds = 60;
  SolveMip(model, params, ctx);
  const auto end = std::chrono::steady_clock::now();
  canceller.join();
  return std::chrono::duration<double, std::milli>(end - stop_time).count();
}

Graph CancelGraph(int num_nodes, uint64_t seed) {
  LayeredDagParams p;
  p.num_nodes = num_nodes;
  p.comm_scale = 1;
  p.seed = seed;
  return *Graph::FromProto(LayeredDag(p));
}

// Latency from RequestStop to SolveMip returning, on exact models big enough
// that CBC is mid-search, and during the root LP of a large model (no CBC
// node events yet: only the Clp handler can stop it).
void RunCancel(int repeats) {
  std::vector<double> ms, root_ms;
  for (int i = 0; i < repeats; ++i) {
    const Graph graph = CancelGraph(400, 77 + i);
    ExactModelSpec spec;
    spec.k = 16;
    ms.push_back(CancelLatencyMs(BuildExactModel(graph, spec).mip,
                                 std::chrono::milliseconds(500 + 250 * i)));
    std::fprintf(stderr, "cancel %d: %.1f ms\n", i, ms.back());
  }
  for (int i = 0; i < repeats; ++i) {
    const Graph graph = CancelGraph(2000, 91 + i);
    SplitModelSpec spec;
    spec.k = 32;
    spec.guess_stage = 16;
    root_ms.push_back(CancelLatencyMs(BuildSplitModel(graph, spec).mip,
                                      std::chrono::milliseconds(150 + 50 * i)));
    std::fprintf(stderr, "cancel root %d: %.1f ms\n", i, root_ms.back());
  }
  std::sort(ms.begin(), ms.end());
  std::sort(root_ms.begin(), root_ms.end());
  std::printf(
      "\n### cancel latency (exact MIP, 400-node layered DAG, k=16, "
      "%d runs, in branch and bound): median %.1f ms, max %.1f ms\n",
      repeats, ms[ms.size() / 2], ms.back());
  std::printf(
      "### cancel latency (guess MIP b=16, 2000-node layered DAG, "
      "k=32, %d runs, cancelled 150-350 ms in): median %.1f ms, max "
      "%.1f ms\n",
      repeats, root_ms[root_ms.size() / 2], root_ms.back());
}

}  // namespace
}  // namespace pipecut::bench

int main(int argc, char** argv) {
  using namespace pipecut;
  using namespace pipecut::bench;
  CLI::App app{"pipecut lower-bound harness"};
  std::string testbed = "../shared/testbed";
  std::string sets = "real,wide";
  std::string ks_text = "2,4,8,16,32,64";
  std::string single, single_methods;
  double budget = 2, ub_budget = 10, scholl_budget = 5;
  int wide_per_size = 2, scholl_limit = 0, threads = 1, k_single = 64;
  int cancel_repeats = 5, max_real = 0;
  bool full = false;
  app.add_option("--testbed", testbed, "testbed directory");
  app.add_option("--sets", sets, "real,wide,scholl,cancel");
  app.add_option("--ks", ks_text, "comma-separated k values");
  app.add_option("--budget", budget, "seconds per bound method and instance");
  app.add_option("--ub-budget", ub_budget, "seconds of heuristics for the UB");
  app.add_option("--wide-per-size", wide_per_size, "layered DAGs per size");
  app.add_option("--max-real", max_real, "use only the first N real graphs");
  app.add_option("--scholl-budget", scholl_budget, "seconds per instance");
  app.add_option("--scholl-limit", scholl_limit, "instances (0 = all 302)");
  std::string scholl_methods;
  app.add_option("--scholl-methods", scholl_methods,
                 "methods for the scholl set, comma separated (default: the "
                 "default portfolio)");
  app.add_option("--threads", threads, "solver threads (scholl, single)");
  app.add_option("--cancel-repeats", cancel_repeats, "cancel measurements");
  app.add_flag("--full", full,
               "real/wide: run the whole default portfolio per instance "
               "(--budget, --threads) instead of each bound method alone");
  app.add_option("--single", single, "solve one graph with every method");
  app.add_option("-k", k_single, "k for --single");
  app.add_option("--methods", single_methods,
                 "comma-separated methods for --single (default all)");
  std::string dump_wide;
  app.add_option("--dump-wide", dump_wide,
                 "write the wide graphs as pipecut JSON into this directory "
                 "and exit");
  CLI11_PARSE(app, argc, argv);
  SetMinLogLevel(LogLevel::kWarning);
  if (!dump_wide.empty()) return DumpWide(dump_wide, wide_per_size);

  if (!single.empty()) {
    auto graph = Load(single);
    if (graph == nullptr) return 1;
    std::vector<std::string> methods;
    if (!single_methods.empty()) {
      methods = absl::StrSplit(single_methods, ',');
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto r =
        SolveToCompletion(graph, k_single, Options(methods, budget, threads));
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    if (!r.ok()) return 1;
    std::printf("%s n=%d k=%d UB=%g LB=%g ratio=%.4f bound by %s, %.2f s\n",
                single.c_str(), graph->num_nodes(), k_single,
                r->best_bottleneck(), r->lower_bound,
                r->lower_bound / r->best_bottleneck(), r->bound_source.c_str(),
                secs);
    return 0;
  }
  std::vector<int> ks;
  for (absl::string_view s : absl::StrSplit(ks_text, ',')) {
    ks.push_back(std::stoi(std::string(s)));
  }
  for (absl::string_view set : absl::StrSplit(sets, ',')) {
    if (set == "real") {
      auto real = RealGraphs(testbed);
      if (max_real > 0 && static_cast<int>(real.size()) > max_real) {
        real.resize(max_real);
      }
      if (full) {
        RunFull("real", real, ks, budget, threads);
      } else {
        RunRatios("real", real, ks, budget, ub_budget);
      }
    } else if (set == "wide") {
      if (full) {
        RunFull("wide", WideGraphs(wide_per_size), ks, budget, threads);
      } else {
        RunRatios("wide", WideGraphs(wide_per_size), ks, budget, ub_budget);
      }
    } else if (set == "scholl") {
      RunScholl(testbed, scholl_budget, scholl_limit, threads,
                absl::StrSplit(scholl_methods, ',', absl::SkipEmpty()));
    } else if (set == "cancel") {
      RunCancel(cancel_repeats);
    }
  }
  return 0;
}
