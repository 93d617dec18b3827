// crossview::metrics: the absolute root-depth prior of 3DMPPE RootNet (Moon,
// Chang, Lee, "Camera Distance-aware Top-down Approach for 3D Multi-person Pose
// Estimation from a Single RGB Image", ICCV 2019).
//
// A person of real (fronto-parallel) area A_real at depth Z seen by a camera of
// focal lengths (alpha_x, alpha_y) in pixels covers A_img = alpha_x alpha_y
// A_real / Z^2 pixels, so
//     k = sqrt(alpha_x * alpha_y * A_real / A_img)            (depth prior)
//     A_img = alpha_x * alpha_y * A_real / k^2                 (inverse)
// with A_real = 2000 mm x 2000 mm by default. k is a camera-frame Z depth in the
// unit of A_real's sides (mm). RootNet predicts a correction gamma and uses
// Z = gamma * k; gamma = 1 is the plain prior.
// RootNet's box preprocessing (optional here, RootDepthOptions::rootnet_box):
// keep the box centre, extend the shorter side so width / height equals the
// network input's aspect ratio (1 for its 256 x 256 input), then scale both
// sides by 1.25.
// The root's 3D position: the pixel is undistorted and back-projected along its
// ray to Z = k (camera::Camera::unproject, exact for distorted cameras).
//
// Failure modes: a box with non-finite or non-positive size, or non-finite /
// non-positive focal lengths, gives RootDepthStatus::kInvalidInput with a
// message; back-projection reports the camera's ProjectionStatus. Invalid
// options throw std::invalid_argument from validate().
#pragma once

#include <crossview/camera/camera.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace crossview::metrics {

/// Axis-aligned box in pixels: top-left corner (x, y) and size.
struct BoundingBox {
  double x = 0.0;
  double y = 0.0;
  double width = 0.0;
  double height = 0.0;
  double area() const { return width * height; }
  Eigen::Vector2d center() const { return {x + 0.5 * width, y + 0.5 * height}; }
};

struct RootDepthOptions {
  double real_width_mm = 2000.0;   ///< Real body extent, A_real = width * height (mm^2).
  double real_height_mm = 2000.0;
  bool rootnet_box = false;        ///< Apply RootNet's box preprocessing first.
  double aspect_ratio = 1.0;       ///< Target width / height of the preprocessing (> 0).
  double box_scale = 1.25;         ///< Scale of the preprocessing (> 0).
  double real_area_mm2() const { return real_width_mm * real_height_mm; }
  void validate() const {
    auto positive = [](double v) { return v > 0.0 && std::isfinite(v); };
    if (!positive(real_width_mm)) throw std::invalid_argument("RootDepthOptions::real_width_mm must be finite and > 0");
    if (!positive(real_height_mm)) throw std::invalid_argument("RootDepthOptions::real_height_mm must be finite and > 0");
    if (!positive(aspect_ratio)) throw std::invalid_argument("RootDepthOptions::aspect_ratio must be finite and > 0");
    if (!positive(box_scale)) throw std::invalid_argument("RootDepthOptions::box_scale must be finite and > 0");
  }
};

enum class RootDepthStatus : std::uint8_t {
  kSuccess = 0,
  kInvalidInput,  ///< Non-finite or non-positive box size / focal length / depth.
};

constexpr const char* to_string(RootDepthStatus s) {
  return s == RootDepthStatus::kSuccess ? "success" : "invalid input";
}

struct RootDepthResult {
  RootDepthStatus status = RootDepthStatus::kInvalidInput;
  std::string message;
  double depth_mm = 0.0;  ///< k (camera-frame Z); 0 unless kSuccess.
  BoundingBox box;        ///< The box whose area was used (after preprocessing).
  bool ok() const { return status == RootDepthStatus::kSuccess; }
};

/// RootNet's box preprocessing: same centre, the shorter side extended to the
/// aspect ratio (width / height), both sides multiplied by `scale`.
BoundingBox rootnet_preprocess_box(const BoundingBox& box, double aspect_ratio = 1.0, double scale = 1.25);

/// Depth prior k from focal lengths (px) and a person box (px).
RootDepthResult root_depth_prior(double fx, double fy, const BoundingBox& box,
                                 const RootDepthOptions& options = {});

/// Same, with the focal lengths of `camera`.
inline RootDepthResult root_depth_prior(const camera::Camera& camera, const BoundingBox& box,
                                        const RootDepthOptions& options = {}) {
  return root_depth_prior(camera.fx(), camera.fy(), box, options);
}

/// Inverse of the prior: the box area (px^2) that gives depth `depth_mm`, i.e.
/// the area of the box *after* preprocessing when options.rootnet_box is set.
/// Throws std::invalid_argument for non-positive / non-finite arguments.
double expected_box_area_px2(double fx, double fy, double depth_mm, const RootDepthOptions& options = {});

struct RootPointResult {
  camera::ProjectionStatus status = camera::ProjectionStatus::kInvalidInput;
  Eigen::Vector3d point_in_cam = Eigen::Vector3d::Zero();    ///< Z = depth.
  Eigen::Vector3d point_in_world = Eigen::Vector3d::Zero();  ///< cam_from_world^-1 * point_in_cam.
  bool ok() const { return status == camera::ProjectionStatus::kSuccess; }
};

/// Back-projects the root pixel (distorted, as observed) to camera-frame depth
/// Z = depth_mm. kInvalidInput for a non-finite or non-positive depth.
RootPointResult back_project_root(const camera::Camera& camera, const Eigen::Vector2d& root_px,
                                  double depth_mm);

}  // namespace crossview::metrics
