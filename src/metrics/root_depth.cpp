// crossview::metrics: RootNet's absolute root-depth prior; documented in
// include/crossview/metrics/root_depth.hpp.
#include <crossview/metrics/root_depth.hpp>

#include <Eigen/Core>

#include <cmath>
#include <stdexcept>

namespace crossview::metrics {

BoundingBox rootnet_preprocess_box(const BoundingBox& box, double aspect_ratio, double scale) {
  const Eigen::Vector2d c = box.center();
  double w = box.width, h = box.height;
  if (w > aspect_ratio * h) {
    h = w / aspect_ratio;
  } else if (w < aspect_ratio * h) {
    w = h * aspect_ratio;
  }
  w *= scale;
  h *= scale;
  return {c.x() - 0.5 * w, c.y() - 0.5 * h, w, h};
}

RootDepthResult root_depth_prior(double fx, double fy, const BoundingBox& box, const RootDepthOptions& options) {
  options.validate();
  RootDepthResult r;
  if (!(fx > 0.0) || !(fy > 0.0) || !std::isfinite(fx) || !std::isfinite(fy)) {
    r.message = "focal lengths must be finite and > 0";
    return r;
  }
  if (!(box.width > 0.0) || !(box.height > 0.0) || !std::isfinite(box.width) ||
      !std::isfinite(box.height) || !std::isfinite(box.x) || !std::isfinite(box.y)) {
    r.message = "box must be finite with width and height > 0";
    return r;
  }
  r.box = options.rootnet_box ? rootnet_preprocess_box(box, options.aspect_ratio, options.box_scale) : box;
  r.depth_mm = std::sqrt(fx * fy * options.real_area_mm2() / r.box.area());
  if (!std::isfinite(r.depth_mm) || !(r.depth_mm > 0.0)) {
    r.depth_mm = 0.0;
    r.message = "depth prior is not finite (box area underflow)";
    return r;
  }
  r.status = RootDepthStatus::kSuccess;
  r.message = "success";
  return r;
}

double expected_box_area_px2(double fx, double fy, double depth_mm, const RootDepthOptions& options) {
  options.validate();
  if (!(fx > 0.0) || !(fy > 0.0) || !std::isfinite(fx) || !std::isfinite(fy)) {
    throw std::invalid_argument("expected_box_area_px2: focal lengths must be finite and > 0");
  }
  if (!(depth_mm > 0.0) || !std::isfinite(depth_mm)) {
    throw std::invalid_argument("expected_box_area_px2: depth_mm must be finite and > 0");
  }
  return fx * fy * options.real_area_mm2() / (depth_mm * depth_mm);
}

RootPointResult back_project_root(const camera::Camera& camera, const Eigen::Vector2d& root_px, double depth_mm) {
  RootPointResult r;
  if (!(depth_mm > 0.0) || !std::isfinite(depth_mm)) return r;
  Eigen::Vector3d ray;
  r.status = camera.unproject(root_px, &ray);
  if (r.status != camera::ProjectionStatus::kSuccess) return r;
  r.point_in_cam = ray * depth_mm;
  r.point_in_world = camera.cam_from_world.inverse() * r.point_in_cam;
  return r;
}

}  // namespace crossview::metrics
