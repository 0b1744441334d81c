#pragma once

// 1.5-entmax (Peters, Niculae & Martins, 2019): entmax15(x) = [x/2 - tau]_+^2, the alpha = 1.5 member of the
// alpha-entmax family, between softmax (alpha = 1) and sparsemax (alpha = 2). Semantics as for sparsemax
// (see sparsemax.h).

#include <ATen/ATen.h>

#include <tuple>

namespace mixdist {

at::Tensor entmax15(const at::Tensor& x, int64_t dim = -1);

// Also returns the support size, int64, x's shape with size 1 along dim.
std::tuple<at::Tensor, at::Tensor> entmax15_with_support(const at::Tensor& x, int64_t dim = -1);

}  // namespace mixdist
