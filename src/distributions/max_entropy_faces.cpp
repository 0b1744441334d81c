#include "mixdist/distributions/max_entropy_faces.h"

#include <cmath>

#include "distributions/checks.h"

namespace mixdist {
inline namespace distributions {
namespace {

at::Tensor log_binomials(int64_t K) {
  const at::Tensor n = at::arange(1, K + 1, at::TensorOptions().dtype(at::kDouble));
  return std::lgamma(static_cast<double>(K) + 1.0) - (n + 1).lgamma() - (K - n + 1).lgamma();
}

// Terms p * x with p = 0 contributing 0 even where x is infinite (0 log 0 = 0).
at::Tensor weighted_sum(const at::Tensor& p, const at::Tensor& x) {
  return at::where(p > 0, p * x, at::zeros_like(x)).sum(-1);
}

}  // namespace

at::Tensor max_entropy_log_size_pmf(int64_t K, double N, MaxEntropyFacesVariant variant) {
  TORCH_CHECK(K >= 1, "MaxEntropyFaces: K must be >= 1, got ", K);
  const at::Tensor n = at::arange(1, K + 1, at::TensorOptions().dtype(at::kDouble));
  at::Tensor logw = N * std::log(2.0) * (n - 1) - n.lgamma();  // 2^{N(n-1)} / (n-1)!
  if (variant == MaxEntropyFacesVariant::kDerived) logw = logw + log_binomials(K);
  return logw - logw.logsumexp(-1);
}

MaxEntropyFaces::MaxEntropyFaces(int64_t K, double N, MaxEntropyFacesVariant variant, at::ScalarType dtype,
                                 c10::optional<bool> validate_args)
    : Distribution({}, {K}, validate_args), K_(K), N_(N), variant_(variant) {
  TORCH_CHECK(K >= 1, name(), ": K (number of vertices) must be >= 1, got ", K);
  TORCH_CHECK(std::isfinite(N) && N >= 0, name(), ": precision N must be finite and >= 0, got ", N);
  TORCH_CHECK(at::isFloatingType(dtype), name(), ": dtype must be floating point, got ", dtype);
  log_size_pmf_ = max_entropy_log_size_pmf(K, N, variant).to(dtype);
  log_binomial_ = log_binomials(K).to(dtype);
}

MaxEntropyFaces::MaxEntropyFaces(int64_t K, double N, MaxEntropyFacesVariant variant, at::Tensor log_size_pmf,
                                 at::Tensor log_binomial, std::vector<int64_t> batch_shape)
    : Distribution(std::move(batch_shape), {K}, false),
      K_(K),
      N_(N),
      variant_(variant),
      log_size_pmf_(std::move(log_size_pmf)),
      log_binomial_(std::move(log_binomial)) {}

MaxEntropyFaces MaxEntropyFaces::expand(at::IntArrayRef batch_shape) const {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(K_);
  return MaxEntropyFaces(K_, N_, variant_, log_size_pmf_.expand(shape), log_binomial_, batch_shape.vec());
}

at::Tensor MaxEntropyFaces::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample(value);
  const at::Tensor log_face = log_size_pmf_ - log_binomial_;  // log p(f) by size n = 1..K
  const at::Tensor n = (value != 0).sum(-1, /*keepdim=*/false, at::kLong);
  const auto shape = at::infer_size(n.sizes(), batch_shape());
  std::vector<int64_t> lshape(shape.begin(), shape.end());
  lshape.push_back(K_);
  return log_face.expand(lshape).gather(-1, (n - 1).expand(shape).unsqueeze(-1)).squeeze(-1);
}

at::Tensor MaxEntropyFaces::entropy() const {
  const at::Tensor p = log_size_pmf_.exp();
  return -weighted_sum(p, log_size_pmf_ - log_binomial_);
}

at::Tensor MaxEntropyFaces::mean() const {
  const at::Tensor n = at::arange(1, K_ + 1, log_size_pmf_.options());
  const at::Tensor expected_n = (log_size_pmf_.exp() * n).sum(-1, /*keepdim=*/true);
  std::vector<int64_t> shape = batch_shape().vec();
  shape.push_back(K_);
  return (expected_n / static_cast<double>(K_)).expand(shape);
}

at::Tensor MaxEntropyFaces::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  const auto shape = extended_shape(sample_shape);
  const at::Tensor probs = log_size_pmf_.to(at::kDouble).exp().expand(shape).reshape({-1, K_});
  const at::Tensor n = at::multinomial(probs, 1, /*replacement=*/true, generator) + 1;  // [rows, 1]
  const at::Tensor keys = at::empty(probs.sizes(), probs.options()).uniform_(0.0, 1.0, generator);
  const at::Tensor rank = keys.argsort(/*dim=*/int64_t{-1}).argsort(/*dim=*/int64_t{-1});
  return (rank < n).to(log_size_pmf_.scalar_type()).reshape(shape);
}

at::Tensor kl_divergence(const MaxEntropyFaces& p, const MaxEntropyFaces& q) {
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "kl_divergence(MaxEntropyFaces, MaxEntropyFaces): ", p.num_vertices(), " vs ", q.num_vertices(),
              " vertices");
  // Within a size both are uniform over the same C(K,n) faces, so only the size laws differ.
  const at::Tensor lp = p.log_size_pmf(), lq = q.log_size_pmf().to(lp.scalar_type());
  return weighted_sum(lp.exp(), lp - lq);
}

at::Tensor kl_divergence(const GibbsFaces& p, const MaxEntropyFaces& q) {
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "kl_divergence(GibbsFaces, MaxEntropyFaces): ", p.num_vertices(), " vs ", q.num_vertices(),
              " vertices");
  const auto dtype = p.scores().scalar_type();
  const at::Tensor log_q_face = (q.log_size_pmf() - q.log_binomial()).to(dtype);
  return -p.entropy() - weighted_sum(p.log_size_pmf().exp(), log_q_face);
}

at::Tensor kl_divergence(const MaxEntropyFaces& p, const GibbsFaces& q) {
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "kl_divergence(MaxEntropyFaces, GibbsFaces): ", p.num_vertices(), " vs ", q.num_vertices(),
              " vertices");
  const auto dtype = q.scores().scalar_type();
  const at::Tensor lp = p.log_size_pmf().to(dtype);
  const at::Tensor n = at::arange(1, p.num_vertices() + 1, lp.options());
  const at::Tensor expected_n = (lp.exp() * n).sum(-1);
  const double K = static_cast<double>(p.num_vertices());
  return -p.entropy().to(dtype) + q.log_normalizer() - (2 * expected_n / K - 1) * q.scores().sum(-1);
}

}  // namespace distributions
}  // namespace mixdist
