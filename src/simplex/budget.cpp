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
#include "simplex/row_parameter.h"

namespace mixdist {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The threshold of one row: tau with sum_k clamp(z_k - tau, 0, 1) == b, for 0 < b < n = z.size() (z: the
// entries that are not -inf; reordered). The sum f is piecewise linear and nonincreasing: on a piece where
// the sets U = {z - tau >= 1} and Z = {z - tau <= 0} are fixed it is |U| + sum_F z - |F| tau (F the rest).
// The start lo = (ceil(b)-th largest z) - 1 has f(lo) >= b. Newton steps (the root of the current piece's
// line), safeguarded by bisection of the bracket [lo, hi] with f(lo) >= b > f(hi), end when a step lands on
// the piece it was computed from, where f == b exactly. Entries that the bracket already decides (z <= lo: 0;
// z - hi >= 1: 1) leave the candidate list, so after the first pass only the entries near the threshold are
// visited.
double budget_threshold(std::vector<double>& z, double b) {
  const int64_t n = static_cast<int64_t>(z.size());
  const int64_t k = std::min<int64_t>(n, std::max<int64_t>(1, static_cast<int64_t>(std::ceil(b))));
  std::nth_element(z.begin(), z.begin() + (k - 1), z.end(), std::greater<double>());
  double lo = z[k - 1] - 1.0;                               // at least k entries at 1: f(lo) >= k >= b
  double hi = *std::max_element(z.begin(), z.begin() + k);  // f(hi) = 0 < b
  int64_t fixed_u = 0, fixed_z = 0, m = n;                  // decided entries, and z[0, m) the candidates
  double t = lo;
  int64_t from_u = -1, from_z = -1;  // the counts of U and Z that t was computed from (-1: not a Newton step)
  for (int iter = 0; iter < 200; ++iter) {
    // Drop what [lo, hi] decides, then count U and Z at t (t lies in [lo, hi]).
    int64_t kept = 0;
    for (int64_t i = 0; i < m; ++i) {
      if (z[i] <= lo) {
        ++fixed_z;
      } else if (z[i] - hi >= 1.0) {
        ++fixed_u;
      } else {
        z[kept++] = z[i];
      }
    }
    m = kept;
    int64_t n_u = fixed_u, n_z = fixed_z;
    double free_sum = 0.0;
    for (int64_t i = 0; i < m; ++i) {
      const double r = z[i] - t;
      if (r >= 1.0) {
        ++n_u;
      } else if (r <= 0.0) {
        ++n_z;
      } else {
        free_sum += z[i];
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

// Per-row outcome of the forward kernel; anything but kOk is reported after the parallel loop, for the first
// such row, so that the error is deterministic.
enum RowStatus : int8_t { kOk = 0, kPlusInf = 1, kBadBudget = 2 };

struct ForwardResult {
  at::Tensor y;     // [rows, K], x's dtype
  at::Tensor free;  // [rows, K] bool: 0 < x - tau < 1, decided in double (the backward's free set)
};

// Forward on a contiguous [rows, K] CPU tensor; budget_rows is double [rows]. Throws for a row holding +inf
// or whose budget is not finite, > 0 and at most its entries that are not -inf, naming the first such row.
template <typename scalar_t>
ForwardResult budget_forward_rows(const at::Tensor& x, const at::Tensor& budget_rows,
                                  at::IntArrayRef batch_sizes) {
  const int64_t rows = x.size(0), K = x.size(1);
  ForwardResult out{at::empty_like(x), at::empty(x.sizes(), x.options().dtype(at::kBool))};
  std::vector<int8_t> status(rows, kOk);
  std::vector<int64_t> finite(rows, 0);
  const scalar_t* xp = x.data_ptr<scalar_t>();
  const double* bp = budget_rows.data_ptr<double>();
  scalar_t* yp = out.y.data_ptr<scalar_t>();
  bool* fp = out.free.data_ptr<bool>();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  at::parallel_for(0, rows, std::max<int64_t>(1, 4096 / K), [&](int64_t lo, int64_t hi) {
    std::vector<double> z;
    z.reserve(K);
    for (int64_t r = lo; r < hi; ++r) {
      const scalar_t* xr = xp + r * K;
      scalar_t* yr = yp + r * K;
      bool* fr = fp + r * K;
      z.clear();
      bool nan = false, plus_inf = false;
      for (int64_t k = 0; k < K; ++k) {
        const double v = static_cast<double>(xr[k]);
        nan |= std::isnan(v);
        plus_inf |= v == kInf;
        if (v > -kInf) z.push_back(v);
      }
      finite[r] = static_cast<int64_t>(z.size());
      const double b = bp[r];
      if (plus_inf || !(std::isfinite(b) && b > 0 && b <= static_cast<double>(z.size()))) {
        status[r] = plus_inf ? kPlusInf : kBadBudget;
        continue;
      }
      if (nan) {  // like softmax: the row is NaN
        std::fill(yr, yr + K, static_cast<scalar_t>(std::nan("")));
        std::fill(fr, fr + K, false);
        continue;
      }
      // Every finite entry at 1 when the budget uses them all.
      const double t = b == static_cast<double>(z.size()) ? -kInf : budget_threshold(z, b);
      for (int64_t k = 0; k < K; ++k) {
        const double d =
            static_cast<double>(xr[k]) - t;  // -inf entries: -inf (t is finite) or NaN (t = -inf)
        fr[k] = d > 0.0 && d < 1.0;
        yr[k] = static_cast<scalar_t>(d >= 1.0 ? 1.0 : (d > 0.0 ? d : 0.0));
      }
    }
  });
  for (int64_t r = 0; r < rows; ++r) {
    TORCH_CHECK(status[r] != kPlusInf, "budget_bisect: ", detail::describe_row(r, batch_sizes),
                " holds +inf (the capped simplex has no limit there)");
    TORCH_CHECK(
        status[r] != kBadBudget,
        "budget_bisect: budget must be finite, > 0 and at most the number of entries that are not -inf; ",
        detail::describe_row(r, batch_sizes), " has budget ", bp[r], " and ", finite[r], " such entries");
  }
  return out;
}

// Inputs: x, budget (x's shape with size 1 along dim), dim (non-negative).
struct BudgetFunction : torch::autograd::Function<BudgetFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& budget,
                               int64_t dim) {
    const detail::RowLayout layout("budget_bisect", x, dim);
    const at::Tensor rows = layout.to_rows(x.to(at::kCPU));
    const at::Tensor budget_rows = layout.row_values(budget.to(at::kCPU)).to(at::kDouble).contiguous();
    ForwardResult r;
    AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, rows.scalar_type(), "budget_bisect", [&] {
      r = budget_forward_rows<scalar_t>(rows, budget_rows, layout.batch_sizes());
    });
    const at::Tensor free = layout.from_rows(r.free).to(x.device());
    ctx->save_for_backward({free});
    ctx->saved_data["dim"] = dim;
    ctx->saved_data["budget_type"] = static_cast<int64_t>(budget.scalar_type());
    return {layout.from_rows(r.y).to(x.device())};
  }

  // On the free set F: dx = g - mean_F(g), dbudget = mean_F(g); zero elsewhere, and dbudget = 0 when F is
  // empty.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "budget_bisect: second derivatives (a backward with create_graph) are not implemented");
    const at::Tensor free = ctx->get_saved_variables()[0];
    const int64_t dim = ctx->saved_data["dim"].toInt();
    const at::Tensor& g = grads[0];
    const at::Tensor zero = at::zeros({}, g.options());
    const at::Tensor n_free = free.sum(dim, /*keepdim=*/true);
    const at::Tensor mean = at::where(free, g, zero).sum(dim, true) / n_free.clamp_min(1).to(g.scalar_type());
    const at::Tensor dx = at::where(free, g - mean, zero);
    const auto budget_type = static_cast<at::ScalarType>(ctx->saved_data["budget_type"].toInt());
    return {dx, mean.to(budget_type), at::Tensor()};
  }
};

}  // namespace

inline namespace simplex {

at::Tensor budget_bisect(const at::Tensor& x, const at::Tensor& budget, int64_t dim, int64_t n_iter) {
  const detail::RowLayout layout("budget_bisect", x, dim);
  detail::check_row_parameter("budget_bisect", "budget", budget, x, layout, dim);
  TORCH_CHECK(n_iter >= 1, "budget_bisect: n_iter must be >= 1, got ", n_iter);
  return BudgetFunction::apply(x, budget.expand(layout.keepdim_sizes()), layout.dim())[0];
}

at::Tensor budget_bisect(const at::Tensor& x, double budget, int64_t dim, int64_t n_iter) {
  return budget_bisect(
      x, at::full({}, budget, x.defined() ? x.options().dtype(at::kDouble) : at::TensorOptions()), dim,
      n_iter);
}

}  // namespace simplex
}  // namespace mixdist
