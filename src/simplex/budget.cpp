#include "mixdist/simplex/budget.h"

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "simplex/cpu_kernels.h"
#include "simplex/row_layout.h"

namespace mixdist {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The threshold of one row: tau with sum_k clamp(z_k - tau, 0, 1) == b, for 0 < b < n = z.size() (z: the
// entries that are not -inf). The sum f is piecewise linear and nonincreasing: on a segment where the sets U
// = {z - tau >= 1} and Z = {z - tau <= 0} are fixed it is |U| + sum_F z - |F| tau (F the rest). Newton steps
// (the root of the current segment's line), safeguarded by bisection of the bracket [lo, hi] with
// f(lo) >= b > f(hi), end when a step lands on the segment it was computed from: there f == b exactly. Each
// step is one pass over the row; a handful suffice (a full sort of the 2n breakpoints would cost more).
double budget_threshold(const std::vector<double>& z, double b) {
  const int64_t n = static_cast<int64_t>(z.size());
  double lo = *std::min_element(z.begin(), z.end()) - 1.0;  // f(lo) = n >= b
  double hi = *std::max_element(z.begin(), z.end());        // f(hi) = 0 < b
  double t = 0.5 * (lo + hi);
  int64_t from_u = -1, from_z = -1;  // the sets the current t was computed from (-1: a bisection step)
  for (int iter = 0; iter < 200; ++iter) {
    int64_t n_u = 0, n_z = 0;
    double free_sum = 0.0;
    for (int64_t k = 0; k < n; ++k) {
      const double r = z[k] - t;
      if (r >= 1.0) {
        ++n_u;
      } else if (r <= 0.0) {
        ++n_z;
      } else {
        free_sum += z[k];
      }
    }
    if (n_u == from_u && n_z == from_z)
      return t;  // U and Z are monotone in t: the same counts, the same sets
    const int64_t n_free = n - n_u - n_z;
    const double f = static_cast<double>(n_u) + free_sum - static_cast<double>(n_free) * t;
    if (f == b) return t;
    (f > b ? lo : hi) = t;
    double next = 0.5 * (lo + hi);
    from_u = from_z = -1;
    if (n_free > 0) {
      const double root = (static_cast<double>(n_u) + free_sum - b) / static_cast<double>(n_free);
      if (root > lo && root < hi) {
        next = root;
        from_u = n_u;
        from_z = n_z;
      }
    }
    if (next == t) return t;  // the bracket is as narrow as doubles allow
    t = next;
  }
  return t;
}

// Forward on [rows, K] (any floating dtype): fills tau (double [rows]) and returns y (x's dtype).
at::Tensor budget_forward_rows(const at::Tensor& x_rows, const at::Tensor& budget_rows, at::Tensor& tau) {
  const at::Tensor x = x_rows.to(at::kDouble).contiguous();
  const at::Tensor b = budget_rows.to(at::kDouble).contiguous();
  const int64_t rows = x.size(0), K = x.size(1);
  at::Tensor y = at::empty_like(x);
  tau = at::empty({rows}, x.options());
  const double* xp = x.data_ptr<double>();
  const double* bp = b.data_ptr<double>();
  double* yp = y.data_ptr<double>();
  double* tp = tau.data_ptr<double>();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  at::parallel_for(
      0, rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(K, 1)), [&](int64_t lo, int64_t hi) {
        std::vector<double> z;
        z.reserve(K);
        for (int64_t r = lo; r < hi; ++r) {
          const double* xr = xp + r * K;
          double* yr = yp + r * K;
          z.clear();
          bool nan = false;
          for (int64_t k = 0; k < K; ++k) {
            if (std::isnan(xr[k])) nan = true;
            if (xr[k] > -kInf) z.push_back(xr[k]);
          }
          if (nan) {
            tp[r] = std::nan("");
            std::fill(yr, yr + K, std::nan(""));
            continue;
          }
          // All entries at 1 when the budget uses every finite entry (checked: never more).
          const double t = bp[r] >= static_cast<double>(z.size()) ? -kInf : budget_threshold(z, bp[r]);
          tp[r] = t;
          for (int64_t k = 0; k < K; ++k) {
            yr[k] = xr[k] == -kInf ? 0.0 : std::min(1.0, std::max(0.0, xr[k] - t));
          }
        }
      });
  return y.to(x_rows.scalar_type());
}

// Inputs: x, budget (x's shape with size 1 along dim), dim (non-negative).
struct BudgetFunction : torch::autograd::Function<BudgetFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& budget,
                               int64_t dim) {
    const detail::RowLayout layout("budget_bisect", x, dim);
    const at::Device device = x.device();
    at::Tensor tau;
    const at::Tensor y =
        budget_forward_rows(layout.to_rows(x.to(at::kCPU)), layout.row_values(budget.to(at::kCPU)), tau);
    const at::Tensor tau_keepdim = layout.from_row_values(tau).to(device);
    ctx->save_for_backward({x, tau_keepdim});
    ctx->saved_data["dim"] = dim;
    ctx->saved_data["budget_type"] = static_cast<int64_t>(budget.scalar_type());
    return {layout.from_rows(y).to(device)};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "budget_bisect: second derivatives (a backward with create_graph) are not implemented");
    const auto saved = ctx->get_saved_variables();
    const int64_t dim = ctx->saved_data["dim"].toInt();
    const at::Tensor r = saved[0].to(at::kDouble) - saved[1];
    const at::Tensor free = (r > 0) & (r < 1);
    const at::Tensor n_free = free.sum(dim, /*keepdim=*/true).to(at::kDouble);
    const at::Tensor g = grads[0].to(at::kDouble);
    const at::Tensor zero = at::zeros({}, g.options());
    const at::Tensor mean = at::where(free, g, zero).sum(dim, true) / n_free.clamp_min(1.0);
    const at::Tensor dx = at::where(free, g - mean, zero).to(grads[0].scalar_type());
    const auto budget_type = static_cast<at::ScalarType>(ctx->saved_data["budget_type"].toInt());
    const at::Tensor dbudget = at::where(n_free > 0, mean, zero).to(budget_type);
    return {dx, dbudget, at::Tensor()};
  }
};

}  // namespace

inline namespace simplex {

at::Tensor budget_bisect(const at::Tensor& x, const at::Tensor& budget, int64_t dim, int64_t n_iter) {
  const detail::RowLayout layout("budget_bisect", x, dim);
  TORCH_CHECK(budget.defined(), "budget_bisect: budget is undefined");
  TORCH_CHECK(at::isFloatingType(budget.scalar_type()),
              "budget_bisect: budget must be a floating-point tensor, got ", budget.scalar_type());
  TORCH_CHECK(n_iter >= 1, "budget_bisect: n_iter must be >= 1, got ", n_iter);
  const auto keepdim = layout.keepdim_sizes();
  TORCH_CHECK(budget.dim() <= x.dim() && at::infer_size(budget.sizes(), keepdim) == at::IntArrayRef(keepdim),
              "budget_bisect: budget of shape ", budget.sizes(), " must broadcast to the input's shape ",
              x.sizes(), " with size 1 along dim ", dim, ", i.e. to ", at::IntArrayRef(keepdim));
  TORCH_CHECK(!(x == std::numeric_limits<double>::infinity()).any().item<bool>(),
              "budget_bisect: the input holds +inf (the capped simplex has no limit there)");
  if (x.numel() > 0) {
    const at::Tensor b = layout.row_values(budget).to(at::kDouble);
    const at::Tensor n =
        layout.to_rows(x).gt(-std::numeric_limits<double>::infinity()).sum(1).to(at::kDouble);
    const at::Tensor bad = ~(b.isfinite() & (b > 0) & (b <= n));
    if (bad.any().item<bool>()) {
      const int64_t r = bad.nonzero()[0][0].item<int64_t>();
      TORCH_CHECK(false,
                  "budget_bisect: budget must be finite, > 0 and at most the number of entries that are "
                  "not -inf; ",
                  detail::describe_row(r, layout.batch_sizes()), " has budget ", b[r].item<double>(), " and ",
                  n[r].item<int64_t>(), " such entries");
    }
  }
  return BudgetFunction::apply(x, budget.expand(keepdim), layout.dim())[0];
}

at::Tensor budget_bisect(const at::Tensor& x, double budget, int64_t dim, int64_t n_iter) {
  return budget_bisect(
      x, at::full({}, budget, x.defined() ? x.options().dtype(at::kDouble) : at::TensorOptions()), dim,
      n_iter);
}

}  // namespace simplex
}  // namespace mixdist
