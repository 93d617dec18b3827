// Fuzzes camera::Camera: construction from raw parameter bytes, project /
// project_from_cam with both analytic Jacobians, unproject / undistort_pixel.
//
// Input layout (FuzzedDataProvider): model byte, "sane" flag, the model's
// parameters (raw IEEE bytes, NaN/Inf included, or values in realistic ranges
// when the flag is set), width, height, pose, then a list of queries.
//
// Contracts checked:
//   * the constructor either throws std::invalid_argument or gives a camera
//     whose parameters are finite with fx, fy > 0;
//   * every call labelled kSuccess writes finite outputs (pixel, both
//     Jacobians, ray, undistorted pixel);
//   * unproject success => projecting the ray gives back the pixel (relative
//     tolerance kRoundTripTol) and is itself kSuccess;
//   * on realistic cameras (sane flag), analytic Jacobians match
//     Richardson-extrapolated central differences (kJacobianTol, relative).
//     (On the steep rational-model maps plain central differences at a
//     1.6e-5 relative step were off by 7.5e-4: truncation, shrinking 4x per
//     halved step toward the analytic value. Those points turned out to lie
//     beyond a pole of the distortion, which max_valid_radius now excludes.)
#include "fuzz_common.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace {

using crossview::camera::Camera;
using crossview::camera::CameraModel;
using crossview::camera::ProjectionStatus;
using crossview::camera::Rigid3d;

constexpr double kRoundTripTol = 1e-6;  // px per px of magnitude; unproject converges to 1e-12 px.
constexpr double kJacobianTol = 1e-4;   // relative, central differences with h ~ 1e-6.

double raw_double(FuzzedDataProvider& fdp) {
  std::uint8_t bytes[sizeof(double)] = {};
  fdp.ConsumeData(bytes, sizeof(bytes));
  double v;
  std::memcpy(&v, bytes, sizeof(v));
  return v;
}

double value(FuzzedDataProvider& fdp, bool sane, double lo, double hi) {
  return sane ? fdp.ConsumeFloatingPointInRange<double>(lo, hi) : raw_double(fdp);
}

void check_projection_jacobian(const Camera& cam, const Eigen::Vector3d& point_in_cam,
                               const Eigen::Vector2d& pixel, const Camera::Matrix23d& J) {
  for (int k = 0; k < 3; ++k) {
    const double h = 1e-6 * std::max(1.0, point_in_cam.norm());
    // Central difference with step `step`; false near the valid-range boundary.
    const auto central = [&](double step, Eigen::Vector2d* d) {
      Eigen::Vector3d plus = point_in_cam, minus = point_in_cam;
      plus[k] += step;
      minus[k] -= step;
      Eigen::Vector2d px_plus, px_minus;
      if (cam.project_from_cam(plus, &px_plus) != ProjectionStatus::kSuccess ||
          cam.project_from_cam(minus, &px_minus) != ProjectionStatus::kSuccess) {
        return false;
      }
      *d = (px_plus - px_minus) / (2.0 * step);
      return true;
    };
    Eigen::Vector2d d_h, d_half;
    if (!central(h, &d_h) || !central(0.5 * h, &d_half)) return;
    // Richardson: cancels the h^2 truncation term of the central difference.
    const Eigen::Vector2d numeric = (4.0 * d_half - d_h) / 3.0;
    const double scale = std::max({1.0, J.col(k).norm(), numeric.norm()});
    // Relative to the pixel magnitude too: differences lose digits on large pixels.
    // (The extrapolation's rounding is ~3 eps |pixel| / h, far below this.)
    const double cancel = 1e-9 * std::max(1.0, pixel.norm()) / h;
    CROSSVIEW_FUZZ_CHECK((J.col(k) - numeric).norm() <= kJacobianTol * scale + cancel);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const auto model = static_cast<CameraModel>(fdp.ConsumeIntegralInRange<int>(0, 3));
  const bool sane = fdp.ConsumeBool();
  // A mismatched count is allowed too (must throw std::invalid_argument).
  int n = crossview::camera::num_params(model);
  if (!sane && fdp.ConsumeIntegralInRange<int>(0, 15) == 0) n = fdp.ConsumeIntegralInRange<int>(0, 14);
  Eigen::VectorXd params(n);
  for (int i = 0; i < n; ++i) {
    const bool focal = i < 2, centre = i >= 2 && i < 4;
    params[i] = value(fdp, sane, focal ? 100.0 : centre ? 0.0 : -0.5, focal ? 5000.0 : centre ? 2000.0 : 0.5);
  }
  const int width = sane ? fdp.ConsumeIntegralInRange<int>(1, 4000) : fdp.ConsumeIntegral<int>();
  const int height = sane ? fdp.ConsumeIntegralInRange<int>(1, 4000) : fdp.ConsumeIntegral<int>();
  Eigen::Quaterniond q;
  q.coeffs() << value(fdp, sane, -1, 1), value(fdp, sane, -1, 1), value(fdp, sane, -1, 1),
      value(fdp, sane, -1, 1);
  if (sane) {
    if (q.norm() < 1e-3) q = Eigen::Quaterniond::Identity();
    q.normalize();
  }
  const Eigen::Vector3d t(value(fdp, sane, -10, 10), value(fdp, sane, -10, 10), value(fdp, sane, -10, 10));

  Camera cam;
  try {
    cam = Camera(model, params, width, height, Rigid3d(q, t), "fuzz");
  } catch (const std::invalid_argument&) {
    return 0;
  }
  CROSSVIEW_FUZZ_CHECK(cam.params().allFinite() && cam.fx() > 0.0 && cam.fy() > 0.0);

  for (int query = 0; query < 16 && fdp.remaining_bytes() > 0; ++query) {
    const bool sane_query = fdp.ConsumeBool();
    const Eigen::Vector3d point(value(fdp, sane_query, -2, 2), value(fdp, sane_query, -2, 2),
                                value(fdp, sane_query, 0.01, 10));
    const Eigen::Vector2d pixel_in(value(fdp, sane_query, -0.5, width - 0.5),
                                   value(fdp, sane_query, -0.5, height - 0.5));

    // project_from_cam with both Jacobians.
    Eigen::Vector2d pixel;
    Camera::Matrix23d J_point;
    Eigen::MatrixXd J_params;
    if (cam.project_from_cam(point, &pixel, &J_point, &J_params) == ProjectionStatus::kSuccess) {
      CROSSVIEW_FUZZ_CHECK(pixel.allFinite());
      CROSSVIEW_FUZZ_CHECK(J_point.allFinite());
      CROSSVIEW_FUZZ_CHECK(J_params.rows() == 2 && J_params.cols() == cam.params().size());
      CROSSVIEW_FUZZ_CHECK(J_params.allFinite());
      if (sane && sane_query) check_projection_jacobian(cam, point, pixel, J_point);
    }

    // project (world frame) with its Jacobian.
    Camera::Matrix23d J_world;
    if (cam.project(point, &pixel, &J_world) == ProjectionStatus::kSuccess) {
      CROSSVIEW_FUZZ_CHECK(pixel.allFinite() && J_world.allFinite());
    }

    // unproject, round trip through project_from_cam.
    Eigen::Vector3d ray;
    if (cam.unproject(pixel_in, &ray) == ProjectionStatus::kSuccess) {
      CROSSVIEW_FUZZ_CHECK(ray.allFinite() && ray.z() == 1.0);
      Eigen::Vector2d back;
      CROSSVIEW_FUZZ_CHECK(cam.project_from_cam(ray, &back) == ProjectionStatus::kSuccess);
      const double scale = std::max({1.0, pixel_in.norm(), std::abs(cam.cx()), std::abs(cam.cy())});
      CROSSVIEW_FUZZ_CHECK((back - pixel_in).norm() <= kRoundTripTol * scale);
      Eigen::Vector2d undistorted;
      CROSSVIEW_FUZZ_CHECK(cam.undistort_pixel(pixel_in, &undistorted) == ProjectionStatus::kSuccess);
      CROSSVIEW_FUZZ_CHECK(undistorted.allFinite());
    }
  }
  return 0;
}
