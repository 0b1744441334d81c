#include "mixdist/distributions/score_function.h"

namespace mixdist {
inline namespace distributions {

at::Tensor score_function_surrogate(const at::Tensor& face_log_prob, const at::Tensor& reward,
                                    const at::Tensor& baseline) {
  return (reward - baseline).detach() * face_log_prob;
}

}  // namespace distributions
}  // namespace mixdist
