// What the real `mixdist` program says to bad numbers and to `compare` over a mixed bag of folders: one clear
// message naming the option and the value, before anything is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_process.h"
#include "mixdist/io/atomic_file.h"
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

TEST(CliCompare, SkipsMissingFoldersCountsARunOnceAndCreatesTheOutputFolder) {
  TempDir tmp;
  for (const auto& [name, accuracy] : {std::pair<std::string, double>{"a", 40}, {"b", 50}}) {
    std::filesystem::create_directories(tmp.file(name));
    nlohmann::json metrics = {{"accuracy", accuracy},    {"nonzeros", 256}, {"symbol_entropy", 4},
                              {"distinct_symbols", 255}, {"topsim", 0.1},   {"loss", 1.5}};
    const nlohmann::json summary = {{"experiment", "signal_game"},
                                    {"channel", "gs"},
                                    {"preset", "quick"},
                                    {"seed", name == "a" ? 1 : 2},
                                    {"test", metrics}};
    mixdist::io::write_file_atomically(tmp.file(name + "/summary.json"), summary.dump());
  }
  std::string output;
  const std::string out = tmp.file("new/sub/comparison");
  const int code =
      run_cli({"compare", tmp.file("a"), tmp.file("a/."), tmp.file("b"), tmp.file("missing"), "--out", out},
              tmp.file("log"), output);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("skipping " + tmp.file("missing") + ": no such folder"), std::string::npos) << output;
  EXPECT_NE(output.find("| gs | quick | 2 | 45.00 ± 5.00 |"), std::string::npos) << output;
  EXPECT_TRUE(std::filesystem::exists(out + ".md"));
  EXPECT_TRUE(std::filesystem::exists(out + ".csv"));
}
#endif

}  // namespace
