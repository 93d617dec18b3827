// crossview: nonlinear refinement of one 3D point over all its views.
//
// Minimises  1/2 sum_i rho( w_i^2 |project_i(X) - x_i|^2 )  over X (3 params)
// through the full camera models (distortion included), with a hand-written
// Levenberg-Marquardt (no Ceres): analytic Jacobians from
// camera::Camera::project, robust losses by iteratively reweighted normal
// equations, at most `max_iterations` iterations.
//
// Definitions: src/triangulation/refine.cpp.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>
#include <crossview/triangulation/types.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <vector>

namespace crossview::triangulation {

/// Robust loss applied to each view's squared residual s = w^2 |r|^2 (px^2),
/// with scale delta = loss_scale_px:
///   kTrivial: rho(s) = s
///   kHuber:   rho(s) = s for s <= delta^2, 2 delta sqrt(s) - delta^2 beyond
///   kSoftL1:  rho(s) = 2 delta^2 (sqrt(1 + s / delta^2) - 1)
enum class Loss : std::uint8_t { kTrivial = 0, kHuber, kSoftL1 };

constexpr const char* to_string(Loss loss) {
  switch (loss) {
    case Loss::kTrivial: return "trivial";
    case Loss::kHuber: return "huber";
    case Loss::kSoftL1: return "soft_l1";
  }
  return "unknown";
}

struct RefineOptions {
  Loss loss = Loss::kTrivial;
  /// Scale of the robust loss in pixels (> 0); ignored by kTrivial.
  double loss_scale_px = 10.0;
  /// Maximum LM iterations (>= 1).
  int max_iterations = 20;
  /// Stop when the step is below step_tolerance * (d + step_tolerance) (> 0),
  /// d = distance from the initial point to the nearest camera centre (the
  /// scene's scale; independent of where the world origin lies).
  double step_tolerance = 1e-10;
  /// Stop when the relative cost decrease is below this (>= 0).
  double function_tolerance = 1e-12;

  /// Throws std::invalid_argument naming the first out-of-range option.
  void validate() const;
};

struct RefineSummary {
  /// kSuccess (converged), kNotConverged (iteration bound hit; the point is
  /// still the best found), kBehindCamera / kInvalidInput when the initial
  /// point does not project into every view.
  Status status = Status::kInvalidInput;
  int iterations = 0;
  double initial_cost = std::numeric_limits<double>::quiet_NaN();  ///< 1/2 sum rho, px^2
  double final_cost = std::numeric_limits<double>::quiet_NaN();
};

/// Refines `point_in_world` in place. cameras[i] observes column i of
/// `pixels_px` (2 x V distorted pixels) with weight weights(i) (`weights`
/// empty = all 1). O(V) per iteration. Never writes a non-finite point; a step
/// that would put the point behind a camera or outside a distortion model's
/// valid range is rejected. `reprojection_errors_px` (optional) receives V
/// entries: the unweighted pixel error |project(X) - pixel_i| of every view at
/// the returned point, from the last evaluation (no extra projection pass for
/// up to 16 views); NaN where the initial point does not project. Throws
/// std::invalid_argument when pixels_px is not 2 x V (e.g. transposed), the
/// weights have another size or the options are invalid.
RefineSummary refine_point(const std::vector<camera::Camera>& cameras, const ConstPointsRef& pixels_px,
                           const ConstScoresRef& weights, const RefineOptions& options,
                           Eigen::Vector3d* point_in_world, Eigen::VectorXd* reprojection_errors_px = nullptr);

}  // namespace crossview::triangulation
