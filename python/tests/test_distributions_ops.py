"""torch.ops.mixdist.* of the distributions: gradients (gradcheck in double through the C++ autograd),
log_ndtr, TorchScript, and the C++ errors as Python exceptions."""

import math

import pytest
import torch
from torch.autograd import gradcheck, gradgradcheck

import mixdist
from mixdist.distributions import (
    ClippedGaussian,
    GaussianSparsemax,
    GibbsFaces,
    HardConcrete,
    MaskedDirichlet,
    MaxEntropyFaces,
    MixedDirichlet,
)

ops = torch.ops.mixdist
D = torch.float64


def p(*values):
    return torch.tensor(values, dtype=D, requires_grad=True)


def seeded(fn, seed=7):
    """fn with the default generator reseeded at every call, so that gradcheck sees one function."""

    def call(*args):
        torch.manual_seed(seed)
        return fn(*args)

    return call


# ------------------------------------------------------------------------------------------------- log_ndtr
def test_log_ndtr_agrees_with_torch_special_and_the_left_tail_asymptotics():
    x = torch.linspace(-30, 8, 381, dtype=D)
    assert torch.allclose(mixdist.special.log_ndtr(x), torch.special.log_ndtr(x), rtol=1e-13, atol=1e-15)
    x = torch.tensor([-40.0, -1e3, -1e6], dtype=D, requires_grad=True)
    y = mixdist.special.log_ndtr(x)
    (g,) = torch.autograd.grad(y.sum(), x)
    # log Phi(x) = -x^2/2 - log(-x) - log(2 pi)/2 + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + ...), x -> -inf.
    xd = x.detach()
    series = 1 - xd**-2 + 3 * xd**-4 - 15 * xd**-6 + 105 * xd**-8
    expected = -xd**2 / 2 - (-xd).log() - 0.5 * math.log(2 * math.pi) + series.log()
    assert torch.allclose(y.detach(), expected, rtol=1e-14)
    # d/dx log Phi = phi/Phi = -x / (1 - 1/x^2 + 3/x^4 - ...), the same series.
    assert torch.allclose(g, -xd / series, rtol=1e-13)
    assert torch.isfinite(g).all()
    assert mixdist.special.log_ndtr(torch.tensor([40.0], dtype=torch.float32)).dtype == torch.float32


def test_log_ndtr_gradcheck_and_gradgradcheck():
    x = p(-35.0, -3.0, -0.5, 0.0, 1.5, 9.0)
    assert gradcheck(ops.log_ndtr, (x,))
    assert gradgradcheck(ops.log_ndtr, (x,))


# --------------------------------------------------------------------------------------------- gradchecks
LOC, SCALE = (0.6, 0.2, 0.2), (0.6, 0.3, 0.9)


@pytest.mark.parametrize("y", [(0.5, 0.3, 0.2), (0.7, 0.3, 0.0), (0.0, 0.0, 1.0)])
def test_gradcheck_gaussian_sparsemax_log_prob_fixed_rule(y):
    # The fixed Gauss-Hermite rule is a smooth function of loc and scale (the adaptive rule moves its panels).
    value = torch.tensor(y, dtype=D)

    def f(loc, scale):
        return ops.gaussian_sparsemax_log_prob(
            loc, scale, value, adaptive_quadrature=False, quadrature_nodes=128
        )

    assert gradcheck(f, (p(*LOC), p(*SCALE)))


def test_gaussian_sparsemax_adaptive_gradient_matches_central_differences():
    value = torch.tensor([0.7, 0.3, 0.0], dtype=D)
    loc, scale = p(*LOC), p(*SCALE)

    def f(loc, scale):
        return ops.gaussian_sparsemax_log_prob(loc, scale, value, quadrature_tolerance=1e-12)

    g_loc, g_scale = torch.autograd.grad(f(loc, scale), (loc, scale))
    h = 1e-4
    for i in range(3):
        e = torch.zeros(3, dtype=D)
        e[i] = h
        with torch.no_grad():
            fd_loc = (f(loc + e, scale) - f(loc - e, scale)) / (2 * h)
            fd_scale = (f(loc, scale + e) - f(loc, scale - e)) / (2 * h)
        assert abs(g_loc[i] - fd_loc) < 1e-6 and abs(g_scale[i] - fd_scale) < 1e-6


def test_gradcheck_gaussian_sparsemax_vertex_log_probs_entropy_and_rsample():
    assert gradcheck(
        lambda loc, scale: ops.gaussian_sparsemax_vertex_log_probs(loc, scale, adaptive_quadrature=False),
        (p(*LOC), p(*SCALE)),
    )
    assert gradcheck(ops.gaussian_sparsemax_entropy, (p(0.4, -0.3), p(0.7, 1.1)))
    # Pathwise draws, away from a change of face at these seeds (sparsemax is piecewise linear).
    assert gradcheck(seeded(lambda loc, scale: ops.gaussian_sparsemax_rsample(loc, scale, [3])),
                     (p(*LOC), p(*SCALE)))


def generator(seed=3):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def test_gradcheck_monte_carlo_estimates_at_a_fixed_generator():
    # With the generator reseeded the estimates are smooth functions of the parameters (pathwise draws away
    # from a change of face; the Mixed Dirichlet forms sample faces only, the within-face terms being exact).
    loc, scale = p(*LOC), p(*SCALE)
    assert gradcheck(
        lambda m, s: ops.gaussian_sparsemax_entropy_mc(
            m, s, 5, generator(), adaptive_quadrature=False, quadrature_nodes=128
        )[0],
        (loc, scale),
    )
    face = torch.tensor([[True, False, False], [False, True, False]])
    assert gradcheck(lambda m, s: ops.gaussian_sparsemax_face_probability(m, s, face), (loc, scale))
    logits = p(-1.0, 0.0, 2.0)
    assert gradcheck(lambda a: ops.binary_concrete_entropy_mc(a, 0.5, 5, generator())[0], (logits,))
    assert gradcheck(lambda a: ops.hard_concrete_entropy_mc(a, 0.5, 5, generator())[0], (logits,))
    s, a = p(0.3, -1.0, 0.5), p(0.5, 1.0, 2.0)
    assert gradcheck(lambda s, a: ops.mixed_dirichlet_entropy_mc(s, a, 5, generator())[0], (s, a))
    q_s, q_a = torch.zeros(3, dtype=D), torch.ones(3, dtype=D)
    assert gradcheck(lambda s, a: ops.mixed_dirichlet_kl_mc(s, a, q_s, q_a, 5, generator())[0], (s, a))


def test_samplers_follow_the_generator():
    zeros, ones = torch.zeros(2, 3, dtype=D), torch.ones(2, 3, dtype=D)
    face = torch.ones(2, 3, dtype=torch.bool)
    samplers = {
        "gaussian_sparsemax": lambda g: ops.gaussian_sparsemax_rsample(zeros, ones, [4], g),
        "clipped_gaussian": lambda g: ops.clipped_gaussian_rsample(zeros, ones, [4], g),
        "gibbs_faces": lambda g: ops.gibbs_faces_sample(zeros, [4], g),
        "max_entropy_faces": lambda g: ops.max_entropy_faces_sample(3, 1.0, "derived", D, [2], [4], g),
        "masked_dirichlet": lambda g: ops.masked_dirichlet_rsample(face, ones, [4], g),
        "mixed_dirichlet": lambda g: ops.mixed_dirichlet_rsample_with_face(zeros, ones, [4], g)[0],
        "prior": lambda g: ops.mixed_max_ent_dirichlet_prior_sample(3, 1.0, "derived", D, [2], [4], g),
        "binary_concrete": lambda g: ops.binary_concrete_rsample(zeros, 0.5, [4], g),
        "hard_concrete": lambda g: ops.hard_concrete_rsample(zeros, 0.5, [4], g),
    }
    for name, draw in samplers.items():
        first, again, other = draw(generator(1)), draw(generator(1)), draw(generator(2))
        assert first.shape[:2] == (4, 2), name
        assert torch.equal(first, again), name
        assert not torch.equal(first, other), name


def test_gradcheck_clipped_gaussian_ops():
    loc, scale = p(0.3, 2.0, -0.4), p(1.0, 0.4, 0.7)
    value = torch.tensor([0.0, 0.6, 1.0], dtype=D)
    assert gradcheck(lambda m, s: ops.clipped_gaussian_log_prob(m, s, value), (loc, scale))
    assert gradcheck(ops.clipped_gaussian_entropy, (loc, scale))
    assert gradcheck(ops.clipped_gaussian_mean, (loc, scale))
    assert gradcheck(lambda m, s: ops.clipped_gaussian_entropy_bits(m, s, 8.0), (loc, scale))
    assert gradcheck(ops.clipped_gaussian_log_masses, (loc, scale))
    assert gradcheck(ops.clipped_gaussian_kl, (loc, scale, p(0.6, 0.5, 0.1), p(0.5, 0.8, 2.0)))
    assert gradcheck(seeded(lambda m, s: ops.clipped_gaussian_rsample(m, s, [4])), (loc, scale))


def test_gradcheck_gibbs_faces_ops():
    w, v = p(0.3, -1.2, 2.0, -0.5), p(-0.2, 0.9, 0.1, 0.3)
    faces = torch.tensor([[1.0, 0, 1, 0], [0, 0, 0, 1], [1, 1, 1, 1]], dtype=D)
    assert gradcheck(lambda w: ops.gibbs_faces_log_prob(w, faces), (w,))
    for op in [ops.gibbs_faces_log_normalizer, ops.gibbs_faces_marginals, ops.gibbs_faces_entropy,
               ops.gibbs_faces_log_size_pmf]:
        assert gradcheck(op, (w,)), op
    assert gradcheck(ops.gibbs_faces_kl, (w, v))
    assert gradcheck(lambda w: ops.gibbs_faces_max_entropy_faces_kl(w, 4, 1.0, "derived", []), (w,))
    assert gradcheck(lambda w: ops.max_entropy_faces_gibbs_faces_kl(4, 1.0, "authors", [], w), (w,))


def test_gradcheck_dirichlet_ops():
    face = torch.tensor([True, False, True, True])
    a, b = p(0.5, 7.0, 2.0, 3.0), p(1.0, 0.2, 0.7, 1.3)
    value = torch.tensor([0.2, 0.0, 0.3, 0.5], dtype=D)
    assert gradcheck(lambda a, y: ops.masked_dirichlet_log_prob(face, a, y, validate_args=False),
                     (a, value.clone().requires_grad_()))
    assert gradcheck(lambda a: ops.masked_dirichlet_entropy(face, a), (a,))
    assert gradcheck(lambda a: ops.masked_dirichlet_mean(face, a), (a,))
    assert gradcheck(lambda a, b: ops.masked_dirichlet_kl(face, a, face, b), (a, b))
    s, s2 = p(0.2, -0.4, 0.9, 0.0), p(-0.3, 0.5, 0.1, 0.2)
    assert gradcheck(lambda s, a: ops.mixed_dirichlet_log_prob(s, a, value), (s, a))
    assert gradcheck(ops.mixed_dirichlet_entropy, (s, a))
    assert gradcheck(ops.mixed_dirichlet_expected_face_dim, (s, a))
    assert gradcheck(lambda s, a: ops.mixed_dirichlet_entropy_bits(s, a, 8.0), (s, a))
    assert gradcheck(ops.mixed_dirichlet_kl, (s, a, s2, b))
    assert gradcheck(
        lambda s, a: ops.mixed_dirichlet_mixed_max_ent_dirichlet_prior_kl(s, a, 4, 1.0, "authors", []), (s, a)
    )


def test_dirichlet_rsample_gradient_is_the_implicit_one():
    # d E[y_k] / d alpha_j from pathwise draws against the exact derivative of alpha_k / alpha_0.
    conc = p(0.5, 2.0, 3.0)
    face = torch.tensor([True, True, True])
    y = ops.masked_dirichlet_rsample(face, conc, [20000])
    (g,) = torch.autograd.grad(y[:, 0].mean(), conc)
    a0 = 5.5
    exact = torch.tensor([(a0 - 0.5) / a0**2, -0.5 / a0**2, -0.5 / a0**2], dtype=D)
    assert torch.allclose(g, exact, atol=0.01), (g, exact)


def test_gradcheck_concrete_ops():
    logits = p(-1.0, 0.0, 2.5)
    x = torch.tensor([0.1, 0.5, 0.97], dtype=D)
    assert gradcheck(
        lambda a, x: ops.binary_concrete_log_prob(a, 0.5, x), (logits, x.clone().requires_grad_())
    )
    assert gradcheck(lambda a: ops.binary_concrete_cdf(a, 0.5, x), (logits,))
    assert gradcheck(seeded(lambda a: ops.binary_concrete_rsample(a, 0.5, [3])), (logits,))
    y = torch.tensor([0.0, 0.4, 1.0], dtype=D)
    assert gradcheck(lambda a: ops.hard_concrete_log_prob(a, 2 / 3, y), (logits,))
    assert gradcheck(lambda a: ops.hard_concrete_masses(a, 2 / 3), (logits,))


def test_gradgradcheck_where_second_derivatives_exist():
    value = torch.tensor([0.7, 0.3, 0.0], dtype=D)
    assert gradgradcheck(
        lambda loc, scale: ops.gaussian_sparsemax_log_prob(
            loc, scale, value, adaptive_quadrature=False, quadrature_nodes=128
        ),
        (p(*LOC), p(*SCALE)),
    )
    loc, scale = p(0.3, 2.0, -0.4), p(1.0, 0.4, 0.7)
    value = torch.tensor([0.0, 0.6, 1.0], dtype=D)
    assert gradgradcheck(lambda m, s: ops.clipped_gaussian_log_prob(m, s, value), (loc, scale))
    assert gradgradcheck(ops.clipped_gaussian_entropy, (loc, scale))
    assert gradgradcheck(ops.gibbs_faces_kl, (p(0.3, -1.2, 2.0, -0.5), p(-0.2, 0.9, 0.1, 0.3)))
    assert gradgradcheck(ops.mixed_dirichlet_kl, (p(0.3, -1.2, 2.0), p(0.5, 1.0, 2.0), p(0.1, 0.2, 0.3),
                                                  p(1.0, 0.3, 0.7)))
    assert gradgradcheck(lambda a: ops.hard_concrete_log_prob(a, 0.5, torch.tensor([0.0, 0.4, 1.0], dtype=D)),
                         (p(-1.0, 0.0, 2.0),))


def test_adaptive_quadrature_refuses_a_second_derivative_by_name():
    loc, scale = p(*LOC), p(*SCALE)
    lp = ops.gaussian_sparsemax_log_prob(loc, scale, torch.tensor([0.7, 0.3, 0.0], dtype=D))
    with pytest.raises(RuntimeError, match="differentiable once.*adaptive_quadrature"):
        torch.autograd.grad(lp, loc, create_graph=True)
    assert torch.isfinite(torch.autograd.grad(lp, loc)[0]).all()  # a first derivative is fine


# ---------------------------------------------------------------------------------------------- TorchScript
class _GspScore(torch.nn.Module):
    """A module scoring simplex points under a Gaussian-Sparsemax and a clipped Gaussian through the ops."""

    def forward(self, loc, scale, value):
        lp = torch.ops.mixdist.gaussian_sparsemax_log_prob(loc, scale, value)
        bit = torch.ops.mixdist.clipped_gaussian_log_prob(loc[..., 0], scale[..., 0], value[..., 0])
        return lp + bit + torch.ops.mixdist.log_ndtr(loc).sum(-1)


def test_torchscript_module_calling_distribution_ops():
    module = _GspScore()
    scripted = torch.jit.script(module)
    loc, scale = torch.tensor([0.6, 0.2, 0.2], dtype=D), torch.tensor([0.6, 0.3, 0.9], dtype=D)
    value = torch.tensor([[0.5, 0.3, 0.2], [1.0, 0.0, 0.0]], dtype=D)
    assert torch.equal(scripted(loc, scale, value), module(loc, scale, value))
    assert "mixdist::gaussian_sparsemax_log_prob" in str(scripted.graph)


# ------------------------------------------------------------------------------------------------- errors
def test_parameter_errors_name_the_distribution_and_argument():
    with pytest.raises(RuntimeError, match=r"GaussianSparsemax.*scale"):
        GaussianSparsemax(torch.zeros(3), torch.tensor([1.0, -1.0, 1.0]))
    with pytest.raises(RuntimeError, match=r"MixedDirichlet.*concentration"):
        MixedDirichlet(scores=torch.zeros(3), concentration=torch.tensor([1.0, 0.0, 1.0]))
    with pytest.raises(RuntimeError, match=r"GibbsFaces.*scores"):
        GibbsFaces(torch.tensor([0.0, float("nan")]))
    with pytest.raises(RuntimeError, match=r"HardConcrete.*lower"):
        HardConcrete(torch.zeros(2), 0.5, lower=0.1)
    with pytest.raises(RuntimeError, match=r"MaxEntropyFaces.*K"):
        MaxEntropyFaces(0)
    with pytest.raises(RuntimeError, match=r'variant must be "derived" or "authors", got "paper"'):
        MaxEntropyFaces(3, variant="paper")
    with pytest.raises(RuntimeError, match=r"GaussianSparsemax.*quadrature_tolerance"):
        GaussianSparsemax(torch.zeros(3), torch.ones(3), quadrature_tolerance=0.5)


def test_validate_args_false_skips_the_parameter_checks():
    d = ClippedGaussian(torch.zeros(2), torch.tensor([1.0, -1.0]), validate_args=False)
    assert d.batch_shape == (2,)
    with pytest.raises(RuntimeError, match="ClippedGaussian.*scale"):
        ClippedGaussian(torch.zeros(2), torch.tensor([1.0, -1.0]), validate_args=True)


def test_torchs_global_validation_switch_is_honoured():
    previous = torch.distributions.Distribution._validate_args
    try:
        torch.distributions.Distribution.set_default_validate_args(False)
        d = GibbsFaces(torch.tensor([0.0, float("inf")]))
        assert d.batch_shape == () and not d._validate_args
    finally:
        torch.distributions.Distribution.set_default_validate_args(previous)
    with pytest.raises(RuntimeError, match="GibbsFaces.*scores"):
        GibbsFaces(torch.tensor([0.0, float("inf")]))


def test_value_errors_name_the_offending_entry():
    with pytest.raises(RuntimeError, match="GibbsFaces"):
        GibbsFaces(torch.zeros(3)).log_prob(torch.zeros(3))  # the empty face
    with pytest.raises(RuntimeError, match="GaussianSparsemax"):
        GaussianSparsemax(torch.zeros(3), torch.ones(3)).log_prob(torch.tensor([0.5, 0.6, 0.2]))
    with pytest.raises(RuntimeError, match="ClippedGaussian"):
        ClippedGaussian(torch.zeros(()), torch.ones(())).log_prob(torch.tensor(1.5))
    with pytest.raises(RuntimeError, match="MaskedDirichlet"):
        MaskedDirichlet(torch.tensor([True, False]), torch.ones(2)).log_prob(torch.tensor([0.5, 0.5]))


def test_method_errors_name_the_alternative():
    with pytest.raises(RuntimeError, match="entropy_mc"):
        GaussianSparsemax(torch.zeros(3), torch.ones(3)).entropy()
    with pytest.raises(RuntimeError, match="reproduce_authors"):
        torch.distributions.kl_divergence(
            ClippedGaussian(torch.zeros(()), torch.ones(()), reproduce_authors=True),
            ClippedGaussian(torch.zeros(()), torch.ones(())),
        )
    with pytest.raises(RuntimeError, match="GibbsFaces"):
        torch.distributions.kl_divergence(GibbsFaces(torch.zeros(3)), GibbsFaces(torch.zeros(4)))
    with pytest.raises(RuntimeError, match=r"K <= 24, got K = 25"):
        MixedDirichlet(scores=torch.zeros(25), concentration=torch.ones(25)).entropy()


def test_dtype_errors_are_python_exceptions():
    with pytest.raises(RuntimeError, match="floating"):
        GaussianSparsemax(torch.zeros(3, dtype=torch.long), torch.ones(3))
    with pytest.raises(RuntimeError, match="floating"):
        ops.log_ndtr(torch.zeros(3, dtype=torch.long))


def test_unregistered_pair_is_torchs_not_implemented_error():
    with pytest.raises(NotImplementedError):
        torch.distributions.kl_divergence(GaussianSparsemax(torch.zeros(3), torch.ones(3)),
                                          GaussianSparsemax(torch.zeros(3), torch.ones(3)))
