// crossview: triangulate(), the library's main entry point, and the batched
// skeleton API.
//
//   using namespace crossview;
//   std::vector<camera::Camera> cameras = ...;   // any models, distortion included
//   Points2d pixels_px = ...;                    // 2 x V: column v seen by camera v, NaN = not seen
//   triangulation::TriangulationResult r = triangulation::triangulate(cameras, pixels_px);
//   if (r.ok()) use(r.point_in_world);           // else: r.status, r.message
//
// Inputs: one observation per camera, in the camera's *distorted* pixels
// (what a detector outputs), as point sets in the library's layout
// (docs/conventions.md#array-layouts): 2 x V for one point, 2 x (V*J) for the
// J joints of one frame (column v*J + j), per-point confidences aligned with
// the columns; a transposed input is a std::invalid_argument naming it. Optional confidences (e.g. detection scores):
// observations with confidence <= min_confidence are ignored, the others
// weight the DLT rows and the refinement residuals (weight = confidence).
// NaN pixel or NaN confidence = missing view. Units: the point is in the unit
// of the cameras' translations, in the world frame of cam_from_world.
//
// Pipeline: undistort every observation through its camera model (Newton,
// bounded), drop unusable views, reject degenerate geometry, estimate with the
// chosen method, refine with Levenberg-Marquardt through the full camera
// model (optional, on by default), then verify: finite, in front of every
// used camera, triangulation angle above the minimum. Every failure is a
// status + message with a NaN point; nothing throws except programmer errors
// (wrong shapes, mismatched sizes, invalid options -> std::invalid_argument).
//
// Confidences: NaN = missing, 0 (<= min_confidence) = ignored, negative or
// +-Inf = malformed (ignored and counted: kInvalidInput when fewer than 2
// usable views remain); any finite positive value works (1e-300 ... DBL_MAX):
// weights are divided by a power of two near the largest when it lies outside
// [2^-32, 2^32], so only their ratios matter.
//
// Cost (measured, see docs/benchmarks.md): ~1-3 us per point for 2-4 views
// with refinement. Time and memory are O(V) for kDlt, kMidpoint, kRobust and
// kRobustDlt (2e4 views: 0.03-0.2 s per point): the widest-pair angle is exact
// up to 64 views and, above, the angle of a pair found by two farthest-line
// sweeps (at least half the maximum); kRobust lists its view pairs only up to
// 2^16 pairs and draws them directly above. kVectorMedian takes every pair:
// O(V^2), refused (kInvalidInput) above 362 usable views.
//
// Definitions: src/triangulation/triangulate.cpp.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>
#include <crossview/triangulation/linear.hpp>
#include <crossview/triangulation/refine.hpp>
#include <crossview/triangulation/robust.hpp>
#include <crossview/triangulation/two_view.hpp>
#include <crossview/triangulation/types.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace crossview::triangulation {

/// Initial estimator used by triangulate().
enum class Method : std::uint8_t {
  kAuto = 0,         ///< 2 views: kNiter2; more: kDlt. Then refinement (if enabled).
  kDlt,              ///< Confidence-weighted DLT on undistorted pixels.
  kMidpoint,         ///< Confidence-weighted least-squares midpoint of the rays.
  kOptimalTwoView,   ///< Hartley-Sturm polynomial on the two most confident views.
  kNiter2,           ///< Lindstrom niter2 on the two most confident views.
  kRobust,           ///< Hypotheses from view pairs, inliers by pixel threshold, refit;
                     ///< kNoConsensus below robust.min_inlier_views inliers.
  kVectorMedian,     ///< Geometric median of all pairwise two-view estimates, refined on
                     ///< the views within the threshold; kNoConsensus when fewer than
                     ///< robust.min_inlier_views views support it (no fallback).
  kRobustDlt,        ///< Confidence-weighted all-view DLT (+ refinement) first; only when a view's
                     ///< error exceeds robust.outlier_floor_px is a pair consensus (as kRobust)
                     ///< searched, and views whose error at it is a clear outlier (above
                     ///< max(floor, threshold, factor x robust scale of the inliers)) are dropped
                     ///< and the rest refitted. Never refuses a point the all-view DLT
                     ///< triangulates: no consensus / unusable reduced set = the all-view
                     ///< solution, flagged ViewSelection::kFellBackToAllViews. The CLI default.
};

constexpr const char* to_string(Method m) {
  switch (m) {
    case Method::kAuto: return "auto";
    case Method::kDlt: return "dlt";
    case Method::kMidpoint: return "midpoint";
    case Method::kOptimalTwoView: return "optimal_two_view";
    case Method::kNiter2: return "niter2";
    case Method::kRobust: return "robust";
    case Method::kVectorMedian: return "vector_median";
    case Method::kRobustDlt: return "robust_dlt";
  }
  return "unknown";
}

struct TriangulationOptions {
  Method method = Method::kAuto;
  /// Levenberg-Marquardt refinement through the camera models after the
  /// initial estimate (on the used views).
  bool refine = true;
  RefineOptions refinement;
  /// Used by kRobust, kVectorMedian and kRobustDlt.
  RobustOptions robust;
  /// Observations with confidence <= min_confidence are ignored (>= 0;
  /// confidence 0 therefore means "missing" by default).
  double min_confidence = 0.0;
  /// Scale DLT rows / refinement residuals by the confidence.
  bool weight_by_confidence = true;
  /// Below this conditioning angle (deg, in [0, 90)) the point is reported as
  /// kPointAtInfinity: depth is not determined. The angle of a pair of views
  /// is the angle between their viewing lines, min(theta, 180 - theta), so
  /// nearly parallel rays (far point) and nearly anti-parallel rays (facing
  /// cameras, point on or near their baseline) are both rejected; the best
  /// pair of used views counts.
  double min_triangulation_angle_deg = 0.1;

  /// Throws std::invalid_argument naming the first out-of-range option.
  void validate() const;
};

/// Triangulates one 3D point from its observations in several calibrated
/// cameras (see the header comment for conventions). `pixels_px` is 2 x V,
/// column v = the observation in `cameras[v]` (distorted pixels, NaN = not
/// seen); `confidences` is empty (all 1) or V scores (NaN or
/// <= options.min_confidence = ignored). Throws std::invalid_argument only
/// when pixels_px is not 2 x V (e.g. transposed), the confidences have another
/// size or the options are invalid. Thread-safe (thread-local scratch).
TriangulationResult triangulate(const std::vector<camera::Camera>& cameras, const ConstPointsRef& pixels_px,
                                const ConstScoresRef& confidences, const TriangulationOptions& options = {});

/// Same without confidences.
inline TriangulationResult triangulate(const std::vector<camera::Camera>& cameras, const ConstPointsRef& pixels_px,
                                       const TriangulationOptions& options = {}) {
  return triangulate(cameras, pixels_px, Eigen::VectorXd(), options);
}

/// Result of triangulate_skeleton.
struct SkeletonResult {
  std::vector<TriangulationResult> joints;  ///< one per joint
  /// 3 x J, column j = joints[j].point_in_world (NaN columns for failed joints).
  Points3d points_in_world;
  int num_success = 0;
};

/// Triangulates every joint of one frame in one call. `keypoints_px` is the
/// frame packed view-major: 2 x (V*J), column v*J + j = joint j's pixel
/// (distorted) in view v (numpy (V, J, 2)); V = cameras.size(), J =
/// columns / V. `confidences` is empty or V*J scores aligned with the columns
/// (missing joint = NaN pixel or confidence <= options.min_confidence).
/// Camera quantities are computed once per call and scratch memory is reused
/// across joints. Throws std::invalid_argument when keypoints_px is not
/// 2 x (V*J) (e.g. transposed), the confidences have another size or the
/// options are invalid. Cost: J x (triangulate() cost) minus per-camera setup.
SkeletonResult triangulate_skeleton(const std::vector<camera::Camera>& cameras, const ConstPointsRef& keypoints_px,
                                    const ConstScoresRef& confidences, const TriangulationOptions& options = {});

/// Same without confidences.
inline SkeletonResult triangulate_skeleton(const std::vector<camera::Camera>& cameras,
                                           const ConstPointsRef& keypoints_px,
                                           const TriangulationOptions& options = {}) {
  return triangulate_skeleton(cameras, keypoints_px, Eigen::VectorXd(), options);
}

}  // namespace crossview::triangulation
