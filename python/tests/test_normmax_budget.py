"""alpha-normmax, budget sparsemax and the normmax loss from Python: agreement with the bisection references,
gradcheck in double, modules and errors."""

import pytest
import torch
from torch.autograd import gradcheck

import mixdist
from references import budget_ref, normmax_ref


@pytest.mark.parametrize("alpha", [1.3, 2.0, 5.0])
@pytest.mark.parametrize("dim", [-1, 0])
def test_normmax_agrees_with_bisection(alpha, dim):
    x = torch.randn(5, 7, dtype=torch.float64) * 2
    p = mixdist.normmax_bisect(x, alpha, dim=dim)
    torch.testing.assert_close(p, normmax_ref(x, alpha, dim=dim), rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(mixdist.NormmaxBisect(alpha, dim=dim)(x), p)
    torch.testing.assert_close(p.sum(dim), torch.ones(p.sum(dim).shape, dtype=torch.float64))


def test_normmax_entmax_readme_example_and_per_row_alpha():
    x = torch.tensor([-2, 0, 0.5])
    expected = {2: [0.0, 0.3110, 0.6890], 1000: [0.0, 0.4997, 0.5003]}
    for alpha, p in expected.items():
        p_ours = mixdist.normmax_bisect(x, alpha=alpha, dim=0)
        torch.testing.assert_close(p_ours, torch.tensor(p), atol=5e-5, rtol=0)
    X = torch.randn(3, 6, dtype=torch.float64)
    alpha = torch.tensor([[1.5], [2.0], [3.0]], dtype=torch.float64)
    expected = torch.cat([normmax_ref(X[i : i + 1], alpha[i].item()) for i in range(3)])
    torch.testing.assert_close(mixdist.normmax_bisect(X, alpha), expected, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("alpha", [1.5, 2.0, 3.0])
def test_gradcheck_normmax(alpha):
    x = (torch.randn(3, 5, dtype=torch.float64) * 2).requires_grad_()
    assert gradcheck(lambda x: mixdist.normmax_bisect(x, alpha), (x,))
    per_row = torch.tensor([[alpha], [alpha + 0.3], [alpha + 1.1]], dtype=torch.float64)
    assert gradcheck(lambda x: mixdist.normmax_bisect(x, per_row), (x,))
    assert gradcheck(lambda x: mixdist.normmax_bisect(x, per_row.T, dim=0), (x[:, :3],))


def test_normmax_refuses_an_alpha_gradient_and_bad_alphas():
    x = torch.randn(2, 4)
    with pytest.raises(RuntimeError, match=r"alpha\.detach\(\)"):
        mixdist.normmax_bisect(x, torch.tensor(2.0, requires_grad=True))
    with pytest.raises(RuntimeError, match="normmax_bisect: alpha must be finite and > 1, got min alpha = 1"):
        mixdist.normmax_bisect(x, 1.0)


def test_normmax_loss_definition_gradients_and_module():
    x = torch.randn(6, 5, dtype=torch.float64) * 2
    y = torch.randint(5, (6,))
    for alpha in (1.5, 2.0, 4.0):
        p = normmax_ref(x, alpha)
        expected = 1 - (p**alpha).sum(1) ** (1 / alpha) + (p * x).sum(1) - x.gather(1, y[:, None])[:, 0]
        torch.testing.assert_close(mixdist.normmax_bisect_loss(x, y, alpha), expected, rtol=1e-8, atol=1e-10)
    per_sample = mixdist.normmax_bisect_loss(x, y)
    torch.testing.assert_close(mixdist.NormmaxBisectLoss()(x, y), per_sample.mean())
    torch.testing.assert_close(mixdist.NormmaxBisectLoss(reduction="sum")(x, y), per_sample.sum())
    xg = x.clone().requires_grad_()
    a = torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda x, a: mixdist.normmax_bisect_loss(x, y, a), (xg, a))


@pytest.mark.parametrize("budget", [0.5, 1.0, 2.0, 3.5])
@pytest.mark.parametrize("dim", [-1, 0])
def test_budget_agrees_with_bisection(budget, dim):
    x = torch.randn(6, 7, dtype=torch.float64)
    p = mixdist.budget_bisect(x, budget, dim=dim)
    torch.testing.assert_close(p, budget_ref(x, budget, dim=dim), rtol=0, atol=1e-12)
    torch.testing.assert_close(p.sum(dim), torch.full(p.sum(dim).shape, budget, dtype=torch.float64))
    assert p.min() >= 0 and p.max() <= 1
    torch.testing.assert_close(mixdist.BudgetBisect(budget, dim=dim)(x), p)


def test_budget_entmax_readme_example_and_sparsemax_at_one():
    x = torch.tensor([-2, 0, 0.5])
    torch.testing.assert_close(mixdist.budget_bisect(x, budget=2, dim=0), torch.tensor([0.0, 1.0, 1.0]))
    X = torch.randn(4, 6, dtype=torch.float64)
    torch.testing.assert_close(mixdist.budget_bisect(X, 1), mixdist.sparsemax(X), rtol=0, atol=1e-14)


def test_gradcheck_budget_in_x_and_budget():
    x = torch.randn(3, 6, dtype=torch.float64).requires_grad_()
    b = torch.tensor([[1.5], [2.5], [3.2]], dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda x, b: mixdist.budget_bisect(x, b), (x, b))
    module = mixdist.BudgetBisect(budget=torch.nn.Parameter(torch.tensor(2.0)))
    assert [name for name, _ in module.named_parameters()] == ["budget"]
    module(torch.randn(3, 5)).pow(2).sum().backward()
    assert torch.isfinite(module.budget.grad)


def test_budget_errors_name_the_row():
    x = torch.randn(3, 4)
    x[2] = float("-inf")
    x[2, 0] = 0.0
    message = r"budget_bisect: budget must be .*; row 2 has budget 2 and 1 such entries"
    with pytest.raises(RuntimeError, match=message):
        mixdist.budget_bisect(x, 2)
    with pytest.raises(RuntimeError, match=r"holds \+inf"):
        mixdist.budget_bisect(torch.tensor([1.0, float("inf")]), 1)


def test_new_ops_in_torchscript():
    @torch.jit.script
    def f(x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        return torch.ops.mixdist.normmax_bisect(x, a) + torch.ops.mixdist.budget_bisect(x, a, -1, 50)

    x = torch.randn(3, 4)
    a = torch.tensor(2.0)
    torch.testing.assert_close(f(x, a), mixdist.normmax_bisect(x) + mixdist.budget_bisect(x))
