// The `mixdist` operator namespace of PyTorch's dispatcher: the one TORCH_LIBRARY block, and the ops that
// belong to no simplex concept. The sparse maps and their losses add their schemas from their own files
// (TORCH_LIBRARY_FRAGMENT), one file per header of include/mixdist/simplex.
//
// Loaded into Python with torch.ops.load_library(path) (the mixdist package does it on import); every op is
// then torch.ops.mixdist.<name>, callable from Python and from TorchScript.

#include <torch/library.h>

#include <string>

#include "mixdist/version.h"

namespace {

std::string version() {
  return MIXDIST_VERSION_STRING;
}

}  // namespace

TORCH_LIBRARY(mixdist, m) {
  // The version of the C++ library the ops were built from (the Python package checks it against its own).
  m.def("version() -> str", &version);
}
