#include "mixdist/distributed/gradient_all_reducer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "mixdist/distributed/broadcast.h"
#include "ranks.h"

namespace {

using mixdist::distributed::GradientAllReducer;
using mixdist::distributed::GradientAllReducerOptions;
using mixdist::distributed::ProcessGroup;
using mixdist::testing::run_ranks;

// A small regression network whose loss has no randomness, so that data parallelism can be compared with one
// process exactly up to the rounding of the reordered sums.
struct Net : torch::nn::Module {
  Net() {
    first = register_module("first", torch::nn::Linear(6, 8));
    second = register_module("second", torch::nn::Linear(8, 3));
  }
  torch::Tensor forward(const torch::Tensor& x) { return second(torch::tanh(first(x))); }
  // Weights from a formula, not from the shared global generator (the ranks are threads of one process).
  void fill(double phase) {
    torch::NoGradGuard no_grad;
    double k = phase;
    for (auto& p : parameters())
      p.copy_(torch::sin(torch::arange(p.numel(), torch::kFloat) * 0.7 + k++).view(p.sizes()) * 0.5);
  }
  torch::nn::Linear first{nullptr}, second{nullptr};
};

torch::Tensor inputs() {
  return torch::sin(torch::arange(8 * 6, torch::kFloat) * 1.3).view({8, 6});
}
torch::Tensor targets() {
  return torch::cos(torch::arange(8 * 3, torch::kFloat) * 0.9).view({8, 3});
}

// Five Adam steps on the rows [begin, end) of the batch of 8, the gradients synchronised by `sync` (none: one
// process).
std::vector<torch::Tensor> train(Net& net, int64_t begin, int64_t end, GradientAllReducer* sync) {
  torch::optim::Adam adam(net.parameters(), torch::optim::AdamOptions(0.05));
  for (int step = 0; step < 5; ++step) {
    adam.zero_grad();
    const auto loss =
        torch::mse_loss(net.forward(inputs().slice(0, begin, end)), targets().slice(0, begin, end));
    loss.backward();
    if (sync) sync->all_reduce(double(end - begin) / 8.0);
    adam.step();
  }
  std::vector<torch::Tensor> out;
  for (const auto& p : net.parameters()) out.push_back(p.detach().clone());
  return out;
}

// The equivalence: 2 ranks x B/2 (rank 0's initial weights broadcast) give the parameters of
// 1 process x B after N steps, to 1e-6 (float32 rounding of the sums taken in another order; Adam's
// normalisation amplifies it little over 5 steps). Uneven shards (3 + 5 rows) are weighted to the global
// mean.
TEST(GradientAllReducer, TwoRanksOnHalfBatchesMatchOneProcessOnTheWholeBatch) {
  for (const int64_t split : {4, 3}) {
    Net single;
    single.fill(0.0);
    const auto expected = train(single, 0, 8, nullptr);
    std::vector<std::vector<torch::Tensor>> got(2);
    const auto errors = run_ranks(2, [&](ProcessGroup& g) {
      Net net;
      net.fill(g.rank() == 0 ? 0.0 : 5.0);  // rank 1 starts elsewhere: the broadcast must fix that
      mixdist::distributed::broadcast_module(g, net);
      GradientAllReducer sync(g, net.parameters(), GradientAllReducerOptions().bucket_bytes(100));
      got[g.rank()] = g.rank() == 0 ? train(net, 0, split, &sync) : train(net, split, 8, &sync);
    });
    ASSERT_EQ(errors[0], "");
    ASSERT_EQ(errors[1], "");
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_TRUE(torch::equal(got[0][i], got[1][i])) << "the ranks disagree on parameter " << i;
      EXPECT_LT((got[0][i] - expected[i]).abs().max().item<float>(), 1e-6)
          << "parameter " << i << " split " << split;
    }
  }
}

TEST(GradientAllReducer, BucketsHoldUpToTheCap) {
  const auto errors = run_ranks(1, [](ProcessGroup& g) {
    Net net;  // parameters of 48, 8, 24 and 3 floats: 192, 32, 96 and 12 bytes (cap 200: 192 | 32 + 96 + 12)
    EXPECT_EQ(GradientAllReducer(g, net.parameters()).num_buckets(), 1);
    EXPECT_EQ(
        GradientAllReducer(g, net.parameters(), GradientAllReducerOptions().bucket_bytes(200)).num_buckets(),
        2);
    EXPECT_EQ(
        GradientAllReducer(g, net.parameters(), GradientAllReducerOptions().bucket_bytes(1)).num_buckets(),
        4);
    EXPECT_EQ(GradientAllReducer(g, net.parameters()).gradient_bytes(), 83 * 4);
    EXPECT_THROW(GradientAllReducer(g, net.parameters(), GradientAllReducerOptions().bucket_bytes(0)),
                 c10::Error);
  });
  EXPECT_EQ(errors[0], "");
}

// A gradient undefined on every rank stays undefined (optimisers then skip the parameter, as one process
// would); one defined on some ranks only is summed with zeros for the others.
TEST(GradientAllReducer, UndefinedGradientsStayUndefinedUnlessSomeRankHasOne) {
  std::vector<std::vector<bool>> defined(2);
  std::vector<float> value(2);
  const auto errors = run_ranks(2, [&](ProcessGroup& g) {
    Net net;
    if (g.rank() == 1) net.first->weight.mutable_grad() = torch::full_like(net.first->weight, 2.0);
    GradientAllReducer sync(g, net.parameters());
    sync.all_reduce(0.5);
    for (const auto& p : net.parameters()) defined[g.rank()].push_back(p.grad().defined());
    value[g.rank()] = net.first->weight.grad()[0][0].item<float>();
  });
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(errors[r], "");
    EXPECT_EQ(defined[r], (std::vector<bool>{true, false, false, false}));
    EXPECT_EQ(value[r], 1.0f);
  }
}

}  // namespace
