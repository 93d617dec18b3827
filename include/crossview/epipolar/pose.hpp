// crossview: relative pose from an essential matrix (decomposition + cheirality).
//
// Convention: cam2_from_cam1 = (R, t) with x_in_cam2 = R x_in_cam1 + t and E = [t]x R;
// normalized points are (x / z, y / z) in each camera (undistorted, K removed).
// recover_pose and decompose_essential are compiled in src/epipolar/pose.cpp.
#pragma once

#include <crossview/camera/rigid3.hpp>
#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <array>
#include <string>
#include <vector>

namespace crossview::epipolar {

/// The four (R, t) candidates of E = U diag(1, 1, 0) V^T: (U W V^T, +-u3) and
/// (U W^T V^T, +-u3), with det(U) = det(V) = +1 enforced and t of unit norm.
/// Order: {(R1, t), (R1, -t), (R2, t), (R2, -t)}. E must be finite (not checked).
void decompose_essential(const Eigen::Matrix3d& E,
                         std::array<camera::Rigid3d, 4>* cam2_from_cam1_candidates);

enum class RecoverPoseStatus {
  kSuccess,             ///< one candidate clearly wins, enough points in front
  kInvalidInput,        ///< NaN / Inf, too few points, E not finite
  kDegenerateEssential, ///< E is not rank 2 with two equal singular values (or zero)
  kLowParallax,         ///< most triangulation angles below the threshold: pure rotation?
  kTooFewInFront,       ///< the best candidate has too few points in front of both cameras
  kAmbiguous,           ///< the second-best candidate is nearly as good as the best
};

inline const char* to_string(RecoverPoseStatus status) {
  switch (status) {
    case RecoverPoseStatus::kSuccess: return "success";
    case RecoverPoseStatus::kInvalidInput: return "invalid_input";
    case RecoverPoseStatus::kDegenerateEssential: return "degenerate_essential";
    case RecoverPoseStatus::kLowParallax: return "low_parallax";
    case RecoverPoseStatus::kTooFewInFront: return "too_few_in_front";
    case RecoverPoseStatus::kAmbiguous: return "ambiguous";
  }
  return "unknown";
}

struct RecoverPoseOptions {
  /// A point counts as in front if its depth is positive in both cameras and below
  /// max_depth_in_baselines * |t| (|t| = 1): far points have unreliable depth signs
  /// (OpenCV's recoverPose uses 50).
  double max_depth_in_baselines = 1000.0;
  /// Parallax: if more than `max_low_parallax_fraction` of the points in front have a
  /// triangulation angle below this (degrees), the status is kLowParallax.
  double min_triangulation_angle_deg = 0.5;
  double max_low_parallax_fraction = 0.9;
  /// kTooFewInFront if the best candidate has fewer than this fraction of the points.
  double min_in_front_fraction = 0.5;
  /// kAmbiguous if second_best >= ambiguity_ratio * best.
  double ambiguity_ratio = 0.8;
  /// E must satisfy s3 <= rank_tolerance * s1 and |s1 - s2| <= equal_tolerance * s1.
  double rank_tolerance = 1e-3;
  double equal_singular_values_tolerance = 0.1;

  /// Throws std::invalid_argument naming the first option out of range.
  void validate() const;
};

struct RecoverPoseResult {
  RecoverPoseStatus status = RecoverPoseStatus::kInvalidInput;
  std::string message;
  camera::Rigid3d cam2_from_cam1;   ///< best candidate, |t| = 1
  std::vector<char> in_front_mask;  ///< per point: in front of both cameras (best candidate)
  int num_in_front = 0;
  int second_best_in_front = 0;     ///< count of the runner-up candidate
  int best_candidate = -1;          ///< index into decompose_essential's order
  double median_triangulation_angle_deg = 0.0;  ///< over the points in front
  bool success() const { return status == RecoverPoseStatus::kSuccess; }
};

/// Picks the candidate of decompose_essential(E) with the most points triangulated in
/// front of both cameras (linear two-view triangulation), returns it with the
/// per-point mask and a status. The pose is filled whenever a candidate was evaluated,
/// even with a warning status (kLowParallax, kAmbiguous, kTooFewInFront).
/// normalized1/2: 2 x N normalized image coordinates (x/z, y/z), column i =
/// correspondence i (docs/conventions.md#array-layouts). Throws std::invalid_argument
/// if a point set is not 2 x N (e.g. transposed), the column counts differ or the
/// options are invalid. Complexity: O(N) (4 triangulations per point).
RecoverPoseResult recover_pose(const Eigen::Matrix3d& E, const ConstPointsRef& normalized1,
                               const ConstPointsRef& normalized2,
                               const RecoverPoseOptions& options = {});

}  // namespace crossview::epipolar
