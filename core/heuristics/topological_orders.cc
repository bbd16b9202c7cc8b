#include "core/heuristics/topological_orders.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <numeric>
#include <queue>
#include <set>
#include <utility>

namespace pipecut {
namespace {

// Kahn's algorithm where `pick` chooses among ready nodes through a container
// with push/pop semantics given by the callbacks.
template <typename Ready, typename Push, typename Pop>
std::vector<int> Kahn(const Graph& graph, Ready& ready, Push push, Pop pop) {
  const int n = graph.num_nodes();
  std::vector<int> indegree(n);
  for (int v = 0; v < n; ++v) indegree[v] = graph.predecessors(v).size();
  for (int v = 0; v < n; ++v) {
    if (indegree[v] == 0) push(ready, v);
  }
  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    const int v = pop(ready);
    order.push_back(v);
    for (int s : graph.successors(v)) {
      if (--indegree[s] == 0) push(ready, s);
    }
  }
  return order;
}

// Kahn with a priority: the ready node with the smallest (priority, index).
std::vector<int> KahnByPriority(const Graph& graph,
                                absl::Span<const double> priority) {
  using Entry = std::pair<double, int>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> ready;
  return Kahn(
      graph, ready,
      [&](auto& q, int v) {
        q.push({priority[v], v});
      },
      [](auto& q) {
        const int v = q.top().second;
        q.pop();
        return v;
      });
}

std::vector<int> SortedBy(int n, const std::function<bool(int, int)>& less) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), less);
  return order;
}

std::vector<int> Depths(const Graph& graph) {
  std::vector<int> depth(graph.num_nodes(), 0);
  for (int v : graph.topological_order()) {
    for (int s : graph.successors(v))
      depth[s] = std::max(depth[s], depth[v] + 1);
  }
  return depth;
}

std::vector<int> MinLiveOrder(const Graph& graph) {
  const int n = graph.num_nodes();
  // unread[u]: consumers of u not yet placed. Placing v changes the comm of
  // waiting tensors by delta(v) = c(v) [if v has consumers] - sum of c(u) over
  // predecessors u for which v is the last unread consumer.
  std::vector<int> unread(n), indegree(n);
  std::vector<double> delta(n);
  for (int v = 0; v < n; ++v) {
    unread[v] = graph.successors(v).size();
    indegree[v] = graph.predecessors(v).size();
  }
  for (int v = 0; v < n; ++v) {
    delta[v] = unread[v] > 0 ? graph.comm(v) : 0;
    for (int u : graph.predecessors(v)) {
      if (unread[u] == 1) delta[v] -= graph.comm(u);
    }
  }
  std::set<std::pair<double, int>> ready;
  for (int v = 0; v < n; ++v) {
    if (indegree[v] == 0) ready.insert({delta[v], v});
  }
  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    const int v = ready.begin()->second;
    ready.erase(ready.begin());
    order.push_back(v);
    indegree[v] = -1;  // marks v placed
    for (int u : graph.predecessors(v)) {
      if (--unread[u] != 1) continue;
      // u has one unread consumer left: placing it now closes u's tensor.
      for (int s : graph.successors(u)) {
        if (indegree[s] < 0) continue;  // placed
        const bool is_ready = indegree[s] == 0;
        if (is_ready) ready.erase({delta[s], s});
        delta[s] -= graph.comm(u);
        if (is_ready) ready.insert({delta[s], s});
      }
    }
    for (int s : graph.successors(v)) {
      if (--indegree[s] == 0) ready.insert({delta[s], s});
    }
  }
  return order;
}

}  // namespace

std::vector<int> OrderByKeys(const Graph& graph,
                             absl::Span<const double> keys) {
  return KahnByPriority(graph, keys);
}

std::vector<int> OrderOfPartition(const Graph& graph,
                                  absl::Span<const int> stage_of) {
  // Stages are non-decreasing along edges and the tie-break is topological,
  // so (stage, topological position) is a topological order.
  std::vector<int> order = graph.topological_order();
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return stage_of[a] < stage_of[b]; });
  return order;
}

bool IsTopologicalOrder(const Graph& graph, absl::Span<const int> order) {
  const int n = graph.num_nodes();
  if (static_cast<int>(order.size()) != n) return false;
  std::vector<int> pos(n, -1);
  for (int i = 0; i < n; ++i) {
    if (order[i] < 0 || order[i] >= n || pos[order[i]] != -1) return false;
    pos[order[i]] = i;
  }
  for (int v = 0; v < n; ++v) {
    for (int s : graph.successors(v)) {
      if (pos[s] < pos[v]) return false;
    }
  }
  return true;
}

std::vector<NamedOrder> SeedOrders(const Graph& graph) {
  const int n = graph.num_nodes();
  std::vector<NamedOrder> orders;
  auto add = [&](std::string name, std::vector<int> order) {
    for (const NamedOrder& existing : orders) {
      if (existing.order == order) return;
    }
    orders.push_back({std::move(name), std::move(order)});
  };

  add("kahn", graph.topological_order());
  {
    std::vector<int> stack;
    add("dfs", Kahn(
                   graph, stack, [](auto& s, int v) { s.push_back(v); },
                   [](auto& s) {
                     const int v = s.back();
                     s.pop_back();
                     return v;
                   }));
  }
  {
    std::deque<int> queue;
    add("bfs", Kahn(
                   graph, queue, [](auto& q, int v) { q.push_back(v); },
                   [](auto& q) {
                     const int v = q.front();
                     q.pop_front();
                     return v;
                   }));
  }
  const std::vector<int> depth = Depths(graph);
  add("depth", SortedBy(n, [&](int a, int b) { return depth[a] < depth[b]; }));
  {
    // Earliest start: ties (zero work) are broken by depth, which strictly
    // grows along edges, so the sort is topological.
    std::vector<double> start(n, 0);
    for (int v : graph.topological_order()) {
      for (int s : graph.successors(v)) {
        start[s] = std::max(start[s], start[v] + graph.work(v));
      }
    }
    add("work_depth", SortedBy(n, [&](int a, int b) {
          return std::pair(start[a], depth[a]) < std::pair(start[b], depth[b]);
        }));
  }
  {
    std::vector<double> bottom(n, 0);
    const std::vector<int>& topo = graph.topological_order();
    for (auto it = topo.rbegin(); it != topo.rend(); ++it) {
      double longest = 0;
      for (int s : graph.successors(*it))
        longest = std::max(longest, bottom[s]);
      bottom[*it] = graph.work(*it) + longest;
    }
    std::vector<double> priority(n);
    for (int v = 0; v < n; ++v) priority[v] = -bottom[v];
    add("critical_path", KahnByPriority(graph, priority));
  }
  {
    // Kahn on the reversed graph, largest index first, then reversed.
    std::priority_queue<int> ready;
    std::vector<int> outdegree(n);
    for (int v = 0; v < n; ++v) {
      outdegree[v] = graph.successors(v).size();
      if (outdegree[v] == 0) ready.push(v);
    }
    std::vector<int> order;
    order.reserve(n);
    while (!ready.empty()) {
      const int v = ready.top();
      ready.pop();
      order.push_back(v);
      for (int p : graph.predecessors(v)) {
        if (--outdegree[p] == 0) ready.push(p);
      }
    }
    std::reverse(order.begin(), order.end());
    add("alap", std::move(order));
  }
  add("min_live", MinLiveOrder(graph));
  return orders;
}

}  // namespace pipecut
