"""Batched triangulation from numpy: crossview.triangulate_batch vs Python loops.

    PYTHONPATH=build/py/python /usr/bin/python3 benchmarks/python/bench_triangulate.py [--frames 10000]

Scene (the C++ benchmark BM_Skeleton_17x4's): 4 OpenCV cameras with radial distortion
(k1 = -0.15, k2 = 0.03) on a 4 m ring, 17 joints per frame uniformly in a 0.8 x 0.8 x 1.7 m
box, 2 px Gaussian noise, scores in [0.5, 1]. Timings are wall-clock medians of --repeats
runs on one core unless stated. Peers on the same arrays:
  * a Python loop over frames calling cv2.undistortPoints + cv2.triangulatePoints (two views:
    OpenCV has no multi-view triangulation), vectorised over the 17 joints of a frame, and the
    same with one cv2.triangulatePoints call per joint;
  * a Python loop over points of a numpy SVD DLT over the 4 views on undistorted pixels
    (aniposelib's triangulate_simple), timed on a subset and scaled.
Also: import time and the first call of a fresh interpreter (python -c). Figures: medians of
process CPU time (and wall time) per frame; the 2-thread run's CPU time is the sum over threads.
"""
import argparse
import subprocess
import sys
import time

import numpy as np

import crossview
from crossview import triangulation as tr


def look_at(center, target=(0.0, 0.0, 1.0)):
    center = np.asarray(center, float)
    z = np.asarray(target) - center
    z /= np.linalg.norm(z)
    x = np.cross(z, [0.0, 0.0, 1.0])
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    R = np.stack([x, y, z])
    return R, -R @ center


def scene(num_frames, seed=5):
    cams = []
    for v in range(4):
        a = 2 * np.pi * v / 4
        R, t = look_at([4 * np.cos(a), 4 * np.sin(a), 1.5])
        cams.append(crossview.Camera("OPENCV", [1100, 1100, 500, 500, -0.15, 0.03, 0, 0, 0], 1000, 1000, R=R, t=t))
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.uniform(-0.4, 0.4, num_frames * 17), rng.uniform(-0.4, 0.4, num_frames * 17),
                         rng.uniform(0.1, 1.8, num_frames * 17)])
    px = np.stack([c.project(X)[0] for c in cams], axis=0).reshape(4, num_frames, 17, 2).transpose(1, 0, 2, 3)
    px = np.ascontiguousarray(px + rng.normal(0, 2.0, px.shape))
    scores = rng.uniform(0.5, 1.0, px.shape[:3])
    return cams, X.reshape(num_frames, 17, 3), px, scores


def median_time(fn, repeats):
    """Medians of (wall, process CPU) seconds. The machine is shared: CPU time is the figure to
    compare for one-thread runs (wall time includes the time the process waited for a core)."""
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return float(np.median(wall)), float(np.median(cpu))


def cv2_loop(cams, px):
    import cv2
    K = [c.K for c in cams]
    D = [c.distortion for c in cams]
    P = [np.column_stack([c.R, c.t]) for c in cams]  # normalized projection matrices
    out = np.empty((px.shape[0], 17, 3))
    for f in range(px.shape[0]):
        a = cv2.undistortPoints(px[f, 0].reshape(-1, 1, 2), K[0], D[0]).reshape(-1, 2)
        b = cv2.undistortPoints(px[f, 1].reshape(-1, 1, 2), K[1], D[1]).reshape(-1, 2)
        h = cv2.triangulatePoints(P[0], P[1], a.T, b.T)
        out[f] = (h[:3] / h[3]).T
    return out


def cv2_point_loop(cams, px, num_frames):
    """One cv2.triangulatePoints call per joint (undistortion vectorised per frame)."""
    import cv2
    P = [np.column_stack([c.R, c.t]) for c in cams]
    und = [cv2.undistortPoints(px[:num_frames, v].reshape(-1, 1, 2), cams[v].K, cams[v].distortion).reshape(
        num_frames, 17, 2) for v in (0, 1)]
    out = np.empty((num_frames, 17, 3))
    for f in range(num_frames):
        for j in range(17):
            h = cv2.triangulatePoints(P[0], P[1], und[0][f, j].reshape(2, 1), und[1][f, j].reshape(2, 1))
            out[f, j] = h[:3, 0] / h[3, 0]
    return out


def numpy_dlt_loop(cams, px, num_frames):
    import cv2
    P = [np.column_stack([c.R, c.t]) for c in cams]
    und = np.stack([cv2.undistortPoints(px[:num_frames, v].reshape(-1, 1, 2), c.K, c.distortion).reshape(
        num_frames, 17, 2) for v, c in enumerate(cams)], axis=1)
    out = np.empty((num_frames, 17, 3))
    for f in range(num_frames):
        for j in range(17):
            A = np.empty((8, 4))
            for v in range(4):
                x, y = und[f, v, j]
                A[2 * v] = x * P[v][2] - P[v][0]
                A[2 * v + 1] = y * P[v][2] - P[v][1]
            _, _, vt = np.linalg.svd(A, full_matrices=True)
            out[f, j] = vt[-1, :3] / vt[-1, 3]
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cams, X, px, scores = scene(args.frames)
    F = args.frames
    rows = []

    def report(name, seconds, frames, points=None):
        wall, cpu = (1e6 * s / frames for s in seconds)
        err = "" if points is None else f"{1e3 * np.nanmean(np.linalg.norm(points - X[:len(points)], axis=-1)):.2f} mm"
        rows.append((name, cpu, err))
        print(f"{name:66s} CPU {cpu:8.2f} us/frame ({cpu / 17 * 1e3:6.0f} ns/joint)  wall {wall:8.2f} us/frame  "
              f"{err}", flush=True)

    result = {}
    t = median_time(lambda: result.__setitem__("a", tr.triangulate_batch(cams, px, scores)), args.repeats)
    report("crossview.triangulate_batch, DLT + LM, 1 thread", t, F, result["a"].points_in_world)
    t = median_time(lambda: result.__setitem__("b", tr.triangulate_batch(cams, px, scores, num_threads=2)),
                    args.repeats)
    report("crossview.triangulate_batch, DLT + LM, 2 threads", t, F, result["b"].points_in_world)
    t = median_time(lambda: result.__setitem__("c", tr.triangulate_batch(
        cams, px, scores, method=tr.Method.DLT, refine=False)), args.repeats)
    report("crossview.triangulate_batch, DLT only, 1 thread", t, F, result["c"].points_in_world)
    t = median_time(lambda: [tr.triangulate_skeleton(cams, px[f], scores[f]) for f in range(min(F, 2000))], 3)
    report("Python loop over crossview.triangulate_skeleton", t, min(F, 2000))
    try:
        t = median_time(lambda: result.__setitem__("cv", cv2_loop(cams, px)), 3)
        report("Python loop over cv2.undistortPoints+triangulatePoints (2 views)", t, F, result["cv"])
        n = min(F, 2000)
        t = median_time(lambda: result.__setitem__("cvp", cv2_point_loop(cams, px, n)), 3)
        report("Python loop over joints, cv2.triangulatePoints (2 views)", t, n, result["cvp"])
        n = min(F, 300)
        t = median_time(lambda: result.__setitem__("np", numpy_dlt_loop(cams, px, n)), 3)
        report("Python loop over points, numpy SVD DLT (4 views, aniposelib)", t, n, result["np"])
    except ImportError:
        print("cv2 not available: peers skipped")
    code = ("import time; t0 = time.perf_counter(); import crossview, numpy as np; t1 = time.perf_counter(); "
            "c = crossview.Camera.pinhole(1000, 1000, 500, 500, 1000, 1000, t=[0, 0, 4]); "
            "d = crossview.Camera.pinhole(1000, 1000, 500, 500, 1000, 1000, rvec=[0, 0.5, 0], t=[-2, 0, 4]); "
            "px = np.zeros((1, 2, 25, 2)) + 500.0; crossview.triangulate_batch([c, d], px); t2 = time.perf_counter(); "
            "print(f'{1e3 * (t1 - t0):.0f} {1e3 * (t2 - t1):.1f}')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    print(f"fresh interpreter: import crossview (with numpy) {out[0]} ms, first triangulate_batch call {out[1]} ms")


if __name__ == "__main__":
    main()
