#pragma once

/// @file
/// @brief ClippedGaussian: a Gaussian clipped to [0, 1], the one-bit Gaussian-Sparsemax.
///
/// ClippedGaussian(loc, scale): Y = clip(loc + scale * eps, 0, 1), eps ~ N(0, 1), the 1-D (bit) Gaussian-
/// Sparsemax (`docs/math.md#clipped-gaussian`). event_shape {}; a mixed variable on [0, 1] with masses P(0) =
/// Phi(-loc/scale) and P(1) = Phi((loc - 1)/scale) and the density N(y; loc, scale^2) on (0, 1), all w.r.t.
/// the direct-sum measure (counting measure at 0 and 1, Lebesgue measure inside), so log_prob mixes no mass
/// with a density.
///
/// Relation to the 2-D Gaussian-Sparsemax: sparsemax([z_1, z_2])_1 = clip((z_1 - z_2 + 1)/2, 0, 1), so
/// GaussianSparsemax(mu, sigma) with K = 2 is, in the chart y_1, ClippedGaussian((mu_1 - mu_2 + 1)/2,
/// sqrt(sigma_1^2 + sigma_2^2)/2). The reference bit-vector code samples sparsemax([l, 1 - l] + std * n)_1,
/// which is ClippedGaussian(l, std/sqrt(2)) (bit_gaussian_sparsemax below), but evaluates log_prob and the
/// entropy with scale std (`docs/math.md#the-authors-scale-quirk`). That mismatch is reproducible with
/// ClippedGaussianOptions().reproduce_authors(true); the default is the consistent distribution.

#include <ATen/ATen.h>
#include <torch/arg.h>

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// Options of a ClippedGaussian.
///
/// @code
/// mixdist::ClippedGaussianOptions().reproduce_authors(true)
/// @endcode
struct ClippedGaussianOptions {
  /// Reproduce the reference code (the authors' lvmhelpers package): sample with scale/sqrt(2) (its sparsemax
  /// over [l, 1 - l]) while log_prob and entropy() use scale, add 1e-12 to P(0) and P(1) inside their logs,
  /// and weight the entropy's continuous term by scale/2 instead of 1/2. Only for matching its numbers;
  /// default false (the consistent distribution).
  TORCH_ARG(bool, reproduce_authors) = false;
};

/// The clipped Gaussian Y = clip(loc + scale * eps, 0, 1), a mixed variable on [0, 1].
///
/// Batch shape: the broadcast shape of `loc` and `scale`; event shape {}. Reparameterised (differentiable in
/// loc and scale; the gradient vanishes on clipped draws). Entropy, mean, KL and face dimension are closed
/// form.
///
/// @code
/// mixdist::ClippedGaussian cg(torch::full({3}, 0.3), torch::full({3}, 0.5));
/// at::Tensor y = cg.rsample({8});  // [8, 3] in [0, 1], with exact 0s and 1s
/// @endcode
class ClippedGaussian : public Distribution {
 public:
  /// @param loc floating, finite.
  /// @param scale floating, positive and finite, broadcasting with `loc`.
  /// @param options see ClippedGaussianOptions (default: the consistent distribution).
  /// @param validate_args whether to validate (c10::nullopt: default_validate_args()).
  /// @throws c10::Error if a tensor is undefined or not floating, the shapes do not broadcast, or
  ///   (validation on) a value violates its constraint.
  ClippedGaussian(const at::Tensor& loc, const at::Tensor& scale,
                  ClippedGaussianOptions options = ClippedGaussianOptions(),
                  c10::optional<bool> validate_args = c10::nullopt);

  /// "ClippedGaussian".
  std::string name() const override { return "ClippedGaussian"; }
  /// The closed interval [0, 1].
  constraints::ConstraintPtr support() const override { return constraints::unit_interval(); }
  /// loc: finite; scale: positive.
  ArgConstraints arg_constraints() const override {
    return {{"loc", constraints::finite()}, {"scale", constraints::positive()}};
  }
  /// true.
  bool has_rsample() const override { return true; }
  /// log P(0) at 0, log P(1) at 1, log N(y; loc, scale^2) inside; exact.
  /// @param value floating, in [0, 1], broadcasting with the batch shape.
  /// @throws c10::Error (validation on) if value is not floating, lies outside [0, 1] or does not broadcast.
  at::Tensor log_prob(const at::Tensor& value) const override;
  /// Closed-form direct-sum entropy H = -P0 log P0 - P1 log P1 - ∫_0^1 p log p (nats), batch_shape.
  at::Tensor entropy() const override;
  /// E[Y] = P1 + loc (Phi(b) - Phi(a)) + scale (phi(a) - phi(b)), a = -loc/scale, b = (1 - loc)/scale.
  at::Tensor mean() const override;
  /// The same law expanded (as at::Tensor::expand) to `batch_shape`, without re-validation.
  ClippedGaussian expand(at::IntArrayRef batch_shape) const;
  /// E[dim F] = P(0 < Y < 1) (the vertices 0 and 1 have dimension 0), exact.
  at::Tensor expected_face_dim() const;
  /// H+/ln 2 + N E[dim F]: the optimal expected code length in bits at N-bit precision (code_length.h);
  /// exact.
  /// @param precision_bits N.
  at::Tensor entropy_bits(double precision_bits) const;

  /// log P(Y = 0) (exact, via log_ndtr, so finite however improbable).
  at::Tensor log_prob_zero() const;
  /// log P(Y = 1) (exact, via log_ndtr, so finite however improbable).
  at::Tensor log_prob_one() const;

  /// The location, broadcast to the batch shape.
  const at::Tensor& loc() const { return loc_; }
  /// The scale, broadcast to the batch shape.
  const at::Tensor& scale() const { return scale_; }
  /// The options it was built with.
  const ClippedGaussianOptions& options() const { return options_; }

 protected:
  /// clamp(loc + scale * eps, 0, 1) (scale / sqrt(2) with reproduce_authors).
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor loc_, scale_;
  ClippedGaussianOptions options_;
};

/// The law of the reference code's bit sampler sparsemax([logits, 1 - logits] + std * n)_1.
///
/// Returns ClippedGaussian(logits, std / sqrt(2)) with default options (consistent sampler, density and
/// entropy).
/// @param logits floating, finite (the location of each bit).
/// @param std the noise's standard deviation, positive and finite.
/// @param validate_args passed to the ClippedGaussian.
/// @throws c10::Error if `std` is not positive and finite, or as the ClippedGaussian constructor.
///
/// @code
/// mixdist::ClippedGaussian bits = mixdist::bit_gaussian_sparsemax(torch::zeros({8}));
/// @endcode
ClippedGaussian bit_gaussian_sparsemax(const at::Tensor& logits, double std = 1.0,
                                       c10::optional<bool> validate_args = c10::nullopt);

/// KL+(p || q) between clipped Gaussians, closed form.
///
/// The KL of the masses at 0 and 1 plus ∫_0^1 p log(p/q) from truncated-normal moments; shapes broadcast.
/// @throws c10::Error if p or q uses reproduce_authors (whose sampler and density disagree): both must
///   use the consistent convention.
at::Tensor kl_divergence(const ClippedGaussian& p, const ClippedGaussian& q);

}  // namespace distributions
}  // namespace mixdist
