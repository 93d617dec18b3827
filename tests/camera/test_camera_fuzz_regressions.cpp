// Regression tests for inputs found by the libFuzzer target fuzz_camera
// (tests/fuzz/corpus/fuzz_camera/regression-*): each reproduces the input's
// essential values with ordinary calls.
#include <crossview/camera/camera.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

using crossview::camera::Camera;
using crossview::camera::CameraModel;
using crossview::camera::num_params;
using crossview::camera::ProjectionStatus;
using crossview::camera::Rigid3d;

namespace {

Eigen::VectorXd params_with_focal(CameraModel model, double focal) {
  Eigen::VectorXd params = Eigen::VectorXd::Zero(num_params(model));
  params[0] = focal;
  params[1] = focal;
  return params;
}

}  // namespace

TEST_CASE("unproject with a denormal focal length reports overflow instead of an infinite ray",
          "[camera][fuzz]") {
  // fuzz_camera: PINHOLE, fx = fy ~ 1e-310 (denormal), pixel (-0.5, -0.5) gave
  // kSuccess with ray (-inf, -6.8e302, 1).
  constexpr double kDenormalFocal = 1e-310;
  REQUIRE(std::fpclassify(kDenormalFocal) == FP_SUBNORMAL);
  for (const CameraModel model : {CameraModel::kPinhole, CameraModel::kOpenCV,
                                  CameraModel::kOpenCVRational, CameraModel::kFisheye}) {
    INFO("model " << crossview::camera::to_string(model));
    const Camera cam(model, params_with_focal(model, kDenormalFocal), 10, 10);
    Eigen::Vector3d ray(7.0, 7.0, 7.0);
    const ProjectionStatus status = cam.unproject(Eigen::Vector2d(-0.5, -0.5), &ray);
    CHECK(status == ProjectionStatus::kOutsideValidRange);
    CHECK(ray == Eigen::Vector3d(7.0, 7.0, 7.0));  // untouched on failure
    Eigen::Vector2d undistorted;
    CHECK(cam.undistort_pixel(Eigen::Vector2d(-0.5, -0.5), &undistorted) ==
          ProjectionStatus::kOutsideValidRange);
    // The principal point itself still unprojects to the optical axis.
    REQUIRE(cam.unproject(Eigen::Vector2d(0.0, 0.0), &ray) == ProjectionStatus::kSuccess);
    CHECK(ray == Eigen::Vector3d(0.0, 0.0, 1.0));
  }
}

TEST_CASE("Camera rejects a rotation that is not a unit quaternion", "[camera][fuzz]") {
  // fuzz_camera: quaternion with norm ~1e193 was accepted; project() then
  // returned kSuccess with an infinite world Jacobian.
  const Eigen::Vector4d pinhole(500.0, 500.0, 320.0, 240.0);
  const Eigen::Quaterniond huge(-9.7645175137785697e+192, 1.5e-306, 8.8e-159, 8.8e-159);
  CHECK_THROWS_AS(Camera(CameraModel::kPinhole, pinhole, 640, 480, Rigid3d(huge, Eigen::Vector3d::Zero())),
                  std::invalid_argument);
  CHECK_THROWS_WITH(Camera(CameraModel::kPinhole, pinhole, 640, 480,
                           Rigid3d(Eigen::Quaterniond(0.0, 0.0, 0.0, 0.0), Eigen::Vector3d::Zero())),
                    Catch::Contains("unit quaternion"));
  CHECK_THROWS_AS(Camera(CameraModel::kPinhole, pinhole, 640, 480,
                         Rigid3d(Eigen::Quaterniond(1.0 + 1e-5, 0.0, 0.0, 0.0), Eigen::Vector3d::Zero())),
                  std::invalid_argument);
  // Within kUnitQuaternionTol: accepted (a normalized quaternion is off by ~1 ulp).
  const Eigen::Quaterniond almost(1.0 + 0.5 * Camera::kUnitQuaternionTol, 0.0, 0.0, 0.0);
  CHECK_NOTHROW(Camera(CameraModel::kPinhole, pinhole, 640, 480, Rigid3d(almost, Eigen::Vector3d::Zero())));
}

TEST_CASE("a projection whose Jacobian overflows is not labelled success", "[camera][fuzz]") {
  // fuzz_camera found a finite pixel with an infinite Jacobian labelled
  // kSuccess. Here: d(u)/d(X) = fx / Z = 1e300 / 1e-10 overflows while the
  // pixel u = fx X / Z = 1e297 is finite.
  const Camera cam = Camera::pinhole(1e300, 1e300, 0.0, 0.0, 10, 10);
  const Eigen::Vector3d point_in_cam(1e-13, 0.0, 1e-10);
  Eigen::Vector2d pixel;
  // Without a Jacobian request the (finite) pixel is a success.
  REQUIRE(cam.project_from_cam(point_in_cam, &pixel) == ProjectionStatus::kSuccess);
  REQUIRE(pixel.allFinite());
  Camera::Matrix23d J = Camera::Matrix23d::Constant(7.0);
  pixel = Eigen::Vector2d(-1.0, -1.0);
  CHECK(cam.project_from_cam(point_in_cam, &pixel, &J) == ProjectionStatus::kInvalidInput);
  CHECK(pixel == Eigen::Vector2d(-1.0, -1.0));  // outputs untouched on failure
  CHECK(J == Camera::Matrix23d::Constant(7.0));
  Eigen::MatrixXd J_params;
  CHECK(cam.project_from_cam(point_in_cam, &pixel, nullptr, &J_params) == ProjectionStatus::kSuccess);
  CHECK(J_params.allFinite());
  Camera::Matrix23d J_world;
  CHECK(cam.project(point_in_cam, &pixel, &J_world) == ProjectionStatus::kInvalidInput);
  // A regular depth keeps working.
  REQUIRE(cam.project_from_cam(Eigen::Vector3d(0.1, 0.2, 1.0), &pixel, &J) == ProjectionStatus::kSuccess);
  CHECK(J.allFinite());
}
