#ifndef PIPECUT_CORE_BOUNDS_DUAL_FEASIBLE_H_
#define PIPECUT_CORE_BOUNDS_DUAL_FEASIBLE_H_

#include <cstdint>

#include "absl/types/span.h"

namespace pipecut {

// Bin-packing bounds from dual feasible functions (DFFs; Fekete & Schepers,
// Math. Program. 91, 2001). A function u on [0, C] is dual feasible when any
// items of total size <= C have total u <= 1: then every packing of the
// items into bins of capacity C uses at least sum_i u(x_i) bins. A
// SALBP-2 station is such a bin (its work is at most the cycle time), so
// the stations left after a partial assignment must hold the unassigned
// works; precedence only makes it harder.
//
// The functions tried, on integral sizes 0 <= x <= C:
// * u^(p), p = 1..kMaxDffOrder: x / C when (p + 1) x / C is an integer,
//   else floor((p + 1) x / C) / p. Proof: let
//   y_i = (p + 1) x_i / C for the items of one bin, so sum y_i <= p + 1. If
//   every y_i is an integer the weights are x_i / C, summing to <= 1. Otherwise
//   floor(y_i) < y_i for some i, so the integer sum of floor(y_i) (non-integral
//   y_i) plus y_i (integral ones) is < p + 1, hence <= p, and the weights sum
//   to at most that over p: <= 1.
// * Martello and Toth's f_0^e, 0 <= e <= C / 2: 1 above C - e, x / C in
//   [e, C - e], 0 below e. Proof: a bin holding an item above C - e has
//   room for items below e only (weight 0); any other bin weighs its load
//   over C <= 1.
// (u^(1) with f_0 covers the classical counts of items above C / 2 and the
// 1, 1/2 weights; larger p see items near C / (p + 1), e.g. three items of
// 22..27 per bin of 84.)
inline constexpr int kMaxDffOrder = 16;

// True when some function above shows that `items` (each in [0, capacity])
// need more than `bins` bins of capacity `capacity` (false when capacity <=
// 0). Then, when `until` is given, *until is a capacity above `capacity`
// such that the firing function's weights, hence the verdict, are the same
// at every integral capacity in [capacity, until).
bool DffNeedsMoreBins(absl::Span<const int64_t> items, int64_t capacity,
                      int64_t bins, int64_t* until = nullptr);

}  // namespace pipecut

#endif  // PIPECUT_CORE_BOUNDS_DUAL_FEASIBLE_H_
