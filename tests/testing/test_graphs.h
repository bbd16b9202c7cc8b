#ifndef PIPECUT_TESTS_TESTING_TEST_GRAPHS_H_
#define PIPECUT_TESTS_TESTING_TEST_GRAPHS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/cost/partition_cost.h"
#include "core/graph/graph.h"
#include "pipecut/v1/graph.pb.h"

namespace pipecut::testing {

// Parses a text-format pipecut.v1.Graph; aborts the test on a parse error.
v1::Graph GraphProtoFromText(const std::string& text);
// Builds and validates; fails the test (and aborts) on error.
Graph MakeGraph(const v1::Graph& proto);

// The DESIGN section 1 worked example: a->b, a->c, b->d, c->d; w = 1 each;
// c(a)=5, c(b)=2, c(c)=3, c(d)=1. OPT for k = 2 is 4 (one stage holds all:
// stages may be empty); the best split into two non-empty stages costs 8.
v1::Graph DesignExample();

// Nodes n0, n1, ... with the given works and no edges (no comm).
v1::Graph IndependentNodes(const std::vector<double>& works);

// A random DAG on n nodes: each pair (i, j), i < j, is an edge with
// probability `density`; node ids are shuffled relative to the order. Work
// uniform in [0, 10], comm uniform in [0, comm_scale], memory in [0, 100].
v1::Graph RandomDag(int n, double density, double comm_scale, uint64_t seed);

// The optimal bottleneck by brute force over every assignment of nodes to
// stages (k^n; keep n <= 8), honouring an optional memory limit; nullopt when
// infeasible. Independent of the production evaluator.
std::optional<double> BruteForceOptimum(const Graph& graph, int k,
                                        int64_t memory_limit = 0);

// f(S) by its definition, for a brute-force oracle.
double BruteForceStageCost(const Graph& graph, const std::vector<int>& stage_of,
                           int stage);

// reach[u][v]: a path u -> ... -> v of at least one edge (plain DFS-free
// propagation, no bitsets).
std::vector<std::vector<char>> Reachability(const Graph& graph);

// Whether the node set is convex: no node outside it lies on a path between
// two of its nodes.
bool IsConvex(const std::vector<char>& in_set,
              const std::vector<std::vector<char>>& reach);

// min f(S) over the non-empty convex node sets S within the memory limit
// (0 = none) that `keep` accepts, by enumerating every subset (keep n small);
// infinity if there is none.
double BruteForceCheapestConvexSet(
    const Graph& graph, int64_t memory_limit,
    const std::function<bool(const std::vector<char>& in_set,
                             const StageCost& cost)>& keep);

// The testbed directory ($PIPECUT_TESTBED or ../shared/testbed beside the
// repository); nullopt when absent.
std::optional<std::string> TestbedDir();

}  // namespace pipecut::testing

#endif  // PIPECUT_TESTS_TESTING_TEST_GRAPHS_H_
