import pickle

import numpy as np
import pytest

import crossview
from conftest import random_points, ring_rig

cv2 = pytest.importorskip("cv2")


def test_project_matches_cv2_projectPoints(rig):
    X = random_points(200)
    for cam in rig:
        px, status = cam.project(X)
        assert px.shape == (200, 2) and px.dtype == np.float64
        assert status.shape == (200,) and (status == crossview.ProjectionStatus.SUCCESS.value).all()
        ref, _ = cv2.projectPoints(X, cam.rvec, cam.t, cam.K, cam.distortion)
        np.testing.assert_allclose(px, ref.reshape(-1, 2), rtol=0, atol=1e-9)


def test_fisheye_matches_cv2_fisheye():
    X = random_points(50)
    cam = crossview.Camera(crossview.CameraModel.FISHEYE, [900, 905, 640, 360, 0.05, -0.01, 0.002, -0.001], 1280, 720,
                           rvec=[0.02, -0.3, 0.01], t=[0.2, -0.1, 4.0])
    px, status = cam.project(X)
    assert (status == 0).all()
    ref, _ = cv2.fisheye.projectPoints(X.reshape(-1, 1, 3), cam.rvec, cam.t, cam.K, cam.distortion)
    np.testing.assert_allclose(px, ref.reshape(-1, 2), atol=1e-8)


def test_unproject_round_trip(rig):
    X = random_points(100)
    cam = rig[1]
    px, _ = cam.project(X)
    rays, status = cam.unproject(px)
    assert (status == 0).all()
    X_cam = X @ cam.R.T + cam.t
    np.testing.assert_allclose(rays, X_cam / X_cam[:, 2:3], atol=1e-10)
    und, status = cam.undistort_pixels(px)
    ref = cv2.undistortPoints(px.reshape(-1, 1, 2), cam.K, cam.distortion, P=cam.K).reshape(-1, 2)
    np.testing.assert_allclose(und, ref, atol=1e-6)  # cv2 iterates a fixed 5 times


def test_statuses_are_enums_and_failures_are_nan(rig):
    cam = rig[0]
    behind = cam.center_in_world - 2.0 * (cam.R[2] * 1.0)  # behind the camera along -z
    px, status = cam.project(np.array([behind, [np.nan, 0, 0]]))
    assert crossview.ProjectionStatus(int(status[0])) == crossview.ProjectionStatus.BEHIND_CAMERA
    assert crossview.ProjectionStatus(int(status[1])) == crossview.ProjectionStatus.INVALID_INPUT
    assert np.isnan(px).all()
    one, st = cam.project(behind)
    assert isinstance(st, crossview.ProjectionStatus) and st.message == "behind camera"
    assert one.shape == (2,)


def test_constructor_and_shape_errors():
    with pytest.raises(ValueError, match="expects 9 parameters, got 4"):
        crossview.Camera("OPENCV", [1, 1, 0, 0], 10, 10)
    with pytest.raises(ValueError, match="focal lengths"):
        crossview.Camera("PINHOLE", [0, 1, 0, 0], 10, 10)
    with pytest.raises(ValueError, match="unknown model"):
        crossview.Camera("KANNALA", [1, 1, 0, 0], 10, 10)
    with pytest.raises(ValueError, match="rotation matrix"):
        crossview.Camera("PINHOLE", [1, 1, 0, 0], 10, 10, R=np.ones((3, 3)))
    cam = crossview.Camera.pinhole(500, 500, 320, 240, 640, 480)
    with pytest.raises(ValueError, match=r"points_in_world must have shape \(N, 3\) or \(3,\), got \(3, 5\)"):
        cam.project(np.zeros((3, 5)))
    with pytest.raises(TypeError):
        cam.project("not an array")


def test_pose_accessors_and_pickle():
    cam = ring_rig()[2]
    R = cam.R
    np.testing.assert_allclose(R @ R.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(cam.center_in_world, -R.T @ cam.t, atol=1e-12)
    P = cam.P
    np.testing.assert_allclose(P, cam.K @ np.column_stack([R, cam.t]), atol=1e-9)
    q = cam.quaternion_wxyz
    same = crossview.Camera(cam.model, cam.params, cam.width, cam.height, quaternion_wxyz=q, t=cam.t)
    np.testing.assert_array_equal(same.R, R)
    back = pickle.loads(pickle.dumps(cam))
    X = random_points(10)
    np.testing.assert_array_equal(back.project(X)[0], cam.project(X)[0])
    assert back.name == cam.name
