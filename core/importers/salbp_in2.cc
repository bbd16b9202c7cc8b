#include "core/importers/salbp_in2.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/importers/import_error.h"

namespace pipecut {

absl::StatusOr<v1::Graph> ParseSalbpIn2(absl::string_view contents,
                                        absl::string_view source_name) {
  v1::Graph graph;
  int n = -1;
  int line_number = 0;
  bool ended = false;
  for (absl::string_view raw : absl::StrSplit(contents, '\n')) {
    ++line_number;
    absl::string_view line = absl::StripAsciiWhitespace(raw);  // also '\r'
    // Scholl's files keep free-text notes after the terminator.
    if (ended) break;
    if (line.empty()) continue;
    if (n < 0) {
      if (!absl::SimpleAtoi(line, &n) || n < 1) {
        return LineError(source_name, line_number,
                         "expected the number of tasks (>= 1)");
      }
      continue;
    }
    if (graph.nodes_size() < n) {
      int64_t time;
      if (!absl::SimpleAtoi(line, &time) || time < 0) {
        return LineError(source_name, line_number,
                         "expected a task time (integer >= 0)");
      }
      v1::Node* node = graph.add_nodes();
      node->set_id(absl::StrCat(graph.nodes_size()));
      node->set_work(static_cast<double>(time));
      continue;
    }
    std::vector<absl::string_view> pair = absl::StrSplit(line, ',');
    int i, j;
    if (pair.size() != 2 ||
        !absl::SimpleAtoi(absl::StripAsciiWhitespace(pair[0]), &i) ||
        !absl::SimpleAtoi(absl::StripAsciiWhitespace(pair[1]), &j)) {
      return LineError(source_name, line_number,
                       "expected a precedence pair \"i,j\"");
    }
    if (i == -1 && j == -1) {
      ended = true;
      continue;
    }
    if (i < 1 || i > n || j < 1 || j > n) {
      return LineError(source_name, line_number,
                       absl::StrCat("task number outside 1..", n));
    }
    v1::Edge* edge = graph.add_edges();
    edge->set_src(absl::StrCat(i));
    edge->set_dst(absl::StrCat(j));
  }
  if (n < 0) return LineError(source_name, line_number, "empty file");
  if (graph.nodes_size() < n) {
    return LineError(source_name, line_number,
                     absl::StrCat("expected ", n, " task times, found ",
                                  graph.nodes_size()));
  }
  return graph;
}

}  // namespace pipecut
