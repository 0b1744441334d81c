#pragma once

// GibbsFaces(scores w): the face law of the Mixed Dirichlet (the authors' NonEmptyBitVector,
// docs/math.md#gibbs-face-law),
//   P(f) ∝ exp(sum_k (2 f_k - 1) w_k),   f in {0,1}^K \ {0},
// i.e. independent Bernoullis with logits 2 w_k conditioned on being non-empty. Values are face masks of
// shape
// [..., K] (0/1, floating in the scores' dtype when sampled; bool masks are accepted by log_prob),
// event_shape {K}. Everything except brute-force checks is closed form or O(K) / O(K^2), so it works for any
// K (1000 and beyond): the normaliser through log1mexp, marginals, entropy, cross-entropy, KL, an exact
// sampler (never rejection sampling) and the exact mode.

#include "mixdist/distributions/distribution.h"

namespace mixdist {

class GibbsFaces : public Distribution {
 public:
  // scores: floating [..., K], K >= 1, finite.
  explicit GibbsFaces(const at::Tensor& scores, c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "GibbsFaces"; }
  // log P(f) = sum_k (2 f_k - 1) w_k - log Z for non-empty 0/1 masks f (bool or floating), shape
  // broadcast(value batch dims, batch_shape).
  at::Tensor log_prob(const at::Tensor& value) const override;
  // H = log Z - sum_k w_k (2 mu_k - 1).
  at::Tensor entropy() const override;
  // The marginals P(f_k = 1).
  at::Tensor mean() const override { return marginals(); }
  // The most probable face: f_k = [w_k > 0], or the vertex argmax w when that set is empty (exact: every
  // added vertex multiplies the probability by e^{2 w_k}).
  at::Tensor mode() const override;
  GibbsFaces expand(at::IntArrayRef batch_shape) const;

  int64_t num_vertices() const { return scores_.size(-1); }
  const at::Tensor& scores() const { return scores_; }
  // log Z, batch_shape.
  at::Tensor log_normalizer() const;
  // P(f_k = 1) = sigmoid(2 w_k) / (1 - prod_j sigmoid(-2 w_j)), [..., K].
  at::Tensor marginals() const;
  // log P(|F| = n) for n = 1..K, [..., K]: the Poisson-binomial law of the unconditioned Bernoullis
  // (special::poisson_binomial_log_pmf, O(K^2)) renormalised over n >= 1.
  at::Tensor log_size_pmf() const;

 protected:
  // Exact sampler. The left-to-right scheme of docs/math.md#gibbs-face-law draws zeros until its first 1 and
  // independent Bernoulli(sigmoid(2 w_k)) bits after it; the position j of that first 1 has the law
  //   P(j) ∝ exp(-sum_{i<j} w_i + w_j + sum_{i>j} logaddexp(w_i, -w_i)),
  // so j is drawn from that categorical and the bits after it in one vectorised step (no loop over K).
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor scores_;
};

// H(p, q) = -E_p[log q(F)] = log Z_q - sum_k w^q_k (2 mu^p_k - 1) (log q is linear in f).
at::Tensor cross_entropy(const GibbsFaces& p, const GibbsFaces& q);
at::Tensor kl_divergence(const GibbsFaces& p, const GibbsFaces& q);

namespace detail {
// Checks that a face mask (bool or numeric, [..., K]) holds only 0/1 and that every face is non-empty; the
// error names the distribution and the argument. Shared by the face-stratified distributions.
void check_face_mask(const std::string& dist, const char* arg, const at::Tensor& face);
}  // namespace detail

}  // namespace mixdist
