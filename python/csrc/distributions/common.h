#pragma once

// Shared by the distribution ops (python/csrc/distributions/*.cpp): the conventions every file follows.
//
// A distribution is not an object in the dispatcher: each op receives the parameters of one distribution
// (tensors and the constructor's scalars), builds the C++ distribution from them and calls one of its
// methods. Building is cheap (shapes and, when validate_args is true, one check per parameter), so the Python
// classes hold only the parameters and call these ops. Every op is registered for CompositeImplicitAutograd,
// so the C++ code runs above the autograd layer and its gradients (including the custom backward of the
// Gaussian-Sparsemax quadrature and of log_ndtr) are recorded as in C++.
//
// * <name>_batch_shape(params..., validate_args): builds the distribution, validating its parameters when
//   validate_args is true, and returns its batch shape (the Python constructor's one check);
// * <name>_log_prob(params..., value, ..., validate_args): log_prob, value checked when validate_args;
// * <name>_rsample / _sample(params..., sample_shape, generator): draws (generator None: the default one);
// * <name>_entropy, _mean, ...: the method of the same name; <name>_kl(p params..., q params...): the KL;
// * Monte Carlo estimates return (value, standard_error).
//
// Methods that build a distribution to call a method other than log_prob do not re-validate the parameters
// (the constructor did).

#include <ATen/ATen.h>
#include <c10/util/Optional.h>

#include <cstdint>
#include <tuple>
#include <vector>

#include "mixdist/distributions/distribution.h"
#include "mixdist/distributions/estimate.h"

namespace mixdist::python {

/// A batch shape as the op's int[] result.
inline std::vector<int64_t> shape_of(const mixdist::Distribution& d) {
  return d.batch_shape().vec();
}

/// An Estimate as the op's (value, standard_error) result.
inline std::tuple<at::Tensor, at::Tensor> as_tuple(const mixdist::Estimate& e) {
  return {e.value, e.standard_error};
}

}  // namespace mixdist::python
