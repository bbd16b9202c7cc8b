#ifndef PIPECUT_CORE_IMPORTERS_PIPEDREAM_GRAPH_H_
#define PIPECUT_CORE_IMPORTERS_PIPEDREAM_GRAPH_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipecut/v1/graph.pb.h"

namespace pipecut {

// True when the first non-blank line looks like a PipeDream profile node line.
bool LooksLikePipeDreamGraph(absl::string_view contents);

// Reads a PipeDream profiler graph.txt: node lines
//   nodeN -- <description> -- forward_compute_time=F, backward_compute_time=B,
//   activation_size=A, parameter_size=P
// and tab-indented edge lines "\tnodeA -- nodeB". work = F (ms),
// comm = A / link_bandwidth (A is the node's output activation in bytes, the
// tensor every consumer reads; a list "[a; b]" of outputs counts as the sum),
// memory_bytes = P, op_type = the description up to its first '('. Backward
// times are ignored (inference pipelines). Errors name `source_name` and the
// line number.
absl::StatusOr<v1::Graph> ParsePipeDreamGraph(absl::string_view contents,
                                              absl::string_view source_name,
                                              double link_bandwidth);

}  // namespace pipecut

#endif  // PIPECUT_CORE_IMPORTERS_PIPEDREAM_GRAPH_H_
