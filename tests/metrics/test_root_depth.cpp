#include <crossview/metrics/root_depth.hpp>

#include <catch2/catch.hpp>
#include <crossview_test/random.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cm = crossview::metrics;
using crossview::camera::Camera;
using crossview::camera::CameraModel;
using crossview::camera::ProjectionStatus;

namespace {

/// Pixel box of a fronto-parallel rectangle (w x h mm, centred at `centre_in_cam`)
/// seen by a pinhole camera: bounds of its four projected corners.
cm::BoundingBox project_rectangle(const Camera& cam, const Eigen::Vector3d& centre_in_cam, double w, double h) {
  double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
  for (double sx : {-0.5, 0.5}) {
    for (double sy : {-0.5, 0.5}) {
      Eigen::Vector2d px;
      REQUIRE(cam.project_from_cam(centre_in_cam + Eigen::Vector3d(sx * w, sy * h, 0.0), &px) ==
              ProjectionStatus::kSuccess);
      x0 = std::min(x0, px.x());
      x1 = std::max(x1, px.x());
      y0 = std::min(y0, px.y());
      y1 = std::max(y1, px.y());
    }
  }
  return {x0, y0, x1 - x0, y1 - y0};
}

}  // namespace

TEST_CASE("Depth prior recovers the depth of a projected 2000 mm box", "[root_depth]") {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const Camera cam = Camera::pinhole(rng.uniform(800, 1600), rng.uniform(800, 1600), 640, 480, 1280, 960);
    const double z = rng.uniform(1500.0, 12000.0);
    const Eigen::Vector3d centre(rng.uniform(-800, 800), rng.uniform(-600, 600), z);
    const cm::BoundingBox box = project_rectangle(cam, centre, 2000.0, 2000.0);
    const cm::RootDepthResult r = cm::root_depth_prior(cam, box);
    REQUIRE(r.ok());
    // Exact up to rounding (projection and sqrt): relative 1e-12.
    CHECK(r.depth_mm == Approx(z).epsilon(1e-12));
    // Any rectangle of the same real area gives the same depth (A_real only).
    const cm::BoundingBox tall = project_rectangle(cam, centre, 1000.0, 4000.0);
    CHECK(cm::root_depth_prior(cam, tall).depth_mm == Approx(z).epsilon(1e-12));
    // The inverse: expected area at that depth.
    CHECK(cm::expected_box_area_px2(cam.fx(), cam.fy(), z) == Approx(box.area()).epsilon(1e-12));
    // A custom real size.
    cm::RootDepthOptions small;
    small.real_width_mm = 500.0;
    small.real_height_mm = 1800.0;
    const cm::BoundingBox person = project_rectangle(cam, centre, 500.0, 1800.0);
    CHECK(cm::root_depth_prior(cam, person, small).depth_mm == Approx(z).epsilon(1e-12));
  }
}

TEST_CASE("RootNet box preprocessing: aspect ratio then x1.25", "[root_depth]") {
  const cm::BoundingBox tall{100.0, 50.0, 80.0, 200.0};
  const cm::BoundingBox sq = cm::rootnet_preprocess_box(tall);  // aspect 1
  CHECK(sq.width == 250.0);
  CHECK(sq.height == 250.0);
  CHECK((sq.center() - tall.center()).norm() == 0.0);
  const cm::BoundingBox wide = cm::rootnet_preprocess_box({0.0, 0.0, 300.0, 100.0}, 0.75, 1.25);
  CHECK(wide.width == Approx(375.0).epsilon(1e-15));
  CHECK(wide.height == Approx(500.0).epsilon(1e-15));
  // The prior with preprocessing uses the processed box.
  cm::RootDepthOptions opt;
  opt.rootnet_box = true;
  const cm::RootDepthResult r = cm::root_depth_prior(1000.0, 1000.0, tall, opt);
  REQUIRE(r.ok());
  CHECK(r.box.area() == 250.0 * 250.0);
  CHECK(r.depth_mm == Approx(std::sqrt(1000.0 * 1000.0 * 4e6 / (250.0 * 250.0))).epsilon(1e-15));
  // Inverse with the same options is the processed area.
  CHECK(cm::expected_box_area_px2(1000.0, 1000.0, r.depth_mm, opt) == Approx(r.box.area()).epsilon(1e-12));
}

TEST_CASE("Back-projecting the root pixel at the prior depth", "[root_depth]") {
  crossview_test::Rng rng(7);
  // A distorted camera (OpenCV k1 k2 p1 p2 k3), not at the origin.
  Eigen::VectorXd params(9);
  params << 1145.0, 1144.0, 514.0, 501.0, -0.2, 0.24, -0.0015, -0.0009, -0.003;
  const auto cam_from_world = crossview_test::look_at(Eigen::Vector3d(3000, -2000, 1500), Eigen::Vector3d(0, 0, 900));
  const Camera cam(CameraModel::kOpenCV, params, 1000, 1002, cam_from_world);
  for (int i = 0; i < 20; ++i) {
    const Eigen::Vector3d root_in_world(rng.normal(500), rng.normal(500), rng.uniform(800, 1000));
    Eigen::Vector2d px;
    REQUIRE(cam.project(root_in_world, &px) == ProjectionStatus::kSuccess);
    const double z = (cam.cam_from_world * root_in_world).z();
    const cm::RootPointResult r = cm::back_project_root(cam, px, z);
    REQUIRE(r.ok());
    // Unprojection converges to 1e-12 px; at ~4 m that is ~1e-8 mm.
    CHECK((r.point_in_world - root_in_world).norm() < 1e-6);
    CHECK(r.point_in_cam.z() == Approx(z).epsilon(1e-15));
  }
  CHECK(cm::back_project_root(cam, Eigen::Vector2d(500, 500), -1.0).status == ProjectionStatus::kInvalidInput);
  CHECK(cm::back_project_root(cam, Eigen::Vector2d(std::nan(""), 500), 1000.0).status ==
        ProjectionStatus::kInvalidInput);
}

TEST_CASE("Root depth prior rejects bad input", "[root_depth][bad_input]") {
  CHECK(cm::root_depth_prior(1000.0, 1000.0, {0, 0, 0.0, 10.0}).status == cm::RootDepthStatus::kInvalidInput);
  CHECK(cm::root_depth_prior(1000.0, 1000.0, {0, 0, 10.0, -1.0}).status == cm::RootDepthStatus::kInvalidInput);
  CHECK(cm::root_depth_prior(1000.0, 1000.0, {std::nan(""), 0, 10.0, 10.0}).status ==
        cm::RootDepthStatus::kInvalidInput);
  const cm::RootDepthResult r = cm::root_depth_prior(-5.0, 1000.0, {0, 0, 10.0, 10.0});
  CHECK_FALSE(r.ok());
  CHECK(r.depth_mm == 0.0);
  CHECK_THAT(r.message, Catch::Contains("focal"));
  cm::RootDepthOptions bad;
  bad.box_scale = 0.0;
  CHECK_THROWS_WITH(cm::root_depth_prior(1000.0, 1000.0, {0, 0, 10, 10}, bad), Catch::Contains("box_scale"));
  bad = {};
  bad.real_width_mm = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(cm::root_depth_prior(1000.0, 1000.0, {0, 0, 10, 10}, bad), Catch::Contains("real_width_mm"));
  CHECK_THROWS_WITH(cm::expected_box_area_px2(1000.0, 1000.0, 0.0), Catch::Contains("depth_mm"));
}
