#pragma once

/// @file
/// @brief kl_divergence: the KL registry over pairs of distribution types, and the Monte Carlo KL.
///
/// KL divergence between distributions, dispatched on the pair of concrete types through a registry, like
/// torch.distributions.kl_divergence. Built-in pairs are registered on first use; users add their own with
/// register_kl<P, Q>(...). An unregistered pair is an error naming both types.

#include <ATen/ATen.h>

#include <functional>
#include <typeindex>

#include "mixdist/distributions/distribution.h"

namespace mixdist {
inline namespace distributions {

/// A KL function on type-erased distributions, as stored in the registry.
using KLFunction = std::function<at::Tensor(const Distribution&, const Distribution&)>;

/// Registers (or replaces) the KL function for the pair of dynamic types (p, q); thread-safe.
/// @param p typeid of the first distribution's concrete type.
/// @param q typeid of the second distribution's concrete type.
/// @param fn called with distributions of exactly these types.
void register_kl(std::type_index p, std::type_index q, KLFunction fn);

/// Registers (or replaces) a typed KL function for the pair (P, Q).
///
/// kl_divergence(const Distribution&, const Distribution&) then dispatches to it when the dynamic types are
/// exactly P and Q (no base-class matching).
/// @tparam P the first distribution type.
/// @tparam Q the second distribution type.
/// @param fn KL(p || q) for a P and a Q.
///
/// @code
/// mixdist::register_kl<MyDist, mixdist::Normal>([](const MyDist& p, const mixdist::Normal& q) { ... });
/// @endcode
template <class P, class Q>
void register_kl(std::function<at::Tensor(const P&, const Q&)> fn) {
  register_kl(std::type_index(typeid(P)), std::type_index(typeid(Q)),
              [fn](const Distribution& p, const Distribution& q) {
                return fn(static_cast<const P&>(p), static_cast<const Q&>(q));
              });
}

/// KL(p || q), shape broadcast(p.batch_shape, q.batch_shape), by the function registered for the pair of
/// dynamic types.
///
/// Built-in pairs: Normal, Categorical, Bernoulli, Dirichlet, ClippedGaussian, GibbsFaces, MaxEntropyFaces,
/// MaskedDirichlet and MixedDirichlet each with itself, GibbsFaces with MaxEntropyFaces both ways, and
/// (MixedDirichlet, MixedMaxEntDirichletPrior). Exact as the registered function is.
/// @throws c10::Error naming both types if no KL is registered for the pair, or whatever the registered
///   function throws.
///
/// @code
/// at::Tensor kl = mixdist::kl_divergence(static_cast<const mixdist::Distribution&>(p), q);
/// @endcode
at::Tensor kl_divergence(const Distribution& p, const Distribution& q);

/// Whether a KL is registered for the pair of dynamic types of p and q (built-ins included).
bool has_kl(const Distribution& p, const Distribution& q);

/// Monte Carlo estimate of KL(p || q) = E_p[log p(Y) - log q(Y)] over num_samples >= 2 draws of p (pathwise,
/// so differentiable in p's and q's parameters, where p.has_rsample()), with its standard error; for any q
/// with a log_prob w.r.t. the same base measure. A q that gives zero probability to a face that p reaches
/// (a Dirichlet on the interior, say) yields +inf, as the KL is infinite. Mixed Dirichlet pairs have
/// lower-variance overloads (mixed_dirichlet.h).
/// @param p the distribution sampled from.
/// @param q the distribution whose log_prob scores p's draws (validated as q's validate_args() says).
/// @param num_samples draws per batch element, >= 2.
/// @param generator the random generator (the default one if absent).
/// @throws c10::Error if num_samples < 2, or if q.log_prob rejects p's draws.
///
/// @code
/// mixdist::Estimate kl = mixdist::kl_divergence_mc(gsp_p, gsp_q, 1000);
/// @endcode
Estimate kl_divergence_mc(const Distribution& p, const Distribution& q, int64_t num_samples,
                          c10::optional<at::Generator> generator = c10::nullopt);

}  // namespace distributions
}  // namespace mixdist
