#include "tests/testing/test_graphs.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace pipecut::testing {

v1::Graph GraphProtoFromText(const std::string& text) {
  v1::Graph proto;
  if (!google::protobuf::TextFormat::ParseFromString(text, &proto)) {
    ADD_FAILURE() << "bad text proto: " << text;
    std::abort();
  }
  return proto;
}

Graph MakeGraph(const v1::Graph& proto) {
  absl::StatusOr<Graph> graph = Graph::FromProto(proto);
  if (!graph.ok()) {
    ADD_FAILURE() << graph.status();
    std::abort();
  }
  return *std::move(graph);
}

v1::Graph DesignExample() {
  return GraphProtoFromText(R"pb(
    name: "design-example"
    nodes { id: "a" work: 1 comm: 5 }
    nodes { id: "b" work: 1 comm: 2 }
    nodes { id: "c" work: 1 comm: 3 }
    nodes { id: "d" work: 1 comm: 1 }
    edges { src: "a" dst: "b" }
    edges { src: "a" dst: "c" }
    edges { src: "b" dst: "d" }
    edges { src: "c" dst: "d" }
  )pb");
}

v1::Graph IndependentNodes(const std::vector<double>& works) {
  v1::Graph proto;
  for (size_t i = 0; i < works.size(); ++i) {
    v1::Node* node = proto.add_nodes();
    node->set_id(absl::StrCat("n", i));
    node->set_work(works[i]);
  }
  return proto;
}

v1::Graph RandomDag(int n, double density, double comm_scale, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<int> label(n);
  std::iota(label.begin(), label.end(), 0);
  std::shuffle(label.begin(), label.end(), rng);
  v1::Graph proto;
  proto.set_name(absl::StrCat("random-", n, "-", seed));
  // Nodes are listed in a shuffled order so indices differ from the DAG order.
  std::vector<v1::Node> nodes(n);
  for (int i = 0; i < n; ++i) {
    nodes[i].set_id(absl::StrCat("n", label[i]));
    nodes[i].set_work(std::round(unit(rng) * 100) / 10);
    nodes[i].set_comm(std::round(unit(rng) * comm_scale * 10) / 10);
    nodes[i].set_memory_bytes(static_cast<int64_t>(unit(rng) * 100));
  }
  std::vector<int> listing(n);
  std::iota(listing.begin(), listing.end(), 0);
  std::shuffle(listing.begin(), listing.end(), rng);
  for (int i : listing) *proto.add_nodes() = nodes[i];
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      if (unit(rng) < density) {
        v1::Edge* e = proto.add_edges();
        e->set_src(nodes[i].id());
        e->set_dst(nodes[j].id());
      }
    }
  }
  return proto;
}

double BruteForceStageCost(const Graph& graph, const std::vector<int>& stage_of,
                           int stage) {
  double cost = 0;
  for (int u = 0; u < graph.num_nodes(); ++u) {
    if (stage_of[u] == stage) cost += graph.work(u);
    bool read_by_stage = false, read_elsewhere = false;
    for (int v : graph.successors(u)) {
      if (stage_of[v] == stage) read_by_stage = true;
      if (stage_of[v] != stage) read_elsewhere = true;
    }
    if (stage_of[u] == stage && read_elsewhere) cost += graph.comm(u);
    if (stage_of[u] != stage && read_by_stage) cost += graph.comm(u);
  }
  return cost;
}

std::optional<double> BruteForceOptimum(const Graph& graph, int k,
                                        int64_t memory_limit) {
  const int n = graph.num_nodes();
  std::vector<int> stage_of(n, 0);
  double best = std::numeric_limits<double>::infinity();
  while (true) {
    bool feasible = true;
    for (int u = 0; u < n && feasible; ++u) {
      for (int v : graph.successors(u)) {
        if (stage_of[u] > stage_of[v]) feasible = false;
      }
    }
    for (int b = 0; b < k && feasible && memory_limit > 0; ++b) {
      int64_t memory = 0;
      for (int v = 0; v < n; ++v) {
        if (stage_of[v] == b) memory += graph.memory(v);
      }
      if (memory > memory_limit) feasible = false;
    }
    if (feasible) {
      double bottleneck = 0;
      for (int b = 0; b < k; ++b) {
        bottleneck =
            std::max(bottleneck, BruteForceStageCost(graph, stage_of, b));
      }
      best = std::min(best, bottleneck);
    }
    int i = 0;
    while (i < n && ++stage_of[i] == k) stage_of[i++] = 0;
    if (i == n) break;
  }
  if (best == std::numeric_limits<double>::infinity()) return std::nullopt;
  return best;
}

std::optional<std::string> TestbedDir() {
  const char* env = std::getenv("PIPECUT_TESTBED");
  const std::string dir = env != nullptr ? env : PIPECUT_DEFAULT_TESTBED;
  if (std::filesystem::is_directory(dir)) return dir;
  return std::nullopt;
}

std::vector<std::vector<char>> Reachability(const Graph& graph) {
  const int n = graph.num_nodes();
  std::vector<std::vector<char>> reach(n, std::vector<char>(n, 0));
  const auto& order = graph.topological_order();
  for (int i = n - 1; i >= 0; --i) {
    const int u = order[i];
    for (int s : graph.successors(u)) {
      reach[u][s] = 1;
      for (int v = 0; v < n; ++v) reach[u][v] |= reach[s][v];
    }
  }
  return reach;
}

bool IsConvex(const std::vector<char>& in_set,
              const std::vector<std::vector<char>>& reach) {
  const int n = static_cast<int>(in_set.size());
  for (int x = 0; x < n; ++x) {
    if (in_set[x]) continue;
    bool from_set = false, to_set = false;
    for (int v = 0; v < n; ++v) {
      if (!in_set[v]) continue;
      from_set |= reach[v][x] != 0;
      to_set |= reach[x][v] != 0;
    }
    if (from_set && to_set) return false;
  }
  return true;
}

double BruteForceCheapestConvexSet(
    const Graph& graph, int64_t memory_limit,
    const std::function<bool(const std::vector<char>& in_set,
                             const StageCost& cost)>& keep) {
  const int n = graph.num_nodes();
  const auto reach = Reachability(graph);
  double best = std::numeric_limits<double>::infinity();
  for (int mask = 1; mask < (1 << n); ++mask) {
    std::vector<char> in_set(n);
    for (int v = 0; v < n; ++v) in_set[v] = (mask >> v) & 1;
    const StageCost cost = EvaluateNodeSet(graph, in_set);
    if (memory_limit > 0 && cost.memory > memory_limit) continue;
    if (!keep(in_set, cost) || !IsConvex(in_set, reach)) continue;
    best = std::min(best, cost.cost());
  }
  return best;
}

}  // namespace pipecut::testing
