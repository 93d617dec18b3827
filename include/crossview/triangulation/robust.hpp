// crossview: robust building blocks for multi-view triangulation.
//
// The robust triangulators themselves are methods of triangulate()
// (Method::kRobust, Method::kVectorMedian, see triangulate.hpp); this header
// holds their options and the geometric (vector) median.
// Definitions: src/triangulation/robust.cpp.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace crossview::triangulation {

/// Options of Method::kRobust and Method::kVectorMedian.
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
  /// 2 when at most 3 views are usable, 3 when 4 or more are. Allowed: 0 or
  /// >= 2. Rationale of the default: a hypothesis made from two views is
  /// checked by those two views only through the epipolar constraint (1
  /// degree of freedom), so two outliers that happen to lie near each
  /// other's epipolar lines (or one outlier moved along the epipolar line of
  /// a clean view) form a "consistent" pair; a third view that did not
  /// generate the hypothesis gives 2 independent checks. With 4+ views
  /// requiring 3 therefore refuses (kNoConsensus) instead of returning a
  /// point only two views agree on; with 2-3 views nothing stricter than 2
  /// is possible without refusing every point that has one bad view.
  /// An explicit value larger than the number of usable views always gives
  /// kNoConsensus.
  int min_inlier_views = 0;
  /// All view pairs are tried when there are at most this many (>= 1);
  /// otherwise this many pairs are drawn at random (seeded).
  int max_hypotheses = 128;
  /// Seed of the pair sampler (used only when pairs are sampled).
  std::uint64_t seed = 0;
  /// Weiszfeld iterations of the vector median (>= 1).
  int max_median_iterations = 100;

  /// Throws std::invalid_argument naming the first out-of-range option.
  void validate() const;

  /// The number of inlier views required when `num_usable_views` views are
  /// usable (applies the automatic rule when min_inlier_views == 0).
  int required_inlier_views(int num_usable_views) const {
    if (min_inlier_views > 0) return min_inlier_views;
    return num_usable_views >= 4 ? 3 : 2;
  }
};

/// Geometric median (the point minimising the sum of Euclidean distances) of
/// `points` by Weiszfeld's iteration with the Vardi-Zhang handling of iterates
/// that land on a data point. Starts at the coordinate-wise median; at most
/// `max_iterations` steps; stops when a step is below 1e-12 x the spread.
/// Returns NaN for an empty set. O(n) per iteration.
Eigen::Vector3d geometric_median(const std::vector<Eigen::Vector3d>& points,
                                 int max_iterations = 100);

}  // namespace crossview::triangulation
