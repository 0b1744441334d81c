"""python3 -m mixdist: the version and where the ops library was loaded from."""

import torch

import mixdist

print(f"mixdist {mixdist.__version__}")
print(f"ops library: {mixdist.library_path} (C++ mixdist {mixdist.ops.version()})")
print(f"torch {torch.__version__} from {torch.__file__}")
