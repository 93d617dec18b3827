// Private helpers shared by the rig readers (rig_io.cpp, rig_formats.cpp).
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/camera/rigid3.hpp>

#include "io_common.hpp"

#include <cmath>
#include <set>
#include <string>

namespace crossview::io::detail {


/// Checks K = [fx 0 cx; 0 fy cy; 0 0 1] (no skew, positive focal lengths).
inline void check_calibration_matrix(const Eigen::Matrix3d& K, const std::string& file,
                              const std::string& field) {
  const auto at = [&](int r, int c) { return index_field(index_field(field, r), c); };
  if (!(K(0, 0) > 0.0)) throw IoError(file, at(0, 0), "expected a positive focal length fx, got " + format_double(K(0, 0)));
  if (!(K(1, 1) > 0.0)) throw IoError(file, at(1, 1), "expected a positive focal length fy, got " + format_double(K(1, 1)));
  if (std::abs(K(0, 1)) > 1e-9 * K(0, 0)) throw IoError(file, at(0, 1), "expected 0 (skew is not supported), got " + format_double(K(0, 1)));
  const int zr[3] = {1, 2, 2};
  const int zc[3] = {0, 0, 1};
  for (int i = 0; i < 3; ++i) {
    if (K(zr[i], zc[i]) != 0.0) throw IoError(file, at(zr[i], zc[i]), "expected 0, got " + format_double(K(zr[i], zc[i])));
  }
  if (K(2, 2) != 1.0) throw IoError(file, at(2, 2), "expected 1, got " + format_double(K(2, 2)));
}

constexpr double kRotationTolerance = 1e-6;

inline void check_rotation_matrix(const Eigen::Matrix3d& R, const std::string& file, const std::string& field) {
  if (!camera::is_rotation_matrix(R, kRotationTolerance)) {
    const double orth = (R.transpose() * R - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff();
    throw IoError(file, field,
                  "expected a rotation matrix (max |R^T R - I| and |det R - 1| <= 1e-6), got max |R^T R - I| = " +
                      format_double(orth) + ", det R = " + format_double(R.determinant()));
  }
}

/// Builds a Camera, turning the constructor's std::invalid_argument into IoError.
inline camera::Camera make_camera(camera::CameraModel model, const Eigen::VectorXd& params, int width, int height,
                   const camera::Rigid3d& cam_from_world, const std::string& name, const std::string& file,
                   const std::string& field) {
  try {
    return camera::Camera(model, params, width, height, cam_from_world, name);
  } catch (const std::invalid_argument& e) {
    throw IoError(file, field, e.what());
  }
}

inline void check_unique_name(std::set<std::string>* seen, const std::string& name, const std::string& file,
                       const std::string& field) {
  if (!seen->insert(name).second) throw IoError(file, field, "duplicate camera name '" + name + "'");
}

}  // namespace crossview::io::detail
