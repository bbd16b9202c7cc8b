#include "core/importers/pipedream_graph.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/importers/import_error.h"

namespace pipecut {
namespace {

constexpr absl::string_view kSeparator = " -- ";

// A number, or a bracketed list "[a; b; c]" (a node with several outputs,
// e.g. an LSTM's output and states), which counts as their sum: every output
// leaves the stage when any consumer is elsewhere.
std::optional<double> ParseValue(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  const bool list = absl::ConsumePrefix(&text, "[");
  if (list && !absl::ConsumeSuffix(&text, "]")) return std::nullopt;
  double sum = 0;
  for (absl::string_view item : absl::StrSplit(text, list ? ';' : '\0')) {
    double value;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(item), &value) ||
        !std::isfinite(value) || value < 0) {
      return std::nullopt;
    }
    sum += value;
  }
  return sum;
}

}  // namespace

bool LooksLikePipeDreamGraph(absl::string_view contents) {
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    return absl::StrContains(line, kSeparator) &&
           absl::StrContains(line, "forward_compute_time=");
  }
  return false;
}

absl::StatusOr<v1::Graph> ParsePipeDreamGraph(absl::string_view contents,
                                              absl::string_view source_name,
                                              double link_bandwidth) {
  v1::Graph graph;
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(contents, '\n')) {
    ++line_number;
    const bool indented = !raw.empty() && (raw[0] == '\t' || raw[0] == ' ');
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty()) continue;
    std::vector<absl::string_view> parts = absl::StrSplit(line, kSeparator);
    if (indented) {
      if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
        return LineError(source_name, line_number,
                         "expected an edge line \"nodeA -- nodeB\"");
      }
      v1::Edge* edge = graph.add_edges();
      edge->set_src(std::string(parts[0]));
      edge->set_dst(std::string(parts[1]));
      continue;
    }
    if (parts.size() < 3) {
      return LineError(
          source_name, line_number,
          "expected a node line \"id -- description -- key=value, ...\"");
    }
    // The description may itself contain the separator; the attributes are
    // always last.
    const absl::string_view attributes = parts.back();
    const absl::string_view description = absl::StripAsciiWhitespace(
        line.substr(parts[0].size() + kSeparator.size(),
                    line.size() - parts[0].size() - attributes.size() -
                        2 * kSeparator.size()));
    double forward = NAN, activation = NAN, parameters = NAN;
    for (absl::string_view item : absl::StrSplit(attributes, ',')) {
      item = absl::StripAsciiWhitespace(item);
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(item, absl::MaxSplits('=', 1));
      std::optional<double> value = ParseValue(kv.second);
      if (!value.has_value()) {
        return LineError(source_name, line_number,
                         absl::StrCat("bad value in \"", item, "\""));
      }
      if (kv.first == "forward_compute_time") forward = *value;
      if (kv.first == "activation_size") activation = *value;
      if (kv.first == "parameter_size") parameters = *value;
    }
    for (auto [name, value] : {std::pair{"forward_compute_time", forward},
                               std::pair{"activation_size", activation},
                               std::pair{"parameter_size", parameters}}) {
      if (std::isnan(value)) {
        return LineError(source_name, line_number,
                         absl::StrCat("node line has no ", name));
      }
    }
    if (parameters < 0 || parameters > 9e18) {
      return LineError(source_name, line_number, "parameter_size out of range");
    }
    v1::Node* node = graph.add_nodes();
    node->set_id(std::string(parts[0]));
    node->set_op_type(std::string(absl::StripAsciiWhitespace(
        description.substr(0, description.find('(')))));
    node->set_work(forward);
    node->set_comm(activation / link_bandwidth);
    node->set_memory_bytes(static_cast<int64_t>(std::llround(parameters)));
  }
  if (graph.nodes_size() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_name, ": no node lines"));
  }
  return graph;
}

}  // namespace pipecut
