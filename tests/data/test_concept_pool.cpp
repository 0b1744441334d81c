// data/concept_pool: the signal game's concept pool and its games are pure functions of the data and their
// seeds (the same for every thread count), games hold distinct concepts and their label points at the target.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "../experiments/signal_game/tiny_game.h"
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
using mixdist::testing::ThreadCountGuard;

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

}  // namespace
}  // namespace mixdist::experiments::signal_game
