#include "core/heuristics/topological_orders.h"

namespace pipecut {

std::vector<NamedOrder> SeedOrders(const Graph& graph) {
  std::vector<NamedOrder> orders;
  orders.push_back({"kahn", graph.topological_order()});
  return orders;
}

}  // namespace pipecut
