// crossview::io rigs: round trips (bit exact for crossview JSON) and every
// error class of the readers, on small files written by the test.
#include <crossview/io/rig.hpp>

#include "io_test_util.hpp"
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <limits>

#include <cstring>

using crossview::camera::Camera;
using crossview::camera::CameraModel;
using crossview::camera::Rigid3d;
using crossview::io::IoError;
using crossview::io::Rig;
using io_test::replace_once;
using io_test::require_io_error;
using io_test::TempFile;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

/// A random rig with one camera of every model.
Rig random_rig(std::uint64_t seed) {
  crossview_test::Rng rng(seed);
  Rig rig;
  rig.length_unit = "mm";
  const CameraModel models[] = {CameraModel::kPinhole, CameraModel::kOpenCV, CameraModel::kOpenCVRational,
                                CameraModel::kFisheye};
  int k = 0;
  for (CameraModel m : models) {
    Eigen::VectorXd p(crossview::camera::num_params(m));
    p[0] = rng.uniform(500, 2000);
    p[1] = p[0] * rng.uniform(0.99, 1.01);
    p[2] = rng.uniform(400, 600);
    p[3] = rng.uniform(400, 600);
    for (int i = 4; i < p.size(); ++i) p[i] = rng.uniform(-1e-3, 1e-3);
    const Rigid3d pose(rng.rotation(), Eigen::Vector3d(rng.normal(1000), rng.normal(1000), rng.normal(1000)));
    rig.cameras.emplace_back(m, p, 1000 + k, 800 + k, pose, "cam " + std::to_string(k) + " \"q\"");
    ++k;
  }
  return rig;
}

void require_same_rig_bits(const Rig& a, const Rig& b) {
  REQUIRE(a.size() == b.size());
  CHECK(a.length_unit == b.length_unit);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Camera& ca = a.cameras[i];
    const Camera& cb = b.cameras[i];
    CHECK(ca.name() == cb.name());
    CHECK(ca.model() == cb.model());
    CHECK(ca.width() == cb.width());
    CHECK(ca.height() == cb.height());
    REQUIRE(ca.params().size() == cb.params().size());
    for (int j = 0; j < ca.params().size(); ++j) CHECK(same_bits(ca.params()[j], cb.params()[j]));
    for (int j = 0; j < 4; ++j) {
      CHECK(same_bits(ca.cam_from_world.rotation.coeffs()[j], cb.cam_from_world.rotation.coeffs()[j]));
    }
    for (int j = 0; j < 3; ++j) {
      CHECK(same_bits(ca.cam_from_world.translation[j], cb.cam_from_world.translation[j]));
    }
  }
}

const char* kToml = R"([cam_01]
name = "cam_01"
size = [ 1088.0, 1920.0]
matrix = [ [ 1681.244873046875, 0.0, 532.97369384375], [ 0.0, 1681.075439453125, 948.137390140625], [ 0.0, 0.0, 1.0]]
distortions = [ -0.000721609375, 0.002187234375, 9.5e-06, 1.078125e-05]
rotation = [ 1.6882754799999993, 1.0483220499999997, -0.41955852000000016]
translation = [ 0.3211048899999996, 0.9563320600000009, 2.8907130499999996]
fisheye = false

[cam_02]
name = "cam_02"
size = [ 1088, 1920]
matrix = [ [ 1673.729614265625, 0.0, 534.494567875], [ 0.0, 1673.79724121875, 963.225891109375], [ 0.0, 0.0, 1.0]]
distortions = [ -0.000747609375, 0.00213728125, 1.51875e-05, 4.546875e-06, 0.001]
rotation = [ 1.34975875, 1.5963809099999993, -1.1983285799999999]
translation = [ -0.11152829000000014, 0.7766184800000001, 3.0675519599999994]
fisheye = false

[metadata]
adjusted = false
error = 0.0
)";

}  // namespace

TEST_CASE("io rig: Pose2Sim TOML text is read as documented", "[io][rig]") {
  const TempFile f("calib.toml", kToml);
  const Rig rig = crossview::io::read_pose2sim_toml(f.path());
  REQUIRE(rig.size() == 2);
  CHECK(rig.length_unit == "m");
  CHECK(rig.names() == std::vector<std::string>{"cam_01", "cam_02"});
  const Camera& c1 = rig.at("cam_01");
  CHECK(c1.model() == CameraModel::kOpenCV);
  CHECK(c1.width() == 1088);
  CHECK(c1.height() == 1920);
  CHECK(c1.fx() == 1681.244873046875);
  CHECK(c1.cy() == 948.137390140625);
  CHECK(c1.params()[7] == 1.078125e-05);
  CHECK(c1.params()[8] == 0.0);
  CHECK(rig.at("cam_02").params()[8] == 0.001);
  const Eigen::Vector3d rvec(1.6882754799999993, 1.0483220499999997, -0.41955852000000016);
  CHECK((c1.cam_from_world.angle_axis() - rvec).norm() < 1e-14);
  CHECK(c1.cam_from_world.translation.x() == 0.3211048899999996);
  CHECK(rig.index_of("cam_02") == 1);
  CHECK(rig.find("nope") == nullptr);
  CHECK_THROWS_AS(rig.at("nope"), std::out_of_range);
}

TEST_CASE("io rig: crossview JSON round trip is bit exact for every model", "[io][rig]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    const Rig rig = random_rig(seed);
    const TempFile f("rig.json", "");
    crossview::io::write_rig_json(rig, f.path());
    require_same_rig_bits(rig, crossview::io::read_rig_json(f.path()));
    // And in memory.
    require_same_rig_bits(rig, crossview::io::parse_rig_json(crossview::io::format_rig_json(rig)));
  }
}

TEST_CASE("io rig: Pose2Sim TOML round trip", "[io][rig]") {
  for (std::uint64_t seed : {4u, 5u}) {
    INFO("seed " << seed);
    Rig rig = random_rig(seed);
    rig.cameras.erase(rig.cameras.begin() + 2);  // the rational model does not fit the format
    const TempFile f("calib.toml", "");
    crossview::io::write_pose2sim_toml(rig, f.path());
    const Rig back = crossview::io::read_pose2sim_toml(f.path());
    REQUIRE(back.size() == rig.size());
    CHECK(back.length_unit == "m");
    for (std::size_t i = 0; i < rig.size(); ++i) {
      const Camera& a = rig.cameras[i];
      const Camera& b = back.cameras[i];
      CHECK(a.name() == b.name());
      CHECK(b.model() == (a.model() == CameraModel::kPinhole ? CameraModel::kOpenCV : a.model()));
      for (int j = 0; j < a.params().size(); ++j) CHECK(same_bits(a.params()[j], b.params()[j]));
      // Translations went mm -> m: one division by 1000 each, reversed exactly
      // up to one rounding (relative 2 eps).
      const Eigen::Vector3d t_mm = b.cam_from_world.translation * 1000.0;
      CHECK((t_mm - a.cam_from_world.translation).norm() <= 4e-16 * a.cam_from_world.translation.norm());
      // Rotation through Rodrigues: a few ulps.
      CHECK(crossview::camera::rotation_angle_between(a.cam_from_world.rotation, b.cam_from_world.rotation) < 1e-14);
    }
  }
  Rig rational = random_rig(6);
  CHECK_THROWS_AS(crossview::io::format_pose2sim_toml(rational), std::invalid_argument);
}

TEST_CASE("io rig: unit conversion and helpers", "[io][rig]") {
  const Rig rig = random_rig(7);
  const Rig m = rig.with_length_unit("m");
  CHECK(m.length_unit == "m");
  CHECK(m.cameras[1].cam_from_world.translation.isApprox(rig.cameras[1].cam_from_world.translation / 1000.0, 1e-15));
  CHECK(m.cameras[1].params() == rig.cameras[1].params());
  CHECK_THROWS_AS(rig.with_length_unit("cm"), std::invalid_argument);
  CHECK(crossview::io::metres_per_unit("mm") == 1e-3);
  // Overflow on conversion is refused (it used to give Inf, written as null in JSON).
  Rig huge = m;
  huge.cameras[0].cam_from_world.translation.x() = 1e307;
  CHECK_THROWS_WITH(huge.with_length_unit("mm"), Catch::Contains("overflows"));
  // Writers refuse what the format cannot hold instead of writing null.
  Rig inf = m;
  inf.cameras[0].cam_from_world.translation.y() = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(crossview::io::format_rig_json(inf), Catch::Contains("non-finite"));
  crossview::io::H36mReadOptions o;
  o.width = 0;
  CHECK_THROWS_AS(o.validate(), std::invalid_argument);
}

TEST_CASE("io rig: Pose2Sim TOML errors name file, field and expectation", "[io][rig][errors]") {
  struct Case {
    const char* what;
    std::string text;
    std::string field;
    std::string expected;
  };
  const std::string ok = kToml;
  const std::vector<Case> cases = {
      {"truncated", ok.substr(0, ok.find("1673.79724121875")), "line 13 column 61", "malformed or truncated TOML"},
      {"wrong type", replace_once(ok, "matrix = [ [ 1681.244873046875", "matrix = [ [ \"1681\""), "cam_01.matrix[0][0]",
       "expected a number, got a string"},
      {"missing field", replace_once(ok, "translation = [ 0.3211048899999996, 0.9563320600000009, 2.8907130499999996]\n", ""),
       "cam_01.translation", "missing field"},
      {"NaN", replace_once(ok, "948.137390140625", "nan"), "cam_01.matrix[1][2]", "expected a finite number, got nan"},
      {"Inf", replace_once(ok, "-1.1983285799999999", "-inf"), "cam_02.rotation[2]", "expected a finite number, got -inf"},
      {"size mismatch distortions", replace_once(ok, "-0.000721609375, ", ""), "cam_01.distortions",
       "expected 4 or 5 OpenCV coefficients"},
      {"size mismatch matrix", replace_once(ok, ", [ 0.0, 0.0, 1.0]]\ndistortions = [ -0.000747", "]\ndistortions = [ -0.000747"),
       "cam_02.matrix", "expected 3 elements, got 2"},
      {"size mismatch rotation", replace_once(ok, "rotation = [ 1.34975875, ", "rotation = [ "), "cam_02.rotation",
       "expected 3 elements, got 2"},
      {"non-positive focal", replace_once(ok, "1673.79724121875", "-1673.79724121875"), "cam_02.matrix[1][1]",
       "expected a positive focal length fy"},
      {"skew", replace_once(ok, "[ 1681.244873046875, 0.0,", "[ 1681.244873046875, 3.0,"), "cam_01.matrix[0][1]",
       "skew is not supported"},
      {"bad image size", replace_once(ok, "size = [ 1088, 1920]", "size = [ 1088.5, 1920]"), "cam_02.size[0]",
       "expected a positive whole number of pixels (width)"},
      {"fisheye coefficient count", replace_once(ok, "fisheye = false\n\n[metadata]", "fisheye = true\n\n[metadata]"),
       "cam_02.distortions", "expected 4 fisheye coefficients"},
      {"wrong type of fisheye", replace_once(ok, "fisheye = false\n\n[cam_02]", "fisheye = 0\n\n[cam_02]"),
       "cam_01.fisheye", "expected a boolean, got an integer"},
      {"duplicate names", replace_once(ok, "name = \"cam_02\"", "name = \"cam_01\""), "cam_02.name",
       "duplicate camera name 'cam_01'"},
      {"no cameras", "[metadata]\nadjusted = false\n", "", "expected at least one camera table"},
      {"not a table", "cam = 3\n" + ok, "cam", "expected a camera table, got an integer"},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.what);
    const TempFile f("bad.toml", c.text);
    require_io_error([&] { (void)crossview::io::read_pose2sim_toml(f.path()); }, f.path(), c.field, c.expected);
  }
  require_io_error([] { (void)crossview::io::read_pose2sim_toml("/nonexistent/crossview.toml"); },
                   "/nonexistent/crossview.toml", "", "cannot open file");
}

TEST_CASE("io rig: crossview JSON errors name file, field and expectation", "[io][rig][errors]") {
  Rig rig = random_rig(11);
  const std::string ok = crossview::io::format_rig_json(rig);
  // Small, fixed documents for precise edits.
  const std::string doc = R"({"format": "crossview.rig", "version": 1, "length_unit": "m", "cameras": [
    {"name": "a", "model": "OPENCV", "width": 640, "height": 480,
     "params": [500.0, 501.0, 320.0, 240.0, 0.01, -0.02, 0.0, 0.0, 0.0],
     "cam_from_world": {"quaternion_wxyz": [1.0, 0.0, 0.0, 0.0], "translation": [0.1, 0.2, 0.3]}}]})";
  struct Case {
    const char* what;
    std::string text;
    std::string field;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"truncated", ok.substr(0, ok.size() / 2), "", "malformed or truncated JSON"},
      {"malformed", replace_once(doc, "\"width\": 640,", "\"width\": 640"), "", "malformed or truncated JSON"},
      {"wrong format", replace_once(doc, "crossview.rig", "other"), "format", "expected \"crossview.rig\""},
      {"wrong version", replace_once(doc, "\"version\": 1", "\"version\": 2"), "version", "expected 1, got 2"},
      {"wrong unit", replace_once(doc, "\"m\"", "\"cm\""), "length_unit", "expected \"m\" or \"mm\""},
      {"wrong type", replace_once(doc, "\"width\": 640", "\"width\": \"640\""), "cameras[0].width",
       "expected a number, got a string"},
      {"non-integer", replace_once(doc, "\"width\": 640", "\"width\": 640.5"), "cameras[0].width", "expected an integer"},
      {"missing field", replace_once(doc, "\"height\": 480,", ""), "cameras[0].height", "missing field"},
      {"Inf", replace_once(doc, "0.01, -0.02", "1e999, -0.02"), "", "number overflow"},
      {"NaN", replace_once(doc, "0.01, -0.02", "NaN, -0.02"), "", "malformed or truncated JSON"},
      {"null", replace_once(doc, "0.01, -0.02", "null, -0.02"), "cameras[0].params[4]", "expected a number, got null"},
      {"params size", replace_once(doc, ", 0.0, 0.0, 0.0]", ", 0.0, 0.0]"), "cameras[0].params",
       "expected 9 parameters for model OPENCV, got 8"},
      {"unknown model", replace_once(doc, "OPENCV", "KB8"), "cameras[0].model", "expected one of PINHOLE"},
      {"non-positive focal", replace_once(doc, "[500.0,", "[0.0,"), "cameras[0].params[0]", "expected a positive focal length fx"},
      {"non-positive size", replace_once(doc, "\"height\": 480", "\"height\": -480"), "cameras[0].height",
       "expected a positive height"},
      {"not a rotation", replace_once(doc, "[1.0, 0.0, 0.0, 0.0]", "[1.0, 0.5, 0.0, 0.0]"),
       "cameras[0].cam_from_world.quaternion_wxyz", "expected a unit quaternion"},
      {"quaternion size", replace_once(doc, "[1.0, 0.0, 0.0, 0.0]", "[1.0, 0.0, 0.0]"),
       "cameras[0].cam_from_world.quaternion_wxyz", "expected 4 elements, got 3"},
      {"cameras not array", R"({"format": "crossview.rig", "version": 1, "length_unit": "m", "cameras": {}})", "cameras",
       "expected an array, got an object"},
      {"top not object", "[1, 2]", "", "expected an object, got an array"},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.what);
    const TempFile f("bad.json", c.text);
    require_io_error([&] { (void)crossview::io::read_rig_json(f.path()); }, f.path(), c.field, c.expected);
  }
  // The unedited document reads.
  const TempFile good("good.json", doc);
  CHECK(crossview::io::read_rig_json(good.path()).at("a").fx() == 500.0);
}

TEST_CASE("io rig: Human3.6M JSON errors name file, field and expectation", "[io][rig][errors]") {
  const std::string doc = R"({"intrinsics": {"54138969": {"calibration_matrix": [[1145.0, 0.0, 512.5], [0.0, 1143.7, 515.4], [0.0, 0.0, 1.0]],
      "distortion": [-0.2, 0.24, -0.0014, -0.00097, -0.003]}},
    "extrinsics": {"S1": {"54138969": {"R": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], "t": [[-346.0], [546.9], [5474.4]]}}}})";
  const TempFile good("h36m.json", doc);
  const Rig rig = crossview::io::read_h36m_json(good.path(), "S1");
  REQUIRE(rig.size() == 1);
  CHECK(rig.length_unit == "mm");
  CHECK(rig.cameras[0].name() == "54138969");
  CHECK(rig.cameras[0].width() == 1000);
  CHECK(rig.cameras[0].height() == 1002);
  CHECK(rig.cameras[0].params()[8] == -0.003);
  CHECK(rig.cameras[0].cam_from_world.translation.z() == 5474.4);
  struct Case {
    const char* what;
    std::string text;
    std::string field;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"truncated", doc.substr(0, 100), "", "malformed or truncated JSON"},
      {"not a rotation", replace_once(doc, "[[1.0, 0.0, 0.0], [0.0, 1.0", "[[1.0, 0.1, 0.0], [0.0, 1.0"),
       "extrinsics.S1.54138969.R", "expected a rotation matrix"},
      {"reflection", replace_once(doc, "[0.0, 0.0, 1.0]], \"t\"", "[0.0, 0.0, -1.0]], \"t\""), "extrinsics.S1.54138969.R",
       "det R = -1"},
      {"t size", replace_once(doc, "[[-346.0], [546.9], [5474.4]]", "[[-346.0], [546.9]]"), "extrinsics.S1.54138969.t",
       "expected 3 elements, got 2"},
      {"t row size", replace_once(doc, "[[-346.0], [546.9], [5474.4]]", "[[-346.0], [546.9, 1.0], [5474.4]]"),
       "extrinsics.S1.54138969.t[1]", "expected 1 elements, got 2"},
      {"distortion size", replace_once(doc, ", -0.003]", ", -0.003, 0.1]"), "intrinsics.54138969.distortion",
       "expected 5 coefficients"},
      {"missing camera extrinsics", replace_once(doc, "\"S1\": {\"54138969\"", "\"S1\": {\"55011271\""),
       "extrinsics.S1.54138969", "missing field"},
      {"K not upper triangular", replace_once(doc, "[0.0, 1143.7", "[2.0, 1143.7"),
       "intrinsics.54138969.calibration_matrix[1][0]", "expected 0, got 2"},
      {"missing intrinsics", replace_once(doc, "\"intrinsics\"", "\"intrinsic\""), "intrinsics", "missing field"},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.what);
    const TempFile f("bad.json", c.text);
    require_io_error([&] { (void)crossview::io::read_h36m_json(f.path(), "S1"); }, f.path(), c.field, c.expected);
  }
  require_io_error([&] { (void)crossview::io::read_h36m_json(good.path(), "S7"); }, good.path(), "extrinsics.S7",
                   "no such subject (subjects present: S1)");
}

TEST_CASE("io rig: the world's provenance round trips through JSON and TOML", "[io][rig]") {
  Rig rig = random_rig(7);
  rig.cameras.erase(rig.cameras.begin() + 2);  // the rational model does not fit the Pose2Sim format
  // Nothing recorded: no "world" object, no [metadata.world] table, read back empty.
  CHECK(crossview::io::format_rig_json(rig).find("\"world\"") == std::string::npos);
  CHECK(crossview::io::format_pose2sim_toml(rig).find("[metadata.world]") == std::string::npos);
  CHECK(crossview::io::parse_rig_json(crossview::io::format_rig_json(rig)).world.empty());
  CHECK(crossview::io::parse_pose2sim_toml(crossview::io::format_pose2sim_toml(rig)).world.empty());

  rig.world.frame = "floor";
  rig.world.camera = "cam \"1\"";  // quotes are escaped
  rig.world.up = "+z";
  rig.world.x_axis = "camera cam1's viewing direction projected onto the floor";
  rig.world.origin = "under the people's feet";
  rig.world.estimated_by = "crossview calibrate --align-floor";
  rig.world.evidence = "floor from 812 of 900 still foot points\nsecond line";
  rig.world.tilt_uncertainty_deg = 0.7123456789012345;
  const auto same_world = [](const crossview::io::RigWorld& a, const crossview::io::RigWorld& b) {
    CHECK(a.frame == b.frame);
    CHECK(a.camera == b.camera);
    CHECK(a.up == b.up);
    CHECK(a.x_axis == b.x_axis);
    CHECK(a.origin == b.origin);
    CHECK(a.estimated_by == b.estimated_by);
    CHECK(a.evidence == b.evidence);
    CHECK(same_bits(a.tilt_uncertainty_deg, b.tilt_uncertainty_deg));
  };
  const Rig from_json = crossview::io::parse_rig_json(crossview::io::format_rig_json(rig));
  same_world(rig.world, from_json.world);
  require_same_rig_bits(rig, from_json);
  const std::string toml = crossview::io::format_pose2sim_toml(rig);
  CHECK(toml.find("[metadata.world]") != std::string::npos);
  const Rig from_toml = crossview::io::parse_pose2sim_toml(toml);
  same_world(rig.world, from_toml.world);
  CHECK(from_toml.size() == rig.size());  // the metadata is not a camera
  // Unit conversion keeps it; a camera frame without an uncertainty leaves the key out.
  same_world(rig.world, rig.with_length_unit("m").world);
  crossview::io::RigWorld camera_frame;
  camera_frame.frame = "camera";
  camera_frame.camera = "cam1";
  rig.world = camera_frame;
  const std::string json = crossview::io::format_rig_json(rig);
  CHECK(json.find("tilt_uncertainty_deg") == std::string::npos);
  CHECK(json.find("\"up\"") == std::string::npos);
  same_world(camera_frame, crossview::io::parse_rig_json(json).world);
  same_world(camera_frame, crossview::io::parse_pose2sim_toml(crossview::io::format_pose2sim_toml(rig)).world);
  // Writers refuse a world they cannot express honestly.
  rig.world.frame = "ceiling";
  CHECK_THROWS_AS(crossview::io::format_rig_json(rig), std::invalid_argument);
  CHECK_THROWS_AS(crossview::io::format_pose2sim_toml(rig), std::invalid_argument);
  rig.world.frame = "floor";
  rig.world.tilt_uncertainty_deg = -1.0;
  CHECK_THROWS_AS(crossview::io::format_rig_json(rig), std::invalid_argument);
  rig.world.tilt_uncertainty_deg = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(crossview::io::format_pose2sim_toml(rig), std::invalid_argument);
}

TEST_CASE("io rig: errors in the world's provenance name the field", "[io][rig][errors]") {
  Rig rig = random_rig(8);
  rig.cameras.erase(rig.cameras.begin() + 2);
  rig.world.frame = "floor";
  rig.world.up = "+z";
  rig.world.tilt_uncertainty_deg = 1.5;
  const std::string json = crossview::io::format_rig_json(rig);
  const std::string toml = crossview::io::format_pose2sim_toml(rig);
  const auto json_error = [](const std::string& text, const std::string& field, const std::string& expected) {
    const TempFile f("world.json", text);
    require_io_error([&] { crossview::io::read_rig_json(f.path()); }, f.path(), field, expected);
  };
  const auto toml_error = [](const std::string& text, const std::string& field, const std::string& expected) {
    const TempFile f("world.toml", text);
    require_io_error([&] { crossview::io::read_pose2sim_toml(f.path()); }, f.path(), field, expected);
  };
  json_error(replace_once(json, "\"frame\": \"floor\"", "\"frame\": \"sky\""), "world.frame",
             "expected \"floor\", \"camera\" or \"other\"");
  json_error(replace_once(json, "\"frame\": \"floor\",", ""), "world.frame", "missing field");
  json_error(replace_once(json, "\"up\": \"+z\"", "\"up\": 3"), "world.up", "expected a string");
  json_error(replace_once(json, "\"tilt_uncertainty_deg\": 1.5", "\"tilt_uncertainty_deg\": -1.5"),
             "world.tilt_uncertainty_deg", "expected a number >= 0");
  json_error(replace_once(json, "\"tilt_uncertainty_deg\": 1.5", "\"tilt_uncertainty_deg\": \"1.5\""),
             "world.tilt_uncertainty_deg", "expected a number");
  {
    const std::size_t at = json.find("\"world\": {");
    REQUIRE(at != std::string::npos);
    json_error(json.substr(0, at) + "\"world\": []\n}\n", "world", "expected an object");
  }
  toml_error(replace_once(toml, "frame = \"floor\"", "frame = \"sky\""), "metadata.world.frame",
             "expected \"floor\", \"camera\" or \"other\"");
  toml_error(replace_once(toml, "up = \"+z\"", "up = 1"), "metadata.world.up", "expected a string");
  toml_error(replace_once(toml, "tilt_uncertainty_deg = 1.5", "tilt_uncertainty_deg = nan"),
             "metadata.world.tilt_uncertainty_deg", "expected a finite number");
  // Unknown keys are ignored (files from newer versions stay readable).
  CHECK(crossview::io::parse_rig_json(replace_once(json, "\"frame\": \"floor\"", "\"frame\": \"floor\", \"note\": 1"))
            .world.frame == "floor");
}
