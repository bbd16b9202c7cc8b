#ifndef PIPECUT_CORE_BOUNDS_PATTERN_LP_H_
#define PIPECUT_CORE_BOUNDS_PATTERN_LP_H_

#include <cstdint>

#include "absl/types/span.h"

namespace pipecut {

// The pattern (Gilmore-Gomory) LP bound on bin packing, the strongest of
// the classical bin-packing bounds: a SALBP-2 station is a bin of capacity
// T, so the works need at most k bins when a partition of bottleneck <= T
// exists (precedence only makes it harder).
//
// Column generation: the LP "min sum_p x_p, sum_p a_ip x_p >= d_i, x >= 0"
// over packing patterns p (a_ip copies of size class i, d_i items of it)
// is solved on CLP from one pattern per class, each round adding the
// pattern that a bounded knapsack on the LP's duals prices best.
//
// What is claimed never rests on the LP's arithmetic. Every round turns the
// duals into nonnegative integers y_i and computes, by exact integer
// dynamic programming, K = max over patterns of sum_i a_ip y_i. For any
// packing into B bins, sum_i d_i y_i = sum over bins of the y in the bin
// <= B K; so sum_i d_i y_i > bins K proves that more than `bins` bins are
// needed (y / K is a dual feasible function; Farley's bound when the LP has
// not converged yet).
//
// Sizes must be integral; the capacity at most kMaxPatternCapacity and
// the dynamic programme at most kMaxPatternCells cells, else nothing is
// claimed. At most `max_rounds` rounds, and at most kMaxPatternWork cells
// priced in all (large capacities: ARC111 at m = 3 priced 5M cells for 200
// rounds, 0.7 s, and refuted nothing).
inline constexpr int64_t kMaxPatternCapacity = 1 << 16;
inline constexpr int64_t kMaxPatternCells = 1 << 24;
inline constexpr int64_t kMaxPatternWork = int64_t{1} << 27;

bool PatternLpNeedsMoreBins(absl::Span<const int64_t> items, int64_t capacity,
                            int64_t bins, int max_rounds = 200);

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_PATTERN_LP_H_
