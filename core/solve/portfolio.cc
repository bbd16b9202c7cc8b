#include "core/solve/portfolio.h"

#include <functional>

#include "core/bounds/bottleneck_mip.h"
#include "core/bounds/cluster_stage.h"
#include "core/bounds/combinatorial_bound.h"
#include "core/bounds/exact_mip.h"
#include "core/bounds/forced_crossing.h"
#include "core/bounds/guess_mip.h"
#include "core/bounds/ideal_dp.h"
#include "core/bounds/prefix_cut.h"
#include "core/bounds/salbp_bound.h"
#include "core/bounds/salbp_search.h"
#include "core/bounds/stage_cover_lp.h"
#include "core/heuristics/brkga_worker.h"
#include "core/heuristics/local_search_worker.h"
#include "core/heuristics/order_dp_worker.h"

namespace pipecut {
namespace {

using Factory = std::function<std::unique_ptr<Worker>(const WorkerEnv&)>;

struct MethodSpec {
  std::string name;
  Factory make;
  // Optional: the method's workers when the solve has two threads or more,
  // instead of make's one (salbp_search runs its two sides in parallel).
  std::function<std::vector<std::unique_ptr<Worker>>(const WorkerEnv&)>
      make_parallel = nullptr;
};

// The registry: one line per method. Order = scheduling priority: every
// worker's first step runs in this order, so the quick bounds and heuristics
// come before the MIPs, whose steps hold a thread for seconds (on one thread
// local search used to start only after them: PipeDream nasnetamobile, k =
// 16, first improvement on the SliceDP partition at 18.9 s instead of 0.1 s).
const std::vector<MethodSpec>& Registry() {
  static const auto* const kRegistry = new std::vector<MethodSpec>{
      {"lb0",
       [](const WorkerEnv& env) {
         return std::make_unique<CombinatorialBoundWorker>(env.graph, env.k);
       }},
      {"dp",
       [](const WorkerEnv& env) {
         return std::make_unique<OrderDpWorker>(env.graph, env.k,
                                                env.options.memory_limit_bytes);
       }},
      {"local_search",
       [](const WorkerEnv& env) {
         return std::make_unique<LocalSearchWorker>(
             env.graph, env.k, env.options.memory_limit_bytes, env.seed);
       }},
      {"salbp_lb",
       [](const WorkerEnv& env) {
         return std::make_unique<SalbpBoundWorker>(env.graph, env.k);
       }},
      {"prefix_cut",
       [](const WorkerEnv& env) {
         return std::make_unique<PrefixCutWorker>(env.graph, env.k);
       }},
      {"forced_crossing",
       [](const WorkerEnv& env) {
         return std::make_unique<ForcedCrossingWorker>(env.graph, env.k);
       }},
      {"cluster_stage",
       [](const WorkerEnv& env) {
         return std::make_unique<ClusterStageWorker>(
             env.graph, env.options.memory_limit_bytes);
       }},
      {"salbp_search",
       [](const WorkerEnv& env) {
         return std::make_unique<SalbpSearchWorker>(
             env.graph, env.k, env.options.memory_limit_bytes);
       },
       [](const WorkerEnv& env) {
         std::vector<std::unique_ptr<Worker>> sides;
         for (const auto side : {SalbpSearchWorker::Sides::kLower,
                                 SalbpSearchWorker::Sides::kUpper}) {
           sides.push_back(std::make_unique<SalbpSearchWorker>(
               env.graph, env.k, env.options.memory_limit_bytes,
               SalbpSearchWorker::Direction::kRace,
               SalbpSearchWorker::kProbeHeadStart, side));
         }
         return sides;
       }},
      {"ideal_dp",
       [](const WorkerEnv& env) {
         return std::make_unique<IdealDpWorker>(env.graph, env.k, env.options);
       }},
      {"brkga",
       [](const WorkerEnv& env) {
         return std::make_unique<BrkgaWorker>(env.graph, env.k, env.options,
                                              env.seed);
       }},
      {"bottleneck_mip",
       [](const WorkerEnv& env) {
         return std::make_unique<BottleneckMipWorker>(env.graph, env.k,
                                                      env.options);
       }},
      {"stage_cover_lp",
       [](const WorkerEnv& env) {
         return std::make_unique<StageCoverLpWorker>(
             env.graph, env.k, env.options.memory_limit_bytes);
       }},
      {"guess_mip",
       [](const WorkerEnv& env) {
         return std::make_unique<GuessMipWorker>(env.graph, env.k, env.options);
       }},
      {"exact_mip",
       [](const WorkerEnv& env) {
         return std::make_unique<ExactMipWorker>(env.graph, env.k, env.options);
       }},
  };
  return *kRegistry;
}

}  // namespace

const std::vector<std::string>& KnownMethods() {
  static const auto* const kNames = [] {
    auto* names = new std::vector<std::string>;
    for (const MethodSpec& spec : Registry()) names->push_back(spec.name);
    return names;
  }();
  return *kNames;
}

std::vector<std::unique_ptr<Worker>> MakeWorkers(
    const Graph& graph, int k, const ResolvedOptions& options) {
  std::vector<std::unique_ptr<Worker>> workers;
  for (const MethodSpec& spec : Registry()) {
    if (!options.HasMethod(spec.name)) continue;
    const WorkerEnv env{graph, k, options,
                        options.random_seed + workers.size()};
    if (spec.make_parallel != nullptr && options.num_threads >= 2) {
      for (auto& worker : spec.make_parallel(env)) {
        workers.push_back(std::move(worker));
      }
    } else {
      workers.push_back(spec.make(env));
    }
  }
  return workers;
}

}  // namespace pipecut
