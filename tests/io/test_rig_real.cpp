// crossview::io rigs on the real calibrations in ../shared/data.
#include <crossview/io/rig.hpp>

#include "io_test_util.hpp"
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <cstring>

using crossview::camera::Camera;
using crossview::camera::CameraModel;
using crossview::camera::ProjectionStatus;
using crossview::io::Rig;
using crossview_test::shared_data;

namespace {

/// Max |project(unproject(x)) - x| over a grid covering the whole image
/// (borders included); requires every pixel to unproject successfully.
double max_round_trip_error_px(const Camera& cam, int steps) {
  double worst = 0.0;
  for (int i = 0; i <= steps; ++i) {
    for (int j = 0; j <= steps; ++j) {
      const Eigen::Vector2d px(-0.5 + cam.width() * i / double(steps), -0.5 + cam.height() * j / double(steps));
      Eigen::Vector3d ray = Eigen::Vector3d::Zero();
      const ProjectionStatus s = cam.unproject(px, &ray);
      INFO(cam.name() << " pixel " << px.transpose() << ": " << to_string(s));
      REQUIRE(s == ProjectionStatus::kSuccess);
      Eigen::Vector2d back;
      REQUIRE(cam.project_from_cam(ray * 3.7, &back) == ProjectionStatus::kSuccess);
      worst = std::max(worst, (back - px).norm());
    }
  }
  return worst;
}

constexpr double kRoundTripTolerancePx = 1e-9;  // the requirement

}  // namespace

TEST_CASE("io rig real: Pose2Sim demo calibration", "[io][rig][real]") {
  const Rig rig = crossview::io::read_pose2sim_toml(shared_data("pose2sim_demo/Calib_qualisys.toml"));
  REQUIRE(rig.size() == 4);
  CHECK(rig.names() == std::vector<std::string>{"cam_01", "cam_02", "cam_03", "cam_04"});
  CHECK(rig.length_unit == "m");
  for (const Camera& c : rig.cameras) {
    CHECK(c.model() == CameraModel::kOpenCV);
    CHECK(c.width() == 1088);
    CHECK(c.height() == 1920);
    CHECK(c.params()[8] == 0.0);
    // Cameras stand a few metres from the capture volume, looking at it.
    const double dist = c.center_in_world().norm();
    CHECK(dist > 2.0);
    CHECK(dist < 6.0);
    const double err = max_round_trip_error_px(c, 40);
    INFO(c.name() << " max round trip error " << err << " px");
    CHECK(err < kRoundTripTolerancePx);
  }
  CHECK(rig.at("cam_03").cam_from_world.translation.z() == 4.353514870000001);
}

TEST_CASE("io rig real: Human3.6M calibration, every subject", "[io][rig][real]") {
  const std::string path = shared_data("h36m/camera-parameters.json");
  const Rig rig = crossview::io::read_h36m_json(path, "S1");
  REQUIRE(rig.size() == 4);
  CHECK(rig.names() == std::vector<std::string>{"54138969", "55011271", "58860488", "60457274"});
  CHECK(rig.length_unit == "mm");
  const Camera& c0 = rig.cameras[0];
  CHECK(c0.width() == 1000);
  CHECK(c0.height() == 1002);
  CHECK(c0.fx() == 1145.04940458804);
  CHECK(c0.params()[8] == -0.00307515035078854);
  // R and t as in the file.
  Eigen::Matrix3d R_file;
  R_file << -0.9153617321513369, 0.40180836633680234, 0.02574754463350265, 0.051548117060134555, 0.1803735689384521,
      -0.9822464900705729, -0.399319034032262, -0.8977836111057917, -0.185819527201491;
  CHECK((c0.cam_from_world.rotation_matrix() - R_file).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(c0.cam_from_world.translation.x() == -346.05078140028075);
  for (const Camera& c : rig.cameras) {
    const double dist_mm = c.center_in_world().norm();
    CHECK(dist_mm > 3000.0);
    CHECK(dist_mm < 8000.0);
    const double err = max_round_trip_error_px(c, 40);
    INFO(c.name() << " max round trip error " << err << " px");
    CHECK(err < kRoundTripTolerancePx);
  }
  for (const char* s : {"S1", "S5", "S6", "S7", "S8", "S9", "S11"}) {
    INFO(s);
    CHECK(crossview::io::read_h36m_json(path, s).size() == 4);
  }
  crossview::io::H36mReadOptions opt;
  opt.width = 1002;
  opt.height = 1000;
  CHECK(crossview::io::read_h36m_json(path, "S9", opt).cameras[2].width() == 1002);
}

TEST_CASE("io rig real: real rigs survive crossview JSON and TOML round trips", "[io][rig][real]") {
  const Rig h36m = crossview::io::read_h36m_json(shared_data("h36m/camera-parameters.json"), "S11");
  const Rig p2s = crossview::io::read_pose2sim_toml(shared_data("pose2sim_demo/Calib_qualisys.toml"));
  for (const Rig* rig : {&h36m, &p2s}) {
    const Rig back = crossview::io::parse_rig_json(crossview::io::format_rig_json(*rig));
    REQUIRE(back.size() == rig->size());
    CHECK(back.length_unit == rig->length_unit);
    for (std::size_t i = 0; i < rig->size(); ++i) {
      CHECK(back.cameras[i].params() == rig->cameras[i].params());
      CHECK(back.cameras[i].cam_from_world.rotation.coeffs() == rig->cameras[i].cam_from_world.rotation.coeffs());
      CHECK(back.cameras[i].cam_from_world.translation == rig->cameras[i].cam_from_world.translation);
    }
  }
  // Pose2Sim TOML -> our writer -> reader: intrinsics and translations exact.
  const Rig p2s_back = crossview::io::parse_pose2sim_toml(crossview::io::format_pose2sim_toml(p2s));
  REQUIRE(p2s_back.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(p2s_back.cameras[i].params() == p2s.cameras[i].params());
    CHECK(p2s_back.cameras[i].cam_from_world.translation == p2s.cameras[i].cam_from_world.translation);
    CHECK(crossview::camera::rotation_angle_between(p2s_back.cameras[i].cam_from_world.rotation,
                                                    p2s.cameras[i].cam_from_world.rotation) < 1e-14);
  }
}
