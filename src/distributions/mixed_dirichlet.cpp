#include "mixdist/distributions/mixed_dirichlet.h"

#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>

#include "distributions/checks.h"
#include "mixdist/simplex/faces.h"
#include "mixdist/special/lgamma_digamma.h"

namespace mixdist {
namespace {

const char* const kMixed = "MixedDirichlet";

std::vector<int64_t> mixed_batch(const at::Tensor& scores, const at::Tensor& concentration) {
  if (!scores.defined() || !concentration.defined() || scores.dim() < 1 || concentration.dim() < 1) return {};
  return at::infer_size(scores.sizes().slice(0, scores.dim() - 1),
                        concentration.sizes().slice(0, concentration.dim() - 1));
}

// Validates both parameters (naming MixedDirichlet) and returns the scores expanded to the common shape.
at::Tensor checked_scores(const at::Tensor& scores, const at::Tensor& concentration, bool validate) {
  detail::check_floating(kMixed, "scores", scores);
  detail::check_floating(kMixed, "concentration", concentration);
  detail::check_min_dim(kMixed, "scores", scores, 1);
  detail::check_min_dim(kMixed, "concentration", concentration, 1);
  TORCH_CHECK(scores.size(-1) == concentration.size(-1), kMixed, ": scores have ", scores.size(-1),
              " vertices but concentration has ", concentration.size(-1));
  TORCH_CHECK(scores.size(-1) >= 1, kMixed, ": need at least one vertex, got shape ", scores.sizes());
  if (validate) {
    detail::check_none(kMixed, "scores", scores, ~scores.isfinite(), "finite");
    detail::check_positive(kMixed, "concentration", concentration);
  }
  std::vector<int64_t> shape = mixed_batch(scores, concentration);
  shape.push_back(scores.size(-1));
  return scores.expand(shape);
}

void check_simplex_value(const std::string& dist, const at::Tensor& value) {
  detail::check_floating(dist, "value", value);
  detail::check_none(dist, "value", value, ~(value >= 0), "a point of the simplex (entries >= 0)");
  const at::Tensor sums = value.sum(-1);
  detail::check_none(dist, "value (sum of a row)", sums, (sums - 1).abs() > 1e-4, "1");
}

void check_value_on_face(const std::string& dist, const at::Tensor& value, const at::Tensor& face) {
  detail::check_face_mask(dist, "face", face);
  const at::Tensor outside = (value != 0) & (face == 0);
  detail::check_none(dist, "value", value.expand(outside.sizes()), outside, "0 outside the given face");
}

// ---------------------------------------------------------------------------------------------------------
// Enumeration by chunks of faces that share their high bits.
//
// Faces are enumerated in id order (bit k = vertex k, as enumerate_faces): chunk h holds the ids
// h 2^c ... (h+1) 2^c - 1, whose low c bits run over all patterns and whose high bits are h (the empty id 0
// is dropped from chunk 0). A face sum sum_{k in f} t_k is then low[:, i] + high[:, h], with both tables
// built by doubling over the bits (2^c + 2^(K-c) additions per row), so a chunk costs one addition per
// (row, face) instead of a [K, faces] matmul, and the face weights log P(f) = sum_{k in f} 2 w_k - sum w -
// log Z come the same way. Each per-chunk temporary holds rows x 2^c entries, fewer than 14336 (112 KiB in
// double): below glibc's default 128 KiB mmap threshold, so the temporaries are recycled from the heap
// instead of being fresh mmap'd pages. With 1 MiB chunks the page faults cost several times the arithmetic
// (K = 16, batch 100: 2.5 s instead of 0.2 s in a process that had not raised the threshold).

constexpr int64_t kChunkEntries = 14336;

// Subset sums of the columns [offset, offset + bits) of t [R, K]: [R, 2^bits], column i the sum of the
// columns whose bit is set in i.
at::Tensor subset_sums(const at::Tensor& t, int64_t offset, int64_t bits) {
  at::Tensor table = at::zeros({t.size(0), 1}, t.options());
  for (int64_t k = 0; k < bits; ++k) table = at::cat({table, table + t.narrow(1, offset + k, 1)}, 1);
  return table;
}

// Popcounts of 0 .. 2^bits - 1 as doubles.
at::Tensor subset_sizes(int64_t bits, const at::TensorOptions& options) {
  return subset_sums(at::ones({1, bits}, options), 0, bits).squeeze(0);
}

class FaceChunks {
 public:
  FaceChunks(int64_t K, int64_t rows) : K_(K) {
    low_bits_ = 0;
    while (low_bits_ < K && (rows << (low_bits_ + 1)) < kChunkEntries) ++low_bits_;
    // Never fewer than 64 faces per chunk: more chunks would only add per-call overhead.
    low_bits_ = std::max(low_bits_, std::min<int64_t>(K, 6));
  }
  int64_t num_chunks() const { return int64_t{1} << (K_ - low_bits_); }
  int64_t low_bits() const { return low_bits_; }
  // The chunk's faces are low patterns [first, 2^c) (first = 1 in chunk 0, dropping the empty face).
  int64_t first(int64_t h) const { return h == 0 ? 1 : 0; }
  int64_t count(int64_t h) const { return (int64_t{1} << low_bits_) - first(h); }
  // Row of enumerate_faces(K) holding the chunk's first face.
  int64_t first_row(int64_t h) const { return (h << low_bits_) + first(h) - 1; }

  // Tables of t [R, K] for face sums.
  struct Sums {
    at::Tensor low, high;
  };
  Sums tables(const at::Tensor& t) const {
    return {subset_sums(t, 0, low_bits_), subset_sums(t, low_bits_, K_ - low_bits_)};
  }
  // The face sums of chunk h: [R, count(h)].
  at::Tensor chunk(const Sums& s, int64_t h) const {
    return s.low.narrow(1, first(h), count(h)) + s.high.narrow(1, h, 1);
  }

 private:
  int64_t K_, low_bits_;
};

// The rows of a law's batch, flattened.
int64_t num_rows(const GibbsFaces& law) {
  int64_t rows = 1;
  for (int64_t s : law.batch_shape()) rows *= s;
  return rows;
}

// sum_f P(f) G_h over the enumerated faces, where value(h) returns G for chunk h as [R, count(h)].
at::Tensor enumerated_expectation(const GibbsFaces& law, const FaceChunks& chunks,
                                  const std::function<at::Tensor(int64_t h)>& value) {
  const int64_t K = law.num_vertices(), R = num_rows(law);
  const at::Tensor w = law.scores().reshape({R, K});
  const FaceChunks::Sums log_weight = chunks.tables(2 * w);
  const at::Tensor offset = (-w.sum(-1) - law.log_normalizer().reshape({R})).unsqueeze(-1);
  const at::Tensor high = log_weight.high + offset;
  at::Tensor total;
  for (int64_t h = 0; h < chunks.num_chunks(); ++h) {
    const at::Tensor p =
        at::exp(log_weight.low.narrow(1, chunks.first(h), chunks.count(h)) + high.narrow(1, h, 1));
    const at::Tensor part = (p * value(h)).sum(-1);
    total = total.defined() ? total + part : part;
  }
  return total.reshape(law.batch_shape());
}

bool enumerates(const GibbsFaces& law, const FaceExpectationOptions& options) {
  return law.num_vertices() <= std::min(options.max_enumeration_vertices(), kMaxEnumeratedVertices);
}

at::Tensor sampled_faces(const GibbsFaces& law, const FaceExpectationOptions& options) {
  TORCH_CHECK(options.num_samples() >= 1, "expect_over_faces: num_samples must be >= 1, got ",
              options.num_samples());
  return law.sample({options.num_samples()}, options.generator()) != 0;
}

// The within-face terms as functions of face sums (docs/math.md#masked-dirichlet), with lgamma and digamma of
// a face's concentration sum a0 from one fused pass. The per-coordinate parts use the same function, so on a
// vertex (a0 = a_k, n = 1) the entropy cancels to rounding.
//   H(Dir(a_f)) = sum_f [lgamma(a_i) - (a_i - 1) psi(a_i)] - lgamma(a0) + (a0 - n) psi(a0)
//   KL(Dir(a_f) || Dir(b_f)) = lgamma(a0) - lgamma(b0) + sum_f [(a_i - b_i) psi(a_i) - lgamma a_i + lgamma
//   b_i]
//                              - psi(a0) sum_f (a_i - b_i)
at::Tensor expected_within_face_entropy(const GibbsFaces& law, const at::Tensor& a,
                                        const FaceExpectationOptions& options) {
  const auto [lg, dg] = special::lgamma_digamma(a);
  return expect_over_face_sums(
      law, {a, lg - (a - 1) * dg},
      [](const std::vector<at::Tensor>& sums, const at::Tensor& n) {
        const auto [lg0, dg0] = special::lgamma_digamma(sums[0]);
        return sums[1] - lg0 + (sums[0] - n) * dg0;
      },
      options);
}

at::Tensor expected_within_face_kl(const GibbsFaces& law, const at::Tensor& a, const at::Tensor& b,
                                   const FaceExpectationOptions& options) {
  const auto [lga, dga] = special::lgamma_digamma(a);
  const at::Tensor lgb = special::lgamma_digamma(b).first;
  return expect_over_face_sums(
      law, {a, b, (a - b) * dga - lga + lgb, a - b},
      [](const std::vector<at::Tensor>& sums, const at::Tensor&) {
        const auto [lga0, dga0] = special::lgamma_digamma(sums[0]);
        return lga0 - special::lgamma_digamma(sums[1]).first + sums[2] - dga0 * sums[3];
      },
      options);
}

}  // namespace

at::Tensor expect_over_faces(const GibbsFaces& law,
                             const std::function<at::Tensor(const at::Tensor& face, bool enumerated)>& g,
                             const FaceExpectationOptions& options) {
  if (!enumerates(law, options)) return g(sampled_faces(law, options), false).mean(0);
  const int64_t K = law.num_vertices(), R = num_rows(law);
  const FaceChunks chunks(K, R);
  const at::Tensor faces = enumerate_faces(K).to(law.scores().device());
  return enumerated_expectation(law, chunks, [&](int64_t h) {
    return g(faces.narrow(0, chunks.first_row(h), chunks.count(h)), true).reshape({R, chunks.count(h)});
  });
}

at::Tensor expect_over_face_sums(
    const GibbsFaces& law, const std::vector<at::Tensor>& terms,
    const std::function<at::Tensor(const std::vector<at::Tensor>& sums, const at::Tensor& size)>& g,
    const FaceExpectationOptions& options) {
  const int64_t K = law.num_vertices();
  const at::IntArrayRef shape = law.scores().sizes();
  for (size_t i = 0; i < terms.size(); ++i) {
    TORCH_CHECK(terms[i].defined() && terms[i].dim() >= 1 && terms[i].size(-1) == K,
                "expect_over_face_sums: terms[", i, "] must be [..., K] with K = ", K, ", got shape ",
                terms[i].defined() ? terms[i].sizes() : at::IntArrayRef{});
  }
  if (!enumerates(law, options)) {
    const at::Tensor faces = sampled_faces(law, options);  // [S, batch..., K]
    std::vector<at::Tensor> sums;
    for (const at::Tensor& t : terms) sums.push_back((faces * t.expand(shape)).sum(-1));
    return g(sums, faces.sum(-1, /*keepdim=*/false, law.scores().scalar_type())).mean(0);
  }
  const int64_t R = num_rows(law);
  const FaceChunks chunks(K, R);
  std::vector<FaceChunks::Sums> tables;
  for (const at::Tensor& t : terms) tables.push_back(chunks.tables(t.expand(shape).reshape({R, K})));
  const at::TensorOptions options_d = law.scores().options().requires_grad(false);
  const at::Tensor low_size = subset_sizes(chunks.low_bits(), options_d);
  const at::Tensor high_size = subset_sizes(K - chunks.low_bits(), options_d);
  return enumerated_expectation(law, chunks, [&](int64_t h) {
    std::vector<at::Tensor> sums;
    for (const auto& table : tables) sums.push_back(chunks.chunk(table, h));
    const at::Tensor size = low_size.narrow(0, chunks.first(h), chunks.count(h)) + high_size[h];
    return g(sums, size.expand({R, chunks.count(h)}));
  });
}

// ---------------------------------------------------------------------------------------------------------
// MixedDirichlet

MixedDirichlet::MixedDirichlet(const at::Tensor& scores, const at::Tensor& concentration,
                               c10::optional<bool> validate_args)
    : Distribution(mixed_batch(scores, concentration),
                   scores.defined() && scores.dim() >= 1 ? std::vector<int64_t>{scores.size(-1)}
                                                         : std::vector<int64_t>{},
                   validate_args),
      face_law_(checked_scores(scores, concentration, this->validate_args()), false),
      concentration_(concentration.expand(face_law_.scores().sizes())) {}

at::Tensor MixedDirichlet::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  return rsample_with_face(sample_shape, std::move(generator)).value;
}

FacedSample MixedDirichlet::rsample_with_face(at::IntArrayRef sample_shape,
                                              c10::optional<at::Generator> generator) const {
  const at::Tensor face = face_law_.sample(sample_shape, generator) != 0;
  const at::Tensor value =
      sample_masked_dirichlet(face, concentration_.expand(extended_shape(sample_shape)), generator);
  return {value, face};
}

FacedSample MixedDirichlet::sample_with_face(at::IntArrayRef sample_shape,
                                             c10::optional<at::Generator> generator) const {
  c10::NoGradGuard no_grad;
  FacedSample s = rsample_with_face(sample_shape, std::move(generator));
  return {s.value.detach(), s.face};
}

at::Tensor MixedDirichlet::log_prob(const at::Tensor& value) const {
  if (validate_args()) {
    check_value_shape(value);
    check_simplex_value(name(), value);
  }
  return face_law_.log_prob(value > 0) + masked_dirichlet_log_prob(value, value > 0, concentration_);
}

at::Tensor MixedDirichlet::log_prob(const at::Tensor& value, const at::Tensor& face) const {
  if (validate_args()) {
    check_value_shape(value);
    check_simplex_value(name(), value);
    check_value_on_face(name(), value, face);
  }
  const at::Tensor f = face != 0;
  return face_law_.log_prob(f) + masked_dirichlet_log_prob(value, f, concentration_);
}

at::Tensor MixedDirichlet::entropy(const FaceExpectationOptions& options) const {
  return face_law_.entropy() + expected_within_face_entropy(face_law_, concentration_, options);
}

at::Tensor MixedDirichlet::expected_face_dim() const {
  return face_law_.marginals().sum(-1) - 1;
}

at::Tensor MixedDirichlet::entropy_bits(double N, const FaceExpectationOptions& options) const {
  return entropy(options) / std::log(2.0) + N * expected_face_dim();
}

MixedDirichlet MixedDirichlet::expand(at::IntArrayRef batch_shape) const {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(num_vertices());
  return MixedDirichlet(scores().expand(shape), concentration_.expand(shape), false);
}

MaskedDirichlet MixedDirichlet::within_face(const at::Tensor& face) const {
  return MaskedDirichlet(face, concentration_, validate_args());
}

at::Tensor kl_divergence(const MixedDirichlet& p, const MixedDirichlet& q,
                         const FaceExpectationOptions& options) {
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "kl_divergence(MixedDirichlet, MixedDirichlet): ", p.num_vertices(), " vs ", q.num_vertices(),
              " vertices");
  const at::Tensor within =
      expected_within_face_kl(p.face_law(), p.concentration(), q.concentration(), options);
  return kl_divergence(p.face_law(), q.face_law()) + within;
}

// ---------------------------------------------------------------------------------------------------------
// MixedMaxEntDirichletPrior

MixedMaxEntDirichletPrior::MixedMaxEntDirichletPrior(int64_t K, double N, MaxEntropyFacesVariant variant,
                                                     at::ScalarType dtype, c10::optional<bool> validate_args)
    : Distribution({}, {K}, validate_args), face_law_(K, N, variant, dtype, this->validate_args()) {}

MixedMaxEntDirichletPrior::MixedMaxEntDirichletPrior(MaxEntropyFaces face_law)
    : Distribution(face_law.batch_shape().vec(), {face_law.num_vertices()}, false),
      face_law_(std::move(face_law)) {}

at::Tensor MixedMaxEntDirichletPrior::log_prob(const at::Tensor& value) const {
  if (validate_args()) {
    check_value_shape(value);
    check_simplex_value(name(), value);
  }
  return log_prob(value, value > 0);
}

at::Tensor MixedMaxEntDirichletPrior::log_prob(const at::Tensor& value, const at::Tensor& face) const {
  if (validate_args()) {
    check_value_shape(value);
    check_simplex_value(name(), value);
    check_value_on_face(name(), value, face);
  }
  // Uniform on an n-vertex face: density 1 / vol = (n - 1)!.
  const at::Tensor n = (face != 0).sum(-1, /*keepdim=*/false, face_law_.log_size_pmf().scalar_type());
  return face_law_.log_prob(face) + n.lgamma();
}

at::Tensor MixedMaxEntDirichletPrior::entropy() const {
  const at::Tensor lp = face_law_.log_size_pmf();
  const at::Tensor n = at::arange(1, num_vertices() + 1, lp.options());
  return face_law_.entropy() - (lp.exp() * n.lgamma()).sum(-1);
}

at::Tensor MixedMaxEntDirichletPrior::expected_face_dim() const {
  const at::Tensor lp = face_law_.log_size_pmf();
  const at::Tensor n = at::arange(1, num_vertices() + 1, lp.options());
  return (lp.exp() * (n - 1)).sum(-1);
}

at::Tensor MixedMaxEntDirichletPrior::entropy_bits(double N) const {
  return entropy() / std::log(2.0) + N * expected_face_dim();
}

MixedMaxEntDirichletPrior MixedMaxEntDirichletPrior::expand(at::IntArrayRef batch_shape) const {
  return MixedMaxEntDirichletPrior(face_law_.expand(batch_shape));
}

at::Tensor MixedMaxEntDirichletPrior::draw(at::IntArrayRef sample_shape,
                                           c10::optional<at::Generator> generator) const {
  const at::Tensor face = face_law_.sample(sample_shape, generator);
  return sample_masked_dirichlet(face != 0, at::ones_like(face), generator);
}

at::Tensor kl_divergence(const MixedDirichlet& p, const MixedMaxEntDirichletPrior& q,
                         const FaceExpectationOptions& options) {
  TORCH_CHECK(p.num_vertices() == q.num_vertices(),
              "kl_divergence(MixedDirichlet, MixedMaxEntDirichletPrior): ", p.num_vertices(), " vs ",
              q.num_vertices(), " vertices");
  const at::Tensor alpha = p.concentration();
  const at::Tensor within_entropy = expected_within_face_entropy(p.face_law(), alpha, options);
  // KL(Dir(a_f) || uniform) = -H(Dir(a_f)) - log (n-1)!, and E[log (|F|-1)!] comes from the size law.
  const at::Tensor n = at::arange(1, p.num_vertices() + 1, alpha.options());
  const at::Tensor log_vol_term = (p.face_law().log_size_pmf().exp() * n.lgamma()).sum(-1);
  return kl_divergence(p.face_law(), q.face_law()) - within_entropy - log_vol_term;
}

at::Tensor score_function_surrogate(const at::Tensor& face_log_prob, const at::Tensor& reward,
                                    const at::Tensor& baseline) {
  return (reward - baseline).detach() * face_log_prob;
}

}  // namespace mixdist
