// The two discrete (mixture-model) latents: one-hot y in {e_1..e_L} with a uniform prior and the exact
// KL(Cat(q) || uniform). Categorical trains by exact marginalisation over the L classes; Gumbel-Softmax ST by
// a straight-through relaxed sample at a fixed temperature with logits clamped
// (docs/experiments.md#mnist-vae-the-six-latent-models).
#include "latents.h"
#include "mixdist/distributions/relaxed_one_hot_categorical.h"

namespace mixdist::experiments::vae_mnist::latents {
namespace {

class OneHotLatent : public Latent {
 public:
  explicit OneHotLatent(const VaeConfig& c) : L_(c.latent_dim) {}

  std::vector<int64_t> head_sizes() const override { return {L_}; }
  bool head_dropout() const override { return true; }

  ImportanceSamples importance_samples(const std::vector<at::Tensor>& heads, int64_t S) const override {
    const at::Tensor log_q_all = log_posterior(heads);                   // [B, L]
    const at::Tensor y = at::multinomial(log_q_all.exp(), S, true).t();  // [S, B]
    const at::Tensor log_q = log_q_all.expand({S, -1, -1}).gather(-1, y.unsqueeze(-1)).squeeze(-1);
    return {at::one_hot(y, L_).to(log_q_all.scalar_type()), log_q,
            at::full_like(log_q, -std::log(double(L_))), at::eye(L_, log_q_all.options()), y};
  }

  at::Tensor prior_samples(int64_t n) const override {
    return at::one_hot(at::randint(0, L_, {n}, at::kLong), L_).to(at::kFloat);
  }

 protected:
  virtual at::Tensor logits(const std::vector<at::Tensor>& heads) const { return heads.at(0); }
  at::Tensor log_posterior(const std::vector<at::Tensor>& heads) const {
    return at::log_softmax(logits(heads), -1);
  }
  // KL(Cat(q) || uniform) = sum q log q + log L.
  at::Tensor kl_to_uniform(const at::Tensor& log_q) const {
    return (log_q.exp() * log_q).sum(-1) + std::log(static_cast<double>(L_));
  }
  int64_t L_;
};

class CategoricalLatent final : public OneHotLatent {
 public:
  using OneHotLatent::OneHotLatent;

  LatentTerms terms(const std::vector<at::Tensor>& heads, const LogLikelihood& ll) const override {
    const at::Tensor log_q = log_posterior(heads);  // [B, L]
    const int64_t B = log_q.size(0);
    // Every class for every data point, [B, L]: the decoder runs on the L one-hot codes once (the authors'
    // code runs it on all L x B pairs: the same numbers, L times the work).
    const at::Tensor expected_ll = (log_q.exp() * ll.of_codes(at::eye(L_, log_q.options()))).sum(-1);
    const at::Tensor zero = at::zeros({B}, log_q.options());
    return {expected_ll, kl_to_uniform(log_q), zero, zero, zero, at::ones({B}, log_q.options())};
  }
};

class GumbelSoftmaxSTLatent final : public OneHotLatent {
 public:
  explicit GumbelSoftmaxSTLatent(const VaeConfig& c)
      : OneHotLatent(c), clamp_(c.logit_clamp), tau_(c.gumbel_temperature) {}

  LatentTerms terms(const std::vector<at::Tensor>& heads, const LogLikelihood& ll) const override {
    const at::Tensor l = logits(heads);
    const at::Tensor y = RelaxedOneHotCategorical(l, tau_, /*straight_through=*/true).rsample();
    const at::Tensor zero = at::zeros({l.size(0)}, l.options());
    return {ll(y), kl_to_uniform(at::log_softmax(l, -1)), zero, zero,
            zero,  at::ones({l.size(0)}, l.options())};
  }

 protected:
  at::Tensor logits(const std::vector<at::Tensor>& heads) const override {
    return heads.at(0).clamp(-clamp_, clamp_);
  }

 private:
  double clamp_, tau_;
};

}  // namespace

std::unique_ptr<Latent> make_categorical(const VaeConfig& config) {
  return std::make_unique<CategoricalLatent>(config);
}
std::unique_ptr<Latent> make_gumbel_softmax_st(const VaeConfig& config) {
  return std::make_unique<GumbelSoftmaxSTLatent>(config);
}

}  // namespace mixdist::experiments::vae_mnist::latents
