#pragma once

/// @file
/// @brief The signal-game sender's block sigmoid(sum_k w3[k] sigmoid(w2[k] e)) as one fused operation.
///
/// The signal-game sender's middle block as one fused operation: out[b, j] = sigmoid(sum_k w3[k] *
///   sigmoid(w2[k] * e[b, j])), e [B, E], w2 [H], w3 [H] -> out [B, E], a 1x1 convolution with H output
///   channels, a sigmoid, an (H x 1) convolution back to one channel and a sigmoid. Written in ATen ops it
///   materialises the [B, H, E] hidden tensor (64 x 512 x 256 floats, 32 MiB, in the paper's game) several
///   times forward and backward; here the forward keeps only the [B, E] output and the backward recomputes
///   the hidden sigmoids, so no [B, H, E] tensor exists at all.
///
/// Float and double CPU tensors take the fused path (double for the tests); anything else falls back to
/// sigmoid_pool_reference. The parameter gradients are reduced in a fixed order (one partial per row b,
/// summed in row order), so results are bitwise identical for any number of threads. The backward is
/// first-order; under create_graph it is computed with ATen ops.

#include <ATen/ATen.h>

namespace mixdist::nn {

/// out[b, j] = sigmoid(sum_k w3[k] * sigmoid(w2[k] * e[b, j])), without the [B, H, E] hidden tensor.
///
/// Differentiable in e, w2 and w3 (first order; under create_graph the backward uses ATen ops). Float and
/// double CPU tensors of one dtype take the fused kernel, anything else sigmoid_pool_reference().
/// @param e  [B, E].
/// @param w2 [H].
/// @param w3 [H].
/// @return [B, E].
/// @throws c10::Error if e is not 2-D, w2 or w3 is not 1-D, or their sizes differ.
///
/// @code
/// at::Tensor out = mixdist::nn::sigmoid_pool(at::randn({64, 256}), at::randn({512}), at::randn({512}));
/// @endcode
at::Tensor sigmoid_pool(const at::Tensor& e, const at::Tensor& w2, const at::Tensor& w3);

/// The same function in ATen ops (the baseline the kernel is checked and benchmarked against).
///
/// @param e  [B, E].
/// @param w2 [H].
/// @param w3 [H].
/// @return [B, E].
/// @throws c10::Error as sigmoid_pool().
at::Tensor sigmoid_pool_reference(const at::Tensor& e, const at::Tensor& w2, const at::Tensor& w3);

}  // namespace mixdist::nn
