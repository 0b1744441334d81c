// experiments/vae_mnist/report: the pictures of a run and the support histogram.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mixdist/data/synthetic.h"
#include "mixdist/experiments/registry.h"
#include "mixdist/experiments/run/compare.h"
#include "mixdist/experiments/vae_mnist/data.h"
#include "mixdist/experiments/vae_mnist/evaluation.h"
#include "mixdist/experiments/vae_mnist/experiment.h"
#include "mixdist/experiments/vae_mnist/report.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/stop_signal.h"
#include "temp_dir.h"
#include "test_util.h"
#include "tiny_vae.h"

namespace mixdist::experiments::vae_mnist {
namespace {

using TrainOptions = run::RunOptions;

using mixdist::testing::TempDir;

TEST(VaeReport, WritesThePicturesOfAMixedLatentRun) {
  TempDir tmp;
  std::ostringstream log;
  TrainOptions options = quiet_options(tmp.file("run"), log);
  options.figures = true;
  train_vae(tiny_config(LatentType::kGaussianSparsemax, 2), options);
  for (const char* f : {"reconstructions.png", "prior_samples.png", "face_sizes.png", "learning_curves.png"})
    EXPECT_TRUE(std::filesystem::exists(tmp.file(std::string("run/") + f))) << f << "\n" << log.str();
}

TEST(VaeReport, SupportHistogramCountsNonzeros) {
  const at::Tensor z = at::tensor({0.5, 0.5, 0.0, 1.0, 0.0, 0.0, 0.2, 0.3, 0.5, 0.0, 0.0, 1.0}).view({4, 3});
  const std::vector<double> h = support_size_histogram(z);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_DOUBLE_EQ(h[0], 0.5);
  EXPECT_DOUBLE_EQ(h[1], 0.25);
  EXPECT_DOUBLE_EQ(h[2], 0.25);
}

}  // namespace
}  // namespace mixdist::experiments::vae_mnist
