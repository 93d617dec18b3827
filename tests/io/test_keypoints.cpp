// Keypoint readers: MMPose / RTMPose JSON (the layouts mmpose's demos and
// inferencer write), DeepLabCut HDF5 (pandas "table" and "fixed" stores, single
// and multi-animal) and SLEAP analysis HDF5, from fixtures written by the tools'
// own libraries (tests/io/data/make_keypoint_fixtures.py: pandas / h5py) and
// malformed files; skeleton resolution from what each file records.
#include <crossview/io/keypoints.hpp>
#include <crossview/pose/skeletons.hpp>

#include "io_test_util.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#ifdef CROSSVIEW_TEST_HDF5
#include <hdf5.h>
#endif

using namespace crossview;
using io_test::require_io_error;
using io_test::TempFile;

namespace {

const std::string kData = CROSSVIEW_TEST_DATA_DIR;

double vx(int f, int j, int i) { return 100 + 10 * f + j + 1000 * i; }
double vy(int f, int j) { return 200 + 20 * f + 2 * j; }
double vs(int j) { return 0.5 + 0.01 * j; }

std::string instance(int n, double x0, bool triplets = false) {
  std::string kp = "[", sc = "[";
  for (int j = 0; j < n; ++j) {
    kp += (j ? ", [" : "[") + std::to_string(x0 + j) + ", " + std::to_string(2 * j) +
          (triplets ? ", " + std::to_string(j == 1 ? 0.0 : 0.9) : std::string()) + "]";
    sc += (j ? ", " : "") + std::string(j == 1 ? "0.0" : "0.9");
  }
  kp += "]";
  sc += "]";
  return triplets ? "{\"keypoints\": " + kp + "}"
                  : "{\"keypoints\": " + kp + ", \"keypoint_scores\": " + sc + ", \"bbox\": [[0, 0, 10, 10]], \"bbox_score\": 0.95}";
}

}  // namespace

TEST_CASE("MMPose topdown demo predictions (meta_info + instance_info per frame)", "[io][keypoints][mmpose]") {
  const std::string text = "{\"meta_info\": {\"dataset_name\": \"coco\", \"num_keypoints\": 17, \"keypoint_id2name\": {\"0\": \"nose\"}},"
                           " \"instance_info\": [{\"frame_id\": 1, \"instances\": [" + instance(17, 10) + ", " + instance(17, 50) +
                           "]}, {\"frame_id\": 2, \"instances\": []}, {\"frame_id\": 3, \"instances\": [" + instance(17, 30) + "]}]}";
  // keypoint_id2name lists 1 name for 17 keypoints: the metadata is inconsistent.
  require_io_error([&] { io::parse_mmpose_json(text, "pred.json"); }, "pred.json", "meta_info.keypoint_id2name", "names 1 keypoints");
  std::string names;
  for (int j = 0; j < 17; ++j) names += (j ? ", " : "") + ("\"" + std::to_string(j) + "\": \"kp" + std::to_string(j) + "\"");
  std::string ok = text;
  ok.replace(ok.find("{\"0\": \"nose\"}"), 13, "{" + names + "}");
  const io::KeypointSequence s = io::parse_mmpose_json(ok, "pred.json");
  CHECK(s.format == "mmpose");
  CHECK(s.num_joints == 17);
  REQUIRE(s.frames.size() == 3);
  CHECK(s.frames[0].frame_number == 1);
  CHECK(s.frames[1].people.empty());
  REQUIRE(s.frames[0].people.size() == 2);
  const io::KeypointPerson& p = s.frames[0].people[1];
  CHECK(p.keypoints_px(0, 0) == 50);
  CHECK(p.keypoints_px(1, 3) == 6);
  CHECK(p.scores[0] == 0.9);
  CHECK(std::isnan(p.keypoints_px(0, 1)));  // score 0: missing
  CHECK(p.scores[1] == 0.0);
  // dataset_name coco -> COCO_17 resolves the 17-joint ambiguity.
  CHECK(s.skeleton_name == "COCO_17");
  CHECK(s.joint_names.empty());  // MMPose's names are not crossview's: the built-in names them
  const io::ResolvedSkeleton r = io::resolve_skeleton(s.skeleton_query());
  CHECK(r.skeleton.model_name() == "COCO_17");
  CHECK_THAT(r.origin, Catch::Contains("meta_info.dataset_name"));
}

TEST_CASE("MMPoseInferencer outputs: per-video frame list and per-image instance list", "[io][keypoints][mmpose]") {
  const io::KeypointSequence v = io::parse_mmpose_json(
      "[{\"frame_id\": 0, \"instances\": [" + instance(26, 5) + "]}, {\"frame_id\": 1, \"instances\": [" + instance(26, 6) + "]}]", "v.json");
  CHECK(v.frames.size() == 2);
  CHECK(v.num_joints == 26);
  CHECK(v.skeleton_name.empty());
  CHECK(io::resolve_skeleton(v.skeleton_query()).skeleton.model_name() == "HALPE_26");  // unique count
  const io::KeypointSequence img = io::parse_mmpose_json("[" + instance(17, 5, true) + "]", "img.json");
  REQUIRE(img.frames.size() == 1);
  CHECK(img.frames[0].frame_number == 0);
  CHECK(img.frames[0].people[0].scores[0] == 0.9);
  CHECK(img.frames[0].people[0].scores[1] == 0.0);
  // 17 joints and nothing else: never a guess.
  CHECK_THROWS_WITH(io::resolve_skeleton(img.skeleton_query()), Catch::Contains("COCO_17 and H36M_17"));
  CHECK(io::resolve_skeleton(img.skeleton_query("h36m")).skeleton.model_name() == "H36M_17");
}

TEST_CASE("MMPose: malformed predictions name the file and the field", "[io][keypoints][mmpose]") {
  const auto err = [](const std::string& text, const std::string& field, const std::string& what) {
    require_io_error([&] { io::parse_mmpose_json(text, "p.json"); }, "p.json", field, what);
  };
  err("{\"meta_info\": {}}", "instance_info", "missing field");
  err("[{\"frame_id\": 0, \"instances\": [" + instance(17, 1) + ", " + instance(16, 1) + "]}]", "[0].instances[1].keypoints",
      "expected 17 keypoints");
  err("[{\"keypoints\": [[1, 2]], \"keypoint_scores\": [-0.5]}]", "[0].keypoints[0]", "score >= 0");
  err("[{\"keypoints\": [[1, 2]], \"keypoint_scores\": [0.5, 0.5]}]", "[0].keypoint_scores", "expected 1 elements");
  err("[{\"keypoints\": [[1, 2]]}]", "[0].keypoint_scores", "missing field");
  err("[{\"keypoints\": [[1]], \"keypoint_scores\": [1]}]", "[0].keypoints[0]", "[x, y]");
  err("[{\"keypoints\": [[1, \"a\"]], \"keypoint_scores\": [1]}]", "[0].keypoints[0][1]", "expected a number");
  err("[{\"keypoints\": [[1, 1e999]], \"keypoint_scores\": [1]}]", "", "malformed");
  err("[{\"frame_id\": 2, \"instances\": []}, {\"frame_id\": 1, \"instances\": []}]", "[1].frame_id", "increasing");
  err("[{\"frame_id\": 0.5, \"instances\": []}]", "[0].frame_id", "whole frame number");
  err("[{\"keypoints\": []}]", "[0].keypoints", "empty");
  err("{\"instance_info\": [{\"frame_id\": 0, \"instances\"", "", "malformed");
  require_io_error([] { io::read_mmpose_json("/nonexistent.json"); }, "/nonexistent.json", "", "cannot open");
}

TEST_CASE("OpenPose frames convert to the common layout", "[io][keypoints]") {
  const io::OpenPoseFrame f = io::parse_openpose_json(
      "{\"people\": [{\"person_id\": [3], \"pose_keypoints_2d\": [1, 2, 0.5, 0, 0, 0]}]}", "f.json");
  std::vector<io::OpenPoseFrame> frames(2, f);
  frames[1].frame_number = 7;
  const io::KeypointSequence s = io::to_keypoint_sequence(frames, "cam01");
  CHECK(s.num_joints == 2);
  CHECK(s.frames[1].frame_number == 7);
  CHECK(s.frames[0].people[0].track_id == 3);
  CHECK(std::isnan(s.frames[0].people[0].keypoints_px(0, 1)));
}

#ifdef CROSSVIEW_TEST_HDF5

TEST_CASE("DeepLabCut single-animal predictions (pandas table store)", "[io][keypoints][dlc]") {
  REQUIRE(io::has_hdf5_support());
  for (const char* file : {"dlc_single_table.h5", "dlc_single_fixed.h5"}) {
    INFO(file);
    const io::KeypointSequence s = io::read_deeplabcut_h5(kData + "/" + file);
    CHECK(s.format == "deeplabcut");
    CHECK(s.joint_names == std::vector<std::string>{"snout", "ear_left", "tail_base"});
    CHECK(s.num_joints == 3);
    REQUIRE(s.frames.size() == 4);
    for (int f = 0; f < 4; ++f) {
      CHECK(s.frames[f].frame_number == f);
      REQUIRE(s.frames[f].people.size() == 1);
      const io::KeypointPerson& p = s.frames[f].people[0];
      for (int j = 0; j < 3; ++j) {
        if (f == 2 && j == 1) {
          CHECK(std::isnan(p.keypoints_px(0, j)));
          CHECK(p.scores[j] == 0.0);
          continue;
        }
        CHECK(p.keypoints_px(0, j) == vx(f, j, 0));
        CHECK(p.keypoints_px(1, j) == vy(f, j));
        CHECK(p.scores[j] == vs(j));
      }
    }
    // The file's body parts name an unnamed (limbless) skeleton; a custom
    // skeleton file with the same names is accepted, another order is refused.
    const io::ResolvedSkeleton r = io::resolve_skeleton(s.skeleton_query());
    CHECK(r.skeleton.names() == s.joint_names);
    const TempFile sk("mouse.toml", "joints = [\"snout\", \"ear_left\", \"tail_base\"]\nlimbs = [[\"snout\", \"ear_left\"], [\"snout\", \"tail_base\"]]\n");
    CHECK(io::resolve_skeleton(s.skeleton_query(sk.path())).skeleton.num_limbs() == 2);
    const TempFile bad("mouse.toml", "joints = [\"ear_left\", \"snout\", \"tail_base\"]\n");
    CHECK_THROWS_WITH(io::resolve_skeleton(s.skeleton_query(bad.path())), Catch::Contains("joint order or names differ"));
  }
}

TEST_CASE("DeepLabCut multi-animal predictions: individuals are people, unique parts skipped", "[io][keypoints][dlc]") {
  const io::KeypointSequence s = io::read_deeplabcut_h5(kData + "/dlc_multi_table.h5");
  CHECK(s.joint_names == std::vector<std::string>{"snout", "ear_left", "tail_base"});
  REQUIRE(s.notes.size() == 1);
  CHECK_THAT(s.notes[0], Catch::Contains("'single' skipped"));
  REQUIRE(s.frames.size() == 4);
  REQUIRE(s.frames[0].people.size() == 2);
  CHECK(s.frames[0].people[1].track_name == "mouse2");
  CHECK(s.frames[0].people[1].track_id == 1);
  CHECK(s.frames[0].people[1].keypoints_px(0, 2) == vx(0, 2, 1));
  REQUIRE(s.frames[1].people.size() == 1);  // mouse2 undetected at frame 1
  CHECK(s.frames[1].people[0].track_name == "mouse1");
}

TEST_CASE("SLEAP analysis export: transposed datasets, occupancy, scores, edges", "[io][keypoints][sleap]") {
  const io::KeypointSequence s = io::read_sleap_analysis_h5(kData + "/sleap_analysis.h5");
  CHECK(s.format == "sleap");
  CHECK(s.joint_names == std::vector<std::string>{"snout", "ear_left", "tail_base"});
  CHECK(s.file_limbs == std::vector<std::pair<int, int>>{{0, 1}, {0, 2}});
  REQUIRE(s.frames.size() == 4);
  CHECK(s.frames[0].people.size() == 1);  // track 1 absent at frame 0
  for (int f = 1; f < 4; ++f) {
    REQUIRE(s.frames[f].people.size() == 2);
    for (int t = 0; t < 2; ++t) {
      const io::KeypointPerson& p = s.frames[f].people[t];
      CHECK(p.track_id == t);
      CHECK(p.track_name == "track_" + std::to_string(t));
      for (int j = 0; j < 3; ++j) {
        CHECK(p.keypoints_px(0, j) == vx(f, j, t));
        CHECK(p.keypoints_px(1, j) == vy(f, j));
        CHECK(p.scores[j] == (t == 1 && f == 3 ? 1.0 : vs(j)));  // user-labelled: score 1
      }
    }
  }
  const io::ResolvedSkeleton r = io::resolve_skeleton(s.skeleton_query());
  CHECK(r.skeleton.num_limbs() == 2);
  CHECK(r.skeleton.is_tree());
  CHECK_THAT(r.origin, Catch::Contains("joint names and limbs"));
}

namespace {

/// A small HDF5 file written with the C API (for malformed layouts).
struct H5Writer {
  hid_t file;
  explicit H5Writer(const std::string& path) { file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT); }
  ~H5Writer() { H5Fclose(file); }
  void doubles(const std::string& name, const std::vector<hsize_t>& dims, const std::vector<double>& v) {
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t d = H5Dcreate2(file, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(d);
    H5Sclose(space);
  }
  void strings(const std::string& name, const std::vector<std::string>& v) {
    std::size_t len = 1;
    for (const auto& s : v) len = std::max(len, s.size());
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, len);
    std::string buf(v.size() * len, '\0');
    for (std::size_t i = 0; i < v.size(); ++i) buf.replace(i * len, v[i].size(), v[i]);
    const hsize_t n = v.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t d = H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
    H5Dclose(d);
    H5Sclose(space);
    H5Tclose(type);
  }
};

}  // namespace

TEST_CASE("HDF5 readers: malformed files name the file and the dataset", "[io][keypoints][dlc][sleap]") {
  const TempFile dir("x", "");
  const std::string p = dir.dir() + "/bad.h5";
  // Not HDF5 / missing / truncated.
  std::ofstream(p) << "this is not HDF5";
  require_io_error([&] { io::read_deeplabcut_h5(p); }, p, "", "not an HDF5 file");
  require_io_error([&] { io::read_sleap_analysis_h5(dir.dir() + "/none.h5"); }, dir.dir() + "/none.h5", "", "cannot open");
  {
    std::ifstream in(kData + "/dlc_single_table.h5", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(p, std::ios::binary) << bytes.substr(0, bytes.size() / 3);
    CHECK_THROWS_AS(io::read_deeplabcut_h5(p), io::IoError);
  }
  // A SLEAP file read as DeepLabCut: no pandas frame.
  require_io_error([&] { io::read_deeplabcut_h5(kData + "/sleap_analysis.h5"); }, kData + "/sleap_analysis.h5", "df_with_missing",
                   "missing group");
  // A DeepLabCut file read as SLEAP.
  require_io_error([&] { io::read_sleap_analysis_h5(kData + "/dlc_single_table.h5"); }, kData + "/dlc_single_table.h5", "node_names",
                   "missing dataset");
  // SLEAP layouts with wrong shapes.
  {
    H5Writer w(p);
    w.strings("node_names", {"a", "b"});
    w.doubles("tracks", {1, 2, 3, 4}, std::vector<double>(24, 1.0));
    w.doubles("track_occupancy", {4, 1}, std::vector<double>(4, 1.0));
  }
  require_io_error([&] { io::read_sleap_analysis_h5(p); }, p, "node_names", "names 2 nodes, tracks has 3");
  {
    H5Writer w(p);
    w.strings("node_names", {"a", "b", "c"});
    w.doubles("tracks", {1, 3, 3, 4}, std::vector<double>(36, 1.0));
    w.doubles("track_occupancy", {4, 1}, std::vector<double>(4, 1.0));
  }
  require_io_error([&] { io::read_sleap_analysis_h5(p); }, p, "tracks", "(tracks, 2, nodes, frames)");
  {
    H5Writer w(p);
    w.strings("node_names", {"a", "b", "c"});
    w.doubles("tracks", {1, 2, 3, 4}, std::vector<double>(24, 1.0));
    w.doubles("track_occupancy", {1, 4}, std::vector<double>(4, 1.0));
  }
  require_io_error([&] { io::read_sleap_analysis_h5(p); }, p, "track_occupancy", "(frames, tracks)");
  {
    H5Writer w(p);
    w.strings("node_names", {"a", "b", "c"});
    w.doubles("tracks", {1, 2, 3, 4}, std::vector<double>(24, 1.0));
    w.doubles("track_occupancy", {4, 1}, std::vector<double>(4, 1.0));
    w.doubles("edge_inds", {2, 1}, {0, 7});
  }
  require_io_error([&] { io::read_sleap_analysis_h5(p); }, p, "edge_inds[0]", "node indices");
  {
    H5Writer w(p);
    w.strings("node_names", {"a", "b", "c"});
    w.strings("tracks", {"x"});
    w.doubles("track_occupancy", {4, 1}, std::vector<double>(4, 1.0));
  }
  require_io_error([&] { io::read_sleap_analysis_h5(p); }, p, "tracks", "expected numbers");
}

#else

TEST_CASE("without HDF5 the DeepLabCut / SLEAP readers say so", "[io][keypoints]") {
  CHECK_FALSE(io::has_hdf5_support());
  CHECK_THROWS_WITH(io::read_deeplabcut_h5(kData + "/dlc_single_table.h5"), Catch::Contains("without HDF5"));
  CHECK_THROWS_WITH(io::read_sleap_analysis_h5(kData + "/sleap_analysis.h5"), Catch::Contains("without HDF5"));
}

#endif
