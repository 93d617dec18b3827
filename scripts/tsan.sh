#!/usr/bin/env bash
# ThreadSanitizer check of crossview's multi-threaded paths: builds (in its own
# build dir) only the robustness tests and the CLI with -fsanitize=thread, then
# runs the thread-determinism tests and `crossview demo --frames 12 --threads 4`
# (RPSM + triangulation + metrics over frames on a worker pool), and, when the
# shared data is there, `crossview demo --data .../pose2sim_demo --threads 4`. Exits non-zero
# on any data race or test failure.
#
#   scripts/tsan.sh
# Environment: CROSSVIEW_TSAN_BUILD_DIR (default build/tsan),
#              CROSSVIEW_TSAN_CXX      (default clang++ if present, else g++),
#              CROSSVIEW_TSAN_JOBS     (build parallelism, default 2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CROSSVIEW_TSAN_BUILD_DIR:-$root/build/tsan}"
jobs="${CROSSVIEW_TSAN_JOBS:-2}"
cxx="${CROSSVIEW_TSAN_CXX:-}"
if [[ -z "$cxx" ]]; then
  if command -v clang++ >/dev/null; then cxx=clang++; else cxx=g++; fi
fi
start=$(date +%s)

"$root/scripts/install-deps.sh" --dev
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
flags="-fsanitize=thread -fno-omit-frame-pointer -g"
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
  -DCROSSVIEW_BUILD_TESTS=ON -DCROSSVIEW_BUILD_CLI=ON -DCROSSVIEW_BUILD_BENCHMARKS=OFF \
  -DCROSSVIEW_BUILD_EXAMPLES=OFF -DCROSSVIEW_SANITIZE=OFF -DCROSSVIEW_INSTALL=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target test_thread_determinism crossview_cli

# Kernels with 32 bits of mmap randomness break TSan's fixed memory layout
# ("unexpected memory mapping"); run without address randomization then.
run=()
if command -v setarch >/dev/null && setarch "$(uname -m)" -R true 2>/dev/null; then
  run=(setarch "$(uname -m)" -R)
fi
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
status=0
echo "=== tsan: test_thread_determinism"
"${run[@]}" "$build/tests/robustness/test_thread_determinism" || status=1
echo "=== tsan: crossview demo --frames 12 --threads 4"
report="$build/tsan-demo.html"
"${run[@]}" "$build/bin/crossview" demo --frames 12 --threads 4 --report "$report" || status=1
data="${CROSSVIEW_SHARED_DATA_DIR:-$root/../shared/data}/pose2sim_demo"
if [[ -d "$data" ]]; then
  echo "=== tsan: crossview demo --data $data --threads 4 (calibration, triangulation, RPSM on the real capture)"
  "${run[@]}" "$build/bin/crossview" demo --data "$data" --threads 4 --quiet --report "$build/tsan-real.html" || status=1
fi
echo "=== tsan: $([[ $status == 0 ]] && echo "no data race, tests passed" || echo FAILED) ($(( $(date +%s) - start )) s)"
exit $status
