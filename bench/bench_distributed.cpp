// Data-parallel training steps (docs/distributed.md#measured): each experiment's model at the paper's shape
// and batch, its global batch split over 1 or 2 ranks of one intra-op thread each, the gradients summed by
// distributed::GradientAllReducer over Gloo on 127.0.0.1, then the Adam step.
//   dp/<experiment>/ranks:R   wall time per step of rank 0 (manual time); counters: allreduce_share (the
//                             part of the step spent in the gradient all-reduce), grad_MiB (bytes summed).
// The ranks are threads of this process, each with its own TCPStore client and Gloo group (as processes
// would have); before each step rank 0 broadcasts one flag (continue or stop), a ~latency-sized cost
// included in the time. Filter with --benchmark_filter=dp/.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "mixdist/data/synthetic.h"
#include "mixdist/distributed/gradient_all_reducer.h"
#include "mixdist/distributed/process_group.h"
#include "mixdist/distributed/shard.h"
#include "mixdist/experiments/bitvector_vae/model.h"
#include "mixdist/experiments/signal_game/model.h"
#include "mixdist/experiments/vae_mnist/data.h"
#include "mixdist/experiments/vae_mnist/vae.h"
#include "mixdist/train/fused_adam.h"
#include "mixdist/train/process_setup.h"
#include "scoped_threads.h"

namespace {

namespace dist = mixdist::distributed;
namespace vae = mixdist::experiments::vae_mnist;
namespace bitvae = mixdist::experiments::bitvector_vae;
namespace game = mixdist::experiments::signal_game;
using Clock = std::chrono::steady_clock;

// One rank's model and its slice of a fixed global batch: forward + backward, then the optimiser step.
struct RankWork {
  std::vector<at::Tensor> parameters;
  std::function<void()> forward_backward, optimizer_step;
};

RankWork vae_work(int64_t rank, int64_t ranks) {
  const vae::VaeConfig config = vae::make_preset(vae::LatentType::kGaussianSparsemax, "paper");
  auto model = std::make_shared<vae::VaeModel>(config);
  const dist::Slice mine = dist::shard(config.batch_size, rank, ranks);
  const at::Tensor x = vae::binarize(mixdist::data::make_synthetic_images(config.batch_size, 0))
                           .slice(0, mine.begin, mine.end);
  auto adam = std::make_shared<mixdist::train::FusedAdam>((*model)->parameters(),
                                                          torch::optim::AdamOptions(config.gen_lr));
  return {(*model)->parameters(),
          [model, adam, x] {
            adam->clear_grad();
            (*model)->objective(x).loss.backward();
          },
          [adam] { adam->step(); }};
}

RankWork bitvae_work(int64_t rank, int64_t ranks) {
  const bitvae::BitVaeConfig config = bitvae::make_preset(bitvae::BitLatent::kGaussianSparsemax, "paper");
  auto model = std::make_shared<bitvae::BitVaeModel>(config);
  (*model)->set_temperature(0.7);
  const dist::Slice mine = dist::shard(config.batch_size, rank, ranks);
  const at::Tensor x = mixdist::data::make_synthetic_images(config.batch_size, 0)
                           .mul(255)
                           .round()
                           .to(at::kByte)
                           .slice(0, mine.begin, mine.end);
  auto adam = std::make_shared<mixdist::train::FusedAdam>((*model)->parameters(),
                                                          torch::optim::AdamOptions(config.lr));
  return {(*model)->parameters(),
          [model, adam, x] {
            adam->clear_grad();
            (*model)->objective(x).loss.backward();
          },
          [adam] { adam->step(); }};
}

RankWork game_work(int64_t rank, int64_t ranks) {
  constexpr int64_t kFeatures = 2352;
  const game::GameConfig config = game::make_preset(game::Channel::kGaussianSparsemax, "paper");
  auto model = std::make_shared<game::GameModel>(config, kFeatures);
  (*model)->set_temperature(0.7);
  const dist::Slice mine = dist::shard(config.batch_size, rank, ranks);
  at::Tensor candidates = at::randn({config.batch_size, config.game_size, kFeatures});
  candidates /= candidates.norm(2, -1, /*keepdim=*/true);
  const at::Tensor labels = at::randint(config.game_size, {config.batch_size}, at::kLong);
  candidates = candidates.slice(0, mine.begin, mine.end);
  const at::Tensor my_labels = labels.slice(0, mine.begin, mine.end);
  auto adam = std::make_shared<mixdist::train::FusedAdam>((*model)->parameters(),
                                                          torch::optim::AdamOptions(config.lr));
  return {(*model)->parameters(),
          [model, adam, candidates, my_labels] {
            adam->clear_grad();
            (*model)->play(candidates, my_labels).loss.backward();
          },
          [adam] { adam->step(); }};
}

// Rank 0 (this thread) times steps while ranks 1 .. R-1 (helper threads) follow its continue flag.
void BM_DataParallelStep(benchmark::State& state, const std::function<RankWork(int64_t, int64_t)>& make) {
  const int64_t ranks = state.range(0);
  mixdist::bench::ScopedThreads one_thread(1);
  mixdist::train::configure_process_for_training();
  at::manual_seed(0);
  std::vector<RankWork> work;
  for (int64_t r = 0; r < ranks; ++r) work.push_back(make(r, ranks));  // here: the generator is not shared

  dist::Environment env;
  env.world_size = ranks;
  env.master_addr = "127.0.0.1";
  const auto timeout = std::chrono::seconds(120);
  const dist::Rendezvous server = dist::rendezvous(env, timeout);
  const auto options = dist::ProcessGroupOptions().timeout(timeout).bind_address("127.0.0.1");
  const auto step = [&](dist::ProcessGroup& group, dist::GradientAllReducer& sync, RankWork& w) {
    std::vector<at::Tensor> go = {at::ones({1})};
    group.broadcast(go, 0, "the continue flag");
    if (go[0].item<float>() == 0) return false;
    w.forward_backward();
    sync.all_reduce(1.0 / double(ranks));
    w.optimizer_step();
    return true;
  };
  std::vector<std::thread> helpers;
  for (int64_t r = 1; r < ranks; ++r) {
    helpers.emplace_back([&, r] {
      dist::Environment client = env;
      client.rank = r;
      client.master_port = server.port;
      dist::ProcessGroup group(dist::rendezvous(client, timeout).store, r, ranks, options);
      dist::GradientAllReducer sync(group, work[r].parameters);
      while (step(group, sync, work[r])) {
      }
    });
  }
  dist::ProcessGroup group(server.store, 0, ranks, options);
  dist::GradientAllReducer sync(group, work[0].parameters);
  double seconds = 0;
  for (auto _ : state) {
    const auto start = Clock::now();
    step(group, sync, work[0]);
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    state.SetIterationTime(s);
    seconds += s;
  }
  std::vector<at::Tensor> stop = {at::zeros({1})};
  group.broadcast(stop, 0, "the continue flag");
  for (auto& t : helpers) t.join();
  state.counters["allreduce_share"] = seconds > 0 ? sync.communication_seconds() / seconds : 0.0;
  state.counters["grad_MiB"] = double(sync.gradient_bytes()) / (1 << 20);
  state.counters["buckets"] = double(sync.num_buckets());
}

BENCHMARK_CAPTURE(BM_DataParallelStep, vae, vae_work)
    ->Name("dp/vae")
    ->ArgName("ranks")
    ->Arg(1)
    ->Arg(2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DataParallelStep, bitvae, bitvae_work)
    ->Name("dp/bitvae")
    ->ArgName("ranks")
    ->Arg(1)
    ->Arg(2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DataParallelStep, game, game_work)
    ->Name("dp/game")
    ->ArgName("ranks")
    ->Arg(1)
    ->Arg(2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
