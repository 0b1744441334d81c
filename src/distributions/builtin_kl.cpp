#include "distributions/builtin_kl.h"

#include "mixdist/distributions/bernoulli.h"
#include "mixdist/distributions/categorical.h"
#include "mixdist/distributions/clipped_gaussian.h"
#include "mixdist/distributions/dirichlet.h"
#include "mixdist/distributions/gibbs_faces.h"
#include "mixdist/distributions/kl.h"
#include "mixdist/distributions/masked_dirichlet.h"
#include "mixdist/distributions/max_entropy_faces.h"
#include "mixdist/distributions/mixed_dirichlet.h"
#include "mixdist/distributions/mixed_max_ent_dirichlet_prior.h"
#include "mixdist/distributions/normal.h"

namespace mixdist::detail {

namespace {
// Registers the typed overload kl_divergence(const P&, const Q&) for the pair.
template <class P, class Q>
void add() {
  register_kl<P, Q>([](const P& p, const Q& q) { return kl_divergence(p, q); });
}
}  // namespace

void register_builtin_kls() {
  add<Normal, Normal>();
  add<Categorical, Categorical>();
  add<Bernoulli, Bernoulli>();
  add<Dirichlet, Dirichlet>();
  add<ClippedGaussian, ClippedGaussian>();
  add<GibbsFaces, GibbsFaces>();
  add<GibbsFaces, MaxEntropyFaces>();
  add<MaxEntropyFaces, GibbsFaces>();
  add<MaxEntropyFaces, MaxEntropyFaces>();
  add<MaskedDirichlet, MaskedDirichlet>();
  add<MixedDirichlet, MixedDirichlet>();
  add<MixedDirichlet, MixedMaxEntDirichletPrior>();
}

}  // namespace mixdist::detail
