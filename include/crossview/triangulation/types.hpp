// crossview: status codes and the result type shared by every triangulation call.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace crossview::triangulation {

/// Outcome of one triangulation. Anything but kSuccess comes with a NaN point.
enum class Status : std::uint8_t {
  kSuccess = 0,
  kInvalidInput,     ///< NaN/Inf camera data, Inf pixel, negative / non-finite confidence.
  kTooFewViews,      ///< Fewer than 2 usable observations (missing, low confidence, unprojectable).
  kDegenerate,       ///< Camera centres coincide, or the linear system has no unique solution.
  kPointAtInfinity,  ///< Rays (nearly) parallel: triangulation angle below the minimum.
  kBehindCamera,     ///< The best point lies behind (or on the plane of) a used camera.
  kNotConverged,     ///< An iteration hit its bound without reaching its tolerance.
  kNoConsensus,      ///< Robust methods: no hypothesis is supported by RobustOptions::min_inlier_views views.
};

constexpr const char* to_string(Status s) {
  switch (s) {
    case Status::kSuccess: return "success";
    case Status::kInvalidInput: return "invalid input";
    case Status::kTooFewViews: return "too few valid views";
    case Status::kDegenerate: return "degenerate geometry";
    case Status::kPointAtInfinity: return "point at infinity (parallel rays)";
    case Status::kBehindCamera: return "point behind a camera";
    case Status::kNotConverged: return "not converged";
    case Status::kNoConsensus: return "no consensus among views";
  }
  return "unknown";
}

/// Which views a result uses, relative to the usable ones (set by every
/// method; the robust methods are the ones that can drop views).
enum class ViewSelection : std::uint8_t {
  kAllViews = 0,        ///< Every usable view determined the point (no view dropped).
  kSubset,              ///< A method-defined subset (kRobust / kVectorMedian inliers, two-view methods).
  kDroppedOutliers,     ///< Method::kRobustDlt dropped views whose error was a clear outlier.
  kFellBackToAllViews,  ///< Method::kRobustDlt suspected outliers but could not confirm them (no
                        ///< consensus, or the reduced set was unusable): the all-view solution is returned.
};

constexpr const char* to_string(ViewSelection s) {
  switch (s) {
    case ViewSelection::kAllViews: return "all views";
    case ViewSelection::kSubset: return "subset";
    case ViewSelection::kDroppedOutliers: return "dropped outlier views";
    case ViewSelection::kFellBackToAllViews: return "fell back to all views";
  }
  return "unknown";
}

/// Result of triangulating one 3D point from its observations.
///
/// `point_in_world` is finite if and only if `status == Status::kSuccess`
/// (NaN otherwise), in the unit of the cameras' translations.
struct TriangulationResult {
  Status status = Status::kInvalidInput;
  std::string message;  ///< Human-readable reason; "success" on success.
  Eigen::Vector3d point_in_world =
      Eigen::Vector3d::Constant(std::numeric_limits<double>::quiet_NaN());
  /// One entry per input view: distance in pixels (distorted image) between the
  /// observation and the reprojected point; NaN when the view has no usable
  /// observation or the point does not project into it. Filled on success, and
  /// on failures where a finite candidate point existed (for diagnosis).
  std::vector<double> reprojection_error_px;
  /// Indices of the views that determined the point (robust methods: inliers).
  std::vector<int> used_views;
  /// Number of usable observations (finite pixel, confidence above the
  /// minimum, unprojectable ones excluded); used_views.size() <= this.
  int num_usable_views = 0;
  /// How used_views relates to the usable views (flag for dropped views and
  /// fallbacks of Method::kRobustDlt).
  ViewSelection view_selection = ViewSelection::kAllViews;
  /// Mean of reprojection_error_px over used_views (NaN if unavailable).
  double mean_reprojection_error_px = std::numeric_limits<double>::quiet_NaN();
  /// Conditioning angle (degrees, in [0, 90]) of the best pair of used views
  /// at the point: the angle between the two viewing *lines*,
  /// min(theta, 180 - theta) for the ray angle theta. Rays meeting at 175 deg
  /// (facing cameras, point near their baseline) condition depth like rays
  /// meeting at 5 deg, so both give 5.
  double triangulation_angle_deg = std::numeric_limits<double>::quiet_NaN();
  /// Iterations of nonlinear refinement performed (0 when not refined).
  int refine_iterations = 0;

  bool ok() const { return status == Status::kSuccess; }
};

}  // namespace crossview::triangulation
