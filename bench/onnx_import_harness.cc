// Imports ONNX models (e.g. the zoo from tools/model_zoo.py) and prints one
// row per model: graph size after folding, FLOPs, weights, total work, and
// the median import time (parse + shape inference + graph build). With -k it
// then prints the lower-bound table of issue 4 for the zoo: per model and k,
// UB from {dp, brkga, local_search} and LB/UB of each bound method run alone
// on a board seeded with that UB (as bench/lower_bounds_harness.cc does for
// the testbed), plus the geometric mean over the models.
//
//   onnx_import_harness /tmp/zoo/*.onnx --device a100 --repeat 5 -k 4 -k 16

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "core/graph/graph.h"
#include "core/importers/graph_file.h"
#include "core/importers/onnx_importer.h"
#include "core/options.h"
#include "core/solve/portfolio.h"
#include "core/solve/solution_board.h"
#include "core/solve/solve_context.h"
#include "core/solve/solver.h"
#include "core/util/logging.h"

namespace {

using pipecut::Graph;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

bool Known(const std::string& m) {
  const auto& known = pipecut::KnownMethods();
  return std::find(known.begin(), known.end(), m) != known.end();
}

pipecut::ResolvedOptions Options(const std::vector<std::string>& methods,
                                 double seconds) {
  pipecut::v1::SolveOptions proto;
  for (const std::string& m : methods) {
    if (Known(m)) proto.add_methods(m);
  }
  proto.set_time_limit_seconds(seconds);
  proto.set_num_threads(1);
  return *pipecut::ResolveOptions(proto);
}

// One bound method alone on a fresh board seeded with the UB partition.
double RunBound(const Graph& graph, int k, const std::string& method,
                const std::vector<int>& ub_partition, double budget) {
  const pipecut::ResolvedOptions options = Options({method}, budget);
  pipecut::SolveContext ctx(absl::Seconds(budget), absl::InfiniteFuture());
  pipecut::SolutionBoard::Params params;
  params.k = k;
  pipecut::SolutionBoard board(graph, params, &ctx);
  board.OfferPartition(ub_partition, "ub");
  for (auto& worker : pipecut::MakeWorkers(graph, k, options)) {
    while (!ctx.ShouldStop() && worker->Step(ctx, board)) {
    }
  }
  return board.lower_bound();
}

struct Model {
  std::string name;
  std::shared_ptr<const Graph> graph;
};

void BoundTable(const std::vector<Model>& models, const std::vector<int>& ks,
                const std::vector<std::string>& methods, double budget,
                double ub_budget) {
  std::printf("\n| model | k | nodes | UB ms |");
  for (const std::string& m : methods) std::printf(" %s |", m.c_str());
  std::printf(" best | time s |\n|---|---:|---:|---:|");
  for (size_t i = 0; i <= methods.size(); ++i) std::printf("---:|");
  std::printf("---:|\n");
  std::map<int, std::map<std::string, double>> log_sum;
  std::map<int, int> count;
  for (int k : ks) {
    for (const Model& model : models) {
      const auto t0 = std::chrono::steady_clock::now();
      auto ub = pipecut::SolveToCompletion(
          model.graph, k, Options({"dp", "brkga", "local_search"}, ub_budget));
      if (!ub.ok() || ub->incumbent == nullptr) continue;
      const double ub_value = ub->best_bottleneck();
      if (!(ub_value > 0)) continue;
      std::printf("| %s | %d | %d | %.4f |", model.name.c_str(), k,
                  model.graph->num_nodes(), ub_value);
      double lb0 = 0, best = 0;
      for (const std::string& m : methods) {
        // Each method is reported on top of LB0, which a real board has.
        const double lb = std::min(
            ub_value, std::max(lb0, RunBound(*model.graph, k, m,
                                             ub->incumbent->stage_of, budget)));
        if (m == "lb0") lb0 = lb;
        best = std::max(best, lb);
        log_sum[k][m] += std::log(std::max(lb, 1e-12) / ub_value);
        std::printf(" %.3f |", lb / ub_value);
      }
      log_sum[k]["best"] += std::log(std::max(best, 1e-12) / ub_value);
      ++count[k];
      std::printf(
          " %.3f | %.1f |\n", best / ub_value,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
              .count());
      std::fflush(stdout);
    }
  }
  std::printf("\n| k | models |");
  for (const std::string& m : methods) std::printf(" %s |", m.c_str());
  std::printf(" best |\n|---:|---:|");
  for (size_t i = 0; i <= methods.size(); ++i) std::printf("---:|");
  std::printf("\n");
  for (int k : ks) {
    if (count[k] == 0) continue;
    std::printf("| %d | %d |", k, count[k]);
    for (const std::string& m : methods) {
      std::printf(" %.4f |", std::exp(log_sum[k][m] / count[k]));
    }
    std::printf(" %.4f |\n", std::exp(log_sum[k]["best"] / count[k]));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Import time and shape of ONNX models"};
  std::vector<std::string> paths;
  std::string device_name = "a100";
  int repeat = 5;
  std::vector<int> ks;
  double budget = 5;
  double ub_budget = 5;
  std::string methods_text = "lb0,salbp_lb,ideal_dp,bottleneck_mip,guess_mip";
  app.add_option("models", paths, "ONNX files")->required();
  app.add_option("--device", device_name, "device preset");
  app.add_option("--repeat", repeat, "imports per model (median reported)");
  app.add_option("-k", ks, "also print the bound table for these k");
  app.add_option("--budget", budget, "seconds per bound method and model");
  app.add_option("--ub-budget", ub_budget, "seconds of heuristics for the UB");
  app.add_option("--bounds", methods_text, "comma-separated bound methods");
  CLI11_PARSE(app, argc, argv);

  pipecut::SetMinLogLevel(pipecut::LogLevel::kError);
  pipecut::v1::DeviceProfile proto;
  proto.set_preset(device_name);
  absl::StatusOr<pipecut::DeviceProfile> device =
      pipecut::ResolveDeviceProfile(proto);
  if (!device.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(device.status().message()).c_str());
    return 2;
  }

  std::printf(
      "| model | ONNX ops | folded | nodes | edges | GFLOP | weights MB | "
      "work ms | comm ms | no formula | unknown dims | import ms (median of "
      "%d) |",
      repeat);
  std::printf("\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  std::printf("\n");

  int failures = 0;
  std::vector<Model> models;
  for (const std::string& path : paths) {
    absl::StatusOr<std::string> bytes = pipecut::ReadFile(path);
    if (!bytes.ok()) {
      std::fprintf(stderr, "%s\n",
                   std::string(bytes.status().message()).c_str());
      ++failures;
      continue;
    }
    std::vector<double> times;
    pipecut::OnnxImportStats stats;
    absl::StatusOr<pipecut::v1::Graph> proto_graph;
    for (int r = 0; r < std::max(1, repeat); ++r) {
      const auto start = std::chrono::steady_clock::now();
      proto_graph = pipecut::ImportOnnxModel(*bytes, *device, &stats);
      times.push_back(std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count());
    }
    if (!proto_graph.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(),
                   std::string(proto_graph.status().message()).c_str());
      ++failures;
      continue;
    }
    absl::StatusOr<pipecut::Graph> graph =
        pipecut::Graph::FromProto(*proto_graph);
    if (!graph.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(),
                   std::string(graph.status().message()).c_str());
      ++failures;
      continue;
    }
    double comm = 0;
    for (int v = 0; v < graph->num_nodes(); ++v) comm += graph->comm(v);
    std::string no_formula;
    for (const auto& [op, count] : stats.ops_without_formula) {
      no_formula += op + "x" + std::to_string(count) + " ";
    }
    std::string name = path.substr(path.find_last_of('/') + 1);
    std::printf(
        "| %s | %d | %d | %d | %d | %.2f | %.1f | %.3f | %.3f | %s | %d | %.1f "
        "|",
        name.c_str(), stats.onnx_nodes, stats.folded_nodes, graph->num_nodes(),
        graph->num_edges(), stats.total_flops / 1e9,
        static_cast<double>(stats.weight_bytes) / 1e6, graph->total_work(),
        comm, no_formula.empty() ? "-" : no_formula.c_str(),
        stats.unknown_dim_tensors, Median(times));
    models.push_back({name, std::make_shared<const Graph>(*std::move(graph))});
    std::printf("\n");
    std::fflush(stdout);
  }
  if (!ks.empty()) {
    std::vector<std::string> methods;
    for (absl::string_view m : absl::StrSplit(methods_text, ',')) {
      if (Known(std::string(m))) {
        methods.emplace_back(m);
      } else {
        std::fprintf(stderr, "unknown bound method %s, skipped\n",
                     std::string(m).c_str());
      }
    }
    BoundTable(models, ks, methods, budget, ub_budget);
  }
  return failures == 0 ? 0 : 1;
}
