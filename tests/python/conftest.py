"""Shared fixtures: seeded synthetic scenes in the library's layout."""
import os
import pathlib

import numpy as np
import pytest

import crossview


def look_at_rvec_t(center, target=(0.0, 0.0, 1.0), up=(0.0, 0.0, 1.0)):
    """R, t of a camera at `center` looking at `target` (world z up)."""
    center = np.asarray(center, float)
    z = np.asarray(target, float) - center
    z /= np.linalg.norm(z)
    x = np.cross(z, up)
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    R = np.stack([x, y, z])
    return R, -R @ center


def ring_rig(num_cameras=4, radius=4.0, distortion=True, seed=0):
    """Cameras on a ring around the origin, 1280 x 720, OpenCV model with mild distortion."""
    rng = np.random.default_rng(seed)
    cameras = []
    for i in range(num_cameras):
        a = 2 * np.pi * i / num_cameras + 0.1
        R, t = look_at_rvec_t([radius * np.cos(a), radius * np.sin(a), 1.5 + 0.2 * i])
        f = 1000 + 50 * i
        params = [f, f * 1.01, 640 + 3 * i, 360 - 2 * i]
        if distortion:
            params += list(rng.uniform(-0.05, 0.05, 2)) + list(rng.uniform(-1e-3, 1e-3, 2)) + [0.0]
            cameras.append(crossview.Camera("OPENCV", params, 1280, 720, R=R, t=t, name=f"cam{i}"))
        else:
            cameras.append(crossview.Camera("PINHOLE", params, 1280, 720, R=R, t=t, name=f"cam{i}"))
    return cameras


def random_points(n, seed=1):
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(-0.8, 0.8, n), rng.uniform(-0.8, 0.8, n), rng.uniform(0.1, 1.9, n)])


def project_all(cameras, points):
    """(V, N, 2) pixels of points (N, 3) in every camera."""
    out = []
    for c in cameras:
        px, status = c.project(points)
        assert (status == 0).all()
        out.append(px)
    return np.stack(out)


@pytest.fixture
def rig():
    return ring_rig()


@pytest.fixture
def pinhole_rig():
    return ring_rig(distortion=False)


def shared_data_dir():
    d = os.environ.get("CROSSVIEW_SHARED_DATA_DIR")
    if d:
        return pathlib.Path(d)
    return pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture
def shared_data():
    d = shared_data_dir()
    if not (d / "pose2sim_demo" / "Calib_qualisys.toml").exists():
        pytest.skip(f"shared data not found at {d}")
    return d
