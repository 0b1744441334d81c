// The signal game: the concept pool and its games are pure functions of the data and their seeds (the same
// for every thread count), games hold distinct concepts and their label points at the target, each channel
// sends what it should at initialisation (one symbol for ST, all V for Gumbel-Softmax, a sparse support for
// the sparsemax channels), every channel learns a separable toy pool, and runs through the run layer resume
// bit for bit and refuse bad input with one clear message. The "mlp" features (a digit classifier's hidden
// activations) are the same bytes on 1 and 2 threads, are cached under a key that a changed input never
// matches, and set the networks' input size. The interaction log holds every game of the final evaluation,
// counted to the last bit as its success and nonzeros. --steps plans whole epochs, and a resumed run counts
// them at its own steps per epoch, through the library and through the real `mixdist` program.
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

namespace mixdist::experiments::signal_game {
namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::TempDir;
using mixdist::testing::ThreadCountGuard;

data::ConceptPoolSpec small_spec() {
  data::ConceptPoolSpec spec;
  spec.slots = 2;
  spec.train_images_per_concept = 8;
  spec.test_images_per_concept = 4;
  spec.seed = 5;
  return spec;
}

// A small model on the synthetic pool of two-digit concepts (100 concepts, F = 1568).
GameConfig tiny_config(Channel channel) {
  GameConfig c = make_preset(channel, "quick");
  c.dataset = "synthetic";
  c.digits_per_concept = 2;
  c.train_images_per_concept = 8;
  c.test_images_per_concept = 4;
  c.synthetic_digits = 200;
  c.valid_games = 128;
  c.test_games = 128;
  c.embedding = 32;
  c.hidden = 16;
  c.vocab = 32;
  // A faster learner than the paper's (lr 1e-3, logits / 10), so that 150 steps show learning.
  c.lr = 1e-2;
  c.sender_temperature = 1;
  c.eval_batch_size = 64;
  return c;
}

bool same_tensor(const at::Tensor& a, const at::Tensor& b) {
  return a.sizes() == b.sizes() && a.equal(b);
}

void expect_distinct_concepts_and_targets(const data::Games& g, int64_t concepts, int64_t images) {
  ASSERT_EQ(g.concepts.sizes(), g.images.sizes());
  for (int64_t b = 0; b < g.size(); ++b) {
    std::set<int64_t> seen;
    for (int64_t k = 0; k < g.game_size(); ++k) {
      const int64_t c = g.concepts[b][k].item<int64_t>();
      EXPECT_TRUE(c >= 0 && c < concepts);
      EXPECT_TRUE(seen.insert(c).second) << "game " << b << " repeats concept " << c;
      const int64_t i = g.images[b][k].item<int64_t>();
      EXPECT_TRUE(i >= 0 && i < images);
    }
    const int64_t y = g.labels[b].item<int64_t>();
    ASSERT_TRUE(y >= 0 && y < g.game_size());
    EXPECT_EQ(g.target_concepts()[b].item<int64_t>(), g.concepts[b][y].item<int64_t>());
    EXPECT_EQ(g.target_images()[b].item<int64_t>(), g.images[b][y].item<int64_t>());
  }
}

TEST(ConceptPool, SyntheticPoolComposesTheDigitsOfEachConceptSideBySide) {
  const data::ConceptPool pool = data::make_synthetic_concept_pool(small_spec(), 200);
  ASSERT_EQ(pool.slots(), 2);
  ASSERT_EQ(pool.concepts(), 100);  // ten distinct prototypes
  EXPECT_EQ(pool.train.instances.sizes(), (std::vector<int64_t>{100, 8, 2}));
  EXPECT_EQ(pool.test.instances.sizes(), (std::vector<int64_t>{100, 4, 2}));
  EXPECT_EQ(pool.feature_dim(), 2 * 784);
  // Concept 37 is the digit pair (3, 7), and every instance of it is of those classes.
  EXPECT_EQ(pool.concept_digits[37][0].item<int64_t>(), 3);
  EXPECT_EQ(pool.concept_digits[37][1].item<int64_t>(), 7);
  for (const data::ConceptImages* split : {&pool.train, &pool.test}) {
    const at::Tensor labels = split->digits.labels.index_select(0, split->instances.reshape(-1));
    EXPECT_TRUE(labels.view({100, -1, 2})
                    .equal(pool.concept_digits.unsqueeze(1).expand({100, labels.size(0) / 200, 2})));
  }
  // The picture of an image is its digits side by side, and its features that picture, unit-normalised.
  const at::Tensor c = at::tensor({37, 5}, at::kLong), i = at::tensor({2, 7}, at::kLong);
  const at::Tensor pics = pool.train.pictures(c, i);
  ASSERT_EQ(pics.sizes(), (std::vector<int64_t>{2, 28, 56}));
  const int64_t first = pool.train.instances[37][2][0].item<int64_t>();
  const int64_t second = pool.train.instances[37][2][1].item<int64_t>();
  const auto digit = [&](int64_t k) {
    return pool.train.digits.pixels[k].to(at::kFloat).div(255).view({28, 28});
  };
  EXPECT_TRUE(pics[0].slice(1, 0, 28).equal(digit(first)));
  EXPECT_TRUE(pics[0].slice(1, 28, 56).equal(digit(second)));
  const at::Tensor f = pool.train.features(c, i);
  ASSERT_EQ(f.sizes(), (std::vector<int64_t>{2, 1568}));
  EXPECT_TRUE(at::allclose(f.norm(2, {1}), at::ones({2})));
  EXPECT_TRUE(at::allclose(f[0], pics[0].reshape(-1) / pics[0].norm()));
  expect_error_containing([&] { pool.split("valid"); }, "unknown split 'valid'");
}

TEST(ConceptPool, MnistPoolIsThePaperShapeAndTheSameOnEveryThreadCount) {
  data::ConceptPool one, two;
  ThreadCountGuard threads;
  try {
    at::set_num_threads(1);
    one = data::load_mnist_concept_pool(data::ConceptPoolSpec());
  } catch (const c10::Error& e) {
    GTEST_SKIP() << "MNIST not available: " << e.what_without_backtrace();
  }
  at::set_num_threads(2);
  two = data::load_mnist_concept_pool(data::ConceptPoolSpec());
  EXPECT_EQ(one.concepts(), 1000);
  EXPECT_EQ(one.feature_dim(), 2352);
  EXPECT_EQ(one.train.instances.sizes(), (std::vector<int64_t>{1000, 100, 3}));
  EXPECT_EQ(one.test.instances.sizes(), (std::vector<int64_t>{1000, 10, 3}));
  EXPECT_EQ(one.train.digits.pixels.size(0), 60000);
  EXPECT_EQ(one.test.digits.pixels.size(0), 10000);
  EXPECT_TRUE(same_tensor(one.train.instances, two.train.instances));
  EXPECT_TRUE(same_tensor(one.test.instances, two.test.instances));
  // Digits of the right classes, and the games on the pool are the same too.
  const at::Tensor labels = one.train.digits.labels.index_select(0, one.train.instances.reshape(-1));
  EXPECT_TRUE(labels.view({1000, 100, 3}).equal(one.concept_digits.unsqueeze(1).expand({1000, 100, 3})));
  at::set_num_threads(1);
  const data::Games a = data::fixed_games(9984, one.test, 16, 20200725);
  at::set_num_threads(2);
  const data::Games b = data::fixed_games(9984, two.test, 16, 20200725);
  EXPECT_TRUE(same_tensor(a.concepts, b.concepts) && same_tensor(a.images, b.images) &&
              same_tensor(a.labels, b.labels));
  EXPECT_TRUE(at::allclose(one.test.features(a.concepts.slice(0, 0, 4), a.images.slice(0, 0, 4)).norm(2, {2}),
                           at::ones({4, 16})));
}

TEST(ConceptPool, GamesHoldDistinctConceptsAndTheLabelPointsAtTheTarget) {
  const data::Games fixed =
      data::fixed_games(300, data::make_synthetic_concept_pool(small_spec(), 200).train, 16, 11);
  expect_distinct_concepts_and_targets(fixed, 100, 8);
  // Fixed games are a function of their seed alone; the global generator is neither used nor advanced.
  const at::Tensor before = train::global_rng_state();
  const data::ConceptImages images = data::make_synthetic_concept_pool(small_spec(), 200).train;
  const data::Games again = data::fixed_games(300, images, 16, 11);
  EXPECT_TRUE(same_tensor(fixed.concepts, again.concepts) && same_tensor(fixed.images, again.images) &&
              same_tensor(fixed.labels, again.labels));
  EXPECT_TRUE(train::global_rng_state().equal(before));
  EXPECT_FALSE(same_tensor(data::fixed_games(300, images, 16, 12).concepts, fixed.concepts));
  // The training stream continues the global generator: reseeding repeats it.
  at::manual_seed(3);
  const data::Games s1 = data::draw_games(64, 100, 8, 16, at::detail::getDefaultCPUGenerator());
  const data::Games s2 = data::draw_games(64, 100, 8, 16, at::detail::getDefaultCPUGenerator());
  at::manual_seed(3);
  EXPECT_TRUE(same_tensor(data::draw_games(64, 100, 8, 16, at::detail::getDefaultCPUGenerator()).concepts,
                          s1.concepts));
  EXPECT_FALSE(same_tensor(s1.concepts, s2.concepts));
  expect_distinct_concepts_and_targets(s2, 100, 8);
  // Every target position occurs (uniform over 16 positions across 300 games).
  EXPECT_EQ(std::get<0>(at::_unique(fixed.labels)).size(0), 16);
  // A game needs as many concepts as candidates.
  expect_error_containing([] { data::draw_games(1, 10, 4, 16, at::detail::getDefaultCPUGenerator()); },
                          "game_size must be in [1, concepts = 10]");
}

TEST(SignalGameModel, TheSenderSeesOnlyTheTargetAndTheLossIsTheReceiversNll) {
  at::manual_seed(0);
  GameConfig config = tiny_config(Channel::kGaussianSparsemax);
  GameModel model(config, 20);
  const at::Tensor candidates = at::randn({5, 4, 20});
  const at::Tensor labels = at::tensor({0, 3, 1, 2, 3}, at::kLong);
  const GameOutput o = model->play(candidates, labels);
  for (int64_t b = 0; b < 5; ++b) {
    const at::Tensor target = candidates[b][labels[b].item<int64_t>()].unsqueeze(0);
    EXPECT_TRUE(at::allclose(o.logits[b], model->sender()->forward(target)[0]));
  }
  EXPECT_NEAR(o.loss.item<double>(), -o.log_probs.gather(1, labels.unsqueeze(1)).mean().item<double>(), 1e-6);
  EXPECT_TRUE(at::allclose(o.log_probs.exp().sum(1), at::ones({5})));
  EXPECT_TRUE(o.correct.equal(o.log_probs.argmax(1).eq(labels)));
  // The receiver's scores are (W_r1 x_i) . (W_r2 m), however it computes them.
  const auto params = model->receiver()->named_parameters();
  const at::Tensor u = at::matmul(candidates, params["fc1.weight"].t());
  const at::Tensor v = at::matmul(o.message, params["fc2.weight"].t());
  const at::Tensor scores = (u * v.unsqueeze(1)).sum(2);
  EXPECT_TRUE(at::allclose(o.log_probs, at::log_softmax(scores, 1), 1e-5, 1e-5));
}

TEST(SignalGameModel, EachChannelSendsItsSupportAtInitialisation) {
  for (Channel channel : all_channels()) {
    at::manual_seed(1);
    GameConfig config = tiny_config(channel);
    config.vocab = 256;
    GameModel model(config, 1568);
    const GameData data = load_game_data(config);
    const GameOutput o = model->play(data.pool.train, data.valid.slice(0, 64));
    EXPECT_TRUE(at::allclose(o.message.sum(1), at::ones({64}), 1e-5, 1e-5)) << channel_name(channel);
    EXPECT_TRUE(o.message.ge(0).all().item<bool>());
    const double mean = o.nonzeros.to(at::kDouble).mean().item<double>();
    switch (channel) {
      case Channel::kGumbelSoftmax:
        EXPECT_TRUE(o.nonzeros.eq(256).all().item<bool>()) << mean;
        break;
      case Channel::kGumbelSoftmaxST:
        EXPECT_TRUE(o.nonzeros.eq(1).all().item<bool>()) << mean;
        break;
      default:
        EXPECT_GT(mean, 1.0) << channel_name(channel);
        EXPECT_LT(mean, 256.0) << channel_name(channel);
    }
  }
}

TEST(SignalGameModel, EveryChannelLearnsASeparableToyPool) {
  for (Channel channel : all_channels()) {
    at::manual_seed(2);
    const GameConfig config = tiny_config(channel);
    constexpr int kSteps = 150;
    const GameData data = load_game_data(config);
    GameModel model(config, data.pool.feature_dim());
    train::FusedAdam adam(model->parameters(), torch::optim::AdamOptions(config.lr));
    const GameMetrics before = evaluate(*model, data.pool.train, data.valid, config);
    double first_loss = 0, last_loss = 0;
    for (int step = 0; step < kSteps; ++step) {
      const data::Games games = data::draw_games(64, data.pool.concepts(), config.train_images_per_concept,
                                                 config.game_size, at::detail::getDefaultCPUGenerator());
      const GameOutput o = model->play(data.pool.train, games);
      adam.clear_grad();
      o.loss.backward();
      adam.step();
      if (step < 10) first_loss += o.loss.item<double>() / 10;
      if (step >= kSteps - 10) last_loss += o.loss.item<double>() / 10;
    }
    const GameMetrics after = evaluate(*model, data.pool.test, data.test, config);
    EXPECT_LT(last_loss, first_loss - 0.3) << channel_name(channel);
    EXPECT_GT(after.accuracy, 3 * 100.0 / 16) << channel_name(channel) << " from " << before.accuracy;
  }
}

TEST(SignalGameEvaluation, IsRepeatableAndLeavesTheGeneratorAndModeAlone) {
  at::manual_seed(4);
  const GameConfig config = tiny_config(Channel::kKDHardConcrete);
  const GameData data = load_game_data(config);
  GameModel model(config, data.pool.feature_dim());
  model->train();
  const at::Tensor before = train::global_rng_state();
  const GameMetrics a = evaluate(*model, data.pool.train, data.valid, config);
  EXPECT_TRUE(train::global_rng_state().equal(before));
  EXPECT_TRUE(model->is_training());
  const GameMetrics b = evaluate(*model, data.pool.train, data.valid, config);
  EXPECT_EQ(a.accuracy, b.accuracy);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(a.nonzeros, b.nonzeros);
  EXPECT_EQ(a.games, 128);
  EXPECT_EQ(a.language.distinct_supports, b.language.distinct_supports);
  EXPECT_EQ(a.language.topographic_similarity, b.language.topographic_similarity);
  EXPECT_GT(a.language.distinct_symbols, 1);
  EXPECT_LE(a.language.symbol_entropy, std::log2(32.0));
  // A lower temperature gives sparser K-D Hard Concrete messages.
  model->set_temperature(0.3);
  EXPECT_LT(evaluate(*model, data.pool.train, data.valid, config).nonzeros, a.nonzeros);
}

TEST(SignalGameReport, WritesThePicturesAndLeavesTheGeneratorAndModeAlone) {
  TempDir tmp;
  at::manual_seed(6);
  const GameConfig config = tiny_config(Channel::kGaussianSparsemax);
  const GameData data = load_game_data(config);
  GameModel model(config, data.pool.feature_dim());
  model->train();
  const at::Tensor before = train::global_rng_state();
  const std::vector<std::string> columns = {"epoch", "train_accuracy", "valid_accuracy", "train_loss",
                                            "valid_loss"};
  const std::vector<std::vector<double>> rows = {{1, 10, 12, 2.5, 2.4}, {2, 20, std::nan(""), 2.2, 2.1}};
  const std::vector<std::string> written = write_report_figures(*model, data, columns, rows, tmp.path());
  EXPECT_EQ(written,
            (std::vector<std::string>{tmp.file("message_weights.png"), tmp.file("support_sizes.png"),
                                      tmp.file("learning_curves.png"), tmp.file("loss_curves.png")}));
  for (const auto& path : written) EXPECT_TRUE(std::filesystem::exists(path)) << path;
  EXPECT_TRUE(train::global_rng_state().equal(before));
  EXPECT_TRUE(model->is_training());
}

TEST(SignalGameLanguage, SpearmanRanksWithTiesAndTheLanguageMeasures) {
  EXPECT_DOUBLE_EQ(spearman_correlation({1, 2, 3, 4}, {10, 20, 30, 45}), 1.0);
  EXPECT_DOUBLE_EQ(spearman_correlation({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  EXPECT_EQ(spearman_correlation({1, 1, 1}, {1, 2, 3}), 0.0);
  // Ties take average ranks: a = (1, 2.5, 2.5, 4) against b = (1, 2, 3, 4) gives 0.9486832980505138.
  EXPECT_NEAR(spearman_correlation({0, 5, 5, 9}, {1, 2, 3, 4}), 0.9486832980505138, 1e-15);
  // Four targets of two-digit concepts, two of (0, 0) and two of (3, 3), and one-hot messages naming the
  // first digit.
  const at::Tensor digits = at::tensor({0, 0, 0, 0, 3, 3, 3, 3}, at::kLong).view({4, 2});
  const at::Tensor messages = at::one_hot(digits.select(1, 0), 4).to(at::kFloat);
  const LanguageStats s = analyse_language(messages, digits, 400);
  EXPECT_DOUBLE_EQ(s.symbol_entropy, 1.0);  // symbols 0 and 3, twice each
  EXPECT_EQ(s.distinct_symbols, 2);
  EXPECT_EQ(s.distinct_supports, 2);
  // Pairs: concept distances (0, 2, 2, 2, 2, 0), message distances (0, 1, 1, 1, 1, 0): perfectly ordered.
  EXPECT_NEAR(s.topographic_similarity, 1.0, 1e-12);
  // Dense messages share one support; a constant message distance has no correlation.
  const LanguageStats dense = analyse_language(at::full({4, 4}, 0.25), digits, 400);
  EXPECT_EQ(dense.distinct_supports, 1);
  EXPECT_EQ(dense.topographic_similarity, 0.0);
}

TEST(SignalGameConfig, PresetsTemperatureAndJson) {
  const GameConfig paper = make_preset(Channel::kKDHardConcrete, "paper");
  EXPECT_EQ(paper.epochs * paper.steps_per_epoch, 50000);
  EXPECT_EQ(paper.seed, 322);
  EXPECT_EQ(paper.batch_size, 64);
  EXPECT_EQ(paper.game_size, 16);
  EXPECT_EQ(paper.valid_games, 1024);
  EXPECT_EQ(paper.test_games, 9984);
  EXPECT_DOUBLE_EQ(paper.kd_lambda, 1.1);
  EXPECT_DOUBLE_EQ(paper.lr, 1e-3);
  EXPECT_EQ(make_preset(Channel::kGumbelSoftmax, "quick").epochs * 100, 2000);
  for (Channel channel : all_channels())
    for (const char* preset : {"quick", "paper"}) {
      const GameConfig c = make_preset(channel, preset);
      EXPECT_EQ(GameConfig::from_json(c.to_json()).to_json(), c.to_json());
    }
  // The schedule the reference code ran: tau set after every step t with t % 1000 == 0.
  double tau = 1.0;
  for (int64_t t = 0; t < 50000; ++t) {
    ASSERT_DOUBLE_EQ(temperature_at(paper, t), tau) << t;
    if (t % 1000 == 0) tau = std::max(0.5, std::exp(-1e-5 * static_cast<double>(t)));
  }
  EXPECT_NEAR(temperature_at(paper, 49001), std::exp(-0.49), 1e-12);
  EXPECT_EQ(temperature_at(make_preset(Channel::kGaussianSparsemax, "paper"), 49001), 1.0);
  GameConfig authors = paper;
  authors.compat = "authors";
  EXPECT_EQ(evaluation_temperature(authors, 49001, /*final=*/true), 1.0);
  EXPECT_EQ(evaluation_temperature(authors, 49001, /*final=*/false), temperature_at(paper, 49001));
  EXPECT_EQ(evaluation_temperature(paper, 49001, /*final=*/true), temperature_at(paper, 49001));
}

run::RunOptions quiet(const std::string& dir, std::ostream& log) {
  run::RunOptions o;
  o.run_dir = dir;
  o.interactive = false;
  o.log = &log;
  o.figures = false;
  return o;
}

std::string metrics_without_seconds(const std::string& dir) {
  std::stringstream in(io::read_file(dir + "/metrics.csv")), out;
  std::string line;
  std::getline(in, line);
  size_t seconds = 0;
  {
    std::stringstream header(line);
    for (std::string c; std::getline(header, c, ',') && c != "seconds";) ++seconds;
  }
  for (; std::getline(in, line);) {
    std::stringstream row(line);
    size_t i = 0;
    for (std::string v; std::getline(row, v, ','); ++i)
      if (i != seconds) out << v << ',';
    out << '\n';
  }
  return out.str();
}

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

TEST(SignalGameRun, ASlicedRunEqualsAnUninterruptedOneWhileTheTemperatureAnneals) {
  TempDir tmp;
  std::ostringstream log;
  GameConfig config = tiny_config(Channel::kKDHardConcrete);
  config.epochs = 3;
  config.steps_per_epoch = 4;
  config.temperature_interval = 1;
  config.temperature_decay = 0.1;
  ASSERT_TRUE(train_game(config, quiet(tmp.file("whole"), log)).finished);
  run::RunOptions first = quiet(tmp.file("sliced"), log);
  first.stop_after_epoch = 1;
  ASSERT_FALSE(train_game(config, first).finished);
  run::RunOptions rest = quiet(tmp.file("sliced"), log);
  rest.resume = true;
  ASSERT_TRUE(train_game(config, rest).finished);
  const std::string a = metrics_without_seconds(tmp.file("whole"));
  EXPECT_EQ(a, metrics_without_seconds(tmp.file("sliced")));
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 3);
  const auto sa = nlohmann::json::parse(io::read_file(tmp.file("whole/summary.json")));
  const auto sb = nlohmann::json::parse(io::read_file(tmp.file("sliced/summary.json")));
  EXPECT_EQ(sa["test"], sb["test"]);
  EXPECT_EQ(sa["checkpoint"], "best");
  // Evaluating the reported checkpoint repeats the summary.
  const run::RunEvaluation e = evaluate_run(tmp.file("whole"), "test", "best", &log);
  for (const auto& [name, value] : e.evaluation.metrics)
    EXPECT_EQ(value, sa["test"][name].get<double>()) << name;
  bool listed = false;
  for (const auto& i : all_experiments()) listed = listed || (i.name == "signal_game" && i.command == "game");
  EXPECT_TRUE(listed);
}

std::vector<nlohmann::json> read_json_lines(const std::string& path) {
  std::vector<nlohmann::json> lines;
  std::stringstream in(io::read_file(path));
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(SignalGameInteractions, OneJsonLinePerGameWithTheMessagesSupportAndTheReceiversPick) {
  // Two games of three candidates over concepts of two digits (concept c = digits (c / 10, c % 10)).
  const data::Games games{at::tensor({5, 12, 97, 40, 8, 3}, at::kLong).view({2, 3}),
                          at::zeros({2, 3}, at::kLong), at::tensor({2, 0}, at::kLong)};
  const at::Tensor digits =
      at::stack({at::arange(100, at::kLong).div(10, "floor"), at::arange(100, at::kLong) % 10}, 1);
  GamePlays plays{at::tensor({0.0f, 0.1f, 0.0f, 0.9f, 1.0f, 0.0f, 0.0f, 0.0f}).view({2, 4}),
                  at::tensor({2, 1}, at::kLong), at::tensor({1, 0}, at::kLong).to(at::kBool)};
  EXPECT_EQ(
      interactions_jsonl(games, digits, plays),
      "{\"game\":0,\"target\":97,\"target_digits\":[9,7],\"target_position\":2,\"candidates\":[5,12,97],"
      "\"symbols\":[1,3],\"weights\":[0.1,0.9],\"choice\":2,\"chosen\":97,\"correct\":true}\n"
      "{\"game\":1,\"target\":40,\"target_digits\":[4,0],\"target_position\":0,\"candidates\":[40,8,3],"
      "\"symbols\":[0],\"weights\":[1.0],\"choice\":1,\"chosen\":8,\"correct\":false}\n");
  // The weights read back as the message's floats.
  plays.messages = at::tensor({0.0f, 1.0f / 3, 0.0f, 2.0f / 3, 0.3f, 0.7f, 0.0f, 0.0f}).view({2, 4});
  std::stringstream lines(interactions_jsonl(games, digits, plays));
  std::string first;
  std::getline(lines, first);
  EXPECT_NE(first.find("\"weights\":[0.33333334,0.6666667]"), std::string::npos) << first;
  const auto w = nlohmann::json::parse(first)["weights"];
  EXPECT_EQ(static_cast<float>(w[0].get<double>()), 1.0f / 3);
  EXPECT_EQ(static_cast<float>(w[1].get<double>()), 2.0f / 3);
  plays.choices = plays.choices.slice(0, 0, 1);
  expect_error_containing([&] { interactions_jsonl(games, digits, plays); },
                          "one message, choice and outcome for each of the 2 games");
}

TEST(SignalGameInteractions, TheRunLogsEveryTestGameAsItsSummaryCountsThem) {
  TempDir tmp;
  std::ostringstream log;
  GameConfig config = tiny_config(Channel::kKDHardConcrete);
  config.epochs = 2;
  config.steps_per_epoch = 4;
  const std::string dir = tmp.file("run");
  ASSERT_TRUE(train_game(config, quiet(dir, log)).finished);  // quiet: no figures, the logs all the same
  EXPECT_NE(log.str().find("wrote " + dir + "/interactions_test.jsonl"), std::string::npos) << log.str();
  const auto summary = nlohmann::json::parse(io::read_file(dir + "/summary.json"));
  const GameData data = load_game_data(config);
  for (const std::string split : {"test", "valid"}) {
    const std::vector<nlohmann::json> lines = read_json_lines(dir + "/interactions_" + split + ".jsonl");
    const data::Games& games = data.games(split);
    ASSERT_EQ(static_cast<int64_t>(lines.size()), games.size()) << split;
    double correct = 0, nonzeros = 0;
    for (size_t n = 0; n < lines.size(); ++n) {
      const nlohmann::json& j = lines[n];
      const auto b = static_cast<int64_t>(n);
      ASSERT_EQ(j["game"].get<int64_t>(), b);
      const auto candidates = j["candidates"].get<std::vector<int64_t>>();
      ASSERT_EQ(static_cast<int64_t>(candidates.size()), config.game_size);
      for (int64_t k = 0; k < config.game_size; ++k)
        EXPECT_EQ(candidates[k], games.concepts[b][k].item<int64_t>());
      const int64_t position = j["target_position"].get<int64_t>();
      EXPECT_EQ(position, games.labels[b].item<int64_t>());
      const int64_t target = j["target"].get<int64_t>();
      EXPECT_EQ(target, candidates[position]);
      EXPECT_EQ(j["target_digits"].get<std::vector<int64_t>>(),
                (std::vector<int64_t>{data.pool.concept_digits[target][0].item<int64_t>(),
                                      data.pool.concept_digits[target][1].item<int64_t>()}));
      const auto symbols = j["symbols"].get<std::vector<int64_t>>();
      const auto weights = j["weights"].get<std::vector<double>>();
      ASSERT_EQ(symbols.size(), weights.size());
      ASSERT_FALSE(symbols.empty());
      double total = 0;
      for (size_t i = 0; i < symbols.size(); ++i) {
        EXPECT_TRUE(symbols[i] >= 0 && symbols[i] < config.vocab);
        if (i > 0) {
          EXPECT_LT(symbols[i - 1], symbols[i]);
        }
        EXPECT_GT(weights[i], 0.0);
        total += weights[i];
      }
      EXPECT_NEAR(total, 1.0, 1e-5);
      const int64_t choice = j["choice"].get<int64_t>();
      ASSERT_TRUE(choice >= 0 && choice < config.game_size);
      EXPECT_EQ(j["chosen"].get<int64_t>(), candidates[choice]);
      EXPECT_EQ(j["correct"].get<bool>(), choice == position);
      correct += j["correct"].get<bool>() ? 1 : 0;
      nonzeros += static_cast<double>(symbols.size());
    }
    // The same counts as the reported evaluation, to the last bit.
    const double N = static_cast<double>(lines.size());
    EXPECT_EQ(100.0 * correct / N, summary[split]["accuracy"].get<double>()) << split;
    EXPECT_EQ(nonzeros / N, summary[split]["nonzeros"].get<double>()) << split;
    // K-D Hard Concrete at initialisation: sparse, but not one-hot.
    EXPECT_GT(nonzeros / N, 1.0) << split;
    EXPECT_LT(nonzeros / N, config.vocab) << split;
  }
  // `mixdist eval` of the reported checkpoint logs the same games, under its own name.
  const run::RunEvaluation e = evaluate_run(dir, "test", "best", &log);
  EXPECT_EQ(e.evaluation_logs, std::vector<std::string>{dir + "/interactions_test_best.jsonl"});
  EXPECT_EQ(io::read_file(dir + "/interactions_test_best.jsonl"),
            io::read_file(dir + "/interactions_test.jsonl"));
}

TEST(SignalGameSteps, StepsPlanWholeEpochsAndAResumedRunKeepsItsStepsPerEpoch) {
  TempDir tmp;
  std::ostringstream log;
  EXPECT_EQ(run::epochs_for_steps(50000, 100), 500);
  EXPECT_EQ(run::epochs_for_steps(400, 100, 4), 4);
  expect_error_containing([] { run::epochs_for_steps(250, 100); },
                          "--steps 250 is not a positive multiple of the 100 steps per epoch");
  expect_error_containing([] { run::epochs_for_steps(0, 100); }, "--steps 0 is not a positive multiple");
  expect_error_containing([] { run::epochs_for_steps(-100, 100); },
                          "--steps -100 is not a positive multiple");
  expect_error_containing(
      [] { run::epochs_for_steps(400, 100, 3); },
      "--steps 400 and --epochs 3 disagree: at 100 steps per epoch, --steps 400 is --epochs 4");

  // A new run: --steps 8 at 4 steps per epoch is --epochs 2.
  GameConfig config = tiny_config(Channel::kGaussianSparsemax);
  config.steps_per_epoch = 4;
  run::RunOptions options = quiet(tmp.file("run"), log);
  const std::string planned = run::plan_steps(config.to_json(), "steps_per_epoch", 8, options);
  EXPECT_EQ(GameConfig::from_json(planned).epochs, 2);
  EXPECT_EQ(options.explicit_settings.at("epochs"), "--steps 8, i.e. --epochs");
  const run::RunResult r = run::train(info(), planned, options);
  ASSERT_TRUE(r.finished);
  EXPECT_EQ(r.steps, 8);
  EXPECT_EQ(r.epochs_completed, 2);
  // An --epochs that agrees is accepted, one that does not is refused.
  run::RunOptions both = quiet(tmp.file("other"), log);
  both.explicit_settings["epochs"] = "--epochs";
  GameConfig two = config;
  two.epochs = 2;
  EXPECT_EQ(GameConfig::from_json(run::plan_steps(two.to_json(), "steps_per_epoch", 8, both)).epochs, 2);
  two.epochs = 3;
  expect_error_containing([&] { run::plan_steps(two.to_json(), "steps_per_epoch", 8, both); },
                          "--steps 8 and --epochs 3 disagree");

  // Resumed: the steps count at the run's own 4 steps per epoch, not the preset's 100; 16 steps extend it
  // to 4 epochs, as --epochs 4 does.
  const GameConfig preset = make_preset(Channel::kGaussianSparsemax, "quick");
  run::RunOptions resume = quiet(tmp.file("run"), log);
  resume.resume = true;
  expect_error_containing([&] { run::plan_steps(preset.to_json(), "steps_per_epoch", 10, resume); },
                          "--steps 10 is not a positive multiple of the 4 steps per epoch");
  const std::string extended = run::plan_steps(preset.to_json(), "steps_per_epoch", 16, resume);
  const run::RunResult more = run::train(info(), extended, resume);
  ASSERT_TRUE(more.finished);
  EXPECT_EQ(more.steps, 16);
  EXPECT_EQ(more.epochs_completed, 4);
  EXPECT_EQ(GameConfig::from_json(io::read_file(tmp.file("run/config.json"))).epochs, 4);
  // Below the completed steps: refused as --epochs is, in the words of --steps.
  run::RunOptions shorter = quiet(tmp.file("run"), log);
  shorter.resume = true;
  const std::string three = run::plan_steps(preset.to_json(), "steps_per_epoch", 12, shorter);
  expect_error_containing([&] { run::train(info(), three, shorter); },
                          "with --steps 12, i.e. --epochs 3: it has already completed epoch 4");
}

#ifdef MIXDIST_CLI
// Runs the real `mixdist` with `args`, its output into `log`; its exit code.
int run_cli(const std::string& args, const std::string& log) {
  const int status =
      std::system((std::string(MIXDIST_CLI) + " --threads 2 " + args + " > " + log + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SignalGameCli, StepsOnTheCommandLineAreEpochsInStepsAndBadOnesAreRefusedByName) {
  TempDir tmp;
  const std::string dir = tmp.file("run"), log = tmp.file("log");
  // Refused before anything is loaded or written.
  EXPECT_EQ(run_cli("train game --channel gs --steps 250 --out " + dir, log), 1);
  EXPECT_NE(io::read_file(log).find("--steps 250 is not a positive multiple of the 100 steps per epoch"),
            std::string::npos)
      << io::read_file(log);
  EXPECT_EQ(run_cli("train game --channel gs --steps 400 --epochs 3 --out " + dir, log), 1);
  EXPECT_NE(io::read_file(log).find("--steps 400 and --epochs 3 disagree"), std::string::npos)
      << io::read_file(log);
  EXPECT_FALSE(std::filesystem::exists(dir));
  // The experiments without --steps refuse it, and run as before without it.
  EXPECT_NE(run_cli("train vae --latent gaussian --steps 4 --out " + dir, log), 0);
  EXPECT_NE(io::read_file(log).find("--steps"), std::string::npos) << io::read_file(log);
  EXPECT_EQ(run_cli("train vae --latent gaussian --preset nonesuch --out " + dir, log), 1);
  EXPECT_NE(io::read_file(log).find("unknown preset 'nonesuch'"), std::string::npos) << io::read_file(log);
  try {
    data::locate_mnist(data::Split::kTest);
  } catch (const c10::Error& e) {
    GTEST_SKIP() << "MNIST not available: " << e.what_without_backtrace();
  }
  // 4 steps at 2 per epoch, then --resume --steps 6 at the run's own 2 per epoch, then a refused shortening.
  const std::string game =
      "train game --channel gaussian-sparsemax --no-figures --validate-every 0 --out " + dir;
  ASSERT_EQ(run_cli(game + " --steps-per-epoch 2 --steps 4", log), 0) << io::read_file(log);
  EXPECT_EQ(GameConfig::from_json(io::read_file(dir + "/config.json")).epochs, 2);
  EXPECT_EQ(nlohmann::json::parse(io::read_file(dir + "/summary.json"))["steps"], 4);
  EXPECT_TRUE(std::filesystem::exists(dir + "/interactions_test.jsonl"));
  ASSERT_EQ(run_cli(game + " --resume --steps 6", log), 0) << io::read_file(log);
  EXPECT_EQ(GameConfig::from_json(io::read_file(dir + "/config.json")).epochs, 3);
  EXPECT_EQ(nlohmann::json::parse(io::read_file(dir + "/summary.json"))["steps"], 6);
  EXPECT_EQ(run_cli(game + " --resume --steps 2", log), 1);
  EXPECT_NE(io::read_file(log).find("with --steps 2, i.e. --epochs 1: it has already completed epoch 3"),
            std::string::npos)
      << io::read_file(log);
}
#endif

TEST(SignalGameRun, BadInputIsOneClearMessageAndLeavesNoRunFolder) {
  TempDir tmp;
  std::ostringstream log;
  expect_error_containing([] { make_preset(parse_channel("gumbel"), "quick"); },
                          "unknown channel 'gumbel'; valid channels: gs, gs-st, kd-hard-concrete, "
                          "gaussian-sparsemax");
  // Missing MNIST: the error names the command that fetches it, and nothing is written.
  GameConfig real = make_preset(Channel::kGumbelSoftmax, "quick");
  std::filesystem::create_directories(tmp.file("empty-data"));
  real.data_dir = tmp.file("empty-data");
  expect_error_containing([&] { train_game(real, quiet(tmp.file("no-data-run"), log)); }, "make data");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("no-data-run")));
  // A run folder of another experiment.
  std::filesystem::create_directories(tmp.file("vae-run"));
  io::write_file_atomically(tmp.file("vae-run/config.json"),
                            "{\"experiment\": \"vae_mnist\", \"latent\": \"gaussian\", \"seed\": 10}");
  run::RunOptions resume = quiet(tmp.file("vae-run"), log);
  resume.resume = true;
  expect_error_containing([&] { train_game(tiny_config(Channel::kGumbelSoftmax), resume); },
                          "belongs to experiment 'vae_mnist', not 'signal_game'");
  expect_error_containing([&] { evaluate_run(tmp.file("vae-run"), "test", "last", &log); },
                          "belongs to experiment 'vae_mnist', not 'signal_game'");
  // An impossible setting names itself.
  GameConfig big = tiny_config(Channel::kGumbelSoftmax);
  big.game_size = 101;
  expect_error_containing([&] { train_game(big, quiet(tmp.file("big"), log)); },
                          "game_size must be in [2, concepts = 100]");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("big")));
}

}  // namespace
}  // namespace mixdist::experiments::signal_game
