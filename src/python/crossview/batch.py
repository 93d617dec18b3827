"""Batch triangulation of many trials (Pose2Sim-like folders), locally or on a Dask cluster.

A *trial* is a folder holding (Pose2Sim's layout, as in ../shared/data/pose2sim_demo):

    <trial>/pose/<camera>_json/*.json    one OpenPose JSON folder per camera, sorted by name =
                                         the calibration's camera order
    <trial>/Calib*.toml (or any calibration read_rig recognises: *.toml, *.json, *.qca.txt,
                         looked for in the trial and up to two parent folders)
    Config.toml (optional, trial or parents): project.frame_rate for the filter and the TRC

For each trial the runner reads the calibration and the detections, picks the main person per
camera and frame (io.select_main_person, preferring the previous frame's choice), triangulates
every frame (triangulation.triangulate_batch), optionally filters the tracks
(temporal.butterworth_filter) and writes <out>/<trial name>.trc and .npz (points (F, J, 3),
status (F, J), reprojection errors, frame numbers). Each trial is independent: a trial that
fails (missing folder, malformed file, ...) is reported with its error and the others finish.

    results = crossview.batch.run_trials(crossview.batch.find_trials(root), out_dir="out")
    results = crossview.batch.run_trials(trials, out_dir="out", scheduler="tcp://host:8786")

Local by default (`workers` threads: the C++ work releases the GIL); with `scheduler` (an
address or a distributed.Client) every trial is a Dask task. Results are the same either way
(the computation is deterministic and does not depend on where it runs; `points_sha256`
fingerprints each trial's points to check it). Progress: one line per finished trial on
stderr (or a `progress(done, total, result)` callback).

Command line: python -m crossview.batch ROOT [--out DIR] [--scheduler ADDR] [--workers N]
"""
from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import glob
import hashlib
import os
import sys
import time
import traceback
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np

CALIBRATION_PATTERNS = ("Calib*.toml", "calib*.toml", "Calib*.json", "calib*.json", "*.qca.txt")


@dataclasses.dataclass
class TrialConfig:
    """What to do with each trial (picklable: sent to Dask workers)."""

    out_dir: Optional[str] = None          #: where to write <trial>.trc / .npz (None: nothing written)
    min_confidence: float = 0.3            #: detections at or below are missing (Pose2Sim's threshold)
    method: str = "AUTO"                   #: crossview.triangulation.Method name
    filter: bool = True                    #: Butterworth low-pass (order 4, 6 Hz) when a frame rate is known
    rate_hz: Optional[float] = None        #: overrides the Config.toml frame rate
    num_threads: int = 1                   #: C++ threads per trial (results do not depend on it)


@dataclasses.dataclass
class TrialResult:
    """The outcome of one trial."""

    trial: str
    ok: bool
    message: str
    num_frames: int = 0
    num_cameras: int = 0
    num_joints: int = 0
    success_rate: float = 0.0              #: joints triangulated / (frames x joints)
    mean_reprojection_error_px: float = float("nan")
    points_sha256: str = ""                #: fingerprint of the final points (bit-exact comparison)
    outputs: List[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0


def find_trials(root: str) -> List[str]:
    """Folders under `root` (root included) that hold a pose/ folder, sorted."""
    out = []
    for dirpath, dirnames, _ in os.walk(root):
        if "pose" in dirnames and os.path.isdir(os.path.join(dirpath, "pose")):
            out.append(dirpath)
            dirnames[:] = [d for d in dirnames if d != "pose"]
    return sorted(out)


def find_calibration(trial: str, max_levels_up: int = 2) -> str:
    """The calibration file of a trial (the trial folder first, then its parents)."""
    folder = os.path.abspath(trial)
    for _ in range(max_levels_up + 1):
        for pattern in CALIBRATION_PATTERNS:
            found = sorted(glob.glob(os.path.join(folder, pattern)))
            if found:
                return found[0]
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    raise FileNotFoundError(f"{trial}: no calibration file ({', '.join(CALIBRATION_PATTERNS)}) in the trial "
                            f"or {max_levels_up} parent folders")


def _pose2sim_config(trial: str):
    from . import io
    try:
        return io.find_pose2sim_config(trial)
    except (OSError, ValueError):
        return None


def _marker_names(trial_config, num_joints: int) -> List[str]:
    """The joint names of the Config.toml pose_model when it is a built-in of that size, else joint_<j>."""
    from . import io
    if trial_config is not None and trial_config.pose_model:
        try:
            skeleton = io.load_skeleton(trial_config.pose_model)
            if skeleton.num_joints == num_joints:
                return list(skeleton.names)
        except (OSError, ValueError):
            pass
    return [f"joint_{j}" for j in range(num_joints)]


def load_trial(trial: str, min_confidence: float = 0.0):
    """(rig, keypoints (F, V, J, 2), scores (F, V, J), frame numbers (F,)) of a trial."""
    from . import io
    rig = io.read_rig(find_calibration(trial))
    pose_dir = os.path.join(trial, "pose")
    if not os.path.isdir(pose_dir):
        raise FileNotFoundError(f"{trial}: no pose/ folder")
    folders = sorted(os.path.join(pose_dir, d) for d in os.listdir(pose_dir) if os.path.isdir(os.path.join(pose_dir, d)))
    if len(folders) != len(rig):
        raise ValueError(f"{trial}: {len(folders)} keypoint folders under pose/ but {len(rig)} cameras in the calibration")
    per_view = []
    num_joints = 0
    for folder in folders:
        frames = io.read_openpose_folder(folder)
        person = io.select_main_person(frames, prefer_previous=True)
        joints = max((p.num_joints for f in frames for p in f.people), default=0)
        num_joints = num_joints or joints
        if joints and joints != num_joints:
            raise ValueError(f"{folder}: {joints} joints per person, other cameras have {num_joints}")
        per_view.append((frames, person))
    if num_joints == 0:
        raise ValueError(f"{trial}: no person detected in any frame of any camera")
    numbers = sorted({f.frame_number for frames, _ in per_view for f in frames})
    index = {n: i for i, n in enumerate(numbers)}
    F, V = len(numbers), len(folders)
    keypoints = np.full((F, V, num_joints, 2), np.nan)
    scores = np.zeros((F, V, num_joints))
    for v, (frames, person) in enumerate(per_view):
        kp, sc = io.openpose_keypoints(frames, person, num_joints)
        rows = [index[f.frame_number] for f in frames]
        keypoints[rows, v] = kp
        scores[rows, v] = sc
    scores[scores <= min_confidence] = 0.0
    return rig, keypoints, scores, np.asarray(numbers)


def process_trial(trial: str, config: Optional[TrialConfig] = None) -> TrialResult:
    """Triangulates (and filters, and writes) one trial; never raises: a failure is a result."""
    from . import io, temporal, triangulation
    config = config or TrialConfig()
    start = time.perf_counter()
    name = os.path.basename(os.path.normpath(trial))
    try:
        rig, keypoints, scores, numbers = load_trial(trial, config.min_confidence)
        method = getattr(triangulation.Method, config.method)
        batch = triangulation.triangulate_batch(rig, keypoints, scores, method=method,
                                                min_confidence=config.min_confidence, num_threads=config.num_threads)
        points = batch.points_in_world
        ok = batch.status == triangulation.Status.SUCCESS.value
        trial_config = _pose2sim_config(trial)
        rate = config.rate_hz or (trial_config.frame_rate_hz if trial_config is not None else None)
        message = f"{int(ok.sum())} of {ok.size} joints triangulated"
        if config.filter and rate:
            filtered = temporal.butterworth_filter(points, rate)
            points = filtered.points
            message += f"; Butterworth 6 Hz at {rate:g} Hz: {filtered.status.message}"
        elif config.filter:
            message += "; not filtered (no frame rate: set rate_hz or project.frame_rate)"
        outputs = []
        if config.out_dir:
            os.makedirs(config.out_dir, exist_ok=True)
            npz = os.path.join(config.out_dir, name + ".npz")
            np.savez_compressed(npz, points_in_world=points, status=batch.status, frame_numbers=numbers,
                                reprojection_error_px=batch.reprojection_error_px, used_views=batch.used_views)
            outputs.append(npz)
            if rate:
                trc = io.make_trc(_marker_names(trial_config, keypoints.shape[2]), points, rate_hz=rate, units=rig.length_unit,
                                  first_frame_number=int(numbers[0]) + 1 if len(numbers) else 1,
                                  file_name=name + ".trc")
                path = os.path.join(config.out_dir, name + ".trc")
                io.write_trc(trc, path)
                outputs.append(path)
        errors = batch.mean_reprojection_error_px[ok]
        return TrialResult(trial=trial, ok=True, message=message, num_frames=keypoints.shape[0],
                           num_cameras=keypoints.shape[1], num_joints=keypoints.shape[2],
                           success_rate=float(ok.mean()) if ok.size else 0.0,
                           mean_reprojection_error_px=float(errors.mean()) if errors.size else float("nan"),
                           points_sha256=hashlib.sha256(np.ascontiguousarray(points).tobytes()).hexdigest(),
                           outputs=outputs, seconds=time.perf_counter() - start)
    except Exception as e:  # noqa: BLE001 -- a failed trial is reported, the others go on
        return TrialResult(trial=trial, ok=False, message=f"{type(e).__name__}: {e}",
                           seconds=time.perf_counter() - start)


def _default_progress(done: int, total: int, result: TrialResult) -> None:
    state = "ok" if result.ok else "FAILED"
    print(f"[{done}/{total}] {result.trial}: {state} ({result.seconds:.1f} s) {result.message}", file=sys.stderr,
          flush=True)


def run_trials(trials: Sequence[str], out_dir: Optional[str] = None, scheduler: Any = None, workers: int = 1,
               config: Optional[TrialConfig] = None,
               progress: Optional[Callable[[int, int, TrialResult], None]] = _default_progress) -> List[TrialResult]:
    """Processes every trial; returns one TrialResult per trial, in the order given.

    scheduler: None = in this process (`workers` threads); a Dask scheduler address
    ("tcp://host:8786") or a distributed.Client = one Dask task per trial. A failed trial is a
    result with ok = False and the error message; the other trials finish.
    """
    config = dataclasses.replace(config or TrialConfig(), out_dir=out_dir if out_dir is not None else
                                 (config.out_dir if config else None))
    trials = [os.fspath(t) for t in trials]
    total = len(trials)
    results: Dict[int, TrialResult] = {}

    def finished(i: int, result: TrialResult) -> None:
        results[i] = result
        if progress is not None:
            progress(len(results), total, result)

    if scheduler is None:
        if workers <= 1:
            for i, trial in enumerate(trials):
                finished(i, process_trial(trial, config))
        else:
            with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
                futures = {pool.submit(process_trial, t, config): i for i, t in enumerate(trials)}
                for future in concurrent.futures.as_completed(futures):
                    finished(futures[future], future.result())
        return [results[i] for i in range(total)]

    from distributed import Client, as_completed
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = [client.submit(process_trial, t, config, pure=False, key=f"crossview-trial-{i}-{os.path.basename(t)}")
                   for i, t in enumerate(trials)]
        index = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            i = index[future.key]
            try:
                result = future.result()
            except Exception as e:  # noqa: BLE001 -- e.g. a worker died: report the trial
                result = TrialResult(trial=trials[i], ok=False, message=f"{type(e).__name__}: {e}")
            finished(i, result)
    finally:
        if client is not scheduler:
            client.close()
    return [results[i] for i in range(total)]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crossview.batch", description=__doc__.split("\n")[0])
    parser.add_argument("root", help="folder of trials (every folder holding a pose/ folder)")
    parser.add_argument("--out", default=None, help="output folder (<trial>.trc, <trial>.npz)")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address (default: run here)")
    parser.add_argument("--workers", type=int, default=1, help="local threads (without --scheduler)")
    parser.add_argument("--rate", type=float, default=None, help="frame rate (Hz) when Config.toml has none")
    parser.add_argument("--no-filter", action="store_true", help="skip the Butterworth filter")
    args = parser.parse_args(argv)
    trials = find_trials(args.root)
    if not trials:
        print(f"crossview.batch: no trial (folder with a pose/ subfolder) under {args.root}", file=sys.stderr)
        return 2
    config = TrialConfig(rate_hz=args.rate, filter=not args.no_filter)
    results = run_trials(trials, out_dir=args.out, scheduler=args.scheduler, workers=args.workers, config=config)
    failed = [r for r in results if not r.ok]
    print(f"crossview.batch: {len(results) - len(failed)} of {len(results)} trials done", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # pragma: no cover
        traceback.print_exc()
        sys.exit(130)
