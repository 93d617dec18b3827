// crossview::temporal: spatio-temporal refinement of one person's whole
// sequence: every 3D joint of every frame and one length per bone, estimated
// together from the 2D detections of all views (compiled in the separate
// target crossview::temporal_refine, which uses Ceres privately; this header
// includes Eigen and the standard library only).
//
//   using namespace crossview;
//   temporal::RefineOptions o;
//   o.rate_hz = 60.0;
//   o.bones = pose::openpose_body25b().limbs();        // or any (parent, child) pairs
//   temporal::RefineResult r = temporal::refine_sequence(cameras, keypoints_px, scores, 25, o);
//   if (r.usable()) use(r.points_in_world);             // 3 x (F*J), world frame, camera units
//
// Inputs: the detections of F frames x V views x J joints, packed 2 x (F*V*J)
// (column (f*V + v)*J + j, distorted pixels as detected; numpy (F, V, J, 2)),
// and their scores (F*V*J, or empty = all 1). A detection is missing when its
// pixel is not finite or its score is NaN or <= min_confidence. One person:
// the detections of (f, v) must all belong to the same person (choosing them
// is the caller's: multi-person association is not done here).
//
// What is minimised (all residuals in units of the detection noise):
//   * reprojection: w (project(X_fj) - x_fvj) / keypoint_noise_px through the
//     full camera model (distortion included), w = score if weight_by_confidence,
//     under a robust loss (Cauchy by default, scale robust_scale noise units);
//   * smoothness: the second (kAcceleration) or first (kVelocity) finite
//     difference of every joint's trajectory, weighted so that the solution
//     behaves like a low-pass filter with gain 1/2 at smoothness_cutoff_hz
//     for a joint seen by all views (the Whittaker smoother of the data term:
//     the weight depends on the views, the detection noise and the cameras'
//     pixels per unit at the person, computed from the initial estimate, so
//     the cut-off is independent of the length unit and the rig);
//   * bones: for every (parent, child) in `bones` and every frame,
//     (|X_child - X_parent| - L_bone) / (bone_length_sigma * L_bone,init), with
//     one free length L_bone per bone for the whole sequence.
// Start: per-frame robust triangulation (triangulation::triangulate_skeleton
// with `initial`); isolated 3D spikes (a point more than 6 robust deviations
// from its joint's 7-frame median: two bad detections that agreed) and gaps of
// a joint's track are bridged by linear interpolation; bone lengths start at
// the median of the initial lengths.
//
// Tracks: a joint's frames with at least one usable detection are "observed";
// runs of observed frames joined across unobserved gaps of at most
// max_gap_frames frames form a track, and only frames inside tracks are
// estimated (the bridged frames from smoothness and bones only: state
// SampleState::kFilled). Frames before the first / after the last observed
// frame of a track, longer gaps and joints never triangulated come out NaN
// (kMissing): nothing is extrapolated.
//
// Cost: linear in frames. The unknowns form a grid (joints x frames) coupled
// along frames by the smoothness and across joints by the bones; any exact
// factorisation fills in whole frames (O(F (3 J)^3) per iteration: measured
// with Ceres' SPARSE_NORMAL_CHOLESKY, ~110 ms per iteration for 300 frames of
// 25 joints). The default solver (RefineSolver::kStructured) never forms the
// matrix: conjugate gradients preconditioned by an exact O(F) factorisation of
// every joint's trajectory, O(F J) per iteration. Ceres remains available
// (RefineOptions::solver) as the reference it is tested against; see
// benchmarks/temporal/bench_temporal_refine. Results do not depend on
// num_threads (used by the Ceres solvers only).
//
// Failure modes: invalid options or shapes throw std::invalid_argument; data
// problems are a RefineStatus with a message (nothing triangulated, the
// solver failing or not converging); points_in_world is finite exactly where
// states[i] != kMissing.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>
#include <crossview/temporal/sequence.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace crossview::temporal {

enum class SmoothnessOrder : std::uint8_t {
  kVelocity = 1,      ///< First differences (penalises motion itself: pulls towards rest).
  kAcceleration = 2,  ///< Second differences (penalises changes of velocity; default).
};

constexpr const char* to_string(SmoothnessOrder o) {
  switch (o) {
    case SmoothnessOrder::kVelocity: return "velocity";
    case SmoothnessOrder::kAcceleration: return "acceleration";
  }
  return "unknown";
}

enum class RobustLoss : std::uint8_t {
  kNone = 0,  ///< Plain least squares.
  kHuber,
  kCauchy,    ///< Default: outliers (wrong detections) lose almost all influence.
};

constexpr const char* to_string(RobustLoss l) {
  switch (l) {
    case RobustLoss::kNone: return "none";
    case RobustLoss::kHuber: return "huber";
    case RobustLoss::kCauchy: return "cauchy";
  }
  return "unknown";
}

/// The solver of the least-squares problem (the same cost for all).
enum class RefineSolver : std::uint8_t {
  /// Default. Levenberg-Marquardt with conjugate-gradient steps preconditioned
  /// by an exact block-banded factorisation of every joint's trajectory:
  /// O(F J) per iteration.
  kStructured = 0,
  /// Ceres with SPARSE_NORMAL_CHOLESKY (SuiteSparse, fill-reducing ordering):
  /// exact steps, but the factorisation fills in a separator of whole frames,
  /// O(F (3 J)^3) per iteration. The reference the default is checked against.
  kCeresSparseNormalCholesky,
  kCeresSparseSchur,     ///< Ceres, SPARSE_SCHUR (automatic independent set eliminated first).
  kCeresIterativeSchur,  ///< Ceres, ITERATIVE_SCHUR with SCHUR_JACOBI.
  kCeresCgnr,            ///< Ceres, CGNR with JACOBI.
};

constexpr const char* to_string(RefineSolver s) {
  switch (s) {
    case RefineSolver::kStructured: return "structured";
    case RefineSolver::kCeresSparseNormalCholesky: return "ceres_sparse_normal_cholesky";
    case RefineSolver::kCeresSparseSchur: return "ceres_sparse_schur";
    case RefineSolver::kCeresIterativeSchur: return "ceres_iterative_schur";
    case RefineSolver::kCeresCgnr: return "ceres_cgnr";
  }
  return "unknown";
}

struct RefineOptions {
  /// Frame rate (Hz, > 0). Required: the smoothness is specified in Hz.
  double rate_hz = 0.0;
  /// Bones with one constant length each: (parent, child) joint indices, each
  /// in [0, J), distinct joints. Empty: no bone terms. E.g.
  /// pose::openpose_body25b().limbs().
  std::vector<std::pair<int, int>> bones;

  // --- detections ------------------------------------------------------------
  /// Detections with score <= min_confidence (or NaN) are missing; in [0, 1).
  double min_confidence = 0.0;
  /// Weight each reprojection residual by the detection's score.
  bool weight_by_confidence = true;
  /// Standard deviation (px, > 0) of a detection around the true projection:
  /// the unit of every residual.
  double keypoint_noise_px = 3.0;
  RobustLoss loss = RobustLoss::kCauchy;
  /// Scale of the robust loss in noise units (> 0): residuals beyond
  /// robust_scale * keypoint_noise_px px lose influence.
  double robust_scale = 3.0;

  // --- priors ----------------------------------------------------------------
  SmoothnessOrder smoothness = SmoothnessOrder::kAcceleration;
  /// Cut-off (Hz) of the smoothness (see the file header), in (0, rate / 2).
  /// 0 switches the smoothness off (tracks still need it to bridge gaps:
  /// max_gap_frames must then be 0).
  double smoothness_cutoff_hz = 6.0;
  /// Relative standard deviation of a bone's length around its constant
  /// (> 0; 0.01 = 1 %).
  double bone_length_sigma = 0.02;
  /// Unobserved runs of at most this many frames (>= 0) inside a joint's
  /// track are estimated from smoothness and bones (kFilled).
  int max_gap_frames = 10;

  // --- start -----------------------------------------------------------------
  /// Per-frame triangulation that gives the starting point (robust by default).
  triangulation::TriangulationOptions initial = [] {
    triangulation::TriangulationOptions t;
    t.method = triangulation::Method::kRobust;
    return t;
  }();

  // --- solver ----------------------------------------------------------------
  int max_iterations = 50;            ///< Levenberg-Marquardt iterations, >= 1.
  /// Stop when an accepted step lowers the cost by less than this fraction,
  /// in (0, 1). 1e-3: on the test data, going on to 1e-6 takes 3-5x the time
  /// and moves the joints by ~0.1 mm (PA-MPJPE to Pose2Sim 19.9 -> 19.3 mm).
  double function_tolerance = 1e-3;
  RefineSolver solver = RefineSolver::kStructured;
  int num_threads = 1;                ///< >= 1 (Ceres' threads; results do not depend on it).

  /// Throws std::invalid_argument naming the first invalid option (bones are
  /// checked against the joint count by refine_sequence).
  void validate() const;
};

enum class RefineStatus : std::uint8_t {
  kSuccess = 0,
  kNotConverged,    ///< Iteration limit reached: points improved but not at the optimum.
  kNothingToRefine, ///< No joint could be triangulated in any frame (points all NaN).
  kSolverFailed,    ///< Ceres failed (message); points_in_world = the initial estimate.
};

constexpr const char* to_string(RefineStatus s) {
  switch (s) {
    case RefineStatus::kSuccess: return "success";
    case RefineStatus::kNotConverged: return "not converged (iteration limit)";
    case RefineStatus::kNothingToRefine: return "nothing to refine (no joint triangulated)";
    case RefineStatus::kSolverFailed: return "solver failed";
  }
  return "unknown";
}

struct RefineResult {
  RefineStatus status = RefineStatus::kNothingToRefine;
  std::string message;
  int num_frames = 0;
  int num_joints = 0;
  /// 3 x (F*J) refined joints (world frame, unit of the cameras' translations);
  /// NaN where states[i] == kMissing.
  Points3d points_in_world;
  /// 3 x (F*J) per-frame robust triangulation (the start; NaN where it failed).
  Points3d initial_points_in_world;
  /// Per sample (f*J + j): kFiltered (observed and estimated), kFilled
  /// (bridged gap), kMissing.
  std::vector<SampleState> states;
  /// One per entry of options.bones (unit of the cameras), NaN for a bone whose
  /// joints never share a frame.
  Eigen::VectorXd bone_lengths;
  /// Usable detections in the problem, and those whose final reprojection
  /// error exceeds 3 robust scales (treated as outliers by the loss).
  int num_observations = 0;
  int num_outliers = 0;
  /// RMS reprojection error (px) of the detections that are not outliers,
  /// at the start (initial points, same detections) and at the end.
  double initial_rms_px = 0.0;
  double final_rms_px = 0.0;
  double initial_cost = 0.0;
  double final_cost = 0.0;
  int iterations = 0;
  /// Wall time (s) of the initial triangulation and of the solve.
  double triangulation_seconds = 0.0;
  double solve_seconds = 0.0;

  bool ok() const { return status == RefineStatus::kSuccess; }
  /// The points are refined (success, or stopped by the iteration limit).
  bool usable() const { return status == RefineStatus::kSuccess || status == RefineStatus::kNotConverged; }
};

/// Refines one person's sequence (see the file header). `cameras[v]` is view
/// v (extrinsics used as given, fixed). Throws std::invalid_argument on
/// invalid options, shapes (keypoints not 2 x (F*V*J) for V = cameras.size(),
/// scores of another length, num_joints < 1) or bones out of range.
RefineResult refine_sequence(const std::vector<camera::Camera>& cameras, const ConstPointsRef& keypoints_px,
                             const ConstScoresRef& scores, int num_joints, const RefineOptions& options);

}  // namespace crossview::temporal
