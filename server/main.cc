// pipecut-server: flags, signal handling and Server::Start; nothing else.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/util/logging.h"
#include "server/server.h"

#ifndef PIPECUT_VERSION
#define PIPECUT_VERSION "0.0.0"
#endif

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "gRPC address HOST:PORT; port 0 picks a free port (logged).");
ABSL_FLAG(std::string, metrics_listen, "0.0.0.0:9464",
          "Prometheus /metrics address HOST:PORT; port 0 picks a free port; "
          "empty disables the endpoint.");
ABSL_FLAG(int, threads, 0,
          "Threads of the shared solve pool; 0 = hardware threads.");
ABSL_FLAG(int, max_running_jobs, 4, "Jobs solving at once.");
ABSL_FLAG(int, max_queued_jobs, 64,
          "Jobs waiting for a slot; beyond it RESOURCE_EXHAUSTED.");
ABSL_FLAG(absl::Duration, finished_job_ttl, absl::Hours(1),
          "How long finished jobs stay visible.");
ABSL_FLAG(int, max_finished_jobs, 1000, "Finished jobs kept at most.");
ABSL_FLAG(absl::Duration, drain_grace, absl::Seconds(10),
          "On SIGTERM/SIGINT: time running jobs get before they are "
          "cancelled.");
ABSL_FLAG(bool, verbose, false, "Log debug lines.");

namespace {

// One structured line per event: RFC 3339 UTC time, level, message (which
// carries key=value pairs such as job=...).
void InstallLogSink() {
  static absl::Mutex* const mu = new absl::Mutex;
  pipecut::SetLogSink([](pipecut::LogLevel level, absl::string_view message) {
    const std::string line =
        absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                      absl::UTCTimeZone()),
                     " ", pipecut::LogLevelName(level), " ", message, "\n");
    absl::MutexLock lock(mu);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  });
}

// The documented spelling is --metrics-listen (DESIGN.md section 4), but absl
// flag names cannot contain '-': accept both by rewriting dashes in flag names
// (never in values) to underscores.
std::vector<char*> NormalizeFlagNames(int argc, char** argv,
                                      std::vector<std::string>& storage) {
  storage.assign(argv, argv + argc);
  for (std::string& arg : storage) {
    if (arg == "--") break;
    if (arg.size() <= 2 || arg.compare(0, 2, "--") != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    for (size_t i = 2; i < end; ++i) {
      if (arg[i] == '-') arg[i] = '_';
    }
  }
  std::vector<char*> out;
  for (std::string& arg : storage) out.push_back(arg.data());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's absl keeps deadlock detection on; gRPC's mutexes pay for it on
  // every lock (STACK.md P4).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(
      "pipecut-server: the pipecut partitioning service (gRPC + /metrics).");
  std::vector<std::string> arg_storage;
  std::vector<char*> args = NormalizeFlagNames(argc, argv, arg_storage);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  InstallLogSink();
  if (absl::GetFlag(FLAGS_verbose))
    pipecut::SetMinLogLevel(pipecut::LogLevel::kDebug);

  // Block the stop signals before any thread exists, so every thread
  // inherits the mask and only the sigwait thread sees them (STACK.md P5:
  // Shutdown from a signal handler deadlocks).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  pipecut::server::Server::Options options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.solver_threads = absl::GetFlag(FLAGS_threads);
  options.limits.max_running_jobs = absl::GetFlag(FLAGS_max_running_jobs);
  options.limits.max_queued_jobs = absl::GetFlag(FLAGS_max_queued_jobs);
  options.limits.finished_job_ttl = absl::GetFlag(FLAGS_finished_job_ttl);
  options.limits.max_finished_jobs = absl::GetFlag(FLAGS_max_finished_jobs);
  options.drain_grace = absl::GetFlag(FLAGS_drain_grace);
  options.version = PIPECUT_VERSION;

  pipecut::server::Server server;
  if (absl::Status status = server.Start(options); !status.ok()) {
    PIPECUT_LOG(Error) << "cannot start: " << status;
    return 1;
  }
  std::thread signal_thread([&server, stop_signals] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    PIPECUT_LOG(Info) << "event=signal signal=" << strsignal(signal);
    server.Shutdown();
  });
  server.Wait();
  // Wait() also returns after a Shutdown from elsewhere; wake the signal
  // thread in that case so it can be joined.
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  return 0;
}
