#include "mixdist/nn/sigmoid_pool.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "cpu_dispatch.h"
#include "nn/vector_exp.h"

namespace mixdist::nn {
namespace {

using detail::exp_nonpositive;
using detail::kLanes;

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// sigmoid(z) from e^-|z| (never overflows): 1 / (1 + t) for z >= 0, t / (1 + t) below.
template <typename T>
MIXDIST_ALWAYS_INLINE T sigmoid(T z) {
  const T t = exp_nonpositive(z < T(0) ? z : -z);
  const T r = T(1) / (T(1) + t);
  return z < T(0) ? t * r : r;
}

// One row b of the forward: out[j] = sigmoid(sum_k w3[k] sigmoid(w2[k] e[j])) for j < E.
template <typename T>
MIXDIST_CPU_CLONES void forward_row(const T* __restrict__ e, const T* __restrict__ w2,
                                    const T* __restrict__ w3, int64_t E, int64_t H, T* __restrict__ out) {
  for (int64_t j = 0; j < E; ++j) {
    const T x = e[j];
    T lanes[kLanes] = {};
    int64_t k = 0;
    for (; k + kLanes <= H; k += kLanes)
      for (int64_t l = 0; l < kLanes; ++l) lanes[l] += w3[k + l] * sigmoid(w2[k + l] * x);
    T s = 0;
    for (; k < H; ++k) s += w3[k] * sigmoid(w2[k] * x);
    for (int64_t l = 0; l < kLanes; ++l) s += lanes[l];
    out[j] = sigmoid(s);
  }
}

// One row b of the backward, with gs[j] = dL/dout[j] * out[j] (1 - out[j]) the gradient at the outer
// sigmoid's input and s_k = sigmoid(w2[k] e[j]), d_k = s_k (1 - s_k):
//   de[j] = gs[j] sum_k w2[k] w3[k] d_k;   dw3[k] += gs[j] s_k;   dw2[k] += w3[k] gs[j] e[j] d_k.
// The row's dw3 and dw2 / w3 partials go to part3 and part2 ([H] each, overwritten).
template <typename T>
MIXDIST_CPU_CLONES void backward_row(const T* __restrict__ e, const T* __restrict__ gs,
                                     const T* __restrict__ w2, const T* __restrict__ w23, int64_t E,
                                     int64_t H, T* __restrict__ de, T* __restrict__ part2,
                                     T* __restrict__ part3) {
  for (int64_t k = 0; k < H; ++k) part2[k] = part3[k] = T(0);
  for (int64_t j = 0; j < E; ++j) {
    const T x = e[j], g = gs[j], gx = g * x;
    T lanes[kLanes] = {};
    int64_t k = 0;
    for (; k + kLanes <= H; k += kLanes)
      for (int64_t l = 0; l < kLanes; ++l) {
        const T s = sigmoid(w2[k + l] * x), d = s * (T(1) - s);
        lanes[l] += w23[k + l] * d;
        part3[k + l] += g * s;
        part2[k + l] += gx * d;
      }
    T sum = 0;
    for (; k < H; ++k) {
      const T s = sigmoid(w2[k] * x), d = s * (T(1) - s);
      sum += w23[k] * d;
      part3[k] += g * s;
      part2[k] += gx * d;
    }
    for (int64_t l = 0; l < kLanes; ++l) sum += lanes[l];
    if (de) de[j] = g * sum;
  }
}

// Runs row(b) for every b < B on the ATen threads, each thread taking the next undone row until none is left:
// a thread that the scheduler suspends (the machine is shared) holds up one row, not half of them. Each row's
// result is the same whichever thread computed it.
template <typename F>
void for_each_row(int64_t B, const F& row) {
  std::atomic<int64_t> next{0};
  at::parallel_for(0, B, 1, [&](int64_t, int64_t) {
    for (int64_t b = next.fetch_add(1, std::memory_order_relaxed); b < B;
         b = next.fetch_add(1, std::memory_order_relaxed))
      row(b);
  });
}

template <typename T>
void run_forward(const at::Tensor& e, const at::Tensor& w2, const at::Tensor& w3, at::Tensor& out) {
  const int64_t B = e.size(0), E = e.size(1), H = w2.size(0);
  const T *pe = e.data_ptr<T>(), *p2 = w2.data_ptr<T>(), *p3 = w3.data_ptr<T>();
  T* po = out.data_ptr<T>();
  for_each_row(B, [&](int64_t b) { forward_row<T>(pe + b * E, p2, p3, E, H, po + b * E); });
}

template <typename T>
void run_backward(const at::Tensor& e, const at::Tensor& gs, const at::Tensor& w2, const at::Tensor& w3,
                  at::Tensor& de, at::Tensor& dw2, at::Tensor& dw3) {
  const int64_t B = e.size(0), E = e.size(1), H = w2.size(0);
  const at::Tensor w23 = (w2 * w3).contiguous();
  // One partial per row, summed below in row order: the same sums whichever thread computed which row.
  at::Tensor parts = at::empty({B, 2, H}, e.options());
  const T *pe = e.data_ptr<T>(), *pg = gs.data_ptr<T>(), *p2 = w2.data_ptr<T>(), *p23 = w23.data_ptr<T>();
  T* pde = de.defined() ? de.data_ptr<T>() : nullptr;
  T* pp = parts.data_ptr<T>();
  for_each_row(B, [&](int64_t b) {
    backward_row<T>(pe + b * E, pg + b * E, p2, p23, E, H, pde ? pde + b * E : nullptr, pp + b * 2 * H,
                    pp + (b * 2 + 1) * H);
  });
  dw2 = at::zeros({H}, e.options());
  dw3 = at::zeros({H}, e.options());
  T *q2 = dw2.data_ptr<T>(), *q3 = dw3.data_ptr<T>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t k = 0; k < H; ++k) {
      q2[k] += pp[(b * 2) * H + k];
      q3[k] += pp[(b * 2 + 1) * H + k];
    }
  dw2.mul_(w3);
}

at::Tensor reference_unchecked(const at::Tensor& e, const at::Tensor& w2, const at::Tensor& w3) {
  const at::Tensor h1 = at::sigmoid(e.unsqueeze(1) * w2.view({1, -1, 1}));  // [B, H, E]
  return at::sigmoid(at::matmul(w3.view({1, -1}), h1).squeeze(1));          // [B, E]
}

class SigmoidPoolFunction : public torch::autograd::Function<SigmoidPoolFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& e, const at::Tensor& w2,
                            const at::Tensor& w3) {
    at::Tensor out = at::empty(e.sizes(), e.options());
    AT_DISPATCH_FLOATING_TYPES(e.scalar_type(), "sigmoid_pool",
                               [&] { run_forward<scalar_t>(e, w2, w3, out); });
    ctx->save_for_backward({e, w2, w3, out});
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &e = saved[0], &w2 = saved[1], &w3 = saved[2], &out = saved[3];
    if (at::GradMode::is_enabled()) {
      const auto g =
          torch::autograd::grad({reference_unchecked(e, w2, w3)}, {e, w2, w3}, {grads[0]},
                                /*retain_graph=*/true, /*create_graph=*/true, /*allow_unused=*/true);
      return {g[0], g[1], g[2]};
    }
    const at::Tensor gs = (grads[0] * out * (1 - out)).contiguous();
    at::Tensor de, dw2, dw3;
    if (ctx->needs_input_grad(0)) de = at::empty(e.sizes(), e.options());
    AT_DISPATCH_FLOATING_TYPES(e.scalar_type(), "sigmoid_pool_backward",
                               [&] { run_backward<scalar_t>(e, gs, w2, w3, de, dw2, dw3); });
    return {de, ctx->needs_input_grad(1) ? dw2 : at::Tensor(), ctx->needs_input_grad(2) ? dw3 : at::Tensor()};
  }
};

void check_arguments(const at::Tensor& e, const at::Tensor& w2, const at::Tensor& w3) {
  TORCH_CHECK(e.dim() == 2 && w2.dim() == 1 && w3.dim() == 1 && w2.size(0) == w3.size(0),
              "sigmoid_pool: e must be [B, E], w2 and w3 [H], got ", e.sizes(), ", ", w2.sizes(), " and ",
              w3.sizes());
}

bool fusable(const at::Tensor& e, const at::Tensor& w2, const at::Tensor& w3) {
  const auto dtype = e.scalar_type();
  for (const at::Tensor* t : {&e, &w2, &w3})
    if (!t->is_cpu() || t->layout() != at::kStrided || t->scalar_type() != dtype) return false;
  return dtype == at::kFloat || dtype == at::kDouble;
}

}  // namespace

at::Tensor sigmoid_pool_reference(const at::Tensor& e, const at::Tensor& w2, const at::Tensor& w3) {
  check_arguments(e, w2, w3);
  return reference_unchecked(e, w2, w3);
}

at::Tensor sigmoid_pool(const at::Tensor& e, const at::Tensor& w2, const at::Tensor& w3) {
  check_arguments(e, w2, w3);
  if (!fusable(e, w2, w3)) return reference_unchecked(e, w2, w3);
  return SigmoidPoolFunction::apply(e.contiguous(), w2.contiguous(), w3.contiguous());
}

}  // namespace mixdist::nn
