#include "core/cost/device_profile.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace pipecut {
namespace {

// Datasheet numbers. Peak FLOP/s is the dense half-precision tensor-core peak
// for GPUs (what an inference deployment uses), an AVX-512 FP32 server
// estimate for "cpu". The link is what separates two pipeline stages: NVLink
// per direction for the SXM parts, PCIe 3.0 x16 for the T4, 100 Gb Ethernet
// for CPUs. Overhead is a typical kernel launch / dispatch cost.
struct Preset {
  const char* name;
  double peak_flops;
  double memory_bandwidth;
  double link_bandwidth;
  double op_overhead_seconds;
};
constexpr Preset kPresets[] = {
    // A100 SXM4 40GB: 312 TFLOP/s FP16, 1555 GB/s HBM2, NVLink3 300 GB/s/dir.
    {"a100", 312e12, 1555e9, 300e9, 5e-6},
    // V100 SXM2: 125 TFLOP/s FP16, 900 GB/s HBM2, NVLink2 150 GB/s/dir.
    {"v100", 125e12, 900e9, 150e9, 5e-6},
    // T4: 65 TFLOP/s FP16, 320 GB/s GDDR6, PCIe 3.0 x16 ~15.75 GB/s.
    {"t4", 65e12, 320e9, 15.75e9, 5e-6},
    // A 32-core AVX-512 server: ~2 TFLOP/s FP32, ~200 GB/s DDR4, 100 GbE.
    {"cpu", 2e12, 200e9, 12.5e9, 10e-6},
};

absl::Status OutOfRange(absl::string_view field, double value,
                        absl::string_view range) {
  return absl::InvalidArgumentError(absl::StrCat("device profile field ", field,
                                                 " = ", value,
                                                 " is out of range ", range));
}

}  // namespace

std::vector<std::string> DeviceProfilePresetNames() {
  std::vector<std::string> names;
  for (const Preset& p : kPresets) names.emplace_back(p.name);
  return names;
}

absl::StatusOr<DeviceProfile> DeviceProfileByName(absl::string_view name) {
  for (const Preset& p : kPresets) {
    if (name == p.name) {
      return DeviceProfile{p.name, p.peak_flops, p.memory_bandwidth,
                           p.link_bandwidth, p.op_overhead_seconds};
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown device preset \"", name,
      "\"; known: ", absl::StrJoin(DeviceProfilePresetNames(), ", ")));
}

absl::StatusOr<DeviceProfile> ResolveDeviceProfile(
    const v1::DeviceProfile& proto) {
  absl::StatusOr<DeviceProfile> device = DeviceProfileByName(
      proto.preset().empty() ? kPresets[0].name : proto.preset());
  if (!device.ok()) return device.status();
  bool custom = false;
  if (proto.has_peak_flops()) {
    device->peak_flops = proto.peak_flops();
    custom = true;
  }
  if (proto.has_memory_bandwidth()) {
    device->memory_bandwidth = proto.memory_bandwidth();
    custom = true;
  }
  if (proto.has_link_bandwidth()) {
    device->link_bandwidth = proto.link_bandwidth();
    custom = true;
  }
  if (proto.has_op_overhead_seconds()) {
    device->op_overhead_seconds = proto.op_overhead_seconds();
    custom = true;
  }
  // `!(x > 0)` also rejects NaN.
  if (!(device->peak_flops > 0) || !std::isfinite(device->peak_flops)) {
    return OutOfRange("peak_flops", device->peak_flops, "(0, inf)");
  }
  if (!(device->memory_bandwidth > 0) ||
      !std::isfinite(device->memory_bandwidth)) {
    return OutOfRange("memory_bandwidth", device->memory_bandwidth, "(0, inf)");
  }
  if (!(device->link_bandwidth > 0) || !std::isfinite(device->link_bandwidth)) {
    return OutOfRange("link_bandwidth", device->link_bandwidth, "(0, inf)");
  }
  if (!(device->op_overhead_seconds >= 0) ||
      !std::isfinite(device->op_overhead_seconds)) {
    return OutOfRange("op_overhead_seconds", device->op_overhead_seconds,
                      "[0, inf)");
  }
  if (custom) device->name = absl::StrCat(device->name, "+custom");
  return device;
}

double RooflineMilliseconds(const DeviceProfile& device, double flops,
                            double bytes_touched) {
  const double seconds = std::max(flops / device.peak_flops,
                                  bytes_touched / device.memory_bandwidth) +
                         device.op_overhead_seconds;
  return seconds * 1e3;
}

double TransferMilliseconds(const DeviceProfile& device, double bytes) {
  return bytes / device.link_bandwidth * 1e3;
}

}  // namespace pipecut
