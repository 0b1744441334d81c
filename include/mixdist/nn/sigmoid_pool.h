#pragma once

// The signal-game sender's middle block as one fused operation:
//   out[b, j] = sigmoid(sum_k w3[k] * sigmoid(w2[k] * e[b, j])),   e [B, E], w2 [H], w3 [H] -> out [B, E],
// a 1x1 convolution with H output channels, a sigmoid, an (H x 1) convolution back to one channel and a
// sigmoid. Written in ATen ops it materialises the [B, H, E] hidden tensor (64 x 512 x 256 floats, 32 MiB, in
// the paper's game) several times forward and backward; here the forward keeps only the [B, E] output and the
// backward recomputes the hidden sigmoids, so no [B, H, E] tensor exists at all.
//
// Float and double CPU tensors take the fused path (double for the tests); anything else falls back to
// sigmoid_pool_reference. The parameter gradients are reduced in a fixed order (one partial per row b, summed
// in row order), so results are bitwise identical for any number of threads. The backward is first-order;
// under create_graph it is computed with ATen ops.

#include <ATen/ATen.h>

namespace mixdist::nn {

at::Tensor sigmoid_pool(const at::Tensor& e, const at::Tensor& w2, const at::Tensor& w3);

// The same function in ATen ops (the baseline the kernel is checked and benchmarked against).
at::Tensor sigmoid_pool_reference(const at::Tensor& e, const at::Tensor& w2, const at::Tensor& w3);

}  // namespace mixdist::nn
