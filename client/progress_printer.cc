#include "client/progress_printer.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/importers/graph_file.h"
#include "google/protobuf/util/json_util.h"

namespace pipecut::client {

ProgressPrinter::Mode ProgressPrinter::DefaultMode(std::FILE* out) {
  return isatty(fileno(out)) ? Mode::kLive : Mode::kLines;
}

std::string StopReasonName(v1::StopReason reason) {
  switch (reason) {
    case v1::STOP_REASON_OPTIMAL:
      return "proven optimal";
    case v1::STOP_REASON_TARGET_GAP:
      return "target gap reached";
    case v1::STOP_REASON_TIME_LIMIT:
      return "time limit";
    case v1::STOP_REASON_WORKERS_DONE:
      return "all methods finished";
    case v1::STOP_REASON_CANCELLED:
      return "cancelled";
    case v1::STOP_REASON_DEADLINE:
      return "deadline";
    case v1::STOP_REASON_INFEASIBLE:
      return "infeasible";
    case v1::STOP_REASON_SHUTDOWN:
      return "server shutdown";
    default:
      return "unknown";
  }
}

std::string FormatEventLine(const v1::SolveEvent& event) {
  const char* tag = event.kind() == v1::SolveEvent::KIND_PARTITION ? "#"
                    : event.kind() == v1::SolveEvent::KIND_BOUND   ? "#Bound"
                                                                   : "#Done";
  std::string best = event.best_bottleneck() > 0 || event.has_plan()
                         ? absl::StrFormat("%.6g", event.best_bottleneck())
                         : "-";
  std::string line = absl::StrFormat(
      "%s %d %.2fs best %s lb %.6g gap %.2f%% [%s]", tag, event.seq(),
      event.elapsed_seconds(), best, event.lower_bound(),
      100 * event.relative_gap(), event.source());
  if (event.kind() == v1::SolveEvent::KIND_FINAL) {
    absl::StrAppend(&line, " stop: ", StopReasonName(event.stop_reason()));
  }
  return line;
}

void ProgressPrinter::OnEvent(const v1::SolveEvent& event) {
  switch (mode_) {
    case Mode::kJson: {
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(event, &json);
      std::fprintf(out_, "%s\n", json.c_str());
      break;
    }
    case Mode::kLines:
      std::fprintf(out_, "%s\n", FormatEventLine(event).c_str());
      break;
    case Mode::kLive:
      // \r + erase-line keeps one live line; the final event ends it.
      std::fprintf(out_, "\r\033[K%s", FormatEventLine(event).c_str());
      live_line_open_ = event.kind() != v1::SolveEvent::KIND_FINAL;
      if (!live_line_open_) std::fprintf(out_, "\n");
      break;
  }
  std::fflush(out_);
}

std::string FormatPlanSummary(const v1::Plan& plan) {
  std::string out;
  absl::StrAppendFormat(&out, "graph        %s\n", plan.graph_name());
  absl::StrAppendFormat(&out, "stages (k)   %d\n", plan.k());
  absl::StrAppendFormat(
      &out, "bottleneck   %.6g (stage %d, found by %s)\n", plan.bottleneck(),
      plan.bottleneck_stage(),
      plan.partition_method().empty() ? "-" : plan.partition_method());
  if (plan.bound_method().empty()) {
    absl::StrAppend(&out, "lower bound  not computed\n");
  } else {
    absl::StrAppendFormat(&out, "lower bound  %.6g (%s)\n", plan.lower_bound(),
                          plan.bound_method());
    absl::StrAppendFormat(&out, "gap          %.4f%%%s\n", 100 * plan.gap(),
                          plan.proven_optimal() ? "  proven optimal" : "");
  }
  absl::StrAppendFormat(&out, "%5s %7s %12s %12s %12s %12s %14s\n", "stage",
                        "nodes", "work", "comm_in", "comm_out", "cost",
                        "memory_bytes");
  for (const v1::StageSummary& s : plan.stages()) {
    absl::StrAppendFormat(
        &out, "%5d %7d %12.6g %12.6g %12.6g %12.6g %14d%s\n", s.index(),
        s.nodes_size(), s.work(), s.comm_in(), s.comm_out(), s.cost(),
        s.memory_bytes(),
        s.index() == plan.bottleneck_stage() ? "  <- bottleneck" : "");
  }
  // The partition itself, abridged for big graphs (the full one is in --out).
  constexpr int kShown = 8;
  for (const v1::StageSummary& s : plan.stages()) {
    if (s.nodes().empty()) continue;
    absl::StrAppendFormat(&out, "stage %d:", s.index());
    for (int i = 0; i < s.nodes_size() && i < kShown; ++i) {
      absl::StrAppend(&out, " ", s.nodes(i));
    }
    if (s.nodes_size() > kShown) {
      absl::StrAppend(&out, " ... (", s.nodes_size() - kShown, " more)");
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace pipecut::client
