#pragma once

// Row-major single-precision GEMM (internal): C[M, N] = op(A) op(B) + beta C, with op(X) = X or X^T. oneDNN's
// dnnl_sgemm underneath, on omp_get_max_threads() threads (at::set_num_threads sets them).

#include <cstdint>
#include <string>

namespace mixdist::nn::detail {

void sgemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

std::string gemm_description();

}  // namespace mixdist::nn::detail
