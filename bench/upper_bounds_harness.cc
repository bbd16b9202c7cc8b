// Upper-bound quality on the shared testbed (issue 3): pipecut's bottleneck
// under a fixed per-instance budget versus the framework-style baselines
// (bench/lib/baselines.h), for the msr and PipeDream DNN graphs at several k
// and for the 302 Scholl SALBP-2 instances at their own m.
//
//   upper_bounds_harness --testbed ../shared/testbed --budget 1 --threads 2
//       [--ks 2,4,8,16,32,64] [--families msr,pipedream,scholl] [--csv out.csv]
//       [--link-bandwidth 1e6]
//
// Prints one CSV row per (instance, k) to --csv (if given) and a summary per
// family: geometric mean of baseline / pipecut (> 1 means pipecut is better)
// and the number of runs where pipecut is worse than a baseline.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/lib/baselines.h"
#include "bench/lib/testbed.h"
#include "core/graph/graph.h"
#include "core/importers/graph_file.h"
#include "core/options.h"
#include "core/solve/solver.h"

namespace pipecut::bench {
namespace {

struct Summary {
  int runs = 0;
  std::map<std::string, double> log_ratio_sum;  // per baseline
  std::map<std::string, int> worse;             // pipecut worse than it
  double log_lb_ratio_sum = 0;                  // LB / UB
  int proven = 0;
};

int Main(int argc, char** argv) {
  CLI::App app{"pipecut upper bounds vs baselines on the testbed"};
  std::string testbed = "../shared/testbed";
  double budget = 1.0;
  int threads = 2;
  std::vector<int> ks = {2, 4, 8, 16, 32, 64};
  std::vector<std::string> families = {"msr", "pipedream", "scholl"};
  std::string csv_path;
  double link_bandwidth = 1e6;
  std::vector<std::string> methods = {"lb0", "dp", "brkga", "local_search"};
  app.add_option("--testbed", testbed, "testbed directory");
  app.add_option("--budget", budget, "seconds per solve");
  app.add_option("--threads", threads, "threads per solve");
  app.add_option("--ks", ks, "k values for the DNN graphs")->delimiter(',');
  app.add_option("--families", families, "msr, pipedream, scholl")
      ->delimiter(',');
  app.add_option("--methods", methods, "pipecut workers")->delimiter(',');
  app.add_option("--csv", csv_path, "per-run CSV output");
  app.add_option("--link-bandwidth", link_bandwidth,
                 "bytes per ms for PipeDream comm (ImportOptions)");
  CLI11_PARSE(app, argc, argv);

  auto instances = ListTestbed(testbed, ks);
  if (!instances.ok()) {
    std::fprintf(stderr, "%s\n", instances.status().ToString().c_str());
    return 1;
  }
  std::ofstream csv;
  if (!csv_path.empty()) {
    csv.open(csv_path);
    csv << "family,instance,n,k,pipecut,lower_bound,source,uniform,"
           "work_balanced,pipedream_dp,seconds\n";
  }
  std::map<std::string, Summary> summaries;
  const absl::Time start = absl::Now();
  for (const TestbedInstance& instance : *instances) {
    if (std::find(families.begin(), families.end(), instance.family) ==
        families.end()) {
      continue;
    }
    v1::ImportOptions import_options;
    import_options.set_link_bandwidth(link_bandwidth);
    auto proto = LoadGraphFile(instance.path, import_options);
    if (!proto.ok()) {
      std::fprintf(stderr, "%s\n", proto.status().ToString().c_str());
      return 1;
    }
    auto graph_or = Graph::FromProto(*proto);
    if (!graph_or.ok()) {
      std::fprintf(stderr, "%s: %s\n", instance.path.c_str(),
                   graph_or.status().ToString().c_str());
      return 1;
    }
    auto graph = std::make_shared<const Graph>(*std::move(graph_or));
    for (int k : instance.ks) {
      const std::vector<BaselineResult> baselines = AllBaselines(*graph, k);
      v1::SolveOptions proto_options;
      for (const std::string& m : methods) proto_options.add_methods(m);
      proto_options.set_time_limit_seconds(budget);
      proto_options.set_num_threads(threads);
      auto options = ResolveOptions(proto_options);
      if (!options.ok()) {
        std::fprintf(stderr, "%s\n", options.status().ToString().c_str());
        return 1;
      }
      const absl::Time solve_start = absl::Now();
      auto snapshot = SolveToCompletion(graph, k, *options);
      const double seconds = absl::ToDoubleSeconds(absl::Now() - solve_start);
      if (!snapshot.ok() || snapshot->incumbent == nullptr) {
        std::fprintf(stderr, "%s k=%d: no partition\n", instance.name.c_str(),
                     k);
        return 1;
      }
      const double ub = snapshot->best_bottleneck();
      Summary& s = summaries[instance.family];
      ++s.runs;
      if (snapshot->proven_optimal) ++s.proven;
      s.log_lb_ratio_sum += std::log(ub > 0 ? snapshot->lower_bound / ub : 1);
      std::vector<std::string> row = {
          instance.family,
          instance.name,
          absl::StrCat(graph->num_nodes()),
          absl::StrCat(k),
          absl::StrFormat("%.9g", ub),
          absl::StrFormat("%.9g", snapshot->lower_bound),
          snapshot->incumbent->source};
      for (const BaselineResult& b : baselines) {
        row.push_back(absl::StrFormat("%.9g", b.bottleneck));
        if (ub > 0) s.log_ratio_sum[b.name] += std::log(b.bottleneck / ub);
        if (ub > b.bottleneck * (1 + 1e-9)) {
          ++s.worse[b.name];
          std::fprintf(stderr, "WORSE: %s k=%d pipecut %.9g > %s %.9g\n",
                       instance.name.c_str(), k, ub, b.name.c_str(),
                       b.bottleneck);
        }
      }
      row.push_back(absl::StrFormat("%.3f", seconds));
      if (csv.is_open()) csv << absl::StrJoin(row, ",") << "\n";
    }
  }
  std::printf(
      "budget %.3g s/solve, %d threads, methods %s, link %.3g B/ms, total "
      "%.0f s\n",
      budget, threads, absl::StrJoin(methods, ",").c_str(), link_bandwidth,
      absl::ToDoubleSeconds(absl::Now() - start));
  std::printf(
      "| family | runs | uniform/pipecut | work_balanced/pipecut | "
      "pipedream_dp/pipecut | pipecut worse (u/w/p) | LB0/UB | proven |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const auto& [family, s] : summaries) {
    auto geo = [&](const char* name) {
      auto it = s.log_ratio_sum.find(name);
      return std::exp((it == s.log_ratio_sum.end() ? 0 : it->second) / s.runs);
    };
    auto worse = [&](const char* name) {
      auto it = s.worse.find(name);
      return it == s.worse.end() ? 0 : it->second;
    };
    std::printf("| %s | %d | %.4f | %.4f | %.4f | %d/%d/%d | %.4f | %d |\n",
                family.c_str(), s.runs, geo("uniform"), geo("work_balanced"),
                geo("pipedream_dp"), worse("uniform"), worse("work_balanced"),
                worse("pipedream_dp"), std::exp(s.log_lb_ratio_sum / s.runs),
                s.proven);
  }
  return 0;
}

}  // namespace
}  // namespace pipecut::bench

int main(int argc, char** argv) { return pipecut::bench::Main(argc, argv); }
