#pragma once

// ClippedGaussian(loc, scale): Y = clip(loc + scale * eps, 0, 1), eps ~ N(0, 1), the 1-D (bit) Gaussian-
// Sparsemax (docs/math.md#clipped-gaussian). event_shape {}; a mixed variable on [0, 1] with masses P(0) =
// Phi(-loc/scale) and P(1) = Phi((loc - 1)/scale) and the density N(y; loc, scale^2) on (0, 1), all w.r.t.
// the direct-sum measure (counting measure at 0 and 1, Lebesgue measure inside), so log_prob mixes no mass
// with a density.
//
// Relation to the 2-D Gaussian-Sparsemax: sparsemax([z_1, z_2])_1 = clip((z_1 - z_2 + 1)/2, 0, 1), so
// GaussianSparsemax(mu, sigma) with K = 2 is, in the chart y_1, ClippedGaussian((mu_1 - mu_2 + 1)/2,
// sqrt(sigma_1^2 + sigma_2^2)/2). The reference bit-vector code samples sparsemax([l, 1 - l] + std * n)_1,
// which is ClippedGaussian(l, std/sqrt(2)) (bit_gaussian_sparsemax below), but evaluates log_prob and the
// entropy with scale std (docs/math.md#the-authors-scale-quirk). That mismatch is reproducible with
// ClippedGaussianOptions().reproduce_authors(true); the default is the consistent distribution.

#include <ATen/ATen.h>
#include <torch/arg.h>

#include "mixdist/distributions/distribution.h"

namespace mixdist {

struct ClippedGaussianOptions {
  // Reproduce the reference code (lvmhelpers/gaussian.py): sample with scale/sqrt(2) (its sparsemax over
  // [l, 1 - l]) while log_prob and entropy() use scale, add 1e-12 to P(0) and P(1) inside their logs, and
  // weight the entropy's continuous term by scale/2 instead of 1/2. Only for matching its numbers.
  TORCH_ARG(bool, reproduce_authors) = false;
};

class ClippedGaussian : public Distribution {
 public:
  ClippedGaussian(const at::Tensor& loc, const at::Tensor& scale,
                  ClippedGaussianOptions options = ClippedGaussianOptions(),
                  c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "ClippedGaussian"; }
  bool has_rsample() const override { return true; }
  // log P(0) at 0, log P(1) at 1, log N(y; loc, scale^2) inside; value must lie in [0, 1].
  at::Tensor log_prob(const at::Tensor& value) const override;
  // Closed-form direct-sum entropy H = -P0 log P0 - P1 log P1 - ∫_0^1 p log p.
  at::Tensor entropy() const override;
  // E[Y] = P1 + loc (Phi(b) - Phi(a)) + scale (phi(a) - phi(b)), a = -loc/scale, b = (1 - loc)/scale.
  at::Tensor mean() const override;
  ClippedGaussian expand(at::IntArrayRef batch_shape) const;
  // E[dim F] = P(0 < Y < 1) (the vertices 0 and 1 have dimension 0).
  at::Tensor expected_face_dim() const;
  // H+/ln 2 + N E[dim F]: the optimal expected code length in bits at N-bit precision (code_length.h).
  at::Tensor entropy_bits(double precision_bits) const;

  // log P(Y = 0), log P(Y = 1) (exact, via log_ndtr, so finite however improbable).
  at::Tensor log_prob_zero() const;
  at::Tensor log_prob_one() const;

  const at::Tensor& loc() const { return loc_; }
  const at::Tensor& scale() const { return scale_; }
  const ClippedGaussianOptions& options() const { return options_; }

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  at::Tensor loc_, scale_;
  ClippedGaussianOptions options_;
};

// The law of the reference code's bit sampler sparsemax([logits, 1 - logits] + std * n)_1:
// ClippedGaussian(logits, std / sqrt(2)) (consistent sampler, density and entropy).
ClippedGaussian bit_gaussian_sparsemax(const at::Tensor& logits, double std = 1.0,
                                       c10::optional<bool> validate_args = c10::nullopt);

// Closed form: KL of the masses at 0 and 1 plus ∫_0^1 p log(p/q) from truncated-normal moments. Both must use
// the consistent convention (an error with reproduce_authors, whose sampler and density disagree).
at::Tensor kl_divergence(const ClippedGaussian& p, const ClippedGaussian& q);

}  // namespace mixdist
