#pragma once

// KL divergence between distributions, dispatched on the pair of concrete types through a registry, like
// torch.distributions.kl_divergence. Built-in pairs are registered on first use; users add their own with
// register_kl<P, Q>(...). An unregistered pair is an error naming both types.

#include <ATen/ATen.h>

#include <functional>
#include <typeindex>

#include "mixdist/distributions/distribution.h"

namespace mixdist {

using KLFunction = std::function<at::Tensor(const Distribution&, const Distribution&)>;

void register_kl(std::type_index p, std::type_index q, KLFunction fn);

template <class P, class Q>
void register_kl(std::function<at::Tensor(const P&, const Q&)> fn) {
  register_kl(std::type_index(typeid(P)), std::type_index(typeid(Q)),
              [fn](const Distribution& p, const Distribution& q) {
                return fn(static_cast<const P&>(p), static_cast<const Q&>(q));
              });
}

// KL(p || q), shape broadcast(p.batch_shape, q.batch_shape).
at::Tensor kl_divergence(const Distribution& p, const Distribution& q);

bool has_kl(const Distribution& p, const Distribution& q);

}  // namespace mixdist
