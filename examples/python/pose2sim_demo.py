"""Triangulate the Pose2Sim demo capture from numpy and compare with Pose2Sim's own TRC.

    /usr/bin/python3 examples/python/pose2sim_demo.py [../shared/data/pose2sim_demo]

(with the package installed, or PYTHONPATH=build/py/python). Reads the calibration and the
four OpenPose folders, triangulates the 100 frames in one call, filters them like Pose2Sim
(Butterworth, order 4, 6 Hz at 60 Hz) and prints the per-joint distance to Pose2Sim's
BalancingTrial_0-100.trc for the joints both have.
"""
import pathlib
import sys

import numpy as np

import crossview
import crossview.batch
from crossview import io, temporal, triangulation

demo = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2] / ".." /
                    "shared" / "data" / "pose2sim_demo")
rig, keypoints, scores, frame_numbers = crossview.batch.load_trial(str(demo), min_confidence=0.3)
print(f"{rig}: {keypoints.shape[0]} frames x {keypoints.shape[1]} views x {keypoints.shape[2]} joints")

result = triangulation.triangulate_batch(rig, keypoints, scores, method=triangulation.Method.ROBUST_DLT)  # the CLI default
ok = result.status == triangulation.Status.SUCCESS.value
print(f"triangulated {ok.sum()} of {ok.size} joints; median reprojection error "
      f"{np.nanmedian(result.mean_reprojection_error_px[ok]):.2f} px")
for code in np.unique(result.status[~ok]):
    print(f"  {np.sum(result.status == code)} x {triangulation.Status(int(code)).message}")

smooth = temporal.butterworth_filter(result.points_in_world, 60.0)
print(f"Butterworth: {smooth.status.message}")

trc = io.read_trc(demo / "BalancingTrial_0-100.trc")
body25b = crossview.builtin_skeleton("BODY_25B")
theirs = trc.positions[..., [2, 0, 1]]  # Pose2Sim's Y-up TRC axes -> calibration world (trc_to_world)
rows = []
for m, name in enumerate(trc.marker_names):
    j = body25b.joint_index(name)
    if j < 0:
        continue
    d = np.linalg.norm(smooth.points[:, j] - theirs[:, m], axis=-1)
    rows.append((name, np.nanmedian(d) * 1000))
for name, mm in rows:
    print(f"  {name:10s} {mm:7.1f} mm")
print(f"median over {len(rows)} joints: {np.median([mm for _, mm in rows]):.1f} mm from Pose2Sim's TRC")
