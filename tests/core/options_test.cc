#include "core/options.h"

#include "core/solve/portfolio.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pipecut {
namespace {

using ::testing::HasSubstr;

// Pins every default documented in options.proto.
TEST(Options, DefaultsMatchTheProtoDocumentation) {
  absl::StatusOr<ResolvedOptions> o = ResolveOptions(v1::SolveOptions());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->time_limit_seconds, 10);
  EXPECT_EQ(o->target_relative_gap, 0);
  EXPECT_EQ(o->optimality_tolerance, 1e-6);
  EXPECT_EQ(o->random_seed, 0u);
  EXPECT_GE(o->num_threads, 1);
  EXPECT_EQ(o->memory_limit_bytes, 0);
  EXPECT_EQ(o->methods, KnownMethods());
  EXPECT_EQ(o->brkga.population, 100);
  EXPECT_EQ(o->brkga.generations, 0);
  EXPECT_EQ(o->brkga.elite_fraction, 0.2);
  EXPECT_EQ(o->brkga.mutant_fraction, 0.1);
  EXPECT_EQ(o->brkga.crossover_bias, 0.7);
  EXPECT_EQ(o->mip_max_variables, 200000);
  EXPECT_EQ(o->mip_max_nonzeros, 2000000);
  EXPECT_EQ(o->mip_threads, 0);
  EXPECT_EQ(o->ideal_dp_max_ideals, 200000);
  EXPECT_EQ(o->max_stages, 1024);
  EXPECT_EQ(o->max_nodes, 1000000);
  absl::StatusOr<ResolvedImportOptions> import = ResolveImportOptions({});
  ASSERT_TRUE(import.ok());
  EXPECT_EQ(import->link_bandwidth, 1e6);
}

TEST(Options, BrkgaPresetsFollowThePaper) {
  v1::SolveOptions in;
  in.mutable_brkga()->set_preset("brkga-100");
  EXPECT_EQ(ResolveOptions(in)->brkga.population, 10);
  EXPECT_EQ(ResolveOptions(in)->brkga.generations, 10);
  in.mutable_brkga()->set_preset("brkga-10000");
  EXPECT_EQ(ResolveOptions(in)->brkga.population, 100);
  EXPECT_EQ(ResolveOptions(in)->brkga.generations, 100);
  in.mutable_brkga()->set_population(20);  // explicit fields override presets
  EXPECT_EQ(ResolveOptions(in)->brkga.population, 20);
}

TEST(Options, ErrorsNameTheField) {
  v1::SolveOptions in;
  in.set_time_limit_seconds(-1);
  EXPECT_THAT(ResolveOptions(in).status().message(),
              HasSubstr("time_limit_seconds"));
  in = {};
  in.set_target_relative_gap(2);
  EXPECT_THAT(ResolveOptions(in).status().message(),
              HasSubstr("target_relative_gap"));
  in = {};
  in.add_methods("magic");
  EXPECT_THAT(ResolveOptions(in).status().message(),
              HasSubstr("unknown method 'magic'"));
  in = {};
  in.mutable_brkga()->set_preset("brkga-7");
  EXPECT_THAT(ResolveOptions(in).status().message(), HasSubstr("brkga.preset"));
  in = {};
  in.mutable_brkga()->set_crossover_bias(0.3);
  EXPECT_THAT(ResolveOptions(in).status().message(),
              HasSubstr("crossover_bias"));
  in = {};
  in.set_memory_limit_bytes(-3);
  EXPECT_THAT(ResolveOptions(in).status().message(),
              HasSubstr("memory_limit_bytes"));
  v1::ImportOptions import;
  import.set_link_bandwidth(0);
  EXPECT_THAT(ResolveImportOptions(import).status().message(),
              HasSubstr("link_bandwidth"));
}

TEST(Options, MethodsAreDeduplicatedInRequestOrder) {
  v1::SolveOptions in;
  in.add_methods("dp");
  in.add_methods("lb0");
  in.add_methods("dp");
  EXPECT_EQ(ResolveOptions(in)->methods,
            (std::vector<std::string>{"dp", "lb0"}));
}

}  // namespace
}  // namespace pipecut
