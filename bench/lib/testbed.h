#ifndef PIPECUT_BENCH_LIB_TESTBED_H_
#define PIPECUT_BENCH_LIB_TESTBED_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace pipecut::bench {

// One benchmark instance of the shared testbed (../shared/testbed/README.md).
struct TestbedInstance {
  std::string family;   // "msr", "pipedream" or "scholl"
  std::string name;     // e.g. "OperatorGraphs/bert_l-3_inference"
  std::string path;     // a file LoadGraphFile reads
  std::vector<int> ks;  // stage counts to run
};

// Lists the testbed: every msr-dnn-partitioning JSON and every PipeDream
// graph.txt with `dnn_ks`, and each of the 302 Scholl SALBP-2 instances of
// salbp2-scholl/instances.csv with its own number of stations m as k (one
// instance per csv row). Sorted by family, then name (Scholl rows in csv
// order). NOT_FOUND when `dir` or instances.csv is missing.
absl::StatusOr<std::vector<TestbedInstance>> ListTestbed(
    const std::string& dir, absl::Span<const int> dnn_ks);

}  // namespace pipecut::bench

#endif  // PIPECUT_BENCH_LIB_TESTBED_H_
