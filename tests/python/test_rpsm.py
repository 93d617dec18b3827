import numpy as np
import pytest

import crossview
from crossview import rpsm
from conftest import look_at_rvec_t


def mm_rig(num_cameras=4):
    cams = []
    for i in range(num_cameras):
        a = 2 * np.pi * i / num_cameras + 0.3
        R, t = look_at_rvec_t([4000 * np.cos(a), 4000 * np.sin(a), 1500], target=(0, 0, 1000))
        cams.append(crossview.Camera.pinhole(1100, 1100, 640, 360, 1280, 720, R=R, t=t))
    return cams


def pose_from_priors(skeleton, seed=2):
    """A pose whose limbs have exactly the prior lengths (mm), root at (0, 0, 1000)."""
    rng = np.random.default_rng(seed)
    priors = skeleton.limb_priors
    X = np.zeros((skeleton.num_joints, 3))
    X[skeleton.root] = [0.0, 0.0, 1000.0]
    for parent, child in skeleton.limbs:
        d = rng.normal(size=3)
        X[child] = X[parent] + priors[child, 0] * d / np.linalg.norm(d)
    return X


def heatmaps_for(cams, X, size=(90, 160)):
    H, W = size
    A = crossview.image_from_heatmap_for_box(-0.5, -0.5, 1280, 720, W, H)
    maps = []
    for c in cams:
        px, status = c.project(X)
        assert (status == 0).all()
        maps.append(crossview.render_gaussian_heatmaps(px, np.ones(len(X)), H, W, A, 2.0))
    return np.stack(maps), A


def test_estimate_and_refine_recover_the_pose():
    skel = crossview.Skeleton.human36m_17()
    cams = mm_rig()
    X = pose_from_priors(skel)
    heatmaps, A = heatmaps_for(cams, X)
    assert heatmaps.shape == (4, 17, 90, 160) and heatmaps.dtype == np.float32
    r = rpsm.estimate(cams, heatmaps, skel, X[0] + [40.0, -30.0, 20.0], A)
    assert r.status == rpsm.Status.SUCCESS and r.success, r.message
    assert r.joints_in_world.shape == (17, 3) and r.psm_joints_in_world.shape == (17, 3)
    err = np.linalg.norm(r.joints_in_world - X, axis=1)
    assert err.max() < 0.5, err  # noise-free Gaussian heatmaps: log is quadratic, the polish is exact (0.00 mm measured)
    init = X + np.random.default_rng(3).normal(0, 30, X.shape)
    rr = rpsm.refine(cams, heatmaps, skel, init, A, num_levels=6)
    assert rr.success and rr.psm_joints_in_world.shape == (0, 3)
    assert np.linalg.norm(rr.joints_in_world - X, axis=1).mean() < np.linalg.norm(init - X, axis=1).mean()
    # Options objects and keywords agree; statuses carry the C++ messages.
    o = rpsm.RpsmOptions(num_levels=6)
    assert o.cube_side == 2000.0 and o.num_bins == 16  # C++ defaults
    np.testing.assert_array_equal(rpsm.refine(cams, heatmaps, skel, init, A, o).joints_in_world, rr.joints_in_world)


def test_rpsm_failures_and_errors():
    skel = crossview.Skeleton.human36m_17()
    cams = mm_rig()
    X = pose_from_priors(skel)
    heatmaps, A = heatmaps_for(cams, X)
    zero = np.zeros_like(heatmaps)
    r = rpsm.estimate(cams, zero, skel, X[0], A)
    assert r.status == rpsm.Status.EMPTY_HEATMAPS and r.status.message == "empty heatmaps" and r.message
    with pytest.raises(ValueError, match=r"heatmaps must have shape \(V, J, H, W\) with V = 4"):
        rpsm.estimate(cams, heatmaps[:2], skel, X[0], A)
    with pytest.raises(ValueError, match="num_bins"):
        rpsm.estimate(cams, heatmaps, skel, X[0], A, num_bins=1)
    with pytest.raises(ValueError, match="initial_pose_in_world"):
        rpsm.refine(cams, heatmaps, skel, X[:5], A)
    with pytest.raises(ValueError):
        rpsm.estimate(cams, heatmaps, crossview.Skeleton.human36m_17(with_priors=False), X[0], A)


def test_skeleton_api():
    s = crossview.Skeleton(["root", "a", "b"], [-1, 0, 1], limb_priors=np.array([[0, 0], [100, 10], [50, 5.0]]))
    assert s.num_joints == 3 and s.limbs == [(0, 1), (1, 2)] and s.has_limb_priors
    with pytest.raises(ValueError):
        crossview.Skeleton(["a", "b"], [-1, 5])
    poses = np.stack([pose_from_priors(crossview.Skeleton.human36m_17(), seed=k) for k in range(5)])
    priors = crossview.estimate_limb_lengths(crossview.Skeleton.human36m_17(), poses, 20.0)
    np.testing.assert_allclose(priors[1:, 0], crossview.Skeleton.human36m_17().limb_priors[1:, 0], rtol=1e-12)
