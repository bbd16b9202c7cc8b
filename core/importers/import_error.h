#ifndef PIPECUT_CORE_IMPORTERS_IMPORT_ERROR_H_
#define PIPECUT_CORE_IMPORTERS_IMPORT_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace pipecut {

// INVALID_ARGUMENT "source:line: what", the one error shape of the text
// importers, so every message names the file and the line.
inline absl::Status LineError(absl::string_view source, int line,
                              absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ":", line, ": ", what));
}

}  // namespace pipecut

#endif  // PIPECUT_CORE_IMPORTERS_IMPORT_ERROR_H_
