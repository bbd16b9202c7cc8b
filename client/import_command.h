#ifndef PIPECUT_CLIENT_IMPORT_COMMAND_H_
#define PIPECUT_CLIENT_IMPORT_COMMAND_H_

#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"

namespace pipecut::client {

// `pipecut import MODEL --out GRAPH.json [--device PRESET] [--peak-flops F]
//  [--memory-bandwidth B] [--link-bandwidth L] [--op-overhead S]`
// converts a model file (ONNX, or any format LoadGraphFile reads) to
// pipecut's graph JSON, validated. Without --out the JSON goes to stdout. A
// one-line summary goes to stderr. Work and comm of ONNX models are in
// milliseconds on the chosen device (docs/onnx.md).
struct ImportFlags {
  std::string model;
  std::string out;
  std::string device;  // "" = the default preset
  std::optional<double> peak_flops;
  std::optional<double> memory_bandwidth;
  std::optional<double> link_bandwidth;
  std::optional<double> op_overhead_seconds;
  bool quiet = false;
};

// Runs the import; returns the failure (the caller maps it to an exit code).
absl::Status RunImport(const ImportFlags& flags);

// Registers the `import` subcommand on `app`; its callback stores the exit
// code (client/exit_codes.h) in `exit_code`, which must outlive `app`.
void AddImportCommand(CLI::App& app, int& exit_code);

}  // namespace pipecut::client

#endif  // PIPECUT_CLIENT_IMPORT_COMMAND_H_
