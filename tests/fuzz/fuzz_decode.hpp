// Decoding helpers shared by the solver fuzz targets: doubles that are either
// raw IEEE bytes (NaN, Inf, denormals, 1e300 ...) or values in a plausible
// range, and cameras built from bytes (realistic or raw; the constructor's
// std::invalid_argument is the caller's to catch).
#pragma once

#include "fuzz_common.hpp"

#include <crossview/camera/camera.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace crossview::fuzz {

inline double raw_double(FuzzedDataProvider& fdp) {
  std::uint8_t bytes[sizeof(double)] = {};
  fdp.ConsumeData(bytes, sizeof(bytes));
  double v;
  std::memcpy(&v, bytes, sizeof(v));
  return v;
}

/// A value in [lo, hi] when `sane`, else raw bytes.
inline double value(FuzzedDataProvider& fdp, bool sane, double lo, double hi) {
  return sane ? fdp.ConsumeFloatingPointInRange<double>(lo, hi) : raw_double(fdp);
}

/// Mostly plausible: one byte in 8 picks raw bytes for this value.
inline double mostly_sane(FuzzedDataProvider& fdp, double lo, double hi) {
  const bool raw = (fdp.ConsumeIntegral<std::uint8_t>() & 7u) == 0;
  return value(fdp, !raw, lo, hi);
}

/// A camera looking roughly at the origin from `distance` along a direction
/// given by bytes (sane), or every parameter and pose value raw. Throws
/// std::invalid_argument when the raw values are rejected.
inline camera::Camera make_camera(FuzzedDataProvider& fdp, bool sane, const std::string& name) {
  const auto model = static_cast<camera::CameraModel>(fdp.ConsumeIntegralInRange<int>(0, 3));
  const int n = camera::num_params(model);
  Eigen::VectorXd params(n);
  for (int i = 0; i < n; ++i) {
    const bool focal = i < 2, centre = i >= 2 && i < 4;
    params[i] = value(fdp, sane, focal ? 200.0 : centre ? 100.0 : -0.1, focal ? 3000.0 : centre ? 1000.0 : 0.1);
  }
  Eigen::Quaterniond q;
  q.coeffs() << value(fdp, sane, -1, 1), value(fdp, sane, -1, 1), value(fdp, sane, -1, 1), value(fdp, sane, -1, 1);
  Eigen::Vector3d t(value(fdp, sane, -1, 1), value(fdp, sane, -1, 1), value(fdp, sane, 2, 20));
  if (sane) {
    if (q.norm() < 1e-3) q = Eigen::Quaterniond::Identity();
    q.normalize();
    // Keep the origin in front: x_cam = R X + t with t mostly along +z.
    q = Eigen::Quaterniond(Eigen::AngleAxisd(value(fdp, true, -0.6, 0.6), Eigen::Vector3d::UnitY()) *
                           Eigen::AngleAxisd(value(fdp, true, -0.3, 0.3), Eigen::Vector3d::UnitX()));
  }
  return camera::Camera(model, params, 1200, 1000, camera::Rigid3d(q, t), name);
}

}  // namespace crossview::fuzz
