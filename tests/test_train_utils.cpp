// Tests of the training building blocks: the stop signal, progress lines, the metrics table.
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

// ---------------------------------------------------------------- stop signal

TEST(StopSignal, RequestAndReset) {
  StopSignal::reset();
  EXPECT_FALSE(StopSignal::requested());
  EXPECT_NO_THROW(StopSignal::throw_if_requested("nothing"));
  StopSignal::request();
  EXPECT_TRUE(StopSignal::requested());
  EXPECT_THROW(StopSignal::throw_if_requested("a test"), Stopped);
  EXPECT_EQ(StopSignal::exit_status(), 128 + SIGINT);
  StopSignal::reset();
  EXPECT_FALSE(StopSignal::requested());
}

// Runs `child` in a fork()ed process (the expected outcomes include death by a signal) and returns its wait
// status. The child is single-threaded, as a program is when main() calls StopSignal::install().
template <typename F>
int status_of_child(F child) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    child();
    ::_exit(0);
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return status;
}

// Polls for up to 10 s: the watcher thread sets the flag asynchronously.
bool wait_for_stop_request() {
  for (int i = 0; i < 1000 && !StopSignal::requested(); ++i) ::usleep(10000);
  return StopSignal::requested();
}

TEST(StopSignal, WhileListeningTheFirstSignalAsksForAStopAndTheSecondEndsTheProcess) {
  const int status = status_of_child([] {
    StopSignal::install();
    StopSignal::reset();
    const StopSignal::Listening listening;
    ::kill(::getpid(), SIGTERM);  // to the process, as `kill PID` sends it
    if (!wait_for_stop_request()) ::_exit(2);
    if (StopSignal::exit_status() != 128 + SIGTERM) ::_exit(3);
    ::kill(::getpid(), SIGINT);  // the second signal, of either kind, gets the default action
    ::sleep(10);
    ::_exit(4);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited with code " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGINT);
}

TEST(StopSignal, WithNobodyListeningASignalEndsTheProcessAtOnce) {
  const int status = status_of_child([] {
    StopSignal::install();
    StopSignal::reset();
    { const StopSignal::Listening listened_and_gone; }
    ::kill(::getpid(), SIGTERM);
    ::sleep(10);
    ::_exit(StopSignal::requested() ? 2 : 3);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited with code " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

// No thread but the watcher may ever take the signals: a handler running on a thread inside oneDNN's JIT GEMM
// corrupts the heap. Threads started after install() inherit the block, including LibTorch's workers.
TEST(StopSignal, ThreadsStartedAfterInstallBlockTheSignals) {
  const int status = status_of_child([] {
    StopSignal::install();
    bool blocked_in_new_thread = false;
    std::thread([&] {
      sigset_t mask;
      pthread_sigmask(SIG_BLOCK, nullptr, &mask);
      blocked_in_new_thread = sigismember(&mask, SIGINT) == 1 && sigismember(&mask, SIGTERM) == 1;
    }).join();
    ::_exit(blocked_in_new_thread ? 0 : 2);
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// ---------------------------------------------------------------- progress

TEST(EvaluationProgress, FormatsHowFarAndHowLong) {
  EXPECT_EQ(format_evaluation_progress(3200, 10000, 133),
            "evaluating 10000 images: 3200 done (32%), 2:13 elapsed, about 4:43 left");
  EXPECT_EQ(format_evaluation_progress(0, 9984, 5, "games"),
            "evaluating 9984 games: 0 done (0%), 0:05 elapsed, about ?:?? left");
}

TEST(EvaluationProgress, PrintsOnlyAfterItsIntervalAndStopsOnRequest) {
  StopSignal::reset();
  std::ostringstream quiet, chatty;
  EvaluationProgress slow(100, "images", &quiet, /*interval_seconds=*/3600);
  EvaluationProgress fast(100, "images", &chatty, /*interval_seconds=*/0);
  for (int64_t done = 0; done < 100; done += 25) {
    slow.before_batch(done);
    fast.before_batch(done);
  }
  EXPECT_EQ(quiet.str(), "");
  const std::string lines = chatty.str();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 4) << lines;
  EXPECT_NE(lines.find("75 done (75%)"), std::string::npos) << lines;
  StopSignal::request();
  EXPECT_THROW(slow.before_batch(100), Stopped);
  StopSignal::reset();
}

TEST(Progress, FormatDuration) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(12.4), "0:12");
  EXPECT_EQ(format_duration(12.5), "0:13");
  EXPECT_EQ(format_duration(59.6), "1:00");
  EXPECT_EQ(format_duration(3599.4), "59:59");
  EXPECT_EQ(format_duration(3600), "1:00:00");
  EXPECT_EQ(format_duration(3725), "1:02:05");
  EXPECT_EQ(format_duration(-1), "?:??");
  EXPECT_EQ(format_duration(std::numeric_limits<double>::infinity()), "?:??");
  EXPECT_EQ(format_duration(std::nan("")), "?:??");
}

TEST(Progress, FormatProgressLineForKnownInputs) {
  // 5 of 20 steps in 2 s: 2.5 steps/s, 15 steps left -> 6 s.
  EXPECT_EQ(format_progress_line("epoch 1", 5, 20, 2.0, 123.456),
            "epoch 1 [#####...............] 5/20  2.5 steps/s  loss 123.5  ETA 0:06");
  // Nothing done yet: no rate and no ETA; a NaN loss is shown, not hidden.
  EXPECT_EQ(format_progress_line("", 0, 20, 0.0, std::nan(""), 10),
            "[..........] 0/20  ? steps/s  loss nan  ETA ?");
  // Unknown total: no bar and no ETA.
  EXPECT_EQ(format_progress_line("warm-up", 7, 0, 2.0, 1.5), "warm-up 7 steps  3.5 steps/s  loss 1.5");
  // More steps than announced: a full bar, the true count.
  EXPECT_EQ(format_progress_line("e", 25, 20, 5.0, 0.25, 4),
            "e [####] 25/20  5.0 steps/s  loss 0.25  ETA 0:00");
  // The bar is full only when every step is done.
  EXPECT_EQ(format_progress_line("e", 19, 20, 1.0, 1.0, 4), "e [###.] 19/20  19.0 steps/s  loss 1  ETA 0:00");
}

TEST(Progress, FormatFinalAndSummaryLines) {
  EXPECT_EQ(format_final_progress_line("epoch 1", 20, 20, 8.0, "test loss 98.7"),
            "epoch 1 [####################] 20/20  2.5 steps/s  8.0 s  test loss 98.7");
  EXPECT_EQ(format_summary_line("epoch 1", "test loss 98.7", 550, 12.3),
            "epoch 1: test loss 98.7 (550 steps, 12.3 s, 44.7 steps/s)");
  EXPECT_EQ(format_summary_line("", "test loss 98.7", 550, 12.3),
            "test loss 98.7 (550 steps, 12.3 s, 44.7 steps/s)");
  EXPECT_EQ(format_summary_line("epoch 1", "", 0, 0.0), "epoch 1 (0 steps, 0.0 s)");
}

TEST(Progress, NonInteractiveBarPrintsExactlyOneLineAtFinish) {
  std::ostringstream out;
  ProgressBar bar(ProgressOptions().label("epoch 2").total_steps(3).interactive(false).stream(&out));
  EXPECT_FALSE(bar.interactive());
  for (int64_t step = 1; step <= 3; ++step) bar.update(step, 10.0 / static_cast<double>(step));
  EXPECT_EQ(out.str(), "");
  bar.finish("test loss 1.5");
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.rfind("epoch 2: test loss 1.5 (3 steps, ", 0), 0u) << text;
  EXPECT_THROW(bar.finish("again"), c10::Error);
}

TEST(Progress, InteractiveBarRedrawsInPlaceAndEndsItsLine) {
  std::ostringstream out;
  {
    ProgressBar bar(ProgressOptions().label("epoch 1").total_steps(4).interactive(true).stream(&out));
    bar.update(1, 2.0);  // the first update always draws
    const std::string drawn = out.str();
    EXPECT_EQ(drawn.rfind("\repoch 1 [#####...............] 1/4  ", 0), 0u) << drawn;
    EXPECT_EQ(drawn.find('\n'), std::string::npos) << drawn;
    bar.update(4, 1.0);
    bar.finish("done");
  }
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.rfind("\repoch 1 [####################] 4/4  "), std::string::npos) << text;
  const std::string ending = " s  done\x1b[K\n";  // elapsed time, summary, clear to the end of the line
  ASSERT_GE(text.size(), ending.size());
  EXPECT_EQ(text.substr(text.size() - ending.size()), ending) << text;
}

TEST(Progress, UnfinishedInteractiveBarEndsItsLineOnDestruction) {
  std::ostringstream out;
  {
    ProgressBar bar(ProgressOptions().total_steps(10).interactive(true).stream(&out));
    bar.update(3, 1.0);
  }
  EXPECT_EQ(out.str().back(), '\n');
}

TEST(Progress, InteractiveDefaultsToFalseForAStreamThatIsNoTerminal) {
  std::ostringstream out;
  ProgressBar bar(ProgressOptions().stream(&out));
  EXPECT_FALSE(bar.interactive());
}

TEST(Progress, RejectsBadOptions) {
  EXPECT_NE(error_message([] { ProgressBar(ProgressOptions().stream(nullptr)); }).find("stream"),
            std::string::npos);
  EXPECT_NE(error_message([] { ProgressBar(ProgressOptions().total_steps(-1)); }).find("total_steps"),
            std::string::npos);
}

// ---------------------------------------------------------------- metrics table

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
