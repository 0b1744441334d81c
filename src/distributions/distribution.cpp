#include "mixdist/distributions/distribution.h"

#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace mixdist {
inline namespace distributions {
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
SampleWithLogProb Distribution::sample_with_log_prob(int64_t num_samples,
                                                     c10::optional<at::Generator> generator) const {
  TORCH_CHECK(num_samples >= 1, name(), ": num_samples must be >= 1, got ", num_samples);
  const at::Tensor y = has_rsample() ? rsample({num_samples}, std::move(generator))
                                     : sample({num_samples}, std::move(generator));
  return {y, log_prob(y)};
}

Estimate Distribution::entropy_mc(int64_t num_samples, c10::optional<at::Generator> generator) const {
  TORCH_CHECK(num_samples >= 2, name(),
              ".entropy_mc: num_samples must be >= 2 (a standard error needs two draws), got ", num_samples);
  return sample_mean(-sample_with_log_prob(num_samples, std::move(generator)).log_prob);
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

void Distribution::validate_sample(const at::Tensor& value) const {
  check_value_shape(value);
  constraints::validate(*support(), name(), "value", value);
}

void Distribution::validate_sample_on_face(const at::Tensor& value, const at::Tensor& face) const {
  validate_sample(value);
  constraints::validate(*constraints::face_mask(), name(), "face", face);
  TORCH_CHECK(face.dim() >= 1 && face.size(-1) == value.size(-1), name(), ": face of shape ", face.sizes(),
              " does not match value of shape ", value.sizes());
  const at::Tensor outside = (value != 0) & (face == 0);
  if (!outside.any().item<bool>()) return;
  const at::Tensor index = outside.nonzero()[0];
  std::vector<int64_t> where;
  for (int64_t d = 0; d < index.size(0); ++d) where.push_back(index[d].item<int64_t>());
  at::Tensor v = value.expand(outside.sizes());
  for (int64_t i : where) v = v.select(0, i);
  TORCH_CHECK(false, name(), ": value must be 0 outside the given face, got ", v.item<double>(), " at index ",
              at::IntArrayRef(where), " where face is 0");
}

void Distribution::validate_parameters(
    const std::vector<std::pair<std::string, at::Tensor>>& parameters) const {
  const auto declared = arg_constraints();
  for (const auto& [param, value] : parameters) {
    const auto it =
        std::find_if(declared.begin(), declared.end(), [&](const auto& c) { return c.first == param; });
    TORCH_CHECK(it != declared.end(), name(), ": no constraint declared for parameter ", param);
    constraints::validate(*it->second, name(), param, value);
  }
}

}  // namespace distributions
}  // namespace mixdist
