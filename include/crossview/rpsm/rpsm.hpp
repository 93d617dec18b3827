// crossview: 3D human pose from multi-view 2D heatmaps with the Recursive
// Pictorial Structure Model (Qiu et al., ICCV 2019; ALGORITHMS.md section 3).
//
//   rpsm::estimate(views, skeleton, root_position, options)
//       PSM level on a regular N^3 grid around `root_position`, then the
//       recursive levels.
//   rpsm::refine(views, skeleton, initial_pose, options)
//       recursive levels only, from a given 3D pose (e.g. a triangulation).
//
// Units and frames: joint positions, root position, cube side and limb
// priors are world coordinates in the unit of the cameras' translations
// (millimetres for Human3.6M). Heatmaps: see pose/heatmaps.hpp.
//
// Model. A hypothesis X for joint j scores, in every view v, the bilinear
// sample h_vj(A_v^-1 project_v(X)) (lens distortion included; 0 when the
// projection fails) of the heatmap divided by its maximum
// (HeatmapNormalization::kPerViewJointMax, default: the result does not
// depend on a positive scale of any view's or joint's heatmaps; kNone: raw
// values, the reference). A heatmap that is uniform (all zero or constant)
// or whose maximum is subnormal carries no information and is skipped for
// its joint. Outside the heatmap (OutsideHeatmap): kNearestPixel (default)
// reads the nearest heatmap pixel, i.e. the coordinates are clamped to the
// pixel centres [0, W-1] x [0, H-1]: a heatmap made on a crop says nothing
// about the image beyond it, and reading 0 there pulls a joint that lies
// outside a view's crop into that crop (kNearestPixel reads values below
// 2^-64 of the map's maximum as 0: Gaussian tails' subnormal floats are slow
// and far below eps). kZero is the reference's sampler
// (scipy's RegularGridInterpolator, linear, fill 0), bit for bit: exactly 0
// beyond the outer pixel centres, the bilinear weights and sum in double.
// Views are combined over the informative views by
//   kSum     : log(sum_v h_vj)                        (the reference)
//   kMeanLog : mean_v log(eps + h_vj), eps = log_epsilon (of the maximum;
//              kNone: log_epsilon * the joint's largest value over the views)
// kMeanLog does not let one view's ray outscore points seen by all views.
// Pairwise terms on the limbs (p, c), d = |X_p - X_c|, L = prior mean,
// tol = prior tolerance (or options.limb_tolerance):
//   kHardIndicator : 0 if |d - L| <= tol, else -inf   (the reference)
//   kGaussian      : -(d - L)^2 / (2 sigma_s^2), sigma = gaussian_sigma_fraction * tol,
//                    sigma_s^2 = sigma^2 + s^2 / 6 for candidates s apart (the
//                    variance grid quantisation adds to a candidate distance;
//                    the user's sigma in the limit of fine grids)
// Inference is exact max-sum on the tree (leaves to root, argmax at the
// root, backtracking); ties go to the first candidate.
//
// Grids. Level 0 is a regular grid of N bins per axis around the root.
// GridPlacement::kCentred (default): spacing s = cube_side / N and offsets
// (i - floor(N/2)) s, i = 0..N-1, so the root itself is always a candidate
// (for even N the grid has one more bin on the negative side).
// GridPlacement::kLinspaceEndpoints reproduces the reference: N points from
// -cube_side/2 to +cube_side/2 inclusive (spacing cube_side / (N - 1); the
// root is not a candidate for even N).
// Recursive level l (l = 0..num_levels-1) gives each joint its own k^3
// candidates (k = recursion_bins) at its current estimate + linspace(-side_l/2,
// side_l/2, k) per axis, side_l = s0 / 2^l, s0 = cube_side / num_bins (or
// refine_initial_side for refine()). k = 2 is the reference (the current
// estimate is never a candidate); the default k = 3 includes it, so a level
// never makes the pose worse in score.
//
// Polish (kMeanLog; polish_iterations > 0, default 20). After the levels, a
// Levenberg-Marquardt ascent in continuous coordinates of
//   F(X) = sum_j mean_v l_vj(u_vj(X_j)) - sum_limbs (|X_p - X_c| - L)^2 / (2 sigma^2)
// where l_vj is the second-order Taylor model of log(eps_j + h_vj) at the
// heatmap pixel nearest u_vj (central differences of the 3 x 3 pixels around
// it; exact for a Gaussian heatmap, whose log is quadratic) and sigma =
// gaussian_sigma_fraction * tolerance (no quantisation term: no grid). The
// limb term is used with kGaussian, and with kHardIndicator when
// polish_gaussian_limbs (default); with the hard indicator every step also
// keeps |d - L| <= tol. Gauss-Newton curvature (each view's 2 x 2 Hessian of
// l clamped to negative semi-definite), normal equations solved leaves to
// root on the tree in O(J) 3 x 3 blocks, a step kept only when F rises. It
// removes the bilinear bias of the levels (noise-free real-mocap MPJPE 7.7 ->
// 0.3 mm) and is where the limb prior acts below the grid's resolution.
// Cost per iteration O(V J) (9 heatmap reads and logs per view and joint).
//
// Cost. Level 0: O(N^3 V) projections, O(N^3 V J) samples, and per limb
// O(N^3 |offsets|) for the message: the set of bin offsets compatible with a
// limb is the same for every bin of a regular grid, so it is computed once
// per limb and applied as a shifted max filter over a padded volume (never
// O(N^6)). Recursion: O(k^3 V J) samples + O(k^6 J) pairwise per level.
// Memory O(J N^3) floats (~0.3 MB at N = 16).
//
// Failure modes: invalid options, a skeleton that is not a tree
// (pose::Skeleton::is_tree()) or has no limb priors, heatmaps
// whose joint count or buffer size does not match the skeleton, an
// initial pose with the wrong number of joints, and refine() with
// num_levels = 0 and no polish throw std::invalid_argument.
// Data problems return a Status with a message and no pose; a success means
// every level ran and every joint had heatmap support:
// no views (kNoViews), NaN/Inf or negative heatmap values (kInvalidHeatmaps),
// a joint whose heatmaps are uninformative in every view (kEmptyHeatmaps), a
// non-finite root/initial pose (kInvalidInitialPose), a root (estimate's root
// position, refine's initial root) outside every view's image
// (kRootNotVisible), a joint with heatmap support (a normalised sample >=
// log_epsilon) in fewer than two views (or fewer than its informative views)
// in its search region: the level-0 cube, or for refine the first level's
// candidates around its initial position (kNoSupport: the initial pose in
// the wrong unit or frame, a joint far from its heatmaps or on one view's
// ray), no configuration satisfying the hard limb constraints at level 0 or
// at any recursive level, e.g. refine's first level from a start whose limbs
// it cannot bring within tolerance (kNoFeasiblePose).
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>
#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::rpsm {

enum class ViewCombination : std::uint8_t { kSum, kMeanLog };
enum class PairwiseModel : std::uint8_t { kHardIndicator, kGaussian };
enum class GridPlacement : std::uint8_t { kCentred, kLinspaceEndpoints };
enum class OutsideHeatmap : std::uint8_t { kNearestPixel, kZero };
enum class HeatmapNormalization : std::uint8_t { kPerViewJointMax, kNone };

constexpr const char* to_string(ViewCombination c) {
  return c == ViewCombination::kSum ? "sum" : "mean_log";
}
constexpr const char* to_string(PairwiseModel p) {
  return p == PairwiseModel::kHardIndicator ? "hard_indicator" : "gaussian";
}
constexpr const char* to_string(GridPlacement g) {
  return g == GridPlacement::kCentred ? "centred" : "linspace_endpoints";
}
constexpr const char* to_string(OutsideHeatmap o) {
  return o == OutsideHeatmap::kNearestPixel ? "nearest_pixel" : "zero";
}
constexpr const char* to_string(HeatmapNormalization n) {
  return n == HeatmapNormalization::kPerViewJointMax ? "per_view_joint_max" : "none";
}

struct RpsmOptions {
  /// Level-0 cube side around the root (world unit). > 0.
  double cube_side = 2000.0;
  /// Level-0 bins per axis, in [2, 64].
  int num_bins = 16;
  GridPlacement grid = GridPlacement::kCentred;
  /// Recursive levels, in [0, 40] (reference 10).
  int num_levels = 10;
  /// Candidates per axis and joint in a recursive level, in [2, 9]; odd
  /// counts include the current estimate (reference 2).
  int recursion_bins = 3;
  /// Initial recursive cube side for refine() (world unit); 0 = cube_side / num_bins.
  double refine_initial_side = 0.0;
  ViewCombination combination = ViewCombination::kMeanLog;
  /// What a projection outside a view's heatmap samples: the nearest
  /// heatmap pixel (default; a heatmap made on a crop says nothing about the
  /// image beyond it) or, with kZero, the reference's sampler: exactly 0
  /// beyond the outer pixel centres. A failed projection samples 0.
  OutsideHeatmap outside_heatmap = OutsideHeatmap::kNearestPixel;
  /// kPerViewJointMax (default): every (view, joint) heatmap is divided by its
  /// maximum, so the result does not depend on a positive scale of any view's
  /// or joint's heatmaps. kNone: raw values, as the reference (kSum then
  /// weighs views by their heatmaps' scale; kMeanLog's eps is relative to the
  /// joint's largest value over the views).
  HeatmapNormalization heatmap_normalization = HeatmapNormalization::kPerViewJointMax;
  /// eps of kMeanLog relative to the (normalised) heatmap maximum, in (0, 1];
  /// also the support threshold (see RpsmResult::support_views).
  double log_epsilon = 1e-3;
  PairwiseModel pairwise = PairwiseModel::kHardIndicator;
  /// kGaussian: sigma = fraction * tolerance, in (0, 10].
  double gaussian_sigma_fraction = 0.5;
  /// > 0 overrides every limb prior's tolerance (world unit); 0 = use the skeleton's.
  double limb_tolerance = 0.0;
  /// Threads over bins and limbs (1 = single-threaded), in [1, 64].
  int num_threads = 1;
  /// Continuous polish after the recursive levels (kMeanLog only): at most
  /// this many Levenberg-Marquardt solves, in [0, 100]; 0 disables it.
  int polish_iterations = 20;
  /// The polish scores limbs with the Gaussian term (sigma =
  /// gaussian_sigma_fraction * tolerance) also when `pairwise` is the hard
  /// indicator, whose constraints it then keeps as well. False: with the
  /// hard indicator the polish is the constrained maximum of the unary.
  bool polish_gaussian_limbs = true;

  void validate() const {
    if (!(cube_side > 0.0) || !std::isfinite(cube_side)) {
      throw std::invalid_argument("RpsmOptions: cube_side must be finite and > 0");
    }
    if (num_bins < 2 || num_bins > 64) {
      throw std::invalid_argument("RpsmOptions: num_bins must be in [2, 64]");
    }
    if (num_levels < 0 || num_levels > 40) {
      throw std::invalid_argument("RpsmOptions: num_levels must be in [0, 40]");
    }
    if (recursion_bins < 2 || recursion_bins > 9) {
      throw std::invalid_argument("RpsmOptions: recursion_bins must be in [2, 9]");
    }
    if (!(refine_initial_side >= 0.0) || !std::isfinite(refine_initial_side)) {
      throw std::invalid_argument("RpsmOptions: refine_initial_side must be finite and >= 0");
    }
    if (!(log_epsilon > 0.0 && log_epsilon <= 1.0)) {
      throw std::invalid_argument("RpsmOptions: log_epsilon must be in (0, 1]");
    }
    if (!(gaussian_sigma_fraction > 0.0 && gaussian_sigma_fraction <= 10.0)) {
      throw std::invalid_argument("RpsmOptions: gaussian_sigma_fraction must be in (0, 10]");
    }
    if (!(limb_tolerance >= 0.0) || !std::isfinite(limb_tolerance)) {
      throw std::invalid_argument("RpsmOptions: limb_tolerance must be finite and >= 0");
    }
    if (polish_iterations < 0 || polish_iterations > 100) {
      throw std::invalid_argument("RpsmOptions: polish_iterations must be in [0, 100]");
    }
    if (num_threads < 1 || num_threads > 64) {
      throw std::invalid_argument("RpsmOptions: num_threads must be in [1, 64]");
    }
  }
};

enum class Status : std::uint8_t {
  kSuccess = 0,
  kNoViews,            ///< The view list is empty.
  kInvalidHeatmaps,    ///< NaN/Inf or negative heatmap values.
  kEmptyHeatmaps,      ///< A joint's heatmaps are uniform (e.g. all zero) in every view.
  kNoSupport,          ///< A joint has no heatmap support anywhere in its search region.
  kInvalidInitialPose, ///< Non-finite root position or initial pose.
  kRootNotVisible,     ///< The root (position or initial pose's) projects into no view's image.
  kNoFeasiblePose,     ///< A level (PSM or recursive) has no configuration satisfying the hard limb constraints.
};

constexpr const char* to_string(Status s) {
  switch (s) {
    case Status::kSuccess: return "success";
    case Status::kNoViews: return "no views";
    case Status::kInvalidHeatmaps: return "invalid heatmaps";
    case Status::kEmptyHeatmaps: return "empty heatmaps";
    case Status::kNoSupport: return "no heatmap support";
    case Status::kInvalidInitialPose: return "invalid initial pose";
    case Status::kRootNotVisible: return "root not visible";
    case Status::kNoFeasiblePose: return "no feasible pose";
  }
  return "unknown";
}

/// Wall-clock split of one call, milliseconds.
struct RpsmTimings {
  double validation_ms = 0.0;  ///< Input checks + per-heatmap maxima.
  double unary_ms = 0.0;       ///< Level-0 projections + sampling + combination.
  double pairwise_ms = 0.0;    ///< Level-0 offset sets per limb.
  double inference_ms = 0.0;   ///< Level-0 max-sum + backtracking.
  double recursion_ms = 0.0;   ///< All recursive levels.
  double polish_ms = 0.0;      ///< The continuous polish.
};

struct RpsmResult {
  Status status = Status::kNoViews;
  std::string message;
  /// 3 x J joint positions (world; column j = joint j). Valid (finite) only when success().
  Points3d joints_in_world;
  /// 3 x J pose after the PSM level (estimate() only; empty for refine()).
  Points3d psm_joints_in_world;
  /// Per joint, the combined response of the (normalised) heatmaps at the
  /// final position: the sum over the informative views (kSum) or
  /// exp(mean log(eps + h)) (kMeanLog; at most 1 + eps when normalised).
  Eigen::VectorXd joint_scores;
  /// Recursive levels run to completion (= num_levels on success).
  int levels_completed = 0;
  /// Per joint, the number of views in which its heatmap has support (a
  /// sample >= log_epsilon x that heatmap's maximum, with the outside rule)
  /// somewhere in the joint's search region: the level-0 cube (estimate) or
  /// the first recursive level's k^3 candidates around the initial position
  /// (refine). A joint with 0 is kNoSupport. Empty when the call stopped
  /// before (bad input).
  Eigen::VectorXi support_views;
  /// Views whose heatmaps are uniform (all zero or constant) for every joint:
  /// they carry no information and are ignored (named in `message`).
  std::vector<int> uninformative_views;
  /// Polish steps kept (each raised the objective); 0 when disabled.
  int polish_steps = 0;
  bool psm_completed = false;
  RpsmTimings timings;
  /// Largest working memory held at once by the call (bytes, approximate).
  std::size_t workspace_bytes = 0;

  bool success() const { return status == Status::kSuccess; }
};

/// Recursive refinement only, from `initial_pose_in_world` (3 x J, column j =
/// joint j, world unit; docs/conventions.md#array-layouts). See the file
/// comment for the model. Throws std::invalid_argument on invalid options, a
/// skeleton without limb priors, heatmap shapes that do not match the
/// skeleton, an initial pose that is not 3 x J (transposed, wrong joint
/// count; the message names initial_pose_in_world), or num_levels = 0 without
/// a polish (polish_iterations = 0 or kSum). A start the levels cannot refine
/// is a status: kRootNotVisible, kNoSupport, kNoFeasiblePose (file comment).
/// Cost O(num_levels (k^3 V J + k^6 J)).
RpsmResult refine(const std::vector<pose::HeatmapView>& views, const pose::Skeleton& skeleton,
                  const ConstPointsRef& initial_pose_in_world, const RpsmOptions& options = {});

/// PSM level on a regular grid around `root_position_in_world` (world unit),
/// then the recursive levels. Throws like refine(). Cost
/// O(N^3 V J + sum over limbs N^3 |offsets|) + the recursion.
RpsmResult estimate(const std::vector<pose::HeatmapView>& views, const pose::Skeleton& skeleton,
                    const Eigen::Vector3d& root_position_in_world, const RpsmOptions& options = {});

}  // namespace crossview::rpsm
