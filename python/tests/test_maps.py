"""The sparse maps from Python: agreement with the references, autograd through mixdist's C++ backward
(gradcheck in double), shapes and dims, support sizes."""

import pytest
import torch
from torch.autograd import gradcheck, gradgradcheck

import mixdist
from references import entmax15_ref, entmax_bisect_ref, sparsemax_ref

MAPS = {
    "sparsemax": (mixdist.sparsemax, sparsemax_ref),
    "entmax15": (mixdist.entmax15, entmax15_ref),
}


@pytest.mark.parametrize("name", sorted(MAPS))
@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_fixed_maps_agree_with_references(name, dim):
    fn, ref = MAPS[name]
    x = torch.randn(4, 7, 3, dtype=torch.float64) * 2
    p = fn(x, dim=dim)
    torch.testing.assert_close(p, ref(x, dim=dim), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(p.sum(dim), torch.ones(p.sum(dim).shape, dtype=torch.float64))
    assert (p == 0).any(), "some exact zeros expected on these inputs"


@pytest.mark.parametrize("name", sorted(MAPS))
def test_fixed_maps_in_float32_and_from_modules(name):
    fn, ref = MAPS[name]
    x = torch.randn(5, 6)
    module = {"sparsemax": mixdist.Sparsemax, "entmax15": mixdist.Entmax15}[name](dim=0)
    torch.testing.assert_close(module(x), ref(x.double(), dim=0).float(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(fn(x), ref(x.double()).float(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("alpha", [1.25, 1.5, 1.7, 2.0, 3.0])
def test_entmax_bisect_agrees_with_bisection_reference(alpha):
    x = torch.randn(6, 9, dtype=torch.float64)
    expected = entmax_bisect_ref(x, alpha)
    torch.testing.assert_close(mixdist.entmax_bisect(x, alpha), expected, rtol=1e-8, atol=1e-10)
    module = mixdist.EntmaxBisect(alpha=alpha, dim=0)
    torch.testing.assert_close(module(x), entmax_bisect_ref(x, alpha, dim=0), rtol=1e-8, atol=1e-10)


def test_entmax_bisect_per_row_alpha_and_special_cases():
    x = torch.randn(4, 5, dtype=torch.float64)
    alpha = torch.tensor([[1.2], [1.5], [2.0], [2.5]], dtype=torch.float64)
    expected = entmax_bisect_ref(x, alpha)
    torch.testing.assert_close(mixdist.entmax_bisect(x, alpha), expected, rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(mixdist.entmax_bisect(x, 1.5), mixdist.entmax15(x), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(mixdist.entmax_bisect(x, 2.0), mixdist.sparsemax(x), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(mixdist.entmax_bisect(x, 1.0), torch.softmax(x, -1), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(mixdist.sparsemax_bisect(x), mixdist.sparsemax(x))
    torch.testing.assert_close(mixdist.SparsemaxBisect()(x), mixdist.sparsemax(x))


@pytest.mark.parametrize("name", sorted(MAPS))
def test_support_size(name):
    fn, _ = MAPS[name]
    x = torch.randn(3, 8, 2)
    p, support = fn(x, dim=1, return_support_size=True)
    assert support.dtype == torch.int64 and support.shape == (3, 1, 2)
    torch.testing.assert_close(support, (p > 0).sum(dim=1, keepdim=True))
    p_op, support_op = getattr(mixdist.ops, name + "_with_support")(x, 1)
    torch.testing.assert_close(p_op, p)
    torch.testing.assert_close(support_op, support)
    alpha = torch.full((3, 1, 2), 1.3)
    p, support = mixdist.ops.entmax_bisect_with_support(x, alpha, 1, 50)
    torch.testing.assert_close(support, (p > 0).sum(dim=1, keepdim=True))


@pytest.mark.parametrize("name", sorted(MAPS))
@pytest.mark.parametrize("dim", [-1, 0])
def test_gradcheck_fixed_maps(name, dim):
    fn, _ = MAPS[name]
    x = (torch.randn(3, 6, dtype=torch.float64) * 2).requires_grad_()
    assert gradcheck(lambda x: fn(x, dim=dim), (x,))


@pytest.mark.parametrize("alpha", [1.3, 1.5, 2.0, 2.6])
def test_gradcheck_entmax_bisect_in_x_and_alpha(alpha):
    x = (torch.randn(3, 6, dtype=torch.float64) * 2).requires_grad_()
    a_row = torch.tensor([[alpha], [alpha + 0.05], [alpha + 0.1]], dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda x, a: mixdist.entmax_bisect(x, a), (x, a_row))
    a_scalar = torch.tensor(alpha, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda x, a: mixdist.entmax_bisect(x, a, dim=0), (x, a_scalar))


def test_backward_runs_the_cpp_backward():
    x = torch.randn(2, 5, requires_grad=True)
    for p in (mixdist.sparsemax(x), mixdist.entmax15(x), mixdist.entmax_bisect(x, torch.tensor(1.3))):
        assert "mixdist" in p.grad_fn.name(), p.grad_fn.name()
    # The gradient of the references' autograd (through sort) is the same.
    xd = torch.randn(4, 6, dtype=torch.float64, requires_grad=True)
    g = torch.randn(4, 6, dtype=torch.float64)
    for fn, ref in MAPS.values():
        (ours,) = torch.autograd.grad(fn(xd), xd, g)
        (theirs,) = torch.autograd.grad(ref(xd), xd, g)
        torch.testing.assert_close(ours, theirs, rtol=1e-10, atol=1e-12)


def test_alpha_gradient_flows_into_a_module_parameter():
    module = mixdist.EntmaxBisect(alpha=torch.nn.Parameter(torch.tensor(1.4)))
    assert [name for name, _ in module.named_parameters()] == ["alpha"]
    module(torch.randn(3, 5)).pow(2).sum().backward()
    assert module.alpha.grad is not None and torch.isfinite(module.alpha.grad)


def test_masked_entries_and_no_grad():
    x = torch.randn(2, 5)
    x[0, :3] = float("-inf")
    p = mixdist.entmax15(x)
    assert (p[0, :3] == 0).all()
    torch.testing.assert_close(p.sum(-1), torch.ones(2))
    with torch.no_grad():
        assert mixdist.sparsemax(x.requires_grad_()).grad_fn is None


@pytest.mark.parametrize("name", ["sparsemax", "entmax15"])
def test_gradgradcheck_fixed_maps(name):
    # Second derivatives through the C++ backward (create_graph), against torch's numerical ones. Rows away
    # from ties, so that the finite differences keep every support.
    fn = getattr(mixdist, name)
    x = torch.tensor([[0.9, 0.1, -0.4, 0.45, -2.0], [1.2, 1.0, 0.75, 0.5, 0.3]], dtype=torch.double,
                     requires_grad=True)
    assert gradgradcheck(lambda t: fn(t, dim=-1), (x,), eps=1e-6, atol=1e-5)


def test_second_derivatives_without_a_second_order_form_are_refused():
    x = torch.randn(2, 4, dtype=torch.double, requires_grad=True)
    y = mixdist.entmax_bisect(x, alpha=1.3)
    with pytest.raises(RuntimeError, match="second derivatives"):
        torch.autograd.grad(y.sum(), x, create_graph=True)
