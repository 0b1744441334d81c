// A bit-vector VAE small enough for the unit tests of experiments/bitvector_vae/: 16 bits, 32 hidden units,
// 64 + 32 + 32 synthetic images.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "mixdist/data/synthetic.h"
#include "mixdist/distributions/bernoulli.h"
#include "mixdist/distributions/clipped_gaussian.h"
#include "mixdist/experiments/bitvector_vae/config.h"
#include "mixdist/experiments/bitvector_vae/data.h"
#include "mixdist/experiments/bitvector_vae/evaluation.h"
#include "mixdist/experiments/bitvector_vae/model.h"
#include "mixdist/experiments/bitvector_vae/report.h"
#include "mixdist/train/fused_adam.h"
#include "temp_dir.h"
#include "test_util.h"

namespace mixdist::experiments::bitvector_vae {
namespace {

using mixdist::testing::error_message;
using mixdist::testing::expect_error_containing;
using mixdist::testing::max_abs_diff;
using mixdist::testing::TempDir;

// Small enough for a unit test: 16 bits, 32 hidden units, 64 + 32 + 32 synthetic images. The estimators and
// the temperature schedule are the paper's; the learning rate is raised so that a few steps move the loss.
inline BitVaeConfig tiny_config(BitLatent latent) {
  BitVaeConfig c = make_preset(latent, "quick");
  c.dataset = "synthetic";
  c.train_size = 64;
  c.valid_size = 32;
  c.test_size = 32;
  c.latent_bits = 16;
  c.hidden = 32;
  c.batch_size = 32;
  c.eval_batch_size = 16;
  c.is_chunk = 16;
  c.lr = 1e-2;
  return c;
}

inline std::string test_name(BitLatent latent) {
  std::string name = latent_name(latent);
  for (char& ch : name)
    if (ch == '-') ch = '_';
  return name;
}

// Adam steps over the training images in batches; returns the loss of each step.
inline std::vector<double> train_steps(BitVaeModel& model, const BitVaeConfig& c, const at::Tensor& images,
                                       int64_t steps) {
  train::FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(c.lr));
  const int64_t batches = images.size(0) / c.batch_size;
  std::vector<double> losses;
  for (int64_t step = 0; step < steps; ++step) {
    model->set_temperature(temperature_at(c, step));
    const int64_t begin = (step % batches) * c.batch_size;
    optimizer.clear_grad();
    const BitVaeObjective o = model->objective(images.slice(0, begin, begin + c.batch_size));
    o.loss.backward();
    optimizer.step();
    losses.push_back(o.loss.item<double>());
  }
  return losses;
}

inline BitVaeModel trained_model(const BitVaeConfig& c, const BitVaeData& data, int64_t steps) {
  at::manual_seed(1);
  BitVaeModel model(c);
  train_steps(model, c, data.train, steps);
  return model;
}

}  // namespace
}  // namespace mixdist::experiments::bitvector_vae
