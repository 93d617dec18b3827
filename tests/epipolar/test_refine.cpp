// Residuals and the Levenberg-Marquardt refinement of E (manifold) and F (rank 2).
#include "two_view_scene.hpp"

#include <crossview/epipolar/refine.hpp>
#include <crossview/epipolar/residuals.hpp>

#include <catch2/catch.hpp>

#include <Eigen/SVD>

#include <algorithm>

namespace {

using namespace crossview;
using crossview_test::direction_error_deg;
using crossview_test::rotation_error_deg;

Points2d normalize(const camera::Camera& cam, const Points2d& px) {
  Points2d out(2, px.cols());
  for (Eigen::Index i = 0; i < px.cols(); ++i) {
    Eigen::Vector2d n = Eigen::Vector2d::Constant(std::nan(""));  // NaN where it does not unproject
    cam.unproject_to_normalized(px.col(i), &n);
    out.col(i) = n;
  }
  return out;
}

}  // namespace

TEST_CASE("residuals match their definitions", "[epipolar][residuals]") {
  const auto s = crossview_test::make_two_view_scene(1, {50, 0.0, 0.0});
  for (int i = 0; i < 50; ++i) {
    // Noise-free: all residuals vanish (relative to the pixel scale).
    const Eigen::Vector2d x1 = s.points1_px.col(i), x2 = s.points2_px.col(i);
    CHECK(epipolar::sampson_error(s.F_true, x1, x2) < 1e-9);
    CHECK(epipolar::symmetric_epipolar_distance(s.F_true, x1, x2) < 1e-9);
  }
  // Move x2 off its epipolar line by d pixels along the line normal: the
  // symmetric distance's image-2 term is exactly d^2.
  const Eigen::Vector2d x1 = s.points1_px.col(0);
  const Eigen::Vector3d l2 = s.F_true * x1.homogeneous();
  const Eigen::Vector2d n2 = l2.head<2>().normalized();
  const double d = 3.0;
  const Eigen::Vector2d x2 = s.points2_px.col(0) + d * n2;
  const Eigen::Vector3d l1 = s.F_true.transpose() * x2.homogeneous();
  const double alg = epipolar::algebraic_error(s.F_true, x1, x2);
  CHECK(std::abs(alg / l2.head<2>().norm()) == Approx(d).epsilon(1e-9));
  const double expected_sym = alg * alg / l2.head<2>().squaredNorm() + alg * alg / l1.head<2>().squaredNorm();
  CHECK(epipolar::symmetric_epipolar_distance_squared(s.F_true, x1, x2) ==
        Approx(expected_sym).epsilon(1e-12));
  const double expected_sampson = alg * alg / (l2.head<2>().squaredNorm() + l1.head<2>().squaredNorm());
  CHECK(epipolar::sampson_error_squared(s.F_true, x1, x2) == Approx(expected_sampson).epsilon(1e-12));
  // Sampson is about half the symmetric distance when both lines have similar
  // normals; always between min-term and the symmetric sum.
  CHECK(epipolar::sampson_error_squared(s.F_true, x1, x2) <
        epipolar::symmetric_epipolar_distance_squared(s.F_true, x1, x2));
  // Zero matrix: residual is 0 numerator / 0 denominator -> 0, not NaN.
  CHECK(epipolar::sampson_error_squared(Eigen::Matrix3d::Zero().eval(), x1, x2) == 0.0);
  const auto all = epipolar::sampson_errors_squared(s.F_true, s.points1_px, s.points2_px);
  CHECK(all.size() == 50u);
}

TEST_CASE("manifold parametrisations have correct derivatives", "[epipolar][refine]") {
  crossview_test::Rng rng(5);
  const double h = 1e-7;
  // Forward differences of M(delta) at delta = 0: error O(h) ~ 1e-7 relative
  // to the O(1) entries; 1e-5 tolerance.
  const double tol = 1e-5;
  epipolar::detail::EssentialParam pe{rng.rotation().toRotationMatrix(), rng.unit_vector()};
  std::array<Eigen::Matrix3d, 5> de;
  pe.derivatives(&de);
  for (int k = 0; k < 5; ++k) {
    Eigen::Matrix<double, 5, 1> delta = Eigen::Matrix<double, 5, 1>::Zero();
    delta(k) = h;
    const Eigen::Matrix3d numeric = (pe.plus(delta).matrix() - pe.matrix()) / h;
    INFO("E parameter " << k);
    CHECK((numeric - de[k]).cwiseAbs().maxCoeff() < tol);
  }
  Eigen::Matrix3d F = Eigen::Matrix3d::Random();
  auto pf = epipolar::detail::FundamentalParam::from_matrix(F);
  CHECK(pf.U.determinant() == Approx(1.0));
  CHECK(pf.V.determinant() == Approx(1.0));
  std::array<Eigen::Matrix3d, 7> df;
  pf.derivatives(&df);
  for (int k = 0; k < 7; ++k) {
    Eigen::Matrix<double, 7, 1> delta = Eigen::Matrix<double, 7, 1>::Zero();
    delta(k) = h;
    const Eigen::Matrix3d numeric = (pf.plus(delta).matrix() - pf.matrix()) / h;
    INFO("F parameter " << k);
    CHECK((numeric - df[k]).cwiseAbs().maxCoeff() < tol);
  }
}

TEST_CASE("refine_relative_pose reaches the noisy optimum from a perturbed pose", "[epipolar][refine]") {
  std::vector<double> rot_errors, dir_errors;
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u}) {
    INFO("seed " << seed);
    const auto s = crossview_test::make_two_view_scene(seed, {300, 0.0, 0.5});
    const auto n1 = normalize(s.camera1, s.points1_px);
    const auto n2 = normalize(s.camera2, s.points2_px);
    const camera::Rigid3d truth = s.cam2_from_cam1;
    // Start 1 deg / 3 deg away.
    camera::Rigid3d start = truth;
    start.rotation = start.rotation * camera::angle_axis_to_quaternion<double>(
                                          Eigen::Vector3d(0.01, -0.01, 0.01));
    start.translation = (truth.translation + Eigen::Vector3d(0.05, -0.03, 0.02)).normalized();
    camera::Rigid3d refined = start;
    const auto summary = epipolar::refine_relative_pose(n1, n2, {}, &refined);
    REQUIRE(summary.success);
    CHECK(summary.num_residuals == 300);
    CHECK(summary.final_cost < summary.initial_cost);
    CHECK(summary.num_iterations <= 20);
    // The refined pose is the local minimum: its cost is not above the truth's.
    camera::Rigid3d at_truth = truth;
    epipolar::RefineOptions one;
    one.max_iterations = 1;
    const auto truth_cost = epipolar::refine_relative_pose(n1, n2, {}, &at_truth, one).initial_cost;
    CHECK(summary.final_cost <= truth_cost * (1.0 + 1e-9));
    // 0.5 px noise at f = 1000 over 300 points: ~0.01 deg rotation; 0.05 / 0.3 deg bars.
    rot_errors.push_back(rotation_error_deg(refined.rotation_matrix(), truth.rotation_matrix()));
    dir_errors.push_back(direction_error_deg(refined.translation, truth.translation));
    CHECK(refined.translation.norm() == Approx(1.0).epsilon(1e-12));
  }
  // The bars (0.05 deg rotation, 0.3 deg direction, medians) hold at
  // 500 inliers; with 300 the error std grows by sqrt(500 / 300): 0.065 / 0.39.
  std::sort(rot_errors.begin(), rot_errors.end());
  std::sort(dir_errors.begin(), dir_errors.end());
  INFO("median rotation error " << rot_errors[4] << " deg, direction " << dir_errors[4] << " deg");
  CHECK(rot_errors[4] < 0.065);
  CHECK(dir_errors[4] < 0.39);
}

TEST_CASE("refine_fundamental keeps rank 2 and lowers the Sampson error", "[epipolar][refine]") {
  for (std::uint64_t seed : {4u, 5u, 6u}) {
    INFO("seed " << seed);
    const auto s = crossview_test::make_two_view_scene(seed, {300, 0.0, 0.5});
    // Start from the F of a pose 0.6 deg / 3 deg away, with the focal length of
    // camera 2 off by 2 percent (a rank-2 F that is not an essential one).
    const Eigen::Matrix3d R = s.cam2_from_cam1.rotation_matrix() *
                              camera::angle_axis_to_rotation_matrix<double>(Eigen::Vector3d(0.01, 0.0, -0.005));
    const Eigen::Vector3d t = (s.cam2_from_cam1.translation + Eigen::Vector3d(0.0, 0.05, 0.0)).normalized();
    Eigen::Matrix3d K2 = s.camera2.calibration_matrix();
    K2(0, 0) *= 1.02;
    Eigen::Matrix3d F = K2.inverse().transpose() * crossview_test::skew_matrix(t) * R *
                        s.camera1.calibration_matrix().inverse();
    const auto summary = epipolar::refine_fundamental(s.points1_px, s.points2_px, {}, &F);
    REQUIRE(summary.success);
    CHECK(summary.final_cost < summary.initial_cost);
    Eigen::JacobiSVD<Eigen::Matrix3d> svd(F);
    CHECK(svd.singularValues()(2) / svd.singularValues()(0) < 1e-12);
    CHECK(F.norm() == Approx(1.0));
    Eigen::Matrix3d F_at_truth = s.F_true;
    epipolar::RefineOptions one;
    one.max_iterations = 1;
    const double truth_cost =
        epipolar::refine_fundamental(s.points1_px, s.points2_px, {}, &F_at_truth, one).initial_cost;
    CHECK(summary.final_cost <= truth_cost * (1.0 + 1e-9));
    // Mean Sampson error of the refit model ~ the noise level (0.5 px, Sampson
    // ~ noise / sqrt(2) per coordinate pair... a loose factor-2 band).
    const double rms = std::sqrt(2.0 * summary.final_cost / 300.0);
    CHECK(rms < 0.7);
    CHECK(rms > 0.2);
  }
}

TEST_CASE("Cauchy loss resists outliers left in the inlier set", "[epipolar][refine]") {
  const auto s = crossview_test::make_two_view_scene(8, {300, 0.1, 0.5});
  const auto n1 = normalize(s.camera1, s.points1_px);
  const auto n2 = normalize(s.camera2, s.points2_px);
  camera::Rigid3d plain = s.cam2_from_cam1, robust_pose = s.cam2_from_cam1;
  epipolar::RefineOptions opt;
  opt.max_iterations = 50;
  epipolar::refine_relative_pose(n1, n2, {}, &plain, opt);
  opt.loss = epipolar::RefineLoss::kCauchy;
  opt.loss_scale = 1.0 / 1000.0;  // 1 px at f = 1000
  epipolar::refine_relative_pose(n1, n2, {}, &robust_pose, opt);
  const double e_plain = rotation_error_deg(plain.rotation_matrix(), s.cam2_from_cam1.rotation_matrix());
  const double e_robust =
      rotation_error_deg(robust_pose.rotation_matrix(), s.cam2_from_cam1.rotation_matrix());
  INFO("plain " << e_plain << " deg, cauchy " << e_robust << " deg");
  CHECK(e_robust < 0.05);
  CHECK(e_robust < e_plain);
}

TEST_CASE("refinement bad input", "[epipolar][refine]") {
  const Points2d a = Eigen::Vector2d(1, 2).replicate(1, 3);
  Points2d b = Eigen::Vector2d(1, 2).replicate(1, 4);
  camera::Rigid3d pose(Eigen::Quaterniond::Identity(), Eigen::Vector3d(1, 0, 0));
  CHECK_THROWS_AS(epipolar::refine_relative_pose(a, b, {}, &pose), std::invalid_argument);
  b.conservativeResize(2, 3);
  const auto s = epipolar::refine_relative_pose(a, b, {}, &pose);
  CHECK_FALSE(s.success);
  CHECK(s.message.find("at least 5") != std::string::npos);
  Eigen::Matrix3d F = Eigen::Matrix3d::Identity();
  CHECK_FALSE(epipolar::refine_fundamental(a, b, {}, &F).success);
  CHECK_THROWS_AS(epipolar::refine_fundamental(a, b, {1, 0}, &F), std::invalid_argument);
  epipolar::RefineOptions bad;
  bad.loss_scale = -1.0;
  try {
    epipolar::refine_relative_pose(a, b, {}, &pose, bad);
    FAIL("no throw");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("loss_scale") != std::string::npos);
  }
  bad = {};
  bad.max_iterations = 0;
  CHECK_THROWS_AS(epipolar::refine_fundamental(a, b, {}, &F, bad), std::invalid_argument);
  // NaN points: not a crash, not a success.
  const Points2d c = Eigen::Vector2d(std::nan(""), 1.0).replicate(1, 10);
  const Points2d d = Eigen::Vector2d(0.0, 1.0).replicate(1, 10);
  camera::Rigid3d pose2(Eigen::Quaterniond::Identity(), Eigen::Vector3d(1, 0, 0));
  const auto s2 = epipolar::refine_relative_pose(c, d, {}, &pose2);
  CHECK_FALSE(s2.success);
  CHECK(pose2.is_finite());
}
