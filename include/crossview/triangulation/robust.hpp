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
  /// are not used as hypotheses (their depth is ill-conditioned).
  double min_pair_angle_deg = 2.0;
  /// All view pairs are tried when there are at most this many (>= 1);
  /// otherwise this many pairs are drawn at random (seeded).
  int max_hypotheses = 128;
  /// Seed of the pair sampler (used only when pairs are sampled).
  std::uint64_t seed = 0;
  /// Weiszfeld iterations of the vector median (>= 1).
  int max_median_iterations = 100;

  /// Throws std::invalid_argument naming the first out-of-range option.
  void validate() const;
};

/// Geometric median (the point minimising the sum of Euclidean distances) of
/// `points` by Weiszfeld's iteration with the Vardi-Zhang handling of iterates
/// that land on a data point. Starts at the coordinate-wise median; at most
/// `max_iterations` steps; stops when a step is below 1e-12 x the spread.
/// Returns NaN for an empty set. O(n) per iteration.
Eigen::Vector3d geometric_median(const std::vector<Eigen::Vector3d>& points,
                                 int max_iterations = 100);

}  // namespace crossview::triangulation
