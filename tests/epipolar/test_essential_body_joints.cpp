// estimate_essential on a compact, body-joint-like scene (the EpipolarPose use
// case): 17 "joints" per frame inside a 0.5 x 1.8 x 0.5 m box that moves ~2 m
// across the floor, seen by two cameras ~4.5 m away, 90 deg apart, f ~ 1400 px,
// 1.5 px detection noise, 3 % gross outliers (up to 250 px).
//
// Regression: LO used to refit with a linear 8-point F projected onto the
// essential matrices, which on such compact scenes is poorly conditioned and
// left RANSAC in a wrong basin (e.g. 409 of ~445 inliers, 4.9 deg rotation error
// at a 4 px gate while the true pose has a far lower MSAC score).
#include <crossview/epipolar/estimate.hpp>
#include <crossview/epipolar/refine.hpp>

#include "two_view_scene.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

namespace {
using namespace crossview;
using crossview_test::direction_error_deg;
using crossview_test::rotation_error_deg;

struct JointScene {
  camera::Camera camera1, camera2;
  camera::Rigid3d cam2_from_cam1;
  std::vector<Eigen::Vector2d> points1_px, points2_px;
  std::vector<char> is_inlier;
};

constexpr double kNoisePx = 1.5;
constexpr double kOutlierRatio = 0.03;
constexpr double kOutlierRadiusPx = 250.0;

JointScene make_joint_scene(std::uint64_t seed, int num_frames) {
  crossview_test::Rng rng(seed);
  JointScene s;
  const Eigen::Vector3d target(0.0, 0.0, 0.9);  // world: Z up, metres
  const double a1 = rng.uniform(0.0, 2.0 * M_PI);
  const double a2 = a1 + M_PI / 2.0 + rng.uniform(-0.2, 0.2);
  const Eigen::Vector3d c1(4.5 * std::cos(a1), 4.5 * std::sin(a1), rng.uniform(1.6, 2.2));
  const Eigen::Vector3d c2(4.5 * std::cos(a2), 4.5 * std::sin(a2), rng.uniform(1.6, 2.2));
  const camera::Rigid3d w1 = crossview_test::look_at(c1, target);
  const camera::Rigid3d w2 = crossview_test::look_at(c2, target);
  const double f1 = 1400.0 * rng.uniform(0.97, 1.03), f2 = 1400.0 * rng.uniform(0.97, 1.03);
  s.camera1 = camera::Camera::pinhole(f1, f1 * 1.002, 960.0, 540.0, 1920, 1080, w1);
  s.camera2 = camera::Camera::pinhole(f2, f2 * 0.998, 955.0, 545.0, 1920, 1080, w2);
  s.cam2_from_cam1 = w2 * w1.inverse();
  // The person's box walks ~2 m along a random direction on the floor.
  const double heading = rng.uniform(0.0, 2.0 * M_PI);
  const Eigen::Vector3d walk(std::cos(heading), std::sin(heading), 0.0);
  for (int f = 0; f < num_frames; ++f) {
    const double u = num_frames > 1 ? static_cast<double>(f) / (num_frames - 1) : 0.5;
    const Eigen::Vector3d centre = Eigen::Vector3d(0.0, 0.0, 0.9) + (u - 0.5) * 2.0 * walk;
    for (int j = 0; j < 17; ++j) {
      const Eigen::Vector3d X = centre + Eigen::Vector3d(rng.uniform(-0.25, 0.25),
                                                         rng.uniform(-0.25, 0.25),
                                                         rng.uniform(-0.9, 0.9));
      Eigen::Vector2d p1, p2;
      if (s.camera1.project(X, &p1) != camera::ProjectionStatus::kSuccess ||
          s.camera2.project(X, &p2) != camera::ProjectionStatus::kSuccess) {
        continue;
      }
      p1 += Eigen::Vector2d(rng.normal(kNoisePx), rng.normal(kNoisePx));
      p2 += Eigen::Vector2d(rng.normal(kNoisePx), rng.normal(kNoisePx));
      bool inlier = true;
      if (rng.uniform() < kOutlierRatio) {
        const double r = kOutlierRadiusPx * std::sqrt(rng.uniform()), phi = rng.uniform(0.0, 2.0 * M_PI);
        (rng.uniform() < 0.5 ? p1 : p2) += Eigen::Vector2d(r * std::cos(phi), r * std::sin(phi));
        inlier = false;
      }
      s.points1_px.push_back(p1);
      s.points2_px.push_back(p2);
      s.is_inlier.push_back(inlier ? 1 : 0);
    }
  }
  return s;
}

/// The noise-only reference: the Sampson-error optimum over the TRUE inliers,
/// started from the true pose (what an estimator that never sees an outlier and
/// never truncates would return). Its rotation error is the spread due to the
/// 1.5 px noise on this geometry.
double oracle_rotation_error_deg(const JointScene& s) {
  std::vector<Eigen::Vector2d> n1, n2;
  for (std::size_t i = 0; i < s.points1_px.size(); ++i) {
    Eigen::Vector2d a, b;
    if (!s.is_inlier[i]) continue;
    if (s.camera1.unproject_to_normalized(s.points1_px[i], &a) != camera::ProjectionStatus::kSuccess ||
        s.camera2.unproject_to_normalized(s.points2_px[i], &b) != camera::ProjectionStatus::kSuccess) {
      continue;
    }
    n1.push_back(a);
    n2.push_back(b);
  }
  camera::Rigid3d pose = s.cam2_from_cam1;
  pose.translation.normalize();
  epipolar::RefineOptions ro;
  ro.max_iterations = 50;
  epipolar::refine_relative_pose(crossview_test::to_points(n1), crossview_test::to_points(n2), {}, &pose, ro);
  return rotation_error_deg(pose.rotation_matrix(), s.cam2_from_cam1.rotation_matrix());
}

}  // namespace

TEST_CASE("estimate_essential on a compact body-joint scene is as accurate as the noise allows",
          "[epipolar][essential][joints]") {
  // Gates from ~1.3 sigma to ~5 sigma of the 1.5 px noise. The estimate selects
  // its inliers by the gate (truncation), so it cannot match the oracle exactly:
  // allowed = kOracleFactor x the oracle's error + kFloorDeg (the oracle's error
  // itself is 0.05-0.5 deg on these scenes; before the fix, 4 px gates gave up to
  // ~5 deg on scenes like these).
  constexpr double kOracleFactor = 3.0;
  constexpr double kFloorDeg = 0.6;
  constexpr double kTranslationFactor = 3.0;  // direction error allowed vs the rotation bound
  int checked = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    for (int frames : {12, 30}) {
      const JointScene s = make_joint_scene(seed, frames);
      const double oracle = oracle_rotation_error_deg(s);
      for (double gate : {2.0, 4.0, 8.0}) {
        INFO("seed " << seed << ", " << frames << " frames, gate " << gate << " px, oracle "
                     << oracle << " deg");
        epipolar::EssentialOptions opt;
        opt.max_error_px = gate;
        opt.ransac.seed = 7 + seed;
        const epipolar::EssentialResult r =
            epipolar::estimate_essential(crossview_test::to_points(s.points1_px), crossview_test::to_points(s.points2_px),
                                         s.camera1, s.camera2, opt);
        INFO(r.message);
        REQUIRE(r.success());
        const double rot = rotation_error_deg(r.cam2_from_cam1.rotation_matrix(),
                                              s.cam2_from_cam1.rotation_matrix());
        const double dir = direction_error_deg(r.cam2_from_cam1.translation, s.cam2_from_cam1.translation);
        const double bound = kOracleFactor * oracle + kFloorDeg;
        INFO("rotation error " << rot << " deg (bound " << bound << "), direction " << dir << " deg");
        CHECK(rot < bound);
        CHECK(dir < kTranslationFactor * bound);
        ++checked;
      }
    }
  }
  CHECK(checked == 8 * 2 * 3);
}
