#pragma once

/// @file
/// @brief MaxEntropyFaces: the face law of the maximum-entropy mixed distribution, and its KLs.
///
/// MaxEntropyFaces(K, N): the face law of the maximum-entropy mixed distribution at precision N bits
/// (`docs/math.md#maximum-entropy-face-laws`). A face f with n = |f| vertices has
///   p(f) = pmf_n[n-1] / C(K, n),
/// i.e. the size n is drawn from pmf_n and the face is a uniform n-subset. Two size laws:
///   kDerived (default): pmf_n ∝ C(K,n) 2^{N(n-1)} / (n-1)!  (the derived max-ent law; K = 2, N = 0 gives 1/3
///                       for each of the three faces);
///   kAuthors:           pmf_n ∝ 2^{N(n-1)} / (n-1)!  (the reference code's MaxEntropyFaces.pmf_n,
///                       which omits C(K,n); select it to reproduce the authors' numbers,
///                       `docs/math.md#maximum-entropy-face-laws`).
/// Values are face masks [..., K] (0/1 in the distribution's dtype when sampled; bool accepted), event_shape
/// {K}. The law has no parameters to learn, so the batch shape is {} unless expand() makes a batch of
/// identical priors. KL with GibbsFaces in both directions is computed without enumerating the 2^K - 1 faces.

#include "mixdist/distributions/distribution.h"
#include "mixdist/distributions/gibbs_faces.h"

namespace mixdist {
inline namespace distributions {

/// Which law of the face size MaxEntropyFaces uses.
enum class MaxEntropyFacesVariant { kDerived, kAuthors };
/// @var MaxEntropyFacesVariant::kDerived
/// pmf_n ∝ C(K,n) 2^{N(n-1)} / (n-1)!, the derived maximum-entropy law (the default).
/// @var MaxEntropyFacesVariant::kAuthors
/// pmf_n ∝ 2^{N(n-1)} / (n-1)!, the reference code's law (omits C(K,n)).

/// The face law of the maximum-entropy mixed distribution on K vertices at precision N bits.
///
/// Batch shape {} (expand() for a batch of identical laws); event shape {K}. Values are 0/1 face masks. No
/// parameters, no reparameterised sampler; log_prob, entropy, mean and every KL are exact.
///
/// @code
/// mixdist::MaxEntropyFaces prior(5, /*N=*/2.0);
/// at::Tensor kl = mixdist::kl_divergence(mixdist::GibbsFaces(torch::randn({5})), prior);
/// @endcode
class MaxEntropyFaces : public Distribution {
 public:
  /// K >= 1 vertices, precision N >= 0 (bits, need not be an integer); the pmf is held in `dtype`.
  /// @param K the number of vertices, >= 1.
  /// @param N the precision in bits, finite and >= 0.
  /// @param variant the size law (MaxEntropyFacesVariant::kDerived by default).
  /// @param dtype a floating dtype for the pmf and the samples.
  /// @param validate_args whether log_prob validates its values (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if K < 1, N is negative or not finite, or dtype is not floating.
  explicit MaxEntropyFaces(int64_t K, double N = 0.0,
                           MaxEntropyFacesVariant variant = MaxEntropyFacesVariant::kDerived,
                           at::ScalarType dtype = at::kDouble,
                           c10::optional<bool> validate_args = c10::nullopt);

  /// "MaxEntropyFaces".
  std::string name() const override { return "MaxEntropyFaces"; }
  /// Face masks: rows of 0/1 entries with at least one 1.
  constraints::ConstraintPtr support() const override { return constraints::face_mask(); }
  /// log p(f) = log pmf_n(|f|) - log C(K, |f|), exact.
  /// @throws c10::Error (validation on) if a row is not a non-empty 0/1 mask or the shape does not fit.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// -sum_n pmf_n(n) (log pmf_n(n) - log C(K,n)), exact.
  at::Tensor entropy() const override;
  /// P(f_k = 1) = E[n] / K for every k (faces of a given size are uniform).
  at::Tensor mean() const override;
  /// A batch of identical laws of shape `batch_shape`.
  MaxEntropyFaces expand(at::IntArrayRef batch_shape) const;

  /// K.
  int64_t num_vertices() const { return K_; }
  /// N, the precision in bits.
  double precision() const { return N_; }
  /// The size law in use.
  MaxEntropyFacesVariant variant() const { return variant_; }
  /// log pmf_n for n = 1..K, shape batch_shape + [K].
  const at::Tensor& log_size_pmf() const { return log_size_pmf_; }
  /// log C(K, n) for n = 1..K, [K].
  const at::Tensor& log_binomial() const { return log_binomial_; }

 protected:
  /// n ~ pmf_n, then the n vertices of smallest rank under i.i.d. uniform keys (a uniform n-subset).
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  MaxEntropyFaces(int64_t K, double N, MaxEntropyFacesVariant variant, at::Tensor log_size_pmf,
                  at::Tensor log_binomial, std::vector<int64_t> batch_shape);

  int64_t K_;
  double N_;
  MaxEntropyFacesVariant variant_;
  at::Tensor log_size_pmf_;
  at::Tensor log_binomial_;
};

/// The log pmf of the face size, n = 1..K ([K], double), for either variant.
/// @param K the number of vertices, >= 1.
/// @param N the precision in bits.
/// @param variant the size law.
/// @throws c10::Error if K < 1.
///
/// @code
/// at::Tensor lp = mixdist::max_entropy_log_size_pmf(2, 0.0, mixdist::MaxEntropyFacesVariant::kDerived);
/// @endcode
at::Tensor max_entropy_log_size_pmf(int64_t K, double N, MaxEntropyFacesVariant variant);

/// KL(p || q) between max-entropy face laws: the KL of their size laws (faces of a size are uniform in
/// both), exact.
/// @throws c10::Error if the numbers of vertices differ.
at::Tensor kl_divergence(const MaxEntropyFaces& p, const MaxEntropyFaces& q);
/// KL(Gibbs || MaxEnt) = -H(Gibbs) - sum_n P_G(|F| = n) (log pmf_n(n) - log C(K,n)), with the size law of the
/// Gibbs faces from the Poisson-binomial DP (O(K^2)); exact, in p's dtype.
/// @throws c10::Error if the numbers of vertices differ.
at::Tensor kl_divergence(const GibbsFaces& p, const MaxEntropyFaces& q);
/// KL(MaxEnt || Gibbs) = -H(MaxEnt) + log Z - (2 E[n]/K - 1) sum_k w_k (log q is linear in f and E[f_k] is
/// E[n]/K under the max-ent law), O(K); exact, in q's dtype.
/// @throws c10::Error if the numbers of vertices differ.
at::Tensor kl_divergence(const MaxEntropyFaces& p, const GibbsFaces& q);

}  // namespace distributions
}  // namespace mixdist
