#include "mixdist/distributed/config_check.h"

#include <gtest/gtest.h>

#include "ranks.h"

namespace {

using mixdist::distributed::ProcessGroup;

TEST(ConfigCheck, HashIsFnv1a) {
  EXPECT_EQ(mixdist::distributed::config_hash(""), 14695981039346656037ull);
  EXPECT_EQ(mixdist::distributed::config_hash("a"), 0xaf63dc4c8601ec8cull);
}

TEST(ConfigCheck, SameConfigPasses) {
  const auto errors = mixdist::testing::run_ranks(
      2, [](ProcessGroup& g) { mixdist::distributed::check_same_config(g, R"({"seed": 1})"); });
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
}

// One clear error on every rank, naming the rank that differs.
TEST(ConfigCheck, MismatchIsRefusedOnEveryRank) {
  const auto errors = mixdist::testing::run_ranks(3, [](ProcessGroup& g) {
    mixdist::distributed::check_same_config(g, g.rank() == 2 ? R"({"seed": 2})" : R"({"seed": 1})");
  });
  for (const auto& e : errors) {
    EXPECT_NE(e.find("the ranks were started with different configs: rank 2 (hash "), std::string::npos) << e;
    EXPECT_EQ(e.find("rank 1 (hash"), std::string::npos) << e;
  }
}

}  // namespace
