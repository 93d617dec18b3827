// Numerical hygiene: the solvers give the same answer on scaled / translated
// versions of the same scene (pixels far from the origin, huge focal lengths,
// worlds far from the origin), i.e. they normalise their inputs instead of
// relying on coordinates near 1.
#include <crossview/camera/camera.hpp>
#include <crossview/epipolar/estimate.hpp>
#include <crossview/epipolar/residuals.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/triangulation/triangulate.hpp>
#include <crossview_test/points.hpp>
#include <crossview_test/pose_scene.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace crossview;
using crossview_test::Rng;

namespace {

struct Correspondences {
  std::vector<Eigen::Vector2d> p1, p2;          ///< noisy, with outliers
  std::vector<Eigen::Vector2d> clean1, clean2;  ///< noise-free inliers
};

/// Two cameras (f = 1000 px, 1280 x 960), 300 points 4-8 m away, 0.5 px noise,
/// 30 % outliers.
Correspondences two_view(std::uint64_t seed) {
  Rng rng(seed);
  const camera::Rigid3d cam2_from_cam1 =
      camera::Rigid3d::from_angle_axis(0.3 * rng.unit_vector(), rng.unit_vector());
  Eigen::Matrix3d K;
  K << 1000, 0, 640, 0, 1000, 480, 0, 0, 1;
  Correspondences c;
  while (c.p1.size() < 300) {
    const Eigen::Vector3d X(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(4, 8));
    const Eigen::Vector3d X2 = cam2_from_cam1 * X;
    if (X2.z() < 1.0) continue;
    const Eigen::Vector2d a = (K * X).hnormalized(), b = (K * X2).hnormalized();
    if (rng.uniform() < 0.3) {
      c.p1.push_back(a);
      c.p2.emplace_back(rng.uniform(0, 1280), rng.uniform(0, 960));
      continue;
    }
    c.clean1.push_back(a);
    c.clean2.push_back(b);
    c.p1.push_back(a + Eigen::Vector2d(rng.normal(0.5), rng.normal(0.5)));
    c.p2.push_back(b + Eigen::Vector2d(rng.normal(0.5), rng.normal(0.5)));
  }
  return c;
}

/// Median Sampson error (in the scene's pixels) of the clean correspondences.
double median_sampson(const Eigen::Matrix3d& F, const std::vector<Eigen::Vector2d>& a,
                      const std::vector<Eigen::Vector2d>& b) {
  std::vector<double> e;
  for (std::size_t i = 0; i < a.size(); ++i) e.push_back(epipolar::sampson_error(F, a[i], b[i]));
  std::nth_element(e.begin(), e.begin() + static_cast<std::ptrdiff_t>(e.size() / 2), e.end());
  return e[e.size() / 2];
}

std::vector<Eigen::Vector2d> affine(const std::vector<Eigen::Vector2d>& p, double scale, const Eigen::Vector2d& shift) {
  std::vector<Eigen::Vector2d> out;
  for (const auto& x : p) out.push_back(scale * x + shift);
  return out;
}

}  // namespace

TEST_CASE("estimate_fundamental is equivariant to pixel offsets and scales", "[robustness][hygiene]") {
  // Offsetting every pixel by 1e5 (a principal point far from the image) or
  // scaling by 1000 (a 1e6 px focal length, threshold scaled alike) describes
  // the same geometry: the same inliers and the same error in scene pixels.
  for (std::uint64_t seed : {3u, 4u, 5u}) {
    INFO("seed " << seed);
    const Correspondences c = two_view(seed);
    epipolar::FundamentalOptions o;
    o.ransac.seed = 11;
    const auto base = epipolar::estimate_fundamental(crossview_test::to_points(c.p1), crossview_test::to_points(c.p2), o);
    REQUIRE(base.success());
    const double base_error = median_sampson(base.F, c.clean1, c.clean2);
    CHECK(base_error < 0.3);
    struct Variant {
      double scale;
      Eigen::Vector2d shift;
    };
    for (const Variant& v : {Variant{1.0, Eigen::Vector2d(1e5, -7e4)}, Variant{1000.0, Eigen::Vector2d(0, 0)},
                             Variant{1e-3, Eigen::Vector2d(0, 0)}, Variant{1000.0, Eigen::Vector2d(3e7, 2e7)}}) {
      INFO("scale " << v.scale << ", shift " << v.shift.transpose());
      epipolar::FundamentalOptions ov = o;
      ov.max_error_px = o.max_error_px * v.scale;
      const auto r = epipolar::estimate_fundamental(crossview_test::to_points(affine(c.p1, v.scale, v.shift)),
                                                    crossview_test::to_points(affine(c.p2, v.scale, v.shift)), ov);
      REQUIRE(r.success());
      const double error =
          median_sampson(r.F, affine(c.clean1, v.scale, v.shift), affine(c.clean2, v.scale, v.shift)) / v.scale;
      CHECK(error < 1.5 * base_error + 0.02);
      CHECK(std::abs(r.num_inliers - base.num_inliers) <= base.num_inliers / 50 + 2);
    }
  }
}

TEST_CASE("triangulation keeps its accuracy far from the world origin", "[robustness][hygiene]") {
  // The same rig and person, translated by 100 km: errors must not grow
  // (DLT on raw coordinates of 1e8 mm loses ~8 digits to the conditioning).
  const pose::Skeleton sk = pose::human36m_17();
  const auto ring = crossview_test::h36m_like_ring();
  const Eigen::Vector3d offset(1e8, -6e7, 2e7);  // mm
  std::vector<camera::Camera> far;
  for (const auto& c : ring) {
    const Eigen::Matrix3d R = c.cam_from_world.rotation_matrix();
    const Eigen::Vector3d centre = c.center_in_world() + offset;
    far.emplace_back(c.model(), c.params(), c.width(), c.height(),
                     camera::Rigid3d(c.cam_from_world.rotation, -R * centre), c.name());
  }
  Rng rng(17);
  for (const triangulation::Method method : {triangulation::Method::kDlt, triangulation::Method::kMidpoint,
                                             triangulation::Method::kAuto, triangulation::Method::kRobust}) {
    INFO("method " << static_cast<int>(method));
    double near_sum = 0.0, far_sum = 0.0;
    int n = 0;
    for (int frame = 0; frame < 4; ++frame) {
      const Eigen::Matrix3Xd pose = crossview_test::synthetic_h36m_pose(rng, sk);
      for (int j = 0; j < pose.cols(); ++j) {
        Points2d px(2, static_cast<Eigen::Index>(ring.size()));  // column v = view v
        for (std::size_t v = 0; v < ring.size(); ++v) {
          Eigen::Vector2d p;
          REQUIRE(ring[v].project(pose.col(j), &p) == camera::ProjectionStatus::kSuccess);
          px.col(static_cast<Eigen::Index>(v)) = p + Eigen::Vector2d(rng.normal(1.0), rng.normal(1.0));
        }
        triangulation::TriangulationOptions o;
        o.method = method;
        o.refine = method == triangulation::Method::kAuto || method == triangulation::Method::kRobust;
        const auto a = triangulation::triangulate(ring, px, o);
        const auto b = triangulation::triangulate(far, px, o);
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        near_sum += (a.point_in_world - pose.col(j)).norm();
        far_sum += (b.point_in_world - offset - pose.col(j)).norm();
        // Same observations, same geometry: the same point up to rounding of the offset.
        CHECK((b.point_in_world - offset - a.point_in_world).norm() < 1e-3);
        ++n;
      }
    }
    CHECK(far_sum / n < near_sum / n + 1e-3);
    CHECK(near_sum / n < 20.0);  // 1 px noise, ~4.5 m away: a few mm
  }
}

TEST_CASE("camera round trips stay exact with huge focal lengths and far principal points", "[robustness][hygiene]") {
  for (const double f : {1e2, 1e4, 1e6, 1e8}) {
    Eigen::VectorXd params(9);
    params << f, 1.01 * f, 3e4, -2e4, -0.2, 0.05, 1e-3, -1e-3, 0.0;
    const camera::Camera cam(camera::CameraModel::kOpenCV, params, 60000, 40000);
    Rng rng(static_cast<std::uint64_t>(std::log10(f)));
    for (int i = 0; i < 50; ++i) {
      const Eigen::Vector3d ray(rng.uniform(-0.4, 0.4), rng.uniform(-0.3, 0.3), 1.0);
      Eigen::Vector2d px, n;
      REQUIRE(cam.project_from_cam(ray, &px) == camera::ProjectionStatus::kSuccess);
      REQUIRE(cam.unproject_to_normalized(px, &n) == camera::ProjectionStatus::kSuccess);
      CHECK((n - ray.head<2>()).norm() < 1e-10);
      Eigen::Vector2d back;
      REQUIRE(cam.project_from_cam(n.homogeneous(), &back) == camera::ProjectionStatus::kSuccess);
      CHECK((back - px).norm() < 1e-9 * std::max(1.0, f / 1e3));
    }
  }
}
