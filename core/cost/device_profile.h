#ifndef PIPECUT_CORE_COST_DEVICE_PROFILE_H_
#define PIPECUT_CORE_COST_DEVICE_PROFILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipecut/v1/options.pb.h"

namespace pipecut {

// The cost model that turns an operator's FLOPs and bytes into pipecut's
// `work` and `comm` (docs/onnx.md is the user-facing description; this
// comment is the definition).
//
//   work(op) = max(flops / peak_flops, bytes_touched / memory_bandwidth)
//              + op_overhead_seconds                        (a roofline)
//   comm(op) = output_bytes / link_bandwidth
//
// Both are reported in MILLISECONDS (seconds x 1e3). flops counts a
// multiply-add as 2; bytes_touched is every input (activations and weights)
// read once plus every output written once; output_bytes are the op's output
// tensors that another operator reads. No reuse, fusion or precision scaling
// is modelled: peak_flops is the device's peak at the model's precision.
//
// A default-constructed profile is the default preset "a100" (a test pins
// that it equals DeviceProfileByName("a100")).
struct DeviceProfile {
  std::string name = "a100";          // preset name (+custom if overridden)
  double peak_flops = 312e12;         // FLOP/s, > 0
  double memory_bandwidth = 1555e9;   // bytes/s, > 0
  double link_bandwidth = 300e9;      // bytes/s between two stages, > 0
  double op_overhead_seconds = 5e-6;  // fixed cost per operator, >= 0
};

// Preset names accepted by DeviceProfileByName, default first.
std::vector<std::string> DeviceProfilePresetNames();
// The preset's datasheet numbers (see the table in device_profile.cc); an
// unknown name is INVALID_ARGUMENT listing the known ones.
absl::StatusOr<DeviceProfile> DeviceProfileByName(absl::string_view name);
// Applies v1::DeviceProfile: the preset ("" = "a100"), then every explicitly
// set field; validates ranges (INVALID_ARGUMENT names the field). A profile
// with any custom field is named "<preset>+custom".
absl::StatusOr<DeviceProfile> ResolveDeviceProfile(
    const v1::DeviceProfile& proto);

// The roofline time of one operator in milliseconds (formula above).
double RooflineMilliseconds(const DeviceProfile& device, double flops,
                            double bytes_touched);
// The time to move `bytes` across one stage boundary, in milliseconds.
double TransferMilliseconds(const DeviceProfile& device, double bytes);

}  // namespace pipecut

#endif  // PIPECUT_CORE_COST_DEVICE_PROFILE_H_
