import numpy as np
import pytest

import crossview
from crossview import metrics

scipy_linalg = pytest.importorskip("scipy.linalg")


def poses(F=20, J=17, seed=0, noise=20.0):
    rng = np.random.default_rng(seed)
    gt = rng.normal(0, 300, (F, J, 3))
    pred = gt + rng.normal(0, noise, gt.shape)
    return pred, gt


def test_mpjpe_matches_numpy():
    pred, gt = poses()
    s = metrics.mpjpe(pred, gt)
    assert s.status == metrics.Status.SUCCESS and s.ok
    ref = np.linalg.norm((pred - pred[:, :1]) - (gt - gt[:, :1]), axis=-1)
    assert s.mean == pytest.approx(ref.mean(), rel=1e-12)
    np.testing.assert_allclose(s.per_joint, ref.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(s.per_frame, ref.mean(axis=1), rtol=1e-12)
    absolute = metrics.mpjpe(pred, gt, alignment=metrics.Alignment.NONE)
    assert absolute.mean == pytest.approx(np.linalg.norm(pred - gt, axis=-1).mean(), rel=1e-12)
    one = metrics.mpjpe(pred[0], gt[0])  # a single (J, 3) pose
    assert one.mean == pytest.approx(ref[0].mean(), rel=1e-12)


def umeyama_reference(p, q):
    """Similarity aligning p onto q (scipy orthogonal Procrustes + optimal scale)."""
    mp, mq = p.mean(0), q.mean(0)
    A, B = p - mp, q - mq
    R, s = scipy_linalg.orthogonal_procrustes(A, B)  # A @ R ~ B, R may be a reflection
    U, S, Vt = np.linalg.svd(A.T @ B)
    d = np.sign(np.linalg.det(U @ Vt))
    D = np.diag([1, 1, d])
    R = U @ D @ Vt
    scale = np.trace(np.diag(S) @ D) / (A ** 2).sum()
    return scale * A @ R + mq


def test_pa_mpjpe_matches_scipy_procrustes():
    pred, gt = poses(noise=40.0)
    s = metrics.pa_mpjpe(pred, gt)
    ref = np.array([np.linalg.norm(umeyama_reference(pred[f], gt[f]) - gt[f], axis=-1) for f in range(len(gt))])
    assert s.mean == pytest.approx(ref.mean(), rel=1e-9)
    np.testing.assert_allclose(s.per_frame, ref.mean(axis=1), rtol=1e-9)
    # scipy.spatial.procrustes standardizes both sets; its disparity is the PA residual of unit-norm sets.
    from scipy.spatial import procrustes
    _, _, disparity = procrustes(gt[0], pred[0])
    g0 = gt[0] - gt[0].mean(0)
    aligned = umeyama_reference(pred[0], gt[0]) - gt[0].mean(0)
    assert disparity == pytest.approx(((aligned - g0) ** 2).sum() / (g0 ** 2).sum(), rel=1e-9)


def test_missing_joints_and_rates():
    pred, gt = poses(F=4, noise=100.0)
    pred[1, 3] = np.nan
    visible = np.ones((4, 17), bool)
    visible[2, 5] = False
    s = metrics.mpjpe(pred, gt, visible=visible)
    assert s.counts.missing_prediction == 1 and s.counts.missing_ground_truth == 1
    e = metrics.joint_errors(pred, gt, visible=visible)
    assert e.error.shape == (4, 17)
    assert metrics.JointState(int(e.state[1, 3])) == metrics.JointState.MISSING_PREDICTION
    pck = metrics.pck_3d(pred, gt, threshold=150.0, visible=visible)
    err = np.linalg.norm((pred - pred[:, :1]) - (gt - gt[:, :1]), axis=-1)
    scored = visible.copy()
    correct = (err < 150.0) & scored
    assert pck.num_scored == scored.sum() and pck.num_correct == correct.sum()
    auc = metrics.auc_3d(pred, gt)
    assert auc.thresholds.shape == (31,) and 0 <= auc.auc <= 1
    assert metrics.pcp(pred, gt).per_item.shape == (10,)
    assert metrics.n_mpjpe(pred, gt).ok and metrics.n_pck(pred, gt).ok
    p2, g2 = pred[..., :2], gt[..., :2]
    assert metrics.pck_2d(p2, g2, 50.0).num_scored == 4 * 17
    assert metrics.jdr(np.ascontiguousarray(p2), np.ascontiguousarray(g2)).ok
    assert metrics.pcp_2d(np.ascontiguousarray(p2), np.ascontiguousarray(g2)).ok
    nothing = metrics.mpjpe(np.full_like(gt, np.nan), gt)
    assert nothing.status == metrics.Status.NO_VALID_JOINTS and nothing.status.message == "no valid joints to evaluate"


def test_metric_errors():
    pred, gt = poses(F=2)
    with pytest.raises(ValueError, match="same shape"):
        metrics.mpjpe(pred, gt[:1])
    with pytest.raises(ValueError, match=r"predicted must have shape \(F, J, 3\) or \(J, 3\)"):
        metrics.mpjpe(pred[..., :2], gt[..., :2])
    with pytest.raises(ValueError, match="threshold"):
        metrics.pck_3d(pred, gt, threshold=0.0)
    with pytest.raises(ValueError, match="visible must have 34 entries"):
        metrics.mpjpe(pred, gt, visible=np.ones(3, bool))


def test_pss_fit_score_save_load(tmp_path):
    rng = np.random.default_rng(1)
    base = rng.normal(0, 300, (3, 17, 3))
    gt = np.concatenate([b + rng.normal(0, 10, (30, 17, 3)) for b in base])
    model = crossview.pss.fit(gt, 3, kmeans=crossview.pss.KMeansOptions(seed=4))
    assert model.k == 3 and model.centres.shape == (3, 51) and model.centre(0).shape == (17, 3)
    assert sorted(model.cluster_sizes) == [30, 30, 30]
    s = crossview.pss.score(model, gt, gt)
    assert s.pss == 1.0 and s.num_frames == 90
    shuffled = gt[rng.permutation(90)]
    assert crossview.pss.score(model, shuffled, gt).pss < 0.6
    path = tmp_path / "pss.json"
    crossview.io.save_pss_model(model, path)
    back = crossview.io.load_pss_model(path)
    np.testing.assert_array_equal(back.centres, model.centres)
    assert crossview.pss.nearest_centre(back, gt[0]) == crossview.pss.nearest_centre(model, gt[0])
    with pytest.raises(ValueError):
        crossview.pss.fit(gt, 0)
