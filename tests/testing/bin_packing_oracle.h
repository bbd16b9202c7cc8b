#ifndef PIPECUT_TESTS_TESTING_BIN_PACKING_ORACLE_H_
#define PIPECUT_TESTS_TESTING_BIN_PACKING_ORACLE_H_

#include <cstdint>
#include <vector>

namespace pipecut::testing {

// The fewest bins of `capacity` that hold the items (each <= capacity), by
// dynamic programming over subsets (keep n <= 12): the oracle for the
// bin-packing bounds.
int ExactBinCount(const std::vector<int64_t>& items, int64_t capacity);

}  // namespace pipecut::testing

#endif  // PIPECUT_TESTS_TESTING_BIN_PACKING_ORACLE_H_
