"""MaxEntropyFaces: the face law of the maximum-entropy mixed distribution at precision N bits."""

import torch

from . import constraints
from ._base import MixdistDistribution, enumerate_faces, ops, sample_shape_list

__all__ = ["MaxEntropyFaces", "MaxEntropyLaw"]


class MaxEntropyLaw(MixdistDistribution):
    """What the laws built on the maximum-entropy face law share (MaxEntropyFaces, MixedMaxEntDirichletPrior):
    no tensor parameters, but K, the precision N, the size law's variant and a dtype, passed to every op with
    the batch shape (a batch of identical laws after expand())."""

    arg_constraints = {}

    def __init__(self, K, N=0.0, variant="derived", dtype=torch.float64, validate_args=None):
        validate_args = self._resolve_validate_args(validate_args)
        self.K, self.N, self.variant, self.dtype = int(K), float(N), str(variant), dtype
        ops.max_entropy_faces_entropy(*self._spec([]))  # the C++ constructor's checks of K, N, variant, dtype
        self._set_shapes((), (self.K,), validate_args)

    def _spec(self, batch_shape=None):
        shape = list(self.batch_shape) if batch_shape is None else batch_shape
        return self.K, self.N, self.variant, self.dtype, shape

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(type(self), batch_shape, _instance)
        new.K, new.N, new.variant, new.dtype = self.K, self.N, self.variant, self.dtype
        return new

    def __repr__(self):
        fields = f"K: {self.K}, N: {self.N}, variant: {self.variant!r}, dtype: {self.dtype}"
        return f"{type(self).__name__}({fields})"

    @property
    def num_vertices(self):
        """K."""
        return self.K


class MaxEntropyFaces(MaxEntropyLaw):
    r"""The face law of the maximum-entropy mixed distribution on K vertices at precision N bits.

    mixdist::MaxEntropyFaces (include/mixdist/distributions/max_entropy_faces.h): a face of n vertices has
    probability ``pmf_n(n) / C(K, n)``, with the size law ``pmf_n(n) ∝ C(K, n) 2^(N(n-1)) / (n-1)!``
    (``variant="derived"``, the default) or the reference code's ``∝ 2^(N(n-1)) / (n-1)!``
    (``variant="authors"``). No parameters to learn: batch_shape is ``[]`` unless expand() makes a batch of
    identical laws; event_shape ``[K]``. Values are 0/1 face masks in ``dtype``. log_prob, entropy, mean and
    every KL (with itself and with GibbsFaces, both ways) are exact. ``enumerate_support()`` lists the
    2^K - 1 faces for K <= 16.

    Args:
        K (int): the number of vertices, >= 1.
        N (float): the precision in bits, finite and >= 0.
        variant (str): ``"derived"`` or ``"authors"``.
        dtype (torch.dtype): floating dtype of the pmf and of the samples.
        validate_args (bool, optional): as in torch.distributions (log_prob's values).
    """

    support = constraints.face_mask
    has_rsample = False
    has_enumerate_support = True

    def log_size_pmf(self):
        """log pmf_n(n) for n = 1..K, ``batch_shape + [K]``, in ``dtype``."""
        pmf = ops.max_entropy_faces_log_size_pmf(self.K, self.N, self.variant).to(self.dtype)
        return pmf.expand(self.batch_shape + pmf.shape)

    def sample(self, sample_shape=torch.Size(), *, generator=None):
        return ops.max_entropy_faces_sample(*self._spec(), sample_shape_list(sample_shape), generator)

    def log_prob(self, value):
        return ops.max_entropy_faces_log_prob(*self._spec(), value, self._validate_args)

    def enumerate_support(self, expand=True):
        """The 2^K - 1 non-empty faces as 0/1 masks in ``dtype``, ``[2^K - 1] + batch_shape + [K]``
        (``expand=False``: ones in place of the batch dims), as torch.distributions. Face number
        i = 1 .. 2^K - 1 holds vertex k iff bit k of i is set. A ValueError naming K above K = 16."""
        return enumerate_faces(self, self.K, self.dtype, torch.device("cpu"), expand)

    def entropy(self):
        return ops.max_entropy_faces_entropy(*self._spec())

    @property
    def mean(self):
        """P(f_k = 1) = E[n] / K for every k."""
        return ops.max_entropy_faces_mean(*self._spec())
