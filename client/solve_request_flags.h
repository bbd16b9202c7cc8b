#ifndef PIPECUT_CLIENT_SOLVE_REQUEST_FLAGS_H_
#define PIPECUT_CLIENT_SOLVE_REQUEST_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "pipecut/v1/service.pb.h"

namespace pipecut::client {

// The flags that describe a solve (graph, k and SolveOptions), shared by
// `pipecut solve` and `pipecut jobs submit` so both accept the same options.
// Unset flags leave the option unset, so the documented defaults apply.
struct SolveRequestFlags {
  std::string graph;
  int k = 0;
  double budget = 0;
  double target_gap = -1;
  uint64_t seed = 0;
  int threads = 0;
  int64_t memory_limit = 0;
  std::vector<std::string> methods;
  std::string brkga_preset;
  double link_bandwidth = 0;
};

// Declares the flags on `command`; `flags` must outlive the parse.
void AddSolveRequestFlags(CLI::App& command, SolveRequestFlags& flags);

// Importer options from --link-bandwidth (unset when 0).
v1::ImportOptions ImportOptionsFrom(double link_bandwidth);

// Loads the graph file and builds the request; errors name the file.
absl::StatusOr<v1::SolveRequest> BuildSolveRequest(
    const SolveRequestFlags& flags);

}  // namespace pipecut::client

#endif  // PIPECUT_CLIENT_SOLVE_REQUEST_FLAGS_H_
