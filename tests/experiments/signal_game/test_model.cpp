// The signal game's model (experiments/signal_game/model): what the sender sees and the loss, what each
// channel sends at initialisation (one symbol for ST, all V for Gumbel-Softmax, a sparse support for the
// sparsemax channels), every channel learns a separable toy pool, and the fused sender block
// (nn::sigmoid_pool) inside the game model agrees with the same function in ATen ops for every channel.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

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
#include "mixdist/nn/sigmoid_pool.h"
#include "mixdist/train/fused_adam.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/rng_state.h"
#include "temp_dir.h"
#include "test_util.h"
#include "tiny_game.h"

namespace mixdist::experiments::signal_game {
namespace {

using mixdist::testing::ThreadCountGuard;

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

}  // namespace
}  // namespace mixdist::experiments::signal_game

namespace mixdist {
namespace {

using testing::max_abs_diff;
using testing::ThreadCountGuard;

namespace game = experiments::signal_game;

// One game batch through the model with the fused sender and through a copy with the ATen-ops sender, the
// channel's noise drawn from the same seed: loss, receiver output and every parameter gradient agree.
void expect_fused_game_matches_aten(game::Channel channel, at::ScalarType dtype, double tolerance) {
  game::GameConfig config = game::make_preset(channel, "paper");
  const int64_t F = 300, B = 16;
  at::manual_seed(3);
  game::GameModel fused(config, F), aten(config, F);
  {
    at::NoGradGuard no_grad;
    fused->to(dtype);
    aten->to(dtype);
    const auto src = fused->parameters(), dst = aten->parameters();
    for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
  }
  aten->sender()->set_fused(false);
  fused->set_temperature(0.7);
  aten->set_temperature(0.7);
  at::Tensor candidates = at::randn({B, config.game_size, F}, at::kDouble);
  candidates = (candidates / candidates.norm(2, -1, /*keepdim=*/true)).to(dtype);
  const at::Tensor labels = at::randint(config.game_size, {B}, at::kLong);
  game::GameOutput out[2];
  game::GameModel* models[2] = {&aten, &fused};
  for (int i = 0; i < 2; ++i) {
    at::manual_seed(11);
    out[i] = (*models[i])->play(candidates, labels);
    out[i].loss.backward();
  }
  const std::string what = game::channel_name(channel) + (dtype == at::kFloat ? " float" : " double");
  EXPECT_NEAR(out[1].loss.item<double>(), out[0].loss.item<double>(), tolerance) << what;
  EXPECT_LE(max_abs_diff(out[1].logits, out[0].logits), tolerance) << what;
  EXPECT_LE(max_abs_diff(out[1].message, out[0].message), tolerance) << what;
  EXPECT_LE(max_abs_diff(out[1].log_probs, out[0].log_probs), tolerance) << what;
  const auto named_fused = fused->named_parameters(), named_aten = aten->named_parameters();
  for (const auto& p : named_fused) {
    const at::Tensor& reference = named_aten[p.key()].grad();
    ASSERT_TRUE(p.value().grad().defined()) << what << " " << p.key();
    EXPECT_LE(max_abs_diff(p.value().grad(), reference),
              tolerance * (1 + reference.abs().max().item<double>()))
        << what << " " << p.key();
  }
}

TEST(SignalGameSpeedPaths, FusedSenderMatchesAtenOpsForEveryChannelInFloat) {
  for (const game::Channel channel : game::all_channels())
    expect_fused_game_matches_aten(channel, at::kFloat, 1e-5);
}

TEST(SignalGameSpeedPaths, FusedSenderMatchesAtenOpsForEveryChannelInDouble) {
  for (const game::Channel channel : game::all_channels())
    expect_fused_game_matches_aten(channel, at::kDouble, 1e-12);
}

}  // namespace
}  // namespace mixdist
