#include "core/util/logging.h"

#include <atomic>
#include <iostream>

#include "absl/synchronization/mutex.h"

namespace pipecut {
namespace {

absl::Mutex sink_mu(absl::kConstInit);
LogSink* sink ABSL_GUARDED_BY(sink_mu) = nullptr;
std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};

}  // namespace

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

void SetLogSink(LogSink new_sink) {
  absl::MutexLock lock(&sink_mu);
  delete sink;
  sink = new_sink ? new LogSink(std::move(new_sink)) : nullptr;
}

void SetMinLogLevel(LogLevel level) { min_level = static_cast<int>(level); }

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= min_level.load(std::memory_order_relaxed);
}

void EmitLog(LogLevel level, absl::string_view message) {
  absl::MutexLock lock(&sink_mu);
  if (sink != nullptr) {
    (*sink)(level, message);
    return;
  }
  std::cerr << LogLevelName(level) << " " << message << "\n";
}

}  // namespace pipecut
