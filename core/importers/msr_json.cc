#include "core/importers/msr_json.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace pipecut {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

absl::Status Error(absl::string_view source, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": ", what));
}

// The number under `key`, or an error naming `where` and `key`.
absl::StatusOr<double> Number(const Struct& object, absl::string_view key,
                              absl::string_view source,
                              absl::string_view where) {
  auto it = object.fields().find(std::string(key));
  if (it == object.fields().end()) {
    return Error(source, absl::StrCat(where, " has no \"", key, "\""));
  }
  if (it->second.kind_case() != Value::kNumberValue ||
      !std::isfinite(it->second.number_value())) {
    return Error(source,
                 absl::StrCat(where, " field \"", key, "\" is not a number"));
  }
  return it->second.number_value();
}

// Ids in the format are integers; they become the node ids' text.
absl::StatusOr<std::string> IdText(const Struct& object, absl::string_view key,
                                   absl::string_view source,
                                   absl::string_view where) {
  absl::StatusOr<double> id = Number(object, key, source, where);
  if (!id.ok()) return id.status();
  if (*id != std::floor(*id) || std::fabs(*id) > 9e15) {
    return Error(source,
                 absl::StrCat(where, " field \"", key, "\" is not an integer"));
  }
  return absl::StrCat(static_cast<int64_t>(*id));
}

}  // namespace

bool LooksLikeMsrJson(absl::string_view contents) {
  return absl::StrContains(contents, "\"fpgaLatency\"");
}

absl::StatusOr<v1::Graph> ParseMsrJson(absl::string_view contents,
                                       absl::string_view source_name) {
  Struct root;
  google::protobuf::util::JsonParseOptions options;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(contents.data(), contents.size()), &root,
      options);
  if (!status.ok()) {
    return Error(source_name, absl::StrCat("invalid msr graph JSON: ",
                                           std::string(status.message())));
  }
  auto list = [&](const char* key) -> const google::protobuf::ListValue* {
    auto it = root.fields().find(key);
    if (it == root.fields().end() ||
        it->second.kind_case() != Value::kListValue) {
      return nullptr;
    }
    return &it->second.list_value();
  };
  const google::protobuf::ListValue* nodes = list("nodes");
  const google::protobuf::ListValue* edges = list("edges");
  if (nodes == nullptr || edges == nullptr) {
    return Error(source_name, "msr graph JSON needs \"nodes\" and \"edges\"");
  }

  v1::Graph graph;
  absl::flat_hash_map<std::string, int> index;
  for (int i = 0; i < nodes->values_size(); ++i) {
    const std::string where = absl::StrCat("nodes[", i, "]");
    if (nodes->values(i).kind_case() != Value::kStructValue) {
      return Error(source_name, absl::StrCat(where, " is not an object"));
    }
    const Struct& object = nodes->values(i).struct_value();
    absl::StatusOr<std::string> id = IdText(object, "id", source_name, where);
    if (!id.ok()) return id.status();
    absl::StatusOr<double> latency =
        Number(object, "fpgaLatency", source_name, where);
    if (!latency.ok()) return latency.status();
    v1::Node* node = graph.add_nodes();
    node->set_id(*id);
    node->set_work(*latency);
    auto name = object.fields().find("name");
    if (name != object.fields().end() &&
        name->second.kind_case() == Value::kStringValue) {
      node->set_op_type(name->second.string_value());
    }
    // Duplicates are left for Graph::FromProto to report by id.
    index.emplace(*id, i);
  }
  for (int i = 0; i < edges->values_size(); ++i) {
    const std::string where = absl::StrCat("edges[", i, "]");
    if (edges->values(i).kind_case() != Value::kStructValue) {
      return Error(source_name, absl::StrCat(where, " is not an object"));
    }
    const Struct& object = edges->values(i).struct_value();
    absl::StatusOr<std::string> src =
        IdText(object, "sourceId", source_name, where);
    if (!src.ok()) return src.status();
    absl::StatusOr<std::string> dst =
        IdText(object, "destId", source_name, where);
    if (!dst.ok()) return dst.status();
    absl::StatusOr<double> cost = Number(object, "cost", source_name, where);
    if (!cost.ok()) return cost.status();
    auto it = index.find(*src);
    if (it == index.end()) {
      return Error(source_name,
                   absl::StrCat(where, " names unknown sourceId ", *src));
    }
    v1::Node* node = graph.mutable_nodes(it->second);
    node->set_comm(std::max(node->comm(), *cost));
    v1::Edge* edge = graph.add_edges();
    edge->set_src(*src);
    edge->set_dst(*dst);
  }
  return graph;
}

}  // namespace pipecut
