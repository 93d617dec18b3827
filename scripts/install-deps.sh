#!/usr/bin/env bash
# Installs the Debian packages crossview needs, only those that are missing.
#   scripts/install-deps.sh            build + demo dependencies
#   scripts/install-deps.sh --dev      also tests and benchmarks (Catch2, Google Benchmark, OpenCV peer,
#                                      Chromium + Python 3 for the HTML report's browser test)
#                                      and the Python package with its tests (pybind11, numpy, pytest,
#                                      scipy and OpenCV's Python bindings as peers, venv, Dask)
#   scripts/install-deps.sh --python   build dependencies + what `pip install .` needs (pybind11, numpy, venv)
#   scripts/install-deps.sh --fuzz     also clang and its libFuzzer / sanitizer runtimes
# ccache is always installed: every build script compiles through it (CMakeLists.txt),
# with the cache outside the clone (~/.cache/ccache), so fresh clones reuse earlier builds.
set -euo pipefail
packages=(g++ cmake ninja-build pkg-config ccache libeigen3-dev libceres-dev libfmt-dev nlohmann-json3-dev
          libtomlplusplus-dev libhdf5-dev libjs-three)
python_packages=(pybind11-dev python3-dev python3-numpy python3-venv python3-setuptools python3-pip)
for arg in "$@"; do
  case "$arg" in
    --dev) packages+=(catch2 libbenchmark-dev libopencv-dev chromium python3 "${python_packages[@]}" python3-pytest
                      python3-scipy python3-opencv python3-dask python3-distributed) ;;
    --python) packages+=("${python_packages[@]}") ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    *) echo "usage: scripts/install-deps.sh [--dev] [--python] [--fuzz]" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
echo "crossview: installing missing packages: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "crossview: missing packages (${missing[*]}) and not root; install them and retry" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
