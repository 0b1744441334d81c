#pragma once

/// @file
/// @brief MixedDirichlet: a Gibbs face law and a Dirichlet on the face, with exact and Monte Carlo entropy
/// and KL.
///
/// The Mixed Dirichlet (`docs/math.md#mixed-dirichlet`): a face F ~ GibbsFaces(scores), then Y | F ~
/// Dir(concentration_F) on that face, so
///   log p(y) = log P_F(f(y)) + log Dir(y_f | alpha_f)
/// w.r.t. the direct-sum measure (counting on vertices, Lebesgue on the free coordinates of each higher
/// face).
///
/// Entropy and KL split into a face part and an expectation over faces of a within-face term
/// (`docs/math.md#entropy-and-kl`):
///   H+(p)     = H(P_F) + E_{F~P_F}[H(Dir(alpha_F))]
///   KL+(p||q) = KL(P_F||Q_F) + E_{F~P_F}[KL(Dir(alpha_F)||Dir(beta_F))].
/// The face part is exact for any K (closed forms / Poisson-binomial DP). The within-face term depends
/// non-linearly on the face's concentration sum, so it does not factorise: entropy() and kl_divergence()
/// enumerate the 2^K - 1 faces (exact, K <= 24, an error beyond; face_expectation.h), and entropy_mc() and
/// kl_divergence_mc() average it over sampled faces for any K (the face part still exact), returning an
/// Estimate. Cost: `docs/performance.md#distributions` (bench: dist/mixed_dirichlet_logprob_kl).

#include <torch/arg.h>

#include <type_traits>

#include "mixdist/distributions/distribution.h"
#include "mixdist/distributions/gibbs_faces.h"
#include "mixdist/distributions/masked_dirichlet.h"

namespace mixdist {
inline namespace distributions {

/// The parameters of a MixedDirichlet, by name: both are [..., K] tensors of the same shape, and the
/// reference code takes them in the other order, so a positional constructor invites a silent swap.
///
/// @code
/// mixdist::MixedDirichletOptions().scores(torch::zeros({5})).concentration(torch::ones({5}))
/// @endcode
struct MixedDirichletOptions {
  /// Face scores w, floating [..., K], finite: P(F = f) is proportional to exp(sum_{k in f} w_k - sum_{k
  /// not in f} w_k). Required (no default).
  TORCH_ARG(at::Tensor, scores);
  /// Dirichlet concentrations alpha, floating [..., K] broadcasting with scores, positive and finite.
  /// Required (no default).
  TORCH_ARG(at::Tensor, concentration);
};

/// A sample together with the face it was drawn on (bool mask, same shape). Carry the face rather than
/// re-deriving it with (value > 0) (`docs/math.md#underflowing-dirichlet-coordinates`).
struct FacedSample {
  /// The point of the simplex, sample_shape + batch_shape + [K]; exactly 0 outside its face.
  at::Tensor value;
  /// Its face, bool, the shape of value.
  at::Tensor face;
};

/// The Mixed Dirichlet: F ~ GibbsFaces(scores), then Y | F ~ Dir(concentration_F) on that face.
///
/// Built only from named options (MixedDirichletOptions). Reparameterised within the face (the face itself is
/// a discrete draw without gradient). Exact: log_prob, entropy() and kl_divergence (K <= 24, an error naming
/// the _mc alternative beyond), expected_face_dim, entropy_bits; Monte Carlo for any K: entropy_mc,
/// entropy_bits_mc, kl_divergence_mc.
///
/// @code
/// mixdist::MixedDirichlet md(mixdist::MixedDirichletOptions().scores(s).concentration(a));
/// mixdist::FacedSample y = md.rsample_with_face({8});
/// @endcode
class MixedDirichlet : public Distribution {
 public:
  /// Batch shape: the broadcast of both parameters' leading dims; event shape {K}.
  /// @param options scores and concentration, both set (see MixedDirichletOptions).
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if a parameter is not set, not floating or 0-dim, their last dims differ or are
  ///   0, the batch shapes do not broadcast, or (validation on) scores are not finite or concentrations not
  ///   positive and finite.
  explicit MixedDirichlet(const MixedDirichletOptions& options,
                          c10::optional<bool> validate_args = c10::nullopt);
  /// The positional form MixedDirichlet(scores, concentration) is deliberately unavailable: name the
  /// parameters, MixedDirichlet(MixedDirichletOptions().scores(s).concentration(a)).
  template <class A, class B, class... Rest, std::enable_if_t<std::is_convertible_v<A, at::Tensor>, int> = 0>
  MixedDirichlet(const A& scores_or_concentration, const B&, const Rest&...) = delete;

  /// "MixedDirichlet".
  std::string name() const override { return "MixedDirichlet"; }
  /// The simplex (rows >= 0 summing to 1 within 1e-4), faces included.
  constraints::ConstraintPtr support() const override { return constraints::simplex(); }
  /// scores: finite; concentration: positive.
  ArgConstraints arg_constraints() const override {
    return {{"scores", constraints::finite()}, {"concentration", constraints::positive()}};
  }
  /// true: the within-face part is pathwise; the face is a discrete draw without gradient (train the scores
  /// with score_function_surrogate).
  bool has_rsample() const override { return true; }
  /// log P_F(f) + log Dir(y_f | alpha_f), exact, with the face taken as (value > 0).
  /// @param value [..., K] on the simplex, its batch dims broadcasting with the batch shape.
  /// @throws c10::Error (validation on) if value is not on the simplex or its shape does not fit.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// Face given explicitly (bool or 0/1 mask, e.g. FacedSample::face); value must be 0 outside it. Exact.
  /// @throws c10::Error (validation on) if value is not on the simplex, face is not a face mask, value is
  ///   nonzero outside it, or a shape does not fit.
  at::Tensor log_prob(const at::Tensor& value, const at::Tensor& face) const;
  /// Exact, by enumeration of the faces: K <= 24, an error naming entropy_mc beyond.
  /// @throws c10::Error if K > 24.
  at::Tensor entropy() const override;
  /// H(P_F) exactly plus E_F[H(Dir(alpha_F))] averaged over num_samples >= 2 faces per batch element, any K;
  /// the standard error is that of the face average. Its gradient reaches the scores only through H(P_F).
  /// @param num_samples faces per batch element, >= 2.
  /// @param generator the random generator (the default one if absent).
  /// @throws c10::Error if num_samples < 2.
  Estimate entropy_mc(int64_t num_samples,
                      c10::optional<at::Generator> generator = c10::nullopt) const override;
  /// Draws with their log-densities, each scored on the face it was drawn on.
  /// @param num_samples number of draws, >= 1.
  /// @param generator the random generator (the default one if absent).
  /// @throws c10::Error if num_samples < 1.
  SampleWithLogProb sample_with_log_prob(
      int64_t num_samples, c10::optional<at::Generator> generator = c10::nullopt) const override;
  /// Optimal expected code length in bits at N-bit precision: H+/ln 2 + N E[dim F]
  /// (`docs/math.md#code-length`); exact as entropy() is.
  /// @param N the precision in bits.
  /// @throws c10::Error naming entropy_mc if K > 24.
  at::Tensor entropy_bits(double N) const;
  /// The same from entropy_mc (E[dim F] exact); the standard error is the entropy's, in bits.
  /// @param N the precision in bits.
  /// @param num_samples faces per batch element, >= 2.
  /// @param generator the random generator (the default one if absent).
  /// @throws c10::Error if num_samples < 2.
  Estimate entropy_bits_mc(double N, int64_t num_samples,
                           c10::optional<at::Generator> generator = c10::nullopt) const;
  /// E[dim F] = sum_k P(f_k = 1) - 1, exact.
  at::Tensor expected_face_dim() const;
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  MixedDirichlet expand(at::IntArrayRef batch_shape) const;

  /// A reparameterised draw with its face: value differentiable in the concentration, face without gradient.
  /// @param sample_shape the leading dims of the sample.
  /// @param generator the random generator (the default one if absent).
  FacedSample rsample_with_face(at::IntArrayRef sample_shape = {},
                                c10::optional<at::Generator> generator = c10::nullopt) const;
  /// A draw with its face, without gradient.
  /// @param sample_shape the leading dims of the sample.
  /// @param generator the random generator (the default one if absent).
  FacedSample sample_with_face(at::IntArrayRef sample_shape = {},
                               c10::optional<at::Generator> generator = c10::nullopt) const;

  /// K.
  int64_t num_vertices() const { return concentration_.size(-1); }
  /// The face law P_F = GibbsFaces(scores), scores expanded to batch_shape + [K].
  const GibbsFaces& face_law() const { return face_law_; }
  /// Y | F = face, a MaskedDirichlet (validated as this distribution is).
  /// @param face [..., K] face mask broadcasting with the batch.
  MaskedDirichlet within_face(const at::Tensor& face) const;
  /// The scores w, batch_shape + [K].
  const at::Tensor& scores() const { return face_law_.scores(); }
  /// The concentrations alpha, batch_shape + [K].
  const at::Tensor& concentration() const { return concentration_; }

 protected:
  /// rsample_with_face(...).value.
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  GibbsFaces face_law_;
  at::Tensor concentration_;
};

/// KL+(p || q) between Mixed Dirichlets, exact (K <= 24; an error naming kl_divergence_mc beyond). Also what
/// the registry's kl_divergence(const Distribution&, const Distribution&) computes for this pair.
/// @throws c10::Error if the numbers of vertices differ or K > 24.
///
/// @code
/// at::Tensor kl = mixdist::kl_divergence(q, p);  // batch shape
/// @endcode
at::Tensor kl_divergence(const MixedDirichlet& p, const MixedDirichlet& q);
/// KL(P_F || Q_F) exactly plus the within-face KL averaged over num_samples >= 2 faces of p, any K.
///
/// The standard error is that of the face average; the gradient reaches p's scores only through
/// KL(P_F || Q_F).
/// @param p the first Mixed Dirichlet.
/// @param q the second, with the same K.
/// @param num_samples faces per batch element, >= 2.
/// @param generator the random generator (the default one if absent).
/// @throws c10::Error if the numbers of vertices differ or num_samples < 2.
Estimate kl_divergence_mc(const MixedDirichlet& p, const MixedDirichlet& q, int64_t num_samples,
                          c10::optional<at::Generator> generator = c10::nullopt);

}  // namespace distributions
}  // namespace mixdist
