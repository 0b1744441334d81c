"""What the distribution classes share: the validation switch, the calls into the ops, Estimate."""

from collections import namedtuple
from numbers import Number

import torch
from torch.distributions import Distribution

from .._ops import ops

__all__ = ["ENUMERATE_MAX_K", "Estimate", "FacedSample", "MixdistDistribution", "ops"]

#: The largest K for which the face laws enumerate their support (2^K - 1 faces: 65535 at K = 16).
ENUMERATE_MAX_K = 16

#: A Monte Carlo estimate with its standard error (0 where the quantity is exact), as mixdist::Estimate.
Estimate = namedtuple("Estimate", ["value", "standard_error"])

#: A draw with the face it was drawn on (a bool mask of the same shape), as mixdist::FacedSample.
FacedSample = namedtuple("FacedSample", ["value", "face"])


def as_tensor(value):
    """A number becomes a tensor of the default dtype; a tensor passes unchanged (the C++ checks it)."""
    if isinstance(value, Number):
        return torch.tensor(value, dtype=torch.get_default_dtype())
    return value


def sample_shape_list(sample_shape):
    return list(torch.Size(sample_shape))


def enumerate_faces(law, K, dtype, device, expand):
    """enumerate_support of a law on the non-empty faces of K vertices, with torch's shapes: the 2^K - 1
    face masks (0/1 in ``dtype``) ``[2^K - 1] + batch_shape + [K]`` (``expand=False``: ones in place of the
    batch dims). Face number i = 1 .. 2^K - 1 (row i - 1) holds vertex k iff bit k of i is set, so the
    order starts e_1, e_2, e_1 + e_2, e_3, ... Refused (ValueError naming K) beyond ENUMERATE_MAX_K."""
    if K > ENUMERATE_MAX_K:
        raise ValueError(
            f"{type(law).__name__}.enumerate_support: K = {K} has 2^K - 1 faces; enumeration is limited to "
            f"K <= {ENUMERATE_MAX_K}"
        )
    codes = torch.arange(1, 2**K, device=device)
    faces = ((codes.unsqueeze(-1) >> torch.arange(K, device=device)) & 1).to(dtype)
    faces = faces.reshape((faces.shape[0],) + (1,) * len(law.batch_shape) + (K,))
    if expand:
        faces = faces.expand((faces.shape[0],) + law.batch_shape + (K,))
    return faces


class MixdistDistribution(Distribution):
    """Base class of mixdist's distributions: a torch.distributions.Distribution whose computations are the
    C++ library's (torch.ops.mixdist.*).

    Validation follows torch.distributions' switch (``validate_args``, default
    ``torch.distributions.Distribution.set_default_validate_args``) but is done by the C++ constructors and
    log_prob, so an invalid parameter or value raises the C++ error (a RuntimeError naming the distribution,
    the argument and the first offending entry) instead of torch's ValueError. ``arg_constraints`` and
    ``support`` describe the sets (mixdist.distributions.constraints).
    """

    @staticmethod
    def _resolve_validate_args(validate_args):
        return Distribution._validate_args if validate_args is None else bool(validate_args)

    def _set_shapes(self, batch_shape, event_shape, validate_args):
        """Distribution.__init__ without torch's own parameter check (the C++ constructor did it)."""
        super().__init__(torch.Size(batch_shape), torch.Size(event_shape), validate_args=False)
        self._validate_args = validate_args

    def _expanded(self, cls, batch_shape, _instance, **tensors):
        """The expand() of every subclass: `tensors` expanded to batch_shape + event_shape."""
        new = self._get_checked_instance(cls, _instance)
        batch_shape = torch.Size(batch_shape)
        for name, tensor in tensors.items():
            setattr(new, name, tensor.expand(batch_shape + tensor.shape[len(self.batch_shape) :]))
        MixdistDistribution._set_shapes(new, batch_shape, self.event_shape, self._validate_args)
        return new

    def sample(self, sample_shape=torch.Size(), *, generator=None):
        """Draws of shape ``sample_shape + batch_shape + event_shape`` without gradient: rsample under
        ``torch.no_grad()`` (the discrete laws override it with their exact samplers).

        ``generator`` (a torch.Generator on the parameters' device, keyword only) is the random source; the
        default generator when None. Two calls with generators in the same state give the same draws."""
        if not self.has_rsample:
            raise NotImplementedError(f"{type(self).__name__} has no sampler")
        with torch.no_grad():
            return self.rsample(sample_shape, generator=generator)
