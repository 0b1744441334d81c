#include "mixdist/nn/pixel_categorical.h"

namespace mixdist::nn {
namespace {

void check_arguments(const at::Tensor& features, const at::Tensor& weight, const at::Tensor& bias,
                     const at::Tensor& target) {
  TORCH_CHECK(features.dim() >= 3, "pixel_categorical_log_likelihood: features must be [..., B, P, R], got ",
              features.sizes());
  TORCH_CHECK(weight.dim() == 2 && weight.size(1) == features.size(-1),
              "pixel_categorical_log_likelihood: weight must be [C, R = ", features.size(-1), "], got ",
              weight.sizes());
  TORCH_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0),
              "pixel_categorical_log_likelihood: bias must be [C = ", weight.size(0), "], got ", bias.sizes());
  TORCH_CHECK(target.dim() == 2 && target.size(0) == features.size(-3) && target.size(1) == features.size(-2),
              "pixel_categorical_log_likelihood: target must be [B, P] = [", features.size(-3), ", ",
              features.size(-2), "], got ", target.sizes());
  TORCH_CHECK(target.scalar_type() == at::kByte || target.scalar_type() == at::kLong,
              "pixel_categorical_log_likelihood: target must be uint8 or int64, got ", target.scalar_type());
  if (target.numel() > 0) {
    const int64_t lo = target.min().item<int64_t>(), hi = target.max().item<int64_t>();
    TORCH_CHECK(lo >= 0 && hi < weight.size(0), "pixel_categorical_log_likelihood: target values must be in [0, ",
                weight.size(0), "), got values in [", lo, ", ", hi, "]");
  }
}

}  // namespace

at::Tensor pixel_categorical_log_likelihood_reference(const at::Tensor& features, const at::Tensor& weight,
                                                      const at::Tensor& bias, const at::Tensor& target) {
  check_arguments(features, weight, bias, target);
  const at::Tensor log_p = at::log_softmax(at::linear(features, weight, bias), -1);  // [..., B, P, C]
  std::vector<int64_t> index_shape(log_p.sizes().begin(), log_p.sizes().end() - 1);  // [..., B, P]
  index_shape.push_back(1);
  const at::Tensor index = target.to(at::kLong).unsqueeze(-1).expand(index_shape);
  return log_p.gather(-1, index).squeeze(-1).sum(-1);
}

at::Tensor pixel_categorical_log_likelihood(const at::Tensor& features, const at::Tensor& weight,
                                            const at::Tensor& bias, const at::Tensor& target) {
  // The fused kernel is not written yet: the reference path.
  return pixel_categorical_log_likelihood_reference(features, weight, bias, target);
}

}  // namespace mixdist::nn
