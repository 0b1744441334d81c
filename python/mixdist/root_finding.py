"""alpha-entmax, sparsemax, alpha-normmax and budget sparsemax "by bisection", with the signatures of
entmax.root_finding (deep-spin/entmax).

entmax finds the threshold by a fixed number of bisection steps; mixdist solves for it exactly (alpha = 1.5
and 2, budget sparsemax) or by safeguarded Newton steps stopping when the bracket is a few ulps wide (other
alphas), so ``n_iter`` is only an upper bound on the iterations and ``ensure_sum_one`` changes nothing.
"""

import torch
import torch.nn as nn

from ._ops import ops


def _alpha_tensor(alpha, X):
    """alpha (or a budget) as the ops take it: a tensor (kept as is, so that it receives a gradient) or a
    float as a 0-dimensional double tensor on X's device."""
    if isinstance(alpha, torch.Tensor):
        return alpha
    return torch.tensor(float(alpha), dtype=torch.float64, device=X.device)


def entmax_bisect(X, alpha=1.5, dim=-1, n_iter=50, ensure_sum_one=True):
    """alpha-entmax: max_p <x, p> - H_alpha(p)  s.t.  p >= 0, sum(p) == 1,  for any alpha >= 1.

    Differentiable with respect to X and to a tensor alpha (mixdist::entmax_bisect).

    Parameters
    ----------
    X : torch.Tensor
        Floating scores of any shape.
    alpha : float or torch.Tensor
        alpha >= 1 (1: softmax, 1.5: entmax15, 2: sparsemax). A tensor must broadcast to X's shape with
        size 1 along ``dim`` (one alpha per row, per head, ...) and receives a gradient.
    dim : int
        The dimension along which to apply alpha-entmax.
    n_iter : int
        Upper bound (>= 1) on the threshold iterations; mixdist usually needs far fewer.
    ensure_sum_one : bool
        Accepted for compatibility with entmax and ignored: the rows always sum to one.

    Returns
    -------
    P : torch.Tensor, X's shape, with P.sum(dim) == 1.
    """
    return ops.entmax_bisect(X, _alpha_tensor(alpha, X), dim, n_iter)


def sparsemax_bisect(X, dim=-1, n_iter=50, ensure_sum_one=True):
    """sparsemax under entmax's bisection name: the exact sparsemax (``n_iter`` and ``ensure_sum_one`` are
    accepted and ignored).

    Parameters
    ----------
    X : torch.Tensor
        Floating scores of any shape.
    dim : int
        The dimension along which to apply sparsemax.
    n_iter : int
        Ignored (the projection is exact).
    ensure_sum_one : bool
        Ignored (the rows always sum to one).

    Returns
    -------
    P : torch.Tensor, X's shape, with P.sum(dim) == 1.
    """
    return ops.sparsemax(X, dim)


def normmax_bisect(X, alpha=2, dim=-1, n_iter=50):
    """alpha-normmax: max_p <x, p> - ||p||_alpha  s.t.  p >= 0, sum(p) == 1,  for alpha > 1.

    p is proportional to [x - tau]_+^(1/(alpha - 1)); mixdist solves for tau exactly at alpha = 2 and by
    safeguarded Newton steps otherwise (mixdist::normmax_bisect). Differentiable with respect to X (not alpha,
    as in entmax: an alpha that requires a gradient is an error).

    Parameters
    ----------
    X : torch.Tensor
        Floating scores of any shape.
    alpha : float or torch.Tensor
        alpha > 1 (alpha -> 1: argmax, alpha -> infinity: uniform on the top face). A tensor must broadcast
        to X's shape with size 1 along ``dim``.
    dim : int
        The dimension along which to apply alpha-normmax.
    n_iter : int
        Upper bound (>= 1) on the threshold iterations.

    Returns
    -------
    P : torch.Tensor, X's shape, with P.sum(dim) == 1.
    """
    return ops.normmax_bisect(X, _alpha_tensor(alpha, X), dim, n_iter)


def budget_bisect(X, budget=2, dim=-1, n_iter=50):
    """budget sparsemax: max_p <x, p> - ||p||^2 / 2  s.t.  0 <= p <= 1, sum(p) == budget.

    p = clamp(x - tau, 0, 1), tau found exactly (mixdist::budget_bisect). Differentiable with respect to X
    and to a tensor budget.

    Parameters
    ----------
    X : torch.Tensor
        Floating scores of any shape, no +inf.
    budget : float or torch.Tensor
        0 < budget <= the number of entries of each slice that are not -inf. A tensor must broadcast to X's
        shape with size 1 along ``dim`` and receives a gradient.
    dim : int
        The dimension along which to apply budget sparsemax.
    n_iter : int
        Accepted for compatibility with entmax (>= 1) and otherwise ignored: the threshold is exact.

    Returns
    -------
    P : torch.Tensor, X's shape, entries in [0, 1], with P.sum(dim) == budget.
    """
    return ops.budget_bisect(X, _alpha_tensor(budget, X), dim, n_iter)


class EntmaxBisect(nn.Module):
    """alpha-entmax as a module: forward(X) = entmax_bisect(X, alpha, dim, n_iter).

    An ``alpha`` that is an nn.Parameter is registered as the module's parameter (and learnt).
    """

    def __init__(self, alpha=1.5, dim=-1, n_iter=50):
        super().__init__()
        self.dim = dim
        self.n_iter = n_iter
        self.alpha = alpha

    def forward(self, X):
        return entmax_bisect(X, alpha=self.alpha, dim=self.dim, n_iter=self.n_iter)

    def extra_repr(self):
        alpha = self.alpha if not isinstance(self.alpha, torch.Tensor) else f"tensor{tuple(self.alpha.shape)}"
        return f"alpha={alpha}, dim={self.dim}, n_iter={self.n_iter}"


class SparsemaxBisect(nn.Module):
    """sparsemax as a module under entmax's bisection name: forward(X) = sparsemax_bisect(X, dim)."""

    def __init__(self, dim=-1, n_iter=None):
        super().__init__()
        self.dim = dim
        self.n_iter = n_iter

    def forward(self, X):
        return sparsemax_bisect(X, dim=self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class NormmaxBisect(nn.Module):
    """alpha-normmax as a module: forward(X) = normmax_bisect(X, alpha, dim, n_iter)."""

    def __init__(self, alpha=2, dim=-1, n_iter=50):
        super().__init__()
        self.dim = dim
        self.n_iter = n_iter
        self.alpha = alpha

    def forward(self, X):
        return normmax_bisect(X, alpha=self.alpha, dim=self.dim, n_iter=self.n_iter)

    def extra_repr(self):
        alpha = self.alpha if not isinstance(self.alpha, torch.Tensor) else f"tensor{tuple(self.alpha.shape)}"
        return f"alpha={alpha}, dim={self.dim}, n_iter={self.n_iter}"


class BudgetBisect(nn.Module):
    """budget sparsemax as a module: forward(X) = budget_bisect(X, budget, dim, n_iter). A ``budget`` that is
    an nn.Parameter is registered as the module's parameter (and learnt)."""

    def __init__(self, budget=2, dim=-1, n_iter=50):
        super().__init__()
        self.dim = dim
        self.n_iter = n_iter
        self.budget = budget

    def forward(self, X):
        return budget_bisect(X, budget=self.budget, dim=self.dim, n_iter=self.n_iter)

    def extra_repr(self):
        budget = self.budget
        if isinstance(budget, torch.Tensor):
            budget = f"tensor{tuple(budget.shape)}"
        return f"budget={budget}, dim={self.dim}, n_iter={self.n_iter}"
