"""The batch runner: local and on a Dask LocalCluster of two workers give the same results; a
failed trial is reported and the others finish."""
import os
import shutil

import numpy as np
import pytest

import crossview.batch as batch

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Debian tornado under distributed


@pytest.fixture
def trials(shared_data, tmp_path):
    demo = shared_data / "pose2sim_demo"
    good = tmp_path / "trials" / "good"
    shutil.copytree(demo / "pose", good / "pose")
    shutil.copy(demo / "Calib_qualisys.toml", good / "Calib_qualisys.toml")
    second = tmp_path / "trials" / "second"
    shutil.copytree(good, second)
    # second: drop camera 3's last 20 frames (different frame sets per camera)
    for name in sorted(os.listdir(second / "pose" / "cam03_json"))[-20:]:
        os.remove(second / "pose" / "cam03_json" / name)
    broken = tmp_path / "trials" / "broken"
    shutil.copytree(good, broken)
    first = sorted(os.listdir(broken / "pose" / "cam02_json"))[5]
    (broken / "pose" / "cam02_json" / first).write_text('{"people": [{"pose_keypoints_2d": [1, 2]}]}')
    return tmp_path / "trials"


def test_local_runner_reports_failures_and_writes_outputs(trials, tmp_path):
    found = batch.find_trials(trials)
    assert [os.path.basename(t) for t in found] == ["broken", "good", "second"]
    seen = []
    results = batch.run_trials(found, out_dir=tmp_path / "out", config=batch.TrialConfig(rate_hz=60.0),
                               progress=lambda done, total, r: seen.append((done, total, r.ok)))
    assert [r.ok for r in results] == [False, True, True]
    assert "IoError" in results[0].message and "cam02_json" in results[0].message
    assert sorted(seen) == [(1, 3, seen[0][2]), (2, 3, seen[1][2]), (3, 3, seen[2][2])]
    good = results[1]
    assert good.num_frames == 100 and good.num_cameras == 4 and good.num_joints == 25 and good.success_rate > 0.95
    data = np.load(tmp_path / "out" / "good.npz")
    assert data["points_in_world"].shape == (100, 25, 3) and data["status"].shape == (100, 25)
    from crossview import io
    t = io.read_trc(tmp_path / "out" / "good.trc")
    assert t.num_frames == 100 and t.num_markers == 25
    threaded = batch.run_trials(found, config=batch.TrialConfig(rate_hz=60.0), workers=2, progress=None)
    assert [r.points_sha256 for r in threaded] == [r.points_sha256 for r in results]


def test_dask_local_cluster_gives_identical_results(trials):
    distributed = pytest.importorskip("distributed")
    found = batch.find_trials(trials)
    config = batch.TrialConfig(rate_hz=60.0)
    local = batch.run_trials(found, config=config, progress=None)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            remote = batch.run_trials(found, config=config, scheduler=client, progress=None)
            by_address = batch.run_trials(found, config=config, scheduler=cluster.scheduler_address, progress=None)
    for a, b, c in zip(local, remote, by_address):
        assert (a.ok, a.message, a.points_sha256) == (b.ok, b.message, b.points_sha256) == (c.ok, c.message, c.points_sha256)
    assert [r.ok for r in remote] == [False, True, True]
