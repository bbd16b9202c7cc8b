#ifndef PIPECUT_CORE_BOUNDS_SPLIT_MODEL_H_
#define PIPECUT_CORE_BOUNDS_SPLIT_MODEL_H_

#include <cstdint>
#include <vector>

#include "core/graph/graph.h"
#include "core/mip/mip_model.h"

namespace pipecut {

// The ordered 3-way split (P, S, Q) behind the bottleneck relaxation and the
// guess-the-stage models (DESIGN section 2), with two ideal indicators per
// node: a_v = [v in P] and d_v = [v in P u S], so s_v = d_v - a_v and
// q_v = 1 - d_v. On every edge (u, v): a_v <= a_u and d_v <= d_u (P and P u S
// are ideals, so no edge goes backwards), and a_v <= d_v.
//
// Cost of S, with continuous indicators alpha (in(S)) and beta (out(S)):
//   u in in(S)  iff u in P and some successor v in S (u cannot be in Q: it
//               precedes v), so alpha_u >= a_u + (d_v - a_v) - 1;
//   u in out(S) iff u in S and some successor v in Q,
//               so beta_u >= (d_u - a_u) - d_v.
// At an integer point the smallest feasible alpha, beta are exactly these
// indicators, so f(S) = w(S) + c.alpha + c.beta at the optimum.
struct SplitModelSpec {
  int k = 1;
  // 0: the bottleneck relaxation (objective f(S)). 1..k: the guess model for
  // S = S_b (objective T).
  int guess_stage = 0;
  int64_t memory_limit = 0;  // 0 = none
  // A proved lower bound on OPT, used as T >= lower_bound in guess models.
  double lower_bound = 0;
  // Every cost (and the bound above) is multiplied by this in the model, so
  // objective values are in units of 1 / scale (see MipCostScale).
  double scale = 1;
};

struct SplitModel {
  MipModel mip;
  std::vector<int> a, d;  // column of a_v and d_v
  int t = -1;             // column of T (guess models)
};

// Builds the model. Validity proofs are in split_model.cc next to each
// constraint group.
SplitModel BuildSplitModel(const Graph& graph, const SplitModelSpec& spec);

// Upper estimates of the model's size, cheap, for the options' limits.
int64_t SplitModelVariables(const Graph& graph, bool guess);
int64_t SplitModelNonzeros(const Graph& graph, bool guess);

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_SPLIT_MODEL_H_
