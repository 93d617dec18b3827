// Test/benchmark helpers for the pose and rpsm modules: synthetic 17-joint
// Human3.6M poses, a 4-camera ring with lens distortion, Gaussian heatmaps on
// a crop around the person (with noise and corruption), a plain DLT of the
// heatmap maxima (the baseline), and MPJPE.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview_test/random.hpp>

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <Eigen/SVD>

#include <cmath>
#include <vector>

namespace crossview_test {

/// A random plausible 17-joint H36M pose (mm, z up) with exactly the
/// skeleton's prior limb lengths: a standing template whose limb directions
/// are each rotated by up to `max_bend_deg`, turned about z and placed with
/// the root near `root_center` (+- root_jitter per horizontal axis).
inline Eigen::Matrix3Xd synthetic_h36m_pose(Rng& rng, const crossview::pose::Skeleton& skeleton,
                                            const Eigen::Vector3d& root_center =
                                                Eigen::Vector3d(0.0, 0.0, 950.0),
                                            double root_jitter = 300.0,
                                            double max_bend_deg = 35.0) {
  // Template directions (x: subject's left, y: forward, z: up), by child joint.
  const double dirs[17][3] = {{0, 0, 0},    {-1, 0, 0},    {0, 0.05, -1}, {0, -0.05, -1},
                              {1, 0, 0},    {0, 0.05, -1}, {0, -0.05, -1}, {0, 0.1, 1},
                              {0, -0.05, 1}, {0, 0.7, 0.7}, {0, -0.35, 1}, {1, 0, 0.05},
                              {0.3, 0, -1}, {0.1, 0.4, -1}, {-1, 0, 0.05}, {-0.3, 0, -1},
                              {-0.1, 0.4, -1}};
  const int nj = skeleton.num_joints();
  Eigen::Matrix3Xd pose(3, nj);
  const double yaw = rng.uniform(-M_PI, M_PI);
  const Eigen::Matrix3d turn = Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  const double bend = max_bend_deg * M_PI / 180.0;
  for (int j : skeleton.topological_order()) {
    const int p = skeleton.parent(j);
    if (p < 0) {
      pose.col(j) = root_center + Eigen::Vector3d(rng.uniform(-root_jitter, root_jitter),
                                                  rng.uniform(-root_jitter, root_jitter), 0.0);
      continue;
    }
    Eigen::Vector3d d(dirs[j][0], dirs[j][1], dirs[j][2]);
    d.normalize();
    const Eigen::Matrix3d r =
        Eigen::AngleAxisd(rng.uniform(0.0, bend), rng.unit_vector()).toRotationMatrix();
    pose.col(j) = pose.col(p) + skeleton.limb_prior(j).mean * (turn * r * d);
  }
  return pose;
}

/// Four 1000 x 1002 cameras with Human3.6M-like intrinsics and distortion on
/// a ring of radius ~4.7 m around `target`, 1.6 m high (mm).
inline std::vector<crossview::camera::Camera> h36m_like_ring(
    const Eigen::Vector3d& target = Eigen::Vector3d(0.0, 0.0, 950.0)) {
  using crossview::camera::Camera;
  using crossview::camera::CameraModel;
  std::vector<Camera> cams;
  const double az[4] = {0.6, 2.2, 3.9, 5.4};
  const double radius[4] = {4600.0, 4900.0, 4400.0, 5200.0};
  for (int i = 0; i < 4; ++i) {
    Eigen::Matrix<double, 9, 1> params;
    params << 1145.0 + 3 * i, 1144.0 + 2 * i, 512.0 - 4 * i, 515.0 + 3 * i, -0.207, 0.247, -0.0014,
        -0.0009, -0.0031;
    const Eigen::Vector3d center(radius[i] * std::cos(az[i]), radius[i] * std::sin(az[i]), 1600.0);
    cams.emplace_back(CameraModel::kOpenCV, params, 1000, 1002, look_at(center, target),
                      "cam" + std::to_string(i));
  }
  return cams;
}

struct HeatmapSceneOptions {
  int heatmap_width = 64;
  int heatmap_height = 64;
  double sigma_heatmap_px = 2.0;
  /// Each 2D centre is displaced by this many heatmap pixels in a uniformly
  /// random direction (the "perturbed by k px" of the issue).
  double noise_heatmap_px = 0.0;
  double crop_margin = 1.25;      ///< crop = margin x the joints' bounding box
  /// > 0: a fixed crop of this many image px (width; height from the
  /// heatmaps' aspect) centred on the joints' bounding box, instead of the
  /// margin (the reference's protocol: 80 x 80 heatmaps on 320 px crops).
  double crop_side_px = 0.0;
  int corrupt_view = -1;          ///< >= 0: in this view one joint's peak is moved far away
  int corrupt_joint = 0;
  double corrupt_shift_heatmap_px = 24.0;
};

/// Heatmap views of a 3D pose: per camera a crop around the projected joints
/// with the heatmaps' aspect ratio, Gaussian heatmaps of the (noisy) 2D
/// centres. Returns false when a joint does not project. `centres_px`, when
/// given, receives per view the 2 x J heatmap centres in image pixels (noise
/// and corruption included).
inline bool render_views(const std::vector<crossview::camera::Camera>& cameras,
                         const Eigen::Matrix3Xd& pose_in_world, const HeatmapSceneOptions& o,
                         Rng& rng, std::vector<crossview::pose::HeatmapView>* views,
                         std::vector<Eigen::Matrix2Xd>* centres_px = nullptr) {
  views->clear();
  if (centres_px != nullptr) centres_px->clear();
  const int nj = static_cast<int>(pose_in_world.cols());
  for (std::size_t c = 0; c < cameras.size(); ++c) {
    Eigen::Matrix2Xd kp(2, nj);
    for (int j = 0; j < nj; ++j) {
      Eigen::Vector2d px;
      if (cameras[c].project(pose_in_world.col(j), &px) != crossview::camera::ProjectionStatus::kSuccess) {
        return false;
      }
      kp.col(j) = px;
    }
    const Eigen::Vector2d lo = kp.rowwise().minCoeff(), hi = kp.rowwise().maxCoeff();
    const Eigen::Vector2d centre = 0.5 * (lo + hi);
    const double aspect = static_cast<double>(o.heatmap_width) / o.heatmap_height;
    double bw = (hi - lo).x(), bh = (hi - lo).y();
    if (bw < bh * aspect) bw = bh * aspect; else bh = bw / aspect;
    if (o.crop_side_px > 0.0) {
      bw = o.crop_side_px;
      bh = o.crop_side_px / aspect;
    } else {
      bw *= o.crop_margin;
      bh *= o.crop_margin;
    }
    const auto a = crossview::pose::image_from_heatmap_for_box(
        centre.x() - 0.5 * bw, centre.y() - 0.5 * bh, bw, bh, o.heatmap_width, o.heatmap_height);
    const double px_per_hm = bw / o.heatmap_width;
    for (int j = 0; j < nj; ++j) {
      const double angle = rng.uniform(0.0, 2.0 * M_PI);
      kp.col(j) += px_per_hm * o.noise_heatmap_px * Eigen::Vector2d(std::cos(angle), std::sin(angle));
    }
    if (static_cast<int>(c) == o.corrupt_view) {
      // Move the joint's peak far away, staying inside the crop.
      Eigen::Vector2d q = crossview::pose::invert_affine(a).leftCols<2>() * kp.col(o.corrupt_joint) +
                          crossview::pose::invert_affine(a).col(2);
      q.x() += q.x() < 0.5 * o.heatmap_width ? o.corrupt_shift_heatmap_px : -o.corrupt_shift_heatmap_px;
      q.y() += q.y() < 0.5 * o.heatmap_height ? o.corrupt_shift_heatmap_px : -o.corrupt_shift_heatmap_px;
      kp.col(o.corrupt_joint) = a.leftCols<2>() * q + a.col(2);
    }
    if (centres_px != nullptr) centres_px->push_back(kp);
    views->push_back({cameras[c],
                      crossview::pose::render_gaussian_heatmaps(
                          kp, Eigen::VectorXd::Ones(nj), o.heatmap_height, o.heatmap_width, a,
                          o.sigma_heatmap_px)});
  }
  return true;
}

/// Plain (unweighted) DLT of each joint's heatmap maximum over all views,
/// through undistorted pixels. The baseline "triangulate the maxima".
inline Eigen::Matrix3Xd triangulate_heatmap_maxima(const std::vector<crossview::pose::HeatmapView>& views) {
  const int nj = views.at(0).heatmaps.num_joints();
  Eigen::Matrix3Xd out(3, nj);
  for (int j = 0; j < nj; ++j) {
    Eigen::MatrixXd A(2 * views.size(), 4);
    int rows = 0;
    for (const auto& v : views) {
      Eigen::Vector2d hm, und;
      v.heatmaps.argmax(j, &hm);
      if (v.camera.undistort_pixel(v.heatmaps.to_image(hm), &und) !=
          crossview::camera::ProjectionStatus::kSuccess) {
        continue;
      }
      const Eigen::Matrix<double, 3, 4> P = v.camera.projection_matrix();
      A.row(rows++) = und.x() * P.row(2) - P.row(0);
      A.row(rows++) = und.y() * P.row(2) - P.row(1);
    }
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(A.topRows(rows), Eigen::ComputeFullV);
    const Eigen::Vector4d X = svd.matrixV().col(3);
    out.col(j) = X.head<3>() / X[3];
  }
  return out;
}

inline double mpjpe(const Eigen::Matrix3Xd& a, const Eigen::Matrix3Xd& b) {
  return (a - b).colwise().norm().mean();
}

/// Mean distance from each joint to the nearest point of the level-0 grid
/// (the PSM quantisation error for these poses), centred placement.
inline double grid_quantisation_error(const Eigen::Matrix3Xd& pose, const Eigen::Vector3d& root,
                                      double spacing) {
  double sum = 0.0;
  for (int j = 0; j < pose.cols(); ++j) {
    const Eigen::Vector3d d = (pose.col(j) - root) / spacing;
    const Eigen::Vector3d r = d.array() - d.array().round();
    sum += spacing * r.norm();
  }
  return sum / pose.cols();
}

}  // namespace crossview_test
