#include "mixdist/nn/pixel_categorical.h"

#include <ATen/Parallel.h>
#include <c10/util/accumulate.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "cpu_dispatch.h"
#include "nn/vector_exp.h"

namespace mixdist::nn {
namespace {

using detail::exp_nonpositive;
using detail::kLanes;

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

void check_arguments(const at::Tensor& features, const at::Tensor& weight, const at::Tensor& bias,
                     const at::Tensor& target) {
  TORCH_CHECK(features.dim() >= 3, "pixel_categorical_log_likelihood: features must be [..., B, P, R], got ",
              features.sizes());
  TORCH_CHECK(at::isFloatingType(features.scalar_type()),
              "pixel_categorical_log_likelihood: features must be floating point, got ",
              features.scalar_type());
  TORCH_CHECK(weight.dim() == 2 && weight.size(1) == features.size(-1),
              "pixel_categorical_log_likelihood: weight must be [C, R = ", features.size(-1), "], got ",
              weight.sizes());
  TORCH_CHECK(weight.scalar_type() == features.scalar_type(),
              "pixel_categorical_log_likelihood: weight must have features' dtype ", features.scalar_type(),
              ", got ", weight.scalar_type());
  TORCH_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0),
              "pixel_categorical_log_likelihood: bias must be [C = ", weight.size(0), "], got ",
              bias.sizes());
  TORCH_CHECK(bias.scalar_type() == features.scalar_type(),
              "pixel_categorical_log_likelihood: bias must have features' dtype ", features.scalar_type(),
              ", got ", bias.scalar_type());
  TORCH_CHECK(target.dim() == 2 && target.size(0) == features.size(-3) && target.size(1) == features.size(-2),
              "pixel_categorical_log_likelihood: target must be [B, P] = [", features.size(-3), ", ",
              features.size(-2), "], got ", target.sizes());
  TORCH_CHECK(target.scalar_type() == at::kByte || target.scalar_type() == at::kLong,
              "pixel_categorical_log_likelihood: target must be uint8 or int64, got ", target.scalar_type());
  if (target.numel() > 0) {
    const int64_t lo = target.min().item<int64_t>(), hi = target.max().item<int64_t>();
    TORCH_CHECK(lo >= 0 && hi < weight.size(0),
                "pixel_categorical_log_likelihood: target values must be in [0, ", weight.size(0),
                "), got values in [", lo, ", ", hi, "]");
  }
}

// ---------------------------------------------------------------- vectorisable building blocks

// A signed integer that orders like the float (sign-magnitude to two's complement): GCC vectorises an integer
// max reduction, but not a float one (whose NaN / signed-zero semantics it may not reorder).
MIXDIST_ALWAYS_INLINE int32_t order_key(float v) {
  int32_t i;
  std::memcpy(&i, &v, sizeof i);
  return i ^ ((i >> 31) & 0x7fffffff);
}
MIXDIST_ALWAYS_INLINE int64_t order_key(double v) {
  int64_t i;
  std::memcpy(&i, &v, sizeof i);
  return i ^ ((i >> 63) & 0x7fffffffffffffffLL);
}
MIXDIST_ALWAYS_INLINE float from_order_key(int32_t k) {
  const int32_t i = k ^ ((k >> 31) & 0x7fffffff);
  float v;
  std::memcpy(&v, &i, sizeof v);
  return v;
}
MIXDIST_ALWAYS_INLINE double from_order_key(int64_t k) {
  const int64_t i = k ^ ((k >> 63) & 0x7fffffffffffffffLL);
  double v;
  std::memcpy(&v, &i, sizeof v);
  return v;
}

// logits[c] = bias[c] + sum_r h[r] wt[r, c] for c < C (wt is the weight transposed, [R, C]); returns their
// max. kR > 0 fixes R at compile time (the r loop unrolls, one pass over the classes); kR = 0 takes R at run
// time and makes R + 1 passes over the row in L1.
template <typename T, int kR>
MIXDIST_ALWAYS_INLINE T pixel_logits(const T* __restrict__ h, const T* __restrict__ wt,
                                     const T* __restrict__ bias, int64_t R, int64_t C,
                                     T* __restrict__ logits) {
  using Key = decltype(order_key(T()));
  Key max_key = std::numeric_limits<Key>::min();
  if constexpr (kR > 0) {
    T hr[kR];
    for (int r = 0; r < kR; ++r) hr[r] = h[r];
    for (int64_t c = 0; c < C; ++c) {
      T l = bias[c];
      for (int r = 0; r < kR; ++r) l += hr[r] * wt[r * C + c];
      logits[c] = l;
      const Key key = order_key(l);
      max_key = key > max_key ? key : max_key;
    }
  } else {
    for (int64_t c = 0; c < C; ++c) logits[c] = bias[c];
    for (int64_t r = 0; r < R; ++r) {
      const T hr = h[r];
      const T* __restrict__ w = wt + r * C;
      for (int64_t c = 0; c < C; ++c) logits[c] += hr * w[c];
    }
    for (int64_t c = 0; c < C; ++c) {
      const Key key = order_key(logits[c]);
      max_key = key > max_key ? key : max_key;
    }
  }
  return from_order_key(max_key);
}

// The sum of the kLanes partial sums as a tree (halves added lane-wise: vector adds, not a serial chain).
template <typename T>
MIXDIST_ALWAYS_INLINE T sum_lanes(T* __restrict__ lanes) {
  for (int64_t width = kLanes / 2; width >= 1; width /= 2)
    for (int64_t j = 0; j < width; ++j) lanes[j] += lanes[j + width];
  return lanes[0];
}

// sum_c e^(logits[c] - shift), shift >= max logits.
template <typename T>
MIXDIST_ALWAYS_INLINE T sum_exp(const T* __restrict__ logits, T shift, int64_t C) {
  T lanes[kLanes] = {};
  int64_t c = 0;
  for (; c + kLanes <= C; c += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) lanes[j] += exp_nonpositive(logits[c + j] - shift);
  T tail = 0;
  for (; c < C; ++c) tail += exp_nonpositive(logits[c] - shift);
  return sum_lanes(lanes) + tail;
}

// dots[r] = sum_c a[c] wt[r, c] for r < R (wt: [R, C]), one pass per r (GCC makes a mess of R interleaved
// lane-wise sums in one pass).
template <typename T>
MIXDIST_ALWAYS_INLINE void dots(const T* __restrict__ a, const T* __restrict__ wt, int64_t R, int64_t C,
                                T* __restrict__ out) {
  for (int64_t r = 0; r < R; ++r) {
    T lanes[kLanes] = {};
    const T* __restrict__ w = wt + r * C;
    int64_t c = 0;
    for (; c + kLanes <= C; c += kLanes)
      for (int64_t j = 0; j < kLanes; ++j) lanes[j] += a[c + j] * w[c + j];
    T tail = 0;
    for (; c < C; ++c) tail += a[c] * w[c];
    out[r] = sum_lanes(lanes) + tail;
  }
}

// sums[c] += a[c] * scale.
template <typename T>
MIXDIST_ALWAYS_INLINE void accumulate_scaled(const T* __restrict__ a, T scale, int64_t C,
                                             T* __restrict__ sums) {
  for (int64_t c = 0; c < C; ++c) sums[c] += a[c] * scale;
}

// ---------------------------------------------------------------- kernels

struct Shape {
  int64_t B, P, R, C;
};

// out[n] = sum_p (logit[x_p] - lse_p) for rows n in [begin, end) (row n scores image n % B); lse[n, p] too
// when lse is not null. scratch: C values.
template <typename T, int kR>
MIXDIST_CPU_CLONES void forward_rows(const T* __restrict__ features, const T* __restrict__ wt,
                                     const T* __restrict__ bias, const int64_t* __restrict__ target, Shape s,
                                     int64_t begin, int64_t end, T* __restrict__ scratch, T* __restrict__ lse,
                                     T* __restrict__ out) {
  const int64_t P = s.P, R = s.R, C = s.C;
  // sum_p log(sum_p) as the log of a product (one libm log per row rather than per pixel): each factor is in
  // [1, C], and the product is renormalised (exponent moved out) before it could overflow.
  constexpr double kRenormalise = 0x1p512, kLn2 = 0.693147180559945309417;
  for (int64_t n = begin; n < end; ++n) {
    const int64_t* x = target + (n % s.B) * P;
    double logit_sum = 0, product = 1;
    int64_t exponent = 0;
    for (int64_t p = 0; p < P; ++p) {
      const T max = pixel_logits<T, kR>(features + (n * P + p) * R, wt, bias, R, C, scratch);
      const T sum = sum_exp(scratch, max, C);
      logit_sum += static_cast<double>(scratch[x[p]]) - static_cast<double>(max);
      if (lse) lse[n * P + p] = max + static_cast<T>(std::log(sum));
      product *= static_cast<double>(sum);
      if (product > kRenormalise) {
        int e;
        product = std::frexp(product, &e);
        exponent += e;
      }
    }
    out[n] = static_cast<T>(logit_sum - (std::log(product) + static_cast<double>(exponent) * kLn2));
  }
}

// The backward of one row n with upstream gradient g: with p_c = e^(logit_c - lse) and d_c = g (1[c = x] -
// p_c) per pixel, grad_features[n, p, :] = sum_c d_c W[c, :] = g (W[x] - sum_c p_c W[c]) (when not null) and,
// summed over the row's pixels into weight_bias ([R + 1, C]: R rows of d_c h_r, then d_c; when not null),
// the gradients of W (transposed) and b. scratch: C values.
template <typename T, int kR>
MIXDIST_CPU_CLONES void backward_row(const T* __restrict__ features, const T* __restrict__ wt,
                                     const T* __restrict__ bias, const int64_t* __restrict__ target,
                                     const T* __restrict__ lse, T g, Shape s, int64_t n,
                                     T* __restrict__ scratch, T* __restrict__ grad_features,
                                     T* __restrict__ weight_bias) {
  const int64_t P = s.P, R = kR > 0 ? kR : s.R, C = s.C;
  const int64_t* x = target + (n % s.B) * P;
  for (int64_t p = 0; p < P; ++p) {
    const T* h = features + (n * P + p) * R;
    pixel_logits<T, kR>(h, wt, bias, R, C, scratch);
    const T shift = lse[n * P + p];
    for (int64_t c = 0; c < C; ++c) scratch[c] = exp_nonpositive(scratch[c] - shift);
    const int64_t xp = x[p];
    if (grad_features) {
      T* gh = grad_features + (n * P + p) * R;
      dots(scratch, wt, R, C, gh);  // E_p[W[c, r]]
      for (int64_t r = 0; r < R; ++r) gh[r] = g * (wt[r * C + xp] - gh[r]);
    }
    if (weight_bias) {
      // One pass per row of the sums (R + 1 arrays in one buffer, which GCC cannot tell apart within a loop).
      for (int64_t c = 0; c < C; ++c) scratch[c] *= -g;
      for (int64_t r = 0; r < R; ++r) accumulate_scaled(scratch, h[r], C, weight_bias + r * C);
      accumulate_scaled(scratch, T(1), C, weight_bias + R * C);
      for (int64_t r = 0; r < R; ++r) weight_bias[r * C + xp] += g * h[r];
      weight_bias[R * C + xp] += g;
    }
  }
}

// Rows per block of the weight / bias gradient: each block's sums are accumulated by one thread in row order
// and the blocks are added in block order, so the result does not depend on the number of threads.
constexpr int64_t kRowsPerBlock = 4;

struct Problem {
  at::Tensor features, wt, bias, target;  // contiguous; wt = weight^T [R, C]; target int64
  Shape shape;
  int64_t rows;  // N = prod(leading dims) * B
};

Problem make_problem(const at::Tensor& features, const at::Tensor& weight, const at::Tensor& bias,
                     const at::Tensor& target) {
  Problem pr;
  pr.features = features.contiguous();
  pr.wt = weight.t().contiguous();
  pr.bias = bias.contiguous();
  pr.target = target.to(at::kLong).contiguous();
  pr.shape = {features.size(-3), features.size(-2), features.size(-1), weight.size(0)};
  pr.rows = c10::multiply_integers(features.sizes().slice(0, features.dim() - 2));
  return pr;
}

template <typename T>
void run_forward(const Problem& pr, T* lse, T* out) {
  const Shape s = pr.shape;
  const T* f = pr.features.data_ptr<T>();
  const T* wt = pr.wt.data_ptr<T>();
  const T* b = pr.bias.data_ptr<T>();
  const int64_t* x = pr.target.data_ptr<int64_t>();
  at::parallel_for(0, pr.rows, 1, [&](int64_t begin, int64_t end) {
    std::vector<T> scratch(std::max<int64_t>(s.C, 1));
    if (s.R == 5)
      forward_rows<T, 5>(f, wt, b, x, s, begin, end, scratch.data(), lse, out);
    else
      forward_rows<T, 0>(f, wt, b, x, s, begin, end, scratch.data(), lse, out);
  });
}

// grad_out [N]; writes grad_features [N, P, R] and weight_bias [R + 1, C] (each when not null).
template <typename T>
void run_backward(const Problem& pr, const T* lse, const T* grad_out, T* grad_features, T* weight_bias) {
  const Shape s = pr.shape;
  const int64_t C = s.C, R = s.R, width = (R + 1) * C;
  const T* f = pr.features.data_ptr<T>();
  const T* wt = pr.wt.data_ptr<T>();
  const T* b = pr.bias.data_ptr<T>();
  const int64_t* x = pr.target.data_ptr<int64_t>();
  const int64_t blocks = (pr.rows + kRowsPerBlock - 1) / kRowsPerBlock;
  std::vector<double> block_sums(weight_bias ? blocks * width : 0);
  at::parallel_for(0, blocks, 1, [&](int64_t first, int64_t last) {
    std::vector<T> scratch(std::max<int64_t>(C, 1));
    std::vector<T> row_sums(weight_bias ? width : 0);
    for (int64_t blk = first; blk < last; ++blk) {
      double* block = weight_bias ? block_sums.data() + blk * width : nullptr;
      for (int64_t n = blk * kRowsPerBlock; n < std::min(pr.rows, (blk + 1) * kRowsPerBlock); ++n) {
        // A row's ~800 pixels summed in T, the rows of a block in double.
        std::fill(row_sums.begin(), row_sums.end(), T(0));
        T* rs = weight_bias ? row_sums.data() : nullptr;
        if (R == 5)
          backward_row<T, 5>(f, wt, b, x, lse, grad_out[n], s, n, scratch.data(), grad_features, rs);
        else
          backward_row<T, 0>(f, wt, b, x, lse, grad_out[n], s, n, scratch.data(), grad_features, rs);
        if (block)
          for (int64_t i = 0; i < width; ++i) block[i] += static_cast<double>(rs[i]);
      }
    }
  });
  if (!weight_bias) return;
  std::vector<double> total(width, 0.0);
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const double* block = block_sums.data() + blk * width;
    for (int64_t i = 0; i < width; ++i) total[i] += block[i];
  }
  for (int64_t i = 0; i < width; ++i) weight_bias[i] = static_cast<T>(total[i]);
}

std::vector<int64_t> output_sizes(const at::Tensor& features) {
  return std::vector<int64_t>(features.sizes().begin(), features.sizes().end() - 2);
}

at::Tensor fused_forward(const Problem& pr, const std::vector<int64_t>& out_sizes, at::Tensor* lse) {
  at::Tensor out = at::empty(out_sizes, pr.features.options());
  if (lse) *lse = at::empty({pr.rows, pr.shape.P}, pr.features.options());
  AT_DISPATCH_FLOATING_TYPES(pr.features.scalar_type(), "pixel_categorical_log_likelihood", [&] {
    run_forward<scalar_t>(pr, lse ? lse->data_ptr<scalar_t>() : nullptr, out.data_ptr<scalar_t>());
  });
  return out;
}

// The gradients with ATen ops (differentiable, for create_graph): dlogits = g (onehot(x) - softmax(logits)).
tensor_list backward_with_aten_ops(const at::Tensor& features, const at::Tensor& weight,
                                   const at::Tensor& bias, const at::Tensor& target, const at::Tensor& grad,
                                   bool need_features, bool need_weight, bool need_bias) {
  const int64_t C = weight.size(0), R = weight.size(1);
  const at::Tensor p = at::softmax(at::linear(features, weight, bias), -1);
  const at::Tensor onehot = at::one_hot(target.to(at::kLong), C).to(p.scalar_type());
  const at::Tensor dlogits = grad.unsqueeze(-1).unsqueeze(-1) * (onehot - p);  // [..., B, P, C]
  at::Tensor gf, gw, gb;
  if (need_features) gf = dlogits.matmul(weight);
  if (need_weight) gw = dlogits.reshape({-1, C}).t().mm(features.reshape({-1, R}));
  if (need_bias) gb = dlogits.reshape({-1, C}).sum(0);
  return {gf, gw, gb, at::Tensor()};
}

class PixelCategoricalFunction : public torch::autograd::Function<PixelCategoricalFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& features, const at::Tensor& weight,
                            const at::Tensor& bias, const at::Tensor& target) {
    const Problem pr = make_problem(features, weight, bias, target);
    at::Tensor lse;
    at::Tensor out = fused_forward(pr, output_sizes(features), &lse);
    // The per-pixel log-sum-exp ([N, P], 1/C of the logits) spares the backward the max and the sum.
    ctx->save_for_backward({features, weight, bias, target, lse});
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &features = saved[0], &weight = saved[1], &bias = saved[2], &target = saved[3],
                     &lse = saved[4];
    const bool need_features = ctx->needs_input_grad(0), need_weight = ctx->needs_input_grad(1),
               need_bias = ctx->needs_input_grad(2);
    if (at::GradMode::is_enabled())
      return backward_with_aten_ops(features, weight, bias, target, grads[0], need_features, need_weight,
                                    need_bias);

    const Problem pr = make_problem(features, weight, bias, target);
    const int64_t R = pr.shape.R, C = pr.shape.C;
    const at::Tensor g = grads[0].reshape({pr.rows}).contiguous();
    at::Tensor gf, weight_bias;
    if (need_features) gf = at::empty(features.sizes(), features.options());
    if (need_weight || need_bias) weight_bias = at::empty({R + 1, C}, weight.options());
    AT_DISPATCH_FLOATING_TYPES(features.scalar_type(), "pixel_categorical_log_likelihood_backward", [&] {
      run_backward<scalar_t>(pr, lse.data_ptr<scalar_t>(), g.data_ptr<scalar_t>(),
                             gf.defined() ? gf.data_ptr<scalar_t>() : nullptr,
                             weight_bias.defined() ? weight_bias.data_ptr<scalar_t>() : nullptr);
    });
    at::Tensor gw, gb;
    if (need_weight) gw = weight_bias.slice(0, 0, R).t().contiguous();
    if (need_bias) gb = weight_bias[R].clone();
    return {gf, gw, gb, at::Tensor()};
  }
};

bool fusable(const at::Tensor& features, const at::Tensor& weight, const at::Tensor& bias,
             const at::Tensor& target) {
  const auto dtype = features.scalar_type();
  for (const at::Tensor* t : {&features, &weight, &bias, &target})
    if (!t->is_cpu() || t->layout() != at::kStrided || !t->is_contiguous()) return false;
  return (dtype == at::kFloat || dtype == at::kDouble) && weight.scalar_type() == dtype &&
         bias.scalar_type() == dtype;
}

}  // namespace

namespace {

at::Tensor reference_unchecked(const at::Tensor& features, const at::Tensor& weight, const at::Tensor& bias,
                               const at::Tensor& target) {
  const at::Tensor log_p = at::log_softmax(at::linear(features, weight, bias), -1);  // [..., B, P, C]
  std::vector<int64_t> index_shape(log_p.sizes().begin(), log_p.sizes().end() - 1);  // [..., B, P]
  index_shape.push_back(1);
  const at::Tensor index = target.to(at::kLong).unsqueeze(-1).expand(index_shape);
  return log_p.gather(-1, index).squeeze(-1).sum(-1);
}

}  // namespace

at::Tensor pixel_categorical_log_likelihood_reference(const at::Tensor& features, const at::Tensor& weight,
                                                      const at::Tensor& bias, const at::Tensor& target) {
  check_arguments(features, weight, bias, target);
  return reference_unchecked(features, weight, bias, target);
}

at::Tensor pixel_categorical_log_likelihood(const at::Tensor& features, const at::Tensor& weight,
                                            const at::Tensor& bias, const at::Tensor& target) {
  check_arguments(features, weight, bias, target);
  if (!fusable(features, weight, bias, target)) return reference_unchecked(features, weight, bias, target);
  const bool needs_grad = at::GradMode::is_enabled() &&
                          (features.requires_grad() || weight.requires_grad() || bias.requires_grad());
  if (needs_grad) return PixelCategoricalFunction::apply(features, weight, bias, target);
  // Evaluation: no autograd node, no saved log-sum-exp.
  return fused_forward(make_problem(features, weight, bias, target), output_sizes(features), nullptr);
}

}  // namespace mixdist::nn
