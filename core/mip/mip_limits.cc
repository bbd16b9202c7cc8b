#include "core/mip/mip_limits.h"

#include "absl/strings/str_cat.h"

namespace pipecut {

absl::Status CheckMipSize(absl::string_view model, int64_t variables,
                          int64_t nonzeros, const ResolvedOptions& options) {
  if (variables > options.mip_max_variables) {
    return absl::ResourceExhaustedError(
        absl::StrCat(model, ": ", variables,
                     " variables exceed options.mip_max_variables = ",
                     options.mip_max_variables));
  }
  if (nonzeros > options.mip_max_nonzeros) {
    return absl::ResourceExhaustedError(absl::StrCat(
        model, ": ", nonzeros, " nonzeros exceed options.mip_max_nonzeros = ",
        options.mip_max_nonzeros));
  }
  return absl::OkStatus();
}

}  // namespace pipecut
