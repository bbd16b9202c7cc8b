#include "client/import_command.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/exit_codes.h"
#include "core/cost/device_profile.h"
#include "core/graph/graph.h"
#include "core/importers/graph_file.h"
#include "core/importers/onnx_importer.h"
#include "core/options.h"

namespace pipecut::client {

absl::Status RunImport(const ImportFlags& flags) {
  v1::ImportOptions options;
  v1::DeviceProfile& device = *options.mutable_device();
  device.set_preset(flags.device);
  if (flags.peak_flops) device.set_peak_flops(*flags.peak_flops);
  if (flags.memory_bandwidth) {
    device.set_memory_bandwidth(*flags.memory_bandwidth);
  }
  if (flags.link_bandwidth) device.set_link_bandwidth(*flags.link_bandwidth);
  if (flags.op_overhead_seconds) {
    device.set_op_overhead_seconds(*flags.op_overhead_seconds);
  }
  absl::StatusOr<ResolvedImportOptions> resolved =
      ResolveImportOptions(options);
  if (!resolved.ok()) return resolved.status();

  OnnxImportStats stats;
  const bool onnx = IsOnnxPath(flags.model);
  absl::StatusOr<v1::Graph> proto =
      onnx ? ImportOnnxFile(flags.model, resolved->device, &stats)
           : LoadGraphFile(flags.model, options);
  if (!proto.ok()) return proto.status();
  absl::StatusOr<Graph> graph = Graph::FromProto(*proto);
  if (!graph.ok()) {
    return absl::Status(
        graph.status().code(),
        absl::StrCat(flags.model, ": ", graph.status().message()));
  }
  const std::string json = ToJson(*proto) + "\n";
  if (flags.out.empty()) {
    std::fwrite(json.data(), 1, json.size(), stdout);
  } else {
    absl::Status written = WriteFile(flags.out, json);
    if (!written.ok()) return written;
  }
  if (!flags.quiet) {
    std::string summary = absl::StrFormat(
        "imported %s: %d nodes, %d edges, total work %.6g", proto->name(),
        graph->num_nodes(), graph->num_edges(), graph->total_work());
    if (onnx) {
      absl::StrAppendFormat(
          &summary,
          " ms on %s; %d ONNX ops (%d folded), %.3f GFLOP, %.1f MB weights",
          resolved->device.name, stats.onnx_nodes, stats.folded_nodes,
          stats.total_flops / 1e9,
          static_cast<double>(stats.weight_bytes) / 1e6);
      if (!stats.ops_without_formula.empty()) {
        absl::StrAppend(&summary, "; estimated (no formula): ",
                        absl::StrJoin(stats.ops_without_formula, ", ",
                                      absl::PairFormatter("x")));
      }
    }
    if (!flags.out.empty()) absl::StrAppend(&summary, " -> ", flags.out);
    std::cerr << summary << "\n";
  }
  return absl::OkStatus();
}

void AddImportCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Convert a model (ONNX or another supported format) to graph JSON");
  cmd->add_option("model", flags->model, "Model file (.onnx, ...)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out,-o", flags->out,
                  "Graph JSON to write (default stdout)");
  cmd->add_option("--device", flags->device,
                  absl::StrCat("Device preset for the ONNX cost model: ",
                               absl::StrJoin(DeviceProfilePresetNames(), ", "),
                               " (default a100)"));
  cmd->add_option("--peak-flops", flags->peak_flops,
                  "Override: peak FLOP/s (multiply-add = 2)");
  cmd->add_option("--memory-bandwidth", flags->memory_bandwidth,
                  "Override: device memory bandwidth, bytes/s");
  cmd->add_option("--link-bandwidth", flags->link_bandwidth,
                  "Override: bandwidth between stages, bytes/s");
  cmd->add_option("--op-overhead", flags->op_overhead_seconds,
                  "Override: fixed time per operator, seconds");
  cmd->add_flag("--quiet,-q", flags->quiet, "No summary on stderr");
  cmd->callback([flags, &exit_code] {
    absl::Status status = RunImport(*flags);
    if (!status.ok()) {
      std::cerr << "pipecut: " << status.message() << "\n";
      exit_code = ExitCodeFor(status);
      return;
    }
    exit_code = kExitOk;
  });
}

}  // namespace pipecut::client
