"""ClippedGaussian: clip(loc + scale * eps, 0, 1), the one-bit Gaussian-Sparsemax."""

import torch

from . import constraints
from ._base import MixdistDistribution, as_tensor, ops, sample_shape_list

__all__ = ["ClippedGaussian", "bit_gaussian_sparsemax"]


class ClippedGaussian(MixdistDistribution):
    r"""The clipped Gaussian ``Y = clip(loc + scale * eps, 0, 1)``, a mixed variable on [0, 1].

    mixdist::ClippedGaussian (include/mixdist/distributions/clipped_gaussian.h). Masses
    ``P(0) = Phi(-loc/scale)`` and ``P(1) = Phi((loc - 1)/scale)`` and the density ``N(y; loc, scale^2)``
    inside, all w.r.t. the direct-sum measure (counting at 0 and 1, Lebesgue inside); batch_shape is the
    broadcast shape of ``loc`` and ``scale``, event_shape ``[]``. Entropy, mean and KL are closed form.

    Args:
        loc (Tensor or float): finite.
        scale (Tensor or float): positive and finite.
        reproduce_authors (bool): reproduce the reference code's scale mismatch (sampling with
            scale/sqrt(2), scoring with scale); only for matching its numbers, and refused by the KL.
        validate_args (bool, optional): as in torch.distributions.
    """

    arg_constraints = {"loc": constraints.finite, "scale": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, loc, scale, reproduce_authors=False, validate_args=None):
        loc, scale = as_tensor(loc), as_tensor(scale)
        validate_args = self._resolve_validate_args(validate_args)
        self.reproduce_authors = bool(reproduce_authors)
        batch_shape = ops.clipped_gaussian_batch_shape(loc, scale, self.reproduce_authors, validate_args)
        self.loc, self.scale = torch.broadcast_tensors(loc, scale)
        self._set_shapes(batch_shape, (), validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(ClippedGaussian, batch_shape, _instance, loc=self.loc, scale=self.scale)
        new.reproduce_authors = self.reproduce_authors
        return new

    def rsample(self, sample_shape=torch.Size(), *, generator=None):
        return ops.clipped_gaussian_rsample(
            self.loc, self.scale, sample_shape_list(sample_shape), generator, self.reproduce_authors
        )

    def log_prob(self, value):
        """log P(0) at 0, log P(1) at 1, log N(value; loc, scale^2) inside."""
        return ops.clipped_gaussian_log_prob(
            self.loc, self.scale, value, self.reproduce_authors, self._validate_args
        )

    def entropy(self):
        return ops.clipped_gaussian_entropy(self.loc, self.scale, self.reproduce_authors)

    @property
    def mean(self):
        return ops.clipped_gaussian_mean(self.loc, self.scale, self.reproduce_authors)

    def log_prob_zero(self):
        """log P(Y = 0) (through log_ndtr: finite however improbable)."""
        return ops.clipped_gaussian_log_masses(self.loc, self.scale, self.reproduce_authors)[0]

    def log_prob_one(self):
        """log P(Y = 1) (through log_ndtr: finite however improbable)."""
        return ops.clipped_gaussian_log_masses(self.loc, self.scale, self.reproduce_authors)[1]

    def entropy_bits(self, precision_bits):
        """H+/ln 2 + N E[dim F], the optimal expected code length in bits at ``precision_bits`` = N bits per
        free coordinate (exact)."""
        return ops.clipped_gaussian_entropy_bits(
            self.loc, self.scale, precision_bits, self.reproduce_authors
        )

    def expected_face_dim(self):
        """E[dim F] = P(0 < Y < 1)."""
        log_zero, log_one = ops.clipped_gaussian_log_masses(self.loc, self.scale, self.reproduce_authors)
        return 1 - log_zero.exp() - log_one.exp()


def bit_gaussian_sparsemax(logits, std=1.0, validate_args=None):
    """The law of the reference code's bit sampler ``sparsemax([logits, 1 - logits] + std * n)_1``, one
    independent bit per entry of ``logits``: ``ClippedGaussian(logits, std / sqrt(2))`` (mixdist::
    bit_gaussian_sparsemax, include/mixdist/distributions/clipped_gaussian.h), with the consistent sampler,
    density and entropy.

    Args:
        logits (Tensor or float): floating, finite: the location of each bit (gradients flow to it).
        std (float): the noise's standard deviation, positive and finite (an error naming it otherwise).
        validate_args (bool, optional): as in torch.distributions.
    """
    logits = as_tensor(logits)
    validate_args = MixdistDistribution._resolve_validate_args(validate_args)
    loc, scale = ops.bit_gaussian_sparsemax(logits, float(std), validate_args)
    return ClippedGaussian(loc, scale, validate_args=validate_args)
