// crossview::calibration: global rotations from pairwise relative rotations
// (chordal L2 initialisation + iteratively reweighted refinement) and camera
// positions from pairwise translation directions.
//
// Conventions: `world_from_cam`-free: every camera i has an unknown rotation
// R_i = cam_i_from_world.rotation; a measured pair (a, b) gives
// R_ab = cam_b_from_cam_a rotation ~ R_b R_a^T, and a unit translation t_ab
// (x_b = R_ab x_a + t_ab, up to scale) whose world direction is that of the
// centre difference c_a - c_b = R_b^T t_ab / s. The gauge is fixed by camera 0:
// R_0 = I, c_0 = 0 (and |c| of the solution is normalised: scale is free).
//
// Complexity: each IRLS iteration solves one dense 3(N-1) x 3(N-1) system
// (N cameras), so O(iterations * (N^3 + pairs)); N <= a few dozen here.
// Failure modes: status + message (disconnected graph, too few pairs,
// collinear centres); never throws except on invalid options / indices.
#pragma once

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <crossview/core/points.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace crossview::calibration {

/// One measured relative pose between cameras a and b (a != b).
struct RelativePose {
  int camera_a = 0;
  int camera_b = 1;
  /// cam_b_from_cam_a rotation.
  Eigen::Matrix3d rotation_b_from_a = Eigen::Matrix3d::Identity();
  /// cam_b_from_cam_a translation direction (unit; scale unknown).
  Eigen::Vector3d translation_b_from_a = Eigen::Vector3d::UnitX();
  /// Relative confidence (e.g. the number of inliers), > 0.
  double weight = 1.0;
};

enum class AveragingStatus : std::uint8_t {
  kSuccess = 0,
  kInvalidInput,  ///< Fewer than 2 cameras, no pairs, non-finite input.
  kDisconnected,  ///< The pair graph does not connect every camera to camera 0.
  kDegenerate,    ///< Positions undetermined (e.g. all directions collinear).
};
constexpr const char* to_string(AveragingStatus s) {
  switch (s) {
    case AveragingStatus::kSuccess: return "success";
    case AveragingStatus::kInvalidInput: return "invalid input";
    case AveragingStatus::kDisconnected: return "disconnected pair graph";
    case AveragingStatus::kDegenerate: return "degenerate configuration";
  }
  return "unknown";
}

struct RotationAveragingOptions {
  /// Reweighting iterations after the chordal L2 initialisation (>= 0).
  int max_iterations = 30;
  /// Residual angle (deg, > 0) below which a pair counts as fully reliable:
  /// weights follow a Cauchy-like 1 / (1 + (theta / scale)^2) (no pair is ever
  /// dropped, so the graph stays connected). The default (2 deg) is a few
  /// times the angular error of a pairwise pose from body joints.
  double robust_scale_deg = 2.0;
  /// Stop when no rotation moves by more than this (deg, > 0).
  double convergence_deg = 1e-6;
  void validate() const;
};

struct RotationAveragingResult {
  AveragingStatus status = AveragingStatus::kInvalidInput;
  std::string message;
  /// cam_i_from_world rotations, rotations[0] = I (identity on failure).
  std::vector<Eigen::Matrix3d> rotations;
  /// Per input pair: residual angle (deg) between the measurement and the
  /// averaged R_b R_a^T; its final IRLS weight factor in (0, 1].
  std::vector<double> residual_deg;
  std::vector<double> weight_factor;
  int iterations = 0;
  bool ok() const { return status == AveragingStatus::kSuccess; }
};

/// Global rotations of `num_cameras` cameras from relative rotations (see the
/// file header). Throws std::invalid_argument on invalid options or a pair
/// with an index out of range / a == b.
RotationAveragingResult average_rotations(int num_cameras, const std::vector<RelativePose>& pairs,
                                          const RotationAveragingOptions& options = {});

struct PositionResult {
  AveragingStatus status = AveragingStatus::kInvalidInput;
  std::string message;
  /// Camera centres in the world frame, 3 x n (column i = camera i; see
  /// docs/conventions.md "Array layouts"): column 0 = 0, unit RMS norm of the others.
  Points3d centers;
  /// Per pair: angle (deg) between the measured and the recovered direction.
  std::vector<double> residual_deg;
  bool ok() const { return status == AveragingStatus::kSuccess; }
};

/// Camera centres from the pairs' translation directions given the global
/// rotations (linear least squares on the cross-product constraints, then
/// IRLS with the same robust scale). Up to a global scale.
PositionResult recover_positions(int num_cameras, const std::vector<RelativePose>& pairs,
                                 const std::vector<Eigen::Matrix3d>& rotations,
                                 const RotationAveragingOptions& options = {});

}  // namespace crossview::calibration
