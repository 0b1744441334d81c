#include "distributions/gsp_cdf_integral.h"

#include <ATen/Parallel.h>
#include <ATen/native/Math.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

namespace mixdist::detail {
namespace {

constexpr double kSqrt2OverPi = 0.79788456080286535588;  // sqrt(2 / pi)
constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1 / sqrt(2 pi)
constexpr double kLog2Pi = 1.83787706640934548356;       // log(2 pi)
// Phi(u) >= 1 - 1e-17 from here on: log Phi(u) and the inverse Mills ratio are set to 0, consistently, so
// that factors saturated over the whole integration range can be dropped from the loops.
constexpr double kSaturated = 8.5;
constexpr int kMaxNewton = 200;
// Cap on the panels of one row (3000 evaluations): a row that cannot meet the tolerance within it returns
// its best estimate.
constexpr size_t kMaxPanels = 200;
constexpr double kEps = std::numeric_limits<double>::epsilon();

// Gauss–Kronrod 7/15 on [-1, 1] (the QUADPACK qk15 rule): Kronrod abscissae x_0 > ... > x_6 > x_7 = 0 (the
// odd ones are the 7-point Gauss nodes), Kronrod weights, and Gauss weights of x_1, x_3, x_5, x_7.
constexpr std::array<double, 8> kXgk = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
constexpr std::array<double, 8> kWgk = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
constexpr std::array<double, 4> kWg = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};
constexpr int kNodes = 15;

// Node k of the 15 on [centre - half, centre + half]: k < 7 left of the centre, k = 7 the centre, k > 7
// right.
inline double node(double centre, double half, int k) {
  return k < 7 ? centre - half * kXgk[k] : k == 7 ? centre : centre + half * kXgk[14 - k];
}
inline double kronrod_weight(int k) {
  return kWgk[k <= 7 ? k : 14 - k];
}

// phi(u) / Phi(u). For u < 0 through erfcx, exact where phi and Phi both underflow; for u >= 0 Phi is in
// [1/2, 1] and the quotient is safe as it stands.
inline double inverse_mills(double u) {
  if (u < 0) return kSqrt2OverPi / calc_erfcx(-u * M_SQRT1_2);
  if (u >= kSaturated) return 0.0;
  return kInvSqrt2Pi * std::exp(-0.5 * u * u) / (0.5 * std::erfc(-u * M_SQRT1_2));
}

inline double log_cdf(double u) {
  return u >= kSaturated ? 0.0 : calc_log_ndtr(u);
}

struct Factor {
  double mu, inv_sigma;
  int64_t index;  // coordinate in the row, for the gradient
};

// g(tau) = -(tau - m)^2 / (2c) + sum_j log Phi((tau - mu_j) / sigma_j): the log integrand up to the
// constant -log(2 pi c)/2; strictly concave (log Phi is).
class LogIntegrand {
 public:
  LogIntegrand(double m, double c, std::vector<Factor> factors)
      : m_(m), inv_c_(1.0 / c), factors_(std::move(factors)) {}

  double value(double tau) const {
    double s = -0.5 * (tau - m_) * (tau - m_) * inv_c_;
    for (const Factor& f : factors_) s += log_cdf((tau - f.mu) * f.inv_sigma);
    return s;
  }
  // g(tau) and g'(tau).
  double value_and_slope(double tau, double* slope) const {
    double s = -0.5 * (tau - m_) * (tau - m_) * inv_c_, d = -(tau - m_) * inv_c_;
    for (const Factor& f : factors_) {
      const double u = (tau - f.mu) * f.inv_sigma;
      s += log_cdf(u);
      d += inverse_mills(u) * f.inv_sigma;
    }
    *slope = d;
    return s;
  }
  // g'(tau) and -g''(tau) = 1/c + sum_j lambda (u + lambda) / sigma_j^2, lambda (u + lambda) in (0, 1).
  void slope_and_curvature(double tau, double* slope, double* curvature) const {
    double d = -(tau - m_) * inv_c_, k = inv_c_;
    for (const Factor& f : factors_) {
      const double u = (tau - f.mu) * f.inv_sigma;
      const double l = inverse_mills(u);
      d += l * f.inv_sigma;
      k += std::min(1.0, std::max(0.0, l * (u + l))) * f.inv_sigma * f.inv_sigma;
    }
    *slope = d;
    *curvature = k;
  }
  const std::vector<Factor>& factors() const { return factors_; }
  // Drops the factors whose Phi is saturated (treated as 1) on [lo, inf).
  void prune_saturated_from(double lo) {
    factors_.erase(std::remove_if(factors_.begin(), factors_.end(),
                                  [&](const Factor& f) { return (lo - f.mu) * f.inv_sigma >= kSaturated; }),
                   factors_.end());
  }

 private:
  double m_, inv_c_;
  std::vector<Factor> factors_;
};

// The mode of g by Newton's method from tau = m: g' is decreasing and convex (the inverse Mills ratio is) and
// g'(m) >= 0, so every tangent's root lies left of the mode and the iterates increase monotonically to it.
double find_mode(const LogIntegrand& g, double m, double* curvature) {
  double tau = m, slope = 0, k = 1;
  for (int it = 0; it < kMaxNewton; ++it) {
    g.slope_and_curvature(tau, &slope, &k);
    const double step = slope / k;
    tau += step;
    // Negligible against the integrand's width 1/sqrt(curvature), or against tau's own rounding.
    if (!(std::fabs(step) * std::sqrt(k) > 1e-12 && std::fabs(step) > 4 * kEps * std::fabs(tau))) break;
  }
  g.slope_and_curvature(tau, &slope, &k);
  *curvature = k;
  return tau;
}

// The distance a > 0 at which g has dropped by `drop` below its mode in direction dir (+1 or -1). Newton on
// the concave, decreasing phi(a) = g(mode + dir a) - g(mode) + drop: after the first step every iterate lies
// right of the root and they decrease monotonically to it (steps are floored at halving a).
double drop_distance(const LogIntegrand& g, double mode, double g_mode, double start, double dir,
                     double drop) {
  double a = start;
  for (int it = 0; it < kMaxNewton; ++it) {
    double slope = 0;
    const double phi = g.value_and_slope(mode + dir * a, &slope) - g_mode + drop;
    const double dphi = std::min(dir * slope, -1e-300);
    const double next = std::max(a - phi / dphi, 0.5 * a);
    const bool done = std::fabs(next - a) <= 1e-9 * a;
    a = next;
    if (done) break;
  }
  return a;
}

struct Panel {
  double a, b, result, error;
  std::array<double, kNodes> f;  // exp(g - g_mode) at the nodes, kept for the gradient pass
};

// The 15-point Kronrod estimate of ∫_a^b exp(g - g_mode) with QUADPACK's error estimate (the Kronrod-Gauss
// difference, rescaled by the integrand's variation and floored at the rounding level).
void integrate_panel(const LogIntegrand& g, double g_mode, Panel* p) {
  const double centre = 0.5 * (p->a + p->b), half = 0.5 * (p->b - p->a);
  double kronrod = 0, gauss = 0, abs_sum = 0;
  for (int k = 0; k < kNodes; ++k) {
    const double f = std::exp(g.value(node(centre, half, k)) - g_mode);
    p->f[k] = f;
    kronrod += kronrod_weight(k) * f;
    abs_sum += kronrod_weight(k) * std::fabs(f);
    const int d = std::abs(k - 7);  // Gauss nodes: d = 0 (centre), 2, 4, 6 from the centre in Kronrod order
    if (d % 2 == 0) gauss += kWg[3 - d / 2] * f;
  }
  double variation = 0;
  for (int k = 0; k < kNodes; ++k) variation += kronrod_weight(k) * std::fabs(p->f[k] - 0.5 * kronrod);
  p->result = kronrod * half;
  variation *= std::fabs(half);
  double err = std::fabs((kronrod - gauss) * half);
  if (variation != 0 && err != 0) err = variation * std::min(1.0, std::pow(200 * err / variation, 1.5));
  p->error = std::max(err, 50 * kEps * abs_sum * std::fabs(half));
}

// Where to split a panel: at the edge of a zero-set factor's Phi transition (u = +-4) that is sharp against
// the panel, if one lies inside (the one nearest the middle), else at the middle. Cutting at a sharp cut-off
// resolves it in a few splits instead of log2(width / sigma) bisections.
double split_point(const LogIntegrand& g, double a, double b) {
  const double width = b - a, mid = 0.5 * (a + b);
  double best = mid, best_distance = std::numeric_limits<double>::infinity();
  for (const Factor& f : g.factors()) {
    const double sigma = 1.0 / f.inv_sigma;
    if (8 * sigma >= width) continue;
    for (const double cut : {f.mu + 4 * sigma, f.mu - 4 * sigma}) {
      if (cut > a + 0.02 * width && cut < b - 0.02 * width && std::fabs(cut - mid) < best_distance) {
        best = cut;
        best_distance = std::fabs(cut - mid);
      }
    }
  }
  return best;
}

struct RowResult {
  double log_e = 0, d_m = 0, d_c = 0;
  int64_t evaluations = 0, panels = 0;
};

// One row. mu, sigma: K entries; zero: K flags; d_mu, d_sigma: K outputs (or nullptr without gradient).
RowResult integrate_row(double m, double c, const double* mu, const double* sigma, const bool* zero,
                        int64_t K, double tolerance, double* d_mu, double* d_sigma) {
  RowResult out;
  if (d_mu != nullptr) {
    std::fill(d_mu, d_mu + K, 0.0);
    std::fill(d_sigma, d_sigma + K, 0.0);
  }
  std::vector<Factor> factors;
  for (int64_t j = 0; j < K; ++j)
    if (zero[j]) factors.push_back({mu[j], 1.0 / sigma[j], j});
  if (factors.empty()) return out;  // E = 1
  if (!(std::isfinite(m) && std::isfinite(c) && c > 0)) {
    out.log_e = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  LogIntegrand g(m, c, std::move(factors));
  double curvature = 0;
  const double mode = find_mode(g, m, &curvature);
  const double g_mode = g.value(mode);
  const double laplace_sd = 1.0 / std::sqrt(curvature);
  const double x_left = drop_distance(g, mode, g_mode, 2 * laplace_sd, -1.0, 2.0);
  const double x_right = drop_distance(g, mode, g_mode, 2 * laplace_sd, 1.0, 2.0);
  // g is concave, so beyond the point where it has dropped by 2 it drops at least linearly: by 40 at 20
  // times that distance, which bounds what the truncation leaves out by e^-40 of the mass (relative 1e-17).
  g.prune_saturated_from(mode - 20 * x_left);

  // Initial panels graded away from the mode on each side, at [0, 1, 2, 3.5, 20] times the drop-2 distance:
  // for a Gaussian side they hold drops of 0-2, 2-8, 8-24.5 and the negligible rest.
  std::vector<Panel> panels;
  const std::array<double, 5> grade = {0.0, 1.0, 2.0, 3.5, 20.0};
  for (size_t i = 0; i + 1 < grade.size(); ++i) {
    panels.push_back({mode - grade[i + 1] * x_left, mode - grade[i] * x_left, 0, 0, {}});
    panels.push_back({mode + grade[i] * x_right, mode + grade[i + 1] * x_right, 0, 0, {}});
  }
  const size_t initial_panels = panels.size();
  for (Panel& p : panels) integrate_panel(g, g_mode, &p);
  while (true) {
    double total = 0, total_error = 0;
    size_t worst = 0;
    for (size_t i = 0; i < panels.size(); ++i) {
      total += panels[i].result;
      total_error += panels[i].error;
      if (panels[i].error > panels[worst].error) worst = i;
    }
    if (!(total_error > tolerance * total) || panels.size() >= kMaxPanels) break;
    const Panel old = panels[worst];
    const double cut = split_point(g, old.a, old.b);
    panels[worst] = {old.a, cut, 0, 0, {}};
    panels.push_back({cut, old.b, 0, 0, {}});
    integrate_panel(g, g_mode, &panels[worst]);
    integrate_panel(g, g_mode, &panels.back());
  }
  double total = 0;
  for (const Panel& p : panels) total += p.result;
  out.log_e = std::log(total) + g_mode - 0.5 * (kLog2Pi + std::log(c));
  // Each split re-integrated one panel as two.
  out.evaluations = static_cast<int64_t>(2 * panels.size() - initial_panels) * kNodes;
  out.panels = static_cast<int64_t>(panels.size());
  if (d_mu == nullptr) return out;

  // Gradient: d log E / d theta = E_post[d log f / d theta] under the posterior f / ∫ f, by the same rule.
  double s0 = 0, s1 = 0, s2 = 0;
  const auto& active = g.factors();
  std::vector<double> a_sum(active.size(), 0.0), b_sum(active.size(), 0.0);
  for (const Panel& p : panels) {
    const double centre = 0.5 * (p.a + p.b), half = 0.5 * (p.b - p.a);
    for (int k = 0; k < kNodes; ++k) {
      const double wf = kronrod_weight(k) * half * p.f[k];
      if (wf == 0) continue;
      const double tau = node(centre, half, k), d = tau - m;
      s0 += wf;
      s1 += wf * d;
      s2 += wf * d * d;
      for (size_t j = 0; j < active.size(); ++j) {
        const double u = (tau - active[j].mu) * active[j].inv_sigma;
        const double l = inverse_mills(u);
        a_sum[j] += wf * l;
        b_sum[j] += wf * l * u;
      }
    }
  }
  out.d_m = s1 / (c * s0);
  out.d_c = s2 / (2 * c * c * s0) - 0.5 / c;
  for (size_t j = 0; j < active.size(); ++j) {
    d_mu[active[j].index] = -a_sum[j] * active[j].inv_sigma / s0;
    d_sigma[active[j].index] = -b_sum[j] * active[j].inv_sigma / s0;
  }
  return out;
}

struct CdfIntegralFunction : torch::autograd::Function<CdfIntegralFunction> {
  // m, c: [N]; mu, sigma: [N, K] double contiguous CPU; zero: [N, K] bool contiguous CPU.
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& m, const at::Tensor& c,
                            const at::Tensor& mu, const at::Tensor& sigma, const at::Tensor& zero,
                            double tolerance, CdfIntegralStats* stats) {
    const int64_t N = mu.size(0), K = mu.size(1);
    const bool need_grad =
        m.requires_grad() || c.requires_grad() || mu.requires_grad() || sigma.requires_grad();
    at::Tensor out = at::empty({N}, m.options());
    at::Tensor dm = at::empty({need_grad ? N : 0}, m.options()), dc = at::empty_like(dm);
    at::Tensor dmu = at::empty({need_grad ? N : 0, K}, m.options()), dsigma = at::empty_like(dmu);
    const double *pm = m.data_ptr<double>(), *pc = c.data_ptr<double>();
    const double *pmu = mu.data_ptr<double>(), *psigma = sigma.data_ptr<double>();
    const bool* pz = zero.data_ptr<bool>();
    double* po = out.data_ptr<double>();
    std::atomic<int64_t> evaluations{0}, max_panels{0};
    at::parallel_for(0, N, 4, [&](int64_t begin, int64_t end) {
      int64_t local_evaluations = 0, local_panels = 0;
      for (int64_t i = begin; i < end; ++i) {
        const RowResult r = integrate_row(pm[i], pc[i], pmu + i * K, psigma + i * K, pz + i * K, K, tolerance,
                                          need_grad ? dmu.data_ptr<double>() + i * K : nullptr,
                                          need_grad ? dsigma.data_ptr<double>() + i * K : nullptr);
        po[i] = r.log_e;
        if (need_grad) {
          dm.data_ptr<double>()[i] = r.d_m;
          dc.data_ptr<double>()[i] = r.d_c;
        }
        local_evaluations += r.evaluations;
        local_panels = std::max(local_panels, r.panels);
      }
      evaluations += local_evaluations;
      int64_t seen = max_panels.load();
      while (local_panels > seen && !max_panels.compare_exchange_weak(seen, local_panels)) {
      }
    });
    if (stats != nullptr) {
      stats->evaluations += evaluations.load();
      stats->max_panels = std::max(stats->max_panels, max_panels.load());
    }
    if (need_grad) {
      ctx->saved_data["dm"] = dm;
      ctx->saved_data["dc"] = dc;
      ctx->saved_data["dmu"] = dmu;
      ctx->saved_data["dsigma"] = dsigma;
    }
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    // The saved posterior moments are constants here, so a graph built through them would silently miss
    // the second-order terms.
    TORCH_CHECK(
        !at::GradMode::is_enabled(),
        "GaussianSparsemax.log_prob: the adaptive quadrature is differentiable once; a second "
        "derivative (backward with create_graph) needs GaussianSparsemaxOptions().adaptive_quadrature("
        "false)");
    const at::Tensor g = grads[0];
    const at::Tensor gk = g.unsqueeze(-1);
    return {g * ctx->saved_data["dm"].toTensor(),
            g * ctx->saved_data["dc"].toTensor(),
            gk * ctx->saved_data["dmu"].toTensor(),
            gk * ctx->saved_data["dsigma"].toTensor(),
            at::Tensor(),
            at::Tensor(),
            at::Tensor()};
  }
};

}  // namespace

at::Tensor gsp_log_cdf_integral(const at::Tensor& m, const at::Tensor& c, const at::Tensor& mu,
                                const at::Tensor& sigma, const at::Tensor& zero_set, double tolerance,
                                CdfIntegralStats* stats) {
  TORCH_CHECK(tolerance > 0 && tolerance <= 1e-2,
              "gsp_log_cdf_integral: tolerance must be in (0, 1e-2], got ", tolerance);
  auto rows = at::broadcast_tensors({mu, sigma, zero_set});
  const auto shape = rows[0].sizes().vec();
  const int64_t K = shape.back();
  const std::vector<int64_t> batch(shape.begin(), shape.end() - 1);
  auto scalars = at::broadcast_tensors({m, c, at::empty(batch, m.options())});
  const at::Device device = m.device();
  auto flat = [&](const at::Tensor& t, bool with_k) {
    return t.to(at::kCPU, at::kDouble)
        .reshape(with_k ? std::vector<int64_t>{-1, K} : std::vector<int64_t>{-1})
        .contiguous();
  };
  const at::Tensor zero = rows[2].to(at::kCPU).to(at::kBool).reshape({-1, K}).contiguous();
  const at::Tensor out =
      CdfIntegralFunction::apply(flat(scalars[0], false), flat(scalars[1], false), flat(rows[0], true),
                                 flat(rows[1], true), zero, tolerance, stats);
  return out.reshape(batch).to(device);
}

}  // namespace mixdist::detail
