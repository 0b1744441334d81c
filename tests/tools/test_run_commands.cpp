// `mixdist compare` (tools/run_commands.cpp) through the real program over a mixed bag of folders: missing
// ones are skipped, a run counts once, and the output folder is created.
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
