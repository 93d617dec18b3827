#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang and runs each of them:
# first over its committed corpus (regression), then on new inputs in a
# scratch corpus (the committed corpus is never written to). Exits non-zero on
# any finding and prints the crashing input.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   explore for that long (default 60);
#                                          the libFuzzer seed is random
#   scripts/fuzz.sh --runs N [--seed S]    exactly N new inputs per target from
#                                          seed S (default 1): independent of the
#                                          machine's speed and reproducible on one
#                                          machine; another filesystem may list
#                                          equal-sized corpus files in another
#                                          order, which libFuzzer keeps, so it can
#                                          explore differently (a CI finding is
#                                          reproduced from its crash file)
# Environment: CROSSVIEW_FUZZ_BUILD_DIR (default build/fuzz),
#              CROSSVIEW_FUZZ_WORK_DIR  (default <build dir>/fuzz-work),
#              CROSSVIEW_FUZZ_JOBS      (build parallelism, default 2).
set -euo pipefail
usage() { echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] | --runs N [--seed S]" >&2; exit 2; }
seconds=60
runs=""
seed=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || usage; runs="$2"; shift 2 ;;
    --seed) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" != 0 ]] || usage; seed="$2"; shift 2 ;;
    *) [[ "$1" =~ ^[0-9]+$ ]] || usage; seconds="$1"; shift ;;
  esac
done
if [[ -n "$seed" && -z "$runs" ]]; then
  echo "scripts/fuzz.sh: --seed needs --runs (a timed run is not reproducible)" >&2
  exit 2
fi
[[ -n "$runs" && -z "$seed" ]] && seed=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CROSSVIEW_FUZZ_BUILD_DIR:-$root/build/fuzz}"
work="${CROSSVIEW_FUZZ_WORK_DIR:-$build/fuzz-work}"
jobs="${CROSSVIEW_FUZZ_JOBS:-2}"

# --- toolchain: clang + the libFuzzer/sanitizer runtimes (Debian packages) ----
"$root/scripts/install-deps.sh" --fuzz

# --- build ---------------------------------------------------------------------
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCROSSVIEW_BUILD_FUZZERS=ON \
  -DCROSSVIEW_BUILD_TESTS=OFF -DCROSSVIEW_BUILD_BENCHMARKS=OFF -DCROSSVIEW_BUILD_EXAMPLES=OFF \
  -DCROSSVIEW_BUILD_CLI=OFF -DCROSSVIEW_INSTALL=OFF >/dev/null
mapfile -t targets < <(grep -v '^$' "$build/tests/fuzz/fuzzers.txt")
t_build=$SECONDS
cmake --build "$build" -j"$jobs" --target "${targets[@]}"
echo "crossview fuzz: build $((SECONDS - t_build)) s"
t_run=$SECONDS

# --- run -----------------------------------------------------------------------
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$work"
failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  corpus="$root/tests/fuzz/corpus/$t"
  dict="$root/tests/fuzz/dict/$t.dict"
  scratch="$work/$t/corpus"
  artifacts="$work/$t/artifacts/"
  rm -rf "$work/$t"
  mkdir -p "$scratch" "$artifacts"
  opts=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts" -print_final_stats=1)
  [[ -f "$dict" ]] && opts+=(-dict="$dict")
  log="$work/$t/log.txt"

  echo "=== $t: regression over tests/fuzz/corpus/$t"
  if [[ -d "$corpus" ]] && ! "$bin" "${opts[@]}" -runs=0 "$corpus" >"$log.regression" 2>&1; then
    tail -n 40 "$log.regression"
    failed+=("$t (committed corpus: $(grep -o 'Test unit written to .*' "$log.regression" || echo "see $log.regression"))")
    continue
  fi
  if [[ -n "$runs" ]]; then
    budget=(-runs="$runs" -seed="$seed")
    what="$runs runs from seed $seed"
  else
    budget=(-max_total_time="$seconds")
    what="${seconds}s"
  fi
  if [[ -n "$runs" && "$runs" -gt 0 ]] || [[ -z "$runs" && "$seconds" -gt 0 ]]; then
    echo "=== $t: fuzzing, $what"
    seeds=()
    [[ -d "$corpus" ]] && seeds=("$corpus")
    if ! "$bin" "${opts[@]}" "${budget[@]}" "$scratch" "${seeds[@]}" >"$log" 2>&1; then
      tail -n 40 "$log"
      crash=$(grep -o 'Test unit written to .*' "$log" | sed 's/Test unit written to //' | tail -n 1)
      failed+=("$t: ${crash:-see $log}")
      continue
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo "?")
    summary+=("$t: ${execs} execs ($what), cov ${cov}, corpus $(ls "$scratch" | wc -l) files")
  fi
done

echo
echo "=== crossview fuzz summary ($((SECONDS - t_run)) s of fuzzing)"
for s in "${summary[@]}"; do echo "  $s"; done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FINDINGS:" >&2
  for f in "${failed[@]}"; do echo "  $f" >&2; done
  echo "Reproduce: $build/tests/fuzz/<target> <crash file>" >&2
  exit 1
fi
echo "no findings"
