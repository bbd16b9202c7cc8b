#ifndef PIPECUT_CORE_OPTIONS_H_
#define PIPECUT_CORE_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/cost/device_profile.h"
#include "pipecut/v1/options.pb.h"

namespace pipecut {

// BrkgaOptions with every default applied (see options.proto).
struct BrkgaParams {
  int population = 100;
  int generations = 0;  // 0 = until stopped
  double elite_fraction = 0.2;
  double mutant_fraction = 0.1;
  double crossover_bias = 0.7;
};

// SolveOptions with every default applied and validated. The defaults live
// here and only here; options.proto documents the same values and
// tests/core/options_test.cc pins them.
struct ResolvedOptions {
  double time_limit_seconds = 10;
  double target_relative_gap = 0;
  double optimality_tolerance = 1e-6;
  uint64_t random_seed = 0;
  int num_threads = 1;               // resolved: >= 1
  int64_t memory_limit_bytes = 0;    // 0 = none
  std::vector<std::string> methods;  // resolved: never empty
  BrkgaParams brkga;
  int64_t mip_max_variables = 200'000;
  int64_t mip_max_nonzeros = 2'000'000;
  int mip_threads = 0;
  int64_t ideal_dp_max_ideals = 200'000;
  int max_stages = 1024;
  int64_t max_nodes = 1'000'000;

  bool HasMethod(const std::string& name) const;
};

// Applies defaults and validates ranges; INVALID_ARGUMENT names the field.
absl::StatusOr<ResolvedOptions> ResolveOptions(const v1::SolveOptions& options);

// ImportOptions with defaults applied.
struct ResolvedImportOptions {
  double link_bandwidth = 1e6;
  // The ONNX importer's cost model; default the "a100" preset.
  DeviceProfile device;
};
absl::StatusOr<ResolvedImportOptions> ResolveImportOptions(
    const v1::ImportOptions& options);

}  // namespace pipecut

#endif  // PIPECUT_CORE_OPTIONS_H_
