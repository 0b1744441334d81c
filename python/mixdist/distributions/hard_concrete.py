"""HardConcrete: a stretched and clipped BinaryConcrete, a mixed variable on [0, 1] (L0 gates)."""

import torch

from . import constraints
from ._base import Estimate, MixdistDistribution, as_tensor, ops, sample_shape_list

__all__ = ["HardConcrete"]


class HardConcrete(MixdistDistribution):
    r"""The Hard Concrete law ``Y = clip(lower + (upper - lower) X, 0, 1)``, ``X ~ BinaryConcrete(logits,
    temperature)`` (Louizos et al., 2018).

    mixdist::HardConcrete (include/mixdist/distributions/hard_concrete.h). Masses ``prob_zero()`` and
    ``prob_one()`` and a density on (0, 1), all w.r.t. the direct-sum measure, exact (no 1e-4 clamps);
    batch_shape is the shape of ``logits``, event_shape ``[]``; reparameterised. The entropy has no closed
    form: ``entropy_mc(num_samples)``.

    Args:
        logits (Tensor or float): any real (no NaN).
        temperature (float): positive and finite.
        lower (float): the stretch interval's lower end, < 0.
        upper (float): its upper end, > 1.
        validate_args (bool, optional): as in torch.distributions.
    """

    arg_constraints = {"logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, logits, temperature, lower=-0.1, upper=1.1, validate_args=None):
        logits = as_tensor(logits)
        validate_args = self._resolve_validate_args(validate_args)
        self.temperature, self.lower, self.upper = float(temperature), float(lower), float(upper)
        batch_shape = ops.hard_concrete_batch_shape(logits, *self._scalars(), validate_args)
        self.logits = logits
        self._set_shapes(batch_shape, (), validate_args)

    def _scalars(self):
        return self.temperature, self.lower, self.upper

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(HardConcrete, batch_shape, _instance, logits=self.logits)
        new.temperature, new.lower, new.upper = self._scalars()
        return new

    def rsample(self, sample_shape=torch.Size(), *, generator=None):
        return ops.hard_concrete_rsample(
            self.logits, self.temperature, sample_shape_list(sample_shape), generator, self.lower, self.upper
        )

    def log_prob(self, value):
        """log P(Y = 0) at 0, log P(Y = 1) at 1, the log-density inside (0, 1)."""
        return ops.hard_concrete_log_prob(
            self.logits, self.temperature, value, self.lower, self.upper, self._validate_args
        )

    def prob_zero(self):
        """P(Y = 0), exact."""
        return ops.hard_concrete_masses(self.logits, *self._scalars())[0]

    def prob_one(self):
        """P(Y = 1), exact."""
        return ops.hard_concrete_masses(self.logits, *self._scalars())[1]

    def expected_l0(self):
        """P(Y != 0): the expected-L0 penalty of a gate."""
        return 1 - self.prob_zero()

    def expected_face_dim(self):
        """E[dim F] = P(0 < Y < 1)."""
        zero, one = ops.hard_concrete_masses(self.logits, *self._scalars())
        return 1 - zero - one

    def entropy_bits_mc(self, precision_bits, num_samples, generator=None):
        """H+/ln 2 + N E[dim F], the optimal expected code length in bits at ``precision_bits`` = N bits per
        free coordinate, from entropy_mc and the exact E[dim F]: an Estimate."""
        return Estimate(
            *ops.hard_concrete_entropy_bits_mc(
                self.logits, self.temperature, precision_bits, num_samples, generator, self.lower, self.upper
            )
        )

    def entropy_mc(self, num_samples, generator=None):
        """E[-log p(Y)] over ``num_samples`` reparameterised draws: an :class:`Estimate`."""
        return Estimate(
            *ops.hard_concrete_entropy_mc(
                self.logits, self.temperature, num_samples, generator, self.lower, self.upper
            )
        )
