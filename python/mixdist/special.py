"""Special functions of mixdist (include/mixdist/special) as differentiable PyTorch functions."""

from ._ops import ops

__all__ = ["log_ndtr"]


def log_ndtr(x):
    """log Phi(x), the log of the standard normal CDF, elementwise.

    Computed in double and returned in x's dtype; accurate from x = -1e150 upwards, and its gradient
    phi(x) / Phi(x) is computed without cancellation, so it is about -x far in the left tail (where
    log(torch.special.ndtr(x)) is -inf and its gradient NaN) and finite for every finite x.
    """
    return ops.log_ndtr(x)
