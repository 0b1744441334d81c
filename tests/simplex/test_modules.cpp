// Module forms of the maps and losses: same results as the functions, learnable alpha stays valid.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <sstream>

namespace {

TEST(Modules, MapModulesMatchFunctions) {
  torch::manual_seed(0);
  auto x = torch::randn({3, 4, 5});
  mixdist::Sparsemax sm(mixdist::SparseMapOptions(1));
  mixdist::Entmax15 e15;
  mixdist::EntmaxBisect eb(mixdist::EntmaxBisectOptions(1.3).dim(0));
  EXPECT_TRUE(torch::equal(sm(x), mixdist::sparsemax(x, 1)));
  EXPECT_TRUE(torch::equal(e15(x), mixdist::entmax15(x, -1)));
  EXPECT_TRUE(torch::equal(eb(x), mixdist::entmax_bisect(x, 1.3, 0)));
  std::ostringstream s;
  s << *sm << " " << *eb;
  EXPECT_EQ(s.str(), "mixdist::Sparsemax(dim=1) mixdist::EntmaxBisect(alpha=1.3, dim=0, n_iter=50)");
  auto copy = std::dynamic_pointer_cast<mixdist::EntmaxBisectImpl>(eb->clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(torch::equal(copy->forward(x), eb(x)));
}

TEST(Modules, LearnedAlphaStaysInsideItsRange) {
  torch::manual_seed(1);
  mixdist::EntmaxBisect eb(mixdist::EntmaxBisectOptions(1.5).learn_alpha(true).alpha_shape({2, 1}));
  ASSERT_EQ(eb->parameters().size(), 1u);
  EXPECT_NEAR(eb->alpha()[0][0].item<double>(), 1.5, 1e-6);
  torch::optim::SGD opt(eb->parameters(), torch::optim::SGDOptions(50.0));
  auto x = torch::randn({2, 8});
  // Minimising the max probability pushes alpha towards softmax (alpha -> 1) as hard as it can.
  for (int step = 0; step < 200; ++step) {
    opt.zero_grad();
    auto loss = std::get<0>(eb(x).max(-1)).sum();
    loss.backward();
    opt.step();
  }
  auto a = eb->alpha();
  EXPECT_GT(a.min().item<double>(), 1.0);
  EXPECT_LT(a.max().item<double>(), 1.2);  // it did move
  EXPECT_TRUE(eb(x).isfinite().all().item<bool>());
}

TEST(Modules, LossModulesMatchFunctions) {
  torch::manual_seed(2);
  auto x = torch::randn({5, 4});
  auto y = torch::tensor({0, 1, -100, 3, 2});
  mixdist::SparsemaxLoss sl;
  mixdist::Entmax15Loss el(mixdist::Entmax15LossOptions().reduction(torch::kSum));
  mixdist::EntmaxBisectLoss bl(mixdist::EntmaxBisectLossOptions(1.7).ignore_index(-100));
  EXPECT_TRUE(torch::equal(sl(x, y), mixdist::sparsemax_loss(x, y)));
  EXPECT_TRUE(torch::equal(
      el(x, y), mixdist::entmax15_loss(x, y, mixdist::Entmax15LossOptions().reduction(torch::kSum))));
  EXPECT_TRUE(
      torch::equal(bl(x, y), mixdist::entmax_bisect_loss(x, y, mixdist::EntmaxBisectLossOptions(1.7))));
}

TEST(Modules, InvalidOptionsAreRejected) {
  EXPECT_THROW(mixdist::EntmaxBisect(mixdist::EntmaxBisectOptions(0.9)), c10::Error);
  EXPECT_THROW(mixdist::EntmaxBisect(mixdist::EntmaxBisectOptions(2.5).learn_alpha(true)), c10::Error);
  EXPECT_THROW(mixdist::SparsemaxLoss(mixdist::SparsemaxLossOptions().weight(torch::ones({2, 2}))),
               c10::Error);
}

}  // namespace
