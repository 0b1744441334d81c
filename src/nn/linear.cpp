#include "mixdist/nn/linear.h"

#include <ATen/Parallel.h>
#include <c10/util/accumulate.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <vector>

#include "nn/gemm.h"

namespace mixdist::nn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

void check_arguments(const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias) {
  TORCH_CHECK(input.defined(), "linear: input is undefined");
  TORCH_CHECK(weight.defined() && weight.dim() == 2, "linear: weight must be a [out, in] matrix, got shape ",
              weight.defined() ? weight.sizes() : at::IntArrayRef{});
  TORCH_CHECK(input.dim() >= 1 && input.size(-1) == weight.size(1),
              "linear: input's last dimension must equal ", "weight's in-features ", weight.size(1),
              "; input has shape ", input.sizes());
  TORCH_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(0)),
              "linear: bias must have shape [", weight.size(0), "] (weight's out-features), got ",
              bias.sizes());
}

bool is_cpu_float(const at::Tensor& t) {
  return !t.defined() || (t.is_cpu() && t.layout() == at::kStrided && t.scalar_type() == at::kFloat);
}

int64_t grain_rows(int64_t cols) {
  return std::max<int64_t>(1, 32768 / std::max<int64_t>(cols, 1));
}

// y[r, :] = act(y[r, :] + b), in place; b may be null.
void add_bias_activate(float* y, const float* b, int64_t rows, int64_t cols, bool relu) {
  at::parallel_for(0, rows, grain_rows(cols), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      float* row = y + r * cols;
      for (int64_t c = 0; c < cols; ++c) {
        const float v = row[c] + (b ? b[c] : 0.0f);
        // NaN stays NaN, as in at::relu.
        row[c] = relu && v < 0.0f ? 0.0f : v;
      }
    }
  });
}

// With y: masked[r, c] = y[r, c] > 0 ? g[r, c] : 0 (ReLU's backward, NaN outputs pass no gradient). With
// column_sums: the column sums of the (masked) gradient, each summed in double in row order by one thread,
// so the result does not depend on the thread count.
void relu_mask_and_column_sums(const float* g, const float* y, float* masked, float* column_sums,
                               int64_t rows, int64_t cols) {
  constexpr int64_t kBlock = 64;
  const int64_t blocks = (cols + kBlock - 1) / kBlock;
  at::parallel_for(0, blocks, std::max<int64_t>(1, 32768 / std::max<int64_t>(rows * kBlock, 1)),
                   [&](int64_t first, int64_t last) {
                     double sums[kBlock];
                     for (int64_t blk = first; blk < last; ++blk) {
                       const int64_t c0 = blk * kBlock, width = std::min(kBlock, cols - c0);
                       std::fill(sums, sums + width, 0.0);
                       for (int64_t r = 0; r < rows; ++r) {
                         const int64_t offset = r * cols + c0;
                         for (int64_t j = 0; j < width; ++j) {
                           const float v = (!y || y[offset + j] > 0.0f) ? g[offset + j] : 0.0f;
                           if (masked) masked[offset + j] = v;
                           sums[j] += v;
                         }
                       }
                       if (column_sums)
                         for (int64_t j = 0; j < width; ++j)
                           column_sums[c0 + j] = static_cast<float>(sums[j]);
                     }
                   });
}

class LinearFunction : public torch::autograd::Function<LinearFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& weight,
                            const at::Tensor& bias, bool has_bias, bool relu) {
    const int64_t in = weight.size(1), out = weight.size(0);
    // Rows counted explicitly: reshape({-1, 0}) is ambiguous when in = 0.
    const int64_t m = c10::multiply_integers(input.sizes().slice(0, input.dim() - 1));
    const at::Tensor x = input.reshape({m, in}).contiguous();
    const at::Tensor w = weight.contiguous();
    std::vector<int64_t> out_sizes = input.sizes().vec();
    out_sizes.back() = out;
    at::Tensor y = at::empty(out_sizes, x.options());
    if (m > 0 && out > 0) {
      float* yp = y.data_ptr<float>();
      if (in > 0)
        detail::sgemm(false, true, m, out, in, x.data_ptr<float>(), in, w.data_ptr<float>(), in, 0.0f, yp,
                      out);
      else
        y.zero_();
      const at::Tensor b = bias.contiguous();
      add_bias_activate(yp, has_bias ? b.data_ptr<float>() : nullptr, m, out, relu);
    }
    ctx->save_for_backward({x, w, relu ? y : at::Tensor()});
    ctx->saved_data["relu"] = relu;
    ctx->saved_data["has_bias"] = has_bias;
    ctx->saved_data["input_sizes"] = input.sizes().vec();
    return y;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &w = saved[1], &y = saved[2];
    const bool relu = ctx->saved_data["relu"].toBool(), has_bias = ctx->saved_data["has_bias"].toBool();
    const std::vector<int64_t> input_sizes = ctx->saved_data["input_sizes"].toIntVector();
    const int64_t m = x.size(0), in = w.size(1), out = w.size(0);
    const bool need_x = ctx->needs_input_grad(0), need_w = ctx->needs_input_grad(1),
               need_b = has_bias && ctx->needs_input_grad(2);
    const at::Tensor g = grads[0].reshape({m, out});

    at::Tensor dx, dw, db;
    if (at::GradMode::is_enabled()) {
      // create_graph: the same formulas in ATen ops, so that the gradients are differentiable in turn.
      const at::Tensor gm = relu ? g * y.reshape({m, out}).gt(0) : g;
      if (need_x) dx = gm.mm(w).view(input_sizes);
      if (need_w) dw = gm.t().mm(x);
      if (need_b) db = gm.sum(0);
      return {dx, dw, db, at::Tensor(), at::Tensor()};
    }

    at::Tensor gm = g.contiguous();
    if (need_b) db = at::empty({out}, g.options());
    if (relu) {
      at::Tensor masked = at::empty({m, out}, g.options());
      relu_mask_and_column_sums(gm.data_ptr<float>(), y.data_ptr<float>(), masked.data_ptr<float>(),
                                need_b ? db.data_ptr<float>() : nullptr, m, out);
      gm = masked;
    } else if (need_b) {
      relu_mask_and_column_sums(gm.data_ptr<float>(), nullptr, nullptr, db.data_ptr<float>(), m, out);
    }
    if (need_w) {
      dw = at::empty({out, in}, g.options());
      if (m > 0 && out > 0 && in > 0)
        detail::sgemm(true, false, out, in, m, gm.data_ptr<float>(), out, x.data_ptr<float>(), in, 0.0f,
                      dw.data_ptr<float>(), in);
      else
        dw.zero_();
    }
    if (need_x) {
      dx = at::empty({m, in}, g.options());
      if (m > 0 && out > 0 && in > 0)
        detail::sgemm(false, false, m, in, out, gm.data_ptr<float>(), out, w.data_ptr<float>(), in, 0.0f,
                      dx.data_ptr<float>(), in);
      else
        dx.zero_();
      dx = dx.view(input_sizes);
    }
    return {dx, dw, db, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor linear(const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias,
                  Activation activation) {
  check_arguments(input, weight, bias);
  const bool relu = activation == Activation::kRelu;
  if (is_cpu_float(input) && is_cpu_float(weight) && is_cpu_float(bias)) {
    // LibTorch 1.13's custom Functions cannot take an undefined tensor: a missing bias travels as an empty
    // one.
    const bool has_bias = bias.defined();
    return LinearFunction::apply(input, weight, has_bias ? bias : at::empty({0}, weight.options()), has_bias,
                                 relu);
  }
  const at::Tensor y = at::linear(input, weight, bias);
  return relu ? at::relu(y) : y;
}

std::string linear_backend_description() {
  return detail::gemm_description();
}

}  // namespace mixdist::nn
