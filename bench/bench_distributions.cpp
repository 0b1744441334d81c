// Throughput of the mixed distributions at the MNIST VAE's shape (batch 100) and beyond, each next to a
// baseline measured in the same run: Dirichlet.log_prob + KL(Dirichlet || Dirichlet) for the Mixed Dirichlet
// rows, randn of the same shape for the Gaussian-Sparsemax sampler. Registered with the other benchmarks
// (bench_sparse_maps.cpp owns main); filter with --benchmark_filter=dist/.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include "mixdist/distributions/dirichlet.h"
#include "mixdist/distributions/gaussian_sparsemax.h"
#include "mixdist/distributions/mixed_dirichlet.h"
#include "mixdist/distributions/mixed_max_ent_dirichlet_prior.h"

namespace {

constexpr int64_t kBatch = 100;

// Mixed Dirichlet posterior log_prob of its own sample plus KL+ to the VAE prior (MaxEnt faces x Dir(1)).
// mc = 0: exact, enumerating the faces (K <= 24); mc > 0: the Monte Carlo estimate over mc sampled faces.
void BM_MixedDirichletLogProbAndKL(benchmark::State& state) {
  const int64_t K = state.range(0);
  at::manual_seed(0);
  const at::Tensor scores = at::randn({kBatch, K}, at::kDouble).clamp(-10, 10);
  const at::Tensor conc = at::softplus(at::randn({kBatch, K}, at::kDouble)).clamp(1e-3, 1e3);
  const mixdist::MixedDirichlet q(mixdist::MixedDirichletOptions().scores(scores).concentration(conc));
  const mixdist::MixedMaxEntDirichletPrior prior(K, 0.0, mixdist::MaxEntropyFacesVariant::kAuthors);
  const mixdist::FacedSample y = q.rsample_with_face();
  const int64_t mc = state.range(1);
  for (auto _ : state) {
    at::Tensor lp = q.log_prob(y.value, y.face);
    at::Tensor kl =
        mc == 0 ? mixdist::kl_divergence(q, prior) : mixdist::kl_divergence_mc(q, prior, mc).value;
    benchmark::DoNotOptimize(lp.data_ptr());
    benchmark::DoNotOptimize(kl.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_MixedDirichletLogProbAndKL)
    ->Name("dist/mixed_dirichlet_logprob_kl")
    ->Args({10, 0})
    ->Args({16, 0})
    ->Args({100, 2})
    ->Args({100, 100})
    ->ArgNames({"K", "mc"})
    ->Unit(benchmark::kMicrosecond);

void BM_DirichletLogProbAndKL(benchmark::State& state) {
  const int64_t K = state.range(0);
  at::manual_seed(0);
  const mixdist::Dirichlet q(at::softplus(at::randn({kBatch, K}, at::kDouble)).clamp(1e-3, 1e3));
  const mixdist::Dirichlet prior(at::ones({kBatch, K}, at::kDouble));
  const at::Tensor y = q.sample();
  for (auto _ : state) {
    benchmark::DoNotOptimize(q.log_prob(y).data_ptr());
    benchmark::DoNotOptimize(mixdist::kl_divergence(q, prior).data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_DirichletLogProbAndKL)
    ->Name("dist/dirichlet_logprob_kl")
    ->Arg(10)
    ->Arg(16)
    ->Arg(100)
    ->Unit(benchmark::kMicrosecond);

// Gaussian-Sparsemax rsample + log_prob of the sample (default options: the adaptive Gauss–Kronrod CDF
// integral).
void BM_GaussianSparsemaxRsampleLogProb(benchmark::State& state) {
  const int64_t K = state.range(0);
  at::manual_seed(0);
  const mixdist::GaussianSparsemax q(at::randn({kBatch, K}, at::kDouble), at::ones({kBatch, K}, at::kDouble));
  for (auto _ : state) {
    at::Tensor y = q.rsample();
    benchmark::DoNotOptimize(q.log_prob(y).data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_GaussianSparsemaxRsampleLogProb)
    ->Name("dist/gaussian_sparsemax_rsample_logprob")
    ->Arg(10)
    ->Arg(16)
    ->Arg(100)
    ->Unit(benchmark::kMicrosecond);

void BM_Randn(benchmark::State& state) {
  const int64_t K = state.range(0);
  for (auto _ : state) benchmark::DoNotOptimize(at::randn({kBatch, K}, at::kDouble).data_ptr());
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_Randn)->Name("dist/randn")->Arg(10)->Arg(16)->Arg(100)->Unit(benchmark::kMicrosecond);

}  // namespace
