// crossview: robust two-view estimation, the calls most users want.
//
//   FundamentalResult estimate_fundamental(points1_px, points2_px, options)
//   EssentialResult   estimate_essential(points1_px, points2_px, camera1, camera2, options)
//   EssentialResult   estimate_essential_normalized(normalized1, normalized2, focal_px, options)
//
// Conventions: correspondences are 2 x N point sets, column i of points1 and of
// points2 being correspondence i (docs/conventions.md#array-layouts; a transposed
// N x 2 input is a std::invalid_argument), pixels with OpenCV's origin (centre of the top-left pixel is (0, 0));
// x2^T F x1 = 0; E = [t]x R with cam2_from_cam1 = (R, t), x_cam2 = R x_cam1 + t,
// |t| = 1 (scale is unobservable). Thresholds are Sampson errors in pixels.
//
// Pipeline (F): drop NaN/Inf correspondences -> check for too few / duplicate /
// collinear points -> LO-MSAC (+SPRT, PROSAC with match scores) with the
// 7-point minimal solver and a Sampson-weighted 8-point refit -> DEGENSAC-style
// dominant-plane check: a homography is fitted to the inliers; when it explains
// most of them, F is re-estimated by plane-and-parallax (F = [e2]x H with the
// epipole from 2 off-plane points) and, when too few off-plane inliers remain,
// the status says the scene is planar -> LM refinement of the rank-2 F on the
// inliers (refine.hpp) -> support convergence: when the correspondences just past
// the gate (Sampson error in [t, 6 t)) exceed the outlier background by more than
// 6 % of the inliers (+2 Poisson SD), LM with a Cauchy loss of scale t over the
// points within 6 t, kept if the MSAC score drops, then LM on the new inliers (at
// most 3 rounds; pulls near misses in) -> partial-fit test (no ground truth): when
// the correspondences with a Sampson error in [2 t, 6 t) exceed the outlier
// background (measured on shuffled pairs (x1_i, x2_j)) by more than
// partial_fit_ratio (10 %) of the inliers + 3 Poisson SD, the model fits only part
// of a structure it does not explain -> kPartialFit, F zero. Gaussian noise up to
// the gate puts <= 6.7 % of the inliers there; the partial fits that RANSAC ends on
// at high outlier ratios 31-106 %. A gate below ~0.9 x the noise gives the same
// signature and is refused with the same status (the message names both causes).
//
// RANSAC uses LO+ (robust/ransac.hpp) for models whose support keeps growing past
// the gate; at 80 % outliers (N = 1000, 1e5 samples) it finds the true F on 60 of 60
// seeded scenes (19 of 30 before, the rest partial fits returned as success).
//
// Pipeline (E): undistort through the camera models (Camera::unproject_to_normalized;
// points that fail to unproject are dropped and counted) -> the same checks on
// normalized points -> LO-MSAC with the 5-point solver on normalized points and
// the Sampson error in normalized units (threshold = max_error_px / f, f = the
// mean of sqrt(fx * fy) over both cameras); every solution of the 5-point
// solver is decomposed into its 2 rotations and only an E for which all 5
// sample points triangulate in front of both cameras for one of its 4 (R, t)
// is scored (cheirality rejection of samples); the LO refit is a few LM steps
// on (R, unit t) minimising the (IRLS-weighted) Sampson error of the inliers
// -> recover_pose on the Sampson inliers (pose and cheirality mask;
// kLowParallax = pure rotation -> kPureRotation) -> final refinement in at most
// 5 rounds: LM on (R, unit t) over the inliers in front (refine_relative_pose's
// manifold LM), re-select the Sampson inliers, redo the cheirality, until the
// inlier set is stable (a round is kept only if the MSAC score does not rise)
// -> final inlier mask = Sampson inliers of the refined E.
//
// Failure modes: every outcome is a status with a message; E / F / pose are
// set to zero / identity on failure. Point sets that are not 2 x N, mismatched
// column counts and invalid options throw std::invalid_argument naming the argument.
//
// Only the option / result types live here; the pipelines are compiled in
// src/epipolar/estimate.cpp.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>
#include <crossview/epipolar/essential.hpp>
#include <crossview/epipolar/fundamental.hpp>
#include <crossview/epipolar/pose.hpp>
#include <crossview/epipolar/refine.hpp>
#include <crossview/epipolar/residuals.hpp>
#include <crossview/robust/ransac.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace crossview::epipolar {

enum class EstimateStatus : std::uint8_t {
  kSuccess = 0,
  kTooFewPoints,   ///< Fewer valid correspondences than the minimal sample.
  kDegenerate,     ///< Duplicate / collinear points, or a planar scene for F.
  kNoConsensus,    ///< No model has enough support (e.g. every point an outlier).
  kPureRotation,   ///< Zero baseline: rotation found, translation undetermined.
  kAmbiguousPose,  ///< E found but the cheirality check cannot pick a pose.
  kPartialFit,     ///< The best F explains only part of its support (check_partial_fit).
};

constexpr const char* to_string(EstimateStatus s) {
  switch (s) {
    case EstimateStatus::kSuccess: return "success";
    case EstimateStatus::kTooFewPoints: return "too few points";
    case EstimateStatus::kDegenerate: return "degenerate configuration";
    case EstimateStatus::kNoConsensus: return "no consensus";
    case EstimateStatus::kPureRotation: return "pure rotation (zero baseline)";
    case EstimateStatus::kAmbiguousPose: return "ambiguous pose";
    case EstimateStatus::kPartialFit: return "partial fit";
  }
  return "unknown";
}

namespace detail {
inline robust::RansacOptions default_two_view_ransac(double confidence) {
  robust::RansacOptions o;
  o.confidence = confidence;
  o.max_iterations = 10000;
  o.min_num_inliers = 15;
  o.min_inlier_ratio = 0.05;
  return o;
}
}  // namespace detail

/// The support counts of estimate_fundamental's final F (t = max_error_px), behind its
/// support convergence and partial-fit test (see the top of this file).
struct PartialFitStatistics {
  int num_inliers = 0;  ///< Correspondences with Sampson error < t.
  int num_near = 0;     ///< ... in [t, 2 t).
  int num_band = 0;     ///< ... in [2 t, 6 t).
  /// Correspondences per gate width of Sampson error (near the model) expected from
  /// the outliers: measured on shuffled pairs (x1_i, x2_j), times the non-inliers.
  /// Only measured when the counts could fail a test without it (else 0: it can
  /// only lower the excess).
  double background_per_gate = 0.0;
  /// num_band expected from the outliers alone.
  double band_background() const { return 4.0 * background_per_gate; }
  /// (num_band - band_background()) / num_inliers: band correspondences the model
  /// does not explain, per inlier (0 without inliers).
  double excess_ratio() const {
    return num_inliers > 0 ? (num_band - band_background()) / num_inliers : 0.0;
  }
};

struct FundamentalOptions {
  /// Inlier threshold: Sampson error in pixels (> 0). Overwrites ransac.max_residual.
  double max_error_px = 1.0;
  /// RANSAC settings (confidence, iterations, seed, LO, SPRT, minimum support).
  robust::RansacOptions ransac = detail::default_two_view_ransac(0.999);
  /// Drop 7-point models that violate the oriented epipolar constraint on their own
  /// sample (see oriented_epipolar_consistent) before scoring them. Valid whenever
  /// every scene point lies in front of both cameras (any real pinhole pair); turn it
  /// off for correspondences that are not images of points in front of the cameras.
  bool oriented_constraint = true;
  /// DEGENSAC-style dominant-plane check and plane-and-parallax re-estimation.
  bool check_dominant_plane = true;
  /// The check fires when a homography explains at least this fraction of the
  /// F inliers, in (0, 1].
  double dominant_plane_ratio = 0.7;
  /// Fewer off-plane inliers than this (>= 2) -> kDegenerate (planar scene).
  int min_off_plane_inliers = 5;
  /// Final LM refinement of the rank-2 F on the inliers.
  bool refine = true;
  RefineOptions refine_options;
  /// Partial-fit test of the final F (see the top of this file): kPartialFit when the
  /// correspondences with a Sampson error between 2 and 6 gates exceed the outlier
  /// background by more than partial_fit_ratio x the inliers plus three Poisson
  /// standard deviations. Gaussian noise with a standard deviation up to the gate puts
  /// at most 6.7 % of the inliers there (10-17 % measured with the gate at the noise,
  /// where selecting the inliers biases the fit); the partial fits measured at 80 %
  /// outliers put 31-106 %. A gate below ~0.9 x the noise is refused too.
  bool check_partial_fit = true;
  /// In (0, 1]; see check_partial_fit.
  double partial_fit_ratio = 0.1;

  /// Throws std::invalid_argument naming the first option out of range.
  void validate() const;
};

struct FundamentalResult {
  EstimateStatus status = EstimateStatus::kNoConsensus;
  std::string message;
  Eigen::Matrix3d F = Eigen::Matrix3d::Zero();  ///< x2^T F x1 = 0, pixels, unit norm, rank 2.
  std::vector<char> inlier_mask;   ///< Per input correspondence (NaN ones are 0).
  int num_inliers = 0;
  int num_dropped_non_finite = 0;  ///< Correspondences with NaN / Inf, ignored.
  bool dominant_plane = false;     ///< The dominant-plane check fired.
  robust::Report report;           ///< RANSAC report (indices of the finite points).
  RefineSummary refinement;        ///< Final LM (if options.refine).
  int num_support_refits = 0;      ///< Wide-gate refits kept by the support convergence.
  PartialFitStatistics partial_fit;  ///< Support counts of the final F (partial-fit test).

  bool success() const { return status == EstimateStatus::kSuccess; }
};

/// Robust fundamental matrix from pixel correspondences (see the top of this
/// file). `match_scores` (empty, or one per correspondence, higher = better)
/// switches RANSAC to PROSAC sampling.
/// Complexity: O(iterations * N) with SPRT making wrong models cheap; the LM
/// refinement is O(20 * inliers).
FundamentalResult estimate_fundamental(const ConstPointsRef& points1_px, const ConstPointsRef& points2_px,
                                       const FundamentalOptions& options = {},
                                       const ConstScoresRef& match_scores = Eigen::VectorXd());

// ============================================================================
// Essential matrix
// ============================================================================

struct EssentialOptions {
  /// Inlier threshold: Sampson error in PIXELS (> 0). Converted to normalized
  /// units as max_error_px / f with f = (sqrt(fx1 fy1) + sqrt(fx2 fy2)) / 2 (the
  /// mean focal length of both cameras), or the focal_px given to
  /// estimate_essential_normalized. Overwrites ransac.max_residual.
  double max_error_px = 1.0;
  /// RANSAC settings (confidence, iterations, seed, LO, SPRT, minimum support).
  robust::RansacOptions ransac = detail::default_two_view_ransac(0.999);
  /// Cheirality / pose selection (and the pure-rotation test: kLowParallax).
  RecoverPoseOptions recover_pose;
  /// Final LM refinement of (R, unit t) on the inliers in front of both cameras.
  bool refine = true;
  /// Its loss_scale is in normalized units (a Huber / Cauchy scale in pixels
  /// divided by f); the default trivial loss ignores it.
  RefineOptions refine_options;

  /// Throws std::invalid_argument naming the first option out of range.
  void validate() const;
};

struct EssentialResult {
  EstimateStatus status = EstimateStatus::kNoConsensus;
  std::string message;
  /// x2n^T E x1n = 0 on normalized points; E = [t]x R of cam2_from_cam1, unit
  /// Frobenius norm (zero on failure).
  Eigen::Matrix3d E = Eigen::Matrix3d::Zero();
  /// x_cam2 = R x_cam1 + t with |t| = 1 (identity on failure; with
  /// kPureRotation the rotation is meaningful, t is not).
  camera::Rigid3d cam2_from_cam1;
  std::vector<char> inlier_mask;      ///< Per input correspondence: Sampson inlier of E.
  std::vector<char> cheirality_mask;  ///< Per input: inlier AND in front of both cameras.
  int num_inliers = 0;
  int num_in_front = 0;
  int num_dropped_non_finite = 0;     ///< Correspondences with NaN / Inf, ignored.
  int num_dropped_unprojection = 0;   ///< Finite pixels the camera model could not unproject.
  double max_error_normalized = 0.0;  ///< The threshold actually used (normalized units).
  robust::Report report;              ///< RANSAC report (indices of the kept points).
  RecoverPoseStatus recover_pose_status = RecoverPoseStatus::kInvalidInput;
  std::string recover_pose_message;
  RefineSummary refinement;           ///< Final LM (if options.refine); costs normalized^2.

  bool success() const { return status == EstimateStatus::kSuccess; }
};

/// Robust essential matrix and relative pose from correspondences already in
/// normalized image coordinates (x / z, y / z; undistorted; 2 x N each). `focal_px` (> 0)
/// converts options.max_error_px to normalized units (threshold = max_error_px /
/// focal_px). NaN / Inf correspondences are dropped and counted.
/// Throws std::invalid_argument on a point set that is not 2 x N, a size mismatch,
/// focal_px <= 0 or invalid options.
/// Complexity: O(iterations * N) (SPRT makes wrong models cheap) + O(20 N) LM.
EssentialResult estimate_essential_normalized(const ConstPointsRef& normalized1,
                                              const ConstPointsRef& normalized2, double focal_px,
                                              const EssentialOptions& options = {});

/// Robust essential matrix and relative pose cam2_from_cam1 (|t| = 1) from pixel
/// correspondences (2 x N: points1_px in camera1's image, points2_px in camera2's;
/// K1 != K2 and any distortion model allowed: points are undistorted through
/// Camera::unproject_to_normalized; their extrinsics are ignored). The pixel
/// threshold options.max_error_px becomes max_error_px / f in normalized units,
/// f = (sqrt(fx1 fy1) + sqrt(fx2 fy2)) / 2. NaN / Inf correspondences and pixels
/// that fail to unproject (outside the distortion model's valid range, not
/// converged) are dropped and counted; their masks are 0.
/// Status: kTooFewPoints (< 5 usable), kDegenerate (duplicates / collinear /
/// no essential matrix), kNoConsensus (every point an outlier), kPureRotation
/// (zero baseline: low parallax; the rotation is filled), kAmbiguousPose.
/// Throws std::invalid_argument on a point set that is not 2 x N, a size mismatch
/// or invalid options.
EssentialResult estimate_essential(const ConstPointsRef& points1_px, const ConstPointsRef& points2_px,
                                   const camera::Camera& camera1,
                                   const camera::Camera& camera2,
                                   const EssentialOptions& options = {});

}  // namespace crossview::epipolar
