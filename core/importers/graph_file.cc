#include "core/importers/graph_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/importers/msr_json.h"
#include "core/importers/onnx_importer.h"
#include "core/importers/pipedream_graph.h"
#include "core/importers/salbp_in2.h"
#include "core/options.h"
#include "google/protobuf/util/json_util.h"

namespace pipecut {
namespace {

template <typename Message>
absl::StatusOr<Message> ParseJson(absl::string_view json,
                                  absl::string_view what) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &message,
      options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid ", what, " JSON: ", std::string(status.message())));
  }
  return message;
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string reason = std::strerror(err);
    if (err == EACCES) {
      return absl::PermissionDeniedError(absl::StrCat(path, ": ", reason));
    }
    return absl::NotFoundError(
        absl::StrCat("cannot open ", path, ": ", reason));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return contents.str();
}

absl::Status WriteFile(const std::string& path, absl::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), contents.size());
  out.close();
  if (!out) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Graph> ParseGraphJson(absl::string_view json) {
  return ParseJson<v1::Graph>(json, "graph");
}

absl::StatusOr<v1::Plan> ParsePlanJson(absl::string_view json) {
  return ParseJson<v1::Plan>(json, "plan");
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  // Plans list every stage field, zeros included, so readers need no defaults.
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

absl::StatusOr<v1::Graph> LoadGraphFile(const std::string& path,
                                        const v1::ImportOptions& options) {
  absl::StatusOr<ResolvedImportOptions> resolved =
      ResolveImportOptions(options);
  if (!resolved.ok()) return resolved.status();
  const std::string extension =
      absl::AsciiStrToLower(std::filesystem::path(path).extension().string());
  // Binary formats are chosen by extension alone, before the file is read as
  // text (e.g. ".onnx").
  if (extension == ".onnx") return ImportOnnxFile(path, resolved->device);
  absl::StatusOr<std::string> contents = ReadFile(path);
  if (!contents.ok()) return contents.status();
  absl::StatusOr<v1::Graph> graph;
  if (extension == ".in2") {
    graph = ParseSalbpIn2(*contents, path);
  } else if (LooksLikePipeDreamGraph(*contents)) {
    graph = ParsePipeDreamGraph(*contents, path, resolved->link_bandwidth);
  } else if (LooksLikeMsrJson(*contents)) {
    graph = ParseMsrJson(*contents, path);
  } else {
    graph = ParseGraphJson(*contents);
    if (!graph.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", graph.status().message()));
    }
  }
  if (graph.ok() && graph->name().empty()) {
    graph->set_name(std::filesystem::path(path).filename().string());
  }
  return graph;
}

}  // namespace pipecut
