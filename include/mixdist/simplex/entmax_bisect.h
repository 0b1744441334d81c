#pragma once

// alpha-entmax for any alpha >= 1 (Peters et al., 2019; Blondel et al., 2020):
//   entmax_alpha(x) = [(alpha - 1) x - tau]_+^(1/(alpha - 1)),  tau such that the output sums to 1.
// alpha = 1 is softmax, 1.5 is entmax15, 2 is sparsemax. The name follows the entmax package; the threshold
// is found by safeguarded Newton iterations on the candidates that can be in the support (at most n_iter
// steps, stopping when the bracket is a few ulps wide), and alpha = 1.5 and alpha = 2 use the exact solvers.
//
// alpha is a number or a tensor broadcastable to x with size 1 along dim (one alpha per row, per head, ...).
// A tensor alpha receives a gradient (closed form of Correia, Niculae & Martins, 2019). Every alpha must be
// >= 1; within 1e-6 of 1 the map is evaluated as softmax, its limit. Other semantics as for sparsemax.

#include <ATen/ATen.h>

#include <tuple>

namespace mixdist {

at::Tensor entmax_bisect(const at::Tensor& x, double alpha = 1.5, int64_t dim = -1, int64_t n_iter = 50);
at::Tensor entmax_bisect(const at::Tensor& x, const at::Tensor& alpha, int64_t dim = -1, int64_t n_iter = 50);

// Also return the support size, int64, x's shape with size 1 along dim.
std::tuple<at::Tensor, at::Tensor> entmax_bisect_with_support(const at::Tensor& x, const at::Tensor& alpha,
                                                              int64_t dim = -1, int64_t n_iter = 50);

}  // namespace mixdist
