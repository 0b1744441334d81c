// What the real `mixdist` program says to bad numbers (tools/train_command.cpp): one clear message naming the
// option and the value, before anything is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_process.h"
#include "temp_dir.h"

namespace {

using mixdist::testing::TempDir;

#ifdef MIXDIST_CLI
using mixdist::testing::run_cli;

struct Refusal {
  std::vector<std::string> args;
  std::string message;
};

TEST(CliInput, OutOfRangeNumbersAreRefusedByNameBeforeAnythingIsWritten) {
  TempDir tmp;
  const std::string out = tmp.file("run");
  const std::vector<Refusal> refusals = {
      // CLI11 clamped this to 9223372036854775807 and trained for ever.
      {{"train", "vae", "--latent", "gaussian", "--epochs", "99999999999999999999", "--out", out},
       "--epochs: must be 0 to 9223372036854775807, got 99999999999999999999"},
      {{"train", "vae", "--latent", "gaussian", "--epochs", "1.5", "--out", out},
       "--epochs: must be a whole number, got 1.5"},
      {{"train", "bitvae", "--latent", "gs", "--seed", "-3", "--out", out}, "--seed: must be 0 to"},
      {{"train", "vae", "--latent", "gaussian", "--is-samples", "1000000000", "--out", out},
       "--is-samples: must be 0 to 100000, got 1000000000"},
      {{"eval", out, "--is-samples", "0"}, "--is-samples: must be 1 to 100000, got 0"},
      {{"eval", out, "--is-samples", "-5"}, "--is-samples"},
      {{"--threads", "10000", "info"}, "--threads: Value 10000 not in range"},
  };
  for (size_t i = 0; i < refusals.size(); ++i) {
    std::string output;
    const int code = run_cli(refusals[i].args, tmp.file("log" + std::to_string(i)), output);
    EXPECT_NE(code, 0) << output;
    EXPECT_NE(code, -1) << "killed or hung: " << output;
    EXPECT_NE(output.find(refusals[i].message), std::string::npos) << output;
    EXPECT_FALSE(std::filesystem::exists(out)) << "refusal " << i << " created the run folder";
  }
}
#endif

}  // namespace
