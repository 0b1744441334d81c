#include "mixdist/train/fused_adam.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <c10/util/string_utils.h>
#include <torch/utils.h>

#include <cmath>
#include <tuple>

#include "cpu_dispatch.h"

namespace mixdist::train {
namespace {

struct AdamScalars {
  double beta1, beta2, eps, weight_decay, bias_correction2_sqrt, step_size;
};

// The element-wise update of torch::optim::Adam::step, operation for operation in the parameter's type, so
// the result matches it to rounding. Weight decay is a template argument so the loop has no branch.
template <typename T, bool Decay>
MIXDIST_CPU_CLONES void update_range(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m,
                                     T* __restrict__ v, int64_t begin, int64_t end, const AdamScalars& s) {
  const T b1 = static_cast<T>(s.beta1), one_minus_b1 = static_cast<T>(1 - s.beta1);
  const T b2 = static_cast<T>(s.beta2), one_minus_b2 = static_cast<T>(1 - s.beta2);
  const T wd = static_cast<T>(s.weight_decay), eps = static_cast<T>(s.eps);
  const T bc2_sqrt = static_cast<T>(s.bias_correction2_sqrt), neg_step = static_cast<T>(-s.step_size);
  for (int64_t i = begin; i < end; ++i) {
    const T grad = Decay ? g[i] + wd * p[i] : g[i];
    const T m_i = m[i] * b1 + one_minus_b1 * grad;
    const T v_i = v[i] * b2 + one_minus_b2 * (grad * grad);
    m[i] = m_i;
    v[i] = v_i;
    p[i] = p[i] + neg_step * (m_i / (std::sqrt(v_i) / bc2_sqrt + eps));
  }
}

template <typename T, bool Decay>
void fused_update(T* p, const T* g, T* m, T* v, int64_t n, const AdamScalars& s) {
  at::parallel_for(0, n, 65536,
                   [&](int64_t begin, int64_t end) { update_range<T, Decay>(p, g, m, v, begin, end, s); });
}

bool fusable(const torch::Tensor& p, const torch::Tensor& grad) {
  return p.device().is_cpu() && (p.scalar_type() == at::kFloat || p.scalar_type() == at::kDouble) &&
         grad.scalar_type() == p.scalar_type() && p.is_contiguous() && grad.is_contiguous() &&
         !grad.is_sparse();
}

}  // namespace

torch::Tensor FusedAdam::step(LossClosure closure) {
  // Adam's own path when anything is outside what the fused kernel handles (it also runs the closure).
  for (auto& group : param_groups_) {
    if (static_cast<torch::optim::AdamOptions&>(group.options()).amsgrad()) return Adam::step(closure);
    for (auto& p : group.params())
      if (p.grad().defined() && !fusable(p, p.grad())) return Adam::step(closure);
  }
  torch::NoGradGuard no_grad;
  torch::Tensor loss = {};
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<torch::optim::AdamOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      // The same state key and layout as Adam::step, so save()/load() and a later Adam::step see it as their
      // own.
      const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto state = std::make_unique<torch::optim::AdamParamState>();
        state->step(0);
        state->exp_avg(torch::zeros_like(p, at::MemoryFormat::Contiguous));
        state->exp_avg_sq(torch::zeros_like(p, at::MemoryFormat::Contiguous));
        it = state_.emplace(key, std::move(state)).first;
      }
      auto& state = static_cast<torch::optim::AdamParamState&>(*it->second);
      if (!state.exp_avg().is_contiguous() || !state.exp_avg_sq().is_contiguous()) {
        state.exp_avg(state.exp_avg().contiguous());
        state.exp_avg_sq(state.exp_avg_sq().contiguous());
      }
      state.step(state.step() + 1);
      const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
      const double bias_correction1 = 1 - std::pow(beta1, state.step());
      const double bias_correction2 = 1 - std::pow(beta2, state.step());
      const AdamScalars s{beta1,
                          beta2,
                          options.eps(),
                          options.weight_decay(),
                          std::sqrt(bias_correction2),
                          options.lr() / bias_correction1};
      const torch::Tensor grad = p.grad();
      AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "FusedAdam::step", [&] {
        scalar_t* m = state.exp_avg().data_ptr<scalar_t>();
        scalar_t* v = state.exp_avg_sq().data_ptr<scalar_t>();
        if (s.weight_decay != 0)
          fused_update<scalar_t, true>(p.data_ptr<scalar_t>(), grad.data_ptr<scalar_t>(), m, v, p.numel(), s);
        else
          fused_update<scalar_t, false>(p.data_ptr<scalar_t>(), grad.data_ptr<scalar_t>(), m, v, p.numel(),
                                        s);
      });
    }
  }
  return loss;
}

void FusedAdam::clear_grad() {
  for (auto& group : param_groups_)
    for (auto& p : group.params()) p.mutable_grad() = torch::Tensor();
}

}  // namespace mixdist::train
