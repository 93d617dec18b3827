import numpy as np
import pytest

import crossview
from crossview import association as assoc
from crossview import temporal
from crossview import triangulation as tr
from conftest import ring_rig

scipy_signal = pytest.importorskip("scipy.signal")
scipy_ndimage = pytest.importorskip("scipy.ndimage")

J = 17
SKELETON = crossview.Skeleton.human36m_17()


def body(center, seed):
    """A 17-joint H36M-like body (metres) standing at `center`."""
    rng = np.random.default_rng(seed)
    priors = SKELETON.limb_priors / 1000.0
    X = np.zeros((J, 3))
    X[SKELETON.root] = [center[0], center[1], 1.0]
    for parent, child in SKELETON.limbs:
        d = rng.normal(size=3)
        X[child] = X[parent] + priors[child, 0] * d / np.linalg.norm(d)
    return X


def detect(cams, people, rng, noise_px=0.5):
    """Per view: (keypoints (P, J, 2), scores (P, J)) with people in a shuffled order."""
    views, orders = [], []
    for c in cams:
        order = rng.permutation(len(people))
        kp = np.stack([c.project(people[i])[0] for i in order]) + rng.normal(0, noise_px, (len(people), J, 2))
        views.append((kp, np.full((len(people), J), 0.9)))
        orders.append(order)
    return views, orders


def test_associate_three_people():
    cams = ring_rig(num_cameras=5)
    rng = np.random.default_rng(4)
    people = [body(c, s) for c, s in (((-1.2, 0.0), 1), ((0.0, 0.9), 2), ((1.2, -0.5), 3))]
    views, orders = detect(cams, people, rng)
    # a spurious detection in view 2, far from everyone's epipolar geometry
    kp, sc = views[2]
    views[2] = (np.concatenate([kp, rng.uniform(0, 700, (1, J, 2))]), np.concatenate([sc, np.full((1, J), 0.9)]))
    r = assoc.associate(cams, views)
    assert r.status == assoc.FrameStatus.SUCCESS and r.ok and len(r.people) == 3
    for person in r.people:
        truth = min(people, key=lambda X: np.nanmean(np.linalg.norm(person.points_in_world - X, axis=1)))
        assert np.nanmax(np.linalg.norm(person.points_in_world - truth, axis=1)) < 0.02
        assert person.num_views == 5 and person.points_in_world.shape == (J, 3)
        assert person.joint_status.shape == (J,) and (person.joint_status == tr.Status.SUCCESS.value).all()
    # every view's detections of one true person go to the same reported person
    for true_index in range(3):
        reported = {r.person_of_detection[v][list(orders[v]).index(true_index)] for v in range(5)}
        assert len(reported) == 1 and reported != {-1}
    assert len(r.unmatched) == 1 and r.unmatched[0].view == 2 and r.unmatched[0].detection == 3
    assert isinstance(r.unmatched[0].reason, assoc.UnmatchedReason) and r.unmatched[0].message
    empty = assoc.associate(cams, [(np.zeros((0, J, 2)), np.zeros((0, J)))] * 5, num_joints=J)
    assert empty.status == assoc.FrameStatus.NO_DETECTIONS and empty.status.message == "no detections"
    with pytest.raises(ValueError):
        assoc.associate(cams, views[:4])  # one view per camera
    with pytest.raises(ValueError, match=r"views\[0\].keypoints_px must have shape \(P, J, 2\)"):
        assoc.associate(cams, [(v[0][:, :, 0], v[1]) for v in views], num_joints=J)


def test_tracker_keeps_identities():
    cams = ring_rig(num_cameras=4)
    rng = np.random.default_rng(5)
    base = [body(c, s) for c, s in (((-1.0, 0.0), 1), ((1.0, 0.3), 2))]
    tracker = assoc.Tracker(cams, J, confirm_frames=1)
    ids = []
    for f in range(8):
        people = [X + [0.02 * f, 0.01 * f * (k + 1), 0] for k, X in enumerate(base)]
        views, _ = detect(cams, people, rng)
        r = tracker.update(views)
        ids.append(sorted((round(p.points_in_world[0, 0]), p.track_id) for p in r.people))
    assert tracker.num_frames == 8
    assert all(i == ids[0] for i in ids[1:]) and len(ids[0]) == 2
    tracks = tracker.tracks()
    assert len(tracks) == 2 and all(t.num_frames_seen == 8 for t in tracks)
    frames, summaries = assoc.track_sequence(cams, [detect(cams, base, rng)[0] for _ in range(3)], J, confirm_frames=1)
    assert len(frames) == 3 and len(summaries) == 2


def sequence(F=120, rate=60.0, seed=0):
    t = np.arange(F) / rate
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * np.pi, (1, J, 3))
    truth = 0.3 * np.sin(2 * np.pi * 1.0 * t[:, None, None] + phase) + rng.uniform(-1, 1, (1, J, 3))
    return truth, truth + rng.normal(0, 0.01, truth.shape)


def test_filters_match_scipy():
    truth, noisy = sequence()
    r = temporal.butterworth_filter(noisy, 60.0)
    assert r.status == temporal.Status.SUCCESS and r.points.shape == noisy.shape
    b, a = scipy_signal.butter(4, 6.0, fs=60.0)
    np.testing.assert_allclose(r.points, scipy_signal.filtfilt(b, a, noisy, axis=0), atol=1e-12)
    bb, aa = temporal.butterworth_lowpass(4, 6.0, 60.0)
    np.testing.assert_allclose(bb, b, rtol=1e-12)
    np.testing.assert_allclose(aa, a, rtol=1e-12)
    assert (r.states == temporal.SampleState.FILTERED.value).all()
    m = temporal.median_filter(noisy, window=9)
    np.testing.assert_array_equal(m.points, scipy_ndimage.median_filter(noisy, size=(9, 1, 1), mode="reflect"))
    g = temporal.gaussian_filter(noisy, sigma_frames=2.0)
    np.testing.assert_allclose(g.points, scipy_ndimage.gaussian_filter1d(noisy, 2.0, axis=0, mode="reflect", truncate=4.0),
                               atol=1e-12)
    k = temporal.kalman_smoother(noisy, 60.0)
    assert np.abs(k.points - truth).mean() < 0.6 * np.abs(noisy - truth).mean()
    o = temporal.one_euro_filter(noisy, 60.0)
    online = temporal.OneEuroFilter(J)
    np.testing.assert_allclose(np.stack([online.update(noisy[f], f / 60.0) for f in range(len(noisy))]), o.points,
                               atol=1e-12)
    same = temporal.filter_sequence(noisy, type=temporal.FilterType.BUTTERWORTH, rate_hz=60.0)
    np.testing.assert_array_equal(same.points, r.points)


def test_gaps_states_and_errors():
    truth, noisy = sequence()
    gappy = noisy.copy()
    gappy[50:53, 4] = np.nan           # a 3-frame gap
    gappy[0:110, 7] = np.nan           # joint 7: only 10 valid frames, too short for Butterworth
    r = temporal.butterworth_filter(gappy, 60.0)
    assert r.status == temporal.Status.PARTIAL and r.message
    assert temporal.SampleState(int(r.states[51, 4])) == temporal.SampleState.MISSING and np.isnan(r.points[51, 4]).all()
    assert (r.states[110:, 7] == temporal.SampleState.RAW.value).all()
    filled = temporal.fill_gaps(gappy, method=temporal.GapFillMethod.LINEAR, max_gap_frames=5)
    assert (filled.states[50:53, 4] == temporal.SampleState.FILLED.value).all()
    expect = gappy[49, 4] + (gappy[53, 4] - gappy[49, 4]) * (np.arange(1, 4) / 4.0)[:, None]
    np.testing.assert_allclose(filled.points[50:53, 4], expect, atol=1e-12)
    assert np.isnan(filled.points[0, 7]).all()   # a leading gap is never extrapolated
    with pytest.raises(ValueError, match="cutoff"):
        temporal.butterworth_filter(noisy, 60.0, cutoff_hz=40.0)
    with pytest.raises(ValueError, match=r"sequence must have shape \(F, J, 3\)"):
        temporal.median_filter(noisy[..., :2])


def test_refine_sequence_improves_on_triangulation():
    cams = ring_rig(num_cameras=4)
    truth, _ = sequence(F=60)
    truth = truth * 0.5 + [0, 0, 1.0]
    rng = np.random.default_rng(9)
    px = np.stack([np.stack([c.project(truth[f])[0] for c in cams]) for f in range(60)])
    px = np.ascontiguousarray(px + rng.normal(0, 2.0, px.shape))
    scores = np.full(px.shape[:3], 0.9)
    r = temporal.refine_sequence(cams, px, scores, rate_hz=60.0)
    assert r.usable and r.points_in_world.shape == (60, J, 3), r.message
    err = lambda X: np.nanmean(np.linalg.norm(X - truth, axis=-1))  # noqa: E731
    assert err(r.points_in_world) < 0.8 * err(r.initial_points_in_world)
    assert r.final_rms_px < r.initial_rms_px + 1.0
    with pytest.raises(ValueError, match="rate_hz"):
        temporal.refine_sequence(cams, px, scores)


def _balancer(seconds=20.0, rate=60.0, seed=3):
    """A BODY_25B person standing on the left foot (right foot held 0.2 m up), swaying 1-1.5 cm,
    centre of mass over the standing foot; z up, floor z = 0 (metres)."""
    from crossview import temporal
    rng = np.random.default_rng(seed)
    pose = np.zeros((25, 3))
    pts = {0: (0.10, 0, 1.62), 1: (0.08, 0.03, 1.66), 2: (0.08, -0.03, 1.66), 3: (0, 0.07, 1.64), 4: (0, -0.07, 1.64),
           5: (0, 0.19, 1.45), 6: (0, -0.19, 1.45), 7: (0.05, 0.40, 1.40), 8: (0, -0.22, 1.16), 9: (0.10, 0.62, 1.42),
           10: (0.05, -0.24, 0.90), 11: (0, 0.10, 0.95), 12: (0, -0.10, 0.95), 13: (0.02, 0.10, 0.50),
           14: (0.35, -0.12, 0.62), 15: (0, 0.10, 0.08), 16: (0.30, -0.14, 0.28), 17: (0, 0, 1.47), 18: (0.02, 0, 1.75),
           19: (0.17, 0.12, 0.03), 20: (0.15, 0.06, 0.03), 21: (-0.06, 0.10, 0.04), 22: (0.47, -0.14, 0.23),
           23: (0.45, -0.19, 0.23), 24: (0.24, -0.14, 0.24)}
    for j, p in pts.items():
        pose[j] = p
    stance = [15, 19, 20, 21]
    moving = [j for j in range(25) if j not in stance]
    segs = temporal.FloorOptions.body25b().body_segments

    def com(p):
        c = sum(s.mass_fraction * (p[s.proximal].mean(0) + s.com_fraction * (p[s.distal].mean(0) - p[s.proximal].mean(0)))
                for s in segs)
        return c / sum(s.mass_fraction for s in segs)

    support = pose[stance, :2].mean(0)
    shifted = pose.copy()
    shifted[moving, 0] += 1.0
    gain = com(shifted)[0] - com(pose)[0]
    base = pose.copy()
    base[moving, :2] += (support - com(pose)[:2]) / gain
    F = int(seconds * rate)
    t = np.arange(F) / rate
    sway = np.stack([0.015 * np.sin(2 * np.pi * 0.35 * t) + 0.008 * np.sin(2 * np.pi * 0.9 * t + 1.0),
                     0.012 * np.sin(2 * np.pi * 0.5 * t + 0.3)], axis=1)
    seq = np.repeat(base[None], F, axis=0)
    seq[:, moving, :2] += sway[:, None, :]
    return seq + rng.normal(0, 0.01, seq.shape)


def test_estimate_floor_balance_and_world_frame():
    from crossview import temporal
    seq = _balancer()
    # Seen from a rotated, shifted frame (what self-calibration gives).
    a = 0.6
    R = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    old = seq @ R.T + np.array([0.3, -1.0, 2.5])
    feet_only = temporal.FloorOptions.body25b()
    feet_only.body_segments = []
    f = temporal.estimate_floor(None, old, 60.0, options=feet_only)
    assert f.status == temporal.FloorStatus.UNDERDETERMINED and f.has_frame and not f.ok
    r = temporal.estimate_floor(None, old, 60.0, options=temporal.FloorOptions.body25b())
    assert r.ok, r.message
    assert r.status.message == "success" and "balance of the body" in r.message
    true_up = R @ np.array([0.0, 0.0, 1.0])
    assert np.degrees(np.arccos(np.clip(r.up_in_old @ true_up, -1, 1))) < 1.0
    back = temporal.transform_points(r, old)
    assert back.shape == old.shape
    np.testing.assert_allclose(np.median(back[:, [19, 20, 21], 2]), np.median(seq[:, [19, 20, 21], 2]), atol=0.02)
    assert np.abs(r.world_from_old_R @ r.world_from_old_R.T - np.eye(3)).max() < 1e-12
    assert len(temporal.body_segments_from_names(["a", "b"])) == 0
    with pytest.raises(ValueError, match="mass_fraction"):
        temporal.estimate_floor(None, old, 60.0, options=temporal.FloorOptions.body25b(),
                                body_segments=[temporal.BodySegment([0], [1], -1.0)])
    with pytest.raises(ValueError, match=r"\(F, J, 3\)"):
        temporal.estimate_floor(None, old[..., :2], 60.0, options=temporal.FloorOptions.body25b())


def test_rig_world_round_trip(tmp_path):
    from crossview import io
    rig = io.Rig([crossview.Camera.pinhole(1000, 1000, 640, 360, 1280, 720, name="cam1")], "m")
    w = io.RigWorld()
    w.frame, w.camera, w.up, w.evidence, w.tilt_uncertainty_deg = "floor", "cam1", "+z", 'a "quoted" note', 0.87
    rig.world = w
    for name in ("rig.json", "rig.toml"):
        path = tmp_path / name
        (io.write_rig_json if name.endswith("json") else io.write_pose2sim_toml)(rig, str(path))
        back = io.read_rig(str(path))
        assert back.world.frame == "floor" and back.world.evidence == 'a "quoted" note'
        assert back.world.tilt_uncertainty_deg == 0.87
    w.frame = "sideways"
    with pytest.raises(ValueError):
        w.validate()
