// Test helpers for crossview::calibration: detections of known 3D people in
// known cameras (noise, outliers), and the comparison of a recovered rig with
// the ground truth after alignment.
#pragma once

#include <crossview/calibration/calibrate.hpp>
#include <crossview/calibration/compare.hpp>
#include <crossview/camera/camera.hpp>
#include <crossview_test/random.hpp>

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace crossview_test {

struct DetectionNoise {
  double noise_px = 0.0;           ///< Gaussian std per axis.
  double outlier_fraction = 0.0;   ///< Joints displaced by 20-150 px in a random direction.
  double score = 0.9;
};

/// One person per camera per frame: the projections of poses[f] (3 x J).
/// Joints that do not project inside the image are reported missing (score 0).
inline crossview::calibration::RigDetections detect(const std::vector<crossview::camera::Camera>& cameras,
                                                    const std::vector<Eigen::Matrix3Xd>& poses,
                                                    const DetectionNoise& noise, Rng& rng) {
  crossview::calibration::RigDetections d(cameras.size());
  for (std::size_t c = 0; c < cameras.size(); ++c) {
    for (const auto& pose : poses) {
      crossview::calibration::PersonDetection p;
      const int nj = static_cast<int>(pose.cols());
      p.keypoints_px.setConstant(2, nj, std::numeric_limits<double>::quiet_NaN());
      p.scores.setZero(nj);
      for (int j = 0; j < nj; ++j) {
        Eigen::Vector2d px;
        if (cameras[c].project(pose.col(j), &px) != crossview::camera::ProjectionStatus::kSuccess) continue;
        px += Eigen::Vector2d(rng.normal(noise.noise_px), rng.normal(noise.noise_px));
        if (rng.uniform() < noise.outlier_fraction) {
          const double a = rng.uniform(0.0, 2.0 * M_PI);
          px += rng.uniform(20.0, 150.0) * Eigen::Vector2d(std::cos(a), std::sin(a));
        }
        if (px.x() < 0 || px.y() < 0 || px.x() > cameras[c].width() - 1 || px.y() > cameras[c].height() - 1) continue;
        p.keypoints_px.col(j) = px;
        p.scores[j] = noise.score;
      }
      d[c].push_back({p});
    }
  }
  return d;
}

/// The same for a sequence packed 3 x (F*J) (column f*J + j).
inline crossview::calibration::RigDetections detect(const std::vector<crossview::camera::Camera>& cameras,
                                                    const crossview::Points3d& poses, int num_joints,
                                                    const DetectionNoise& noise, Rng& rng) {
  std::vector<Eigen::Matrix3Xd> frames;
  for (Eigen::Index c = 0; c + num_joints <= poses.cols(); c += num_joints) frames.emplace_back(poses.middleCols(c, num_joints));
  return detect(cameras, frames, noise, rng);
}

/// The cameras with their extrinsics reset (what calibrate_rig receives).
inline std::vector<crossview::camera::Camera> intrinsics_only(const std::vector<crossview::camera::Camera>& rig) {
  std::vector<crossview::camera::Camera> out;
  for (const auto& c : rig) out.emplace_back(c.model(), c.params(), c.width(), c.height());
  return out;
}

struct RigErrors {
  std::vector<double> rotation_deg;   ///< per camera, after the best global rotation
  std::vector<double> position;       ///< per camera, GT units, after Umeyama on the centres
  double rig_size = 0.0;              ///< largest distance between two GT centres
  double scale = 0.0;                 ///< GT units per estimated unit (Umeyama)
  double median_rotation_deg() const { return median(rotation_deg); }
  double max_rotation_deg() const { return *std::max_element(rotation_deg.begin(), rotation_deg.end()); }
  double max_position_fraction() const { return *std::max_element(position.begin(), position.end()) / rig_size; }
  static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  }
};

/// The library's comparison (calibration::compare_rigs, tested on known
/// similarities in test_calibrate.cpp) in the fields the tests read.
inline RigErrors compare_rigs(const std::vector<crossview::camera::Camera>& estimated,
                              const std::vector<crossview::camera::Camera>& truth) {
  const crossview::calibration::RigComparison c = crossview::calibration::compare_rigs(estimated, truth);
  RigErrors e;
  e.rotation_deg = c.rotation_error_deg;
  e.position = c.position_error;
  e.rig_size = c.rig_size;
  e.scale = c.scale;
  return e;
}

}  // namespace crossview_test
