#ifndef PIPECUT_BENCH_LIB_BASELINES_H_
#define PIPECUT_BENCH_LIB_BASELINES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/graph/graph.h"

namespace pipecut::bench {

// A partition produced by a framework-style partitioner, for comparison only,
// with its bottleneck under pipecut's exact cost model (communication
// included, whatever the baseline itself optimised).
struct BaselineResult {
  std::string name;
  std::vector<int> stage_of;  // empty when the baseline found nothing
  double bottleneck = 0;      // infinity when stage_of is empty
  bool memory_ok = true;      // false when a stage exceeds the memory limit
};

// DeepSpeed `uniform` / PiPPy equal-size: graph.topological_order() cut into
// k pieces of (nearly) equal node count.
BaselineResult UniformNodeCount(const Graph& graph, int k,
                                int64_t memory_limit = 0);

// GPipe balance-by-time / DeepSpeed `parameters` style: the contiguous split
// of graph.topological_order() into at most k pieces minimising the largest
// piece's *work*, ignoring communication (binary search on the largest work
// with a greedy fill, which is exact for min-max contiguous sums).
BaselineResult WorkBalanced(const Graph& graph, int k,
                            int64_t memory_limit = 0);

// PipeDream-style: an optimal DP over one linearisation (SliceDP on
// graph.topological_order(), communication included).
BaselineResult SingleOrderDp(const Graph& graph, int k,
                             int64_t memory_limit = 0);

// All of the above, in that order.
std::vector<BaselineResult> AllBaselines(const Graph& graph, int k,
                                         int64_t memory_limit = 0);

}  // namespace pipecut::bench

#endif  // PIPECUT_BENCH_LIB_BASELINES_H_
