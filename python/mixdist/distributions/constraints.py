"""The constraints that mixdist's distributions declare, as torch.distributions.constraints objects.

They mirror include/mixdist/distributions/constraints.h, where torch has no equivalent or a different one:
``finite`` (neither NaN nor infinite), ``positive`` (finite and > 0), ``simplex`` (entries >= 0 summing to 1
within 1e-4, faces included) and ``face_mask`` (rows of 0/1 entries with at least one 1). The distributions
do not validate with them in Python: validation is done by the C++ library, whose errors name the
distribution, the argument and the offending entry; these objects describe the sets, and ``check`` gives the
same answer for use in user code.
"""

import torch
from torch.distributions import constraints as _torch

__all__ = [
    "face_mask",
    "finite",
    "open_unit_interval",
    "positive",
    "real",
    "simplex",
    "unit_interval",
]

real = _torch.real
unit_interval = _torch.unit_interval  # the closed interval [0, 1]


class _Finite(_torch.Constraint):
    """A finite number (neither NaN nor +-inf)."""

    def check(self, value):
        return torch.isfinite(value)


class _Positive(_torch.Constraint):
    """A finite number > 0."""

    def check(self, value):
        return torch.isfinite(value) & (value > 0)


class _Simplex(_torch.Constraint):
    """Rows of the simplex, faces included: entries >= 0 summing to 1 within ``tolerance``."""

    is_discrete = False
    event_dim = 1

    def __init__(self, tolerance=1e-4):
        self.tolerance = tolerance
        super().__init__()

    def check(self, value):
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() <= self.tolerance)


class _FaceMask(_torch.Constraint):
    """A face of the simplex: rows of 0/1 entries (bool or numeric) with at least one 1."""

    is_discrete = True
    event_dim = 1

    def check(self, value):
        return ((value == 0) | (value == 1)).all(-1) & (value != 0).any(-1)


class _OpenUnitInterval(_torch.Constraint):
    """The open interval (0, 1)."""

    def check(self, value):
        return (value > 0) & (value < 1)


finite = _Finite()
open_unit_interval = _OpenUnitInterval()
positive = _Positive()
simplex = _Simplex()
face_mask = _FaceMask()
