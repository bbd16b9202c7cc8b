#ifndef PIPECUT_CORE_IMPORTERS_SALBP_IN2_H_
#define PIPECUT_CORE_IMPORTERS_SALBP_IN2_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipecut/v1/graph.pb.h"

namespace pipecut {

// Reads a SALBP precedence graph in Scholl's .IN2 format: line 1 the number of
// tasks n, then n lines of integer task times, then "i,j" precedence pairs
// (1-based), optionally ended by "-1,-1" (free text after it is ignored). Node
// ids are "1".."n", work = task time, comm = 0 (SALBP-2 is the
// communication-free case). Errors name `source_name` and the line number.
absl::StatusOr<v1::Graph> ParseSalbpIn2(absl::string_view contents,
                                        absl::string_view source_name);

}  // namespace pipecut

#endif  // PIPECUT_CORE_IMPORTERS_SALBP_IN2_H_
