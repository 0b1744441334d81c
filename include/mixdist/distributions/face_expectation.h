#pragma once

/// @file
/// @brief Exact and Monte Carlo expectations over the faces of a GibbsFaces law.
///
/// Expectations over the faces of a GibbsFaces law, the engine under the Mixed Dirichlet's entropy and KL
/// (`docs/math.md#entropy-and-kl`). Exact ones enumerate the 2^K - 1 faces (K <= kMaxEnumeratedVertices = 24,
/// beyond which they throw); Monte Carlo ones (the _mc functions) average over sampled faces and return an
/// Estimate.

#include <ATen/ATen.h>

#include <functional>
#include <vector>

#include "mixdist/distributions/estimate.h"
#include "mixdist/distributions/gibbs_faces.h"

namespace mixdist {
inline namespace distributions {

/// A within-face term that depends on the face only through sums over it: g(S_1(F), ..., S_r(F), |F|) with
/// S_i(f) = sum_{k in f} terms[i]_k. terms: each [..., K], broadcasting to the law's batch + [K]. g must act
/// elementwise: it gets the sums and |F| (floating, the scores' dtype) all of one shape and returns that
/// shape.
///
/// @code
/// mixdist::FaceSumTerm t{{a}, [](const std::vector<at::Tensor>& s, const at::Tensor&) { return s[0]; }};
/// @endcode
struct FaceSumTerm {
  /// The per-vertex terms t_i, each [..., K] broadcasting to the law's batch + [K].
  std::vector<at::Tensor> terms;
  /// g(sums, size): the term from the face sums S_i (one tensor per entry of terms) and the face size |F|.
  std::function<at::Tensor(const std::vector<at::Tensor>& sums, const at::Tensor& size)> g;
};

/// E_{F ~ law}[g(F)], exactly, by enumeration of the 2^K - 1 faces. g gets M enumerated faces as a bool mask
/// [M, K] and returns batch + [M] (e.g. sums over each face as matmul(terms, mask^T), or masked terms after
/// t.unsqueeze(-2)). Faces are enumerated in chunks of fewer than 14336 / (batch rows) faces (and at least
/// 64), so memory stays bounded. Differentiable in the law's scores and in whatever g depends on. Throws for
/// K > kMaxEnumeratedVertices (24).
/// @param law the face law, batch shape B, K <= 24.
/// @param g the term, [M, K] bool faces -> B + [M].
/// @return E[g(F)], shape B.
/// @throws c10::Error if K > 24 (naming the Monte Carlo alternatives).
///
/// @code
/// auto g = [&](const at::Tensor& faces) { return t.matmul(faces.t().to(t.scalar_type())); };  // t: [..., K]
/// at::Tensor e = mixdist::expect_over_faces(law, g);
/// @endcode
at::Tensor expect_over_faces(const GibbsFaces& law,
                             const std::function<at::Tensor(const at::Tensor& faces)>& g);

/// E_{F ~ law}[term], exactly: the faster form of expect_over_faces for terms of face sums (the
/// Mixed-Dirichlet entropy and KL). The sums of enumerated faces come from doubling tables (one addition per
/// face and batch row) instead of a matmul with the face masks; g gets [rows, M] for a chunk of M faces of
/// the flattened batch. Differentiable in the law's scores and in whatever the terms and g depend on. Throws
/// for K > kMaxEnumeratedVertices (24).
/// @param law the face law, batch shape B, K <= 24.
/// @param term the terms and g (see FaceSumTerm).
/// @return E[term], shape B.
/// @throws c10::Error if K > 24 (naming expect_over_face_sums_mc), term.g is empty, or a term is not
///   [..., K].
at::Tensor expect_over_face_sums(const GibbsFaces& law, const FaceSumTerm& term);

/// E_{F ~ law}[term] by Monte Carlo over num_samples >= 2 faces drawn per batch element (g gets
/// [num_samples, batch...]), any K, with its standard error. Its gradient reaches the terms, not the scores.
/// @param law the face law, batch shape B.
/// @param term the terms and g (see FaceSumTerm).
/// @param num_samples faces per batch element, >= 2.
/// @param generator the random generator (the default one if absent).
/// @return Estimate of shape B.
/// @throws c10::Error if num_samples < 2, term.g is empty, or a term is not [..., K].
Estimate expect_over_face_sums_mc(const GibbsFaces& law, const FaceSumTerm& term, int64_t num_samples,
                                  c10::optional<at::Generator> generator = c10::nullopt);

}  // namespace distributions
}  // namespace mixdist
