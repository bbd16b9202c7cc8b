#ifndef PIPECUT_CORE_HEURISTICS_TOPOLOGICAL_ORDERS_H_
#define PIPECUT_CORE_HEURISTICS_TOPOLOGICAL_ORDERS_H_

#include <string>
#include <vector>

#include "core/graph/graph.h"

namespace pipecut {

struct NamedOrder {
  std::string name;
  std::vector<int> order;
};

// Deterministic topological orders used to seed the search, cheapest and most
// natural first. Every order contains every node once and respects all edges.
std::vector<NamedOrder> SeedOrders(const Graph& graph);

}  // namespace pipecut

#endif  // PIPECUT_CORE_HEURISTICS_TOPOLOGICAL_ORDERS_H_
