// The sparse maps (sparsemax, entmax15, alpha-entmax) through their shared forward and backward
// (simplex/sparse_map_ops): values against independent references, semantics of special inputs, gradients
// against finite differences, fused kernels against the generic path, and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <string>

#include "test_util.h"

namespace {

using mixdist::testing::bisection_entmax;
using mixdist::testing::finite_difference_grad;
using mixdist::testing::max_abs_diff;

struct MapCase {
  std::string name;
  double alpha;  // the alpha-entmax member it computes
  std::function<torch::Tensor(const torch::Tensor&, int64_t)> map;
  std::function<torch::Tensor(const torch::Tensor&, int64_t)> generic;
};

void PrintTo(const MapCase& c, std::ostream* os) {
  *os << c.name;
}

std::vector<MapCase> all_maps() {
  auto bisect = [](double a) {
    return [a](const torch::Tensor& x, int64_t dim) { return mixdist::entmax_bisect(x, a, dim); };
  };
  auto generic_bisect = [](double a) {
    return [a](const torch::Tensor& x, int64_t dim) {
      return mixdist::generic::entmax_bisect(x, torch::full({}, a, x.options()), dim, 80);
    };
  };
  return {
      {"sparsemax", 2.0, [](const torch::Tensor& x, int64_t d) { return mixdist::sparsemax(x, d); },
       [](const torch::Tensor& x, int64_t d) { return mixdist::generic::sparsemax(x, d); }},
      {"entmax15", 1.5, [](const torch::Tensor& x, int64_t d) { return mixdist::entmax15(x, d); },
       [](const torch::Tensor& x, int64_t d) { return mixdist::generic::entmax15(x, d); }},
      {"bisect_1_2", 1.2, bisect(1.2), generic_bisect(1.2)},
      {"bisect_1_7", 1.7, bisect(1.7), generic_bisect(1.7)},
      {"bisect_2_5", 2.5, bisect(2.5), generic_bisect(2.5)},
      {"bisect_4", 4.0, bisect(4.0), generic_bisect(4.0)},
  };
}

class SparseMap : public ::testing::TestWithParam<MapCase> {};

INSTANTIATE_TEST_SUITE_P(AllMaps, SparseMap, ::testing::ValuesIn(all_maps()),
                         [](const ::testing::TestParamInfo<MapCase>& info) { return info.param.name; });

// Agreement with a plain long-double bisection (independent code) over scales that give sparse, medium and
// dense supports, and several K; supports larger than one are checked to occur (keras#23425 lesson).
TEST_P(SparseMap, MatchesIndependentBisectionInDouble) {
  const auto& c = GetParam();
  torch::manual_seed(0);
  int64_t rows_with_big_support = 0;
  for (int64_t K : {1, 2, 3, 10, 100}) {
    for (double scale : {0.01, 1.0, 10.0}) {
      auto x = scale * torch::randn({16, K}, torch::kDouble);
      auto y = c.map(x, -1);
      auto ref = bisection_entmax(x, c.alpha);
      EXPECT_LT(max_abs_diff(y, ref), 1e-9) << c.name << " K=" << K << " scale=" << scale;
      rows_with_big_support += (ref > 0).sum(-1).ge(3).sum().item<int64_t>();
    }
  }
  EXPECT_GT(rows_with_big_support, 20);
}

TEST_P(SparseMap, FloatMatchesDoubleAndSumsToOne) {
  const auto& c = GetParam();
  torch::manual_seed(1);
  for (int64_t K : {2, 10, 1000, 20000}) {
    auto x = torch::randn({8, K}, torch::kDouble);
    auto y64 = c.map(x, -1);
    auto y32 = c.map(x.to(torch::kFloat), -1);
    EXPECT_EQ(y32.scalar_type(), torch::kFloat);
    EXPECT_LT(max_abs_diff(y32, y64), 2e-6) << "K=" << K;
    EXPECT_LT((y32.sum(-1) - 1).abs().max().item<double>(), 2e-6) << "K=" << K;
    EXPECT_LT((y64.sum(-1) - 1).abs().max().item<double>(), 1e-12) << "K=" << K;
    EXPECT_TRUE((y32 >= 0).all().item<bool>());
  }
}

// The fused kernels and the ATen-generic path (sort / bisection from ATen ops) must agree, support included.
TEST_P(SparseMap, FusedKernelMatchesGenericPath) {
  const auto& c = GetParam();
  torch::manual_seed(2);
  for (double scale : {0.01, 1.0, 10.0}) {
    auto x = scale * torch::randn({64, 37}, torch::kDouble);
    auto fused = c.map(x, -1);
    auto generic = c.generic(x, -1);
    EXPECT_LT(max_abs_diff(fused, generic), 1e-9) << c.name << " scale " << scale;
    if (c.alpha == 2.0 || c.alpha == 1.5) {
      EXPECT_TRUE(torch::equal(fused > 0, generic > 0));
    }
  }
}

TEST_P(SparseMap, BackendSwitchForcesGenericPath) {
  const auto& c = GetParam();
  torch::manual_seed(3);
  auto x = torch::randn({20, 9}, torch::kDouble).requires_grad_();
  auto w = torch::randn({20, 9}, torch::kDouble);
  auto y_fused = c.map(x, -1);
  auto g_fused = torch::autograd::grad({(y_fused * w).sum()}, {x})[0];
  mixdist::SparseMapBackendGuard guard(mixdist::SparseMapBackend::kAten);
  auto y_aten = c.map(x, -1);
  auto g_aten = torch::autograd::grad({(y_aten * w).sum()}, {x})[0];
  EXPECT_LT(max_abs_diff(y_fused, y_aten), 1e-9);
  EXPECT_LT(max_abs_diff(g_fused, g_aten), 1e-7);
}

TEST_P(SparseMap, GradientMatchesFiniteDifferences) {
  const auto& c = GetParam();
  torch::manual_seed(4);
  auto x = torch::randn({6, 7}, torch::kDouble);
  auto w = torch::randn({6, 7}, torch::kDouble);
  auto f = [&](const torch::Tensor& v) { return (c.map(v, -1) * w).sum(); };
  auto xg = x.clone().requires_grad_();
  auto analytic = torch::autograd::grad({f(xg)}, {xg})[0];
  auto numeric = finite_difference_grad(f, x);
  EXPECT_LT(max_abs_diff(analytic, numeric), 1e-6) << c.name;
}

TEST_P(SparseMap, AnyDimAndNonContiguousInput) {
  const auto& c = GetParam();
  torch::manual_seed(6);
  auto x = torch::randn({4, 6, 5}, torch::kDouble);
  for (int64_t dim : {0, 1, 2, -1, -3}) {
    auto y = c.map(x, dim);
    auto ref = c.map(x.movedim(dim, -1).contiguous(), -1).movedim(-1, dim);
    EXPECT_TRUE(torch::allclose(y, ref, 0, 1e-14)) << "dim " << dim;
    EXPECT_LT((y.sum(dim) - 1).abs().max().item<double>(), 1e-12);
  }
  auto xt = x.transpose(0, 2);  // non-contiguous
  ASSERT_FALSE(xt.is_contiguous());
  EXPECT_TRUE(torch::allclose(c.map(xt, 1), c.map(xt.contiguous(), 1), 0, 1e-14));
  // [B, 1, C] and [B, C] give the same values and gradients (deep-spin/entmax#13).
  auto a = torch::randn({5, 1, 4}, torch::kDouble).requires_grad_();
  auto b = a.detach().squeeze(1).requires_grad_();
  auto w = torch::randn({5, 4}, torch::kDouble);
  auto ga = torch::autograd::grad({(c.map(a, -1).squeeze(1) * w).sum()}, {a})[0];
  auto gb = torch::autograd::grad({(c.map(b, -1) * w).sum()}, {b})[0];
  EXPECT_TRUE(torch::allclose(ga.squeeze(1), gb));
}

TEST_P(SparseMap, SizeOneDimensionGivesOne) {
  const auto& c = GetParam();
  auto x = torch::randn({3, 1}, torch::kDouble).requires_grad_();
  auto y = c.map(x, -1);
  EXPECT_TRUE(torch::equal(y, torch::ones({3, 1}, torch::kDouble)));
  auto g = torch::autograd::grad({(y * 3.0).sum()}, {x})[0];
  EXPECT_TRUE(torch::equal(g, torch::zeros({3, 1}, torch::kDouble)));
}

TEST_P(SparseMap, NegativeInfinityIsExactlyZero) {
  const auto& c = GetParam();
  const double inf = std::numeric_limits<double>::infinity();
  auto x = torch::tensor({{0.3, -inf, 0.1, -inf, -0.2}}, torch::kDouble);
  auto y = c.map(x, -1);
  EXPECT_EQ(y[0][1].item<double>(), 0.0);
  EXPECT_EQ(y[0][3].item<double>(), 0.0);
  auto finite = c.map(torch::tensor({{0.3, 0.1, -0.2}}, torch::kDouble), -1);
  EXPECT_LT(max_abs_diff(y.index({0, torch::tensor({0, 2, 4})}), finite[0]), 1e-15);
  // Gradients stay finite with masked entries.
  auto xg = x.clone().requires_grad_();
  auto g = torch::autograd::grad({(c.map(xg, -1) * torch::arange(5, torch::kDouble)).sum()}, {xg})[0];
  EXPECT_TRUE(g.isfinite().all().item<bool>());
}

TEST_P(SparseMap, AllNegativeInfinityRowIsANamedError) {
  const auto& c = GetParam();
  const double inf = std::numeric_limits<double>::infinity();
  auto x = torch::zeros({2, 3, 4}, torch::kDouble);
  x[1][2] = -inf;
  try {
    c.map(x, -1);
    FAIL() << "expected an error";
  } catch (const c10::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("row 5 (batch index [1, 2])"), std::string::npos) << msg;
    EXPECT_NE(msg.find("entirely -inf"), std::string::npos) << msg;
  }
}

TEST_P(SparseMap, PositiveInfinityAndNaN) {
  const auto& c = GetParam();
  const double inf = std::numeric_limits<double>::infinity();
  auto y = c.map(torch::tensor({{inf, 1.0, inf, -2.0}, {0.5, 0.2, 0.1, 0.0}}, torch::kDouble), -1);
  EXPECT_TRUE(torch::equal(y[0], torch::tensor({0.5, 0.0, 0.5, 0.0}, torch::kDouble)));
  auto z = c.map(torch::tensor({{std::nan(""), 1.0}, {0.5, 0.2}}, torch::kDouble), -1);
  EXPECT_TRUE(z[0].isnan().all().item<bool>());
  EXPECT_TRUE(z[1].isfinite().all().item<bool>());
}

// Logits of magnitude 1e8 (tensorflow/addons#2314 gave NaN): shifting by the max keeps the result exact.
TEST_P(SparseMap, HugeLogitsAreExact) {
  const auto& c = GetParam();
  auto small = torch::tensor({{0.3, 0.0, -0.4}}, torch::kDouble);
  auto expected = c.map(small, -1);
  for (double offset : {1e8, -1e8}) {
    auto y = c.map(small + offset, -1);
    EXPECT_LT(max_abs_diff(y, expected), 1e-8) << offset;
  }
  auto y32 = c.map(torch::tensor({{1e8f, 1e8f, -1e8f}}), -1);
  EXPECT_TRUE(torch::equal(y32, torch::tensor({{0.5f, 0.5f, 0.0f}})));
}

TEST_P(SparseMap, ReducedPrecisionIsComputedInFloat) {
  const auto& c = GetParam();
  torch::manual_seed(7);
  auto x = torch::randn({8, 16});
  for (auto dtype : {torch::kHalf, torch::kBFloat16}) {
    auto xl = x.to(dtype);
    auto y = c.map(xl, -1);
    EXPECT_EQ(y.scalar_type(), dtype);
    EXPECT_LT(max_abs_diff(y, c.map(xl.to(torch::kFloat), -1)), 1e-2);
  }
}

TEST_P(SparseMap, BadInputsGiveNamedErrors) {
  const auto& c = GetParam();
  auto expect_error = [&](const torch::Tensor& x, int64_t dim, const std::string& needle) {
    try {
      c.map(x, dim);
      ADD_FAILURE() << "expected an error containing '" << needle << "'";
    } catch (const c10::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error(torch::ones({2, 3}, torch::kLong), -1, "floating-point");
  expect_error(torch::ones({2, 3}), 2, "dim 2 is out of range");
  expect_error(torch::ones({2, 0}), -1, "size 0 along dim");
  expect_error(torch::ones({}), -1, "at least one dimension");
}

// Autograd through the sort-based generic forward (which knows nothing of our backward formulas) gives the
// same vector-Jacobian product as the custom backward. Only the exact maps: autograd through a bisection is
// not exact.
TEST(SparseMapBackward, MatchesAutogradThroughSortBasedForward) {
  for (const auto& c : all_maps()) {
    if (c.alpha != 2.0 && c.alpha != 1.5) continue;
    torch::manual_seed(5);
    auto x = torch::randn({32, 12}, torch::kDouble).requires_grad_();
    auto w = torch::randn({32, 12}, torch::kDouble);
    auto g1 = torch::autograd::grad({(c.map(x, -1) * w).sum()}, {x})[0];
    auto g2 = torch::autograd::grad({(c.generic(x, -1) * w).sum()}, {x})[0];
    EXPECT_LT(max_abs_diff(g1, g2), 1e-10) << c.name;
  }
}

}  // namespace
