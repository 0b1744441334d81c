#include "mixdist/distributions/gibbs_faces.h"

#include "distributions/checks.h"
#include "mixdist/special/log1mexp.h"
#include "mixdist/special/poisson_binomial.h"

namespace mixdist {
inline namespace distributions {

GibbsFaces::GibbsFaces(const at::Tensor& scores, c10::optional<bool> validate_args)
    : Distribution(scores.defined() && scores.dim() >= 1 ? scores.sizes().slice(0, scores.dim() - 1).vec()
                                                         : std::vector<int64_t>{},
                   scores.defined() && scores.dim() >= 1 ? std::vector<int64_t>{scores.size(-1)}
                                                         : std::vector<int64_t>{},
                   validate_args),
      scores_(scores) {
  detail::check_floating(name(), "scores", scores);
  detail::check_min_dim(name(), "scores", scores, 1);
  TORCH_CHECK(scores.size(-1) >= 1, name(), ": scores need at least one vertex, got shape ", scores.sizes());
  if (this->validate_args()) validate_parameters({{"scores", scores}});
}

at::Tensor GibbsFaces::log_normalizer() const {
  return special::log_nonempty_bitvector_normalizer(scores_);
}

at::Tensor GibbsFaces::marginals() const {
  // log sigmoid(2w_k) - log(1 - P(empty)), P(empty) = prod_j sigmoid(-2 w_j) of the unconditioned law.
  const at::Tensor log_empty = at::log_sigmoid(scores_ * -2.0).sum(-1, /*keepdim=*/true);
  return (at::log_sigmoid(scores_ * 2.0) - special::log1mexp(-log_empty)).exp();
}

at::Tensor GibbsFaces::log_size_pmf() const {
  const at::Tensor table = special::poisson_binomial_log_pmf(scores_ * 2.0);  // n = 0..K
  // Conditioning on n >= 1 divides by 1 - P(0) (in log space through log1mexp).
  return table.narrow(-1, 1, num_vertices()) - special::log1mexp(-table.narrow(-1, 0, 1));
}

at::Tensor GibbsFaces::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample(value);
  const at::Tensor f = value.to(scores_.scalar_type());
  return ((2 * f - 1) * scores_).sum(-1) - log_normalizer();
}

at::Tensor GibbsFaces::entropy() const {
  return log_normalizer() - (scores_ * (2 * marginals() - 1)).sum(-1);
}

at::Tensor GibbsFaces::mode() const {
  const at::Tensor positive = scores_ > 0;
  const at::Tensor best_vertex =
      at::zeros_like(positive).scatter_(-1, scores_.argmax(-1, /*keepdim=*/true), true);
  return at::where(positive.any(-1, /*keepdim=*/true), positive, best_vertex).to(scores_.scalar_type());
}

GibbsFaces GibbsFaces::expand(at::IntArrayRef batch_shape) const {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(num_vertices());
  return GibbsFaces(scores_.expand(shape), false);
}

at::Tensor GibbsFaces::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  const int64_t K = num_vertices();
  // In double: the prefix and suffix sums reach K * max|w|, where a float ulp would bias the first-one law.
  const at::Tensor w = scores_.detach().to(at::kDouble).expand(extended_shape(sample_shape)).reshape({-1, K});
  const at::Tensor a = at::logaddexp(w, -w);
  // Exclusive prefix of -w (zeros before j) and exclusive suffix of a (anything after j).
  const at::Tensor prefix = (-w).cumsum(-1) + w;
  const at::Tensor suffix = a.flip(-1).cumsum(-1).flip(-1) - a;
  const at::Tensor logits = prefix + w + suffix;
  const at::Tensor probs = (logits - logits.logsumexp(-1, /*keepdim=*/true)).exp();
  const at::Tensor first = at::multinomial(probs, 1, /*replacement=*/true, generator);  // [rows, 1]
  const at::Tensor u = at::empty_like(w).uniform_(0.0, 1.0, generator);
  const at::Tensor bits = u < at::sigmoid(w * 2.0);
  const at::Tensor idx = at::arange(K, w.options().dtype(at::kLong));
  const at::Tensor face = (idx == first) | ((idx > first) & bits);
  return face.to(scores_.scalar_type()).reshape(extended_shape(sample_shape));
}

at::Tensor cross_entropy(const GibbsFaces& p, const GibbsFaces& q) {
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "cross_entropy(GibbsFaces, GibbsFaces): ", p.num_vertices(), " vs ", q.num_vertices(),
              " vertices");
  return q.log_normalizer() - (q.scores() * (2 * p.marginals() - 1)).sum(-1);
}

at::Tensor kl_divergence(const GibbsFaces& p, const GibbsFaces& q) {
  // Both terms are linear in the marginals of p; written as one difference so that KL(p, p) is 0 up to the
  // rounding of log Z.
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "kl_divergence(GibbsFaces, GibbsFaces): ", p.num_vertices(), " vs ", q.num_vertices(),
              " vertices");
  const at::Tensor mu = p.marginals();
  return q.log_normalizer() - p.log_normalizer() + ((p.scores() - q.scores()) * (2 * mu - 1)).sum(-1);
}

}  // namespace distributions
}  // namespace mixdist
