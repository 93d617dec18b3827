// estimate_floor / apply_world_frame on generated walkers with a known floor:
// the up axis, the floor height, the origin and heading conventions, the rig
// update, the statuses of degenerate feet, bad input.
#include <crossview/temporal/world_frame.hpp>

#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <Eigen/Geometry>

#include <cmath>
#include <string>
#include <vector>

using namespace crossview;
using crossview_test::Rng;

namespace {

constexpr int kJoints = 5;  // 0 head, 1 left ankle, 2 left toe, 3 right ankle, 4 right toe

temporal::FloorOptions walker_options() {
  temporal::FloorOptions o;
  o.feet = {{1, 0.08}, {2, 0.03}, {3, 0.08}, {4, 0.03}};
  return o;
}

/// A walker on the floor z = 0 (metres, z up) at 60 Hz: steps of 0.6 m
/// along a path that turns (so that feet cover `width` metres sideways);
/// each foot stands still for 30 frames then swings (airborne, up to 0.15 m)
/// for 30. Keypoints at their typical heights plus `noise` m.
Eigen::Matrix3Xd make_walker(int F, double width, double noise, std::uint64_t seed) {
  Rng rng(seed);
  Eigen::Matrix3Xd x(3, F * kJoints);
  const auto path = [&](double s) {  // position along the path at arc length s
    return Eigen::Vector3d(s, width * 0.5 * std::sin(s / 1.5), 0.0);
  };
  for (int f = 0; f < F; ++f) {
    Eigen::Vector3d feet[2];
    for (int side = 0; side < 2; ++side) {
      const int phase = (f + 30 * side) % 60;      // 0-29 stance, 30-59 swing
      const int step = (f + 30 * side) / 60;
      const double s_stance = 1.2 * step + 0.3 * side;
      double s = s_stance, lift = 0.0;
      if (phase >= 30) {
        const double u = (phase - 30) / 30.0;
        s = s_stance + 1.2 * u;
        lift = 0.15 * std::sin(M_PI * u);
      }
      const Eigen::Vector3d p = path(s);
      const Eigen::Vector3d tangent = (path(s + 0.01) - p).normalized();
      const Eigen::Vector3d lateral(-tangent.y(), tangent.x(), 0.0);
      feet[side] = p + (side == 0 ? 0.1 : -0.1) * lateral + Eigen::Vector3d(0, 0, lift);
      const Eigen::Vector3d ankle = feet[side] + Eigen::Vector3d(0, 0, 0.08) - 0.05 * tangent;
      const Eigen::Vector3d toe = feet[side] + Eigen::Vector3d(0, 0, 0.03) + 0.15 * tangent;
      x.col(f * kJoints + 1 + 2 * side) = ankle;
      x.col(f * kJoints + 2 + 2 * side) = toe;
    }
    x.col(f * kJoints) = 0.5 * (feet[0] + feet[1]) + Eigen::Vector3d(0, 0, 1.65);
  }
  for (int i = 0; i < x.cols(); ++i) x.col(i) += Eigen::Vector3d(rng.normal(noise), rng.normal(noise), rng.normal(noise));
  return x;
}

std::vector<camera::Camera> rig_around(const Eigen::Vector3d& centre) {
  std::vector<camera::Camera> cams;
  for (int v = 0; v < 3; ++v) {
    const double a = 2.0 * M_PI * v / 3.0;
    const Eigen::Vector3d c = centre + Eigen::Vector3d(5 * std::cos(a), 5 * std::sin(a), 2.0);
    cams.push_back(camera::Camera::pinhole(1000, 1000, 640, 360, 1280, 720, crossview_test::look_at(c, centre)));
  }
  return cams;
}

}  // namespace

TEST_CASE("estimate_floor recovers the floor of a walker seen in an arbitrary frame") {
  const int F = 600;
  const Eigen::Matrix3Xd truth = make_walker(F, 2.0, 0.01, 1);  // walks 6 m, 2 m sideways
  std::vector<camera::Camera> cams = rig_around(Eigen::Vector3d(3, 0, 1));
  // The rig's "old" world: camera 0's frame (what self-calibration gives).
  const camera::Rigid3d old_from_true = cams[0].cam_from_world;
  const Eigen::Matrix3Xd poses = (old_from_true.rotation_matrix() * truth).colwise() + old_from_true.translation;
  std::vector<camera::Camera> old_rig = cams;
  temporal::apply_world_frame(old_from_true, &old_rig);
  REQUIRE((old_rig[0].cam_from_world.translation).norm() < 1e-9);  // camera 0 at the old origin

  const temporal::FloorResult f = temporal::estimate_floor(old_rig, poses, kJoints, 60.0, walker_options());
  INFO(f.message);
  REQUIRE(f.ok());
  CHECK(f.tilt_uncertainty_deg < 2.0);
  // Up axis: the old frame's image of true z.
  const Eigen::Vector3d true_up_in_old = old_from_true.rotation * Eigen::Vector3d::UnitZ();
  CHECK(std::acos(std::clamp(f.up_in_old.dot(true_up_in_old), -1.0, 1.0)) * 180 / M_PI < 0.5);
  // The new world: z up, the floor at z = 0, the origin under the feet,
  // x = camera 0's viewing direction on the floor.
  std::vector<camera::Camera> aligned = old_rig;
  temporal::apply_world_frame(f.world_from_old, &aligned);
  const Eigen::Matrix3Xd in_new = temporal::transform_points(f.world_from_old, poses);
  const camera::Rigid3d new_from_true = f.world_from_old * old_from_true;
  CHECK((new_from_true.rotation * Eigen::Vector3d::UnitZ() - Eigen::Vector3d::UnitZ()).norm() < 0.01);
  CHECK(std::abs(new_from_true.translation.z()) < 0.01);  // true floor z = 0 -> new z = 0 (1 cm)
  Eigen::Vector3d mean_feet = Eigen::Vector3d::Zero();
  for (int fr = 0; fr < F; ++fr) mean_feet += in_new.col(fr * kJoints + 1) / F;
  CHECK(mean_feet.head<2>().norm() < 1.5);  // origin under the walker's footprint
  const Eigen::Vector3d forward = aligned[0].cam_from_world.rotation.conjugate() * Eigen::Vector3d::UnitZ();
  CHECK(std::abs(forward.y()) < 1e-9);  // camera 0 looks along +x (and down)
  CHECK(forward.x() > 0.0);
  // The rig moved with the world: every camera sees the same pixels.
  for (std::size_t c = 0; c < cams.size(); ++c) {
    Eigen::Vector2d a, b;
    REQUIRE(old_rig[c].project(poses.col(7), &a) == camera::ProjectionStatus::kSuccess);
    REQUIRE(aligned[c].project(in_new.col(7), &b) == camera::ProjectionStatus::kSuccess);
    CHECK((a - b).norm() < 1e-6);
  }
  CHECK(f.num_inliers >= 500);
  CHECK(f.rms_residual_m < 0.02);
}

TEST_CASE("estimate_floor: millimetres, and airborne feet held still do not lift the floor") {
  Eigen::Matrix3Xd truth = make_walker(600, 2.0, 0.005, 2);
  // A foot held still 30 cm up for 100 frames (balancing): still, not on the floor.
  for (int f = 200; f < 300; ++f) {
    truth.col(f * kJoints + 1) = Eigen::Vector3d(2.0, 0.5, 0.38);
    truth.col(f * kJoints + 2) = Eigen::Vector3d(2.2, 0.5, 0.33);
  }
  temporal::FloorOptions o = walker_options();
  o.length_unit_m = 0.001;
  const auto f = temporal::estimate_floor({}, 1000.0 * truth, kJoints, 60.0, o);
  INFO(f.message);
  REQUIRE(f.ok());
  CHECK(std::acos(std::clamp(f.up_in_old.z(), -1.0, 1.0)) * 180 / M_PI < 0.5);
  CHECK(std::abs(f.floor_offset) < 10.0);  // mm: the floor is z = 0
  for (int s : f.inlier_samples) CHECK(!(s / kJoints >= 200 && s / kJoints < 300 && s % kJoints != 0 && s % kJoints <= 2));
}

TEST_CASE("estimate_floor: statuses when the feet cannot fix a floor") {
  // Feet in a line (a walker going straight): underdetermined, and said so.
  const auto line = temporal::estimate_floor({}, make_walker(600, 0.0, 0.005, 3), kJoints, 60.0, walker_options());
  CHECK(line.status == temporal::FloorStatus::kUnderdetermined);
  CHECK(line.has_frame());
  CHECK(line.message.find("narrow") != std::string::npos);
  // Feet always moving: no still point.
  Eigen::Matrix3Xd moving = make_walker(120, 2.0, 0.0, 4);
  for (int f = 0; f < 120; ++f) {
    for (int j = 1; j < kJoints; ++j) moving.col(f * kJoints + j) += Eigen::Vector3d(0.05 * f, 0, 0);
  }
  const auto none = temporal::estimate_floor({}, moving, kJoints, 60.0, walker_options());
  CHECK(none.status == temporal::FloorStatus::kTooFewFootPoints);
  CHECK_FALSE(none.has_frame());
  // Still feet scattered in 3D (no plane).
  Rng rng(5);
  Eigen::Matrix3Xd scattered(3, 300 * kJoints);
  for (int f = 0; f < 300; ++f) {
    const Eigen::Vector3d base(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2));
    for (int j = 0; j < kJoints; ++j) scattered.col(f * kJoints + j) = base + Eigen::Vector3d(0, 0, j == 0 ? 1.6 : 0.0);
  }
  // Hold each scattered placement still for 3 frames so they count as still.
  for (int f = 0; f + 2 < 300; f += 3) {
    for (int j = 0; j < kJoints; ++j) {
      scattered.col((f + 1) * kJoints + j) = scattered.col(f * kJoints + j);
      scattered.col((f + 2) * kJoints + j) = scattered.col(f * kJoints + j);
    }
  }
  const auto noplane = temporal::estimate_floor({}, scattered, kJoints, 60.0, walker_options());
  CHECK(noplane.status != temporal::FloorStatus::kSuccess);
}

TEST_CASE("estimate_floor / apply_world_frame / transform_points: bad input") {
  const Eigen::Matrix3Xd w = make_walker(60, 1.0, 0.0, 6);
  const auto throws_with = [](auto&& f, const std::string& text) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(text) != std::string::npos);
      return;
    }
    FAIL("no std::invalid_argument (expected '" << text << "')");
  };
  throws_with([&] { temporal::estimate_floor({}, w, 4, 60.0, walker_options()); }, "num_joints");
  throws_with([&] { temporal::estimate_floor({}, w, kJoints, 0.0, walker_options()); }, "rate_hz");
  temporal::FloorOptions o = walker_options();
  o.feet.push_back({7, 0.0});
  throws_with([&] { temporal::estimate_floor({}, w, kJoints, 60.0, o); }, "foot joint 7");
  const auto opt = [&](auto&& set, const std::string& name) {
    temporal::FloorOptions b = walker_options();
    set(b);
    throws_with([&] { temporal::estimate_floor({}, w, kJoints, 60.0, b); }, name);
  };
  opt([](auto& b) { b.feet.clear(); }, "feet");
  opt([](auto& b) { b.feet[0].height_m = -1; }, "height_m");
  opt([](auto& b) { b.length_unit_m = 0; }, "length_unit_m");
  opt([](auto& b) { b.max_foot_speed_m_s = 0; }, "max_foot_speed_m_s");
  opt([](auto& b) { b.inlier_threshold_m = -1; }, "inlier_threshold_m");
  opt([](auto& b) { b.ransac_iterations = 0; }, "ransac_iterations");
  opt([](auto& b) { b.min_inliers = 2; }, "min_inliers");
  opt([](auto& b) { b.max_tilt_uncertainty_deg = 0; }, "max_tilt_uncertainty_deg");
  throws_with([&] { temporal::apply_world_frame(camera::Rigid3d(), nullptr); }, "null");
  std::vector<camera::Camera> cams = rig_around(Eigen::Vector3d::Zero());
  camera::Rigid3d nan_t;
  nan_t.translation.x() = std::nan("");
  throws_with([&] { temporal::apply_world_frame(nan_t, &cams); }, "finite");
  throws_with([&] { temporal::transform_points(camera::Rigid3d(), Eigen::MatrixXd::Zero(5, 3)); }, "points_in_old");
  CHECK(temporal::FloorOptions::body25b().feet.size() == 8);
  CHECK(temporal::FloorOptions::human36m_17().feet.size() == 2);
}
