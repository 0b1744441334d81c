#include "mixdist/distributions/categorical.h"

#include "distributions/checks.h"

namespace mixdist {
inline namespace distributions {

Categorical::Categorical(const at::Tensor& logits, c10::optional<bool> validate_args)
    : Distribution(logits.defined() && logits.dim() >= 1 ? logits.sizes().slice(0, logits.dim() - 1).vec()
                                                         : std::vector<int64_t>{},
                   {}, validate_args) {
  detail::check_floating(name(), "logits", logits);
  detail::check_min_dim(name(), "logits", logits, 1);
  TORCH_CHECK(logits.size(-1) >= 1, name(), ": logits need at least one class, got shape ", logits.sizes());
  if (this->validate_args()) validate_parameters({{"logits", logits}});
  logits_ = logits - logits.logsumexp(-1, /*keepdim=*/true);
}

namespace {
// Logits of a categorical: no NaN, and at least one class possible (an entry above -inf) in each row.
class LogitsConstraint final : public constraints::Constraint {
 public:
  std::string name() const override { return "categorical_logits"; }
  std::string requirement() const override {
    return "free of NaN with at least one entry above -inf per row";
  }
  int64_t event_dim() const override { return 1; }
  at::Tensor check(const at::Tensor& v) const override {
    return (~v.isnan()).all(-1) & (v > -std::numeric_limits<double>::infinity()).any(-1);
  }
};
}  // namespace

constraints::ConstraintPtr Categorical::support() const {
  return constraints::integer_interval(0, num_classes() - 1);
}

ArgConstraints Categorical::arg_constraints() const {
  static const constraints::ConstraintPtr logits = std::make_shared<LogitsConstraint>();
  return {{"logits", logits}};
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
    TORCH_CHECK(!at::isFloatingType(value.scalar_type()), name(),
                ".log_prob: value must hold integer class indices, got dtype ", value.scalar_type());
    validate_sample(value);
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

}  // namespace distributions
}  // namespace mixdist
