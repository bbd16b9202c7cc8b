#ifndef PIPECUT_CORE_IMPORTERS_MSR_JSON_H_
#define PIPECUT_CORE_IMPORTERS_MSR_JSON_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipecut/v1/graph.pb.h"

namespace pipecut {

// True when `contents` looks like an msr-fiddle/dnn-partitioning graph (JSON
// with per-node "fpgaLatency"), as opposed to pipecut's own graph JSON.
bool LooksLikeMsrJson(absl::string_view contents);

// Reads an msr-fiddle/dnn-partitioning JSON graph (Tarnawski et al. 2020):
// nodes[{id, fpgaLatency, ...}], edges[{sourceId, destId, cost, ...}].
// work = fpgaLatency; comm = the `cost` of the node's out-edges (the transfer
// time of its output tensor, equal on every out-edge in that format; if a file
// disagrees the largest is taken, which never under-states a transfer);
// node id = the numeric id as a string, op_type = `name`. CPU latencies,
// colorClass, sizes and the top-level FPGA/CPU/size limits are ignored: they
// belong to the paper's heterogeneous CPU+FPGA setting, not to this problem.
// Errors start with `source_name` and name the node or edge index.
absl::StatusOr<v1::Graph> ParseMsrJson(absl::string_view contents,
                                       absl::string_view source_name);

}  // namespace pipecut

#endif  // PIPECUT_CORE_IMPORTERS_MSR_JSON_H_
