// The bit-vector VAE through the run layer (mixdist train bitvae) on tiny synthetic data: a run trained in
// slices equals an uninterrupted one even though the temperature anneals across the slice boundary (it is a
// function of the step count, not checkpointed state); --compat authors changes the final evaluation's
// temperature (all relaxed families) and the Gaussian-Sparsemax density (training too) and nothing else; bad
// input is one clear message that leaves no run folder behind.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mixdist/experiments/bitvector_vae/evaluation.h"
#include "mixdist/experiments/bitvector_vae/experiment.h"
#include "mixdist/experiments/bitvector_vae/model.h"
#include "mixdist/experiments/registry.h"
#include "mixdist/experiments/run/checkpoint.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/metrics_table.h"
#include "temp_dir.h"
#include "test_util.h"

namespace mixdist::experiments::bitvector_vae {
namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::TempDir;

// 64 images in batches of 32: two steps per epoch. The temperature changes after every step (interval 1,
// fast decay), so a resume that lost track of it would show in the numbers.
BitVaeConfig tiny_run_config(BitLatent latent, int64_t epochs) {
  BitVaeConfig c = make_preset(latent, "quick");
  c.dataset = "synthetic";
  c.train_size = 64;
  c.valid_size = 32;
  c.test_size = 32;
  c.latent_bits = 16;
  c.hidden = 32;
  c.batch_size = 32;
  c.eval_batch_size = 16;
  c.is_chunk = 8;
  c.lr = 1e-2;
  c.epochs = epochs;
  c.temperature_interval = 1;
  c.temperature_decay = 0.1;
  c.valid_is_samples = 4;
  c.final_is_samples = 8;
  c.final_valid_size = 0;
  c.final_test_size = 0;
  return c;
}

run::RunOptions quiet(const std::string& dir, std::ostream& log) {
  run::RunOptions o;
  o.run_dir = dir;
  o.interactive = false;
  o.log = &log;
  o.figures = false;
  return o;
}

train::MetricsTable load_metrics(const std::string& dir) {
  const std::string csv = io::read_file(dir + "/metrics.csv");
  std::vector<std::string> columns;
  std::stringstream header(csv.substr(0, csv.find('\n')));
  for (std::string c; std::getline(header, c, ',');) columns.push_back(c);
  return train::MetricsTable::load(dir + "/metrics.csv", columns);
}

nlohmann::json summary_of(const std::string& dir) {
  return nlohmann::json::parse(io::read_file(dir + "/summary.json"));
}

// Every column but the wall-clock seconds, bit for bit (NaN equals NaN).
bool same_rows(const train::MetricsTable& a, const train::MetricsTable& b, bool training_only = false) {
  if (a.columns() != b.columns() || a.num_rows() != b.num_rows()) return false;
  for (size_t r = 0; r < a.num_rows(); ++r)
    for (const auto& c : a.columns()) {
      if (c == "seconds" || (training_only && c.rfind("valid_", 0) == 0)) continue;
      const double x = a.value(r, c), y = b.value(r, c);
      if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
    }
  return true;
}

TEST(BitVaeRun, ASlicedRunEqualsAnUninterruptedOneWhileTheTemperatureAnneals) {
  TempDir tmp;
  std::ostringstream log;
  const BitVaeConfig config = tiny_run_config(BitLatent::kHardConcrete, 3);
  ASSERT_TRUE(train_bitvae(config, quiet(tmp.file("whole"), log)).finished);
  run::RunOptions first = quiet(tmp.file("sliced"), log);
  first.stop_after_epoch = 1;
  ASSERT_FALSE(train_bitvae(config, first).finished);
  run::RunOptions rest = quiet(tmp.file("sliced"), log);
  rest.resume = true;
  ASSERT_TRUE(train_bitvae(config, rest).finished);
  const auto a = load_metrics(tmp.file("whole")), b = load_metrics(tmp.file("sliced"));
  ASSERT_EQ(a.num_rows(), 3u);
  EXPECT_TRUE(same_rows(a, b));
  // The temperature column records the annealing: 1 step per update, exp(-0.1 t) after step t.
  EXPECT_DOUBLE_EQ(a.value(0, "temperature"), std::exp(-0.1 * 1));
  EXPECT_DOUBLE_EQ(a.value(2, "temperature"), std::exp(-0.1 * 5));
  const auto sa = summary_of(tmp.file("whole")), sb = summary_of(tmp.file("sliced"));
  for (const char* split : {"valid", "test"})
    for (const auto& name : eval_metric_names())
      EXPECT_EQ(sa[split][name].get<double>(), sb[split][name].get<double>()) << split << " " << name;
  EXPECT_EQ(sa["checkpoint"], "best");
}

TEST(BitVaeRun, AuthorsCompatChangesTheFinalTemperatureAndTheGaussianSparsemaxDensityOnly) {
  TempDir tmp;
  std::ostringstream log;
  EXPECT_DOUBLE_EQ(evaluation_temperature(tiny_run_config(BitLatent::kGumbelSoftmax, 1), 5, true),
                   std::exp(-0.1 * 4));
  BitVaeConfig authors = tiny_run_config(BitLatent::kGumbelSoftmax, 1);
  authors.compat = "authors";
  EXPECT_DOUBLE_EQ(evaluation_temperature(authors, 5, /*final=*/true), 1.0);
  EXPECT_DOUBLE_EQ(evaluation_temperature(authors, 5, /*final=*/false), std::exp(-0.1 * 4));

  for (BitLatent latent : {BitLatent::kHardConcrete, BitLatent::kGaussianSparsemax}) {
    const std::string name = latent_name(latent);
    BitVaeConfig none = tiny_run_config(latent, 2), quirk = none;
    quirk.compat = "authors";
    train_bitvae(none, quiet(tmp.file(name + "-none"), log));
    train_bitvae(quirk, quiet(tmp.file(name + "-authors"), log));
    const auto a = load_metrics(tmp.file(name + "-none")), b = load_metrics(tmp.file(name + "-authors"));
    const auto sa = summary_of(tmp.file(name + "-none")), sb = summary_of(tmp.file(name + "-authors"));
    if (latent == BitLatent::kHardConcrete) {
      // Training and validation (at the annealed temperature) are the same; the final evaluation at
      // temperature 1 is not.
      EXPECT_TRUE(same_rows(a, b));
      EXPECT_NE(sa["test"]["neg_elbo"].get<double>(), sb["test"]["neg_elbo"].get<double>());
    } else {
      // No temperature, but another entropy: the training itself differs from the first epoch.
      EXPECT_FALSE(same_rows(a, b, /*training_only=*/true));
    }
  }
}

TEST(BitVaeRun, BadInputIsOneClearMessageAndLeavesNoRunFolder) {
  TempDir tmp;
  std::ostringstream log;
  expect_error_containing([] { make_preset(parse_latent("gumbel"), "quick"); }, "unknown latent 'gumbel'");
  // Missing Fashion-MNIST: the error says how to install it, and nothing is written.
  BitVaeConfig real = make_preset(BitLatent::kGumbelSoftmax, "quick");
  real.data_dir = tmp.file("no-fashion-mnist");
  expect_error_containing([&] { train_bitvae(real, quiet(tmp.file("no-data-run"), log)); },
                          "dataset-fashion-mnist");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("no-data-run")));
  // A run folder of the other VAE.
  std::filesystem::create_directories(tmp.file("mnist-run"));
  io::write_file_atomically(tmp.file("mnist-run/config.json"),
                            "{\"experiment\": \"vae_mnist\", \"latent\": \"gaussian\", \"seed\": 10}");
  run::RunOptions resume = quiet(tmp.file("mnist-run"), log);
  resume.resume = true;
  expect_error_containing([&] { train_bitvae(tiny_run_config(BitLatent::kGumbelSoftmax, 1), resume); },
                          "belongs to experiment 'vae_mnist', not 'bitvector_vae'");
  expect_error_containing([&] { evaluate_run(tmp.file("mnist-run"), "test", "last", 0); },
                          "belongs to experiment 'vae_mnist', not 'bitvector_vae'");
  // A checkpoint of one latent cannot be loaded into another's model.
  train_bitvae(tiny_run_config(BitLatent::kGumbelSoftmax, 1), quiet(tmp.file("gs"), log));
  BitVaeModel other(tiny_run_config(BitLatent::kHardConcrete, 1));
  expect_error_containing([&] { run::load_model(tmp.file("gs/ckpt.last"), info(), "hard-concrete", *other); },
                          "holds a 'gs' model, but the config says 'hard-concrete'");
}

TEST(BitVaeRun, EvaluatingTheReportedCheckpointRepeatsTheSummary) {
  TempDir tmp;
  std::ostringstream log;
  const BitVaeConfig config = tiny_run_config(BitLatent::kGaussianSparsemax, 2);
  train_bitvae(config, quiet(tmp.file("run"), log));
  const run::RunEvaluation e = evaluate_run(tmp.file("run"), "test", "best", 0, &log);
  const nlohmann::json summary = summary_of(tmp.file("run"));
  for (const auto& [name, value] : e.evaluation.metrics)
    EXPECT_EQ(value, summary["test"][name].get<double>()) << name;
  EXPECT_EQ(e.evaluation.samples, config.final_is_samples);
  // The run is known to the commands that work on any experiment.
  bool listed = false;
  for (const auto& i : all_experiments()) listed = listed || i.name == "bitvector_vae";
  EXPECT_TRUE(listed);
}

}  // namespace
}  // namespace mixdist::experiments::bitvector_vae
