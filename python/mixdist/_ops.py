"""Loads mixdist's PyTorch ops library (built from python/csrc) into torch: torch.ops.mixdist.<name>."""

import os

import torch

try:
    from . import _build_info
except ImportError as error:  # python/mixdist itself: CMake writes _build_info.py next to the built library
    raise ImportError(
        "mixdist: this is the package's source folder, not the built package; run `make python` and put "
        "build/python on PYTHONPATH"
    ) from error

#: Absolute path of the ops library that was loaded.
library_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), _build_info.ops_library)


def _minor(version):
    return ".".join(version.split(".")[:2])


if _minor(torch.__version__) != _minor(_build_info.torch_version):
    raise ImportError(
        f"mixdist: the ops library was built against the torch {_build_info.torch_version} of "
        f"{_build_info.python}, but this interpreter has torch {torch.__version__} ({torch.__file__}); the "
        f"ops need the same LibTorch: run {_build_info.python}"
    )
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
