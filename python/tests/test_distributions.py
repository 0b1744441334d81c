"""mixdist.distributions against independent references (distribution_references.py, torch.distributions,
the reference values of docs/math.md), shapes, expand, sampling frequencies and the KL registry.

Tolerances: exact quantities to 1e-9 (closed forms in double) unless stated; the Gaussian-Sparsemax density
to 1e-7 against a 200001-point trapezoid; sampled frequencies within 5 binomial standard errors (fixed seeds,
so the outcomes are deterministic)."""

import math

import pytest
import torch
from torch.distributions import Dirichlet, Normal, RelaxedBernoulli, kl_divergence

import distribution_references as ref
from distribution_instances import one_of_each
from mixdist.distributions import (
    BinaryConcrete,
    ClippedGaussian,
    Estimate,
    GaussianSparsemax,
    GibbsFaces,
    HardConcrete,
    MaskedDirichlet,
    MaxEntropyFaces,
    MixedDirichlet,
    MixedMaxEntDirichletPrior,
    kl_divergence_mc,
)

D = torch.float64


def t(*values):
    return torch.tensor(values, dtype=D)


def assert_close(actual, expected, tol):
    actual = torch.as_tensor(actual, dtype=D)
    expected = torch.as_tensor(expected, dtype=D)
    assert actual.shape == expected.shape or expected.dim() == 0, (actual.shape, expected.shape)
    err = (actual - expected).abs().max().item()
    assert err <= tol, f"max error {err:.3g} > {tol:g}: {actual} vs {expected}"


def assert_frequency(count, n, p, sigmas=5.0):
    se = math.sqrt(max(p * (1 - p), 1e-12) / n)
    assert abs(count / n - p) <= sigmas * se + 1e-12, (count / n, p, se)


# ------------------------------------------------------------------------------------------------------ GSP
GSP_LOC, GSP_SCALE = t(0.6, 0.2, 0.2), t(0.6, 0.3, 0.9)
# docs/math.md, "Reference values used by the tests" (Monte Carlo / quadrature, independent of the code).
GSP_POINTS = [
    ((1, 0, 0), -2.247235),
    ((0, 1, 0), -5.430040),
    ((0, 0, 1), -2.705877),
    ((0.7, 0.3, 0), -0.808175),
    ((0.2, 0, 0.8), -1.583426),
    ((0, 0.45, 0.55), -2.504978),
    ((0.5, 0.3, 0.2), -0.323715),
]


@pytest.mark.parametrize("y,expected", GSP_POINTS)
def test_gaussian_sparsemax_log_prob_matches_trapezoid_and_reference_values(y, expected):
    d = GaussianSparsemax(GSP_LOC, GSP_SCALE)
    y = t(*y)
    lp = d.log_prob(y)
    assert lp.shape == () and lp.dtype == D
    assert_close(lp, ref.gsp_log_density(GSP_LOC, GSP_SCALE, y), 1e-7)
    assert_close(lp, expected, 5e-6)  # the table's 6 decimals


def test_gaussian_sparsemax_hard_case_matches_trapezoid():
    # Scales 100x apart and a zero-set cut-off far from the mode (K = 5).
    loc, scale = t(0.3, -2.0, 1.5, 0.0, 4.0), t(0.05, 3.0, 0.2, 1.0, 0.5)
    y = t(0.25, 0.0, 0.75, 0.0, 0.0)
    d = GaussianSparsemax(loc, scale)
    assert_close(d.log_prob(y), ref.gsp_log_density(loc, scale, y, points=400001), 1e-7)


def test_gaussian_sparsemax_vertex_masses_match_sampling_frequencies():
    d = GaussianSparsemax(GSP_LOC, GSP_SCALE)
    masses = d.vertex_log_probs().exp()
    assert_close(masses, t(0.10569, 0.00438, 0.06681), 5e-5)
    assert_close(d.face_probability(torch.tensor([True, False, False])), masses[0], 1e-12)
    n = 20000
    y = d.sample((n,))
    assert y.shape == (n, 3) and not y.requires_grad
    assert_close(y.sum(-1), torch.ones(n, dtype=D), 1e-12)
    for k in range(3):
        assert_frequency(int((y[:, k] == 1).sum()), n, masses[k].item())


def test_gaussian_sparsemax_k2_is_a_clipped_gaussian_in_the_chart_y1():
    loc, scale = t(0.4, -0.3), t(0.7, 1.1)
    gsp = GaussianSparsemax(loc, scale)
    cg = ClippedGaussian((loc[0] - loc[1] + 1) / 2, (scale.square().sum().sqrt()) / 2)
    for y1 in [0.0, 0.2, 0.9, 1.0]:
        assert_close(gsp.log_prob(t(y1, 1 - y1)), cg.log_prob(torch.tensor(y1, dtype=D)), 1e-12)
    assert_close(gsp.entropy(), cg.entropy(), 1e-12)


def test_gaussian_sparsemax_entropy_mc_agrees_with_exact_k2():
    d = GaussianSparsemax(t(0.4, -0.3), t(0.7, 1.1))
    est = d.entropy_mc(4000)
    assert isinstance(est, Estimate) and est.standard_error > 0
    assert abs(est.value - d.entropy()) <= 5 * est.standard_error


def test_gaussian_sparsemax_shapes_expand_and_rsample_gradient():
    loc = torch.randn(2, 1, 4, dtype=D, requires_grad=True)
    d = GaussianSparsemax(loc, torch.ones(3, 4, dtype=D))
    assert d.batch_shape == (2, 3) and d.event_shape == (4,)
    y = d.rsample((5,))
    assert y.shape == (5, 2, 3, 4)
    lp = d.log_prob(y)
    assert lp.shape == (5, 2, 3) and torch.isfinite(lp).all()
    y.sum().backward()  # sum of a simplex point: its gradient w.r.t. loc is 0
    assert_close(loc.grad, torch.zeros_like(loc), 1e-12)
    e = d.expand((6, 2, 3))
    assert e.batch_shape == (6, 2, 3) and e.loc.shape == (6, 2, 3, 4)
    assert_close(e.log_prob(y[0]), lp[0].expand(6, 2, 3), 1e-12)


# ------------------------------------------------------------------------------------------ ClippedGaussian
@pytest.mark.parametrize(
    "loc,scale,entropy,p0,p1",
    [(0.3, 1.0, 1.077897, 0.382089, 0.241964), (0.3, 0.5, 0.821363, 0.274253, 0.080757),
     (2.0, 1.0, 0.491249, 0.022750, 0.841345)],
)
def test_clipped_gaussian_against_normal_and_reference_values(loc, scale, entropy, p0, p1):
    d = ClippedGaussian(torch.tensor(loc, dtype=D), torch.tensor(scale, dtype=D))
    ref_p0, ref_p1, density = ref.clipped_gaussian_parts(loc, scale)
    assert_close(d.log_prob(torch.tensor(0.0, dtype=D)), ref_p0.log(), 1e-12)
    assert_close(d.log_prob(torch.tensor(1.0, dtype=D)), ref_p1.log(), 1e-12)
    inside = t(0.1, 0.5, 0.99)
    assert_close(d.log_prob(inside), Normal(t(loc), t(scale)).log_prob(inside), 1e-12)
    grid = ref.unit_grid()
    dens = density(grid)
    h = -ref_p0 * ref_p0.log() - ref_p1 * ref_p1.log() - ref.trapezoid(dens * dens.log(), grid)
    assert_close(d.entropy(), h, 1e-9)
    assert_close(d.entropy(), entropy, 1e-6)
    assert_close(d.log_prob_zero().exp(), p0, 1e-6)
    assert_close(d.log_prob_one().exp(), p1, 1e-6)
    assert_close(d.mean, ref_p1 + ref.trapezoid(grid * dens, grid), 1e-9)
    assert_close(d.expected_face_dim(), 1 - ref_p0 - ref_p1, 1e-12)


def test_clipped_gaussian_kl_through_the_registry_matches_quadrature():
    p = ClippedGaussian(t(0.3, 2.0), t(1.0, 0.4))
    q = ClippedGaussian(t(0.6, 0.5), t(0.5, 0.8))
    kl = kl_divergence(p, q)
    assert kl.shape == (2,)
    grid = ref.unit_grid()
    for i in range(2):
        pp0, pp1, pd = ref.clipped_gaussian_parts(p.loc[i], p.scale[i])
        qp0, qp1, qd = ref.clipped_gaussian_parts(q.loc[i], q.scale[i])
        inner = ref.trapezoid(pd(grid) * (pd(grid).log() - qd(grid).log()), grid)
        expected = pp0 * (pp0 / qp0).log() + pp1 * (pp1 / qp1).log() + inner
        assert_close(kl[i], expected, 1e-9)
    assert_close(kl_divergence(p, p), torch.zeros(2, dtype=D), 1e-12)


def test_clipped_gaussian_samples_hit_the_masses():
    d = ClippedGaussian(torch.tensor(0.3, dtype=D), torch.tensor(0.5, dtype=D))
    n = 20000
    y = d.sample((n,))
    assert y.shape == (n,) and y.min() >= 0 and y.max() <= 1
    assert_frequency(int((y == 0).sum()), n, 0.274253)
    assert_frequency(int((y == 1).sum()), n, 0.080757)


# ------------------------------------------------------------------------------------------------ GibbsFaces
W = t(0.3, -1.2, 2.0, -0.5)


def test_gibbs_faces_against_enumeration_and_reference_values():
    d = GibbsFaces(W)
    all_faces = ref.faces(4)
    log_p = ref.gibbs_log_probs(W, all_faces)
    assert_close(d.log_prob(all_faces), log_p, 1e-12)
    assert_close(d.log_prob(all_faces.bool()), log_p, 1e-12)
    assert_close(d.log_normalizer(), 4.851454835324269, 1e-12)
    assert_close(d.entropy(), -(log_p.exp() * log_p).sum(), 1e-12)
    assert_close(d.entropy(), 1.5880583869321931, 1e-12)
    marginals = (log_p.exp()[:, None] * all_faces).sum(0)
    assert_close(d.mean, marginals, 1e-12)
    assert_close(d.marginals(), t(0.648426, 0.083530, 0.986227, 0.270095), 1e-6)
    sizes = all_faces.sum(-1)
    size_pmf = torch.stack([log_p.exp()[sizes == n].sum() for n in range(1, 5)])
    assert_close(d.log_size_pmf().exp(), size_pmf, 1e-12)
    assert torch.equal(d.mode, all_faces[log_p.argmax()])


def test_gibbs_faces_mode_of_all_negative_scores_is_the_best_vertex():
    assert torch.equal(GibbsFaces(t(-3.0, -0.5, -2.0)).mode, t(0.0, 1.0, 0.0))


@pytest.mark.parametrize("scores", [t(0.4, -0.7, 0.1), t(-10.0, -10.0, -9.0)])
def test_gibbs_faces_sampling_frequencies(scores):
    d = GibbsFaces(scores)
    n = 20000
    f = d.sample((n,))
    assert f.shape == (n, 3) and f.dtype == D and (f.sum(-1) >= 1).all()
    all_faces = ref.faces(3)
    probs = ref.gibbs_log_probs(scores, all_faces).exp()
    for face, p in zip(all_faces, probs):
        assert_frequency(int((f == face).all(-1).sum()), n, p.item())


def test_gibbs_faces_kl_through_the_registry_matches_enumeration():
    q_scores = t(-0.2, 0.9, 0.1, 0.3)
    all_faces = ref.faces(4)
    lp, lq = ref.gibbs_log_probs(W, all_faces), ref.gibbs_log_probs(q_scores, all_faces)
    assert_close(kl_divergence(GibbsFaces(W), GibbsFaces(q_scores)), (lp.exp() * (lp - lq)).sum(), 1e-12)


# ------------------------------------------------------------------------------------------- MaxEntropyFaces
@pytest.mark.parametrize("variant", ["derived", "authors"])
@pytest.mark.parametrize("K,N", [(2, 0.0), (4, 1.5), (5, 3.0)])
def test_max_entropy_faces_against_enumeration(variant, K, N):
    d = MaxEntropyFaces(K, N, variant)
    all_faces = ref.faces(K)
    log_p = ref.max_entropy_log_probs(K, N, variant, all_faces)
    assert_close(d.log_prob(all_faces), log_p, 1e-12)
    assert_close(d.entropy(), -(log_p.exp() * log_p).sum(), 1e-12)
    assert_close(d.mean, (log_p.exp()[:, None] * all_faces).sum(0), 1e-12)
    assert d.batch_shape == () and d.event_shape == (K,)


def test_max_entropy_faces_reference_laws():
    assert_close(MaxEntropyFaces(2, 0.0).log_prob(ref.faces(2)).exp(), t(1 / 3, 1 / 3, 1 / 3), 1e-15)
    assert_close(MaxEntropyFaces(4, 0.0, "authors").log_size_pmf().exp(), t(0.375, 0.375, 0.1875, 0.0625),
                 1e-15)


def test_max_entropy_faces_sampling_and_expand():
    d = MaxEntropyFaces(3, 1.0, dtype=torch.float32).expand((2,))
    n = 20000
    f = d.sample((n,))
    assert f.shape == (n, 2, 3) and f.dtype == torch.float32
    probs = ref.max_entropy_log_probs(3, 1.0, "derived", ref.faces(3)).exp()
    for face, p in zip(ref.faces(3, torch.float32), probs):
        assert_frequency(int((f[:, 1] == face).all(-1).sum()), n, p.item())
    assert d.log_prob(f[:3]).shape == (3, 2)


def test_face_law_kls_through_the_registry_match_enumeration():
    all_faces = ref.faces(4)
    lg = ref.gibbs_log_probs(W, all_faces)
    for variant, N in [("authors", 0.0), ("derived", 2.0)]:
        lm = ref.max_entropy_log_probs(4, N, variant, all_faces)
        g, m = GibbsFaces(W), MaxEntropyFaces(4, N, variant)
        assert_close(kl_divergence(g, m), (lg.exp() * (lg - lm)).sum(), 1e-12)
        assert_close(kl_divergence(m, g), (lm.exp() * (lm - lg)).sum(), 1e-12)
        other = ref.max_entropy_log_probs(4, 0.5, "derived", all_faces)
        assert_close(kl_divergence(m, MaxEntropyFaces(4, 0.5)), (lm.exp() * (lm - other)).sum(), 1e-12)
    assert_close(kl_divergence(GibbsFaces(W), MaxEntropyFaces(4, 0.0, "authors")), 1.144222142800249, 1e-12)


# ------------------------------------------------------------------------------------------- MaskedDirichlet
def test_masked_dirichlet_against_torch_dirichlet():
    face = torch.tensor([True, False, True, True])
    conc = t(0.5, 7.0, 2.0, 3.0)
    d = MaskedDirichlet(face, conc)
    sub = Dirichlet(t(0.5, 2.0, 3.0))
    y = t(0.2, 0.0, 0.3, 0.5)
    assert_close(d.log_prob(y), sub.log_prob(t(0.2, 0.3, 0.5)), 1e-12)
    assert_close(d.entropy(), sub.entropy(), 1e-12)
    assert_close(d.entropy(), -1.914677, 1e-6)  # H(Dir(.5, 2, 3)), docs/math.md
    assert_close(d.mean, t(0.5, 0.0, 2.0, 3.0) / 5.5, 1e-15)
    q = MaskedDirichlet(face, t(1.0, 0.1, 1.0, 1.0))
    assert_close(kl_divergence(d, q), 1.221530, 1e-6)
    assert_close(kl_divergence(d, q), kl_divergence(sub, Dirichlet(t(1.0, 1.0, 1.0))), 1e-12)
    other_face = MaskedDirichlet(torch.tensor([True, True, False, False]), conc)
    assert kl_divergence(d, other_face).item() == math.inf


def test_masked_dirichlet_samples_vanish_off_the_face_and_have_its_mean():
    face = torch.tensor([[1, 0, 1], [0, 1, 0]])
    conc = torch.tensor([1e-3, 2.0, 0.5], dtype=D, requires_grad=True)
    d = MaskedDirichlet(face, conc)
    assert d.batch_shape == (2,) and d.event_shape == (3,)
    y = d.rsample((4000,))
    assert y.shape == (4000, 2, 3)
    assert (y[..., 1][:, 0] == 0).all() and (y[:, 0, [0, 2]] > 0).all()  # no underflow to 0 at 1e-3
    assert (y[:, 1] == t(0.0, 1.0, 0.0)).all()
    assert_close(d.log_prob(y)[:, 1], torch.zeros(4000, dtype=D), 0.0)  # a vertex: log 1
    mean = y[:, 0, 2].mean()
    assert abs(mean - 0.5 / 0.501) <= 5 * y[:, 0, 2].std() / math.sqrt(4000)
    y[:, 0, 2].mean().backward()
    assert conc.grad is not None and conc.grad[1] == 0


# -------------------------------------------------------------------------------------------- MixedDirichlet
S, A = t(0.2, -0.4, 0.9), t(0.7, 1.5, 2.5)
S2, A2 = t(-0.3, 0.5, 0.1), t(1.0, 0.6, 3.0)


def test_mixed_dirichlet_log_prob_is_face_plus_dirichlet():
    d = MixedDirichlet(scores=S, concentration=A)
    all_faces = ref.faces(3)
    log_faces = ref.gibbs_log_probs(S, all_faces)
    for y, face_index, dirichlet in [
        (t(0.0, 1.0, 0.0), 1, None),  # faces(3): (0,0,1), (0,1,0), (0,1,1), (1,0,0), ...
        (t(0.0, 0.4, 0.6), 2, Dirichlet(t(1.5, 2.5)).log_prob(t(0.4, 0.6))),
        (t(0.2, 0.3, 0.5), 6, Dirichlet(A).log_prob(t(0.2, 0.3, 0.5))),
    ]:
        assert torch.equal(all_faces[face_index], (y > 0).to(D))
        expected = log_faces[face_index] + (0.0 if dirichlet is None else dirichlet)
        assert_close(d.log_prob(y), expected, 1e-12)
        assert_close(d.log_prob(y, face=y > 0), expected, 1e-12)


def test_mixed_dirichlet_entropy_and_kl_match_enumeration():
    p = MixedDirichlet(scores=S, concentration=A)
    q = MixedDirichlet(scores=S2, concentration=A2)
    assert_close(p.entropy(), ref.mixed_dirichlet_entropy(S, A), 1e-12)
    assert_close(kl_divergence(p, q), ref.mixed_dirichlet_kl(S, A, S2, A2), 1e-12)
    assert_close(p.expected_face_dim(), GibbsFaces(S).mean.sum() - 1, 1e-12)


def test_mixed_dirichlet_monte_carlo_forms_agree_with_exact():
    p = MixedDirichlet(scores=S, concentration=A)
    q = MixedDirichlet(scores=S2, concentration=A2)
    h = p.entropy_mc(4000)
    assert abs(h.value - p.entropy()) <= 5 * h.standard_error + 1e-12
    kl = kl_divergence_mc(p, q, 4000)
    assert abs(kl.value - kl_divergence(p, q)) <= 5 * kl.standard_error + 1e-12


def test_mixed_dirichlet_faced_samples():
    d = MixedDirichlet(scores=S.expand(2, 3), concentration=A)
    s = d.rsample_with_face((3000,))
    assert s.value.shape == (3000, 2, 3) and s.face.dtype == torch.bool
    assert (s.value[~s.face] == 0).all() and (s.value[s.face] > 0).all()
    log_faces = ref.gibbs_log_probs(S, ref.faces(3))
    for face, lp in zip(ref.faces(3).bool(), log_faces):
        assert_frequency(int((s.face[:, 0] == face).all(-1).sum()), 3000, lp.exp().item())
    assert d.log_prob(s.value, s.face).shape == (3000, 2)
    assert isinstance(d.face_law, GibbsFaces) and isinstance(d.within_face(s.face[0]), MaskedDirichlet)


def test_mixed_dirichlet_parameters_are_keyword_only():
    with pytest.raises(TypeError):
        MixedDirichlet(S, A)


# --------------------------------------------------------------------------------- MixedMaxEntDirichletPrior
@pytest.mark.parametrize("variant,N", [("derived", 1.0), ("authors", 0.0)])
def test_mixed_max_ent_prior_and_its_kl_match_enumeration(variant, N):
    prior = MixedMaxEntDirichletPrior(3, N, variant)
    all_faces = ref.faces(3)
    log_faces = ref.max_entropy_log_probs(3, N, variant, all_faces)
    log_volume = torch.lgamma(all_faces.sum(-1))  # the uniform Dirichlet's density (n - 1)! on an n-face
    points = all_faces / all_faces.sum(-1, keepdim=True)  # the centre of each face
    assert_close(prior.log_prob(points), log_faces + log_volume, 1e-12)
    assert_close(prior.entropy(), -(log_faces.exp() * (log_faces + log_volume)).sum(), 1e-12)
    assert_close(prior.expected_face_dim(), (log_faces.exp() * (all_faces.sum(-1) - 1)).sum(), 1e-12)
    # KL(MD || prior) = sum_f P(f) (log P(f) - log Q(f) - H(Dir(alpha_f)) - log (n - 1)!).
    p = MixedDirichlet(scores=S, concentration=A)
    log_p = ref.gibbs_log_probs(S, all_faces)
    expected = 0.0
    for f, lp, lq, lv in zip(all_faces, log_p, log_faces, log_volume):
        d = ref.dirichlet_on_face(f, A)
        expected = expected + lp.exp() * (lp - lq - (d.entropy() if d is not None else 0.0) - lv)
    assert_close(kl_divergence(p, prior), expected, 1e-12)
    est = kl_divergence_mc(p, prior, 4000)
    assert abs(est.value - expected) <= 5 * est.standard_error + 1e-12


def test_mixed_max_ent_prior_samples():
    prior = MixedMaxEntDirichletPrior(3, 1.0)
    n = 20000
    y = prior.sample((n,))
    assert y.shape == (n, 3) and ((y.sum(-1) - 1).abs() < 1e-12).all()
    probs = ref.max_entropy_log_probs(3, 1.0, "derived", ref.faces(3)).exp()
    for face, p in zip(ref.faces(3).bool(), probs):
        assert_frequency(int(((y > 0) == face).all(-1).sum()), n, p.item())


# ----------------------------------------------------------------------------------- Binary and Hard Concrete
def test_binary_concrete_against_relaxed_bernoulli():
    logits = t(-1.0, 0.0, 2.5)
    d = BinaryConcrete(logits, 0.5)
    x = t(0.1, 0.5, 0.97)
    torch_law = RelaxedBernoulli(torch.tensor(0.5, dtype=D), logits=logits)
    assert_close(d.log_prob(x), torch_law.log_prob(x), 1e-10)
    assert_close(d.cdf(x), torch.sigmoid(0.5 * torch.logit(x) - logits), 1e-12)
    n = 20000
    samples = d.sample((n,))
    assert samples.shape == (n, 3) and ((samples > 0) & (samples < 1)).all()
    below = (samples <= x).sum(0)
    for i in range(3):
        assert_frequency(int(below[i]), n, d.cdf(x)[i].item())


def test_hard_concrete_masses_and_density():
    for a, tau, p0, p1 in [(0.0, 1.0, 1 / 12, 1 / 12), (1.0, 0.5, 0.099845, 0.450426)]:
        d = HardConcrete(torch.tensor(a, dtype=D), tau)
        assert_close(d.prob_zero(), p0, 1e-6)
        assert_close(d.prob_one(), p1, 1e-6)
        assert_close(d.log_prob(t(0.0, 1.0)), t(p0, p1).log(), 2e-5)
        base = RelaxedBernoulli(torch.tensor(tau, dtype=D), logits=torch.tensor(a, dtype=D))
        y = t(0.05, 0.5, 0.93)
        assert_close(d.log_prob(y), base.log_prob((y + 0.1) / 1.2) - math.log(1.2), 1e-10)
        grid = ref.unit_grid(400001)  # the stretched density is smooth on all of [0, 1]
        inside = ref.trapezoid(base.log_prob((grid + 0.1) / 1.2).exp() / 1.2, grid)
        assert_close(d.prob_zero() + d.prob_one() + inside, 1.0, 1e-6)
        assert_close(d.expected_l0(), 1 - d.prob_zero(), 0.0)


def test_hard_concrete_samples_hit_the_masses_and_entropy_mc():
    d = HardConcrete(torch.tensor([1.0], dtype=D), 0.5)
    n = 20000
    y = d.rsample((n,))
    assert y.shape == (n, 1)
    assert_frequency(int((y == 0).sum()), n, d.prob_zero().item())
    assert_frequency(int((y == 1).sum()), n, d.prob_one().item())
    est = d.entropy_mc(100)
    assert est.value.shape == (1,) and torch.isfinite(est.value).all() and (est.standard_error > 0).all()


# --------------------------------------------------------------------------------------------------- common


@pytest.mark.parametrize("d", one_of_each(), ids=lambda d: type(d).__name__)
def test_shapes_expand_and_support(d):
    assert d.batch_shape == (2,)
    x = d.sample((4,))
    assert x.shape == (4, 2) + d.event_shape and not x.requires_grad
    assert d.support.check(x).all()
    assert d.log_prob(x).shape == (4, 2)
    e = d.expand((3, 2))
    assert e.batch_shape == (3, 2) and e.event_shape == d.event_shape
    assert type(e) is type(d) and e._validate_args == d._validate_args
    assert_close(e.log_prob(x[:, None]), d.log_prob(x)[:, None].expand(4, 3, 2), 0.0)
    if d.has_rsample:
        assert d.rsample((4,)).shape == x.shape
    else:
        with pytest.raises(NotImplementedError):
            d.rsample()
    assert "(" in repr(d)


def test_code_lengths_are_entropy_in_bits_plus_n_bits_per_free_coordinate():
    # H+/ln 2 + N E[dim F], with E[dim F] from the references: P(0 < Y < 1) in one dimension, the face
    # sizes on the simplex.
    n_bits = 6.0
    cg = ClippedGaussian(t(0.3, 2.0), t(0.5, 1.0))
    p0, p1, _ = ref.clipped_gaussian_parts(cg.loc, cg.scale)
    assert_close(cg.entropy_bits(n_bits), cg.entropy() / math.log(2) + n_bits * (1 - p0 - p1), 1e-12)
    gsp = GaussianSparsemax(t(0.4, -0.3), t(0.7, 1.1))
    edge = 1 - gsp.vertex_log_probs().exp().sum()
    assert_close(gsp.entropy_bits(n_bits), gsp.entropy() / math.log(2) + n_bits * edge, 1e-12)
    est = GaussianSparsemax(GSP_LOC, GSP_SCALE).entropy_bits_mc(n_bits, 2000)
    # E[dim F] of the table of docs/math.md: edges 0.56048, interior 0.26264 (2 free coordinates).
    h = GaussianSparsemax(GSP_LOC, GSP_SCALE).entropy_mc(2000).value  # another sample: within both errors
    expected_dim = 0.28173 + 0.20887 + 0.06988 + 2 * 0.26264
    assert abs(est.value - (h / math.log(2) + n_bits * expected_dim)) <= 8 * est.standard_error
    md = MixedDirichlet(scores=S, concentration=A)
    all_faces = ref.faces(3)
    dims = (ref.gibbs_log_probs(S, all_faces).exp() * (all_faces.sum(-1) - 1)).sum()
    expected = ref.mixed_dirichlet_entropy(S, A) / math.log(2) + n_bits * dims
    assert_close(md.entropy_bits(n_bits), expected, 1e-12)
    est = md.entropy_bits_mc(n_bits, 2000)
    assert abs(est.value - md.entropy_bits(n_bits)) <= 5 * est.standard_error
    prior = MixedMaxEntDirichletPrior(3, 1.0)
    dims = (ref.max_entropy_log_probs(3, 1.0, "derived", all_faces).exp() * (all_faces.sum(-1) - 1)).sum()
    assert_close(prior.entropy_bits(n_bits), prior.entropy() / math.log(2) + n_bits * dims, 1e-12)
    hc = HardConcrete(t(1.0), 0.5)
    est = hc.entropy_bits_mc(n_bits, 2000)
    h = hc.entropy_mc(2000).value
    assert abs(est.value - (h / math.log(2) + n_bits * hc.expected_face_dim())) <= 8 * est.standard_error


def test_generic_kl_divergence_mc_of_two_vertex_gaussian_sparsemax_matches_the_clipped_gaussian_kl():
    # K = 2: GaussianSparsemax(mu, sigma) is ClippedGaussian((mu_1 - mu_2 + 1)/2, |sigma|/2) in the chart y_1,
    # and KL is invariant under that chart, so the sampled KL must agree with the closed form.
    p = GaussianSparsemax(t(0.4, -0.3), t(0.7, 1.1))
    q = GaussianSparsemax(t(-0.2, 0.1), t(0.5, 0.6))

    def chart(d):
        return ClippedGaussian((d.loc[0] - d.loc[1] + 1) / 2, d.scale.square().sum().sqrt() / 2)

    exact = kl_divergence(chart(p), chart(q))
    est = kl_divergence_mc(p, q, 20000)
    assert est.standard_error > 0
    assert abs(est.value - exact) <= 5 * est.standard_error
    same = kl_divergence_mc(p, p, 10)
    assert same.value == 0 and same.standard_error == 0
