"""The Python API: entmax-compatible signatures, C++ errors as RuntimeError, TorchScript, python3 -m
mixdist."""

import inspect
import io
import os
import re
import subprocess
import sys

import pytest
import torch

import mixdist

_ = inspect.Parameter.empty
# Parameters and defaults of deep-spin/entmax 1.3 (entmax/__init__.py, activations.py, root_finding.py,
# losses.py): every public name of its __init__.
ENTMAX_SIGNATURES = {
    "sparsemax": [("X", _), ("dim", -1), ("k", None)],
    "entmax15": [("X", _), ("dim", -1), ("k", None)],
    "entmax_bisect": [("X", _), ("alpha", 1.5), ("dim", -1), ("n_iter", 50), ("ensure_sum_one", True)],
    "sparsemax_bisect": [("X", _), ("dim", -1), ("n_iter", 50), ("ensure_sum_one", True)],
    "Sparsemax": [("dim", -1), ("k", None)],
    "Entmax15": [("dim", -1), ("k", None)],
    "EntmaxBisect": [("alpha", 1.5), ("dim", -1), ("n_iter", 50)],
    "SparsemaxBisect": [("dim", -1), ("n_iter", None)],
    "normmax_bisect": [("X", _), ("alpha", 2), ("dim", -1), ("n_iter", 50)],
    "budget_bisect": [("X", _), ("budget", 2), ("dim", -1), ("n_iter", 50)],
    "NormmaxBisect": [("alpha", 2), ("dim", -1), ("n_iter", 50)],
    "BudgetBisect": [("budget", 2), ("dim", -1), ("n_iter", 50)],
    "sparsemax_loss": [("X", _), ("target", _), ("k", None), ("return_support", False)],
    "entmax15_loss": [("X", _), ("target", _), ("k", None), ("return_support", False)],
    "entmax_bisect_loss": [("X", _), ("target", _), ("alpha", 1.5), ("n_iter", 50)],
    "sparsemax_bisect_loss": [("X", _), ("target", _), ("n_iter", 50)],
    "normmax_bisect_loss": [("X", _), ("target", _), ("alpha", 2), ("n_iter", 50)],
    "SparsemaxLoss": [
        ("k", None),
        ("ignore_index", -100),
        ("reduction", "elementwise_mean"),
        ("return_support", False),
    ],
    "Entmax15Loss": [
        ("k", 100),
        ("ignore_index", -100),
        ("reduction", "elementwise_mean"),
        ("return_support", False),
    ],
    "EntmaxBisectLoss": [
        ("alpha", 1.5),
        ("n_iter", 50),
        ("ignore_index", -100),
        ("reduction", "elementwise_mean"),
    ],
    "SparsemaxBisectLoss": [("n_iter", 50), ("ignore_index", -100), ("reduction", "elementwise_mean")],
    "NormmaxBisectLoss": [
        ("alpha", 2),
        ("n_iter", 50),
        ("ignore_index", -100),
        ("reduction", "elementwise_mean"),
    ],
}
# What mixdist adds after entmax's parameters: newer entmax's return_support_size (the maps), a keyword-only
# per-class weight (the loss modules).
EXTRAS = {"return_support_size": False, "weight": None}


@pytest.mark.parametrize("name", sorted(ENTMAX_SIGNATURES))
def test_entmax_compatible_signature(name):
    obj = getattr(mixdist, name)
    params = list(inspect.signature(obj).parameters.values())
    expected = ENTMAX_SIGNATURES[name]
    assert [(p.name, p.default) for p in params[: len(expected)]] == expected
    assert all(p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params[: len(expected)])
    for extra in params[len(expected) :]:
        assert extra.name in EXTRAS and extra.default == EXTRAS[extra.name], extra


def test_entmax_names_are_exported():
    assert set(ENTMAX_SIGNATURES) <= set(mixdist.__all__)
    assert all(hasattr(mixdist, name) for name in mixdist.__all__)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: mixdist.sparsemax(torch.randn(2, 3), dim=2),
            "sparsemax: dim 2 is out of range for an input with 2 dimensions (sizes [2, 3])",
        ),
        (lambda: mixdist.entmax15(torch.randint(3, (2, 3))), "entmax15: expected a floating-point input"),
        (
            lambda: mixdist.entmax_bisect(torch.randn(2, 3), 0.5),
            "entmax_bisect: alpha must be finite and >= 1",
        ),
        (
            lambda: mixdist.entmax_bisect(torch.randn(2, 3), 1.5, n_iter=0),
            "entmax_bisect: n_iter must be >= 1, got 0",
        ),
        (
            lambda: mixdist.sparsemax(torch.tensor([[0.0, 1.0], [float("-inf"), float("-inf")]])),
            "of the input is entirely -inf",
        ),
        (
            lambda: mixdist.sparsemax_loss(torch.randn(2, 3), torch.tensor([0, 3])),
            "sparsemax_loss: target value 3 at flat position 1 is not a class index in [0, 3)",
        ),
        (
            lambda: mixdist.ops.entmax15_loss(torch.randn(2, 3), torch.tensor([0, 1]), None, -100, "average"),
            'entmax15_loss: reduction must be "none", "mean" or "sum", got "average"',
        ),
    ],
)
def test_cpp_errors_arrive_as_runtime_error_with_their_message(call, message):
    with pytest.raises(RuntimeError, match=re.escape(message)) as info:
        call()
    assert "Exception raised from" not in str(info.value)  # the message, not a C++ backtrace


class _Attention(torch.nn.Module):
    def forward(self, scores: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        p = torch.ops.mixdist.sparsemax(scores, -1)
        return p + torch.ops.mixdist.entmax_bisect(scores, alpha, dim=-1, n_iter=30)


def test_torchscript_script_save_and_load():
    scripted = torch.jit.script(_Attention())
    x = torch.randn(3, 4, requires_grad=True)
    alpha = torch.tensor(1.5)
    expected = mixdist.sparsemax(x) + mixdist.entmax15(x)
    torch.testing.assert_close(scripted(x, alpha), expected)
    buffer = io.BytesIO()
    torch.jit.save(scripted, buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer)
    torch.testing.assert_close(loaded(x, alpha), expected)
    loaded(x, alpha).sum().backward()
    assert x.grad is not None

    @torch.jit.script
    def loss(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.ops.mixdist.entmax15_loss(x, y, reduction="sum")

    y = torch.randint(4, (3,))
    torch.testing.assert_close(loss(x, y), mixdist.entmax15_loss(x, y).sum())


def test_torchscript_trace_records_the_ops_whole():
    traced = torch.jit.trace(mixdist.Entmax15(dim=0), torch.randn(4, 3))
    assert "mixdist::entmax15" in str(traced.graph)
    x = torch.randn(5, 2)
    torch.testing.assert_close(traced(x), mixdist.entmax15(x, dim=0))


def test_python_dash_m_mixdist_prints_version_and_library():
    out = subprocess.run(
        [sys.executable, "-m", "mixdist"], check=True, capture_output=True, text=True, env=dict(os.environ)
    ).stdout
    assert f"mixdist {mixdist.__version__}" in out
    assert mixdist.library_path in out
    assert os.path.isfile(mixdist.library_path)
    assert mixdist.ops.version() == mixdist.__version__
