"""The KL divergences of mixdist's C++ registry (include/mixdist/distributions/kl.h), registered with
torch.distributions.kl.register_kl so that torch.distributions.kl_divergence(p, q) finds them, and
kl_divergence_mc, the Monte Carlo KL for any pair."""

import math

import torch
from torch.distributions import Distribution
from torch.distributions.kl import register_kl

from ._base import Estimate, MixdistDistribution, ops
from .clipped_gaussian import ClippedGaussian
from .gibbs_faces import GibbsFaces
from .masked_dirichlet import MaskedDirichlet
from .max_entropy_faces import MaxEntropyFaces
from .mixed_dirichlet import MixedDirichlet
from .mixed_max_ent_dirichlet_prior import MixedMaxEntDirichletPrior

__all__ = ["kl_divergence_mc"]


@register_kl(ClippedGaussian, ClippedGaussian)
def _kl_clipped_gaussian(p, q):
    return ops.clipped_gaussian_kl(p.loc, p.scale, q.loc, q.scale, p.reproduce_authors, q.reproduce_authors)


@register_kl(GibbsFaces, GibbsFaces)
def _kl_gibbs_faces(p, q):
    return ops.gibbs_faces_kl(p.scores, q.scores)


@register_kl(MaxEntropyFaces, MaxEntropyFaces)
def _kl_max_entropy_faces(p, q):
    shape = list(torch.broadcast_shapes(p.batch_shape, q.batch_shape))
    return ops.max_entropy_faces_kl(p.K, p.N, p.variant, q.K, q.N, q.variant, p.dtype, shape)


@register_kl(GibbsFaces, MaxEntropyFaces)
def _kl_gibbs_faces_max_entropy_faces(p, q):
    return ops.gibbs_faces_max_entropy_faces_kl(p.scores, q.K, q.N, q.variant, list(q.batch_shape))


@register_kl(MaxEntropyFaces, GibbsFaces)
def _kl_max_entropy_faces_gibbs_faces(p, q):
    return ops.max_entropy_faces_gibbs_faces_kl(p.K, p.N, p.variant, list(p.batch_shape), q.scores)


@register_kl(MaskedDirichlet, MaskedDirichlet)
def _kl_masked_dirichlet(p, q):
    return ops.masked_dirichlet_kl(p.face, p.concentration, q.face, q.concentration)


@register_kl(MixedDirichlet, MixedDirichlet)
def _kl_mixed_dirichlet(p, q):
    return ops.mixed_dirichlet_kl(p.scores, p.concentration, q.scores, q.concentration)


@register_kl(MixedDirichlet, MixedMaxEntDirichletPrior)
def _kl_mixed_dirichlet_prior(p, q):
    return ops.mixed_dirichlet_mixed_max_ent_dirichlet_prior_kl(
        p.scores, p.concentration, q.K, q.N, q.variant, list(q.batch_shape)
    )


def kl_divergence_mc(p, q, num_samples, generator=None):
    """Monte Carlo KL(p || q) = E_p[log p(Y) - log q(Y)] over ``num_samples`` >= 2 draws of p: an Estimate
    (value, standard_error) of shape broadcast(p.batch_shape, q.batch_shape).

    From a MixedDirichlet to a MixedDirichlet or a MixedMaxEntDirichletPrior the face part is exact and only
    the within-face part is sampled (mixdist::kl_divergence_mc). Otherwise the draws are p.rsample
    (differentiable in both distributions' parameters) where p has one, else p.sample; q.log_prob must be
    w.r.t. the same base measure (every mixdist mixed distribution uses the direct-sum measure).
    ``generator`` (a torch.Generator, default None: the default generator) drives every form whose p is a
    mixdist distribution; a torch.distributions p cannot take one, and passing one is then an error.
    """
    if isinstance(p, MixedDirichlet) and isinstance(q, MixedDirichlet):
        return Estimate(
            *ops.mixed_dirichlet_kl_mc(
                p.scores, p.concentration, q.scores, q.concentration, num_samples, generator
            )
        )
    if isinstance(p, MixedDirichlet) and isinstance(q, MixedMaxEntDirichletPrior):
        return Estimate(
            *ops.mixed_dirichlet_mixed_max_ent_dirichlet_prior_kl_mc(
                p.scores, p.concentration, q.K, q.N, q.variant, list(q.batch_shape), num_samples, generator
            )
        )
    if not isinstance(p, Distribution) or not isinstance(q, Distribution):
        raise TypeError(f"kl_divergence_mc: p and q must be distributions, got {type(p).__name__} and "
                        f"{type(q).__name__}")
    if num_samples < 2:
        raise ValueError(f"kl_divergence_mc: num_samples must be >= 2, got {num_samples}")
    if generator is None:
        kwargs = {}
    elif isinstance(p, MixdistDistribution):
        kwargs = {"generator": generator}
    else:
        raise TypeError(
            f"kl_divergence_mc: generator is supported only when p is a mixdist distribution, got p of type "
            f"{type(p).__name__}"
        )
    draws = p.rsample((num_samples,), **kwargs) if p.has_rsample else p.sample((num_samples,), **kwargs)
    terms = p.log_prob(draws) - q.log_prob(draws)
    return Estimate(terms.mean(0), terms.detach().std(0) / math.sqrt(num_samples))
