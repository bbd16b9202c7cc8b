#ifndef PIPECUT_CORE_PLAN_EVALUATE_REQUEST_H_
#define PIPECUT_CORE_PLAN_EVALUATE_REQUEST_H_

#include "absl/status/statusor.h"
#include "core/graph/graph.h"
#include "pipecut/v1/service.pb.h"

namespace pipecut {

// Answers an EvaluateRequest (the Evaluate RPC and `pipecut evaluate`): the
// plan of the given partition with its per-stage breakdown, and whether it fits
// the memory limit. INVALID_ARGUMENT names a bad graph element, an unknown or
// missing node, a stage out of range, or a backwards edge.
absl::StatusOr<v1::EvaluateResponse> EvaluateRequest(
    const v1::EvaluateRequest& request, const GraphLimits& limits = {});

}  // namespace pipecut

#endif  // PIPECUT_CORE_PLAN_EVALUATE_REQUEST_H_
