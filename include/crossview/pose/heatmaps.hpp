// crossview: per-view joint heatmaps, their placement in the image, Gaussian
// rendering from 2D keypoints, bilinear sampling, and geometric cross-view
// fusion along epipolar lines.
//
// Conventions (docs/conventions.md): pixel centres at integer coordinates, the
// top-left pixel's centre is (0, 0), for image pixels and heatmap pixels
// alike. A heatmap is H rows x W columns of floats, row-major; (u, v) =
// (column, row). Heatmaps are usually computed on a crop of the image, so
// every view carries `image_from_heatmap`, a 2x3 affine map taking heatmap
// pixel (u, v) to image pixel A * (u, v, 1). Non-square heatmaps and
// anisotropic crops are supported.
#pragma once

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

using Affine2d = Eigen::Matrix<double, 2, 3>;

/// The affine map of a heatmap of `heatmap_width` x `heatmap_height` pixels
/// covering the image box [x_min, x_min + box_width] x [y_min, y_min +
/// box_height], in the library's continuous image coordinates (pixel centres
/// at integers, so image pixel i covers [i - 0.5, i + 0.5]; the whole image
/// is x_min = y_min = -0.5, box = width x height). Heatmap pixel u covers
/// [x_min + u s, x_min + (u + 1) s] with s = box_width / W, hence its centre
/// is x_img = s u + x_min + 0.5 s (same for y).
inline Affine2d image_from_heatmap_for_box(double x_min, double y_min, double box_width,
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

/// Inverse of an invertible 2x3 affine map. Throws std::invalid_argument when
/// the linear part is singular or non-finite.
inline Affine2d invert_affine(const Affine2d& a) {
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

/// J heatmaps of one view, H x W floats each, plus their placement in the image.
class ViewHeatmaps {
 public:
  ViewHeatmaps() = default;
  /// Zero-filled heatmaps. Throws std::invalid_argument for non-positive sizes.
  ViewHeatmaps(int num_joints, int height, int width,
               const Affine2d& image_from_heatmap = Affine2d::Identity())
      : num_joints_(num_joints), height_(height), width_(width) {
    if (num_joints <= 0 || height <= 0 || width <= 0) {
      throw std::invalid_argument("ViewHeatmaps: num_joints, height and width must be > 0");
    }
    data_.assign(static_cast<std::size_t>(num_joints) * height * width, 0.0f);
    set_image_from_heatmap(image_from_heatmap);
  }

  int num_joints() const { return num_joints_; }
  int height() const { return height_; }
  int width() const { return width_; }
  /// All values, joint-major then row-major: index (j * H + v) * W + u.
  std::vector<float>& data() { return data_; }
  const std::vector<float>& data() const { return data_; }
  float* joint(int j) { return data_.data() + static_cast<std::size_t>(j) * height_ * width_; }
  const float* joint(int j) const {
    return data_.data() + static_cast<std::size_t>(j) * height_ * width_;
  }
  float& at(int j, int v, int u) { return joint(j)[static_cast<std::size_t>(v) * width_ + u]; }
  float at(int j, int v, int u) const {
    return joint(j)[static_cast<std::size_t>(v) * width_ + u];
  }

  const Affine2d& image_from_heatmap() const { return image_from_heatmap_; }
  const Affine2d& heatmap_from_image() const { return heatmap_from_image_; }
  /// Throws std::invalid_argument when the map is not invertible.
  void set_image_from_heatmap(const Affine2d& a) {
    heatmap_from_image_ = invert_affine(a);
    image_from_heatmap_ = a;
  }
  Eigen::Vector2d to_image(const Eigen::Vector2d& heatmap_px) const {
    return image_from_heatmap_.leftCols<2>() * heatmap_px + image_from_heatmap_.col(2);
  }
  Eigen::Vector2d to_heatmap(const Eigen::Vector2d& image_px) const {
    return heatmap_from_image_.leftCols<2>() * image_px + heatmap_from_image_.col(2);
  }

  /// Bilinear sample of joint j at heatmap coordinates (u, v); pixels outside
  /// the heatmap count as 0 (so the value fades to 0 over the last half
  /// pixel beyond the border and is exactly 0 from one pixel out).
  float sample(int j, double u, double v) const {
    if (!(u > -1.0) || !(v > -1.0) || !(u < width_) || !(v < height_)) return 0.0f;
    const double fu = std::floor(u), fv = std::floor(v);
    const int u0 = static_cast<int>(fu), v0 = static_cast<int>(fv);
    const float au = static_cast<float>(u - fu), av = static_cast<float>(v - fv);
    const float* h = joint(j);
    auto px = [&](int uu, int vv) -> float {
      return (uu < 0 || vv < 0 || uu >= width_ || vv >= height_)
                 ? 0.0f
                 : h[static_cast<std::size_t>(vv) * width_ + uu];
    };
    return (1.0f - av) * ((1.0f - au) * px(u0, v0) + au * px(u0 + 1, v0)) +
           av * ((1.0f - au) * px(u0, v0 + 1) + au * px(u0 + 1, v0 + 1));
  }

  /// Location (heatmap px) and value of joint j's maximum; first index wins ties.
  float argmax(int j, Eigen::Vector2d* heatmap_px) const {
    const float* h = joint(j);
    const std::size_t n = static_cast<std::size_t>(height_) * width_;
    std::size_t best = 0;
    for (std::size_t i = 1; i < n; ++i) {
      if (h[i] > h[best]) best = i;
    }
    if (heatmap_px != nullptr) {
      *heatmap_px = Eigen::Vector2d(static_cast<double>(best % width_),
                                    static_cast<double>(best / width_));
    }
    return h[best];
  }

 private:
  int num_joints_ = 0;
  int height_ = 0;
  int width_ = 0;
  std::vector<float> data_;
  Affine2d image_from_heatmap_ = Affine2d::Identity();
  Affine2d heatmap_from_image_ = Affine2d::Identity();
};

/// One calibrated view with its heatmaps: the input of rpsm::estimate/refine.
struct HeatmapView {
  camera::Camera camera;
  ViewHeatmaps heatmaps;
};

/// Renders J Gaussian heatmaps H x W: joint j's map is
/// confidence_j * exp(-|q - c_j|^2 / (2 sigma^2)), q the heatmap pixel and c_j
/// keypoint j (image px, column j of `keypoints_px`) mapped into heatmap
/// coordinates; sigma in HEATMAP pixels. A keypoint with a non-finite
/// coordinate or confidence <= 0 (or non-finite) gives an all-zero map.
/// Throws std::invalid_argument when sizes mismatch or sigma <= 0. O(J H W).
inline ViewHeatmaps render_gaussian_heatmaps(const Eigen::Matrix2Xd& keypoints_px,
                                             const Eigen::VectorXd& confidences, int height,
                                             int width, const Affine2d& image_from_heatmap,
                                             double sigma_heatmap_px) {
  if (confidences.size() != keypoints_px.cols()) {
    throw std::invalid_argument("render_gaussian_heatmaps: " +
                                std::to_string(keypoints_px.cols()) + " keypoints but " +
                                std::to_string(confidences.size()) + " confidences");
  }
  if (!(sigma_heatmap_px > 0.0) || !std::isfinite(sigma_heatmap_px)) {
    throw std::invalid_argument("render_gaussian_heatmaps: sigma_heatmap_px must be finite and > 0");
  }
  const int nj = static_cast<int>(keypoints_px.cols());
  ViewHeatmaps out(std::max(nj, 1), height, width, image_from_heatmap);
  if (nj == 0) throw std::invalid_argument("render_gaussian_heatmaps: no keypoints");
  const double inv2s2 = 1.0 / (2.0 * sigma_heatmap_px * sigma_heatmap_px);
  std::vector<double> gx(width), gy(height);
  for (int j = 0; j < nj; ++j) {
    const double c = confidences[j];
    if (!keypoints_px.col(j).allFinite() || !(c > 0.0) || !std::isfinite(c)) continue;
    const Eigen::Vector2d q = out.to_heatmap(keypoints_px.col(j));
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

/// Options of fuse_heatmaps_epipolar().
struct EpipolarFusionOptions {
  /// Depth range (along each source camera's optical axis, the cameras' length
  /// unit) searched for the epipolar line; must cover the subject.
  double min_depth = 1000.0;
  double max_depth = 10000.0;
  /// Samples along each epipolar line (uniform in inverse depth).
  int num_depth_samples = 64;
  /// fused = (1 - weight) * own + weight * mean over other views of the max
  /// response along the epipolar line. In [0, 1].
  double weight = 0.5;

  void validate() const {
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
};

/// Geometric cross-view fusion (the fixed, non-learned version of Qiu et al.
/// 2019): for each view u, heatmap pixel p and joint j, the ray of p is
/// sampled at num_depth_samples depths, every sample is projected (with
/// distortion) into each other view v, and the largest bilinear response of
/// joint j there is the "epipolar max" m_v(p). The fused value is
/// (1 - weight) h_u(p) + weight * mean_v m_v(p) (views into which no sample
/// projects contribute 0). Distortion is handled exactly because the
/// epipolar curve is traced through the camera model. All views must share
/// the joint count (std::invalid_argument otherwise).
/// Cost O(V^2 H W S) projections + O(V^2 J H W S) samples.
inline std::vector<ViewHeatmaps> fuse_heatmaps_epipolar(const std::vector<HeatmapView>& views,
                                                        const EpipolarFusionOptions& options = {}) {
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
