// train/progress: durations, progress and summary lines, interactive and non-interactive bars.
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
using namespace mixdist::train;

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

}  // namespace
