// train/metrics_table: the CSV text, bit-exact save and load, schema checks and named errors.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mixdist/train/evaluation_progress.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/progress.h"
#include "mixdist/train/stop_signal.h"
#include "temp_dir.h"
#include "test_util.h"

namespace {

using mixdist::testing::error_message;
using mixdist::testing::TempDir;
using namespace mixdist::train;

using Names = std::vector<std::string>;

TEST(MetricsTable, CsvTextUsesShortestRoundTripNumbers) {
  MetricsTable table({"epoch", "loss"});
  table.append({1, 1e-300});
  table.append({2, -0.0});
  table.append({3, 123456.789});
  table.append({4, 0.1});
  EXPECT_EQ(table.to_csv(), "epoch,loss\n1,1e-300\n2,-0\n3,123456.789\n4,0.1\n");
}

TEST(MetricsTable, SaveLoadRoundTripIsBitExact) {
  TempDir dir;
  const Names columns{"epoch", "elbo", "kl"};
  MetricsTable table(columns);
  const std::vector<std::vector<double>> rows = {
      {1, 1e-300, -0.0},
      {2, 123456.789, 1.0 / 3.0},
      {3, std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max()},
      {4, -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()},
      {5, -2.5e-17, 98.76543210987654},
  };
  for (const auto& row : rows) table.append(row);
  const std::string path = dir.file("metrics.csv");
  table.save(path);
  EXPECT_EQ(dir.entries(), Names{"metrics.csv"});

  const MetricsTable loaded = MetricsTable::load(path, columns);
  EXPECT_EQ(loaded.columns(), columns);
  ASSERT_EQ(loaded.num_rows(), rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < columns.size(); ++c) {
      const double expected = rows[r][c], got = loaded.rows()[r][c];
      if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(got)) << "row " << r << " column " << columns[c];
      } else {
        EXPECT_EQ(std::memcmp(&expected, &got, sizeof got), 0)
            << "row " << r << " column " << columns[c] << ": " << expected << " came back as " << got;
      }
    }
  }
  EXPECT_TRUE(std::signbit(loaded.value(0, "kl")));
}

TEST(MetricsTable, SchemaMismatchListsExpectedAndFoundColumns) {
  TempDir dir;
  const std::string path = dir.file("metrics.csv");
  MetricsTable table({"epoch", "loss"});
  table.append({1, 2});
  table.save(path);
  const std::string message = error_message([&] { MetricsTable::load(path, {"epoch", "elbo", "kl"}); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("expected columns [epoch, elbo, kl]"), std::string::npos) << message;
  EXPECT_NE(message.find("found [epoch, loss]"), std::string::npos) << message;
}

TEST(MetricsTable, TruncateDropsLaterRows) {
  MetricsTable table({"epoch", "loss"});
  for (int e = 1; e <= 4; ++e) table.append({static_cast<double>(e), 100.0 / e});
  table.truncate(2);
  ASSERT_EQ(table.num_rows(), 2u);
  EXPECT_EQ(table.value(1, "epoch"), 2);
  EXPECT_EQ(table.value(1, "loss"), 50);
  table.truncate(2);  // keeping all rows is allowed
  EXPECT_EQ(table.num_rows(), 2u);
  EXPECT_NE(error_message([&] { table.truncate(3); }).find("only 2 rows"), std::string::npos);
  table.append({3, 1});
  EXPECT_EQ(table.to_csv(), "epoch,loss\n1,100\n2,50\n3,1\n");
}

TEST(MetricsTable, BadRowsAndColumnsGetNamedErrors) {
  MetricsTable table({"epoch", "loss"});
  std::string message = error_message([&] { table.append({1, 2, 3}); });
  EXPECT_NE(message.find("3 values"), std::string::npos) << message;
  table.append({1, 2});
  message = error_message([&] { table.value(0, "elbo"); });
  EXPECT_NE(message.find("unknown column 'elbo'"), std::string::npos) << message;
  EXPECT_NE(message.find("[epoch, loss]"), std::string::npos) << message;
  EXPECT_NE(error_message([&] { table.value(1, "loss"); }).find("row 1"), std::string::npos);

  EXPECT_NE(error_message([] { MetricsTable(Names{}); }).find("empty"), std::string::npos);
  EXPECT_NE(error_message([] { MetricsTable({"a", "a"}); }).find("duplicate column 'a'"), std::string::npos);
  EXPECT_NE(error_message([] { MetricsTable({"a,b"}); }).find("'a,b'"), std::string::npos);
}

TEST(MetricsTable, LoadRejectsMalformedFiles) {
  const Names columns{"epoch", "loss"};
  std::string message =
      error_message([&] { MetricsTable::from_csv("epoch,loss\n1,2\n3\n", columns, "m.csv"); });
  EXPECT_NE(message.find("m.csv"), std::string::npos) << message;
  EXPECT_NE(message.find("line 3 has 1 fields"), std::string::npos) << message;
  message = error_message([&] { MetricsTable::from_csv("epoch,loss\n1,x2\n", columns, "m.csv"); });
  EXPECT_NE(message.find("line 2, column 'loss': 'x2' is not a number"), std::string::npos) << message;
  message = error_message([&] { MetricsTable::from_csv("epoch,loss\n1,2 \n", columns, "m.csv"); });
  EXPECT_NE(message.find("'2 ' is not a number"), std::string::npos) << message;
  message = error_message([&] { MetricsTable::from_csv("", columns, "m.csv"); });
  EXPECT_NE(message.find("empty"), std::string::npos) << message;
  // CRLF line ends (a file touched by a spreadsheet) still load.
  const MetricsTable crlf = MetricsTable::from_csv("epoch,loss\r\n1,2.5\r\n", columns);
  EXPECT_EQ(crlf.value(0, "loss"), 2.5);

  TempDir dir;
  message = error_message([&] { MetricsTable::load(dir.file("missing.csv"), columns); });
  EXPECT_NE(message.find(dir.file("missing.csv")), std::string::npos) << message;
}

}  // namespace
