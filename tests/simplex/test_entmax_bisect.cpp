// simplex/entmax_bisect: the special alphas, per-row alpha, the alpha gradient and bad alphas.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using mixdist::testing::bisection_entmax;
using mixdist::testing::bisection_entmax_row;
using mixdist::testing::finite_difference_grad;
using mixdist::testing::max_abs_diff;

TEST(EntmaxBisect, SpecialAlphasMatchTheirMaps) {
  torch::manual_seed(11);
  auto x = torch::randn({10, 13}, torch::kDouble);
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 2.0), mixdist::sparsemax(x)), 1e-15);
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 1.5), mixdist::entmax15(x)), 1e-15);
  // alpha -> 1 is softmax (deep-spin/entmax#23 returned uniform there).
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 1.0), torch::softmax(x, -1)), 1e-15);
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 1.0 + 1e-7), torch::softmax(x, -1)), 1e-6);
  // Just above the softmax cutoff the root finder takes over and stays continuous.
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 1.0 + 2e-6), torch::softmax(x, -1)), 1e-4);
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 1.001), bisection_entmax(x, 1.001)), 1e-9);
}

TEST(EntmaxBisect, PerRowAlphaBroadcasts) {
  torch::manual_seed(12);
  auto x = torch::randn({4, 3, 6}, torch::kDouble);
  auto alpha = torch::tensor({1.0, 1.3, 2.0, 3.0}, torch::kDouble).view({4, 1, 1});
  auto y = mixdist::entmax_bisect(x, alpha, -1);
  for (int64_t i = 0; i < 4; ++i) {
    auto yi = mixdist::entmax_bisect(x[i], alpha[i].item<double>(), -1);
    EXPECT_LT(max_abs_diff(y[i], yi), 1e-14) << i;
  }
  // alpha along a non-last dim: per-column alpha for dim 0 maps.
  auto a0 = torch::tensor({1.2, 1.8, 2.5}, torch::kDouble).view({1, 3, 1});
  auto y0 = mixdist::entmax_bisect(x, a0, 0);
  EXPECT_LT((y0.sum(0) - 1).abs().max().item<double>(), 1e-12);
}

TEST(EntmaxBisect, AlphaGradientMatchesFiniteDifferences) {
  torch::manual_seed(13);
  auto x = torch::randn({5, 8}, torch::kDouble);
  auto w = torch::randn({5, 8}, torch::kDouble);
  for (double a0 : {1.2, 1.5, 2.0, 2.7}) {
    auto alpha = torch::full({5, 1}, a0, torch::kDouble);
    alpha[2][0] = a0 + 0.1;
    auto f = [&](const torch::Tensor& a) { return (mixdist::entmax_bisect(x, a, -1) * w).sum(); };
    auto ag = alpha.clone().requires_grad_();
    auto analytic = torch::autograd::grad({f(ag)}, {ag})[0];
    auto numeric = finite_difference_grad(f, alpha, 1e-6);
    EXPECT_LT(max_abs_diff(analytic, numeric), 1e-6) << "alpha " << a0;
  }
  // At alpha = 1 (softmax) the gradient is the one-sided limit.
  auto alpha = torch::ones({5, 1}, torch::kDouble).requires_grad_();
  auto analytic = torch::autograd::grad({(mixdist::entmax_bisect(x, alpha, -1) * w).sum()}, {alpha})[0];
  const double h = 1e-4;
  auto up = (mixdist::entmax_bisect(x, 1.0 + h) * w).sum(-1, true);
  auto at1 = (torch::softmax(x, -1) * w).sum(-1, true);
  EXPECT_LT(max_abs_diff(analytic, (up - at1) / h), 1e-3);
}

TEST(EntmaxBisect, BadAlphaGivesNamedErrors) {
  auto x = torch::randn({3, 4});
  EXPECT_THROW(mixdist::entmax_bisect(x, 0.5), c10::Error);
  try {
    mixdist::entmax_bisect(x, torch::full({3, 1}, 0.9));
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find(">= 1"), std::string::npos) << e.what();
  }
  try {
    mixdist::entmax_bisect(x, torch::full({3, 4}, 1.5));  // not size 1 along dim
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("size 1 along dim"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mixdist::entmax_bisect(x, torch::full({3, 1}, 1.5, torch::kLong)), c10::Error);
  EXPECT_THROW(mixdist::entmax_bisect(x, 1.5, -1, 0), c10::Error);
}

// The long-double bisection of every row of a 2-D tensor (any floating dtype), read through raw pointers so
// that rows of 10^4 entries stay quick.
torch::Tensor bisection_rows(const torch::Tensor& x2d, double alpha) {
  auto x = x2d.to(torch::kDouble).contiguous();
  auto out = torch::empty_like(x);
  const int64_t K = x.size(1);
  for (int64_t r = 0; r < x.size(0); ++r) {
    const double* row = x.data_ptr<double>() + r * K;
    const auto p = bisection_entmax_row(std::vector<double>(row, row + K), alpha);
    std::copy(p.begin(), p.end(), out.data_ptr<double>() + r * K);
  }
  return out;
}

// Float rows go through a root finder in float with vectorised powers and a double-precision polish, and an
// output pass whose final exponential is in float: every map value must still agree with the long-double
// bisection of the same (float) inputs to 1e-6, rows must sum to 1 to float rounding, and the support count
// must be that of the output. Rows: dense, medium and sparse supports, all ties, entries near -1e4 next to
// ordinary ones (and a -inf), two tied maxima; alpha from next to the softmax cutoff to 10; K from 1 to 2 *
// 10^4 (odd sizes cover the lanes' tails).
TEST(EntmaxBisectFloat, FastPathMatchesBisection) {
  torch::manual_seed(21);
  for (int64_t K : {1, 2, 7, 16, 17, 100, 1000, 20000}) {
    std::vector<torch::Tensor> parts = {torch::randn({2, K}), 0.01 * torch::randn({1, K}),
                                        10.0 * torch::randn({1, K}), torch::zeros({1, K}),
                                        torch::randn({1, K}) - 1e4};
    auto negative = torch::randn({1, K});
    negative.index_put_({0, torch::indexing::Slice(0, torch::indexing::None, 2)}, -1e4);
    if (K > 2) negative[0][1] = -INFINITY;
    parts.push_back(negative);
    auto two_max = torch::randn({1, K}) - 3.0;
    two_max[0][0] = 2.0;
    two_max[0][K - 1] = 2.0;
    parts.push_back(two_max);
    // The reference costs ~0.1 s per row of 2 * 10^4 and alpha: fewer of those.
    const bool large = K > 1000;
    auto x = large ? torch::cat({parts[0], negative}) : torch::cat(parts);
    const std::vector<double> alphas =
        large ? std::vector<double>{1.3, 1.99}
              : std::vector<double>{1.0 + 1e-5, 1.01, 1.1, 1.3, 1.6, 1.99, 2.5, 4.0, 10.0};
    for (double alpha : alphas) {
      auto [y, support] = mixdist::entmax_bisect_with_support(x, torch::full({}, alpha, torch::kDouble));
      ASSERT_EQ(y.scalar_type(), torch::kFloat);
      auto ref = bisection_rows(x, alpha);
      EXPECT_LT(max_abs_diff(y.to(torch::kDouble), ref), 1e-6) << "K=" << K << " alpha=" << alpha;
      EXPECT_LT((y.to(torch::kDouble).sum(-1) - 1).abs().max().item<double>(), 1e-6)
          << "K=" << K << " alpha=" << alpha;
      EXPECT_TRUE((y >= 0).all().item<bool>());
      // Below alpha = 1.5 a power of a small u can underflow to 0 while u > 0 still counts.
      if (alpha >= 1.5) {
        EXPECT_TRUE(torch::equal(support.squeeze(-1), (y > 0).sum(-1))) << "K=" << K << " alpha=" << alpha;
      }
    }
  }
}

// The float backward (alpha <= 2 without an alpha gradient: weights y^(2 - alpha) in float) against the
// double one on the same rows, and the rows with an alpha gradient or alpha > 2 (double weights) likewise.
TEST(EntmaxBisect, FloatBackwardMatchesDouble) {
  torch::manual_seed(22);
  for (int64_t K : {3, 16, 37, 1000}) {
    auto x = torch::randn({6, K}, torch::kDouble);
    auto w = torch::randn({6, K}, torch::kDouble);
    for (double alpha : {1.1, 1.3, 1.7, 2.0, 2.5}) {
      for (bool alpha_grad : {false, true}) {
        auto grads = [&](torch::ScalarType dtype) {
          auto xg = x.to(dtype).detach().requires_grad_();
          auto a = torch::full({6, 1}, alpha, torch::kDouble).requires_grad_(alpha_grad);
          auto loss = (mixdist::entmax_bisect(xg, a) * w.to(dtype)).sum();
          loss.backward();
          return std::make_pair(xg.grad().to(torch::kDouble),
                                alpha_grad ? a.grad() : torch::zeros({6, 1}, torch::kDouble));
        };
        auto [dx32, da32] = grads(torch::kFloat);
        auto [dx64, da64] = grads(torch::kDouble);
        EXPECT_LT(max_abs_diff(dx32, dx64), 2e-6) << "K=" << K << " alpha=" << alpha << " " << alpha_grad;
        EXPECT_LT(max_abs_diff(da32, da64), 1e-5) << "K=" << K << " alpha=" << alpha << " " << alpha_grad;
      }
    }
  }
}

// Double rows keep double accuracy through the float first stage: agreement with the long-double bisection
// to 1e-12 at large K and near the softmax cutoff.
TEST(EntmaxBisectFloat, DoubleRowsStayExact) {
  torch::manual_seed(23);
  auto x =
      torch::cat({torch::randn({2, 5000}, torch::kDouble), 0.01 * torch::randn({1, 5000}, torch::kDouble),
                  torch::zeros({1, 5000}, torch::kDouble)});
  for (double alpha : {1.0 + 1e-5, 1.3, 1.8, 3.0}) {
    auto y = mixdist::entmax_bisect(x, alpha);
    EXPECT_LT(max_abs_diff(y, bisection_rows(x, alpha)), 1e-12) << "alpha=" << alpha;
    EXPECT_LT((y.sum(-1) - 1).abs().max().item<double>(), 1e-12) << "alpha=" << alpha;
  }
}

}  // namespace
