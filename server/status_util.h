#ifndef PIPECUT_SERVER_STATUS_UTIL_H_
#define PIPECUT_SERVER_STATUS_UTIL_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace pipecut::server {

// The one place where absl::Status becomes grpc::Status: the canonical codes
// have the same numeric values, and the message is truncated so a pathological
// error (a huge cycle, say) cannot produce an oversized trailer.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The canonical upper-case name of a gRPC code ("INVALID_ARGUMENT"), used as a
// metrics label value.
const char* GrpcCodeName(grpc::StatusCode code);

}  // namespace pipecut::server

#endif  // PIPECUT_SERVER_STATUS_UTIL_H_
