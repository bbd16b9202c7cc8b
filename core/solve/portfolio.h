#ifndef PIPECUT_CORE_SOLVE_PORTFOLIO_H_
#define PIPECUT_CORE_SOLVE_PORTFOLIO_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/options.h"
#include "core/solve/worker.h"

namespace pipecut {

// What a worker factory gets.
struct WorkerEnv {
  const Graph& graph;
  int k;
  const ResolvedOptions& options;
  uint64_t seed;  // options.random_seed + the worker's index
};

// Every method name the portfolio knows, in scheduling order (cheap and
// certain first, so the first events come at once).
const std::vector<std::string>& KnownMethods();

// The workers for options.methods (already validated by ResolveOptions), in
// the order of KnownMethods().
std::vector<std::unique_ptr<Worker>> MakeWorkers(
    const Graph& graph, int k, const ResolvedOptions& options);

}  // namespace pipecut

#endif  // PIPECUT_CORE_SOLVE_PORTFOLIO_H_
