// The array layout of the epipolar API (docs/conventions.md#array-layouts):
// every entry point takes 2 x N (3 x N rays) point sets; a transposed input is a
// std::invalid_argument naming the function and the argument, never a silent
// transposition; C-order buffers (numpy (N, 2)) are read in place.
#include <crossview/epipolar/estimate.hpp>

#include <catch2/catch.hpp>

#include "two_view_scene.hpp"

#include <crossview_test/points.hpp>

#include <vector>

using namespace crossview;
using crossview_test::require_invalid_argument;
using crossview_test::transposed;

TEST_CASE("minimal solvers reject transposed point sets", "[epipolar][layout]") {
  struct {
    Points2d pixels1, pixels2, normalized1, normalized2;
    camera::Rigid3d cam2_from_cam1;
    Eigen::Matrix3d F_true, E_true;
    Eigen::Matrix3d F() const { return F_true; }
    Eigen::Matrix3d E() const { return E_true; }
  } s;
  const auto scene = crossview_test::make_two_view_scene(3, {20, 0.0, 0.5});
  s.pixels1 = scene.points1_px;
  s.pixels2 = scene.points2_px;
  s.normalized1 = (scene.camera1.calibration_matrix().inverse() * scene.points1_px.colwise().homogeneous())
                      .colwise()
                      .hnormalized();
  s.normalized2 = (scene.camera2.calibration_matrix().inverse() * scene.points2_px.colwise().homogeneous())
                      .colwise()
                      .hnormalized();
  s.cam2_from_cam1 = scene.cam2_from_cam1;
  s.F_true = scene.F_true;
  s.E_true = scene.E_true;
  std::vector<Eigen::Matrix3d> models;
  Eigen::Matrix3d F;
  const Points3d r1 = s.normalized1.leftCols(5).colwise().homogeneous();
  const Points3d r2 = s.normalized2.leftCols(5).colwise().homogeneous();
  require_invalid_argument([&] { epipolar::essential_5point(transposed(r1), r2, &models); },
                           {"essential_5point", "rays1", "transposed"});
  require_invalid_argument([&] { epipolar::essential_5point(r1, transposed(r2), &models); },
                           {"essential_5point", "rays2"});
  require_invalid_argument([&] { epipolar::fundamental_8point(transposed(s.pixels1), s.pixels2, &F); },
                           {"fundamental_8point", "points1", "20 x 2"});
  require_invalid_argument([&] { epipolar::fundamental_8point(s.pixels1, transposed(s.pixels2), &F); },
                           {"fundamental_8point", "points2"});
  require_invalid_argument(
      [&] { epipolar::fundamental_8point(s.pixels1, s.pixels2, &F, Eigen::VectorXd::Ones(19)); },
      {"fundamental_8point", "weights"});
  const Points2d p7 = s.pixels1.leftCols(7), q7 = s.pixels2.leftCols(7);
  require_invalid_argument([&] { epipolar::fundamental_7point(transposed(p7), q7, &models); },
                           {"fundamental_7point", "points1"});
  require_invalid_argument([&] { epipolar::fundamental_7point(p7, transposed(q7), &models); },
                           {"fundamental_7point", "points2"});
  require_invalid_argument(
      [&] { epipolar::oriented_epipolar_consistent(s.F(), transposed(s.pixels1), s.pixels2); },
      {"oriented_epipolar_consistent", "points1"});
  require_invalid_argument(
      [&] { epipolar::oriented_epipolar_consistent(s.F(), s.pixels1, transposed(s.pixels2)); },
      {"oriented_epipolar_consistent", "points2"});
  require_invalid_argument([&] { epipolar::sampson_errors_squared(s.F(), transposed(s.pixels1), s.pixels2); },
                           {"sampson_errors_squared", "points1"});
  require_invalid_argument([&] { epipolar::sampson_errors_squared(s.F(), s.pixels1, transposed(s.pixels2)); },
                           {"sampson_errors_squared", "points2"});
  const Eigen::Matrix3d E = s.E();
  require_invalid_argument([&] { epipolar::recover_pose(E, transposed(s.normalized1), s.normalized2); },
                           {"recover_pose", "normalized1"});
  require_invalid_argument([&] { epipolar::recover_pose(E, s.normalized1, transposed(s.normalized2)); },
                           {"recover_pose", "normalized2"});
  camera::Rigid3d pose = s.cam2_from_cam1;
  require_invalid_argument(
      [&] { epipolar::refine_relative_pose(transposed(s.normalized1), s.normalized2, {}, &pose); },
      {"refine_relative_pose", "normalized1"});
  require_invalid_argument(
      [&] { epipolar::refine_relative_pose(s.normalized1, transposed(s.normalized2), {}, &pose); },
      {"refine_relative_pose", "normalized2"});
  require_invalid_argument([&] { epipolar::refine_fundamental(transposed(s.pixels1), s.pixels2, {}, &F); },
                           {"refine_fundamental", "points1_px"});
  require_invalid_argument([&] { epipolar::refine_fundamental(s.pixels1, transposed(s.pixels2), {}, &F); },
                           {"refine_fundamental", "points2_px"});
}

TEST_CASE("robust estimators reject transposed point sets", "[epipolar][layout]") {
  const auto s = crossview_test::make_two_view_scene(4, {60, 0.2, 0.5});
  require_invalid_argument([&] { epipolar::estimate_fundamental(transposed(s.points1_px), s.points2_px); },
                           {"estimate_fundamental", "points1_px", "60 x 2", "transposed"});
  require_invalid_argument([&] { epipolar::estimate_fundamental(s.points1_px, transposed(s.points2_px)); },
                           {"estimate_fundamental", "points2_px"});
  require_invalid_argument(
      [&] { epipolar::estimate_fundamental(s.points1_px, s.points2_px, {}, Eigen::VectorXd::Ones(59)); },
      {"estimate_fundamental", "match_scores"});
  require_invalid_argument(
      [&] { epipolar::estimate_essential(transposed(s.points1_px), s.points2_px, s.camera1, s.camera2); },
      {"estimate_essential", "points1_px"});
  require_invalid_argument(
      [&] { epipolar::estimate_essential(s.points1_px, transposed(s.points2_px), s.camera1, s.camera2); },
      {"estimate_essential", "points2_px"});
  require_invalid_argument(
      [&] { epipolar::estimate_essential_normalized(transposed(s.points1_px), s.points2_px, 1000.0); },
      {"estimate_essential_normalized", "normalized1"});
  require_invalid_argument(
      [&] { epipolar::estimate_essential_normalized(s.points1_px, transposed(s.points2_px), 1000.0); },
      {"estimate_essential_normalized", "normalized2"});
}

TEST_CASE("a C-order (N, 2) buffer is read in place and gives the same result", "[epipolar][layout]") {
  const auto s = crossview_test::make_two_view_scene(5, {200, 0.3, 0.5});
  // What numpy hands over for an (N, 2) float64 C-order array: x0 y0 x1 y1 ...
  std::vector<double> buffer1(s.points1_px.data(), s.points1_px.data() + s.points1_px.size());
  std::vector<double> buffer2(s.points2_px.data(), s.points2_px.data() + s.points2_px.size());
  const Eigen::Map<const Points2d> map1(buffer1.data(), 2, s.points1_px.cols());
  const Eigen::Map<const Points2d> map2(buffer2.data(), 2, s.points2_px.cols());
  const ConstPointsRef ref1(map1);
  CHECK(ref1.data() == buffer1.data());  // no copy
  const auto a = epipolar::estimate_fundamental(s.points1_px, s.points2_px);
  const auto b = epipolar::estimate_fundamental(map1, map2);
  REQUIRE(a.success());
  CHECK(a.F == b.F);
  CHECK(a.inlier_mask == b.inlier_mask);
  // A block of whole columns (a subset of the correspondences) binds too.
  const auto c = epipolar::estimate_fundamental(s.points1_px.middleCols(10, 150), s.points2_px.middleCols(10, 150));
  CHECK(c.inlier_mask.size() == 150u);
}
