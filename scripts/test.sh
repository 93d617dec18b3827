#!/usr/bin/env bash
# Builds crossview with its tests and benchmarks and runs the whole test suite with ctest.
#   scripts/test.sh             Release build in build/test (C++ suite + the Python package's pytest suite)
#   scripts/test.sh --sanitize  AddressSanitizer + UBSan build in build/asan
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --dev
jobs=${CROSSVIEW_JOBS:-2}
if [[ "${1:-}" == "--sanitize" ]]; then
  dir=build/asan
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCROSSVIEW_SANITIZE=ON \
        -DCROSSVIEW_BUILD_BENCHMARKS=OFF -DCROSSVIEW_BUILD_EXAMPLES=OFF >/dev/null
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  dir=build/test
  # The Release suite also builds the Python package and runs its pytest suite
  # (tests/python; not under the sanitizers: Python + ASan needs a preloaded runtime).
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCROSSVIEW_BUILD_PYTHON=ON \
        -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null
fi
t0=$SECONDS
cmake --build "$dir" -j"$jobs"
t1=$SECONDS
rc=0
ctest --test-dir "$dir" -j"$jobs" --output-on-failure --timeout 900 || rc=$?
echo "crossview test.sh ($dir): build $((t1 - t0)) s, tests $((SECONDS - t1)) s"
exit $rc
