// crossview: heatmap placement, rendering and epipolar fusion (see heatmaps.hpp).
#include <crossview/pose/heatmaps.hpp>

#include <crossview/camera/camera.hpp>

#include <Eigen/Core>
#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::pose {

Affine2d image_from_heatmap_for_box(double x_min, double y_min, double box_width,
                                    double box_height, int heatmap_width,
                                    int heatmap_height) {
  if (!(box_width > 0.0) || !(box_height > 0.0) || heatmap_width <= 0 || heatmap_height <= 0 ||
      !std::isfinite(x_min) || !std::isfinite(y_min) || !std::isfinite(box_width) ||
      !std::isfinite(box_height)) {
    throw std::invalid_argument(
        "image_from_heatmap_for_box: box size and heatmap size must be finite and > 0");
  }
  const double sx = box_width / heatmap_width;
  const double sy = box_height / heatmap_height;
  Affine2d a;
  a << sx, 0.0, x_min + 0.5 * sx, 0.0, sy, y_min + 0.5 * sy;
  return a;
}

Affine2d invert_affine(const Affine2d& a) {
  const Eigen::Matrix2d m = a.leftCols<2>();
  const double det = m.determinant();
  if (!a.allFinite() || !(std::abs(det) > 1e-300)) {
    throw std::invalid_argument("invert_affine: the affine map's 2x2 part is singular or non-finite");
  }
  const Eigen::Matrix2d mi = m.inverse();
  Affine2d out;
  out.leftCols<2>() = mi;
  out.col(2) = -mi * a.col(2);
  return out;
}

ViewHeatmaps render_gaussian_heatmaps(const ConstPointsRef& keypoints_px, const ConstScoresRef& confidences,
                                      int height, int width, const Affine2d& image_from_heatmap,
                                      double sigma_heatmap_px) {
  require_points(keypoints_px, 2, "render_gaussian_heatmaps: keypoints_px");
  require_scores(confidences, keypoints_px.cols(), "render_gaussian_heatmaps: confidences", false);
  if (!(sigma_heatmap_px > 0.0) || !std::isfinite(sigma_heatmap_px)) {
    throw std::invalid_argument("render_gaussian_heatmaps: sigma_heatmap_px must be finite and > 0");
  }
  const int nj = static_cast<int>(keypoints_px.cols());
  ViewHeatmaps out(std::max(nj, 1), height, width, image_from_heatmap);
  if (nj == 0) throw std::invalid_argument("render_gaussian_heatmaps: no keypoints");
  const double inv2s2 = 1.0 / (2.0 * sigma_heatmap_px * sigma_heatmap_px);
  std::vector<double> gx(width), gy(height);
  for (int j = 0; j < nj; ++j) {
    const double c = confidences(j);
    if (!keypoints_px.col(j).allFinite() || !(c > 0.0) || !std::isfinite(c)) continue;
    const Eigen::Vector2d q = out.to_heatmap(Eigen::Vector2d(keypoints_px.col(j)));
    for (int u = 0; u < width; ++u) gx[u] = std::exp(-(u - q.x()) * (u - q.x()) * inv2s2);
    for (int v = 0; v < height; ++v) gy[v] = std::exp(-(v - q.y()) * (v - q.y()) * inv2s2);
    float* h = out.joint(j);
    for (int v = 0; v < height; ++v) {
      for (int u = 0; u < width; ++u) {
        h[static_cast<std::size_t>(v) * width + u] = static_cast<float>(c * gy[v] * gx[u]);
      }
    }
  }
  return out;
}

void EpipolarFusionOptions::validate() const {
  if (!(min_depth > 0.0) || !(max_depth > min_depth) || !std::isfinite(max_depth)) {
    throw std::invalid_argument(
        "EpipolarFusionOptions: need 0 < min_depth < max_depth < inf");
  }
  if (num_depth_samples < 2 || num_depth_samples > 4096) {
    throw std::invalid_argument("EpipolarFusionOptions: num_depth_samples must be in [2, 4096]");
  }
  if (!(weight >= 0.0 && weight <= 1.0)) {
    throw std::invalid_argument("EpipolarFusionOptions: weight must be in [0, 1]");
  }
}

std::vector<ViewHeatmaps> fuse_heatmaps_epipolar(const std::vector<HeatmapView>& views,
                                                 const EpipolarFusionOptions& options) {
  options.validate();
  const int nv = static_cast<int>(views.size());
  std::vector<ViewHeatmaps> out;
  if (nv == 0) return out;
  const int nj = views[0].heatmaps.num_joints();
  for (const auto& v : views) {
    if (v.heatmaps.num_joints() != nj) {
      throw std::invalid_argument("fuse_heatmaps_epipolar: views have different joint counts");
    }
  }
  const int ns = options.num_depth_samples;
  std::vector<float> best;
  std::vector<Eigen::Vector2d> samples;
  for (int a = 0; a < nv; ++a) {
    const ViewHeatmaps& ha = views[a].heatmaps;
    const camera::Camera& ca = views[a].camera;
    const int h = ha.height(), w = ha.width();
    ViewHeatmaps fused = ha;
    std::vector<float> acc(static_cast<std::size_t>(nj) * h * w, 0.0f);
    const camera::Rigid3d world_from_cam_a = ca.cam_from_world.inverse();
    for (int b = 0; b < nv; ++b) {
      if (b == a) continue;
      const ViewHeatmaps& hb = views[b].heatmaps;
      const camera::Camera& cb = views[b].camera;
      for (int v = 0; v < h; ++v) {
        for (int u = 0; u < w; ++u) {
          samples.clear();
          Eigen::Vector3d ray;
          if (ca.unproject(ha.to_image(Eigen::Vector2d(u, v)), &ray) !=
              camera::ProjectionStatus::kSuccess) {
            continue;
          }
          for (int s = 0; s < ns; ++s) {
            const double inv_d = 1.0 / options.min_depth +
                                 (1.0 / options.max_depth - 1.0 / options.min_depth) * s / (ns - 1);
            const Eigen::Vector3d x_world = world_from_cam_a * (ray / inv_d);
            Eigen::Vector2d px;
            if (cb.project(x_world, &px) == camera::ProjectionStatus::kSuccess) {
              samples.push_back(hb.to_heatmap(px));
            }
          }
          for (int j = 0; j < nj; ++j) {
            float m = 0.0f;
            for (const auto& q : samples) m = std::max(m, hb.sample(j, q.x(), q.y()));
            acc[(static_cast<std::size_t>(j) * h + v) * w + u] += m;
          }
        }
      }
    }
    const float wgt = static_cast<float>(options.weight);
    const float inv_others = nv > 1 ? 1.0f / static_cast<float>(nv - 1) : 0.0f;
    for (std::size_t i = 0; i < acc.size(); ++i) {
      fused.data()[i] = (1.0f - wgt) * ha.data()[i] + wgt * acc[i] * inv_others;
    }
    out.push_back(std::move(fused));
  }
  return out;
}

}  // namespace crossview::pose
