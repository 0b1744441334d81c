"""mixdist.distributions: mixdist's distributions as torch.distributions.Distribution subclasses.

Mixed distributions on the simplex (GaussianSparsemax, MixedDirichlet with its face laws GibbsFaces and
MaxEntropyFaces and its within-face MaskedDirichlet, and MixedMaxEntDirichletPrior, the prior of the mixed
VAE latents) and on [0, 1] (ClippedGaussian, HardConcrete), and the BinaryConcrete. Every computation is the
C++ library's, through torch.ops.mixdist.* (autograd included).
Densities of mixed variables are w.r.t. the direct-sum base measure: counting measure on the vertices,
Lebesgue measure on the free coordinates of each higher face (the same convention as Dirichlet densities),
so log-probs of different families can be compared and subtracted.

The closed-form KL divergences are registered with torch.distributions.kl.register_kl, so
torch.distributions.kl_divergence(p, q) works for: ClippedGaussian, GibbsFaces, MaxEntropyFaces,
MaskedDirichlet and MixedDirichlet each with itself, GibbsFaces with MaxEntropyFaces both ways, and
MixedDirichlet with MixedMaxEntDirichletPrior (the MNIST VAE's prior).
kl_divergence_mc estimates the others. cross_entropy(p, q) is exact for two GibbsFaces laws.
"""

from . import constraints
from ._base import Estimate, FacedSample, MixdistDistribution
from .binary_concrete import BinaryConcrete
from .clipped_gaussian import ClippedGaussian, bit_gaussian_sparsemax
from .gaussian_sparsemax import GaussianSparsemax
from .gibbs_faces import GibbsFaces, cross_entropy
from .hard_concrete import HardConcrete
from .kl import kl_divergence_mc
from .masked_dirichlet import MaskedDirichlet
from .max_entropy_faces import MaxEntropyFaces
from .mixed_dirichlet import MixedDirichlet
from .mixed_max_ent_dirichlet_prior import MixedMaxEntDirichletPrior

__all__ = [
    "BinaryConcrete",
    "ClippedGaussian",
    "Estimate",
    "FacedSample",
    "GaussianSparsemax",
    "GibbsFaces",
    "HardConcrete",
    "MaskedDirichlet",
    "MaxEntropyFaces",
    "MixdistDistribution",
    "MixedDirichlet",
    "MixedMaxEntDirichletPrior",
    "bit_gaussian_sparsemax",
    "constraints",
    "cross_entropy",
    "kl_divergence_mc",
]
