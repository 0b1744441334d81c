"""sparsemax and 1.5-entmax, with the signatures of entmax.activations (deep-spin/entmax)."""

import torch.nn as nn

from ._ops import ops


def sparsemax(X, dim=-1, k=None, return_support_size=False):
    """sparsemax: the Euclidean projection of X onto the probability simplex along ``dim``.

    Solves  min_p ||x - p||_2  s.t.  p >= 0, sum(p) == 1,  exactly (mixdist::sparsemax).

    Parameters
    ----------
    X : torch.Tensor
        Floating scores (float, double, half, bfloat16) of any shape.
    dim : int
        The dimension along which to apply sparsemax.
    k : int or None
        Accepted for compatibility with entmax and ignored: entmax partially sorts the k largest entries;
        mixdist's threshold is exact without a sort.
    return_support_size : bool
        Also return the number of nonzeros of each slice (int64, X's shape with size 1 along ``dim``).

    Returns
    -------
    P : torch.Tensor, X's shape, with P.sum(dim) == 1 (and the support size if asked for).
    """
    if return_support_size:
        return ops.sparsemax_with_support(X, dim)
    return ops.sparsemax(X, dim)


def entmax15(X, dim=-1, k=None, return_support_size=False):
    """1.5-entmax: max_p <x, p> - H_1.5(p)  s.t.  p >= 0, sum(p) == 1,  exactly (mixdist::entmax15).

    Parameters
    ----------
    X : torch.Tensor
        Floating scores of any shape.
    dim : int
        The dimension along which to apply 1.5-entmax.
    k : int or None
        Accepted for compatibility with entmax and ignored (mixdist's threshold is exact without a sort).
    return_support_size : bool
        Also return the number of nonzeros of each slice (int64, X's shape with size 1 along ``dim``).

    Returns
    -------
    P : torch.Tensor, X's shape, with P.sum(dim) == 1 (and the support size if asked for).
    """
    if return_support_size:
        return ops.entmax15_with_support(X, dim)
    return ops.entmax15(X, dim)


class _ExactMap(nn.Module):
    """A sparse map as a module: forward(X) = map(X, dim, k, return_support_size)."""

    _map = None

    def __init__(self, dim=-1, k=None, return_support_size=False):
        super().__init__()
        self.dim = dim
        self.k = k
        self.return_support_size = return_support_size

    def forward(self, X):
        return type(self)._map(X, dim=self.dim, k=self.k, return_support_size=self.return_support_size)

    def extra_repr(self):
        return f"dim={self.dim}"


class Sparsemax(_ExactMap):
    """sparsemax as a module: forward(X) = sparsemax(X, dim, k, return_support_size)."""

    _map = staticmethod(sparsemax)


class Entmax15(_ExactMap):
    """1.5-entmax as a module: forward(X) = entmax15(X, dim, k, return_support_size)."""

    _map = staticmethod(entmax15)
