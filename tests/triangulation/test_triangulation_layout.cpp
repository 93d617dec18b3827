// The array layout of the triangulation API (docs/conventions.md#array-layouts):
// one point's observations are 2 x V, one frame's joints 2 x (V*J) view-major,
// rays 3 x V, 3D point sets 3 x N; a transposed input is a std::invalid_argument
// naming the function and the argument; a numpy (V, J, 2) C-order buffer is the
// packed frame without a copy.
#include <crossview/triangulation/triangulate.hpp>

#include <crossview_test/points.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <vector>

using namespace crossview;
namespace tri = crossview::triangulation;
using crossview_test::require_invalid_argument;
using crossview_test::transposed;

namespace {

std::vector<camera::Camera> ring(int V) {
  std::vector<camera::Camera> cams;
  for (int v = 0; v < V; ++v) {
    const double a = 2.0 * 3.14159265358979 * v / V;
    const Eigen::Vector3d c(4.0 * std::cos(a), 4.0 * std::sin(a), 1.5);
    cams.push_back(camera::Camera::pinhole(1000, 1000, 500, 500, 1000, 1000,
                                           crossview_test::look_at(c, Eigen::Vector3d(0, 0, 1))));
  }
  return cams;
}

/// 2 x (V*J) projections of J points, column v*J + j.
Points2d project_frame(const std::vector<camera::Camera>& cams, const Points3d& X) {
  const Eigen::Index J = X.cols(), V = static_cast<Eigen::Index>(cams.size());
  Points2d px(2, V * J);
  for (Eigen::Index v = 0; v < V; ++v) {
    for (Eigen::Index j = 0; j < J; ++j) {
      Eigen::Vector2d p;
      REQUIRE(cams[static_cast<std::size_t>(v)].project(X.col(j), &p) == camera::ProjectionStatus::kSuccess);
      px.col(v * J + j) = p;
    }
  }
  return px;
}

}  // namespace

TEST_CASE("triangulate and triangulate_skeleton reject transposed point sets", "[triangulation][layout]") {
  const int V = 4, J = 5;
  const auto cams = ring(V);
  crossview_test::Rng rng(1);
  Points3d X(3, J);
  for (int j = 0; j < J; ++j) X.col(j) = Eigen::Vector3d(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), 1.0);
  const Points2d frame = project_frame(cams, X);
  const Points2d one = frame(Eigen::all, Eigen::seqN(0, V, J));  // joint 0 in every view: 2 x V
  require_invalid_argument([&] { tri::triangulate(cams, transposed(one)); },
                           {"triangulate", "pixels_px", "4 x 2", "transposed"});
  require_invalid_argument([&] { tri::triangulate(cams, one, Eigen::VectorXd::Ones(3)); },
                           {"triangulate", "confidences"});
  require_invalid_argument([&] { tri::triangulate_skeleton(cams, transposed(frame)); },
                           {"triangulate_skeleton", "keypoints_px", "20 x 2", "transposed"});
  require_invalid_argument([&] { tri::triangulate_skeleton(cams, frame.leftCols(V * J - 1)); },
                           {"triangulate_skeleton", "keypoints_px", "2 x (V*J)"});
  require_invalid_argument([&] { tri::triangulate_skeleton(cams, frame, Eigen::VectorXd::Ones(J)); },
                           {"triangulate_skeleton", "confidences"});
  // The correct shapes work, and agree with each other.
  const tri::SkeletonResult s = tri::triangulate_skeleton(cams, frame);
  REQUIRE(s.num_success == J);
  CHECK((s.points_in_world - X).cwiseAbs().maxCoeff() < 1e-9);
  CHECK((tri::triangulate(cams, one).point_in_world - s.points_in_world.col(0)).norm() == 0.0);
}

TEST_CASE("linear, refinement and median building blocks reject transposed point sets",
          "[triangulation][layout]") {
  const int V = 4;
  const auto cams = ring(V);
  const Eigen::Vector3d X(0.1, -0.2, 1.1);
  const Points2d px = project_frame(cams, X);  // 2 x V
  std::vector<tri::Matrix34d> P;
  Points3d centers(3, V), directions(3, V);
  for (int v = 0; v < V; ++v) {
    P.push_back(cams[static_cast<std::size_t>(v)].projection_matrix());
    centers.col(v) = cams[static_cast<std::size_t>(v)].center_in_world();
    directions.col(v) = X - centers.col(v);
  }
  Eigen::Vector3d out;
  Eigen::Vector4d out4;
  const Eigen::VectorXd none;
  require_invalid_argument([&] { tri::triangulate_dlt(P, transposed(px), none, &out); },
                           {"triangulate_dlt", "points_px", "transposed"});
  require_invalid_argument([&] { tri::triangulate_dlt(P, px, Eigen::VectorXd::Ones(V + 1), &out); },
                           {"triangulate_dlt", "weights"});
  require_invalid_argument([&] { tri::triangulate_dlt_homogeneous(P, transposed(px), none, &out4); },
                           {"triangulate_dlt_homogeneous", "points_px"});
  require_invalid_argument([&] { tri::triangulate_midpoint(transposed(centers), directions, none, &out); },
                           {"triangulate_midpoint", "centers_in_world", "transposed"});
  require_invalid_argument([&] { tri::triangulate_midpoint(centers, transposed(directions), none, &out); },
                           {"triangulate_midpoint", "directions_in_world"});
  Eigen::Vector3d start = X + Eigen::Vector3d(0.01, 0.0, 0.0);
  require_invalid_argument([&] { tri::refine_point(cams, transposed(px), none, {}, &start); },
                           {"refine_point", "pixels_px", "transposed"});
  require_invalid_argument([&] { tri::refine_point(cams, px, Eigen::VectorXd::Ones(2), {}, &start); },
                           {"refine_point", "weights"});
  const Points3d cloud = Points3d::Random(3, 7);
  require_invalid_argument([&] { tri::geometric_median(transposed(cloud)); },
                           {"geometric_median", "points", "7 x 3", "transposed"});
  // The correct shapes give the point.
  REQUIRE(tri::triangulate_dlt(P, px, none, &out) == tri::Status::kSuccess);
  CHECK((out - X).norm() < 1e-9);
  REQUIRE(tri::triangulate_midpoint(centers, directions, none, &out) == tri::Status::kSuccess);
  CHECK((out - X).norm() < 1e-9);
  Eigen::VectorXd errors;
  CHECK(tri::refine_point(cams, px, none, {}, &start, &errors).status == tri::Status::kSuccess);
  CHECK(errors.size() == V);
  CHECK((start - X).norm() < 1e-9);
}

TEST_CASE("a numpy (V, J, 2) C-order buffer is the packed frame, read in place", "[triangulation][layout]") {
  const int V = 3, J = 4;
  const auto cams = ring(V);
  Points3d X(3, J);
  for (int j = 0; j < J; ++j) X.col(j) = Eigen::Vector3d(0.1 * j, -0.1 * j, 0.8 + 0.2 * j);
  const Points2d frame = project_frame(cams, X);
  // What numpy hands over for keypoints[v, j, :] (C order): u, v of (0, 0), (0, 1), ...
  std::vector<double> numpy(static_cast<std::size_t>(V * J * 2));
  for (int v = 0; v < V; ++v) {
    for (int j = 0; j < J; ++j) {
      numpy[static_cast<std::size_t>((v * J + j) * 2 + 0)] = frame(0, v * J + j);
      numpy[static_cast<std::size_t>((v * J + j) * 2 + 1)] = frame(1, v * J + j);
    }
  }
  const Eigen::Map<const Points2d> map(numpy.data(), 2, V * J);
  const ConstPointsRef ref(map);
  CHECK(ref.data() == numpy.data());
  const tri::SkeletonResult a = tri::triangulate_skeleton(cams, map);
  const tri::SkeletonResult b = tri::triangulate_skeleton(cams, frame);
  REQUIRE(a.num_success == J);
  CHECK(a.points_in_world == b.points_in_world);
  CHECK((a.points_in_world - X).cwiseAbs().maxCoeff() < 1e-9);
}
