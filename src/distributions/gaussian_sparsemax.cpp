#include "mixdist/distributions/gaussian_sparsemax.h"

#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>
#include <vector>

#include "distributions/checks.h"
#include "distributions/gsp_cdf_integral.h"
#include "mixdist/distributions/clipped_gaussian.h"
#include "mixdist/distributions/code_length.h"
#include "mixdist/simplex/sparsemax.h"
#include "mixdist/special/gauss_hermite.h"
#include "mixdist/special/log_ndtr.h"

namespace mixdist {
inline namespace distributions {
namespace {
constexpr double kHalfLog2Pi = 0.91893853320467274178;   // log(2 pi) / 2
constexpr double kSqrt2OverPi = 0.79788456080286535588;  // sqrt(2 / pi)
constexpr int64_t kMaxNewtonSteps = 100;

// Named checks of the parameters, run before the base class is built from their broadcast shape; returns
// the broadcast shape of loc and scale (batch_shape + [K]).
std::vector<int64_t> checked_shape(const at::Tensor& loc, const at::Tensor& scale) {
  auto shape = detail::loc_scale_shape("GaussianSparsemax", loc, scale);
  detail::check_min_dim("GaussianSparsemax", "loc", loc, 1);
  TORCH_CHECK(shape.back() >= 1,
              "GaussianSparsemax: the number of vertices K (last dim of loc) must be >= 1, got ",
              shape.back());
  return shape;
}

std::vector<int64_t> batch_of(const std::vector<int64_t>& shape) {
  return std::vector<int64_t>(shape.begin(), shape.end() - 1);
}

// The log integrand of the CDF term and its slope, up to a constant:
//   g(tau) = -(tau - m)^2 / (2c) + sum_{j in Z} log Phi((tau - mu_j) / sigma_j),
// strictly concave. lambda(u) = phi(u)/Phi(u) (the inverse Mills ratio) is computed as
// sqrt(2/pi) / erfcx(-u/sqrt 2), accurate for every u, where phi/Phi from logs would lose u^2 eps absolutely
// and make u + lambda (about -1/u for u -> -inf) meaningless.
struct LogIntegrand {
  at::Tensor m, c, mu, sigma, zero;  // m, c: [...]; mu, sigma, zero (0/1 doubles): [..., K]; no gradient

  at::Tensor u(const at::Tensor& tau) const { return (tau.unsqueeze(-1) - mu) / sigma; }
  at::Tensor lambda(const at::Tensor& u) const {
    return kSqrt2OverPi / at::special_erfcx(-u * M_SQRT1_2) * zero;
  }
  at::Tensor value(const at::Tensor& tau) const {
    return -0.5 * (tau - m).square() / c + (special::log_ndtr(u(tau)) * zero).sum(-1);
  }
  at::Tensor slope(const at::Tensor& tau) const { return -(tau - m) / c + (lambda(u(tau)) / sigma).sum(-1); }
  // -g''(tau) = 1/c + sum_j lambda (u + lambda) / sigma_j^2, with lambda (u + lambda) in (0, 1).
  at::Tensor curvature(const at::Tensor& tau) const {
    const at::Tensor uu = u(tau), l = lambda(uu);
    return 1.0 / c + ((l * (uu + l)).clamp(0.0, 1.0) / sigma.square()).sum(-1);
  }
};

// Mode of g by Newton's method from tau = m: g' is decreasing and convex in tau (lambda is) and g'(m) >= 0,
// so every iterate stays left of the root and the iteration converges monotonically, without damping.
at::Tensor find_mode(const LogIntegrand& g) {
  at::Tensor tau = g.m.clone();
  for (int64_t it = 0; it < kMaxNewtonSteps; ++it) {
    const at::Tensor curvature = g.curvature(tau);
    const at::Tensor step = g.slope(tau) / curvature;
    tau = tau + step;
    // Converged once the steps are negligible against the integrand's width 1/sqrt(curvature).
    if ((step.abs() * curvature.sqrt() <= 1e-10).all().item<bool>()) break;
  }
  return tau;
}

// One-sided width of exp(g) seen from the mode: the distance a > 0 at which g has dropped by 2 in direction
// `dir` (+1 or -1), divided by 2, i.e. the standard deviation of the Gaussian with the same drop. Newton on
// the concave, decreasing phi(a) = g(mode + dir a) - g(mode) + 2: after the first step every iterate lies
// right of the root and the iteration converges monotonically from there.
at::Tensor one_sided_width(const LogIntegrand& g, const at::Tensor& mode, const at::Tensor& g_mode,
                           const at::Tensor& laplace_sd, double dir) {
  at::Tensor a = 2.0 * laplace_sd;
  for (int64_t it = 0; it < kMaxNewtonSteps; ++it) {
    const at::Tensor tau = mode + dir * a;
    const at::Tensor phi = g.value(tau) - g_mode + 2.0;
    // phi' = dir g'(tau) < 0 for a > 0; floored so that a flat stretch cannot send a to infinity.
    const at::Tensor dphi = (dir * g.slope(tau)).clamp_max(-1e-300);
    const at::Tensor next = (a - phi / dphi).clamp_min(0.5 * a);
    const bool done = ((next - a).abs() <= 1e-6 * a).all().item<bool>();
    a = next;
    if (done) break;
  }
  return a / 2.0;
}

// log E_{tau ~ N(m, c)}[prod_{j in Z} Phi((tau - mu_j)/sigma_j)] by an n-node Gauss–Hermite rule in log
// space.
//
// Without centring, the rule is that of N(m, c) itself. With centring (the default), the integral
// ∫ N(tau; m, c) prod Phi dtau is first mapped to one whose integrand is close to e^{-t^2}: tau = mode +
// psi(t) with psi(t) = sqrt(2) (s_L t + (s_R - s_L)(softplus(t) - log 2)), where s_L and s_R are the
// integrand's one-sided widths left and right of its mode. psi is analytic and increasing, with slope
// sqrt(2) s_L for t -> -inf and sqrt(2) s_R for t -> +inf, so the rule sees a near-Gaussian on both sides
// even when the zero set's CDF factors cut the Gaussian N(m, c) off sharply on one side (small sigma_j
// against sqrt(c)), and wherever the mass sits (improbable vertices: far from m). For a symmetric integrand
// it reduces to the Laplace-centred rule N(mode, s^2). The mode and widths are constants for autograd (any
// such map gives the same integral), so the gradient is the quadrature of the gradient.
at::Tensor log_cdf_term(const at::Tensor& m, const at::Tensor& c, const at::Tensor& mu,
                        const at::Tensor& sigma, const at::Tensor& zero_set, int64_t n, bool centre_on_mode) {
  // mu, sigma, zero_set: [..., K]; m, c: [...]; points: [..., n].
  const at::Tensor mu_n = mu.unsqueeze(-2), sigma_n = sigma.unsqueeze(-2), zero_n = zero_set.unsqueeze(-2);
  auto log_prod_cdf = [&](const at::Tensor& tau) {
    const at::Tensor u = (tau.unsqueeze(-1) - mu_n) / sigma_n;
    return at::where(zero_n, special::log_ndtr(u), at::zeros({}, u.options())).sum(-1);
  };
  if (!centre_on_mode) return special::gaussian_log_expectation(log_prod_cdf, m, c, n);

  at::Tensor mode, s_left, s_right;
  {
    c10::NoGradGuard no_grad;
    const LogIntegrand g{m.detach(), c.detach(), mu.detach(), sigma.detach(), zero_set.to(at::kDouble)};
    mode = find_mode(g);
    const at::Tensor g_mode = g.value(mode);
    const at::Tensor laplace_sd = g.curvature(mode).rsqrt();
    s_left = one_sided_width(g, mode, g_mode, laplace_sd, -1.0).unsqueeze(-1);
    s_right = one_sided_width(g, mode, g_mode, laplace_sd, 1.0).unsqueeze(-1);
  }
  const special::GaussHermiteRule rule = special::gauss_hermite(n, at::kDouble);
  const at::Tensor t = rule.nodes.to(m.device());
  const at::Tensor psi = M_SQRT2 * (s_left * t + (s_right - s_left) * (at::softplus(t) - std::log(2.0)));
  const at::Tensor log_dpsi = at::log(M_SQRT2 * (s_left + (s_right - s_left) * at::sigmoid(t)));
  const at::Tensor tau = mode.unsqueeze(-1) + psi;  // [..., n]
  const at::Tensor m_n = m.unsqueeze(-1), c_n = c.unsqueeze(-1);
  const at::Tensor log_normal = -0.5 * (tau - m_n).square() / c_n - 0.5 * at::log(2.0 * M_PI * c_n);
  // ∫ F(t) dt = ∫ [F(t) e^{t^2}] e^{-t^2} dt, F = N(tau(t); m, c) prod Phi * psi'(t).
  return at::logsumexp(
      rule.log_weights.to(m.device()) + t.square() + log_dpsi + log_normal + log_prod_cdf(tau), -1);
}

at::ScalarType result_dtype(const at::Tensor& a, const at::Tensor& b) {
  return at::promote_types(a.scalar_type(), b.scalar_type());
}

}  // namespace

GaussianSparsemax::GaussianSparsemax(const at::Tensor& loc, const at::Tensor& scale,
                                     GaussianSparsemaxOptions options, c10::optional<bool> validate_args)
    : Distribution(batch_of(checked_shape(loc, scale)), {checked_shape(loc, scale).back()}, validate_args),
      options_(options) {
  TORCH_CHECK(options_.quadrature_nodes() >= 1 && options_.quadrature_nodes() <= 2048,
              "GaussianSparsemax: options.quadrature_nodes must be in [1, 2048], got ",
              options_.quadrature_nodes());
  TORCH_CHECK(options_.quadrature_tolerance() > 0 && options_.quadrature_tolerance() <= 1e-2,
              "GaussianSparsemax: options.quadrature_tolerance must be in (0, 1e-2], got ",
              options_.quadrature_tolerance());
  std::tie(loc_, scale_) = detail::broadcast_loc_scale(loc, scale);
  if (this->validate_args()) validate_parameters({{"loc", loc_}, {"scale", scale_}});
}

at::Tensor GaussianSparsemax::draw(at::IntArrayRef sample_shape,
                                   c10::optional<at::Generator> generator) const {
  const at::Tensor eps =
      at::normal(0.0, 1.0, extended_shape(sample_shape), std::move(generator), loc_.options());
  return sparsemax(loc_ + scale_ * eps, -1);
}

at::Tensor GaussianSparsemax::log_prob(const at::Tensor& value) const {
  if (validate_args()) {
    detail::check_floating(name(), "value", value);
    validate_sample(value);
  }
  return log_prob_on_face(value, value > 0);
}

at::Tensor GaussianSparsemax::log_prob(const at::Tensor& value, const at::Tensor& face) const {
  if (validate_args()) {
    detail::check_floating(name(), "value", value);
    validate_sample_on_face(value, face);
  }
  return log_prob_on_face(value, face != 0);
}

at::Tensor GaussianSparsemax::log_prob_on_face(const at::Tensor& value, const at::Tensor& face_b) const {
  const int64_t K = num_vertices();
  if (K == 1) {
    // y = 1 almost surely: a single vertex of mass 1.
    const auto shape = at::infer_size(value.sizes(), loc_.sizes());
    return at::zeros(at::IntArrayRef(shape).slice(0, shape.size() - 1),
                     value.options().dtype(result_dtype(value, loc_)));
  }
  if (K == 2 && options_.closed_form_k2()) return log_prob_k2(value, face_b);
  return log_prob_general(value, face_b);
}

at::Tensor GaussianSparsemax::log_prob_k2(const at::Tensor& value, const at::Tensor& face) const {
  // d = z_1 - z_2 ~ N(m_d, s_d^2); y_1 = clip((d + 1)/2, 0, 1) (docs/math.md#the-two-vertex-case).
  const at::ScalarType dtype = result_dtype(value, loc_);
  const at::Tensor mu = loc_.to(at::kDouble), sigma = scale_.to(at::kDouble), y = value.to(at::kDouble);
  const at::Tensor m_d = mu.select(-1, 0) - mu.select(-1, 1);
  const at::Tensor s_d = at::sqrt(sigma.select(-1, 0).square() + sigma.select(-1, 1).square());
  const at::Tensor in0 = face.select(-1, 0), in1 = face.select(-1, 1);
  const at::Tensor log_e1 = special::log_ndtr((m_d - 1.0) / s_d);
  const at::Tensor log_e2 = special::log_ndtr((-1.0 - m_d) / s_d);
  // On the edge, d = y_1 - y_2 (= 2 y_1 - 1); the density of d times the Jacobian factor |S| = 2.
  const at::Tensor t = (y.select(-1, 0) - y.select(-1, 1) - m_d) / s_d;
  const at::Tensor log_edge = std::log(2.0) - s_d.log() - 0.5 * t * t - kHalfLog2Pi;
  return at::where(in0 & in1, log_edge, at::where(in0, log_e1, log_e2)).to(dtype);
}

at::Tensor GaussianSparsemax::log_prob_general(const at::Tensor& value, const at::Tensor& face) const {
  const at::ScalarType dtype = result_dtype(value, loc_);
  // Double throughout: the quadrature's log-sum-exp and the Laplace shift need more than float's 7 digits
  // to reach 1e-6 in log p, and the result is cast back.
  auto t = at::broadcast_tensors({value.to(at::kDouble), face, loc_.to(at::kDouble), scale_.to(at::kDouble)});
  const at::Tensor& y = t[0];
  const at::Tensor& in_face = t[1];
  const at::Tensor& mu = t[2];
  const at::Tensor& sigma = t[3];
  const at::Tensor s_mask = in_face.to(at::kDouble);
  const at::Tensor s = s_mask.sum(-1);
  // Precision-weighted moments of r = y - mu over the support S (docs/math.md#gaussian-sparsemax-density); A
  // - B^2/P is evaluated as the weighted sum of squared deviations from B/P, which has no cancellation.
  const at::Tensor w = s_mask / (sigma * sigma);
  const at::Tensor P = w.sum(-1);
  const at::Tensor r = y - mu;
  const at::Tensor r_bar = (w * r).sum(-1) / P;
  const at::Tensor dev = r - r_bar.unsqueeze(-1);
  const at::Tensor spread = (w * dev * dev).sum(-1);
  const at::Tensor log_C =
      -(s - 1.0) * kHalfLog2Pi - (s_mask * sigma.log()).sum(-1) - 0.5 * P.log() - 0.5 * spread;
  const at::Tensor m = -r_bar, c = 1.0 / P;
  const at::Tensor log_E =
      options_.adaptive_quadrature()
          ? detail::gsp_log_cdf_integral(m, c, mu, sigma, ~in_face, options_.quadrature_tolerance())
          : log_cdf_term(m, c, mu, sigma, ~in_face, options_.quadrature_nodes(), options_.centre_on_mode());
  return (s.log() + log_C + log_E).to(dtype);
}

at::Tensor GaussianSparsemax::vertex_log_probs() const {
  const int64_t K = num_vertices();
  const auto batch = batch_shape();
  if (K == 1) return at::zeros(extended_shape(), loc_.options());
  // Values e_k laid out as [K, 1, ..., 1, K] so that they broadcast against the batch.
  std::vector<int64_t> shape{K};
  shape.insert(shape.end(), batch.size(), 1);
  shape.push_back(K);
  const at::Tensor eye = at::eye(K, loc_.options()).view(shape);
  const at::Tensor face = eye > 0;
  const at::Tensor lp =
      (K == 2 && options_.closed_form_k2()) ? log_prob_k2(eye, face) : log_prob_general(eye, face);
  return lp.movedim(0, -1);
}

Estimate GaussianSparsemax::face_probability_mc(const at::Tensor& face, int64_t num_samples,
                                                c10::optional<at::Generator> generator) const {
  const int64_t K = num_vertices();
  TORCH_CHECK(face.defined() && face.dim() >= 1 && face.size(-1) == K, name(),
              ".face_probability: face must be a mask [..., K] with K = ", K, ", got shape ",
              face.defined() ? face.sizes() : at::IntArrayRef{});
  constraints::validate(*constraints::face_mask(), name() + ".face_probability", "face", face);
  const at::Tensor f = face != 0;
  const at::Tensor size = f.sum(-1);
  TORCH_CHECK(num_samples >= 2, name(), ".face_probability_mc: num_samples must be >= 2, got ", num_samples);
  const auto out_shape = at::infer_size(size.sizes(), batch_shape());
  const at::TensorOptions opts = loc_.options();
  if (K == 1) return {at::ones(out_shape, opts), at::zeros(out_shape, opts)};
  // Exact vertex masses (also the two vertices for K = 2).
  const at::Tensor vertex_p = vertex_log_probs().exp();  // [..., K]
  const at::Tensor f_d = f.to(opts.dtype());
  const at::Tensor as_vertex = (vertex_p * f_d).sum(-1);  // the vertex's mass where |f| = 1
  if (K == 2) {
    // The edge is whatever the two vertices leave: 1 - P(e_1) - P(e_2), computed from the tails of d.
    const at::Tensor mu = loc_.to(at::kDouble), sigma = scale_.to(at::kDouble);
    const at::Tensor m_d = mu.select(-1, 0) - mu.select(-1, 1);
    const at::Tensor s_d = at::sqrt(sigma.select(-1, 0).square() + sigma.select(-1, 1).square());
    const at::Tensor a = (-1.0 - m_d) / s_d, b = (1.0 - m_d) / s_d;
    const at::Tensor edge = at::where(a > 0, at::special_ndtr(-a) - at::special_ndtr(-b),
                                      at::special_ndtr(b) - at::special_ndtr(a))
                                .to(opts.dtype());
    const at::Tensor p = at::where(size == 2, edge, as_vertex);
    return {p.expand(out_shape).contiguous(), at::zeros(out_shape, opts)};
  }
  const at::Tensor is_vertex = size == 1;
  if (is_vertex.all().item<bool>())
    return {as_vertex.expand(out_shape).contiguous(), at::zeros(out_shape, opts)};
  // Higher faces for K >= 3: the frequency of the face among samples (no closed form,
  // docs/math.md#gaussian-sparsemax-entropy-and-kl).
  const at::Tensor y = sample({num_samples}, std::move(generator));  // [n] + batch + [K]
  // Singleton dims between the sample dim and the batch, so that the faces' own leading dims line up.
  std::vector<int64_t> view{num_samples};
  view.insert(view.end(), out_shape.size() - batch_shape().size(), 1);
  view.insert(view.end(), batch_shape().begin(), batch_shape().end());
  view.push_back(K);
  const at::Tensor hit = ((y > 0).view(view) == f).all(-1).to(opts.dtype());
  const at::Tensor freq = hit.mean(0);
  const at::Tensor se = (freq * (1 - freq) / static_cast<double>(num_samples)).sqrt();  // binomial
  return {at::where(is_vertex, as_vertex, freq).expand(out_shape).contiguous(),
          at::where(is_vertex, at::zeros_like(se), se).expand(out_shape).contiguous()};
}

at::Tensor GaussianSparsemax::face_probability(const at::Tensor& face) const {
  const int64_t K = num_vertices();
  if (K >= 3 && face.defined() && face.dim() >= 1 && face.size(-1) == K) {
    TORCH_CHECK(
        ((face != 0).sum(-1) <= 1).all().item<bool>(), name(),
        ".face_probability: exact only for vertices (and any face when K <= 2); a higher face of K = ", K,
        " has no closed form: use face_probability_mc(face, num_samples, generator)");
  }
  // Vertices and K <= 2 never sample: the estimate is exact.
  return face_probability_mc(face, 2).value;
}

at::Tensor GaussianSparsemax::entropy() const {
  const int64_t K = num_vertices();
  if (K == 1) return at::zeros(batch_shape(), loc_.options());
  TORCH_CHECK(K == 2, name(), ".entropy: no closed form for K = ", K,
              " >= 3; use entropy_mc(num_samples, generator) for an estimate");
  // In the chart y_1, the K = 2 law is ClippedGaussian((m_d + 1)/2, s_d/2)
  // (docs/math.md#the-two-vertex-case); the free coordinate y_1 is exactly the coordinate convention's
  // Lebesgue measure on the edge.
  const at::Tensor m_d = loc_.select(-1, 0) - loc_.select(-1, 1);
  const at::Tensor s_d = at::sqrt(scale_.select(-1, 0).square() + scale_.select(-1, 1).square());
  return ClippedGaussian((m_d + 1.0) / 2.0, s_d / 2.0, ClippedGaussianOptions(), false).entropy();
}

at::Tensor GaussianSparsemax::entropy_bits(double precision_bits) const {
  const int64_t K = num_vertices();
  if (K == 1) return at::zeros(batch_shape(), loc_.options());
  TORCH_CHECK(K == 2, name(), ".entropy_bits: exact only for K <= 2 (got K = ", K,
              "); use entropy_bits_mc(precision_bits, num_samples, generator) for an estimate");
  // E[dim F] = P(edge) = 1 - P(e_1) - P(e_2).
  const at::Tensor edge = 1.0 - vertex_log_probs().exp().sum(-1);
  return code_length_bits(entropy(), edge, precision_bits);
}

SampleWithLogProb GaussianSparsemax::sample_with_log_prob(int64_t num_samples,
                                                          c10::optional<at::Generator> generator) const {
  TORCH_CHECK(num_samples >= 1, name(), ": num_samples must be >= 1, got ", num_samples);
  const at::Tensor y = rsample({num_samples}, std::move(generator));
  // The face of a sample is exactly its support: sparsemax returns exact zeros.
  return {y, log_prob_on_face(y, y > 0)};
}

Estimate GaussianSparsemax::entropy_bits_mc(double precision_bits, int64_t num_samples,
                                            c10::optional<at::Generator> generator) const {
  TORCH_CHECK(num_samples >= 2, name(), ".entropy_bits_mc: num_samples must be >= 2, got ", num_samples);
  // Per draw: -log2 p(Y) + N dim F(Y), whose mean is H+/ln 2 + N E[dim F].
  const SampleWithLogProb s = sample_with_log_prob(num_samples, std::move(generator));
  const at::Tensor dim = (s.value > 0).sum(-1).to(s.log_prob.scalar_type()) - 1;
  return sample_mean(-s.log_prob / std::log(2.0) + precision_bits * dim);
}

GaussianSparsemax GaussianSparsemax::expand(at::IntArrayRef batch_shape) const {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(num_vertices());
  return GaussianSparsemax(loc_.expand(shape), scale_.expand(shape), options_, false);
}

}  // namespace distributions
}  // namespace mixdist
