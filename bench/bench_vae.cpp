// Speed of the MNIST VAE (docs/performance.md#mnist-vae) at the paper's shape: batch 100, hidden 500, latent
// 10.
//   vae/train_step/<latent>: one full training step (objective, backward, clipping, both Adam steps);
//   vae/valid_batch/<latent>: one validation batch: 100 importance samples per image + the D/R pass;
//   vae/train_step/autoencoder/fused:1: the same MLPs as a deterministic autoencoder (no latent machinery),
//   the baseline measured in the same run, so the ratio to it reads as the cost of the latent variable;
//   fused:0 is the same step with LibTorch's own Adam and clip_grad_norm_ (what mixdist's fused optimiser
//   step saves).
// Inputs are binarised synthetic images: the networks' cost does not depend on the pixels. Filter with
// --benchmark_filter=vae/. These run on 2 threads, the setting of the authors' figures of
// docs/performance.md#mnist-vae (the benchmark binary's main sets 1 thread for the sparse-map tables).
// clip_grad.h uses torch::Tensor without including its definition.
#include <torch/types.h>

#include <ATen/ATen.h>
#include <benchmark/benchmark.h>
#include <torch/nn/utils/clip_grad.h>

#include <memory>

#include "mixdist/data/synthetic.h"
#include "mixdist/experiments/vae_mnist/data.h"
#include "mixdist/experiments/vae_mnist/vae.h"
#include "mixdist/train/clip_grad_norm.h"
#include "mixdist/train/fused_adam.h"
#include "mixdist/train/process_setup.h"
#include "scoped_threads.h"

namespace {

namespace vae = mixdist::experiments::vae_mnist;

constexpr int kThreads = 2;

// As the mixdist CLI does before training (train/process_setup.h: denormal flushing, an allocator that keeps
// freed memory), on kThreads threads for the duration of one benchmark.
class TrainingSetup {
 public:
  TrainingSetup() { mixdist::train::configure_process_for_training(); }

 private:
  mixdist::bench::ScopedThreads threads_{kThreads};
};

std::unique_ptr<torch::optim::Adam> make_adam(bool fused, std::vector<at::Tensor> params,
                                              const torch::optim::AdamOptions& options) {
  if (fused) return std::make_unique<mixdist::train::FusedAdam>(std::move(params), options);
  return std::make_unique<torch::optim::Adam>(std::move(params), options);
}

vae::VaeConfig paper_config(int64_t latent_index) {
  return vae::make_preset(vae::all_latent_types().at(latent_index), "paper");
}

void BM_VaeTrainStep(benchmark::State& state) {
  const vae::VaeConfig config = paper_config(state.range(0));
  state.SetLabel(vae::latent_name(config.latent));
  const TrainingSetup setup;
  at::manual_seed(0);
  vae::VaeModel model(config);
  mixdist::train::FusedAdam gen(model->decoder()->parameters(), torch::optim::AdamOptions(config.gen_lr));
  mixdist::train::FusedAdam inf(model->encoder()->parameters(),
                                torch::optim::AdamOptions(config.inf_lr).weight_decay(config.inf_l2));
  const at::Tensor grey = mixdist::data::make_synthetic_images(config.batch_size, 0);
  const auto params = model->parameters();
  for (auto _ : state) {
    const vae::Objective o = model->objective(vae::binarize(grey));
    gen.clear_grad();
    inf.clear_grad();
    o.loss.backward();
    mixdist::train::clip_grad_norm(params, config.grad_clip);
    inf.step();
    gen.step();
  }
  state.counters["steps/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_VaeTrainStep)
    ->Name("vae/train_step")
    ->DenseRange(0, 5)
    ->ArgName("latent")
    ->Unit(benchmark::kMillisecond);

void BM_AutoencoderTrainStep(benchmark::State& state) {
  const vae::VaeConfig config = paper_config(0);
  const TrainingSetup setup;
  at::manual_seed(0);
  vae::Encoder encoder(vae::kImagePixels, config.hidden, std::vector<int64_t>{config.latent_dim}, 0.0, false);
  vae::Decoder decoder(config.latent_dim, config.hidden, vae::kImagePixels);
  const bool fused = state.range(0) != 0;
  auto gen = make_adam(fused, decoder->parameters(), torch::optim::AdamOptions(1e-3));
  auto inf = make_adam(fused, encoder->parameters(), torch::optim::AdamOptions(1e-3));
  const at::Tensor grey = mixdist::data::make_synthetic_images(config.batch_size, 0);
  auto params = encoder->parameters();
  for (const auto& p : decoder->parameters()) params.push_back(p);
  for (auto _ : state) {
    const at::Tensor x = vae::binarize(grey);
    const at::Tensor loss = -decoder->log_likelihood(x, encoder->forward(x)[0]).mean();
    if (fused) {
      static_cast<mixdist::train::FusedAdam&>(*gen).clear_grad();
      static_cast<mixdist::train::FusedAdam&>(*inf).clear_grad();
    } else {
      gen->zero_grad();
      inf->zero_grad();
    }
    loss.backward();
    if (fused)
      mixdist::train::clip_grad_norm(params, config.grad_clip);
    else
      torch::nn::utils::clip_grad_norm_(params, config.grad_clip);
    inf->step();
    gen->step();
  }
  state.counters["steps/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AutoencoderTrainStep)
    ->Name("vae/train_step/autoencoder")
    ->Arg(0)
    ->Arg(1)
    ->ArgName("fused")
    ->Unit(benchmark::kMillisecond);

void BM_VaeValidationBatch(benchmark::State& state) {
  const vae::VaeConfig config = paper_config(state.range(0));
  state.SetLabel(vae::latent_name(config.latent));
  const TrainingSetup setup;
  at::manual_seed(0);
  vae::VaeModel model(config);
  model->eval();
  const at::Tensor grey = mixdist::data::make_synthetic_images(config.eval_batch_size, 0);
  for (auto _ : state) {
    at::NoGradGuard no_grad;
    const at::Tensor x = vae::binarize(grey);
    benchmark::DoNotOptimize(model->estimate_log_marginal(x, state.range(1)).data_ptr());
    benchmark::DoNotOptimize(model->objective(x).loss.data_ptr());
  }
}
BENCHMARK(BM_VaeValidationBatch)
    ->Name("vae/valid_batch")
    ->ArgsProduct({benchmark::CreateDenseRange(0, 5, 1), {100}})
    ->Args({4, 1000})
    ->ArgNames({"latent", "is"})
    ->Unit(benchmark::kMillisecond);

}  // namespace
