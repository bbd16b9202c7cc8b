#include "bench/lib/testbed.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/importers/graph_file.h"

namespace pipecut::bench {

namespace fs = std::filesystem;

absl::StatusOr<std::vector<TestbedInstance>> ListTestbed(
    const std::string& dir, absl::Span<const int> dnn_ks) {
  if (!fs::is_directory(dir)) {
    return absl::NotFoundError(absl::StrCat("no testbed directory ", dir));
  }
  std::vector<TestbedInstance> instances;
  const std::vector<int> ks(dnn_ks.begin(), dnn_ks.end());
  const fs::path msr = fs::path(dir) / "msr-dnn-partitioning";
  if (fs::is_directory(msr)) {
    for (const auto& entry : fs::recursive_directory_iterator(msr)) {
      if (entry.path().extension() != ".json") continue;
      std::string name = fs::relative(entry.path(), msr).string();
      name = name.substr(0, name.size() - 5);
      instances.push_back({"msr", name, entry.path().string(), ks});
    }
  }
  const fs::path pipedream = fs::path(dir) / "pipedream-profiles";
  if (fs::is_directory(pipedream)) {
    for (const auto& entry : fs::directory_iterator(pipedream)) {
      const std::string file = entry.path().filename().string();
      if (!absl::EndsWith(file, ".graph.txt")) continue;
      instances.push_back({"pipedream", file.substr(0, file.size() - 10),
                           entry.path().string(), ks});
    }
  }
  const fs::path scholl = fs::path(dir) / "salbp2-scholl";
  absl::StatusOr<std::string> csv =
      ReadFile((scholl / "instances.csv").string());
  if (!csv.ok()) return csv.status();
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(*csv, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line_number == 1) continue;  // header "graph,m"
    std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
    int m;
    if (fields.size() != 2 || !absl::SimpleAtoi(fields[1], &m) || m < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat((scholl / "instances.csv").string(), ":", line_number,
                       ": expected \"graph,m\""));
    }
    const std::string graph(fields[0]);
    instances.push_back({"scholl",
                         absl::StrCat(graph, " m=", m),
                         (scholl / graph).string(),
                         {m}});
  }
  // Directory listings come in no particular order; csv rows keep theirs.
  std::stable_sort(instances.begin(), instances.end(),
                   [](const TestbedInstance& a, const TestbedInstance& b) {
                     if (a.family != b.family) return a.family < b.family;
                     return a.family != "scholl" && a.name < b.name;
                   });
  return instances;
}

}  // namespace pipecut::bench
