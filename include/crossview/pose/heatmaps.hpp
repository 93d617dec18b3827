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
//
// Definitions: src/pose/heatmaps.cpp (ViewHeatmaps' small accessors and its
// bilinear sample() stay inline here).
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>

#include <Eigen/Core>

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
Affine2d image_from_heatmap_for_box(double x_min, double y_min, double box_width,
                                    double box_height, int heatmap_width,
                                    int heatmap_height);

/// Inverse of an invertible 2x3 affine map. Throws std::invalid_argument when
/// the linear part is singular or non-finite.
Affine2d invert_affine(const Affine2d& a);

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
/// keypoint j (image px, column j of the 2 x J `keypoints_px`,
/// docs/conventions.md#array-layouts) mapped into heatmap coordinates;
/// `confidences` has J entries; sigma in HEATMAP pixels. A keypoint with a
/// non-finite coordinate or confidence <= 0 (or non-finite) gives an all-zero
/// map. Throws std::invalid_argument when keypoints_px is not 2 x J (e.g.
/// transposed), J = 0, the confidences have another size or sigma <= 0.
/// O(J H W).
ViewHeatmaps render_gaussian_heatmaps(const ConstPointsRef& keypoints_px, const ConstScoresRef& confidences,
                                      int height, int width, const Affine2d& image_from_heatmap,
                                      double sigma_heatmap_px);

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

  /// Throws std::invalid_argument naming the first out-of-range option.
  void validate() const;
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
std::vector<ViewHeatmaps> fuse_heatmaps_epipolar(const std::vector<HeatmapView>& views,
                                                 const EpipolarFusionOptions& options = {});

}  // namespace crossview::pose
