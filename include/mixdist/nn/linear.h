#pragma once

// A fully connected layer with its activation fused in: y = act(x W^T + b), the torch::nn::Linear (+ ReLU) of
// LibTorch with the same parameters, so modules keep their torch::nn::Linear members and checkpoints.
//
// Why: Debian's LibTorch sends at::addmm / at::mm to OpenBLAS, and this environment pins OpenBLAS to its
// Haswell (AVX2) kernels (OPENBLAS_CORETYPE). oneDNN's sgemm chooses its kernels from the CPU at run time
// (AVX-512 where there is one). For the MNIST VAE's six layers at batch 100, forward and backward, that is
// 2.7 ms instead of 5.8 ms on 2 threads (bench: nn/linear). Fusing the ReLU saves one autograd node and one
// pass over the activations each way.
//
// Float CPU tensors take the oneDNN path; every other dtype or device falls back to at::linear (+ at::relu)
// with the same semantics. The backward is first-order; under create_graph it is computed with ATen ops, so
// double backward works too.

#include <ATen/ATen.h>

#include <string>

namespace mixdist::nn {

enum class Activation { kIdentity, kRelu };

// input [*, in], weight [out, in], bias [out] or undefined; returns [*, out].
at::Tensor linear(const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias = {},
                  Activation activation = Activation::kIdentity);

// The GEMM library and the instruction set it runs on here, e.g. "oneDNN 2.6.3 sgemm (avx512_core_bf16)".
std::string linear_backend_description();

}  // namespace mixdist::nn
