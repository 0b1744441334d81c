"""GaussianSparsemax: Y = sparsemax(Z), Z ~ N(loc, diag(scale^2)), a mixed distribution on the simplex."""

import torch

from . import constraints
from ._base import Estimate, MixdistDistribution, as_tensor, ops, sample_shape_list

__all__ = ["GaussianSparsemax"]


class GaussianSparsemax(MixdistDistribution):
    r"""The Gaussian-Sparsemax law ``Y = sparsemax(loc + scale * eps)``, ``eps ~ N(0, I)``, on the simplex.

    mixdist::GaussianSparsemax (include/mixdist/distributions/gaussian_sparsemax.h). ``loc`` and ``scale``
    are ``[..., K]`` and broadcast to each other; batch_shape is the broadcast shape without its last dim,
    event_shape ``[K]``. Samples land on vertices, edges and higher faces with positive probability;
    ``log_prob`` is the density w.r.t. the direct-sum base measure (counting measure on vertices, Lebesgue
    measure on the free coordinates of each higher face), evaluated by adaptive Gauss-Kronrod quadrature for
    K >= 3 (closed forms for K <= 2), differentiable in loc, scale and the value.

    Args:
        loc (Tensor): floating ``[..., K]``, finite.
        scale (Tensor or float): positive and finite, broadcasting with ``loc``.
        adaptive_quadrature (bool): the adaptive rule (default) or a fixed Gauss-Hermite rule of
            ``quadrature_nodes`` nodes (differentiable twice, slower to converge).
        quadrature_tolerance (float): relative error target of the adaptive rule, in (0, 1e-2].
        quadrature_nodes (int): nodes of the fixed rule, 1..2048.
        centre_on_mode (bool): fixed rule only: centre and stretch it on the integrand's mode (default);
            False integrates around the Gaussian itself, as a plain Gauss-Hermite rule (for comparisons).
        closed_form_k2 (bool): use the exact closed forms for K = 2 (default); False sends K = 2 through
            the quadrature, to measure it against the closed form.
        validate_args (bool, optional): as in torch.distributions.

    ``entropy()`` is exact for K <= 2; for K >= 3 it raises (the C++ error names ``entropy_mc``) and
    ``entropy_mc(num_samples)`` estimates it. KL divergences have no closed form: use
    :func:`mixdist.distributions.kl_divergence_mc`.
    """

    arg_constraints = {
        "loc": torch.distributions.constraints.independent(constraints.finite, 1),
        "scale": torch.distributions.constraints.independent(constraints.positive, 1),
    }
    support = constraints.simplex
    has_rsample = True

    def __init__(
        self,
        loc,
        scale,
        adaptive_quadrature=True,
        quadrature_tolerance=1e-9,
        quadrature_nodes=64,
        centre_on_mode=True,
        closed_form_k2=True,
        validate_args=None,
    ):
        loc, scale = as_tensor(loc), as_tensor(scale)
        validate_args = self._resolve_validate_args(validate_args)
        self.adaptive_quadrature = bool(adaptive_quadrature)
        self.quadrature_tolerance = float(quadrature_tolerance)
        self.quadrature_nodes = int(quadrature_nodes)
        self.centre_on_mode = bool(centre_on_mode)
        self.closed_form_k2 = bool(closed_form_k2)
        batch_shape = ops.gaussian_sparsemax_batch_shape(loc, scale, *self._options(), validate_args)
        self.loc, self.scale = torch.broadcast_tensors(loc, scale)
        self._set_shapes(batch_shape, self.loc.shape[-1:], validate_args)

    _OPTIONS = (
        "adaptive_quadrature",
        "quadrature_tolerance",
        "quadrature_nodes",
        "centre_on_mode",
        "closed_form_k2",
    )

    def _options(self):
        """The options in the order of the ops' schemas (mixdist::GaussianSparsemaxOptions' fields)."""
        return tuple(getattr(self, name) for name in self._OPTIONS)

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(GaussianSparsemax, batch_shape, _instance, loc=self.loc, scale=self.scale)
        for name in self._OPTIONS:
            setattr(new, name, getattr(self, name))
        return new

    @property
    def num_vertices(self):
        """K."""
        return self.loc.shape[-1]

    def rsample(self, sample_shape=torch.Size(), *, generator=None):
        return ops.gaussian_sparsemax_rsample(
            self.loc, self.scale, sample_shape_list(sample_shape), generator
        )

    def log_prob(self, value, face=None):
        """log p(value) w.r.t. the direct-sum measure, the face taken as ``value > 0`` unless ``face`` (a
        bool mask broadcasting with value, value 0 outside it) is given."""
        return ops.gaussian_sparsemax_log_prob(
            self.loc, self.scale, value, face, *self._options(), self._validate_args
        )

    def entropy(self):
        return ops.gaussian_sparsemax_entropy(self.loc, self.scale)

    def entropy_mc(self, num_samples, generator=None):
        """E[-log p(Y)] over ``num_samples`` reparameterised draws: an :class:`Estimate`."""
        return Estimate(
            *ops.gaussian_sparsemax_entropy_mc(self.loc, self.scale, num_samples, generator, *self._options())
        )

    def entropy_bits(self, precision_bits):
        """H+/ln 2 + N E[dim F], the optimal expected code length in bits at ``precision_bits`` = N bits per
        free coordinate: exact for K <= 2 (an error naming entropy_bits_mc otherwise)."""
        return ops.gaussian_sparsemax_entropy_bits(self.loc, self.scale, precision_bits)

    def entropy_bits_mc(self, precision_bits, num_samples, generator=None):
        """The code length by Monte Carlo for any K: the mean of -log2 p(Y) + N dim F(Y), an Estimate."""
        return Estimate(
            *ops.gaussian_sparsemax_entropy_bits_mc(
                self.loc, self.scale, precision_bits, num_samples, generator, *self._options()
            )
        )

    def vertex_log_probs(self):
        """log P(Y = e_k) for every vertex, ``batch_shape + [K]`` (exact)."""
        return ops.gaussian_sparsemax_vertex_log_probs(self.loc, self.scale, *self._options())

    def face_probability(self, face):
        """P(Y in the relative interior of ``face``), a face mask ``[..., K]`` (bool or 0/1) broadcasting with
        the batch: exact for vertices (any K) and for every face when K <= 2, differentiable in loc and scale.
        A higher face with K >= 3 has no closed form: an error naming face_probability_mc."""
        return ops.gaussian_sparsemax_face_probability(self.loc, self.scale, face, *self._options())

    def face_probability_mc(self, face, num_samples, generator=None):
        """P(Y in ri(``face``)) for any face: an :class:`Estimate`, exact (standard error 0) where
        face_probability is, otherwise the face's frequency among ``num_samples`` >= 2 draws with its binomial
        standard error (no gradient through the sampled faces)."""
        return Estimate(
            *ops.gaussian_sparsemax_face_probability_mc(
                self.loc, self.scale, face, num_samples, generator, *self._options()
            )
        )
