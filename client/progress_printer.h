#ifndef PIPECUT_CLIENT_PROGRESS_PRINTER_H_
#define PIPECUT_CLIENT_PROGRESS_PRINTER_H_

#include <cstdio>
#include <string>

#include "pipecut/v1/plan.pb.h"
#include "pipecut/v1/service.pb.h"

namespace pipecut::client {

// Shows solve progress on a stream (stderr for the CLI). Three modes:
//  - kLive: one progress line rewritten in place (for a terminal);
//  - kLines: one line per event (logs, pipes);
//  - kJson: every event as one line of proto3 JSON (machines).
class ProgressPrinter {
 public:
  enum class Mode { kLive, kLines, kJson };
  ProgressPrinter(std::FILE* out, Mode mode) : out_(out), mode_(mode) {}
  // kLive on a terminal, kLines otherwise.
  static Mode DefaultMode(std::FILE* out);

  void OnEvent(const v1::SolveEvent& event);

 private:
  std::FILE* out_;
  Mode mode_;
  bool live_line_open_ = false;
};

// One human line for an event: "#seq 1.23s best 8 lb 4 gap 50.00% [dp]".
std::string FormatEventLine(const v1::SolveEvent& event);

// The final summary: the certificate, then a per-stage table.
std::string FormatPlanSummary(const v1::Plan& plan);

// "optimal", "time limit", ...
std::string StopReasonName(v1::StopReason reason);

}  // namespace pipecut::client

#endif  // PIPECUT_CLIENT_PROGRESS_PRINTER_H_
