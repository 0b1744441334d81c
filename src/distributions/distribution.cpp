#include "mixdist/distributions/distribution.h"

#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <atomic>

namespace mixdist {
namespace {
std::atomic<bool> g_validate_args{true};
}  // namespace

void set_default_validate_args(bool validate) {
  g_validate_args.store(validate);
}
bool default_validate_args() {
  return g_validate_args.load();
}

Distribution::Distribution(std::vector<int64_t> batch_shape, std::vector<int64_t> event_shape,
                           c10::optional<bool> validate_args)
    : batch_shape_(std::move(batch_shape)),
      event_shape_(std::move(event_shape)),
      validate_args_(validate_args.value_or(default_validate_args())) {}

std::vector<int64_t> Distribution::extended_shape(at::IntArrayRef sample_shape) const {
  std::vector<int64_t> shape(sample_shape.begin(), sample_shape.end());
  shape.insert(shape.end(), batch_shape_.begin(), batch_shape_.end());
  shape.insert(shape.end(), event_shape_.begin(), event_shape_.end());
  return shape;
}

at::Tensor Distribution::sample(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  c10::NoGradGuard no_grad;
  return draw(sample_shape, std::move(generator)).detach();
}

at::Tensor Distribution::rsample(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  TORCH_CHECK(
      has_rsample(), name(),
      ".rsample: this distribution has no reparameterised sampler; use sample() with a score-function "
      "estimator instead");
  return draw(sample_shape, std::move(generator));
}

at::Tensor Distribution::entropy() const {
  not_implemented("entropy");
}
at::Tensor Distribution::mean() const {
  not_implemented("mean");
}
at::Tensor Distribution::mode() const {
  not_implemented("mode");
}
at::Tensor Distribution::variance() const {
  not_implemented("variance");
}

void Distribution::not_implemented(const char* what) const {
  TORCH_CHECK(false, name(), ".", what, " is not available for this distribution");
}

void Distribution::check_value_shape(const at::Tensor& value) const {
  TORCH_CHECK(value.defined(), name(), ".log_prob: value is undefined");
  const int64_t ne = static_cast<int64_t>(event_shape_.size());
  TORCH_CHECK(value.dim() >= ne && value.sizes().slice(value.dim() - ne) == at::IntArrayRef(event_shape_),
              name(), ".log_prob: value of shape ", value.sizes(), " does not end with the event shape ",
              at::IntArrayRef(event_shape_));
  const auto value_batch = value.sizes().slice(0, value.dim() - ne);
  // Broadcastable: aligned from the right, each pair equal or one of them 1.
  bool ok = true;
  const int64_t nb = static_cast<int64_t>(batch_shape_.size()), nv = static_cast<int64_t>(value_batch.size());
  for (int64_t i = 1; i <= std::min(nb, nv); ++i) {
    const int64_t a = batch_shape_[nb - i], b = value_batch[nv - i];
    ok &= (a == b || a == 1 || b == 1);
  }
  TORCH_CHECK(ok, name(), ".log_prob: value of shape ", value.sizes(),
              " does not broadcast with the batch shape ", at::IntArrayRef(batch_shape_));
}

}  // namespace mixdist
