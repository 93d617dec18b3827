// crossview: robust building blocks for multi-view triangulation.
//
// The robust triangulators themselves are methods of triangulate()
// (Method::kRobust, Method::kVectorMedian, see triangulate.hpp); this header
// holds their options and the geometric (vector) median.
// Definitions: src/triangulation/robust.cpp.
#pragma once

#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace crossview::triangulation {

/// Options of Method::kRobust, Method::kVectorMedian and Method::kRobustDlt.
struct RobustOptions {
  /// A view is an inlier when its reprojection error is below this (px, > 0).
  double inlier_threshold_px = 10.0;
  /// Pairs of views whose rays meet at less than this angle (deg, in [0, 90))
  /// are not used as hypotheses (their depth is ill-conditioned). The angle
  /// is the one between the two *lines* (min(theta, 180 - theta)), so nearly
  /// anti-parallel rays (facing cameras, point near their baseline) count as
  /// ill-conditioned exactly like nearly parallel ones.
  double min_pair_angle_deg = 2.0;
  /// Minimum number of inlier views a result must be supported by (kRobust
  /// and kVectorMedian), otherwise Status::kNoConsensus. 0 = automatic:
  /// 2 when at most 4 views are usable, 3 when 5 or more are. Allowed: 0 or
  /// >= 2. Why 3 is safer: a hypothesis made from two views is checked by
  /// those two views only through the epipolar constraint (1 degree of
  /// freedom), so two outliers lying near each other's epipolar lines (or one
  /// outlier moved along a clean view's epipolar line) form a "consistent"
  /// pair; a third view that did not build the hypothesis adds 2 independent
  /// checks. Why the automatic rule still accepts 2 with 4 views: measured on
  /// the Pose2Sim demo (4 cameras, real OpenPose detections, 10 px
  /// threshold), requiring 3 of 4 refuses 49% of the points (1066 of 2100
  /// returned instead of 2092), because a third real detection is often
  /// 10-30 px off; on the synthetic H36M/mocap protocol (2 px noise, 10%
  /// gross outliers) it refuses 5.3% of the joints (every joint with >= 2
  /// bad views) and brings the error with outliers from 1.42x to 1.08x of
  /// the outlier-free error. Choose 3 when wrong points cost more than
  /// missing ones and detections are accurate to the threshold. A value
  /// larger than the number of usable views always gives kNoConsensus.
  int min_inlier_views = 0;
  /// All view pairs are tried when there are at most this many (>= 1);
  /// otherwise this many pairs are drawn at random (seeded).
  int max_hypotheses = 128;
  /// Seed of the pair sampler (used only when pairs are sampled).
  std::uint64_t seed = 0;
  /// Method::kRobustDlt: a view is dropped only when its reprojection error
  /// at the consensus point exceeds max(outlier_floor_px,
  /// inlier_threshold_px, outlier_scale_factor x s), s = 1.4826 x the median
  /// error of the consensus inliers (a MAD-type robust scale of the views
  /// that agree). The consensus is searched at all only when some view's
  /// error at the all-view solution exceeds max(outlier_floor_px,
  /// inlier_threshold_px). The floor keeps views that are merely noisy: real
  /// detector errors are 10-30 px, gross outliers larger. 25 px is measured
  /// (docs/triangulation.md): 20 px drops 43 % of the Pose2Sim demo's joints'
  /// views (bone-length CV 13 %), 30 px lets moderate outliers through on
  /// synthetic 4-camera scenes (6.35 instead of 5.37 mm). Finite, > 0.
  double outlier_floor_px = 25.0;
  /// Method::kRobustDlt: multiple of the robust scale above which a view is
  /// an outlier (finite, >= 1).
  double outlier_scale_factor = 4.0;
  /// Weiszfeld iterations of the vector median (>= 1).
  int max_median_iterations = 100;

  /// Throws std::invalid_argument naming the first out-of-range option.
  void validate() const;

  /// The number of inlier views required when `num_usable_views` views are
  /// usable (applies the automatic rule when min_inlier_views == 0).
  int required_inlier_views(int num_usable_views) const {
    if (min_inlier_views > 0) return min_inlier_views;
    return num_usable_views >= 5 ? 3 : 2;
  }
};

/// Geometric median (the point minimising the sum of Euclidean distances) of
/// the columns of `points` (3 x N) by Weiszfeld's iteration with the Vardi-Zhang handling of iterates
/// that land on a data point. Starts at the coordinate-wise median; at most
/// `max_iterations` steps; stops when a step is below 1e-12 x the spread.
/// Returns NaN for an empty set. O(N) per iteration. Throws
/// std::invalid_argument when `points` is not 3 x N (e.g. transposed).
Eigen::Vector3d geometric_median(const ConstPointsRef& points, int max_iterations = 100);

}  // namespace crossview::triangulation
