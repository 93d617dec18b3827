import threading
import time

import numpy as np
import pytest

import crossview
from crossview import triangulation as tr
from conftest import project_all, random_points, ring_rig

Status = tr.Status


def scene(num_frames=5, num_joints=17, noise_px=0.0, seed=3, cameras=None):
    cameras = cameras or ring_rig()
    rng = np.random.default_rng(seed)
    X = random_points(num_frames * num_joints, seed=seed).reshape(num_frames, num_joints, 3)
    px = np.stack([project_all(cameras, X[f]) for f in range(num_frames)])  # (F, V, J, 2)
    px = px + rng.normal(0, noise_px, px.shape) if noise_px else px
    scores = rng.uniform(0.5, 1.0, px.shape[:3])
    return cameras, X, np.ascontiguousarray(px), scores


def test_triangulate_one_point_exact(rig):
    X = random_points(1)[0]
    px = project_all(rig, X[None])[:, 0]
    r = tr.triangulate(rig, px)
    assert r.status == Status.SUCCESS and r.ok and r.message == "success"
    np.testing.assert_allclose(r.point_in_world, X, atol=1e-9)
    assert sorted(r.used_views) == [0, 1, 2, 3]
    assert r.reprojection_error_px.shape == (4,) and np.nanmax(r.reprojection_error_px) < 1e-6


def test_triangulate_matches_cv2_triangulatePoints(pinhole_rig):
    cv2 = pytest.importorskip("cv2")
    X = random_points(50)
    px = project_all(pinhole_rig, X)
    ref = cv2.triangulatePoints(pinhole_rig[0].P, pinhole_rig[2].P, px[0].T, px[2].T)
    ref = (ref[:3] / ref[3]).T
    for i in range(len(X)):
        r = tr.triangulate([pinhole_rig[0], pinhole_rig[2]], px[[0, 2], i], method=tr.Method.DLT, refine=False)
        assert r.ok
        np.testing.assert_allclose(r.point_in_world, ref[i], atol=1e-7)
        np.testing.assert_allclose(r.point_in_world, X[i], atol=1e-7)


def test_skeleton_ground_truth_and_diagnostics():
    cams, X, px, scores = scene(num_frames=1, noise_px=0.5)
    px = px[0].copy()
    px[1, 3] = np.nan              # joint 3 missing in view 1
    px[:, 5] = np.nan              # joint 5 missing everywhere
    px[1:, 7] = np.nan             # joint 7 seen by view 0 only
    s = tr.triangulate_skeleton(cams, px, scores[0])
    assert s.points_in_world.shape == (17, 3)
    assert s.status.shape == (17,) and s.status.dtype == np.uint8
    assert Status(int(s.status[5])) == Status.TOO_FEW_VIEWS and Status(int(s.status[7])) == Status.TOO_FEW_VIEWS
    assert np.isnan(s.points_in_world[[5, 7]]).all()
    ok = s.status == Status.SUCCESS.value
    assert ok.sum() == 15 == s.num_success
    assert np.abs(s.points_in_world[ok] - X[0][ok]).max() < 5e-3  # 0.5 px noise at ~4 m
    assert s.used_views.shape == (17, 4) and not s.used_views[3, 1] and s.used_views[3, [0, 2, 3]].all()
    assert s.reprojection_error_px.shape == (17, 4) and np.nanmax(s.reprojection_error_px[ok]) < 3.0
    assert s.joints[5].message and s.joints[5].status == Status.TOO_FEW_VIEWS
    for j in np.flatnonzero(ok):
        one = tr.triangulate(cams, px[:, j], scores[0][:, j])
        np.testing.assert_array_equal(one.point_in_world, s.points_in_world[j])


def test_batch_equals_per_frame_and_thread_count_independent():
    cams, X, px, scores = scene(num_frames=40, noise_px=1.0)
    px[3, 2, 4] = np.nan
    b1 = tr.triangulate_batch(cams, px, scores, num_threads=1)
    b3 = tr.triangulate_batch(cams, px, scores, num_threads=3)
    b0 = tr.triangulate_batch(cams, px, scores, num_threads=0)
    assert b1.points_in_world.shape == (40, 17, 3) and b1.status.shape == (40, 17)
    assert b1.used_views.shape == (40, 17, 4) and b1.num_success.shape == (40,)
    for b in (b3, b0):
        np.testing.assert_array_equal(b.points_in_world, b1.points_in_world)
        np.testing.assert_array_equal(b.status, b1.status)
        np.testing.assert_array_equal(b.reprojection_error_px, b1.reprojection_error_px)
    for f in (0, 3, 39):
        s = tr.triangulate_skeleton(cams, px[f], scores[f])
        np.testing.assert_array_equal(s.points_in_world, b1.points_in_world[f])
        np.testing.assert_array_equal(s.used_views, b1.used_views[f])
    ok = b1.status == 0
    assert ok.all()
    assert np.sqrt(np.mean(np.sum((b1.points_in_world - X) ** 2, axis=-1))) < 5e-3


def test_options_keywords_and_objects():
    cams, X, px, scores = scene(num_frames=2, noise_px=0.0)
    opts = tr.TriangulationOptions(method=tr.Method.DLT, refine=False)
    assert opts.min_confidence == 0.0 and opts.refinement.max_iterations == 20  # C++ defaults
    a = tr.triangulate_batch(cams, px, scores, opts)
    b = tr.triangulate_batch(cams, px, scores, method=tr.Method.DLT, refine=False)
    np.testing.assert_array_equal(a.points_in_world, b.points_in_world)
    opts.robust.inlier_threshold_px = 4.0
    assert opts.robust.inlier_threshold_px == 4.0
    with pytest.raises(TypeError, match="has no option 'metod'"):
        tr.triangulate_batch(cams, px, scores, metod=tr.Method.DLT)
    with pytest.raises(ValueError, match="min_confidence"):
        tr.triangulate_batch(cams, px, scores, min_confidence=-1.0)


def test_shape_errors_are_value_errors():
    cams, X, px, scores = scene(num_frames=2)
    with pytest.raises(ValueError, match=r"keypoints_px must have shape \(V, J, 2\) with V = 4 cameras, got \(3, 17, 2\)"):
        tr.triangulate_skeleton(cams, px[0, :3])
    with pytest.raises(ValueError, match=r"must have shape \(V, J, 2\), got \(4, 2, 17\)"):
        tr.triangulate_skeleton(cams, px[0].transpose(0, 2, 1))
    with pytest.raises(ValueError, match="scores must have 68 entries"):
        tr.triangulate_skeleton(cams, px[0], scores[0, :, :5])
    with pytest.raises(ValueError, match=r"\(F, V, J, 2\)"):
        tr.triangulate_batch(cams, px[0])
    with pytest.raises(ValueError, match=r"pixels_px must have shape \(V, 2\) with V = 4"):
        tr.triangulate(cams, px[0, :2, 0])
    with pytest.raises(TypeError, match="sequence of crossview.Camera"):
        tr.triangulate_skeleton([1, 2], px[0, :2])


def test_inputs_in_the_layout_are_not_copied():
    cams, X, px, scores = scene(num_frames=3)
    # The conversion helper reports a borrowed buffer for (N, D) float64 C-order arrays and row views.
    pts = X.reshape(-1, 3)
    borrowed, address, rows, cols, stride = crossview._core._debug_points_info(pts, 3)
    assert borrowed and address == pts.__array_interface__["data"][0] and (rows, cols, stride) == (3, 51, 3)
    view = np.zeros((10, 5))[:, 1:4]                        # rows with an outer stride of 5 doubles
    borrowed, address, rows, cols, stride = crossview._core._debug_points_info(view, 3)
    assert borrowed and address == view.__array_interface__["data"][0] and stride == 5
    assert not crossview._core._debug_points_info(np.asfortranarray(pts), 3)[0]
    assert not crossview._core._debug_points_info(pts.astype(np.float32), 3)[0]
    # And the real entry points do not copy such inputs (the copy counter does not move) ...
    before = crossview._core._debug_copy_count()
    tr.triangulate_batch(cams, px, scores)
    tr.triangulate_skeleton(cams, px[1], scores[1])          # a slice of a C-order array is contiguous
    crossview.metrics.mpjpe(X, X)
    rig0 = cams[0]
    rig0.project(pts)
    assert crossview._core._debug_copy_count() == before
    # ... while other dtypes / orders are converted exactly once per argument, with the same result.
    a = tr.triangulate_batch(cams, px.astype(np.float32).astype(np.float64), scores.astype(np.float32).astype(np.float64))
    b = tr.triangulate_batch(cams, px.astype(np.float32), scores.astype(np.float32))
    assert crossview._core._debug_copy_count() == before + 2  # b: keypoints and scores
    np.testing.assert_array_equal(a.points_in_world, b.points_in_world)


def test_gil_released_during_batch():
    cams, X, px, scores = scene(num_frames=1500, noise_px=1.0)
    window = {}

    def worker():
        window["start"] = time.perf_counter()
        tr.triangulate_batch(cams, px, scores, method=tr.Method.ROBUST)
        window["end"] = time.perf_counter()

    t = threading.Thread(target=worker)
    ticks = []
    t.start()
    while t.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    t.join()
    start, end = window["start"], window["end"]
    duration = end - start
    assert duration > 0.05, "the call is too short to test overlap"
    inside = [x for x in ticks if start + 0.2 * duration < x < end - 0.2 * duration]
    # With the GIL held for the whole call, this thread could not run at all in the middle 60 %.
    assert len(inside) >= 3, (duration, len(ticks), len(inside))


def test_geometric_median():
    pts = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [10, 10, 10]])
    m = tr.geometric_median(pts)
    assert m.shape == (3,)
    dist = lambda p: np.linalg.norm(pts - p, axis=1).sum()  # noqa: E731
    for d in np.eye(3) * 1e-4:
        assert dist(m) <= dist(m + d) + 1e-12 and dist(m) <= dist(m - d) + 1e-12


def test_robust_dlt_drops_a_gross_outlier_view_and_never_refuses_what_dlt_triangulates():
    # 6 cameras, 1 px noise; one view of every point moved 80 px (a wrong
    # detection). ROBUST_DLT drops that view (DROPPED_OUTLIERS) and lands near
    # the truth; plain DLT is pulled off; where DLT triangulates, ROBUST_DLT does too.
    cams = ring_rig(6)
    rng = np.random.default_rng(11)
    X = random_points(40, seed=11)
    px = project_all(cams, X) + rng.normal(0, 1.0, (6, 40, 2))
    bad = rng.integers(0, 6, 40)
    px[bad, np.arange(40)] += np.array([80.0, -60.0])
    err_dlt, err_rdlt = [], []
    for i in range(40):
        d = tr.triangulate(cams, px[:, i], method=tr.Method.DLT)
        r = tr.triangulate(cams, px[:, i], method=tr.Method.ROBUST_DLT)
        assert d.ok and r.ok
        assert r.view_selection == tr.ViewSelection.DROPPED_OUTLIERS and int(bad[i]) not in r.used_views
        assert r.num_usable_views == 6
        err_dlt.append(np.linalg.norm(d.point_in_world - X[i]))
        err_rdlt.append(np.linalg.norm(r.point_in_world - X[i]))
    assert np.median(err_rdlt) < 0.25 * np.median(err_dlt)
    assert tr.Method.ROBUST_DLT.message == "robust_dlt"
