// Private to crossview_calibration: the Ceres bundle adjustment behind
// calibrate_rig (the only translation unit that includes Ceres is
// bundle_adjustment.cpp; this header includes only Eigen and the camera).
#pragma once

#include <crossview/camera/camera.hpp>

#include <Eigen/Core>

#include <string>
#include <vector>

namespace crossview::calibration::detail {

struct BaObservation {
  int camera = 0;
  int point = 0;
  Eigen::Vector2d pixel_px = Eigen::Vector2d::Zero();
};

/// A bone-length term: |points[child] - points[parent]| = lengths[limb].
struct BaBone {
  int parent_point = 0;
  int child_point = 0;
  int limb = 0;
};

struct BaSettings {
  enum class Loss { kHuber, kCauchy, kSquared };
  Loss loss = Loss::kCauchy;
  double loss_scale_px = 3.0;      ///< Huber / Cauchy scale (px).
  int max_iterations = 100;
  double function_tolerance = 1e-7;  ///< Relative cost change that stops LM.
  bool refine_focal = false;
  bool refine_distortion = false;
  double bone_sigma = 0.05;        ///< Relative std of a limb length.
  int gauge_scale_camera = 1;      ///< Its translation keeps its norm (scale gauge).
};

struct BaSummary {
  bool ok = false;
  int iterations = 0;
  double initial_cost = 0.0;
  double final_cost = 0.0;
  double cpu_seconds = 0.0;   ///< Process CPU time of the Ceres solve.
  std::string linear_solver;  ///< Ceres' name of the linear solver used.
  std::string message;
};

/// Minimises the robust reprojection error over every camera but camera 0
/// (fixed: gauge), all points, and (with bones) the limb lengths. Cameras and
/// points are updated in place. Observations of points that are not finite are
/// skipped. Single-threaded. Linear solver: the Schur complement over the points
/// without bone terms (DENSE_SCHUR up to 20 cameras, SPARSE_SCHUR above); with bone
/// terms (which couple the points of a frame) SPARSE_NORMAL_CHOLESKY; without a
/// sparse library in Ceres, ITERATIVE_SCHUR. Cost per iteration O(observations +
/// bones + cameras^3), i.e. linear in frames (see choose_linear_solver in the .cpp).
BaSummary bundle_adjust(std::vector<camera::Camera>* cameras, std::vector<Eigen::Vector3d>* points,
                        const std::vector<BaObservation>& observations, const std::vector<BaBone>& bones,
                        std::vector<double>* limb_lengths, const BaSettings& settings);

}  // namespace crossview::calibration::detail
