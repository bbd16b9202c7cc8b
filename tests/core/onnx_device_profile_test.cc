#include "core/cost/device_profile.h"
#include "core/options.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pipecut {
namespace {

TEST(DeviceProfile, DefaultIsTheA100Preset) {
  const DeviceProfile def;
  absl::StatusOr<DeviceProfile> a100 = DeviceProfileByName("a100");
  ASSERT_TRUE(a100.ok());
  EXPECT_EQ(def.name, a100->name);
  EXPECT_EQ(def.peak_flops, a100->peak_flops);
  EXPECT_EQ(def.memory_bandwidth, a100->memory_bandwidth);
  EXPECT_EQ(def.link_bandwidth, a100->link_bandwidth);
  EXPECT_EQ(def.op_overhead_seconds, a100->op_overhead_seconds);
  EXPECT_EQ(DeviceProfilePresetNames().front(), "a100");
}

TEST(DeviceProfile, ImportOptionsDefaultDeviceIsA100) {
  absl::StatusOr<ResolvedImportOptions> options =
      ResolveImportOptions(v1::ImportOptions());
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->device.name, "a100");
  EXPECT_EQ(options->device.peak_flops, 312e12);
  EXPECT_EQ(options->device.memory_bandwidth, 1555e9);
  EXPECT_EQ(options->device.link_bandwidth, 300e9);
  EXPECT_EQ(options->device.op_overhead_seconds, 5e-6);
}

TEST(DeviceProfile, EveryPresetResolvesAndIsPositive) {
  for (const std::string& name : DeviceProfilePresetNames()) {
    v1::DeviceProfile proto;
    proto.set_preset(name);
    absl::StatusOr<DeviceProfile> d = ResolveDeviceProfile(proto);
    ASSERT_TRUE(d.ok()) << name;
    EXPECT_EQ(d->name, name);
    EXPECT_GT(d->peak_flops, 0);
    EXPECT_GT(d->memory_bandwidth, 0);
    EXPECT_GT(d->link_bandwidth, 0);
  }
}

TEST(DeviceProfile, OverridesApplyOnTopOfThePreset) {
  v1::DeviceProfile proto;
  proto.set_preset("t4");
  proto.set_link_bandwidth(1e9);
  absl::StatusOr<DeviceProfile> d = ResolveDeviceProfile(proto);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, "t4+custom");
  EXPECT_EQ(d->link_bandwidth, 1e9);
  EXPECT_EQ(d->peak_flops, 65e12);
}

TEST(DeviceProfile, RejectsUnknownPresetAndBadValues) {
  v1::DeviceProfile unknown;
  unknown.set_preset("h900");
  EXPECT_THAT(std::string(ResolveDeviceProfile(unknown).status().message()),
              ::testing::HasSubstr("a100, v100, t4, cpu"));
  v1::DeviceProfile zero;
  zero.set_peak_flops(0);
  EXPECT_EQ(ResolveDeviceProfile(zero).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::DeviceProfile negative;
  negative.set_op_overhead_seconds(-1);
  EXPECT_THAT(std::string(ResolveDeviceProfile(negative).status().message()),
              ::testing::HasSubstr("op_overhead_seconds"));
  v1::ImportOptions options;
  options.mutable_device()->set_memory_bandwidth(-5);
  EXPECT_EQ(ResolveImportOptions(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DeviceProfile, RooflineTakesTheSlowerOfComputeAndMemory) {
  DeviceProfile d;
  d.peak_flops = 1e12;
  d.memory_bandwidth = 1e11;
  d.link_bandwidth = 1e10;
  d.op_overhead_seconds = 1e-6;
  // Compute-bound: 2e9 FLOP = 2 ms; 1e6 bytes = 0.01 ms.
  EXPECT_DOUBLE_EQ(RooflineMilliseconds(d, 2e9, 1e6), 2.0 + 0.001);
  // Memory-bound: 1e3 FLOP; 1e9 bytes = 10 ms.
  EXPECT_DOUBLE_EQ(RooflineMilliseconds(d, 1e3, 1e9), 10.0 + 0.001);
  EXPECT_DOUBLE_EQ(TransferMilliseconds(d, 1e8), 10.0);
}

}  // namespace
}  // namespace pipecut
