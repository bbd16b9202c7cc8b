#ifndef PIPECUT_BENCH_LIB_LAYERED_DAG_H_
#define PIPECUT_BENCH_LIB_LAYERED_DAG_H_

#include <cstdint>

#include "pipecut/v1/graph.pb.h"

namespace pipecut::bench {

// Wide random DAGs in layers, the shape where ideals explode (NASNet cells,
// fused accelerator graphs) and the MIP and combinatorial bounds must carry
// the certificate.
struct LayeredDagParams {
  int num_nodes = 500;  // 150..2000 in the harness
  int min_width = 10;   // nodes per layer, uniform in [min_width, max_width]
  int max_width = 50;
  // comm = comm_scale * mean work * U[0.5, 1.5]: 0.1 light, 1 heavy.
  double comm_scale = 0.1;
  // Each node reads 1..max_fan_in nodes of the previous layer, and with
  // probability skip_probability one node of the layer before that.
  int max_fan_in = 3;
  double skip_probability = 0.2;
  uint64_t seed = 1;
};

// Work is U[1, 10]; ids are "L<layer>_<i>". Deterministic in the params.
v1::Graph LayeredDag(const LayeredDagParams& params);

}  // namespace pipecut::bench

#endif  // PIPECUT_BENCH_LIB_LAYERED_DAG_H_
