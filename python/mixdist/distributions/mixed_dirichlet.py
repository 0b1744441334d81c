"""MixedDirichlet: a Gibbs face, then a Dirichlet on that face."""

import torch

from . import constraints
from ._base import Estimate, FacedSample, MixdistDistribution, as_tensor, ops, sample_shape_list
from .gibbs_faces import GibbsFaces
from .masked_dirichlet import MaskedDirichlet

__all__ = ["MixedDirichlet"]


class MixedDirichlet(MixdistDistribution):
    r"""The Mixed Dirichlet: ``F ~ GibbsFaces(scores)``, then ``Y | F ~ Dirichlet(concentration_F)`` on F.

    mixdist::MixedDirichlet (include/mixdist/distributions/mixed_dirichlet.h).
    ``log p(y) = log P_F(f(y)) + log Dir(y_f | concentration_f)`` w.r.t. the direct-sum measure. batch_shape
    is the broadcast of the parameters' leading dims, event_shape ``[K]``. Reparameterised within the face
    (the face is a discrete draw without gradient). Entropy and KL are exact by enumeration of the faces for
    K <= 24 (an error naming the Monte Carlo method beyond); ``entropy_mc`` and
    :func:`mixdist.distributions.kl_divergence_mc` work for any K with the face part exact.

    Both parameters are ``[..., K]`` tensors of the same shape, so they are keyword-only (the reference code
    takes them in the other order; a positional pair would be a silent swap), as the C++ class takes them
    only through named options.

    Args:
        scores (Tensor): face scores w, floating ``[..., K]``, finite.
        concentration (Tensor): Dirichlet concentrations, positive and finite, broadcasting with scores.
        validate_args (bool, optional): as in torch.distributions.
    """

    arg_constraints = {
        "scores": torch.distributions.constraints.independent(constraints.finite, 1),
        "concentration": torch.distributions.constraints.independent(constraints.positive, 1),
    }
    support = constraints.simplex
    has_rsample = True

    def __init__(self, *, scores, concentration, validate_args=None):
        scores, concentration = as_tensor(scores), as_tensor(concentration)
        validate_args = self._resolve_validate_args(validate_args)
        batch_shape = ops.mixed_dirichlet_batch_shape(scores, concentration, validate_args)
        self.scores, self.concentration = torch.broadcast_tensors(scores, concentration)
        self._set_shapes(batch_shape, self.scores.shape[-1:], validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(
            MixedDirichlet, batch_shape, _instance, scores=self.scores, concentration=self.concentration
        )

    @property
    def num_vertices(self):
        """K."""
        return self.scores.shape[-1]

    @property
    def face_law(self):
        """P_F, the GibbsFaces law of the scores."""
        return GibbsFaces(self.scores, validate_args=False)

    def within_face(self, face):
        """Y | F = face: a MaskedDirichlet (validated as this distribution is)."""
        return MaskedDirichlet(face, self.concentration, validate_args=self._validate_args)

    def rsample_with_face(self, sample_shape=torch.Size(), *, generator=None):
        """A :class:`FacedSample`: the value (pathwise in the concentration) and its face (bool)."""
        return FacedSample(
            *ops.mixed_dirichlet_rsample_with_face(
                self.scores, self.concentration, sample_shape_list(sample_shape), generator
            )
        )

    def sample_with_face(self, sample_shape=torch.Size(), *, generator=None):
        """As rsample_with_face, without gradient."""
        with torch.no_grad():
            return self.rsample_with_face(sample_shape, generator=generator)

    def rsample(self, sample_shape=torch.Size(), *, generator=None):
        return self.rsample_with_face(sample_shape, generator=generator).value

    def log_prob(self, value, face=None):
        """log P_F(face) + log Dir(value_face | concentration_face), the face taken as ``value > 0`` unless
        given (carry the sampled face: a Dirichlet coordinate can underflow to 0)."""
        return ops.mixed_dirichlet_log_prob(self.scores, self.concentration, value, face, self._validate_args)

    def entropy(self):
        return ops.mixed_dirichlet_entropy(self.scores, self.concentration)

    def entropy_mc(self, num_samples, generator=None):
        """H(P_F) exactly plus the within-face entropy averaged over ``num_samples`` sampled faces."""
        return Estimate(
            *ops.mixed_dirichlet_entropy_mc(self.scores, self.concentration, num_samples, generator)
        )

    def entropy_bits(self, N):
        """H+/ln 2 + N E[dim F], the optimal expected code length in bits at ``N`` bits per
        free coordinate (exact, K <= 24)."""
        return ops.mixed_dirichlet_entropy_bits(self.scores, self.concentration, N)

    def entropy_bits_mc(self, N, num_samples, generator=None):
        """The same from entropy_mc (E[dim F] exact): an Estimate, for any K."""
        return Estimate(
            *ops.mixed_dirichlet_entropy_bits_mc(
                self.scores, self.concentration, N, num_samples, generator
            )
        )

    def expected_face_dim(self):
        """E[dim F] = sum_k P(f_k = 1) - 1."""
        return ops.mixed_dirichlet_expected_face_dim(self.scores, self.concentration)
