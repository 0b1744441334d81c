// The MNIST VAE's latent types (experiments/vae_mnist/latent) on tiny synthetic data: every one trains (the
// loss decreases) and its importance-sampled NLL is no worse than the negative ELBO.
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

using TrainResult = run::RunResult;

using mixdist::testing::TempDir;

class EveryLatent : public ::testing::TestWithParam<LatentType> {};

TEST_P(EveryLatent, TrainingLowersTheLossAndImportanceSamplingTightensTheBound) {
  TempDir tmp;
  std::ostringstream log;
  const VaeConfig config = tiny_config(GetParam());
  const TrainResult r = train_vae(config, quiet_options(tmp.file("run"), log));
  ASSERT_TRUE(r.finished) << log.str();
  EXPECT_EQ(r.epochs_completed, config.epochs);
  EXPECT_EQ(r.steps, config.epochs * (config.train_size / config.batch_size));

  const train::MetricsTable table = train::MetricsTable::load(tmp.file("run/metrics.csv"), metrics_columns());
  ASSERT_EQ(table.num_rows(), static_cast<size_t>(config.epochs));
  const double first = table.value(0, "train_loss"), last = table.value(config.epochs - 1, "train_loss");
  EXPECT_LT(last, first - 5.0) << latent_name(GetParam()) << ": -ELBO per image went from " << first << " to "
                               << last;

  // The importance-sampled estimate bounds log p(x) more tightly than the ELBO does (in expectation; with 50
  // samples over 60 images the noise is far below the gap, which is several nats here).
  const nlohmann::json summary = read_json(r.summary_path);
  for (const char* split : {"valid", "test"}) {
    const double nll = summary[split]["nll"].get<double>(), elbo = summary[split]["elbo"].get<double>();
    EXPECT_TRUE(std::isfinite(nll) && std::isfinite(elbo)) << split;
    EXPECT_LE(nll, -elbo + 0.1) << latent_name(GetParam()) << " " << split;
    const double R = summary[split]["R"].get<double>();
    EXPECT_GE(R, latent_name(GetParam()) == "gaussian-sparsemax" ? -1.0 : 0.0) << split;  // MC KL may dip
    EXPECT_NEAR(summary[split]["D"].get<double>() + R, -elbo, 1e-9);
  }
  const double support = summary["test"]["support"].get<double>();
  EXPECT_GE(support, 1.0);
  EXPECT_LE(support, static_cast<double>(config.latent_dim));
}

INSTANTIATE_TEST_SUITE_P(Vae, EveryLatent, ::testing::ValuesIn(all_latent_types()), [](const auto& info) {
  std::string name = latent_name(info.param);
  for (char& ch : name)
    if (ch == '-') ch = '_';
  return name;
});

}  // namespace
}  // namespace mixdist::experiments::vae_mnist
