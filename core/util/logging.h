#ifndef PIPECUT_CORE_UTIL_LOGGING_H_
#define PIPECUT_CORE_UTIL_LOGGING_H_

#include <functional>
#include <sstream>
#include <string>

#include "absl/strings/string_view.h"

// Debian 12's abseil (20220623) predates absl/log, so core logs through this
// small facade. Lines go to a process-wide sink (stderr by default); the
// server and the CLI install their own (structured lines, verbosity).
namespace pipecut {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

using LogSink = std::function<void(LogLevel, absl::string_view message)>;

// Replaces the sink; thread-safe. An empty function restores stderr.
void SetLogSink(LogSink sink);
// Messages below `level` are dropped. Default kInfo.
void SetMinLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void EmitLog(LogLevel level, absl::string_view message);
absl::string_view LogLevelName(LogLevel level);

namespace internal {
// Collects one line and emits it on destruction.
class LogLine {
 public:
  explicit LogLine(LogLevel level) : level_(level) {}
  ~LogLine() { EmitLog(level_, stream_.str()); }
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};
}  // namespace internal

}  // namespace pipecut

#define PIPECUT_LOG(level)                                     \
  if (!::pipecut::LogEnabled(::pipecut::LogLevel::k##level)) { \
  } else                                                       \
    ::pipecut::internal::LogLine(::pipecut::LogLevel::k##level).stream()

#endif  // PIPECUT_CORE_UTIL_LOGGING_H_
