"""Loads mixdist's PyTorch ops library (built from python/csrc) into torch: torch.ops.mixdist.<name>."""

import os

import torch

from . import _build_info

#: Absolute path of the ops library that was loaded.
library_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), _build_info.ops_library)

if not os.path.exists(library_path):
    raise ImportError(
        f"mixdist: the ops library {library_path} is missing; build it with `make python` "
        "(or cmake --build build --target mixdist_python)"
    )
torch.ops.load_library(library_path)

#: The operator namespace: ops.sparsemax(x, dim), ops.entmax_bisect(x, alpha, dim, n_iter), ...
ops = torch.ops.mixdist

if ops.version() != _build_info.version:
    raise ImportError(
        f"mixdist: the ops library {library_path} is version {ops.version()}, the Python package "
        f"{_build_info.version}; rebuild with `make python`"
    )
