#pragma once

// HardConcrete(logits a, temperature tau, l = -0.1, r = 1.1) (Louizos et al., 2018): stretch a BinaryConcrete
// X to S = l + (r - l) X and clip to [0, 1]. A mixed variable: masses P(Y = 0) = F_X(-l / (r - l)) and P(Y =
// 1) = 1 - F_X((1 - l) / (r - l)), and a density on (0, 1). log_prob is w.r.t. the direct-sum measure
// (counting on {0, 1}, Lebesgue on (0, 1)), so the mass and the density never mix in one number.

#include "mixdist/distributions/binary_concrete.h"
#include "mixdist/distributions/distribution.h"

namespace mixdist {

class HardConcrete : public Distribution {
 public:
  HardConcrete(const at::Tensor& logits, double temperature, double lower = -0.1, double upper = 1.1,
               c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "HardConcrete"; }
  bool has_rsample() const override { return true; }
  at::Tensor log_prob(const at::Tensor& value) const override;
  at::Tensor prob_zero() const;
  at::Tensor prob_one() const;
  // E[number of nonzeros] per entry = P(Y != 0): the expected-L0 penalty.
  at::Tensor expected_l0() const { return 1 - prob_zero(); }
  // Monte Carlo estimate of the direct-sum entropy E[-log p(Y)] (no closed form).
  at::Tensor entropy_mc(int64_t num_samples, c10::optional<at::Generator> generator = c10::nullopt) const;
  // E[dim F] = P(0 < Y < 1), exact.
  at::Tensor expected_face_dim() const { return 1 - prob_zero() - prob_one(); }
  // Code length in bits at N-bit precision (code_length.h), with the Monte Carlo entropy of entropy_mc.
  at::Tensor entropy_bits_mc(double precision_bits, int64_t num_samples,
                             c10::optional<at::Generator> generator = c10::nullopt) const;
  HardConcrete expand(at::IntArrayRef batch_shape) const;

  const BinaryConcrete& base() const { return base_; }
  double lower() const { return lower_; }
  double upper() const { return upper_; }

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  BinaryConcrete base_;
  double lower_, upper_;
};

}  // namespace mixdist
