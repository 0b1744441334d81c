"""Shared set-up of the Python tests: the package under test must import, and every test is seeded.

Run by CTest (python.pytest) with PYTHONPATH=<build>/python; by hand:
    PYTHONPATH=build/python /usr/bin/python3 -m pytest -q python/tests
"""

import pytest
import torch

import mixdist  # noqa: F401  (fails the whole run early when the package or its ops library is missing)


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same random state, so the suite is deterministic."""
    torch.manual_seed(0)
    yield
