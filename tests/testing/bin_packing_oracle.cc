#include "tests/testing/bin_packing_oracle.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace pipecut::testing {

int ExactBinCount(const std::vector<int64_t>& items, int64_t capacity) {
  const int n = static_cast<int>(items.size());
  const int full = (1 << n) - 1;
  std::vector<int64_t> sum(full + 1, 0);
  for (int s = 1; s <= full; ++s) {
    sum[s] = sum[s & (s - 1)] + items[__builtin_ctz(s)];
  }
  // fewest[s]: the fewest bins for the items of s. The bin holding s's
  // lowest item is that item plus any subset of the rest.
  std::vector<int> fewest(full + 1, n + 1);
  fewest[0] = 0;
  for (int s = 1; s <= full; ++s) {
    const int low = s & -s;
    const int rest = s ^ low;
    for (int sub = rest;; sub = (sub - 1) & rest) {
      if (sum[sub | low] <= capacity) {
        fewest[s] = std::min(fewest[s], fewest[s ^ (sub | low)] + 1);
      }
      if (sub == 0) break;
    }
  }
  return fewest[full];
}

}  // namespace pipecut::testing
