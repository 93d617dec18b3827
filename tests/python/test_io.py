import numpy as np
import pytest

import crossview
from crossview import io
from conftest import ring_rig


def test_rig_json_round_trip_is_bit_exact(tmp_path):
    rig = io.Rig(ring_rig(), "m")
    path = tmp_path / "rig.json"
    io.write_rig_json(rig, path)
    back = io.read_rig_json(str(path))
    assert back.names() == rig.names() and len(back) == 4 and back.length_unit == "m"
    for a, b in zip(rig.cameras, back.cameras):
        np.testing.assert_array_equal(a.params, b.params)
        np.testing.assert_array_equal(a.quaternion_wxyz, b.quaternion_wxyz)
        np.testing.assert_array_equal(a.t, b.t)
    toml = tmp_path / "calib.toml"
    io.write_pose2sim_toml(rig, toml)
    t = io.read_pose2sim_toml(toml)
    for a, b in zip(rig.cameras, t.cameras):
        np.testing.assert_array_equal(a.params, b.params)
        np.testing.assert_allclose(a.R, b.R, atol=1e-15)
    assert io.parse_rig_json(io.format_rig_json(rig)).names() == rig.names()
    mm = rig.with_length_unit("mm")
    np.testing.assert_allclose(mm[0].t, 1000 * rig[0].t)
    # a Rig is accepted wherever a camera list is
    X = np.array([[0.1, 0.2, 1.0]])
    px = np.stack([c.project(X)[0][0] for c in rig.cameras])
    assert crossview.triangulate(rig, px).ok


def test_io_errors_are_ioerror(tmp_path):
    with pytest.raises(crossview.IoError) as e:
        io.read_rig_json(tmp_path / "missing.json")
    assert isinstance(e.value, OSError) and e.value.file.endswith("missing.json") and e.value.field == ""
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "crossview.rig", "version": 1, "length_unit": "m", "cameras": [{"name": 3}]}')
    with pytest.raises(crossview.IoError) as e:
        io.read_rig_json(bad)
    assert "cameras[0]" in e.value.field and str(bad) in str(e.value)
    with pytest.raises(ValueError):
        io.write_pose2sim_toml(io.Rig([crossview.Camera("OPENCV_RATIONAL", [1, 1, 0, 0] + [0] * 8, 4, 4)]),
                               tmp_path / "x.toml")
    with pytest.raises(crossview.IoError):
        io.read_openpose_folder(tmp_path / "nope")


def test_trc_round_trip(tmp_path):
    trc = io.TrcData()
    trc.data_rate_hz = trc.camera_rate_hz = trc.orig_data_rate_hz = 60.0
    trc.marker_names = ["A", "B"]
    trc.frame_numbers = [1, 2, 3]
    trc.times_s = [0.0, 1 / 60, 2 / 60]
    pos = np.random.default_rng(0).normal(size=(3, 2, 3))
    pos[1, 0] = np.nan
    trc.positions = pos
    trc.orig_num_frames = 3
    path = tmp_path / "m.trc"
    io.write_trc(trc, path)
    back = io.read_trc(path)
    assert back.marker_names == ["A", "B"] and back.num_frames == 3
    np.testing.assert_array_equal(back.positions, pos)  # NaN == NaN for assert_array_equal
    trc.frame_numbers = [1, 2]
    with pytest.raises(ValueError):
        io.write_trc(trc, path)


def test_pose2sim_demo(shared_data):
    demo = shared_data / "pose2sim_demo"
    rig = io.read_pose2sim_toml(demo / "Calib_qualisys.toml")
    assert len(rig) == 4 and rig.length_unit == "m"
    folders = sorted(p for p in (demo / "pose").iterdir() if p.is_dir()) if (demo / "pose").exists() else []
    if not folders:
        pytest.skip("no OpenPose folders in the demo")
    frames = io.read_openpose_folder(folders[0], 25)
    assert frames and frames[0].frame_number >= 0
    person = io.select_main_person(frames)
    kp, sc = io.openpose_keypoints(frames, person, 25)
    assert kp.shape == (len(frames), 25, 2) and sc.shape == (len(frames), 25)
    assert np.isnan(kp[sc == 0]).all()


def test_read_rig_any_format(shared_data, tmp_path):
    demo = shared_data / "pose2sim_demo"
    toml = io.read_rig(demo / "Calib_qualisys.toml")
    assert io.detect_rig_format(demo / "Calib_qualisys.toml") == io.RigFormat.POSE2SIM_TOML
    qca = io.read_rig(demo / "Calib.qca.txt")
    assert io.detect_rig_format(demo / "Calib.qca.txt") == io.RigFormat.QUALISYS_QCA
    assert len(qca) == len(toml) == 4
    io.write_rig_json(toml, tmp_path / "r.json")
    assert io.read_rig(tmp_path / "r.json").names() == toml.names()
    (tmp_path / "nonsense.txt").write_text("hello")
    with pytest.raises(crossview.IoError):
        io.read_rig(tmp_path / "nonsense.txt")


def test_skeletons_trc_and_keypoint_sequences(shared_data, tmp_path):
    names = crossview.builtin_skeleton_names()
    assert "BODY_25B" in names and "H36M_17" in names
    assert crossview.builtin_skeleton("body25b").num_joints == 25
    assert sorted(crossview.builtin_skeletons_with_joints(17)) == ["COCO_17", "H36M_17"]
    with pytest.raises(ValueError, match="BODY_25"):
        crossview.builtin_skeleton("no such skeleton")
    s = io.load_skeleton("H36M_17")
    io.write_skeleton_file(s, tmp_path / "s.json")
    back = io.read_skeleton_file(tmp_path / "s.json")
    assert back.names == s.names and back.parents == s.parents
    points = np.random.default_rng(0).normal(size=(5, 17, 3))
    points[2, 3] = np.nan
    trc = io.make_trc(s.names, points, rate_hz=50.0, to_pose2sim_axes=False)
    io.write_trc(trc, tmp_path / "p.trc")
    t = io.read_trc(tmp_path / "p.trc")
    np.testing.assert_array_equal(t.positions, points)
    assert t.frame_numbers == [1, 2, 3, 4, 5] and t.times_s[0] == pytest.approx(1 / 50)
    with pytest.raises(ValueError):
        io.make_trc(s.names, points)  # rate_hz is required
    frames = io.read_openpose_folder(shared_data / "pose2sim_demo" / "pose" / "cam01_json")
    seq = io.to_keypoint_sequence(frames, "cam01")
    assert seq.format == "openpose" and seq.num_joints == 25 and len(seq.frames) == len(frames)
    assert seq.frames[0].people[0].keypoints_px.shape == (25, 2)
