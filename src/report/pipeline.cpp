#include "report/pipeline.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace crossview::report {

void person_detections(const Run& run, int frame, int person_id, Points2d* pixels_px, Eigen::VectorXd* scores) {
  if (run.detections.empty()) throw std::invalid_argument("person_detections: the run has no detections");
  if (frame < 0 || frame >= static_cast<int>(run.detections.size())) {
    throw std::invalid_argument("person_detections: frame " + std::to_string(frame) + " is outside [0, " +
                                std::to_string(run.detections.size()) + ")");
  }
  const int V = run.num_views(), J = run.num_joints;
  pixels_px->setConstant(2, static_cast<Eigen::Index>(V) * J, std::numeric_limits<double>::quiet_NaN());
  scores->setZero(static_cast<Eigen::Index>(V) * J);
  const auto& views = run.detections[static_cast<std::size_t>(frame)];
  for (int v = 0; v < V && v < static_cast<int>(views.size()); ++v) {
    const ViewDetections& d = views[static_cast<std::size_t>(v)];
    for (int n = 0; n < d.num_people(); ++n) {
      if (d.person_ids[static_cast<std::size_t>(n)] != person_id) continue;
      pixels_px->middleCols(static_cast<Eigen::Index>(v) * J, J) = d.pixels_px.middleCols(static_cast<Eigen::Index>(n) * J, J);
      scores->segment(static_cast<Eigen::Index>(v) * J, J) = d.scores.segment(static_cast<Eigen::Index>(n) * J, J);
      break;
    }
  }
}

triangulation::SkeletonResult triangulate_frame(const std::vector<camera::Camera>& cameras, const Points2d& pixels_px,
                                                const Eigen::VectorXd& scores,
                                                const triangulation::TriangulationOptions& options) {
  // The only call into the triangulation API: the packed frame as it is
  // (non-finite scores count as missing).
  const int V = static_cast<int>(cameras.size());
  if (V == 0 || pixels_px.cols() % V != 0 || scores.size() != pixels_px.cols()) {
    throw std::invalid_argument("triangulate_frame: pixels_px must be 2 x (V*J) with V*J scores");
  }
  const Eigen::VectorXd confidences = scores.unaryExpr([](double c) { return std::isfinite(c) ? c : 0.0; });
  return triangulation::triangulate_skeleton(cameras, pixels_px, confidences, options);
}

Layer layer_from_triangulation(std::string method, LayerKind kind,
                               const std::vector<triangulation::SkeletonResult>& frames, int num_joints,
                               int num_views) {
  if (num_joints <= 0 || num_views <= 0 || num_views > 32) {
    throw std::invalid_argument("layer_from_triangulation: need num_joints > 0 and 1..32 views");
  }
  const Eigen::Index F = static_cast<Eigen::Index>(frames.size()), J = num_joints;
  Layer layer;
  layer.method = std::move(method);
  layer.kind = kind;
  layer.joints_in_world.setConstant(3, F * J, std::numeric_limits<double>::quiet_NaN());
  TriangulationFit fit;
  fit.used_views.assign(static_cast<std::size_t>(F * J), 0u);
  fit.reprojection_error_px.setConstant(num_views, F * J, std::numeric_limits<float>::quiet_NaN());
  for (Eigen::Index f = 0; f < F; ++f) {
    const triangulation::SkeletonResult& r = frames[static_cast<std::size_t>(f)];
    if (static_cast<Eigen::Index>(r.joints.size()) != J) {
      throw std::invalid_argument("layer_from_triangulation: frame " + std::to_string(f) + " has " +
                                  std::to_string(r.joints.size()) + " joints, expected " + std::to_string(J));
    }
    for (Eigen::Index j = 0; j < J; ++j) {
      const triangulation::TriangulationResult& t = r.joints[static_cast<std::size_t>(j)];
      const Eigen::Index col = f * J + j;
      if (!t.ok()) continue;
      layer.joints_in_world.col(col) = t.point_in_world;
      std::uint32_t mask = 0;
      for (int v : t.used_views) {
        if (v < 0 || v >= num_views) {
          throw std::invalid_argument("layer_from_triangulation: used view " + std::to_string(v) + " of " +
                                      std::to_string(num_views));
        }
        mask |= 1u << v;
      }
      fit.used_views[static_cast<std::size_t>(col)] = mask;
      if (!t.reprojection_error_px.empty() && static_cast<int>(t.reprojection_error_px.size()) != num_views) {
        throw std::invalid_argument("layer_from_triangulation: reprojection errors for " +
                                    std::to_string(t.reprojection_error_px.size()) + " views, expected " +
                                    std::to_string(num_views));
      }
      for (std::size_t v = 0; v < t.reprojection_error_px.size(); ++v) {
        fit.reprojection_error_px(static_cast<Eigen::Index>(v), col) = static_cast<float>(t.reprojection_error_px[v]);
      }
    }
  }
  layer.fit = std::move(fit);
  return layer;
}

Layer layer_from_poses(std::string method, LayerKind kind, const std::vector<Points3d>& poses, int num_joints) {
  Layer layer;
  layer.method = std::move(method);
  layer.kind = kind;
  const Eigen::Index J = num_joints;
  layer.joints_in_world.resize(3, static_cast<Eigen::Index>(poses.size()) * J);
  for (std::size_t f = 0; f < poses.size(); ++f) {
    if (poses[f].cols() != J) {
      throw std::invalid_argument("layer_from_poses: poses[" + std::to_string(f) + "] is 3 x " +
                                  std::to_string(poses[f].cols()) + ", expected 3 x " + std::to_string(J));
    }
    layer.joints_in_world.middleCols(static_cast<Eigen::Index>(f) * J, J) = poses[f];
  }
  return layer;
}

}  // namespace crossview::report
