#include "mixdist/distributions/mixed_dirichlet.h"

#include <c10/core/GradMode.h>

#include <cmath>

#include "distributions/checks.h"
#include "distributions/within_face_terms.h"

namespace mixdist {
inline namespace distributions {
namespace {

const char* const kMixed = "MixedDirichlet";

std::vector<int64_t> mixed_batch(const at::Tensor& scores, const at::Tensor& concentration) {
  if (!scores.defined() || !concentration.defined() || scores.dim() < 1 || concentration.dim() < 1) return {};
  return at::infer_size(scores.sizes().slice(0, scores.dim() - 1),
                        concentration.sizes().slice(0, concentration.dim() - 1));
}

// Structural checks of both parameters (naming MixedDirichlet); the scores expanded to the common shape.
at::Tensor expanded_scores(const at::Tensor& scores, const at::Tensor& concentration) {
  TORCH_CHECK(scores.defined(), kMixed,
              ": scores are not set; use MixedDirichletOptions().scores(s).concentration(a)");
  TORCH_CHECK(concentration.defined(), kMixed,
              ": concentration is not set; use MixedDirichletOptions().scores(s).concentration(a)");
  detail::check_floating(kMixed, "scores", scores);
  detail::check_floating(kMixed, "concentration", concentration);
  detail::check_min_dim(kMixed, "scores", scores, 1);
  detail::check_min_dim(kMixed, "concentration", concentration, 1);
  TORCH_CHECK(scores.size(-1) == concentration.size(-1), kMixed, ": scores have ", scores.size(-1),
              " vertices but concentration has ", concentration.size(-1));
  TORCH_CHECK(scores.size(-1) >= 1, kMixed, ": need at least one vertex, got shape ", scores.sizes());
  std::vector<int64_t> shape = mixed_batch(scores, concentration);
  shape.push_back(scores.size(-1));
  return scores.expand(shape);
}

}  // namespace

MixedDirichlet::MixedDirichlet(const MixedDirichletOptions& options, c10::optional<bool> validate_args)
    : Distribution(mixed_batch(options.scores(), options.concentration()),
                   options.scores().defined() && options.scores().dim() >= 1
                       ? std::vector<int64_t>{options.scores().size(-1)}
                       : std::vector<int64_t>{},
                   validate_args),
      face_law_(expanded_scores(options.scores(), options.concentration()), false),
      concentration_(options.concentration().expand(face_law_.scores().sizes())) {
  if (this->validate_args())
    validate_parameters({{"scores", options.scores()}, {"concentration", options.concentration()}});
}

at::Tensor MixedDirichlet::draw(at::IntArrayRef sample_shape, c10::optional<at::Generator> generator) const {
  return rsample_with_face(sample_shape, std::move(generator)).value;
}

FacedSample MixedDirichlet::rsample_with_face(at::IntArrayRef sample_shape,
                                              c10::optional<at::Generator> generator) const {
  const at::Tensor face = face_law_.sample(sample_shape, generator) != 0;
  const at::Tensor value =
      masked_dirichlet_sample(face, concentration_.expand(extended_shape(sample_shape)), generator);
  return {value, face};
}

FacedSample MixedDirichlet::sample_with_face(at::IntArrayRef sample_shape,
                                             c10::optional<at::Generator> generator) const {
  c10::NoGradGuard no_grad;
  FacedSample s = rsample_with_face(sample_shape, std::move(generator));
  return {s.value.detach(), s.face};
}

SampleWithLogProb MixedDirichlet::sample_with_log_prob(int64_t num_samples,
                                                       c10::optional<at::Generator> generator) const {
  TORCH_CHECK(num_samples >= 1, name(), ": num_samples must be >= 1, got ", num_samples);
  const FacedSample s = rsample_with_face({num_samples}, std::move(generator));
  return {s.value, face_law_.log_prob(s.face) + masked_dirichlet_log_prob(s.value, s.face, concentration_)};
}

at::Tensor MixedDirichlet::log_prob(const at::Tensor& value) const {
  if (validate_args()) validate_sample(value);
  return face_law_.log_prob(value > 0) + masked_dirichlet_log_prob(value, value > 0, concentration_);
}

at::Tensor MixedDirichlet::log_prob(const at::Tensor& value, const at::Tensor& face) const {
  if (validate_args()) validate_sample_on_face(value, face);
  const at::Tensor f = face != 0;
  return face_law_.log_prob(f) + masked_dirichlet_log_prob(value, f, concentration_);
}

at::Tensor MixedDirichlet::entropy() const {
  return face_law_.entropy() + expect_over_face_sums(face_law_, detail::within_face_entropy(concentration_));
}

Estimate MixedDirichlet::entropy_mc(int64_t num_samples, c10::optional<at::Generator> generator) const {
  const Estimate within = expect_over_face_sums_mc(face_law_, detail::within_face_entropy(concentration_),
                                                   num_samples, std::move(generator));
  return {face_law_.entropy() + within.value, within.standard_error};
}

at::Tensor MixedDirichlet::expected_face_dim() const {
  return face_law_.marginals().sum(-1) - 1;
}

at::Tensor MixedDirichlet::entropy_bits(double N) const {
  return entropy() / std::log(2.0) + N * expected_face_dim();
}

Estimate MixedDirichlet::entropy_bits_mc(double N, int64_t num_samples,
                                         c10::optional<at::Generator> generator) const {
  const Estimate h = entropy_mc(num_samples, std::move(generator));
  return {h.value / std::log(2.0) + N * expected_face_dim(), h.standard_error / std::log(2.0)};
}

MixedDirichlet MixedDirichlet::expand(at::IntArrayRef batch_shape) const {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(num_vertices());
  return MixedDirichlet(
      MixedDirichletOptions().scores(scores().expand(shape)).concentration(concentration_.expand(shape)),
      false);
}

MaskedDirichlet MixedDirichlet::within_face(const at::Tensor& face) const {
  return MaskedDirichlet(face, concentration_, validate_args());
}

namespace {
void check_same_vertices(const char* what, const MixedDirichlet& p, const Distribution& q,
                         int64_t q_vertices) {
  TORCH_CHECK(p.num_vertices() == q_vertices, what, "(", p.name(), ", ", q.name(), "): ", p.num_vertices(),
              " vs ", q_vertices, " vertices");
}
}  // namespace

at::Tensor kl_divergence(const MixedDirichlet& p, const MixedDirichlet& q) {
  check_same_vertices("kl_divergence", p, q, q.num_vertices());
  const at::Tensor within =
      expect_over_face_sums(p.face_law(), detail::within_face_kl(p.concentration(), q.concentration()));
  return kl_divergence(p.face_law(), q.face_law()) + within;
}

Estimate kl_divergence_mc(const MixedDirichlet& p, const MixedDirichlet& q, int64_t num_samples,
                          c10::optional<at::Generator> generator) {
  check_same_vertices("kl_divergence_mc", p, q, q.num_vertices());
  const Estimate within =
      expect_over_face_sums_mc(p.face_law(), detail::within_face_kl(p.concentration(), q.concentration()),
                               num_samples, std::move(generator));
  return {kl_divergence(p.face_law(), q.face_law()) + within.value, within.standard_error};
}

}  // namespace distributions
}  // namespace mixdist
