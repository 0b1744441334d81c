"""One small instance of every mixdist distribution (batch shape (2,), float64), for the tests that check a
property every class must have."""

import torch

from mixdist.distributions import (
    BinaryConcrete,
    ClippedGaussian,
    GaussianSparsemax,
    GibbsFaces,
    HardConcrete,
    MaskedDirichlet,
    MaxEntropyFaces,
    MixedDirichlet,
    MixedMaxEntDirichletPrior,
)

D = torch.float64


def one_of_each():
    return [
        GaussianSparsemax(torch.zeros(2, 3, dtype=D), torch.ones(2, 3, dtype=D)),
        ClippedGaussian(torch.zeros(2, dtype=D), 1.0),
        GibbsFaces(torch.zeros(2, 3, dtype=D)),
        MaxEntropyFaces(3, 1.0).expand((2,)),
        MaskedDirichlet(torch.ones(2, 3, dtype=torch.bool), torch.ones(2, 3, dtype=D)),
        MixedDirichlet(scores=torch.zeros(2, 3, dtype=D), concentration=torch.ones(3, dtype=D)),
        BinaryConcrete(torch.zeros(2, dtype=D), 0.5),
        HardConcrete(torch.zeros(2, dtype=D), 0.5),
        MixedMaxEntDirichletPrior(3, 1.0).expand((2,)),
    ]
