#pragma once

/// @file
/// @brief A fully connected layer with its activation fused in, through oneDNN's sgemm on the CPU.
///
/// A fully connected layer with its activation fused in: y = act(x W^T + b), the torch::nn::Linear (+ ReLU)
/// of LibTorch with the same parameters, so modules keep their torch::nn::Linear members and checkpoints.
///
/// Why: Debian's LibTorch sends at::addmm / at::mm to OpenBLAS, and this environment pins OpenBLAS to its
/// Haswell (AVX2) kernels (OPENBLAS_CORETYPE). oneDNN's sgemm chooses its kernels from the CPU at run time
/// (AVX-512 where there is one), which makes the MNIST VAE's six layers about twice as fast (see
/// docs/performance.md#fused-kernels; bench: nn/linear). Fusing the ReLU saves one autograd node and one pass
/// over the activations each way.
///
/// Float CPU tensors take the oneDNN path; every other dtype or device falls back to at::linear (+ at::relu)
/// with the same semantics. The backward is first-order; under create_graph it is computed with ATen ops, so
/// double backward works too.

#include <ATen/ATen.h>

#include <string>

namespace mixdist::nn {

/// The activation linear() applies to x W^T + b.
enum class Activation {
  kIdentity,  ///< none: x W^T + b
  kRelu       ///< max(0, x W^T + b)
};

/// y = act(x W^T + b), as torch::nn::Linear (+ ReLU) with the same parameters.
///
/// Float CPU tensors take the oneDNN path; every other dtype or device falls back to at::linear (+ at::relu).
/// Differentiable in input, weight and bias (double backward through ATen ops under create_graph).
/// @param input      [*, in], at least one dimension.
/// @param weight     [out, in].
/// @param bias       [out], or undefined for none.
/// @param activation Activation::kIdentity or Activation::kRelu.
/// @return [*, out].
/// @throws c10::Error if input or weight is undefined, weight is not 2-D, input's last dimension is not `in`,
///         bias has another shape than [out], or oneDNN fails.
///
/// @code
/// torch::nn::Linear fc(784, 512);
/// at::Tensor h =
///     mixdist::nn::linear(at::randn({100, 784}), fc->weight, fc->bias, mixdist::nn::Activation::kRelu);
/// @endcode
at::Tensor linear(const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias = {},
                  Activation activation = Activation::kIdentity);

/// The GEMM library and the instruction set it runs on here, e.g. "oneDNN 2.6.3 sgemm (avx512_core_bf16)".
///
/// @return a one-line description (for `mixdist info` and benchmark labels).
std::string linear_backend_description();

}  // namespace mixdist::nn
