#pragma once

// sparsemax(x) = argmin_{p in simplex} ||p - x||^2 = [x - tau]_+ (Martins & Astudillo, 2016).
//
// Semantics shared by all sparse maps of mixdist:
//  * any dim, any number of batch dimensions, contiguous or not; float, double, half, bfloat16 (the last two
//  are
//    computed in float);
//  * -inf entries get exactly 0; a row that is entirely -inf is an error naming the row; entries equal to
//  +inf
//    share the mass equally (the limit of the map); a row holding a NaN gives NaN for that row, like softmax;
//  * the map is exact: the threshold comes from an exact active-set solve, not bisection, so zeros are exact
//    zeros and the support (face) is the one the threshold defines.

#include <ATen/ATen.h>

#include <tuple>

namespace mixdist {

at::Tensor sparsemax(const at::Tensor& x, int64_t dim = -1);

// Also returns the support size (number of nonzeros along dim), int64, x's shape with size 1 along dim.
// The support size is not differentiable.
std::tuple<at::Tensor, at::Tensor> sparsemax_with_support(const at::Tensor& x, int64_t dim = -1);

}  // namespace mixdist
