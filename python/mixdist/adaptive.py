"""Learned alpha: alpha-entmax with one alpha per attention head, as in "Adaptively Sparse Transformers"
(Correia, Niculae & Martins, 2019).

The entmax package has no such module (the paper's code defines an ``EntmaxAlpha(head_count)`` beside it, with
alpha = 1 + sigmoid(pre_alpha) clamped to (1, 2]); mixdist's keeps each alpha in [1, alpha_max] by the same
sigmoid parametrisation, so that no optimiser step can push it below 1 (where entmax_bisect is undefined).
"""

import math

import torch
import torch.nn as nn

from ._ops import ops


class EntmaxAlpha(nn.Module):
    """alpha-entmax with a learned alpha per head: alpha_h = 1 + (alpha_max - 1) * sigmoid(pre_alpha_h).

    forward(X) applies alpha-entmax along ``dim`` with head h's alpha on the slices X.select(head_dim, h); the
    gradient reaches ``pre_alpha`` through mixdist's closed-form alpha gradient.

    Parameters
    ----------
    head_count : int
        Number of heads (>= 1): the size of X along ``head_dim``.
    dim : int
        The dimension along which to apply alpha-entmax (the keys of attention scores [B, H, Q, K]).
    alpha_max : float
        Upper end of the alphas, > 1 (2: between softmax and sparsemax, as in the paper).
    alpha_init : float
        The alphas at initialisation, in (1, alpha_max) (the paper draws them at random; this is
        deterministic).
    head_dim : int
        The dimension of X that indexes the heads (1 for [B, H, Q, K]); not ``dim``.
    n_iter : int
        Upper bound (>= 1) on the threshold iterations of alpha-entmax.
    """

    def __init__(self, head_count=1, dim=-1, alpha_max=2.0, alpha_init=1.5, head_dim=1, n_iter=50):
        super().__init__()
        if int(head_count) != head_count or head_count < 1:
            raise ValueError(f"EntmaxAlpha: head_count must be an integer >= 1, got {head_count!r}")
        if not (math.isfinite(alpha_max) and alpha_max > 1):
            raise ValueError(f"EntmaxAlpha: alpha_max must be finite and > 1, got {alpha_max!r}")
        if not 1 < alpha_init < alpha_max:
            raise ValueError(
                f"EntmaxAlpha: alpha_init must lie in (1, alpha_max = {alpha_max}), got {alpha_init!r}"
            )
        self.head_count = int(head_count)
        self.dim = dim
        self.head_dim = head_dim
        self.alpha_max = float(alpha_max)
        self.n_iter = n_iter
        u = (alpha_init - 1) / (alpha_max - 1)
        self.pre_alpha = nn.Parameter(torch.full((self.head_count,), math.log(u / (1 - u))))

    @property
    def alpha(self):
        """The current alphas, shape [head_count], each in [1, alpha_max] (differentiable in pre_alpha)."""
        return 1 + (self.alpha_max - 1) * torch.sigmoid(self.pre_alpha)

    def forward(self, X):
        n = X.dim()
        head_dim = self.head_dim + n if self.head_dim < 0 else self.head_dim
        dim = self.dim + n if self.dim < 0 else self.dim
        if not 0 <= head_dim < n or head_dim == dim or X.shape[head_dim] != self.head_count:
            raise ValueError(
                f"EntmaxAlpha: expected {self.head_count} heads along head_dim {self.head_dim} (not "
                f"the map's dim {self.dim}) of an input of shape {tuple(X.shape)}"
            )
        shape = [1] * n
        shape[head_dim] = self.head_count
        return ops.entmax_bisect(X, self.alpha.view(shape), self.dim, self.n_iter)

    def extra_repr(self):
        return (
            f"head_count={self.head_count}, dim={self.dim}, alpha_max={self.alpha_max}, "
            f"head_dim={self.head_dim}, n_iter={self.n_iter}"
        )
