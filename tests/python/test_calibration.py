import numpy as np
import pytest

import crossview
from crossview import calibration
from conftest import ring_rig

J = 17


def walking_person(F, seed=0):
    """A 17-joint body (H36M proportions, metres) walking a circle while its limbs swing."""
    skel = crossview.Skeleton.human36m_17()
    priors = skel.limb_priors / 1000.0
    rng = np.random.default_rng(seed)
    dirs = rng.normal(size=(J, 3))
    out = np.zeros((F, J, 3))
    for f in range(F):
        a = 2 * np.pi * f / F
        X = np.zeros((J, 3))
        X[skel.root] = [0.8 * np.cos(a), 0.8 * np.sin(a), 1.0]
        for parent, child in skel.limbs:
            d = dirs[child] + 0.6 * np.array([np.sin(3 * a + child), np.cos(2 * a + child), 0.3 * np.sin(a)])
            X[child] = X[parent] + priors[child, 0] * d / np.linalg.norm(d)
        out[f] = X
    return out


def angle_deg(A, B):
    return np.degrees(np.arccos(np.clip((np.trace(A.T @ B) - 1) / 2, -1, 1)))


def test_calibrate_rig_recovers_relative_poses():
    cams = ring_rig(num_cameras=4)
    X = walking_person(120)
    rng = np.random.default_rng(2)
    detections = []
    for c in cams:
        frames = []
        for f in range(len(X)):
            px = c.project(X[f])[0] + rng.normal(0, 0.5, (J, 2))
            frames.append((px[None], np.full((1, J), 0.9)))
        detections.append(frames)
    intrinsics = [crossview.Camera(c.model, c.params, c.width, c.height) for c in cams]
    r = calibration.calibrate_rig(intrinsics, detections, layout=calibration.KeypointLayout.HUMAN36M_17)
    assert r.status in (calibration.Status.SUCCESS,), (r.status, r.message)
    assert len(r.cameras) == 4 and r.reprojection_rms_px < 2.0
    for i in range(1, 4):
        R_true = cams[i].R @ cams[0].R.T
        R_est = r.cameras[i].R @ r.cameras[0].R.T
        assert angle_deg(R_true, R_est) < 0.1  # measured 0.014-0.024 deg at 0.5 px noise
        t_true = cams[i].t - R_true @ cams[0].t
        t_est = r.cameras[i].t - R_est @ r.cameras[0].t
        cos = t_true @ t_est / np.linalg.norm(t_true) / np.linalg.norm(t_est)
        assert np.degrees(np.arccos(min(1.0, cos))) < 0.5
    assert r.points_in_world.shape == (120 * J, 3)
    bad = calibration.calibrate_rig(intrinsics[:1], detections[:1])
    assert bad.status == calibration.Status.TOO_FEW_CAMERAS and bad.status.message and bad.message
    with pytest.raises(ValueError):
        calibration.calibrate_rig(intrinsics, detections, min_confidence=2.0)
