// Second derivatives of the sparse maps (map_functions.h): a backward run with create_graph must give the
// true Hessian-vector products and Jacobians, checked against central finite differences of the first
// derivatives; the ops whose backward is a fused kernel without a second-order form refuse by name instead of
// returning silently wrong second derivatives.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <functional>

#include "test_util.h"

namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::max_abs_diff;

using Map = std::function<torch::Tensor(const torch::Tensor&)>;

// grad_x <map(x), w>, keeping the graph when asked.
torch::Tensor first_derivative(const Map& map, const torch::Tensor& x, const torch::Tensor& w, bool graph) {
  return torch::autograd::grad({(map(x) * w).sum()}, {x}, {}, /*retain_graph=*/true,
                               /*create_graph=*/graph)[0];
}

void check_second_order(const Map& map, const char* what) {
  // Rows with supports of several sizes, away from ties so that finite differences do not change a support.
  auto x =
      torch::tensor({{0.9, 0.1, -0.4, 0.45, -2.0}, {1.2, 1.0, 0.75, 0.5, 0.3}, {3.0, -1.0, 0.0, 0.2, -0.2}},
                    torch::kDouble)
          .requires_grad_();
  auto w =
      torch::tensor({{0.3, -1.0, 0.5, 2.0, 0.1}, {-0.2, 0.4, 1.5, -0.7, 0.9}, {1.0, 0.0, -0.5, 0.25, 0.6}},
                    torch::kDouble)
          .requires_grad_();
  auto v =
      torch::tensor({{0.5, -0.25, 1.0, 0.75, -1.0}, {1.0, -0.5, 0.25, 0.5, 0.0}, {-0.5, 1.0, 0.5, 0.0, 1.0}},
                    torch::kDouble);
  const auto g = first_derivative(map, x, w, /*graph=*/true);
  // allow_unused: sparsemax's first derivative does not depend on x at all (its Hessian is 0 a.e.).
  auto second = torch::autograd::grad({(g * v).sum()}, {x, w}, {}, false, false, /*allow_unused=*/true);
  if (!second[0].defined()) second[0] = torch::zeros_like(x);
  const double h = 1e-6;
  // d/dx <grad_x f, v> = H v (f = <map(x), w>): central differences of the first derivative along v.
  const auto xp = (x.detach() + h * v).requires_grad_(), xm = (x.detach() - h * v).requires_grad_();
  const auto hv =
      (first_derivative(map, xp, w.detach(), false) - first_derivative(map, xm, w.detach(), false)) / (2 * h);
  EXPECT_LT(max_abs_diff(second[0], hv), 1e-6) << what << "\n" << second[0] << hv;
  // d/dw <grad_x f, v> = J v, J the map's Jacobian: central differences of the map along v.
  const auto jv = (map(x.detach() + h * v) - map(x.detach() - h * v)) / (2 * h);
  EXPECT_LT(max_abs_diff(second[1], jv), 1e-6) << what;
  EXPECT_GT(jv.abs().max().item<double>(), 0.1) << what;  // the check could fail
}

TEST(MapFunctions, SecondDerivativesOfSparsemaxAndEntmax15MatchFiniteDifferences) {
  check_second_order([](const torch::Tensor& x) { return mixdist::sparsemax(x, -1); }, "sparsemax");
  check_second_order([](const torch::Tensor& x) { return mixdist::entmax15(x, -1); }, "entmax15");
  // 1.5-entmax has a nonzero Hessian (sparsemax's is 0 almost everywhere): the test sees it.
  auto x = torch::tensor({{1.2, 1.0, 0.75, 0.5, 0.3}}, torch::kDouble).requires_grad_();
  auto w = torch::tensor({{-0.2, 0.4, 1.5, -0.7, 0.9}}, torch::kDouble);
  auto g = first_derivative([](const torch::Tensor& t) { return mixdist::entmax15(t, -1); }, x, w, true);
  auto v = torch::tensor({{1.0, -0.5, 0.25, 0.5, 0.0}}, torch::kDouble);
  auto hess = torch::autograd::grad({(g * v).sum()}, {x})[0];
  EXPECT_GT(hess.abs().max().item<double>(), 1e-3);
}

TEST(MapFunctions, OpsWithoutSecondOrderFormRefuseCreateGraph) {
  auto x = torch::randn({2, 4}, torch::kDouble).requires_grad_();
  auto y = mixdist::entmax_bisect(x, 1.3, -1);
  expect_error_containing(
      [&] { torch::autograd::grad({y.sum()}, {x}, {}, true, /*create_graph=*/true); },
      "entmax_bisect: second derivatives (a backward with create_graph) are not implemented");
  auto loss = mixdist::sparsemax_loss(x, torch::tensor({0, 2}));
  expect_error_containing([&] { torch::autograd::grad({loss}, {x}, {}, true, /*create_graph=*/true); },
                          "Fenchel-Young loss: second derivatives");
  // Without create_graph both stay first-order as before.
  EXPECT_NO_THROW(torch::autograd::grad({loss}, {x}));
}

}  // namespace
