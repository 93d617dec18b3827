#!/usr/bin/env bash
# Builds crossview (Release) and runs the main job on the built-in synthetic scene.
# Extra arguments are passed to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCROSSVIEW_BUILD_TESTS=OFF -DCROSSVIEW_BUILD_BENCHMARKS=OFF -DCROSSVIEW_BUILD_EXAMPLES=ON >/dev/null
cmake --build build/release -j2 --target crossview_demo
exec build/release/examples/crossview_demo "$@"
