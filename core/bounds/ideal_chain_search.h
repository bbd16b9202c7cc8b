#ifndef PIPECUT_CORE_BOUNDS_IDEAL_CHAIN_SEARCH_H_
#define PIPECUT_CORE_BOUNDS_IDEAL_CHAIN_SEARCH_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "core/graph/graph.h"
#include "core/solve/solve_context.h"

namespace pipecut {

struct IdealChainParams {
  int k = 1;
  // The question: is there a partition whose every stage costs < threshold?
  double threshold = 0;
  int64_t memory_limit = 0;  // 0 = none
  // Give up (kGaveUp) past this many reached ideals (fewer when their
  // membership bits would pass 128 MiB), this many search
  // states in all or from one ideal (the latter are held in a hash set), or
  // this time.
  int64_t max_ideals = 1'000'000;
  int64_t max_states = 100'000'000;
  int64_t max_states_per_ideal = 2'000'000;
  absl::Time give_up_at = absl::InfiniteFuture();
};

struct IdealChainResult {
  enum class Status {
    kFound,   // stage_of: a partition with every stage < threshold
    kNone,    // no such partition: OPT >= threshold
    kGaveUp,  // a limit was hit first; nothing is claimed
    kStopped,
  };
  Status status = Status::kStopped;
  std::vector<int> stage_of;
  int64_t ideals = 0;  // reached
  int64_t states = 0;  // visited by the stage enumeration
};

// Decides "OPT < threshold?" by a breadth-first search over the ideals that
// chains of cheap stages reach from the empty ideal, never enumerating the
// others: the exact DP (ideal_dp.h) needs every ideal and every cheap pair,
// which is hopeless on graphs like PipeDream's inception_v3 (221,566 ideals,
// more than 60M stages under its incumbent), while the chains that stay
// under a threshold near OPT may reach only a small part of the lattice.
//
// Why it is exact. A partition into at most k stages is a chain of ideals
// {} = I_0 < I_1 < ... < I_m = V, m <= k, with stage b = I_b \ I_{b-1}
// (ideal_dp.h). The search expands each reached ideal J once, at the fewest
// stages that reach it (breadth first), and enumerates every ideal I > J
// with f(I \ J) < threshold by adding addable nodes one at a time. A branch
// is cut when w(S) + c(in(S)) >= threshold for the stage S built so far:
// both terms only grow as S takes more nodes (in(S) is the set of nodes of
// J read by S; S's predecessors outside S all lie in J), and f(S) >= w(S) +
// c(in(S)), so no stage below the threshold lies beyond the cut. The same
// holds for the memory of S, and for the tensors S must send: once a
// successor s of a node y of S cannot join (w(S + s) plus the tensors s
// reads from J reach the threshold; both only grow with S), y is in out(S')
// for every S' grown from S, so w + c(in) + c(such y) is monotone too. A
// reached ideal I is dropped when the stages after it cannot fit: they hold the
// work R = w(V \ I) and read every tensor of out(I) (each has a reader outside
// I), so m stages below t need m t > R + c(out(I)) >= R + c(out(S)); with b
// stages up to I, b + m <= k fails when b + floor((R + c(out(S))) / t) + 1 > k
// (R > 0). Hence V is reached within k stages iff a partition with every stage
// below the threshold exists, and the chain of parents gives it.
//
// Ideals and search states are told apart by 128-bit Zobrist keys: a
// collision among 1e8 states has probability about 2^-75.
//
// Runs on ContractAnchoredNodes(graph) (OPT unchanged); `stage_of` is for
// `graph`. Floating-point sums of stage costs may differ from the exact
// ones in the last bits, so callers should claim OPT >= threshold * (1 -
// 1e-9) from kNone and evaluate the partition of kFound.
IdealChainResult SearchIdealChain(const Graph& graph,
                                  const IdealChainParams& params,
                                  const SolveContext* ctx = nullptr);

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_IDEAL_CHAIN_SEARCH_H_
