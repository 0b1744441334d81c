"""Independent pure-PyTorch references of mixdist's distributions, written from docs/math.md (the formulas)
with torch.distributions' Normal, Dirichlet and RelaxedBernoulli, brute-force enumeration of the faces for
small K and fine trapezoid rules; nothing here calls mixdist."""

import itertools
import math

import torch
from torch.distributions import Dirichlet, Normal


def faces(K, dtype=torch.float64):
    """All 2^K - 1 non-empty 0/1 masks of length K, [2^K - 1, K]."""
    rows = [f for f in itertools.product([0.0, 1.0], repeat=K) if any(f)]
    return torch.tensor(rows, dtype=dtype)


def gibbs_log_probs(scores, all_faces):
    """log P(f) of the Gibbs face law for every row of all_faces: P(f) ∝ exp(sum_k (2 f_k - 1) w_k)."""
    energy = ((2 * all_faces - 1) * scores).sum(-1)
    return energy - torch.logsumexp(energy, 0)


def max_entropy_log_probs(K, N, variant, all_faces):
    """log p(f) = log pmf_n(|f|) - log C(K, |f|), pmf_n ∝ [C(K, n)] 2^(N(n-1)) / (n-1)!."""
    n = torch.arange(1, K + 1, dtype=torch.float64)
    log_binom = torch.tensor([math.log(math.comb(K, int(i))) for i in n], dtype=torch.float64)
    log_pmf = N * (n - 1) * math.log(2) - torch.lgamma(n)
    if variant == "derived":
        log_pmf = log_pmf + log_binom
    log_pmf = log_pmf - torch.logsumexp(log_pmf, 0)
    size = all_faces.sum(-1).long()
    return log_pmf[size - 1] - log_binom[size - 1]


def dirichlet_on_face(face, concentration):
    """torch's Dirichlet of the face's concentrations (None for a one-vertex face)."""
    idx = face.bool()
    return Dirichlet(concentration[idx]) if int(idx.sum()) >= 2 else None


def mixed_dirichlet_entropy(scores, concentration):
    """H = sum_f P(f) (-log P(f) + H(Dir(alpha_f))), the Dirichlet term 0 on vertices."""
    all_faces = faces(scores.shape[-1])
    log_p = gibbs_log_probs(scores, all_faces)
    total = 0.0
    for f, lp in zip(all_faces, log_p):
        d = dirichlet_on_face(f, concentration)
        total = total + lp.exp() * (-lp + (d.entropy() if d is not None else 0.0))
    return total


def mixed_dirichlet_kl(p_scores, p_conc, q_scores, q_conc):
    """KL = sum_f P(f) (log P(f) - log Q(f) + KL(Dir(a_f) || Dir(b_f)))."""
    all_faces = faces(p_scores.shape[-1])
    log_p, log_q = gibbs_log_probs(p_scores, all_faces), gibbs_log_probs(q_scores, all_faces)
    total = 0.0
    for f, lp, lq in zip(all_faces, log_p, log_q):
        dp, dq = dirichlet_on_face(f, p_conc), dirichlet_on_face(f, q_conc)
        within = torch.distributions.kl_divergence(dp, dq) if dp is not None else 0.0
        total = total + lp.exp() * (lp - lq + within)
    return total


def trapezoid(values, grid):
    """The trapezoid rule along the last dim."""
    return torch.trapezoid(values, grid, dim=-1)


def gsp_log_density(loc, scale, y, points=200001, half_width=30.0):
    """log p(y) of the Gaussian-Sparsemax from its integral over the threshold tau (docs/math.md):
    p(y) = s ∫ prod_{i in S} N(y_i + tau; loc_i, scale_i^2) prod_{j in Z} Phi((tau - loc_j)/scale_j) dtau,
    by a trapezoid rule on a fine grid (log-space integrand, scaled by its maximum)."""
    support = y > 0
    s = int(support.sum())
    tau = torch.linspace(-half_width, half_width, points, dtype=torch.float64)
    log_f = torch.zeros_like(tau)
    for i in range(y.shape[-1]):
        normal = Normal(loc[i], scale[i])
        if support[i]:
            log_f = log_f + normal.log_prob(y[i] + tau)
        else:
            log_f = log_f + torch.special.log_ndtr((tau - loc[i]) / scale[i])
    peak = log_f.max()
    return math.log(s) + peak + trapezoid((log_f - peak).exp(), tau).log()


def clipped_gaussian_parts(loc, scale):
    """P(0), P(1) and the density on (0, 1) as a function, from torch's Normal."""
    normal = Normal(torch.as_tensor(loc, dtype=torch.float64), torch.as_tensor(scale, dtype=torch.float64))
    return normal.cdf(torch.tensor(0.0, dtype=torch.float64)), 1 - normal.cdf(
        torch.tensor(1.0, dtype=torch.float64)
    ), lambda y: normal.log_prob(y).exp()


def unit_grid(points=200001):
    return torch.linspace(0.0, 1.0, points, dtype=torch.float64)
