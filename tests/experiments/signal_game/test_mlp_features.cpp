// experiments/signal_game/mlp_features: the "mlp" features (a digit classifier's hidden activations) are the
// same bytes on 1 and 2 threads, are cached under a key that a changed input never matches, and set the
// networks' input size.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "mixdist/data/concept_pool.h"
#include "mixdist/data/mnist.h"
#include "mixdist/experiments/registry.h"
#include "mixdist/experiments/signal_game/data.h"
#include "mixdist/experiments/signal_game/evaluation.h"
#include "mixdist/experiments/signal_game/experiment.h"
#include "mixdist/experiments/signal_game/mlp_features.h"
#include "mixdist/experiments/signal_game/model.h"
#include "mixdist/experiments/signal_game/report.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/fused_adam.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/rng_state.h"
#include "temp_dir.h"
#include "test_util.h"
#include "tiny_game.h"

namespace mixdist::experiments::signal_game {
namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::TempDir;
using mixdist::testing::ThreadCountGuard;

// The digit classifier's features of the synthetic digits of small_spec() (200 training, 200 test digits).
TEST(SignalGameMlpFeatures, TheSameBytesOnOneAndTwoThreadsAndTheGeneratorIsLeftAlone) {
  const data::ConceptPool pool = data::make_synthetic_concept_pool(small_spec(), 200);
  ThreadCountGuard threads;
  const at::Tensor rng = train::global_rng_state();
  at::set_num_threads(1);
  const MlpDigitFeatures one = compute_mlp_digit_features(pool.train.digits, pool.test.digits);
  at::set_num_threads(2);
  const MlpDigitFeatures two = compute_mlp_digit_features(pool.train.digits, pool.test.digits);
  EXPECT_EQ(at::get_num_threads(), 2);  // the caller's thread count comes back
  EXPECT_TRUE(train::global_rng_state().equal(rng));
  ASSERT_EQ(one.train.sizes(), (std::vector<int64_t>{200, 512}));
  ASSERT_EQ(one.test.sizes(), (std::vector<int64_t>{200, 512}));
  EXPECT_EQ(one.train.scalar_type(), at::kFloat);
  EXPECT_TRUE(same_tensor(one.train, two.train));
  EXPECT_TRUE(same_tensor(one.test, two.test));
  EXPECT_EQ(one.test_accuracy, two.test_accuracy);
  // Activations before the ReLU: signed, and not all alike.
  EXPECT_TRUE(one.train.lt(0).any().item<bool>());
  EXPECT_TRUE(one.train.gt(0).any().item<bool>());
  EXPECT_GT(one.train.std(0).min().item<double>(), 0.0);
  // Another seed is another classifier.
  MlpSchedule other;
  other.seed = 1;
  EXPECT_FALSE(
      same_tensor(compute_mlp_digit_features(pool.train.digits, pool.test.digits, other).train, one.train));
  // Trained long enough, the classifier tells the synthetic test digits apart (chance: 10%).
  MlpSchedule longer;
  longer.epochs = 20;
  EXPECT_GT(compute_mlp_digit_features(pool.train.digits, pool.test.digits, longer).test_accuracy, 90.0);
  data::DigitSet unlabelled = pool.train.digits;
  unlabelled.labels = unlabelled.labels.slice(0, 0, 10);
  expect_error_containing([&] { compute_mlp_digit_features(unlabelled, pool.test.digits); },
                          "labels must be [N] with N = 200");
}

// Reads an mlp features cache file back as (key, train, test, test_accuracy).
struct CacheFile {
  std::string key;
  at::Tensor train, test;
  double accuracy = 0;
};

CacheFile read_cache(const std::string& path) {
  torch::serialize::InputArchive in;
  in.load_from(path);
  c10::IValue key, accuracy;
  CacheFile f;
  EXPECT_TRUE(in.try_read("key", key));
  EXPECT_TRUE(in.try_read("test_accuracy", accuracy));
  in.read("train", f.train);
  in.read("test", f.test);
  f.key = key.toStringRef();
  f.accuracy = accuracy.toDouble();
  return f;
}

void write_cache(const std::string& path, const CacheFile& f) {
  torch::serialize::OutputArchive out;
  out.write("key", c10::IValue(f.key));
  out.write("train", f.train);
  out.write("test", f.test);
  out.write("test_accuracy", c10::IValue(f.accuracy));
  out.save_to(path);
}

TEST(SignalGameMlpFeatures, TheCacheIsReusedAndAStaleOrBrokenOneIsRebuilt) {
  TempDir tmp;
  const data::ConceptPool pool = data::make_synthetic_concept_pool(small_spec(), 200);
  const data::DigitSet& train = pool.train.digits;
  const data::DigitSet& test = pool.test.digits;
  const std::string dir = tmp.file("cache");
  const std::string path = mlp_features_cache_path(train, test, dir);
  EXPECT_EQ(path.rfind(dir + "/signal_game_mlp_features-", 0), 0u) << path;
  std::ostringstream log;
  const MlpDigitFeatures built = mlp_digit_features(train, test, dir, MlpSchedule(), &log);
  EXPECT_NE(log.str().find("training the digit classifier"), std::string::npos) << log.str();
  ASSERT_TRUE(std::filesystem::exists(path));
  const MlpDigitFeatures direct = compute_mlp_digit_features(train, test);
  EXPECT_TRUE(same_tensor(built.train, direct.train) && same_tensor(built.test, direct.test));
  // Another build, on one thread, writes the same file, byte for byte.
  {
    ThreadCountGuard threads;
    at::set_num_threads(1);
    mlp_digit_features(train, test, tmp.file("again"));
  }
  EXPECT_EQ(io::read_file(mlp_features_cache_path(train, test, tmp.file("again"))), io::read_file(path));

  // The second call reads the file: it trains nothing, and returns what the file holds.
  std::ostringstream quiet_log;
  EXPECT_TRUE(
      same_tensor(mlp_digit_features(train, test, dir, MlpSchedule(), &quiet_log).train, built.train));
  EXPECT_EQ(quiet_log.str(), "");
  CacheFile f = read_cache(path);
  f.train = f.train * 2;
  write_cache(path, f);
  EXPECT_TRUE(same_tensor(mlp_digit_features(train, test, dir).train, built.train * 2));

  // A file at that path under another key, with the wrong shape, or unreadable, is replaced.
  for (int broken = 0; broken < 3; ++broken) {
    CacheFile g = read_cache(path);
    if (broken == 0) g.key += "another classifier";
    if (broken == 1) g.train = g.train.slice(0, 0, 10);
    if (broken < 2)
      write_cache(path, g);
    else
      io::write_file_atomically(path, "not a cache file");
    std::ostringstream rebuilt_log;
    EXPECT_TRUE(
        same_tensor(mlp_digit_features(train, test, dir, MlpSchedule(), &rebuilt_log).train, built.train))
        << broken;
    EXPECT_NE(rebuilt_log.str().find("training the digit classifier"), std::string::npos) << broken;
    EXPECT_TRUE(same_tensor(read_cache(path).train, built.train)) << broken;
  }

  // Other digits, another schedule: another file, so a stale one is never even looked at.
  data::DigitSet changed = train;
  changed.pixels = train.pixels.clone();
  changed.pixels[3][400] = changed.pixels[3][400].item<int64_t>() == 0 ? 1 : 0;
  EXPECT_NE(mlp_features_cache_path(changed, test, dir), path);
  data::DigitSet relabelled = test;
  relabelled.labels = test.labels.roll(1);
  EXPECT_NE(mlp_features_cache_path(train, relabelled, dir), path);
  MlpSchedule shorter;
  shorter.epochs = 1;
  EXPECT_NE(mlp_features_cache_path(train, test, dir, shorter), path);
  const MlpDigitFeatures other = mlp_digit_features(changed, test, dir);
  EXPECT_TRUE(std::filesystem::exists(mlp_features_cache_path(changed, test, dir)));
  EXPECT_FALSE(same_tensor(other.train, built.train));
  // No cache folder: computed, nothing written.
  EXPECT_TRUE(same_tensor(mlp_digit_features(train, test, "").train, built.train));
  // A cache that cannot be written is reported, and the features come all the same.
  io::write_file_atomically(tmp.file("a-file"), "");
  std::ostringstream unwritable;
  EXPECT_TRUE(same_tensor(
      mlp_digit_features(train, test, tmp.file("a-file"), MlpSchedule(), &unwritable).train, built.train));
  EXPECT_NE(unwritable.str().find("could not cache them in " + tmp.file("a-file")), std::string::npos)
      << unwritable.str();
}

TEST(SignalGameMlpFeatures, ConceptImagesConcatenateTheDigitFeaturesAndTheNetworksFollowTheirSize) {
  TempDir tmp;
  std::ostringstream log;
  GameConfig config = tiny_config(Channel::kGaussianSparsemax);
  config.features = "mlp";
  config.data_dir = tmp.file("data");
  const GameData data = load_game_data(config, &log);
  EXPECT_EQ(data.pool.feature_dim(), 2 * 512);
  EXPECT_TRUE(std::filesystem::exists(
      mlp_features_cache_path(data.pool.train.digits, data.pool.test.digits, tmp.file("data/synthetic"))));
  const data::ConceptPool pixels = load_game_data(tiny_config(Channel::kGaussianSparsemax)).pool;
  EXPECT_TRUE(same_tensor(pixels.train.instances, data.pool.train.instances));
  // Image 2 of concept 37: digits (3, 7); its features are theirs one after the other, unit-normalised.
  const at::Tensor c = at::tensor({37, 5}, at::kLong), i = at::tensor({2, 3}, at::kLong);
  const at::Tensor f = data.pool.train.features(c, i);
  ASSERT_EQ(f.sizes(), (std::vector<int64_t>{2, 1024}));
  const at::Tensor digit_features = data.pool.train.digits.features;
  const at::Tensor joined = at::cat({digit_features[data.pool.train.instances[37][2][0].item<int64_t>()],
                                     digit_features[data.pool.train.instances[37][2][1].item<int64_t>()]});
  EXPECT_TRUE(at::allclose(f[0], joined / joined.norm(), 1e-6, 1e-7));
  EXPECT_TRUE(at::allclose(f.norm(2, {1}), at::ones({2})));
  EXPECT_TRUE(at::allclose(data.pool.test.features(c, i.remainder(4)).norm(2, {1}), at::ones({2})));
  // The pictures stay the pixels.
  EXPECT_TRUE(data.pool.train.pictures(c, i).equal(pixels.train.pictures(c, i)));
  // A run on these features: both networks take 1024 inputs, and summary.json names the features.
  config.epochs = 1;
  config.steps_per_epoch = 3;
  ASSERT_TRUE(train_game(config, quiet(tmp.file("run"), log)).finished);
  const auto experiment = info().create(config.to_json());
  const auto params = experiment->model().named_parameters();
  EXPECT_EQ(params["sender.fc1.weight"].size(1), 1024);
  EXPECT_EQ(params["receiver.fc1.weight"].size(1), 1024);
  const auto summary = nlohmann::json::parse(io::read_file(tmp.file("run/summary.json")));
  EXPECT_EQ(summary["features"], "mlp");
  EXPECT_GT(summary["test"]["accuracy"].get<double>(), 0.0);
  GameConfig bad = config;
  bad.features = "vgg";
  expect_error_containing([&] { bad.validate(); }, "features must be 'pixels' or 'mlp', got 'vgg'");
}

}  // namespace
}  // namespace mixdist::experiments::signal_game
