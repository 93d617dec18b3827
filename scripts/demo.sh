#!/usr/bin/env bash
# Builds crossview (Release) and runs the main job, `crossview demo`, on the built-in
# synthetic scene. Extra arguments are passed to the demo (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCROSSVIEW_BUILD_TESTS=OFF -DCROSSVIEW_BUILD_BENCHMARKS=OFF -DCROSSVIEW_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build/release -j2 --target crossview_cli
exec build/release/bin/crossview demo "$@"
