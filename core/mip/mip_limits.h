#ifndef PIPECUT_CORE_MIP_MIP_LIMITS_H_
#define PIPECUT_CORE_MIP_MIP_LIMITS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/options.h"

namespace pipecut {

// OK when a model of this size fits options.mip_max_variables and
// options.mip_max_nonzeros; otherwise RESOURCE_EXHAUSTED naming the model,
// its size and the limit, which the worker logs before giving up.
absl::Status CheckMipSize(absl::string_view model, int64_t variables,
                          int64_t nonzeros, const ResolvedOptions& options);

}  // namespace pipecut

#endif  // PIPECUT_CORE_MIP_MIP_LIMITS_H_
