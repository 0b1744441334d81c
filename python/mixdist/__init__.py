"""mixdist from Python: sparse maps (sparsemax, 1.5-entmax, alpha-entmax, alpha-normmax, budget sparsemax), their
Fenchel-Young losses and a learned-alpha module (EntmaxAlpha).

The computations are mixdist's C++ kernels, registered as PyTorch custom ops (torch.ops.mixdist.*), so they
work with autograd (backward runs mixdist's own fused backward) and inside TorchScript. The functions and
modules below follow the API of the entmax package (deep-spin/entmax): replacing ``import entmax`` by
``import mixdist`` is meant to be enough. Where mixdist differs:

* the maps are exact (no sort with a top-k schedule, no fixed-count bisection): ``k`` and ``n_iter`` are
  accepted as hints only (``n_iter`` is an upper bound on the threshold iterations of alpha-entmax), and
  ``ensure_sum_one`` is accepted and ignored (rows always sum to one);
* a row that is entirely -inf is a RuntimeError naming the row, not a row of NaN;
* the losses honour any ``ignore_index``, negative ones included, and accept inputs of shape [N, *, C].
"""

from ._ops import library_path, ops  # first: loads the ops library, or says how to build it
from ._build_info import version as __version__
from . import distributions, special  # noqa: F401  (mixdist.distributions, mixdist.special)
from .activations import Entmax15, Sparsemax, entmax15, sparsemax
from .adaptive import EntmaxAlpha
from .losses import (
    Entmax15Loss,
    EntmaxBisectLoss,
    NormmaxBisectLoss,
    SparsemaxBisectLoss,
    SparsemaxLoss,
    entmax15_loss,
    entmax_bisect_loss,
    normmax_bisect_loss,
    sparsemax_bisect_loss,
    sparsemax_loss,
)
from .root_finding import (
    BudgetBisect,
    EntmaxBisect,
    NormmaxBisect,
    SparsemaxBisect,
    budget_bisect,
    entmax_bisect,
    normmax_bisect,
    sparsemax_bisect,
)

__all__ = [
    "__version__",
    "library_path",
    "ops",
    "sparsemax",
    "entmax15",
    "Sparsemax",
    "Entmax15",
    "entmax_bisect",
    "sparsemax_bisect",
    "EntmaxBisect",
    "SparsemaxBisect",
    "sparsemax_loss",
    "entmax15_loss",
    "entmax_bisect_loss",
    "sparsemax_bisect_loss",
    "SparsemaxLoss",
    "Entmax15Loss",
    "EntmaxBisectLoss",
    "SparsemaxBisectLoss",
    "normmax_bisect",
    "budget_bisect",
    "NormmaxBisect",
    "BudgetBisect",
    "normmax_bisect_loss",
    "NormmaxBisectLoss",
    "EntmaxAlpha",
]
