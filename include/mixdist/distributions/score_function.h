#pragma once

/// @file
/// @brief score_function_surrogate: the REINFORCE surrogate for the discrete part of a mixed variable.
///
/// The score-function (REINFORCE) estimator for the discrete part of a mixed variable
/// (`docs/math.md#gradient-estimators`).

#include <ATen/ATen.h>

namespace mixdist {
inline namespace distributions {

/// The surrogate whose gradient is (reward - baseline) * grad log q_F(f).
///
/// Returns (reward - baseline).detach() * face_log_prob: both reward and baseline are detached here. The
/// baseline is meant to be the reward of an independent resample (f', y') ~ q (no learned critic), and the
/// reward excludes the exactly differentiated KL(q_F || p_F) but includes the sampled within-face KL
/// (`docs/math.md#gradient-estimators`). Add the result to the objective being maximised (subtract it from a
/// loss). Shapes broadcast; nothing is checked.
/// @param face_log_prob log q_F(f) of the sampled faces, differentiable in the face law's parameters.
/// @param reward the reward of each sample (detached here).
/// @param baseline the baseline of each sample (detached here).
/// @return the surrogate, the broadcast shape of the three tensors.
///
/// @code
/// at::Tensor surrogate = mixdist::score_function_surrogate(q.face_law().log_prob(s.face), r, r_b);
/// @endcode
at::Tensor score_function_surrogate(const at::Tensor& face_log_prob, const at::Tensor& reward,
                                    const at::Tensor& baseline);

}  // namespace distributions
}  // namespace mixdist
