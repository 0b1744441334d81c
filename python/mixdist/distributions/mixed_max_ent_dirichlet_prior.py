"""MixedMaxEntDirichletPrior: a maximum-entropy face, then the uniform Dirichlet on it."""

import torch

from . import constraints
from ._base import ops, sample_shape_list
from .max_entropy_faces import MaxEntropyFaces, MaxEntropyLaw

__all__ = ["MixedMaxEntDirichletPrior"]


class MixedMaxEntDirichletPrior(MaxEntropyLaw):
    r"""The prior of the mixed latents of the MNIST VAE: ``F ~ MaxEntropyFaces(K, N, variant)``, then the
    uniform Dirichlet(1) on F (density ``(|F| - 1)!`` w.r.t. the direct-sum measure).

    mixdist::MixedMaxEntDirichletPrior (include/mixdist/distributions/mixed_max_ent_dirichlet_prior.h). No
    parameters: batch_shape ``[]`` unless expand() makes a batch of identical priors; event_shape ``[K]``.
    log_prob, entropy and KL(MixedDirichlet || prior) are exact; a discrete face, so no rsample.

    Args:
        K (int): the number of vertices, >= 1.
        N (float): the precision in bits, finite and >= 0.
        variant (str): the face-size law, ``"derived"`` or ``"authors"`` (see MaxEntropyFaces).
        dtype (torch.dtype): floating dtype of the samples and of the results.
        validate_args (bool, optional): as in torch.distributions (log_prob's values).
    """

    support = constraints.simplex
    has_rsample = False

    @property
    def face_law(self):
        """The MaxEntropyFaces law of the face."""
        return MaxEntropyFaces(self.K, self.N, self.variant, self.dtype, validate_args=False).expand(
            self.batch_shape
        )

    def sample(self, sample_shape=torch.Size(), *, generator=None):
        return ops.mixed_max_ent_dirichlet_prior_sample(
            *self._spec(), sample_shape_list(sample_shape), generator
        )

    def log_prob(self, value, face=None):
        """log p(face) + log (|face| - 1)!, the face taken as ``value > 0`` unless given."""
        return ops.mixed_max_ent_dirichlet_prior_log_prob(*self._spec(), value, face, self._validate_args)

    def entropy(self):
        return ops.mixed_max_ent_dirichlet_prior_entropy(*self._spec())

    def entropy_bits(self, precision_bits):
        """H+/ln 2 + N E[dim F], the optimal expected code length in bits at ``precision_bits`` = N bits per
        free coordinate (exact)."""
        return ops.mixed_max_ent_dirichlet_prior_entropy_bits(*self._spec(), precision_bits)

    def expected_face_dim(self):
        """E[dim F] = E[|F|] - 1."""
        return ops.mixed_max_ent_dirichlet_prior_expected_face_dim(*self._spec())
