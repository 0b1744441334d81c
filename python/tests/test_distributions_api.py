"""mixdist.distributions beyond the basics: sampling from a given torch.Generator, enumerate_support of the
face laws, Gaussian-Sparsemax face probabilities and quadrature options, the Gibbs-face cross-entropy and
bit_gaussian_sparsemax, each against an independent reference (brute-force enumeration of the faces, a
pure-PyTorch sparsemax of Gaussian draws, torch.distributions.Normal) and gradcheck in double.

Tolerances: exact quantities to 1e-12 (closed forms in double) unless stated; Monte Carlo agreement within
5 standard errors at fixed seeds (deterministic outcomes)."""

import math

import pytest
import torch
from torch.autograd import gradcheck
from torch.distributions import Normal, kl_divergence

import distribution_references as ref
from distribution_instances import one_of_each
import references
from mixdist.distributions import (
    ClippedGaussian,
    Estimate,
    GaussianSparsemax,
    GibbsFaces,
    MaxEntropyFaces,
    MixedDirichlet,
    bit_gaussian_sparsemax,
    cross_entropy,
    kl_divergence_mc,
)

ops = torch.ops.mixdist
D = torch.float64


def t(*values):
    return torch.tensor(values, dtype=D)


def p(*values):
    return torch.tensor(values, dtype=D, requires_grad=True)


def generator(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def assert_close(actual, expected, tol):
    actual, expected = torch.as_tensor(actual, dtype=D), torch.as_tensor(expected, dtype=D)
    err = (actual - expected).abs().max().item()
    assert err <= tol, f"max error {err:.3g} > {tol:g}: {actual} vs {expected}"


# ------------------------------------------------------------------------------- GaussianSparsemax faces
GSP_LOC, GSP_SCALE = t(0.6, 0.2, 0.2), t(0.6, 0.3, 0.9)
# docs/math.md, "Reference values used by the tests": edge {1,2}, edge {1,3}, edge {2,3}, interior.
GSP_HIGHER_FACES = [((1, 1, 0), 0.28173), ((1, 0, 1), 0.20887), ((0, 1, 1), 0.06988), ((1, 1, 1), 0.26264)]


def test_face_probability_mc_matches_a_pure_torch_sparsemax_of_gaussian_draws():
    d = GaussianSparsemax(GSP_LOC, GSP_SCALE)
    n = 20000
    # Independent reference: sparsemax (sort-based, references.py) of loc + scale * eps.
    z = GSP_LOC + GSP_SCALE * torch.randn(n, 3, dtype=D, generator=generator(11))
    ref_faces = references.sparsemax_ref(z) > 0
    for face, table in GSP_HIGHER_FACES:
        mask = torch.tensor(face, dtype=torch.bool)
        est = d.face_probability_mc(mask, n, generator(12))
        assert isinstance(est, Estimate) and est.standard_error > 0
        freq = (ref_faces == mask).all(-1).double().mean()
        se_ref = (freq * (1 - freq) / n).sqrt()
        assert abs(est.value - freq) <= 5 * math.hypot(est.standard_error, se_ref)
        assert abs(est.value - table) <= 5 * est.standard_error + 5e-6
        with pytest.raises(RuntimeError, match="face_probability_mc"):
            d.face_probability(mask)
    # Vertices: exact, equal to face_probability, standard error 0, a batch of faces at once.
    vertices = torch.eye(3, dtype=torch.bool)
    est = d.face_probability_mc(vertices, 2)
    assert_close(est.value, d.face_probability(vertices), 0.0)
    assert_close(est.value, d.vertex_log_probs().exp(), 1e-15)
    assert torch.equal(est.standard_error, torch.zeros(3, dtype=D))
    first = d.face_probability_mc(torch.ones(3), 100, generator(3))
    assert torch.equal(first.value, d.face_probability_mc(torch.ones(3), 100, generator(3)).value)
    with pytest.raises(RuntimeError, match="num_samples must be >= 2, got 1"):
        d.face_probability_mc(vertices, 1)


def test_face_probability_k2_edge_is_exact_and_differentiable():
    d = GaussianSparsemax(t(0.4, -0.3), t(0.7, 1.1))
    # In the chart y_1 the law is ClippedGaussian((mu_1 - mu_2 + 1)/2, |sigma|/2): the edge is 0 < y_1 < 1.
    m, s = (0.4 + 0.3 + 1) / 2, math.sqrt(0.7**2 + 1.1**2) / 2
    normal = Normal(t(m), t(s))
    edge = normal.cdf(t(1.0)) - normal.cdf(t(0.0))
    est = d.face_probability_mc(torch.tensor([True, True]), 2)
    assert_close(est.value, edge, 1e-12)
    assert est.standard_error == 0
    assert_close(d.face_probability(torch.tensor([1.0, 1.0])), edge, 1e-12)
    face = torch.tensor([[True, True], [True, False]])
    assert gradcheck(lambda a, b: ops.gaussian_sparsemax_face_probability_mc(a, b, face, 2)[0],
                     (p(0.4, -0.3), p(0.7, 1.1)))
    vertices = torch.tensor([[True, False, False], [False, False, True]])
    assert gradcheck(
        lambda a, b: ops.gaussian_sparsemax_face_probability_mc(a, b, vertices, 2, None, False, 1e-9, 128)[0],
        (p(*GSP_LOC), p(*GSP_SCALE)),
    )


def test_gaussian_sparsemax_quadrature_options():
    loc, scale = t(0.4, -0.3), t(0.7, 1.1)
    closed = GaussianSparsemax(loc, scale)
    general = GaussianSparsemax(loc, scale, closed_form_k2=False)
    assert general.closed_form_k2 is False and closed.closed_form_k2 is True
    values = torch.tensor([[0.3, 0.7], [1.0, 0.0], [0.0, 1.0], [0.95, 0.05]], dtype=D)
    # The general quadrature path against the closed form (exact): within its 1e-9 target.
    assert_close(general.log_prob(values), closed.log_prob(values), 1e-8)
    assert_close(general.vertex_log_probs(), closed.vertex_log_probs(), 1e-8)
    # A plain Gauss-Hermite rule (centre_on_mode=False) converges too on this easy case, to a different
    # rounding than the centred one; both close to the adaptive rule.
    y = t(0.5, 0.3, 0.2)
    adaptive = GaussianSparsemax(GSP_LOC, GSP_SCALE).log_prob(y)
    for centre in [True, False]:
        fixed = GaussianSparsemax(GSP_LOC, GSP_SCALE, adaptive_quadrature=False, quadrature_nodes=256,
                                  centre_on_mode=centre)
        assert fixed.centre_on_mode is centre
        assert_close(fixed.log_prob(y), adaptive, 1e-6)
        e = fixed.expand((2,))
        assert e._options() == fixed._options()
        assert_close(e.log_prob(y), fixed.log_prob(y).expand(2), 0.0)


# -------------------------------------------------------------------------------- GibbsFaces cross-entropy
def test_gibbs_faces_cross_entropy_matches_enumeration():
    w_p, w_q = t(0.3, -1.2, 2.0, -0.5), t(-0.2, 0.9, 0.1, 0.3)
    all_faces = ref.faces(4)
    lp, lq = ref.gibbs_log_probs(w_p, all_faces), ref.gibbs_log_probs(w_q, all_faces)
    expected = -(lp.exp() * lq).sum()
    P, Q = GibbsFaces(w_p), GibbsFaces(w_q)
    assert_close(cross_entropy(P, Q), expected, 1e-12)
    assert_close(P.cross_entropy(Q), expected, 1e-12)
    assert_close(P.cross_entropy(P), P.entropy(), 1e-12)
    assert_close(P.cross_entropy(Q), P.entropy() + kl_divergence(P, Q), 1e-12)
    # Batches broadcast.
    batch = GibbsFaces(torch.stack([w_p, w_q]))
    assert_close(batch.cross_entropy(Q), torch.stack([expected, Q.entropy()]), 1e-12)
    with pytest.raises(TypeError, match="must both be GibbsFaces, got GibbsFaces and MaxEntropyFaces"):
        cross_entropy(P, MaxEntropyFaces(4))
    with pytest.raises(RuntimeError, match="4 vs 3"):
        cross_entropy(P, GibbsFaces(torch.zeros(3, dtype=D)))


def test_gradcheck_gibbs_faces_cross_entropy():
    assert gradcheck(ops.gibbs_faces_cross_entropy, (p(0.3, -1.2, 2.0, -0.5), p(-0.2, 0.9, 0.1, 0.3)))


# --------------------------------------------------------------------------------- bit_gaussian_sparsemax
def test_bit_gaussian_sparsemax_is_the_law_of_the_two_entry_sparsemax_bit():
    logits = t(-0.4, 0.3, 1.2)
    std = 0.8
    d = bit_gaussian_sparsemax(logits, std)
    assert isinstance(d, ClippedGaussian) and d.batch_shape == (3,)
    assert_close(d.loc, logits, 0.0)
    assert_close(d.scale, torch.full((3,), std / math.sqrt(2), dtype=D), 1e-15)
    # Independent reference: sparsemax([l, 1 - l] + std * n)_1 in pure PyTorch, and its exact masses
    # P(y = 0) = P(l + std (n_1 - n_2)/2 <= 0) from torch's Normal.
    n = 20000
    z = torch.stack([logits, 1 - logits], -1) + std * torch.randn(n, 3, 2, dtype=D, generator=generator(9))
    y = references.sparsemax_ref(z)[..., 0]
    s = std / math.sqrt(2)
    p0 = Normal(t(0.0), t(s)).cdf(-logits)
    p1 = Normal(t(0.0), t(s)).cdf(logits - 1)
    assert_close(d.log_prob_zero().exp(), p0, 1e-12)
    assert_close(d.log_prob_one().exp(), p1, 1e-12)
    for mass, freq in [(p0, (y == 0).double().mean(0)), (p1, (y == 1).double().mean(0))]:
        assert ((freq - mass).abs() <= 5 * (mass * (1 - mass) / n).sqrt()).all()
    mine = d.sample((n,), generator=generator(9))
    assert abs(mine.mean(0) - y.mean(0)).max() <= 5 * math.sqrt(2 * 0.25 / n)


def test_bit_gaussian_sparsemax_checks_std_and_gradcheck():
    for bad in [0.0, -1.0, math.inf]:
        with pytest.raises(RuntimeError, match="bit_gaussian_sparsemax: std must be positive and finite"):
            bit_gaussian_sparsemax(t(0.0), bad)
    with pytest.raises(RuntimeError, match="loc"):
        bit_gaussian_sparsemax(t(math.nan), 1.0, validate_args=True)
    assert gradcheck(lambda a: ops.bit_gaussian_sparsemax(a, 0.7)[0], (p(-0.4, 0.3),))
    logits = p(-0.4, 0.3)
    d = bit_gaussian_sparsemax(logits, 0.7)
    assert gradcheck(lambda a: bit_gaussian_sparsemax(a, 0.7).entropy(), (logits,))
    assert d.loc.requires_grad


# ------------------------------------------------------------------------------------------------ generator


@pytest.mark.parametrize("d", one_of_each(), ids=lambda d: type(d).__name__)
def test_sample_and_rsample_follow_the_generator(d):
    state = torch.get_rng_state()
    first = d.sample((50,), generator=generator(1))
    again = d.sample((50,), generator=generator(1))
    other = d.sample((50,), generator=generator(2))
    assert torch.equal(torch.get_rng_state(), state)  # the default generator is left alone
    assert first.shape == (50, 2) + d.event_shape and not first.requires_grad
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert torch.equal(d.sample((50,), generator=generator(1)), first)
    if d.has_rsample:
        assert torch.equal(d.rsample((50,), generator=generator(1)), first)
    # torch's signatures otherwise: the sample shape stays positional, the generator keyword-only.
    with pytest.raises(TypeError):
        d.sample((50,), generator(1))


def test_mixed_dirichlet_faced_draws_and_monte_carlo_kl_follow_the_generator():
    d = MixedDirichlet(scores=t(0.3, -1.0, 0.5), concentration=t(0.5, 1.0, 2.0))
    a = d.rsample_with_face((20,), generator=generator(4))
    b = d.sample_with_face((20,), generator=generator(4))
    assert torch.equal(a.value, b.value) and torch.equal(a.face, b.face)
    gsp_p = GaussianSparsemax(t(0.4, -0.3, 0.1), t(0.7, 1.1, 0.5))
    gsp_q = GaussianSparsemax(t(0.0, 0.2, 0.1), t(0.6, 0.9, 0.8))
    first = kl_divergence_mc(gsp_p, gsp_q, 20, generator=generator(5))
    again = kl_divergence_mc(gsp_p, gsp_q, 20, generator=generator(5))
    assert torch.equal(first.value, again.value)
    with pytest.raises(TypeError, match="generator is supported only when p is a mixdist distribution"):
        kl_divergence_mc(Normal(t(0.0), t(1.0)), Normal(t(0.1), t(1.0)), 20, generator=generator(5))


# --------------------------------------------------------------------------------------- enumerate_support
def check_enumeration(d, K, log_p_ref, dtype):
    assert d.has_enumerate_support
    support = d.enumerate_support()
    n = 2**K - 1
    assert support.shape == (n,) + d.batch_shape + (K,) and support.dtype == dtype
    compact = d.enumerate_support(expand=False)
    assert compact.shape == (n,) + (1,) * len(d.batch_shape) + (K,)
    assert torch.equal(compact.expand_as(support), support)
    rows = compact.reshape(n, K)
    # Face number i = 1 .. 2^K - 1 (row i - 1) holds vertex k iff bit k of i is set.
    codes = (rows.long() * (2 ** torch.arange(K))).sum(-1)
    assert torch.equal(codes, torch.arange(1, n + 1))
    # The same set as the brute-force list; log-probabilities from it, summing to 1 over the support.
    all_faces = ref.faces(K, dtype)
    order = (all_faces.long() * (2 ** torch.arange(K))).sum(-1).argsort()
    assert torch.equal(rows, all_faces[order])
    log_p = d.log_prob(support)
    assert log_p.shape == (n,) + d.batch_shape
    expected = log_p_ref(all_faces[order]).reshape((n,) + (1,) * len(d.batch_shape)).expand_as(log_p)
    assert_close(log_p, expected, 1e-12 if dtype == D else 1e-5)
    assert_close(log_p.exp().sum(0), torch.ones(d.batch_shape), 1e-12 if dtype == D else 1e-5)


@pytest.mark.parametrize("K", [1, 3, 5])
def test_gibbs_faces_enumerate_support_matches_brute_force(K):
    scores = torch.linspace(-1.0, 1.5, K, dtype=D)
    d = GibbsFaces(scores.expand(2, K))
    check_enumeration(d, K, lambda faces: ref.gibbs_log_probs(scores, faces.to(D)), D)
    support = d.enumerate_support()
    # torch semantics: expectations over the support weighted by exp(log_prob).
    mean = (d.log_prob(support).exp()[..., None] * support).sum(0)
    assert_close(mean, d.mean, 1e-12)
    f32 = GibbsFaces(scores.float())
    check_enumeration(f32, K, lambda faces: ref.gibbs_log_probs(scores, faces.to(D)), torch.float32)


@pytest.mark.parametrize("variant", ["derived", "authors"])
def test_max_entropy_faces_enumerate_support_matches_brute_force(variant):
    d = MaxEntropyFaces(4, 1.5, variant).expand((3,))
    check_enumeration(d, 4, lambda faces: ref.max_entropy_log_probs(4, 1.5, variant, faces.to(D)), D)
    single = MaxEntropyFaces(3, 0.0, variant, dtype=torch.float32)
    check_enumeration(single, 3, lambda faces: ref.max_entropy_log_probs(3, 0.0, variant, faces.to(D)),
                      torch.float32)


def test_enumerate_support_limit_names_k():
    assert GibbsFaces(torch.zeros(16, dtype=D)).enumerate_support().shape == (2**16 - 1, 16)
    for d in [GibbsFaces(torch.zeros(17, dtype=D)), MaxEntropyFaces(17, 1.0)]:
        with pytest.raises(ValueError, match=r"enumerate_support: K = 17 .*K <= 16"):
            d.enumerate_support()
    others = [d for d in one_of_each() if not isinstance(d, (GibbsFaces, MaxEntropyFaces))]
    assert not any(d.has_enumerate_support for d in others)
