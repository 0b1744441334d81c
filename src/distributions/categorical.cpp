#include "mixdist/distributions/categorical.h"

#include "distributions/checks.h"

namespace mixdist {

Categorical::Categorical(const at::Tensor& logits, c10::optional<bool> validate_args)
    : Distribution(logits.defined() && logits.dim() >= 1 ? logits.sizes().slice(0, logits.dim() - 1).vec()
                                                         : std::vector<int64_t>{},
                   {}, validate_args) {
  detail::check_floating(name(), "logits", logits);
  detail::check_min_dim(name(), "logits", logits, 1);
  TORCH_CHECK(logits.size(-1) >= 1, name(), ": logits need at least one class, got shape ", logits.sizes());
  if (this->validate_args()) {
    detail::check_not_nan(name(), "logits", logits);
    const at::Tensor all_impossible = (logits == -std::numeric_limits<double>::infinity()).all(-1);
    detail::check_none(name(), "logits (a row)", all_impossible.to(at::kDouble), all_impossible,
                       "with at least one finite entry");
  }
  logits_ = logits - logits.logsumexp(-1, /*keepdim=*/true);
}

at::Tensor Categorical::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  const int64_t K = num_classes();
  int64_t n = 1;
  for (int64_t s : sample_shape) n *= s;
  const at::Tensor flat = probs().reshape({-1, K});
  // multinomial gives [rows, n]; move the n draws in front of the batch dims.
  const at::Tensor idx = at::multinomial(flat, n, /*replacement=*/true, std::move(generator));
  return idx.t().reshape(extended_shape(sample_shape));
}

at::Tensor Categorical::log_prob(const at::Tensor& value) const {
  if (validate_args()) {
    check_value_shape(value);
    TORCH_CHECK(!at::isFloatingType(value.scalar_type()), name(),
                ".log_prob: values must be integer class "
                "indices, got ",
                value.scalar_type());
    detail::check_none(name(), "value", value.to(at::kDouble), (value < 0) | (value >= num_classes()),
                       "a class index in [0, K)");
  }
  const auto shape = at::infer_size(value.sizes(), batch_shape());
  std::vector<int64_t> lshape(shape.begin(), shape.end());
  lshape.push_back(num_classes());
  return logits_.expand(lshape).gather(-1, value.to(at::kLong).expand(shape).unsqueeze(-1)).squeeze(-1);
}

at::Tensor Categorical::entropy() const {
  const at::Tensor p = probs();
  return -at::where(p > 0, p * logits_, at::zeros_like(p)).sum(-1);
}

Categorical Categorical::expand(at::IntArrayRef batch_shape) const {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(num_classes());
  return Categorical(logits_.expand(shape), false);
}

at::Tensor kl_divergence(const Categorical& p, const Categorical& q) {
  TORCH_CHECK(p.num_classes() == q.num_classes(),
              "kl_divergence(Categorical, Categorical): ", p.num_classes(), " vs ", q.num_classes(),
              " classes");
  const at::Tensor pp = p.probs();
  // 0 log 0 = 0; a class q excludes but p charges gives +inf.
  return at::where(pp > 0, pp * (p.logits() - q.logits()), at::zeros_like(pp)).sum(-1);
}

}  // namespace mixdist
