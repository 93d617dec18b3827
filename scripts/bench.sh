#!/usr/bin/env bash
# Runs the benchmarks that have a peer (OpenCV) in the same binary and prints one
# table: crossview's median time, the peer's, the ratio (peer / crossview: above 1
# means crossview is faster) and the accuracy counters beside them, so anyone can
# check the performance claims of docs/benchmarks.md in one command.
#
#   scripts/bench.sh              epipolar solvers + robust estimation (the issue-3 bars),
#                                 camera projection, two-view triangulation
#   scripts/bench.sh --all        also k-means (PSS fit vs cv::kmeans: ~15 s)
#   scripts/bench.sh --reps N     repetitions per benchmark (default 5; medians reported)
# Environment: CROSSVIEW_BENCH_BUILD_DIR (default build/bench), CROSSVIEW_JOBS (2).
# Run it on an otherwise idle machine; the ratios come from the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
all=0
reps=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --all) all=1; shift ;;
    --reps) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/bench.sh [--all] [--reps N]" >&2; exit 2; }
            reps=$2; shift 2 ;;
    *) echo "usage: scripts/bench.sh [--all] [--reps N]" >&2; exit 2 ;;
  esac
done
scripts/install-deps.sh --dev
if [[ ! -x /usr/bin/python3 ]]; then
  echo "scripts/bench.sh: needs /usr/bin/python3 (Debian package python3) to print the table" >&2
  exit 1
fi
build=${CROSSVIEW_BENCH_BUILD_DIR:-build/bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCROSSVIEW_BUILD_TESTS=OFF \
      -DCROSSVIEW_BUILD_EXAMPLES=OFF -DCROSSVIEW_BUILD_CLI=OFF -DCROSSVIEW_BUILD_BENCHMARKS=ON >/dev/null
binaries=(bench_epipolar_solvers bench_robust_essential bench_robust_fundamental bench_camera bench_triangulation)
[[ $all -eq 1 ]] && binaries+=(bench_metrics)
cmake --build "$build" -j"${CROSSVIEW_JOBS:-2}" --target "${binaries[@]}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {  # binary filter
  local bin
  bin=$(find "$build/benchmarks" -type f -name "$1" -perm -u+x | head -n 1)
  echo "running $1 ($2)" >&2
  "$bin" --benchmark_filter="$2" --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
         --benchmark_format=json >"$out/$1.json"
}
run bench_epipolar_solvers '.'
run bench_robust_essential '.'
run bench_robust_fundamental 'BM_EstimateFundamental/999|BM_OpenCVFundamental'
run bench_camera '.'
run bench_triangulation 'HartleySturm|correctMatches|DLT_TwoView|triangulatePoints_TwoView'
[[ $all -eq 1 ]] && run bench_metrics 'BM_PssFit/100000/100|BM_OpenCVKMeans'
/usr/bin/python3 - "$out" <<'PY'
import json, os, re, sys
out = sys.argv[1]
runs = {}
context = None
for f in sorted(os.listdir(out)):
    data = json.load(open(os.path.join(out, f)))
    context = context or data.get("context", {})
    for b in data["benchmarks"]:
        # Medians over repetitions; with --reps 1 the single run.
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b["run_name"]
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        acc = {k: v for k, v in b.items() if k not in (
            "name", "family_index", "per_family_instance_index", "run_name", "run_type",
            "repetitions", "threads", "aggregate_name", "aggregate_unit", "iterations",
            "real_time", "cpu_time", "time_unit", "repetition_index") and isinstance(v, (int, float))
               and "per_second" not in k and not k.startswith("ns_per")}
        runs[name] = (b["cpu_time"] * scale, acc)

# (workload, crossview run, peer run, peer name)
pairs = [
    ("5-point essential (minimal)", r"BM_crossview_5point$", r"BM_opencv_5point$", "cv 5-point"),
    ("7-point fundamental (minimal)", r"BM_crossview_fundamental<7>$", r"BM_opencv_fundamental<7>$", "cv FM_7POINT"),
    ("8-point fundamental (minimal)", r"BM_crossview_fundamental<8>$", r"BM_opencv_fundamental<8>$", "cv FM_8POINT"),
    ("estimate_essential, N 1000, 50 % out.", r"BM_EstimateEssential$", r"BM_OpenCVFindEssential/38$", "cv USAC_MAGSAC"),
    ("estimate_essential, N 1000, 50 % out.", r"BM_EstimateEssential$", r"BM_OpenCVFindEssential/8$", "cv RANSAC"),
    ("estimate_fundamental, conf 0.999", r"BM_EstimateFundamental/999$", r"BM_OpenCVFundamental/38$", "cv USAC_MAGSAC"),
    ("estimate_fundamental, conf 0.999", r"BM_EstimateFundamental/999$", r"BM_OpenCVFundamental/8$", "cv FM_RANSAC"),
    ("project (OpenCV model)", r"BM_crossview_project$", r"BM_opencv_projectPoints$", "cv projectPoints"),
    ("unproject (OpenCV model)", r"BM_crossview_unproject$", r"BM_opencv_undistortPoints$", "cv undistortPoints"),
    ("two-view optimal correction", r"BM_HartleySturm_Polynomial$", r"BM_OpenCV_correctMatches$", "cv correctMatches"),
    ("two-view DLT", r"BM_DLT_TwoView$", r"BM_OpenCV_triangulatePoints_TwoView$", "cv triangulatePoints"),
    ("PSS k-means fit, 100k x 51, k 100", r"BM_PssFit/100000/100", r"BM_OpenCVKMeans/1", "cv kmeans"),
]
def find(rx):
    for n, v in runs.items():
        if re.search(rx, n):
            return n, v
    return None, None
def fmt_t(t):
    for unit, s in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if t >= s:
            return f"{t / s:.3g} {unit}"
    return f"{t:.3g} s"
def fmt_acc(acc):
    return ", ".join(f"{k} {v:.4g}" for k, v in sorted(acc.items())) or "-"
ctx = context or {}
print()
print(f"crossview vs peer, same run, CPU-time medians of {ctx.get('num_cpus', '?')}-CPU host "
      f"{os.uname().nodename} at {ctx.get('mhz_per_cpu', '?')} MHz, {ctx.get('date', '')}")
print(f"| workload | crossview | peer | peer time | peer / crossview | crossview accuracy | peer accuracy |")
print(f"|---|---|---|---|---|---|---|")
missing = []
for label, ours_rx, peer_rx, peer in pairs:
    n1, v1 = find(ours_rx)
    n2, v2 = find(peer_rx)
    if v1 is None or v2 is None:
        if "PssFit" not in ours_rx:
            missing.append(label + " / " + peer)
        continue
    print(f"| {label} | {fmt_t(v1[0])} | {peer} | {fmt_t(v2[0])} | {v2[0] / v1[0]:.2f}x | "
          f"{fmt_acc(v1[1])} | {fmt_acc(v2[1])} |")
if missing:
    print("missing runs (benchmark renamed?): " + "; ".join(missing), file=sys.stderr)
    sys.exit(1)
PY
