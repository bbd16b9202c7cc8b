#ifndef PIPECUT_CORE_IMPORTERS_GRAPH_FILE_H_
#define PIPECUT_CORE_IMPORTERS_GRAPH_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipecut/v1/graph.pb.h"
#include "pipecut/v1/options.pb.h"
#include "pipecut/v1/plan.pb.h"

namespace pipecut {

// Reads a whole file; NOT_FOUND / PERMISSION_DENIED name the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);
absl::Status WriteFile(const std::string& path, absl::string_view contents);

// Parses pipecut's graph JSON (the proto3 JSON mapping of pipecut.v1.Graph).
absl::StatusOr<v1::Graph> ParseGraphJson(absl::string_view json);

// Loads a model graph, choosing the importer by file type and content:
// ".IN2" = SALBP (salbp_in2.h); a PipeDream profile graph.txt
// (pipedream_graph.h, comm from options.link_bandwidth); msr-fiddle JSON
// (msr_json.h); otherwise pipecut's graph JSON. An empty graph name becomes
// the file name. Errors name the file (and line, for the text formats).
// Validation of the graph itself is Graph::FromProto's job.
absl::StatusOr<v1::Graph> LoadGraphFile(const std::string& path,
                                        const v1::ImportOptions& options = {});

// Proto3 JSON of any message, two-space indented, field names in lowerCamel.
std::string ToJson(const google::protobuf::Message& message);
// PLAN.json: the proto3 JSON mapping of pipecut.v1.Plan.
absl::StatusOr<v1::Plan> ParsePlanJson(absl::string_view json);

}  // namespace pipecut

#endif  // PIPECUT_CORE_IMPORTERS_GRAPH_FILE_H_
