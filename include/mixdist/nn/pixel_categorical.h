#pragma once

/// @file
/// @brief The bit-vector VAE decoder's per-pixel 256-way categorical likelihood, as one fused kernel.
///
/// The per-pixel 256-way categorical likelihood of the bit-vector VAE's decoder: every pixel p of an image
/// has a small feature vector h_p (R = 5 numbers), a Linear(R -> C) shared by all pixels turns it into C =
/// 256 logits, and the pixel's observed byte x_p is scored by log softmax(W h_p + b)[x_p]. Summed over pixels
/// this is log p(x | z).
///
/// Done with ATen ops this materialises [N, P, C] logits (for an importance-sampled evaluation of 64 images x
/// 16 samples: 1024 x 784 x 256 floats, 0.8 GB) and, in training, their gradient. The fused kernel computes
/// each pixel's C logits in registers / L1, its log-sum-exp and the score of the observed byte, and in the
/// backward the gradients of h, W and b, without the [N, P, C] tensors, in parallel over rows.
///
/// The kernel (float and double, contiguous CPU tensors; anything else takes the reference path) vectorises
/// over the classes with its own polynomial e^x (1.3 ulp in float; libm's exp in double) under
/// MIXDIST_CPU_CLONES. The forward saves only the per-pixel log-sum-exp for the backward, and skips it when
/// nothing requires grad. The W and b gradients are summed in fixed blocks of rows, added in block order, so
/// they do not depend on the thread count. Its speed against the reference:
/// `mixdist_bench --benchmark_filter=pixel_categorical` (the kernel alone) and `=bitvae/` (the VAE's training
/// step and importance-sampling chunk), tabulated in docs/performance.md#bit-vector-vae.

#include <ATen/ATen.h>

namespace mixdist::nn {

/// log p(x | features) = sum_p log softmax(W h_p + b)[x_p] per image, without materialising the logits.
///
/// The leading dims of features (e.g. importance samples) broadcast against the target. Differentiable in
/// features, weight and bias (first order; under create_graph the reference path is used).
/// @param features [..., B, P, R], float or double.
/// @param weight   [C, R], features' dtype.
/// @param bias     [C], features' dtype.
/// @param target   [B, P], uint8 or int64, values in [0, C).
/// @return [..., B], features' dtype.
/// @throws c10::Error naming the argument for a shape, dtype or target-range error.
///
/// @code
/// at::Tensor ll = mixdist::nn::pixel_categorical_log_likelihood(
///     at::randn({16, 64, 784, 5}), at::randn({256, 5}), at::zeros({256}), at::randint(256, {64, 784}));
/// @endcode
at::Tensor pixel_categorical_log_likelihood(const at::Tensor& features, const at::Tensor& weight,
                                            const at::Tensor& bias, const at::Tensor& target);

/// The same with ATen ops (materialises the logits): the reference the tests compare the fused kernel to, and
/// the baseline of the benchmark.
///
/// @param features [..., B, P, R], floating.
/// @param weight   [C, R].
/// @param bias     [C].
/// @param target   [B, P] integer, values in [0, C).
/// @return [..., B].
/// @throws c10::Error as pixel_categorical_log_likelihood().
at::Tensor pixel_categorical_log_likelihood_reference(const at::Tensor& features, const at::Tensor& weight,
                                                      const at::Tensor& bias, const at::Tensor& target);

}  // namespace mixdist::nn
