#include "core/bounds/combinatorial_bound.h"

#include <algorithm>

namespace pipecut {

double CombinatorialLowerBound(const Graph& graph, int k) {
  return std::max(graph.total_work() / k, graph.max_work());
}

bool CombinatorialBoundWorker::Step(SolveContext& /*ctx*/,
                                    SolutionBoard& board) {
  board.RaiseLowerBound(CombinatorialLowerBound(graph_, k_), name());
  return false;
}

}  // namespace pipecut
