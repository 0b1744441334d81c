#include "mixdist/distributed/environment.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "test_util.h"

namespace {

using mixdist::distributed::read_environment;
using mixdist::testing::expect_error_containing;
using Variables = std::map<std::string, std::string>;

c10::optional<mixdist::distributed::Environment> read(const Variables& v) {
  return read_environment([&](const char* name) -> const char* {
    const auto it = v.find(name);
    return it == v.end() ? nullptr : it->second.c_str();
  });
}

Variables torchrun(const std::string& rank = "1", const std::string& world = "4") {
  return {{"RANK", rank},
          {"WORLD_SIZE", world},
          {"LOCAL_RANK", "1"},
          {"MASTER_ADDR", "10.0.0.2"},
          {"MASTER_PORT", "29500"}};
}

TEST(DistributedEnvironment, NoVariablesIsASingleProcessRun) {
  EXPECT_FALSE(read({}).has_value());
  EXPECT_FALSE(read({{"LOCAL_RANK", "0"}}).has_value());  // alone it describes no job
}

TEST(DistributedEnvironment, ReadsTheTorchrunVariables) {
  const auto env = read(torchrun());
  ASSERT_TRUE(env.has_value());
  EXPECT_EQ(env->rank, 1);
  EXPECT_EQ(env->world_size, 4);
  EXPECT_EQ(env->local_rank, 1);
  EXPECT_EQ(env->master_addr, "10.0.0.2");
  EXPECT_EQ(env->master_port, 29500);
  EXPECT_FALSE(env->agent_store);
}

TEST(DistributedEnvironment, LocalRankDefaultsToTheRank) {
  Variables v = torchrun("3");
  v.erase("LOCAL_RANK");
  EXPECT_EQ(read(v)->local_rank, 3);
}

TEST(DistributedEnvironment, TorchrunAgentStoreIsUsedUnderItsPrefix) {
  Variables v = torchrun();
  v["TORCHELASTIC_USE_AGENT_STORE"] = "True";
  v["TORCHELASTIC_RESTART_COUNT"] = "2";
  const auto env = read(v);
  EXPECT_TRUE(env->agent_store);
  EXPECT_EQ(env->store_prefix, "/worker/attempt_2");
}

TEST(DistributedEnvironment, HalfSetEnvironmentNamesWhatIsMissing) {
  Variables v = torchrun();
  v.erase("MASTER_PORT");
  expect_error_containing([&] { read(v); }, "unset");
  expect_error_containing([&] { read(v); }, "MASTER_PORT");
}

TEST(DistributedEnvironment, BadValuesAreNamedWithTheVariable) {
  expect_error_containing([] { read(torchrun("x")); }, "RANK='x' is not a whole number");
  expect_error_containing([] { read(torchrun("1", "2x")); }, "WORLD_SIZE='2x' is not a whole number");
  expect_error_containing([] { read(torchrun("0", "0")); }, "WORLD_SIZE=0 is out of range");
  expect_error_containing([] { read(torchrun("4", "4")); }, "RANK=4 is out of range: with WORLD_SIZE=4");
  expect_error_containing([] { read(torchrun("-1")); }, "RANK=-1 is out of range");
  Variables v = torchrun();
  v["MASTER_PORT"] = "70000";
  expect_error_containing([&] { read(v); }, "MASTER_PORT=70000 is out of range");
  v["MASTER_PORT"] = "29500";
  v["MASTER_ADDR"] = "";
  expect_error_containing([&] { read(v); }, "MASTER_ADDR is empty");
  v = torchrun();
  v["LOCAL_RANK"] = "-2";
  expect_error_containing([&] { read(v); }, "LOCAL_RANK=-2 is out of range");
}

}  // namespace
