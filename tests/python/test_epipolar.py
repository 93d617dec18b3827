import numpy as np
import pytest

import crossview
from crossview import epipolar as ep
from conftest import random_points, ring_rig


def two_view(n=200, outliers=0.0, noise_px=0.0, seed=5):
    rig = ring_rig(distortion=False)
    c1, c2 = rig[0], rig[1]
    rng = np.random.default_rng(seed)
    X = random_points(n, seed=seed)
    p1, _ = c1.project(X)
    p2, _ = c2.project(X)
    p1 = p1 + rng.normal(0, noise_px, p1.shape)
    p2 = p2 + rng.normal(0, noise_px, p2.shape)
    bad = rng.random(n) < outliers
    p2[bad] = rng.uniform([0, 0], [1280, 720], (bad.sum(), 2))
    R = c2.R @ c1.R.T
    t = c2.t - R @ c1.t
    return c1, c2, X, p1, p2, bad, R, t / np.linalg.norm(t)


def normalized(cam, px):
    n, status = cam.unproject_to_normalized(px)
    assert (status == 0).all()
    return n


def test_estimate_essential_ground_truth_and_cv2():
    cv2 = pytest.importorskip("cv2")
    c1, c2, X, p1, p2, bad, R, t = two_view(outliers=0.3, noise_px=0.3)
    r = ep.estimate_essential(p1, p2, c1, c2, max_error_px=1.0)
    assert r.status == ep.EstimateStatus.SUCCESS and r.success and r.message
    assert r.E.shape == (3, 3) and r.inlier_mask.shape == (200,) and r.inlier_mask.dtype == bool
    assert np.degrees(np.arccos(np.clip((np.trace(r.R.T @ R) - 1) / 2, -1, 1))) < 0.2
    assert np.degrees(np.arccos(np.clip(r.t @ t, -1, 1))) < 1.0
    # Every true outlier far from its epipolar line is rejected; nearly every inlier kept.
    assert (r.inlier_mask & ~bad).sum() >= 0.95 * (~bad).sum()
    # OpenCV on the same normalized points (identity K): the same inliers up to a few borderline points.
    n1, n2 = normalized(c1, p1), normalized(c2, p2)
    f = 0.5 * (np.sqrt(c1.K[0, 0] * c1.K[1, 1]) + np.sqrt(c2.K[0, 0] * c2.K[1, 1]))
    E_cv, mask = cv2.findEssentialMat(n1, n2, np.eye(3), method=cv2.RANSAC, prob=0.999, threshold=1.0 / f)
    _, R_cv, t_cv, _ = cv2.recoverPose(E_cv, n1, n2, np.eye(3), mask=mask.copy())
    agree = (mask.ravel().astype(bool) == r.inlier_mask).mean()
    assert agree > 0.95, agree
    angle = lambda A, B: np.degrees(np.arccos(np.clip((np.trace(A.T @ B) - 1) / 2, -1, 1)))  # noqa: E731
    # OpenCV (plain RANSAC, no refinement) lands within 2 deg of the truth; crossview at least as close.
    assert angle(R_cv, R) < 2.0 and angle(r.R, R) <= angle(R_cv, R)
    # Normalized entry point gives the same model family.
    rn = ep.estimate_essential_normalized(n1, n2, f)
    assert rn.success and np.abs(np.abs(rn.E.ravel() @ r.E.ravel()) - 1) < 1e-3


def test_minimal_solvers_and_recover_pose():
    c1, c2, X, p1, p2, bad, R, t = two_view(n=12)
    n1, n2 = normalized(c1, p1), normalized(c2, p2)
    h1, h2 = np.column_stack([n1, np.ones(12)]), np.column_stack([n2, np.ones(12)])
    Es = ep.essential_5point(h1[:5], h2[:5])
    assert 1 <= len(Es) <= 10
    tx = np.array([[0, -t[2], t[1]], [t[2], 0, -t[0]], [-t[1], t[0], 0]])
    E_true = tx @ R / np.linalg.norm(tx @ R)
    assert min(min(np.abs(E - E_true).max(), np.abs(E + E_true).max()) for E in Es) < 1e-8
    F = ep.fundamental_8point(p1, p2)
    assert F.shape == (3, 3)
    residual = np.abs(np.einsum("ni,ij,nj->n", np.column_stack([p2, np.ones(12)]), F, np.column_stack([p1, np.ones(12)])))
    assert residual.max() < 1e-8
    assert ep.fundamental_8point(p1[:7], p2[:7]) is None        # N < 8: no solution, no exception
    assert len(ep.fundamental_7point(p1[:7], p2[:7])) in (1, 3)
    assert ep.sampson_errors_squared(F, p1, p2).max() < 1e-12
    pose = ep.recover_pose(E_true, n1, n2)
    assert pose.status == ep.RecoverPoseStatus.SUCCESS and pose.in_front_mask.all()
    np.testing.assert_allclose(pose.R, R, atol=1e-9)
    np.testing.assert_allclose(pose.t, t, atol=1e-9)


def test_estimate_fundamental_statuses_and_errors():
    c1, c2, X, p1, p2, bad, R, t = two_view(outliers=0.2, noise_px=0.2)
    r = ep.estimate_fundamental(p1, p2)
    assert r.success and r.num_inliers >= 0.95 * (~bad).sum()
    assert r.inlier_mask[bad].mean() < 0.05  # random outliers near their epipolar line can pass
    few = ep.estimate_fundamental(p1[:6], p2[:6])
    assert few.status == ep.EstimateStatus.TOO_FEW_POINTS and few.message
    with pytest.raises(ValueError, match=r"points2_px must have as many rows as points1_px \(200\), got \(199, 2\)"):
        ep.estimate_fundamental(p1, p2[:-1])
    with pytest.raises(ValueError, match=r"points1_px must have shape \(N, 2\), got \(2, 200\)"):
        ep.estimate_fundamental(p1.T.copy(), p2.T.copy())
    with pytest.raises(ValueError, match="max_error_px"):
        ep.estimate_fundamental(p1, p2, max_error_px=-1.0)
    opts = ep.FundamentalOptions()
    opts.ransac.seed = 7
    a = ep.estimate_fundamental(p1, p2, options=opts)
    b = ep.estimate_fundamental(p1, p2, options=opts)
    np.testing.assert_array_equal(a.F, b.F)  # deterministic given the seed
