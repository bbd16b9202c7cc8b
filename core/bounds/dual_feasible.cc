#include "core/bounds/dual_feasible.h"

#include <algorithm>
#include <array>
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

}  // namespace

// u^(p) in integers: with y = (p + 1) x / C and j = floor(y), an item
// weighs j / (p + 1) when y is an integer, else j / p; times p (p + 1) that
// is j p or j (p + 1), at most (p + 1)^2. The bins needed exceed `bins`
// when the scaled sum exceeds bins p (p + 1).
DffTable::DffTable(absl::Span<const int64_t> sizes, int64_t capacity)
    : sizes_(sizes.begin(), sizes.end()),
      capacity_(capacity),
      scaled_(sizes.size() * kMaxDffOrder, 0) {
  if (capacity <= 0) return;
  for (size_t i = 0; i < sizes_.size(); ++i) {
    for (int p = 1; p <= kMaxDffOrder; ++p) {
      const int64_t y = (p + 1) * sizes_[i];
      const int64_t j = std::min<int64_t>(y / capacity, p + 1);
      scaled_[i * kMaxDffOrder + p - 1] =
          static_cast<int32_t>(y % capacity == 0 ? j * p : j * (p + 1));
    }
  }
}

// A weight floor(y) / p with y = (p + 1) x / C' stays put while y is in
// (j, j + 1), i.e. up to C' = (p + 1) x / j; an integral y changes at once;
// a zero weight stays zero as C' grows.
bool DffTable::NeedsMoreBins(absl::Span<const int> subset, int64_t bins,
                             int64_t* until) const {
  if (capacity_ <= 0) return false;  // nothing to divide by; claim nothing
  // Each scaled weight is at most (p + 1)^2 < 2^9: int32 sums are exact
  // below 2^22 items (a fixed-length int32 loop the compiler vectorises).
  if (subset.size() >= (size_t{1} << 22)) return false;
  std::array<int32_t, kMaxDffOrder> sum{};
  for (const int i : subset) {
    const int32_t* row = &scaled_[static_cast<size_t>(i) * kMaxDffOrder];
    for (int p = 0; p < kMaxDffOrder; ++p) sum[p] += row[p];
  }
  int64_t best = -1;
  for (int p = 1; p <= kMaxDffOrder; ++p) {
    if (sum[p - 1] <= static_cast<int64_t>(bins) * p * (p + 1)) continue;
    int64_t first_change = kNever;
    for (const int i : subset) {
      const int64_t y = (p + 1) * sizes_[i];
      const int64_t j = y / capacity_;
      if (j == 0) continue;
      first_change = std::min(
          first_change, y % capacity_ == 0 ? capacity_ + 1 : (y + j - 1) / j);
    }
    best = std::max(best, first_change);
  }
  if (best < 0) return false;
  if (until != nullptr) *until = best;
  return true;
}

bool DffNeedsMoreBins(absl::Span<const int64_t> items, int64_t capacity,
                      int64_t bins, int64_t* until) {
  if (capacity <= 0) return false;  // nothing to divide by; claim nothing
  std::vector<int> all(items.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  if (DffTable(items, capacity).NeedsMoreBins(all, bins, until)) return true;
  int64_t at = 0;
  if (!MartelloTothFires(items, capacity, bins, &at)) return false;
  if (until != nullptr) *until = at;
  return true;
}

}  // namespace pipecut
