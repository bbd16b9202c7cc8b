#include "client/solve_request_flags.h"

#include <utility>

#include "absl/strings/str_join.h"
#include "core/importers/graph_file.h"
#include "core/solve/portfolio.h"

namespace pipecut::client {

void AddSolveRequestFlags(CLI::App& command, SolveRequestFlags& flags) {
  command
      .add_option(
          "graph", flags.graph,
          "Graph file: pipecut JSON, or a supported model/testbed format")
      ->required();
  command
      .add_option("-k,--stages", flags.k, "Maximum number of pipeline stages")
      ->required()
      ->check(CLI::PositiveNumber);
  command.add_option("--budget", flags.budget,
                     "Time budget in seconds (default 10)");
  command.add_option("--target-gap", flags.target_gap,
                     "Stop once (UB - LB) / UB <= this (default 0)");
  command.add_option("--seed", flags.seed, "Random seed (default 0)");
  command.add_option("--threads", flags.threads,
                     "Worker threads (default: hardware threads)");
  command.add_option("--memory-limit", flags.memory_limit,
                     "Per-stage memory limit in bytes (default none)");
  command
      .add_option("--methods,--method", flags.methods,
                  "Methods to run, comma separated or repeated (default all: " +
                      absl::StrJoin(KnownMethods(), ",") + ")")
      ->delimiter(',');
  command.add_option("--brkga-preset", flags.brkga_preset,
                     "brkga-100 or brkga-10000");
  command.add_option(
      "--link-bandwidth", flags.link_bandwidth,
      "Bytes per time unit, for importers deriving comm from sizes");
}

v1::ImportOptions ImportOptionsFrom(double link_bandwidth) {
  v1::ImportOptions options;
  if (link_bandwidth > 0) options.set_link_bandwidth(link_bandwidth);
  return options;
}

absl::StatusOr<v1::SolveRequest> BuildSolveRequest(
    const SolveRequestFlags& flags) {
  absl::StatusOr<v1::Graph> graph =
      LoadGraphFile(flags.graph, ImportOptionsFrom(flags.link_bandwidth));
  if (!graph.ok()) return graph.status();
  v1::SolveRequest request;
  *request.mutable_graph() = *std::move(graph);
  request.set_k(flags.k);
  v1::SolveOptions& options = *request.mutable_options();
  if (flags.budget > 0) options.set_time_limit_seconds(flags.budget);
  if (flags.target_gap >= 0) options.set_target_relative_gap(flags.target_gap);
  options.set_random_seed(flags.seed);
  if (flags.threads > 0) options.set_num_threads(flags.threads);
  if (flags.memory_limit > 0)
    options.set_memory_limit_bytes(flags.memory_limit);
  for (const std::string& m : flags.methods) options.add_methods(m);
  if (!flags.brkga_preset.empty()) {
    options.mutable_brkga()->set_preset(flags.brkga_preset);
  }
  return request;
}

}  // namespace pipecut::client
