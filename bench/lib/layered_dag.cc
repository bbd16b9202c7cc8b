#include "bench/lib/layered_dag.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace pipecut::bench {

v1::Graph LayeredDag(const LayeredDagParams& params) {
  std::mt19937_64 rng(params.seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<int> width(params.min_width, params.max_width);
  v1::Graph proto;
  proto.set_name(absl::StrCat("layered-", params.num_nodes, "-c",
                              params.comm_scale, "-s", params.seed));
  constexpr double kMeanWork = 5.5;
  std::vector<std::vector<std::string>> layers;
  int made = 0;
  while (made < params.num_nodes) {
    const int w = std::min(width(rng), params.num_nodes - made);
    std::vector<std::string> layer;
    for (int i = 0; i < w; ++i) {
      v1::Node* node = proto.add_nodes();
      node->set_id(absl::StrCat("L", layers.size(), "_", i));
      node->set_work(1 + 9 * unit(rng));
      node->set_comm(params.comm_scale * kMeanWork * (0.5 + unit(rng)));
      layer.push_back(node->id());
      if (!layers.empty()) {
        const auto& prev = layers.back();
        std::uniform_int_distribution<int> pick(0, prev.size() - 1);
        std::uniform_int_distribution<int> fan(1, params.max_fan_in);
        absl::flat_hash_set<int> chosen;
        for (int f = fan(rng); f > 0; --f) chosen.insert(pick(rng));
        for (int p : chosen) {
          v1::Edge* e = proto.add_edges();
          e->set_src(prev[p]);
          e->set_dst(node->id());
        }
        if (layers.size() >= 2 && unit(rng) < params.skip_probability) {
          const auto& prev2 = layers[layers.size() - 2];
          std::uniform_int_distribution<int> pick2(0, prev2.size() - 1);
          v1::Edge* e = proto.add_edges();
          e->set_src(prev2[pick2(rng)]);
          e->set_dst(node->id());
        }
      }
    }
    made += w;
    layers.push_back(std::move(layer));
  }
  return proto;
}

}  // namespace pipecut::bench
