"""Fenchel-Young losses of the sparse maps, with the signatures of entmax.losses (deep-spin/entmax).

The functions return one loss per sample (no reduction), as entmax's; the modules reduce. Unlike entmax:

* ``ignore_index`` is honoured for any value, negative ones included (entmax only masks ignore_index >= 0),
  in the modules as in the functions (which ignore targets equal to -100);
* the input may be [N, *, C] with a target [N, *] (entmax: [N, C] and [N]);
* the modules take a keyword-only per-class ``weight`` (as torch.nn.CrossEntropyLoss);
* "elementwise_mean" over a batch in which every target is ignored is 0, not NaN.

The losses run mixdist's C++ losses (torch.ops.mixdist.*_loss), whose backward is p* - e_y.
"""

import torch.nn as nn

from ._ops import ops
from .root_finding import _alpha_tensor

_REDUCTIONS = {"elementwise_mean": "mean", "mean": "mean", "sum": "sum", "none": "none"}
_IGNORE_INDEX = -100


def _alpha_per_sample(alpha, X):
    """entmax takes a per-row alpha of shape [N, 1] (X's shape with size 1 along the class dimension); the
    ops take it broadcastable to the target's shape [N, *]."""
    alpha = _alpha_tensor(alpha, X)
    if alpha.dim() == X.dim() and alpha.dim() >= 1 and alpha.shape[-1] == 1:
        alpha = alpha.squeeze(-1)
    return alpha


def _with_support(loss, support_map, X, return_support):
    """entmax's return_support: (loss, the support size of each sample's prediction, [N, *, 1]) or loss."""
    if not return_support:
        return loss
    return loss, support_map(X.detach(), -1)[1]


def sparsemax_loss(X, target, k=None, return_support=False):
    """sparsemax loss: a sparse alternative to the cross-entropy, one value per sample.

    Parameters
    ----------
    X : torch.Tensor, shape (n_samples, n_classes) (or [N, *, C])
        The scores.
    target : torch.LongTensor, shape (n_samples,) (or [N, *])
        The classes, 0 <= target < n_classes; entries equal to -100 get a loss of 0.
    k : int or None
        Accepted for compatibility with entmax and ignored (the projection is exact).
    return_support : bool
        Also return the support size of each sample's sparsemax (int64, [N, *, 1]), as entmax.

    Returns
    -------
    losses : torch.Tensor, target's shape (and the support sizes if asked for).
    """
    loss = ops.sparsemax_loss(X, target, None, _IGNORE_INDEX, "none")
    return _with_support(loss, ops.sparsemax_with_support, X, return_support)


def sparsemax_bisect_loss(X, target, n_iter=50):
    """sparsemax loss under entmax's bisection name: sparsemax_loss (``n_iter`` is ignored)."""
    return ops.sparsemax_loss(X, target, None, _IGNORE_INDEX, "none")


def entmax15_loss(X, target, k=None, return_support=False):
    """1.5-entmax loss, one value per sample; arguments as sparsemax_loss (``k`` is ignored)."""
    loss = ops.entmax15_loss(X, target, None, _IGNORE_INDEX, "none")
    return _with_support(loss, ops.entmax15_with_support, X, return_support)


def entmax_bisect_loss(X, target, alpha=1.5, n_iter=50):
    """alpha-entmax loss, one value per sample, for any alpha >= 1 (1: cross-entropy).

    Parameters
    ----------
    X : torch.Tensor, shape (n_samples, n_classes) (or [N, *, C])
        The scores.
    target : torch.LongTensor, shape (n_samples,) (or [N, *])
        The classes; entries equal to -100 get a loss of 0.
    alpha : float or torch.Tensor
        One alpha, or a tensor of shape (n_samples, 1) as entmax's (or broadcastable to the target's
        shape); a tensor receives a gradient.
    n_iter : int
        Upper bound (>= 1) on the threshold iterations.

    Returns
    -------
    losses : torch.Tensor, target's shape.
    """
    return ops.entmax_bisect_loss(X, target, _alpha_per_sample(alpha, X), n_iter, None, _IGNORE_INDEX, "none")


def normmax_bisect_loss(X, target, alpha=2, n_iter=50):
    """alpha-normmax loss, one value per sample: 1 - ||p*||_alpha + <p* - e_y, x> with p* = normmax_bisect(X),
    for alpha > 1; arguments as entmax_bisect_loss (a tensor alpha receives a gradient).

    Returns
    -------
    losses : torch.Tensor, target's shape.
    """
    return ops.normmax_bisect_loss(
        X, target, _alpha_per_sample(alpha, X), n_iter, None, _IGNORE_INDEX, "none"
    )


class _GenericLoss(nn.Module):
    def __init__(self, ignore_index=-100, reduction="elementwise_mean", weight=None):
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f'reduction must be "elementwise_mean", "sum" or "none" ("mean" too), got {reduction!r}'
            )
        super().__init__()
        self.ignore_index = ignore_index
        self.reduction = reduction
        # A buffer, so that .to(device) moves it with the module (None: every class weighs 1).
        self.register_buffer("weight", weight)


class SparsemaxLoss(_GenericLoss):
    """The sparsemax loss as a module, reduced: "elementwise_mean" (over the entries not ignored), "sum" or
    "none". ``k`` is accepted and ignored; with ``return_support`` forward returns (loss, support sizes)."""

    def __init__(
        self, k=None, ignore_index=-100, reduction="elementwise_mean", return_support=False, *, weight=None
    ):
        super().__init__(ignore_index, reduction, weight)
        self.k = k
        self.return_support = return_support

    def forward(self, X, target):
        loss = ops.sparsemax_loss(X, target, self.weight, self.ignore_index, _REDUCTIONS[self.reduction])
        return _with_support(loss, ops.sparsemax_with_support, X, self.return_support)


class SparsemaxBisectLoss(_GenericLoss):
    """The sparsemax loss as a module under entmax's bisection name (``n_iter`` is ignored)."""

    def __init__(self, n_iter=50, ignore_index=-100, reduction="elementwise_mean", *, weight=None):
        super().__init__(ignore_index, reduction, weight)
        self.n_iter = n_iter

    def forward(self, X, target):
        return ops.sparsemax_loss(X, target, self.weight, self.ignore_index, _REDUCTIONS[self.reduction])


class Entmax15Loss(_GenericLoss):
    """The 1.5-entmax loss as a module (``k`` is accepted and ignored; ``return_support`` as in
    SparsemaxLoss)."""

    def __init__(
        self, k=100, ignore_index=-100, reduction="elementwise_mean", return_support=False, *, weight=None
    ):
        super().__init__(ignore_index, reduction, weight)
        self.k = k
        self.return_support = return_support

    def forward(self, X, target):
        loss = ops.entmax15_loss(X, target, self.weight, self.ignore_index, _REDUCTIONS[self.reduction])
        return _with_support(loss, ops.entmax15_with_support, X, self.return_support)


class EntmaxBisectLoss(_GenericLoss):
    """The alpha-entmax loss as a module; ``alpha`` a float or a tensor (an nn.Parameter is learnt)."""

    _op_name = "entmax_bisect_loss"

    def __init__(self, alpha=1.5, n_iter=50, ignore_index=-100, reduction="elementwise_mean", *, weight=None):
        super().__init__(ignore_index, reduction, weight)
        self.alpha = alpha
        self.n_iter = n_iter

    def forward(self, X, target):
        return getattr(ops, self._op_name)(
            X,
            target,
            _alpha_per_sample(self.alpha, X),
            self.n_iter,
            self.weight,
            self.ignore_index,
            _REDUCTIONS[self.reduction],
        )


class NormmaxBisectLoss(EntmaxBisectLoss):
    """The alpha-normmax loss as a module; ``alpha`` a float > 1 or a tensor (an nn.Parameter is learnt)."""

    _op_name = "normmax_bisect_loss"

    def __init__(self, alpha=2, n_iter=50, ignore_index=-100, reduction="elementwise_mean", *, weight=None):
        super().__init__(alpha, n_iter, ignore_index, reduction, weight=weight)
