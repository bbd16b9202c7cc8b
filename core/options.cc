#include "core/options.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/solve/portfolio.h"

namespace pipecut {
namespace {

absl::Status OutOfRange(absl::string_view field, double value,
                        absl::string_view range) {
  return absl::InvalidArgumentError(
      absl::StrCat("options.", field, " = ", value, " is outside ", range));
}

absl::Status ResolveBrkga(const v1::BrkgaOptions& in, BrkgaParams& out) {
  if (in.preset() == "brkga-100") {
    out.population = 10;
    out.generations = 10;
  } else if (in.preset() == "brkga-10000") {
    out.population = 100;
    out.generations = 100;
  } else if (!in.preset().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.brkga.preset '", in.preset(),
                     "' is unknown; use brkga-100 or brkga-10000"));
  }
  if (in.has_population()) out.population = in.population();
  if (in.has_generations()) out.generations = in.generations();
  if (in.has_elite_fraction()) out.elite_fraction = in.elite_fraction();
  if (in.has_mutant_fraction()) out.mutant_fraction = in.mutant_fraction();
  if (in.has_crossover_bias()) out.crossover_bias = in.crossover_bias();
  if (out.population < 2) {
    return OutOfRange("brkga.population", out.population, "[2, inf)");
  }
  if (out.generations < 0) {
    return OutOfRange("brkga.generations", out.generations, "[0, inf)");
  }
  if (!(out.elite_fraction > 0 && out.elite_fraction < 1)) {
    return OutOfRange("brkga.elite_fraction", out.elite_fraction, "(0, 1)");
  }
  if (!(out.mutant_fraction >= 0 &&
        out.elite_fraction + out.mutant_fraction < 1)) {
    return OutOfRange("brkga.mutant_fraction", out.mutant_fraction,
                      "[0, 1 - elite_fraction)");
  }
  if (!(out.crossover_bias > 0.5 && out.crossover_bias < 1)) {
    return OutOfRange("brkga.crossover_bias", out.crossover_bias, "(0.5, 1)");
  }
  return absl::OkStatus();
}

}  // namespace

bool ResolvedOptions::HasMethod(const std::string& name) const {
  return std::find(methods.begin(), methods.end(), name) != methods.end();
}

absl::StatusOr<ResolvedOptions> ResolveOptions(const v1::SolveOptions& in) {
  ResolvedOptions out;
  if (in.has_time_limit_seconds())
    out.time_limit_seconds = in.time_limit_seconds();
  if (!(out.time_limit_seconds > 0) || !std::isfinite(out.time_limit_seconds)) {
    return OutOfRange("time_limit_seconds", out.time_limit_seconds, "(0, inf)");
  }
  if (in.has_target_relative_gap())
    out.target_relative_gap = in.target_relative_gap();
  if (!(out.target_relative_gap >= 0 && out.target_relative_gap <= 1)) {
    return OutOfRange("target_relative_gap", out.target_relative_gap, "[0, 1]");
  }
  if (in.has_optimality_tolerance()) {
    out.optimality_tolerance = in.optimality_tolerance();
  }
  if (!(out.optimality_tolerance >= 0 && out.optimality_tolerance <= 0.1)) {
    return OutOfRange("optimality_tolerance", out.optimality_tolerance,
                      "[0, 0.1]");
  }
  out.random_seed = in.random_seed();
  if (in.num_threads() < 0) {
    return OutOfRange("num_threads", in.num_threads(), "[0, inf)");
  }
  out.num_threads = in.num_threads() > 0
                        ? in.num_threads()
                        : std::max(1u, std::thread::hardware_concurrency());
  if (in.memory_limit_bytes() < 0) {
    return OutOfRange("memory_limit_bytes", in.memory_limit_bytes(),
                      "[0, inf)");
  }
  out.memory_limit_bytes = in.memory_limit_bytes();
  for (const std::string& m : in.methods()) {
    const auto& known = KnownMethods();
    if (std::find(known.begin(), known.end(), m) == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("options.methods: unknown method '", m,
                       "'; known: ", absl::StrJoin(known, ", ")));
    }
    if (!out.HasMethod(m)) out.methods.push_back(m);
  }
  if (out.methods.empty()) out.methods = KnownMethods();
  if (auto s = ResolveBrkga(in.brkga(), out.brkga); !s.ok()) return s;
  if (in.has_mip_max_variables())
    out.mip_max_variables = in.mip_max_variables();
  if (in.has_mip_max_nonzeros()) out.mip_max_nonzeros = in.mip_max_nonzeros();
  if (out.mip_max_variables < 0 || out.mip_max_nonzeros < 0) {
    return OutOfRange("mip_max_variables/mip_max_nonzeros",
                      std::min(out.mip_max_variables, out.mip_max_nonzeros),
                      "[0, inf)");
  }
  if (in.has_mip_threads()) out.mip_threads = in.mip_threads();
  if (out.mip_threads < 0 || out.mip_threads > 64) {
    return OutOfRange("mip_threads", out.mip_threads, "[0, 64]");
  }
  if (in.has_ideal_dp_max_ideals())
    out.ideal_dp_max_ideals = in.ideal_dp_max_ideals();
  if (out.ideal_dp_max_ideals < 0) {
    return OutOfRange("ideal_dp_max_ideals", out.ideal_dp_max_ideals,
                      "[0, inf)");
  }
  if (in.has_max_stages()) out.max_stages = in.max_stages();
  if (out.max_stages < 1)
    return OutOfRange("max_stages", out.max_stages, "[1, inf)");
  if (in.has_max_nodes()) out.max_nodes = in.max_nodes();
  if (out.max_nodes < 1)
    return OutOfRange("max_nodes", out.max_nodes, "[1, inf)");
  return out;
}

absl::StatusOr<ResolvedImportOptions> ResolveImportOptions(
    const v1::ImportOptions& in) {
  ResolvedImportOptions out;
  if (in.has_link_bandwidth()) out.link_bandwidth = in.link_bandwidth();
  if (!(out.link_bandwidth > 0) || !std::isfinite(out.link_bandwidth)) {
    return OutOfRange("link_bandwidth", out.link_bandwidth, "(0, inf)");
  }
  absl::StatusOr<DeviceProfile> device = ResolveDeviceProfile(in.device());
  if (!device.ok()) return device.status();
  out.device = *std::move(device);
  return out;
}

}  // namespace pipecut
