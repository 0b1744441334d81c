#pragma once

// The Mixed Dirichlet (docs/math.md#mixed-dirichlet): a face F ~ GibbsFaces(scores), then Y | F ~
// Dir(concentration_F) on that face, so
//   log p(y) = log P_F(f(y)) + log Dir(y_f | alpha_f)
// w.r.t. the direct-sum measure (counting on vertices, Lebesgue on the free coordinates of each higher face).
// Also the VAE prior MixedMaxEntDirichletPrior = MaxEntropyFaces x uniform Dirichlet(1) on the face.
//
// Entropy and KL split into a face part and an expectation over faces of a within-face term
// (docs/math.md#entropy-and-kl):
//   H+(p)     = H(P_F) + E_{F~P_F}[H(Dir(alpha_F))]
//   KL+(p||q) = KL(P_F||Q_F) + E_{F~P_F}[KL(Dir(alpha_F)||Dir(beta_F))].
// The face part is exact for any K (closed forms / Poisson-binomial DP). The within-face term depends
// non-linearly on the face's concentration sum, so it does not factorise: it is exact by enumeration of the
// 2^K - 1 faces up to FaceExpectationOptions::max_enumeration_vertices, and an unbiased Monte Carlo average
// over num_samples sampled faces beyond (its gradient then reaches the concentrations only, not the scores).
// The enumeration is built on face sums (expect_over_face_sums): every within-face term is a function of a
// few sums over the face of per-coordinate terms (sum_f alpha_i, sum_f [lgamma(alpha_i) - ...]) and of |f|,
// and so are the face weights log P(f) = sum_f 2 w_i - sum w - log Z; the sums come from tables built by
// doubling over the vertices, chunk by chunk of faces, and lgamma/digamma of the concentration sums from one
// fused pass (special/lgamma_digamma.h). K = 16 (65535 faces) at batch 100: ~0.2 s for entropy or KL.

#include <torch/arg.h>

#include <functional>
#include <vector>

#include "mixdist/distributions/distribution.h"
#include "mixdist/distributions/gibbs_faces.h"
#include "mixdist/distributions/masked_dirichlet.h"
#include "mixdist/distributions/max_entropy_faces.h"

namespace mixdist {

struct FaceExpectationOptions {
  // Enumerate the 2^K - 1 faces while K <= this (65535 faces at 16).
  TORCH_ARG(int64_t, max_enumeration_vertices) = 16;
  // Faces sampled per batch element by the Monte Carlo estimate used beyond.
  TORCH_ARG(int64_t, num_samples) = 1000;
  // Generator of the Monte Carlo estimate.
  TORCH_ARG(c10::optional<at::Generator>, generator) = c10::nullopt;
};

// A sample together with the face it was drawn on (bool mask, same shape). Carry the face rather than
// re-deriving it with (value > 0) (docs/math.md#underflowing-dirichlet-coordinates).
struct FacedSample {
  at::Tensor value;
  at::Tensor face;
};

class MixedDirichlet : public Distribution {
 public:
  // scores: floating [..., K], finite; concentration: floating [..., K], positive. Batch shape: the
  // broadcast of both.
  MixedDirichlet(const at::Tensor& scores, const at::Tensor& concentration,
                 c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "MixedDirichlet"; }
  // The within-face part is pathwise; the face is a discrete draw without gradient (train the scores with
  // score_function_surrogate).
  bool has_rsample() const override { return true; }
  // Face taken as (value > 0).
  at::Tensor log_prob(const at::Tensor& value) const override;
  // Face given explicitly (bool or 0/1 mask, e.g. FacedSample::face); value must be 0 outside it.
  at::Tensor log_prob(const at::Tensor& value, const at::Tensor& face) const;
  at::Tensor entropy() const override { return entropy(FaceExpectationOptions()); }
  at::Tensor entropy(const FaceExpectationOptions& options) const;
  // Optimal expected code length in bits at N-bit precision: H+/ln 2 + N E[dim F] (docs/math.md#code-length).
  at::Tensor entropy_bits(double N, const FaceExpectationOptions& options = FaceExpectationOptions()) const;
  // E[dim F] = sum_k P(f_k = 1) - 1, exact.
  at::Tensor expected_face_dim() const;
  MixedDirichlet expand(at::IntArrayRef batch_shape) const;

  FacedSample rsample_with_face(at::IntArrayRef sample_shape = {},
                                c10::optional<at::Generator> generator = c10::nullopt) const;
  FacedSample sample_with_face(at::IntArrayRef sample_shape = {},
                               c10::optional<at::Generator> generator = c10::nullopt) const;

  int64_t num_vertices() const { return concentration_.size(-1); }
  const GibbsFaces& face_law() const { return face_law_; }
  // Y | F = face.
  MaskedDirichlet within_face(const at::Tensor& face) const;
  const at::Tensor& scores() const { return face_law_.scores(); }
  const at::Tensor& concentration() const { return concentration_; }

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  GibbsFaces face_law_;
  at::Tensor concentration_;
};

// The mixed-latent VAE prior: F ~ MaxEntropyFaces(K, N, variant), Y | F uniform on the face (Dirichlet(1),
// density (|f|-1)!). Batch shape {} (expand() for a batch of identical priors). Entropy and E[dim F] exact.
class MixedMaxEntDirichletPrior : public Distribution {
 public:
  explicit MixedMaxEntDirichletPrior(int64_t K, double N = 0.0,
                                     MaxEntropyFacesVariant variant = MaxEntropyFacesVariant::kDerived,
                                     at::ScalarType dtype = at::kDouble,
                                     c10::optional<bool> validate_args = c10::nullopt);

  std::string name() const override { return "MixedMaxEntDirichletPrior"; }
  at::Tensor log_prob(const at::Tensor& value) const override;
  at::Tensor log_prob(const at::Tensor& value, const at::Tensor& face) const;
  // H(MaxEnt) - E[log (|F|-1)!].
  at::Tensor entropy() const override;
  at::Tensor entropy_bits(double N) const;
  at::Tensor expected_face_dim() const;
  MixedMaxEntDirichletPrior expand(at::IntArrayRef batch_shape) const;

  int64_t num_vertices() const { return face_law_.num_vertices(); }
  const MaxEntropyFaces& face_law() const { return face_law_; }

 protected:
  at::Tensor draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const override;

 private:
  explicit MixedMaxEntDirichletPrior(MaxEntropyFaces face_law);
  MaxEntropyFaces face_law_;
};

// KL+(p || q) between Mixed Dirichlets. Through the registry (kl_divergence(const Distribution&, ...)) both
// KLs use the default options: exact up to K = 16, beyond that 1000 sampled faces from the global generator.
at::Tensor kl_divergence(const MixedDirichlet& p, const MixedDirichlet& q,
                         const FaceExpectationOptions& options = FaceExpectationOptions());
// KL+(p || prior) = KL(P_F || MaxEnt) - E_F[H(Dir(alpha_F))] - E_F[log (|F|-1)!]; only the entropy
// expectation needs enumeration or Monte Carlo, the last term is exact from the face-size law.
at::Tensor kl_divergence(const MixedDirichlet& p, const MixedMaxEntDirichletPrior& q,
                         const FaceExpectationOptions& options = FaceExpectationOptions());

// E_{F ~ law}[g(F)] for a within-face term g, exactly by enumeration or by Monte Carlo as options say. g gets
// a bool face mask and `enumerated`: when true the mask holds M enumerated faces, [M, K], and g returns
// batch + [M] (e.g. sums over each face as matmul(terms, mask^T), or masked terms after t.unsqueeze(-2));
// when false the mask holds sampled faces, [S, batch..., K], and g returns [S, batch...]. Faces are
// enumerated in chunks of fewer than 14336 / (batch rows) faces (and at least 64), so memory stays bounded.
at::Tensor expect_over_faces(const GibbsFaces& law,
                             const std::function<at::Tensor(const at::Tensor& face, bool enumerated)>& g,
                             const FaceExpectationOptions& options = FaceExpectationOptions());

// E_{F ~ law}[g(S_1(F), ..., S_r(F), |F|)] with the face sums S_i(f) = sum_{k in f} terms[i]_k, the faster
// form of expect_over_faces for terms that only depend on the face through such sums (the Mixed-Dirichlet
// entropy and KL): the sums of enumerated faces come from doubling tables (one addition per face and batch
// row) instead of a matmul with the face masks. terms: each [..., K], broadcasting to the law's batch + [K].
// g must act elementwise: it gets the sums and |F| (floating, the scores' dtype) all of one shape, [rows, M]
// for a chunk of M enumerated faces of the flattened batch or [S, batch...] for S sampled faces, and returns
// that shape. Differentiable in the law's scores (enumeration only) and in whatever the terms and g depend
// on.
at::Tensor expect_over_face_sums(
    const GibbsFaces& law, const std::vector<at::Tensor>& terms,
    const std::function<at::Tensor(const std::vector<at::Tensor>& sums, const at::Tensor& size)>& g,
    const FaceExpectationOptions& options = FaceExpectationOptions());

// The score-function (REINFORCE) surrogate of docs/math.md#gradient-estimators for the face scores: its
// gradient is (reward - baseline) * grad log q_F(f). Both reward and baseline are detached here; the baseline
// is meant to be the reward of an independent resample (f', y') ~ q (no learned critic), and the reward
// excludes the exactly differentiated KL(q_F || p_F) but includes the sampled within-face KL
// (docs/math.md#gradient-estimators). Add the result to the objective being maximised (subtract it from a
// loss).
at::Tensor score_function_surrogate(const at::Tensor& face_log_prob, const at::Tensor& reward,
                                    const at::Tensor& baseline);

}  // namespace mixdist
