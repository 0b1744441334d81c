"""BinaryConcrete (RelaxedBernoulli) on (0, 1)."""

import torch

from . import constraints
from ._base import Estimate, MixdistDistribution, as_tensor, ops, sample_shape_list

__all__ = ["BinaryConcrete"]


class BinaryConcrete(MixdistDistribution):
    r"""The Binary Concrete law ``X = sigmoid((logits + L) / temperature)``, ``L ~ Logistic(0, 1)``.

    mixdist::BinaryConcrete (include/mixdist/distributions/binary_concrete.h), torch's RelaxedBernoulli with
    an exact density (the reference code adds 1e-4 inside its logs) and noise that is always finite.
    batch_shape is the shape of ``logits``, event_shape ``[]``; reparameterised. The entropy has no closed
    form: ``entropy_mc(num_samples)``.

    Args:
        logits (Tensor or float): any real (no NaN).
        temperature (float): positive and finite.
        validate_args (bool, optional): as in torch.distributions.
    """

    arg_constraints = {"logits": constraints.real}
    support = constraints.open_unit_interval
    has_rsample = True

    def __init__(self, logits, temperature, validate_args=None):
        logits = as_tensor(logits)
        validate_args = self._resolve_validate_args(validate_args)
        self.temperature = float(temperature)
        batch_shape = ops.binary_concrete_batch_shape(logits, self.temperature, validate_args)
        self.logits = logits
        self._set_shapes(batch_shape, (), validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(BinaryConcrete, batch_shape, _instance, logits=self.logits)
        new.temperature = self.temperature
        return new

    def rsample(self, sample_shape=torch.Size(), *, generator=None):
        return ops.binary_concrete_rsample(
            self.logits, self.temperature, sample_shape_list(sample_shape), generator
        )

    def log_prob(self, value):
        return ops.binary_concrete_log_prob(self.logits, self.temperature, value, self._validate_args)

    def cdf(self, value):
        """P(X <= value) = sigmoid(temperature * logit(value) - logits)."""
        return ops.binary_concrete_cdf(self.logits, self.temperature, value)

    def entropy_mc(self, num_samples, generator=None):
        """E[-log p(X)] over ``num_samples`` draws scored in logit space: an :class:`Estimate`."""
        return Estimate(
            *ops.binary_concrete_entropy_mc(self.logits, self.temperature, num_samples, generator)
        )
