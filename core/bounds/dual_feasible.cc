#include "core/bounds/dual_feasible.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace pipecut {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// f_0^e for every e among the item sizes <= C / 2 (between two such sizes
// the weights equal those at the larger one): count(x > C - e) C + sum(x in
// [e, C - e]) > bins C. Its weights x / C move with C: holds at C only.
bool MartelloTothFires(absl::Span<const int64_t> items, int64_t capacity,
                       int64_t bins, int64_t* until) {
  std::vector<int64_t> sorted(items.begin(), items.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<__int128> prefix(sorted.size() + 1, 0);
  for (size_t i = 0; i < sorted.size(); ++i) {
    prefix[i + 1] = prefix[i] + sorted[i];
  }
  const __int128 room = static_cast<__int128>(bins) * capacity;
  for (size_t i = 0; i < sorted.size() && 2 * sorted[i] <= capacity; ++i) {
    if (i > 0 && sorted[i] == sorted[i - 1]) continue;
    const int64_t e = sorted[i];
    const auto top = static_cast<size_t>(
        std::upper_bound(sorted.begin(), sorted.end(), capacity - e) -
        sorted.begin());
    const __int128 big = static_cast<__int128>(sorted.size() - top);
    if (big * capacity + (prefix[top] - prefix[i]) > room) {
      *until = capacity + 1;
      return true;
    }
  }
  return false;
}

// u^(p) in integers: with y = (p + 1) x / C and j = floor(y), an item
// weighs j / (p + 1) when y is an integer, else j / p; times p (p + 1) that
// is j p or j (p + 1). The bins needed exceed `bins` when the scaled sum
// exceeds bins p (p + 1). A weight j / p stays put while y is in (j, j + 1),
// i.e. up to C' = (p + 1) x / j; an integral y changes at once; a zero weight
// stays zero as C' grows: *until is the first of these changes.
bool FeketeSchepersFires(absl::Span<const int64_t> items, int64_t capacity,
                         int64_t bins, int p, int64_t* until) {
  int64_t scaled = 0, first_change = kNever;
  for (const int64_t x : items) {
    const int64_t y = (p + 1) * x;
    const int64_t j = y / capacity;
    if (j == 0) continue;
    if (y % capacity == 0) {
      scaled += j * p;
      first_change = capacity + 1;
    } else {
      scaled += j * (p + 1);
      first_change = std::min(first_change, (y + j - 1) / j);
    }
  }
  if (scaled <= bins * p * (p + 1)) return false;
  *until = first_change;
  return true;
}

}  // namespace

bool DffNeedsMoreBins(absl::Span<const int64_t> items, int64_t capacity,
                      int64_t bins, int64_t* until) {
  if (capacity <= 0) return false;  // nothing to divide by; claim nothing
  int64_t best = -1, at = 0;
  for (int p = 1; p <= kMaxDffOrder; ++p) {
    if (FeketeSchepersFires(items, capacity, bins, p, &at)) {
      best = std::max(best, at);
    }
  }
  if (best < 0 && MartelloTothFires(items, capacity, bins, &at)) best = at;
  if (best < 0) return false;
  if (until != nullptr) *until = best;
  return true;
}

}  // namespace pipecut
