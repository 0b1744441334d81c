#pragma once

/// @file
/// @brief MixedMaxEntDirichletPrior: the mixed-latent VAE prior, and its KL from a Mixed Dirichlet.
///
/// The mixed-latent VAE prior (`docs/math.md#maximum-entropy-face-laws`): F ~ MaxEntropyFaces(K, N, variant),
/// then Y | F uniform on the face (Dirichlet(1), density (|f|-1)!). Entropy and E[dim F] are exact; so is its
/// KL from a Mixed Dirichlet up to the enumeration limit of the Mixed Dirichlet's within-face entropy.

#include "mixdist/distributions/distribution.h"
#include "mixdist/distributions/max_entropy_faces.h"
#include "mixdist/distributions/mixed_dirichlet.h"

namespace mixdist {
inline namespace distributions {

/// The maximum-entropy mixed prior: F ~ MaxEntropyFaces(K, N, variant), then Y | F uniform on the face.
///
/// No parameters to learn; log_prob, entropy, entropy_bits and expected_face_dim are exact. No
/// reparameterised sampler.
///
/// @code
/// mixdist::MixedMaxEntDirichletPrior prior(8, /*N=*/0.0, mixdist::MaxEntropyFacesVariant::kAuthors);
/// at::Tensor kl = mixdist::kl_divergence(q, prior);  // q: a MixedDirichlet with K = 8
/// @endcode
class MixedMaxEntDirichletPrior : public Distribution {
 public:
  /// Batch shape {} (expand() for a batch of identical priors), event shape {K}.
  /// @param K the number of vertices, >= 1.
  /// @param N the precision in bits, finite and >= 0.
  /// @param variant the face-size law (MaxEntropyFacesVariant::kDerived by default).
  /// @param dtype a floating dtype for the face law and the samples.
  /// @param validate_args whether log_prob validates its values (c10::nullopt: default_validate_args()).
  /// @throws c10::Error as MaxEntropyFaces: if K < 1, N is negative or not finite, or dtype is not floating.
  explicit MixedMaxEntDirichletPrior(int64_t K, double N = 0.0,
                                     MaxEntropyFacesVariant variant = MaxEntropyFacesVariant::kDerived,
                                     at::ScalarType dtype = at::kDouble,
                                     c10::optional<bool> validate_args = c10::nullopt);

  /// "MixedMaxEntDirichletPrior".
  std::string name() const override { return "MixedMaxEntDirichletPrior"; }
  /// The simplex (rows >= 0 summing to 1 within 1e-4), faces included.
  constraints::ConstraintPtr support() const override { return constraints::simplex(); }
  /// log p(f) + log (|f|-1)! with the face taken as (value > 0), exact.
  /// @throws c10::Error (validation on) if value is not on the simplex or its shape does not fit.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// The same with the face given explicitly (bool or 0/1 mask); value must be 0 outside it.
  /// @throws c10::Error (validation on) if value is not on the simplex, face is not a face mask, value is
  ///   nonzero outside it, or a shape does not fit.
  at::Tensor log_prob(const at::Tensor& value, const at::Tensor& face) const;
  /// H(MaxEnt) - E[log (|F|-1)!], exact.
  at::Tensor entropy() const override;
  /// H+/ln 2 + N E[dim F] (code_length.h), exact.
  /// @param N the precision in bits at which to count (not necessarily the prior's own).
  at::Tensor entropy_bits(double N) const;
  /// E[dim F] = E[|F|] - 1, exact.
  at::Tensor expected_face_dim() const;
  /// A batch of identical priors of shape `batch_shape`.
  MixedMaxEntDirichletPrior expand(at::IntArrayRef batch_shape) const;

  /// K.
  int64_t num_vertices() const { return face_law_.num_vertices(); }
  /// The face law MaxEntropyFaces(K, N, variant).
  const MaxEntropyFaces& face_law() const { return face_law_; }

 protected:
  /// A face from the face law, then a uniform point of it (Dirichlet(1) on the face).
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  explicit MixedMaxEntDirichletPrior(MaxEntropyFaces face_law);
  // log_prob without validation, the face as a mask.
  at::Tensor log_prob_on_face(const at::Tensor& face) const;
  MaxEntropyFaces face_law_;
};

/// KL+(p || prior) = KL(P_F || MaxEnt) - E_F[H(Dir(alpha_F))] - E_F[log (|F|-1)!]; only the entropy
/// expectation needs enumeration (exact, K <= 24, an error naming kl_divergence_mc beyond), the last term is
/// exact from the face-size law.
/// @throws c10::Error if the numbers of vertices differ or K > 24.
at::Tensor kl_divergence(const MixedDirichlet& p, const MixedMaxEntDirichletPrior& q);
/// The same with the within-face entropy averaged over num_samples >= 2 faces of p, any K.
/// @param p the Mixed Dirichlet.
/// @param q the prior, with the same K.
/// @param num_samples faces per batch element, >= 2.
/// @param generator the random generator (the default one if absent).
/// @throws c10::Error if the numbers of vertices differ or num_samples < 2.
Estimate kl_divergence_mc(const MixedDirichlet& p, const MixedMaxEntDirichletPrior& q, int64_t num_samples,
                          c10::optional<at::Generator> generator = c10::nullopt);

}  // namespace distributions
}  // namespace mixdist
