#pragma once

/// @file
/// @brief GibbsFaces: the face law of the Mixed Dirichlet, with closed-form entropy, KL and sampler.
///
/// GibbsFaces(scores w): the face law of the Mixed Dirichlet (the authors' NonEmptyBitVector,
/// `docs/math.md#gibbs-face-law`),
///   P(f) ∝ exp(sum_k (2 f_k - 1) w_k),   f in {0,1}^K \ {0},
/// i.e. independent Bernoullis with logits 2 w_k conditioned on being non-empty. Values are face masks of
/// shape
/// [..., K] (0/1, floating in the scores' dtype when sampled; bool masks are accepted by log_prob),
/// event_shape {K}. Everything except brute-force checks is closed form or O(K) / O(K^2), so it works for any
/// K (1000 and beyond): the normaliser through log1mexp, marginals, entropy, cross-entropy, KL, an exact
/// sampler (never rejection sampling) and the exact mode.

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// The Gibbs law over the non-empty faces of the simplex, P(f) ∝ exp(sum_k (2 f_k - 1) w_k).
///
/// Batch shape: scores' shape without its last dim; event shape {K}. Values are 0/1 face masks. No
/// reparameterised sampler (a discrete law: train its scores with score_function_surrogate or through the
/// exact entropy and KL).
///
/// @code
/// mixdist::GibbsFaces law(torch::randn({2, 5}));
/// at::Tensor f = law.sample({10});  // [10, 2, 5], non-empty 0/1 masks
/// @endcode
class GibbsFaces : public Distribution {
 public:
  /// @param scores floating [..., K], K >= 1, finite.
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if `scores` is undefined, not floating, 0-dim or has K = 0, or (validation on) is
  ///   not finite.
  explicit GibbsFaces(const at::Tensor& scores, c10::optional<bool> validate_args = c10::nullopt);

  /// "GibbsFaces".
  std::string name() const override { return "GibbsFaces"; }
  /// Face masks: rows of 0/1 entries with at least one 1.
  constraints::ConstraintPtr support() const override { return constraints::face_mask(); }
  /// scores: finite.
  ArgConstraints arg_constraints() const override { return {{"scores", constraints::finite()}}; }
  /// log P(f) = sum_k (2 f_k - 1) w_k - log Z for non-empty 0/1 masks f (bool or floating), shape
  /// broadcast(value batch dims, batch_shape); exact.
  /// @throws c10::Error (validation on) if a row is not a non-empty 0/1 mask or the shape does not fit.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// H = log Z - sum_k w_k (2 mu_k - 1), exact, batch_shape.
  at::Tensor entropy() const override;
  /// The marginals P(f_k = 1).
  at::Tensor mean() const override { return marginals(); }
  /// The most probable face: f_k = [w_k > 0], or the vertex argmax w when that set is empty (exact: every
  /// added vertex multiplies the probability by e^{2 w_k}).
  at::Tensor mode() const override;
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  GibbsFaces expand(at::IntArrayRef batch_shape) const;

  /// K.
  int64_t num_vertices() const { return scores_.size(-1); }
  /// The scores w, [..., K].
  const at::Tensor& scores() const { return scores_; }
  /// log Z, batch_shape.
  at::Tensor log_normalizer() const;
  /// P(f_k = 1) = sigmoid(2 w_k) / (1 - prod_j sigmoid(-2 w_j)), [..., K].
  at::Tensor marginals() const;
  /// log P(|F| = n) for n = 1..K, [..., K]: the Poisson-binomial law of the unconditioned Bernoullis
  /// (special::poisson_binomial_log_pmf, O(K^2)) renormalised over n >= 1.
  at::Tensor log_size_pmf() const;

 protected:
  /// Exact sampler. The left-to-right scheme of `docs/math.md#gibbs-face-law` draws zeros until its first 1
  /// and independent Bernoulli(sigmoid(2 w_k)) bits after it; the position j of that first 1 has the law
  ///   P(j) ∝ exp(-sum_{i<j} w_i + w_j + sum_{i>j} logaddexp(w_i, -w_i)),
  /// so j is drawn from that categorical and the bits after it in one vectorised step (no loop over K).
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor scores_;
};

/// H(p, q) = -E_p[log q(F)] = log Z_q - sum_k w^q_k (2 mu^p_k - 1) (log q is linear in f); exact, O(K).
/// @throws c10::Error if the numbers of vertices differ.
at::Tensor cross_entropy(const GibbsFaces& p, const GibbsFaces& q);
/// KL(p || q) between Gibbs face laws, exact, O(K) (no enumeration of the faces).
/// @throws c10::Error if the numbers of vertices differ.
at::Tensor kl_divergence(const GibbsFaces& p, const GibbsFaces& q);

}  // namespace distributions
}  // namespace mixdist
