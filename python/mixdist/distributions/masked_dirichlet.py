"""MaskedDirichlet: a Dirichlet on one face of the simplex, exactly 0 outside it."""

import torch

from . import constraints
from ._base import MixdistDistribution, as_tensor, ops, sample_shape_list

__all__ = ["MaskedDirichlet"]


class MaskedDirichlet(MixdistDistribution):
    r"""The Dirichlet of ``concentration[face]`` on the face ``face``, exactly 0 outside it.

    mixdist::MaskedDirichlet (include/mixdist/distributions/masked_dirichlet.h), the within-face law of the
    Mixed Dirichlet. Values are points of the simplex ``[..., K]``; the density is w.r.t. Lebesgue measure on
    |face| - 1 free coordinates of the face (1 on a one-vertex face). batch_shape is the broadcast of both
    batch shapes, event_shape ``[K]``. Reparameterised (implicit gradient to the face's concentrations);
    samples are drawn in log space so that every face coordinate is positive.

    Args:
        face (Tensor): ``[..., K]`` face mask (bool or 0/1), every row non-empty; held as bool.
        concentration (Tensor): floating ``[..., K]``, positive and finite.
        validate_args (bool, optional): as in torch.distributions.
    """

    arg_constraints = {
        "face": constraints.face_mask,
        "concentration": torch.distributions.constraints.independent(constraints.positive, 1),
    }
    support = constraints.simplex
    has_rsample = True

    def __init__(self, face, concentration, validate_args=None):
        concentration = as_tensor(concentration)
        validate_args = self._resolve_validate_args(validate_args)
        batch_shape = ops.masked_dirichlet_batch_shape(face, concentration, validate_args)
        self.face, self.concentration = torch.broadcast_tensors(face.bool(), concentration)
        self._set_shapes(batch_shape, self.concentration.shape[-1:], validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(
            MaskedDirichlet, batch_shape, _instance, face=self.face, concentration=self.concentration
        )

    def rsample(self, sample_shape=torch.Size(), *, generator=None):
        return ops.masked_dirichlet_rsample(
            self.face, self.concentration, sample_shape_list(sample_shape), generator
        )

    def log_prob(self, value):
        return ops.masked_dirichlet_log_prob(self.face, self.concentration, value, self._validate_args)

    def entropy(self):
        return ops.masked_dirichlet_entropy(self.face, self.concentration)

    @property
    def mean(self):
        return ops.masked_dirichlet_mean(self.face, self.concentration)
