// Speed of the Fashion-MNIST bit-vector VAE at the paper's shape (batch 64, 128 bits, hidden 128, 784 pixels
// x 256 levels), fused likelihood kernel (fused:1) against the same model with the likelihood written in ATen
// ops (fused:0, which materialises the [rows, 784, 256] logits as the authors' code does), measured in the
// same run on 2 threads:
//   bitvae/train_step/<latent>/fused:F   one training step (objective, backward, Adam), B = 64;
//   bitvae/is_chunk/<latent>/fused:F     one importance-sampling chunk of the evaluation: 64 images x 16
//                                        samples; the counter images_per_s_at_1024 is the evaluation's
//                                        throughput in images per second at 1024 samples per image.
// Inputs are synthetic bytes: the cost does not depend on the pixels. Filter with --benchmark_filter=bitvae/.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include "mixdist/data/synthetic.h"
#include "mixdist/experiments/bitvector_vae/model.h"
#include "mixdist/train/fused_adam.h"
#include "mixdist/train/process_setup.h"
#include "scoped_threads.h"

namespace {

namespace bitvae = mixdist::experiments::bitvector_vae;

constexpr int kThreads = 2;

struct Setup {
  explicit Setup(const benchmark::State& state)
      : config(bitvae::make_preset(bitvae::all_latents().at(state.range(0)), "paper")) {
    mixdist::train::configure_process_for_training();
    at::manual_seed(0);
    model = bitvae::BitVaeModel(config);
    model->decoder()->set_fused_likelihood(state.range(1) != 0);
    model->set_temperature(0.7);
    x = mixdist::data::make_synthetic_images(config.batch_size, 0).mul(255).round().to(at::kByte);
  }
  mixdist::bench::ScopedThreads threads{kThreads};
  bitvae::BitVaeConfig config;
  bitvae::BitVaeModel model{nullptr};
  at::Tensor x;
};

void BM_BitVaeTrainStep(benchmark::State& state) {
  Setup s(state);
  state.SetLabel(bitvae::latent_name(s.config.latent));
  mixdist::train::FusedAdam adam(s.model->parameters(), torch::optim::AdamOptions(s.config.lr));
  for (auto _ : state) {
    const bitvae::BitVaeObjective o = s.model->objective(s.x);
    adam.clear_grad();
    o.loss.backward();
    adam.step();
  }
}

void BM_BitVaeImportanceChunk(benchmark::State& state) {
  Setup s(state);
  state.SetLabel(bitvae::latent_name(s.config.latent));
  s.model->eval();
  for (auto _ : state) benchmark::DoNotOptimize(s.model->estimate_log_marginal(s.x, 16, 16));
  // Each iteration is 16 of the 1024 samples of 64 images.
  state.counters["images_per_s_at_1024"] =
      benchmark::Counter(64.0 * 16.0 / 1024.0, benchmark::Counter::kIsIterationInvariantRate);
}

void LatentsAndKernels(benchmark::internal::Benchmark* b) {
  b->ArgNames({"latent", "fused"});
  for (int64_t latent = 0; latent < 5; ++latent)
    for (int64_t fused : {0, 1}) b->Args({latent, fused});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_BitVaeTrainStep)->Name("bitvae/train_step")->Apply(LatentsAndKernels);
BENCHMARK(BM_BitVaeImportanceChunk)->Name("bitvae/is_chunk")->Apply(LatentsAndKernels)->MinTime(2.0);

}  // namespace
