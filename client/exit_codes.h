#ifndef PIPECUT_CLIENT_EXIT_CODES_H_
#define PIPECUT_CLIENT_EXIT_CODES_H_

#include "absl/status/status.h"

namespace pipecut::client {

// Exit codes of the `pipecut` CLI (documented in README.md and --help).
enum ExitCode : int {
  kExitOk = 0,            // solved (or evaluated) and, with --out, written
  kExitError = 1,         // internal or I/O error
  kExitInvalidInput = 2,  // bad flags, graph, plan or options
  kExitUnreachable = 3,   // the --server could not be reached
  kExitStopped = 4,      // cancelled (Ctrl-C, CancelJob) or the deadline passed
  kExitNoPartition = 5,  // no feasible partition (e.g. the memory limit)
};

// Maps a failed status to an exit code.
inline int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return kExitInvalidInput;
    case absl::StatusCode::kUnavailable:
      return kExitUnreachable;
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitStopped;
    default:
      return kExitError;
  }
}

}  // namespace pipecut::client

#endif  // PIPECUT_CLIENT_EXIT_CODES_H_
