// Imports ONNX models (e.g. the zoo from tools/model_zoo.py) and prints one
// row per model: graph size after folding, FLOPs, weights, total work, and
// the median import time (parse + shape inference + graph build). With -k it
// also solves each graph with {lb0, dp} and prints UB, LB and LB/UB.
//
//   onnx_import_harness /tmp/zoo/*.onnx --device a100 --repeat 5 -k 4 -k 16

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "core/graph/graph.h"
#include "core/importers/graph_file.h"
#include "core/importers/onnx_importer.h"
#include "core/options.h"
#include "core/solve/solver.h"
#include "core/util/logging.h"

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Import time and shape of ONNX models"};
  std::vector<std::string> paths;
  std::string device_name = "a100";
  int repeat = 5;
  std::vector<int> ks;
  double budget = 10;
  app.add_option("models", paths, "ONNX files")->required();
  app.add_option("--device", device_name, "device preset");
  app.add_option("--repeat", repeat, "imports per model (median reported)");
  app.add_option("-k", ks, "also solve with {lb0, dp} for these k");
  app.add_option("--budget", budget, "seconds per solve");
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
      "work ms | comm ms | no formula | import ms (median of %d) |",
      repeat);
  for (int k : ks) std::printf(" k=%d UB / LB / LB/UB |", k);
  std::printf("\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (size_t i = 0; i < ks.size(); ++i) std::printf("---|");
  std::printf("\n");

  int failures = 0;
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
        "| %s | %d | %d | %d | %d | %.2f | %.1f | %.3f | %.3f | %s | %.1f |",
        name.c_str(), stats.onnx_nodes, stats.folded_nodes, graph->num_nodes(),
        graph->num_edges(), stats.total_flops / 1e9,
        static_cast<double>(stats.weight_bytes) / 1e6, graph->total_work(),
        comm, no_formula.empty() ? "-" : no_formula.c_str(), Median(times));
    auto shared = std::make_shared<const pipecut::Graph>(*std::move(graph));
    for (int k : ks) {
      pipecut::v1::SolveOptions options;
      options.add_methods("lb0");
      options.add_methods("dp");
      options.set_time_limit_seconds(budget);
      options.set_num_threads(1);
      absl::StatusOr<pipecut::ResolvedOptions> resolved =
          pipecut::ResolveOptions(options);
      absl::StatusOr<pipecut::BoardSnapshot> snapshot =
          resolved.ok()
              ? pipecut::SolveToCompletion(shared, k, *resolved)
              : absl::StatusOr<pipecut::BoardSnapshot>(resolved.status());
      if (!snapshot.ok()) {
        std::printf(" error |");
        ++failures;
        continue;
      }
      const double ub = snapshot->best_bottleneck();
      std::printf(" %.4f / %.4f / %.3f |", ub, snapshot->lower_bound,
                  ub > 0 ? snapshot->lower_bound / ub : 1.0);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return failures == 0 ? 0 : 1;
}
