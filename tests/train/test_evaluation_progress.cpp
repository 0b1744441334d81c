// train/evaluation_progress: the progress lines of an evaluation.
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

using namespace mixdist::train;

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

}  // namespace
