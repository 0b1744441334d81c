// A VAE small enough for the unit tests of experiments/vae_mnist/, and helpers that compare its runs.
#pragma once
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

namespace mixdist::experiments::vae_mnist {
namespace {

using run::RunEvaluation;
using TrainOptions = run::RunOptions;
using TrainResult = run::RunResult;

using mixdist::testing::expect_error_containing;
using mixdist::testing::max_abs_diff;
using mixdist::testing::TempDir;

// A VAE small enough for a unit test: 240 synthetic images, 64 hidden units, batches of 20. The learning
// rates are raised for every latent (the paper's 1e-5 would not move in a few steps); the estimators are the
// paper's.
inline VaeConfig tiny_config(LatentType latent, int64_t epochs = 4) {
  VaeConfig c = make_preset(latent, "quick");
  c.dataset = "synthetic";
  c.train_size = 240;
  c.valid_size = 60;
  c.test_size = 60;
  c.hidden = 64;
  c.batch_size = 20;
  c.eval_batch_size = 30;
  c.epochs = epochs;
  c.gen_lr = 3e-3;
  c.inf_lr = 3e-3;
  c.warmup_steps = latent == LatentType::kCategorical ? 5 : 0;
  c.valid_is_samples = 5;
  c.final_is_samples = 50;
  return c;
}

inline TrainOptions quiet_options(const std::string& dir, std::ostream& log) {
  TrainOptions o;
  o.run_dir = dir;
  o.interactive = false;
  o.log = &log;
  o.figures = false;
  return o;
}

inline nlohmann::json read_json(const std::string& path) {
  return nlohmann::json::parse(io::read_file(path));
}

inline bool same_value(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

// Every metric of both splits in two summary.json files is bit for bit the same.
inline void expect_same_final_metrics(const nlohmann::json& a, const nlohmann::json& b) {
  for (const char* split : {"valid", "test"})
    for (const auto& name : eval_metric_names())
      EXPECT_EQ(a[split][name].get<double>(), b[split][name].get<double>()) << split << " " << name;
  EXPECT_EQ(a["epochs"], b["epochs"]);
  EXPECT_EQ(a["steps"], b["steps"]);
}

// A tiny Categorical VAE in eval mode (no dropout), built right after seeding the global generator.
inline VaeModel categorical_model_in_eval_mode(uint64_t seed) {
  at::manual_seed(seed);
  VaeModel model(tiny_config(LatentType::kCategorical));
  model->eval();
  return model;
}

// log p(x_b | e_k) by running the decoder on every (class, data point) pair, as the authors' code does: [L,
// B].
inline at::Tensor per_pair_log_likelihoods(VaeModel& model, const at::Tensor& x, int64_t L) {
  const at::Tensor classes = at::eye(L).unsqueeze(1).expand({L, x.size(0), L});
  return model->decoder()->log_likelihood(x, classes);
}

}  // namespace
}  // namespace mixdist::experiments::vae_mnist
