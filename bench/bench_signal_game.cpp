// Speed of the signal game at the paper's shape (batch 64, 16 candidates, F = 2352 pixel features, E = 256,
// H = 512, V = 256), per channel, on 2 threads, the sender's fused sigmoid block (fused:1, nn::sigmoid_pool)
// against the same model with that block in ATen ops (fused:0, which materialises the [64, 512, 256] hidden
// tensor as the authors' code does), measured in the same run:
//   game/train_step/<channel>/fused:F   one training step (play, backward, Adam);
//   game/eval_step/<channel>/fused:F    one evaluation batch of 64 games (no gradients);
//   game/sender_block/fused:F           the sigmoid block alone, forward and backward, to see its share.
//   game/piece/<channel>/fused:1/piece:P the sender (P = 0), the channel (1) or the receiver (2) alone,
//                                        forward and backward.
// Inputs are random unit vectors: the cost does not depend on the pixels. Filter with
// --benchmark_filter=game/. On a machine shared with other busy processes, also run it with
// OMP_WAIT_POLICY=passive: libgomp's default spin-waiting then costs more than the step itself (measured here
// under load: 17 ms fused steps became 50 to 200 ms).
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>
#include <torch/csrc/autograd/autograd.h>

#include "mixdist/experiments/signal_game/channel.h"
#include "mixdist/experiments/signal_game/model.h"
#include "mixdist/nn/sigmoid_pool.h"
#include "mixdist/train/fused_adam.h"
#include "mixdist/train/process_setup.h"
#include "scoped_threads.h"

namespace {

namespace game = mixdist::experiments::signal_game;

constexpr int kThreads = 2;
constexpr int64_t kFeatures = 2352;

struct Setup {
  explicit Setup(const benchmark::State& state)
      : config(game::make_preset(game::all_channels().at(state.range(0)), "paper")) {
    mixdist::train::configure_process_for_training();
    at::manual_seed(0);
    model = game::GameModel(config, kFeatures);
    model->sender()->set_fused(state.range(1) != 0);
    model->set_temperature(0.7);
    const int64_t B = config.batch_size, G = config.game_size;
    candidates = at::randn({B, G, kFeatures});
    candidates /= candidates.norm(2, -1, /*keepdim=*/true);
    labels = at::randint(G, {B}, at::kLong);
  }
  mixdist::bench::ScopedThreads threads{kThreads};
  game::GameConfig config;
  game::GameModel model{nullptr};
  at::Tensor candidates, labels;
};

void BM_GameTrainStep(benchmark::State& state) {
  Setup s(state);
  state.SetLabel(game::channel_name(s.config.channel));
  mixdist::train::FusedAdam adam(s.model->parameters(), torch::optim::AdamOptions(s.config.lr));
  for (auto _ : state) {
    const game::GameOutput o = s.model->play(s.candidates, s.labels);
    adam.clear_grad();
    o.loss.backward();
    adam.step();
  }
}

void BM_GameEvalStep(benchmark::State& state) {
  Setup s(state);
  state.SetLabel(game::channel_name(s.config.channel));
  s.model->eval();
  at::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(s.model->play(s.candidates, s.labels).correct);
}

void BM_SenderBlock(benchmark::State& state) {
  mixdist::train::configure_process_for_training();
  mixdist::bench::ScopedThreads threads{kThreads};
  at::manual_seed(0);
  const at::Tensor e = at::randn({64, 256}).requires_grad_(true);
  const at::Tensor w2 = at::empty({512}).uniform_(-1, 1).requires_grad_(true);
  const at::Tensor w3 = at::empty({512}).uniform_(-1, 1).div_(std::sqrt(512.0)).requires_grad_(true);
  const at::Tensor g = at::randn({64, 256});
  const bool fused = state.range(0) != 0;
  for (auto _ : state) {
    const at::Tensor out =
        fused ? mixdist::nn::sigmoid_pool(e, w2, w3) : mixdist::nn::sigmoid_pool_reference(e, w2, w3);
    benchmark::DoNotOptimize(torch::autograd::grad({out}, {e, w2, w3}, {g}));
  }
}

// The pieces of a training step, forward and backward, fused sender: sender, channel, receiver.
void BM_GamePiece(benchmark::State& state) {
  Setup s(state);
  const int64_t piece = state.range(2);
  state.SetLabel(game::channel_name(s.config.channel) + (piece == 0   ? " sender"
                                                         : piece == 1 ? " channel"
                                                                      : " receiver"));
  const int64_t B = s.config.batch_size;
  const at::Tensor targets = s.candidates.select(1, 0).contiguous();
  const at::Tensor logits = at::randn({B, s.config.vocab}).requires_grad_(true);
  const at::Tensor message = at::softmax(at::randn({B, s.config.vocab}), 1).requires_grad_(true);
  const auto channel = game::make_channel(s.config);
  for (auto _ : state) {
    at::Tensor out;
    if (piece == 0) out = s.model->sender()->forward(targets);
    if (piece == 1) out = channel->send(logits, 0.7);
    if (piece == 2) out = s.model->receiver()->forward(s.candidates, message);
    out.sum().backward();
  }
}

void ChannelsAndKernels(benchmark::internal::Benchmark* b) {
  b->ArgNames({"channel", "fused"});
  for (int64_t channel = 0; channel < static_cast<int64_t>(game::all_channels().size()); ++channel)
    for (int64_t fused : {0, 1}) b->Args({channel, fused});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_GameTrainStep)->Name("game/train_step")->Apply(ChannelsAndKernels);
BENCHMARK(BM_GameEvalStep)->Name("game/eval_step")->Apply(ChannelsAndKernels);
BENCHMARK(BM_GamePiece)
    ->Name("game/piece")
    ->ArgNames({"channel", "fused", "piece"})
    ->ArgsProduct({{0, 1, 2, 3}, {1}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SenderBlock)
    ->Name("game/sender_block")
    ->ArgName("fused")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
