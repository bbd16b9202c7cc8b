#include "core/solve/portfolio.h"

#include <functional>

#include "core/bounds/combinatorial_bound.h"
#include "core/heuristics/order_dp_worker.h"

namespace pipecut {
namespace {

using Factory = std::function<std::unique_ptr<Worker>(const WorkerEnv&)>;

struct MethodSpec {
  std::string name;
  Factory make;
};

// The registry: one line per method. Order = scheduling priority.
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
    workers.push_back(spec.make(env));
  }
  return workers;
}

}  // namespace pipecut
