"""GibbsFaces: the face law of the Mixed Dirichlet, P(f) proportional to exp(sum_k (2 f_k - 1) w_k)."""

import torch

from . import constraints
from ._base import MixdistDistribution, as_tensor, enumerate_faces, ops, sample_shape_list

__all__ = ["GibbsFaces", "cross_entropy"]


class GibbsFaces(MixdistDistribution):
    r"""The Gibbs law over the non-empty faces of the simplex, ``P(f) ∝ exp(sum_k (2 f_k - 1) w_k)``.

    mixdist::GibbsFaces (include/mixdist/distributions/gibbs_faces.h): independent Bernoulli bits with
    logits ``2 w`` conditioned on at least one 1. Values are 0/1 face masks ``[..., K]`` (floating in the
    scores' dtype when sampled; bool masks are accepted by log_prob); batch_shape is ``scores.shape[:-1]``,
    event_shape ``[K]``. Normaliser, marginals, face-size law, entropy, mode, KL and the sampler are exact and
    closed form or O(K^2), for any K; a discrete law, so no rsample. ``enumerate_support()`` lists the
    2^K - 1 faces for K <= 16.

    Args:
        scores (Tensor): floating ``[..., K]``, K >= 1, finite.
        validate_args (bool, optional): as in torch.distributions.
    """

    arg_constraints = {"scores": torch.distributions.constraints.independent(constraints.finite, 1)}
    support = constraints.face_mask
    has_rsample = False
    has_enumerate_support = True

    def __init__(self, scores, validate_args=None):
        scores = as_tensor(scores)
        validate_args = self._resolve_validate_args(validate_args)
        batch_shape = ops.gibbs_faces_batch_shape(scores, validate_args)
        self.scores = scores
        self._set_shapes(batch_shape, scores.shape[-1:], validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(GibbsFaces, batch_shape, _instance, scores=self.scores)

    @property
    def num_vertices(self):
        """K."""
        return self.scores.shape[-1]

    def sample(self, sample_shape=torch.Size(), *, generator=None):
        """Exact draws (no rejection), 0/1 masks in the scores' dtype, without gradient; ``generator``
        (keyword only) is the random source (the default generator when None)."""
        return ops.gibbs_faces_sample(self.scores, sample_shape_list(sample_shape), generator)

    def log_prob(self, value):
        return ops.gibbs_faces_log_prob(self.scores, value, self._validate_args)

    def enumerate_support(self, expand=True):
        """The 2^K - 1 non-empty faces as 0/1 masks in the scores' dtype, ``[2^K - 1] + batch_shape + [K]``
        (``expand=False``: ``[2^K - 1] + [1] * len(batch_shape) + [K]``), as torch.distributions. Face number
        i = 1 .. 2^K - 1 holds vertex k iff bit k of i is set. A ValueError naming K above K = 16."""
        return enumerate_faces(self, self.num_vertices, self.scores.dtype, self.scores.device, expand)

    def cross_entropy(self, other):
        """H(self, other) = -E_self[log other(F)] for a GibbsFaces ``other`` with the same K: exact, O(K),
        differentiable in both laws' scores; the batch shapes broadcast."""
        return cross_entropy(self, other)

    def entropy(self):
        return ops.gibbs_faces_entropy(self.scores)

    @property
    def mean(self):
        """The marginals P(f_k = 1)."""
        return self.marginals()

    @property
    def mode(self):
        """The most probable face: f_k = [w_k > 0], or the vertex argmax w when that set is empty."""
        return ops.gibbs_faces_mode(self.scores)

    def log_normalizer(self):
        """log Z, batch_shape."""
        return ops.gibbs_faces_log_normalizer(self.scores)

    def marginals(self):
        """P(f_k = 1) = sigmoid(2 w_k) / (1 - prod_j sigmoid(-2 w_j)), ``[..., K]``."""
        return ops.gibbs_faces_marginals(self.scores)

    def log_size_pmf(self):
        """log P(|F| = n) for n = 1..K, ``[..., K]``."""
        return ops.gibbs_faces_log_size_pmf(self.scores)


def cross_entropy(p, q):
    """H(p, q) = -E_p[log q(F)] = log Z_q - sum_k w^q_k (2 mu^p_k - 1) between two GibbsFaces laws
    (mixdist::cross_entropy, exact, O(K), differentiable in both laws' scores). The C++ library defines it for
    this pair only; for any pair with a KL, H(p, q) = H(p) + KL(p || q)."""
    if not isinstance(p, GibbsFaces) or not isinstance(q, GibbsFaces):
        raise TypeError(
            f"cross_entropy: p and q must both be GibbsFaces, got {type(p).__name__} and {type(q).__name__}"
        )
    return ops.gibbs_faces_cross_entropy(p.scores, q.scores)
