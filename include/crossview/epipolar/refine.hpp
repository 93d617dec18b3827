// crossview: nonlinear refinement of essential and fundamental matrices by
// minimising the Sampson error over inliers with a hand-written, bounded
// Levenberg-Marquardt (optionally Huber- or Cauchy-weighted, by IRLS).
//
//  refine_relative_pose  E = [t]x R on its manifold: R updated by an angle-axis
//                        increment (R <- R exp([w]x)), t kept unit-norm and
//                        updated in its 2D tangent plane (t <- normalize(t + B d),
//                        B an orthonormal basis of t's tangent). 5 dof.
//                        Points are *normalized* image coordinates.
//  refine_fundamental    F = U diag(1, s, 0) V^T with U, V rotations updated by
//                        angle-axis increments and the singular value ratio s
//                        (7 dof): rank 2 holds by construction. Points are pixels;
//                        the problem is solved in a similarity-normalized frame
//                        (both images scaled by the same factor, so the Sampson
//                        error scales exactly) and mapped back.
//
// Cost = sum_i rho(r_i^2) / 2 with r_i the Sampson error of inlier i and rho the
// loss (trivial: r^2, Huber, Cauchy with `loss_scale` in the points' units).
// Analytic Jacobians. Complexity: O(iterations * num_inliers), each iteration one
// 5x5 (7x7) solve; at most `max_iterations` LM steps (accepted or rejected).
// Failure modes: fewer than 5 (7) inliers or non-finite input leave the model
// untouched and return a summary with `success == false` and a message.
#pragma once
//
// The LM and the parametrisations are compiled in src/epipolar/refine.cpp.

#include <crossview/camera/rigid3.hpp>
#include <crossview/core/points.hpp>
#include <crossview/epipolar/residuals.hpp>

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace crossview::epipolar {

enum class RefineLoss : std::uint8_t { kTrivial = 0, kHuber, kCauchy };

constexpr const char* to_string(RefineLoss loss) {
  switch (loss) {
    case RefineLoss::kTrivial: return "trivial";
    case RefineLoss::kHuber: return "huber";
    case RefineLoss::kCauchy: return "cauchy";
  }
  return "unknown";
}

struct RefineOptions {
  int max_iterations = 20;          ///< LM steps (accepted + rejected), >= 1.
  RefineLoss loss = RefineLoss::kTrivial;
  double loss_scale = 1.0;          ///< Huber / Cauchy scale, in the points' units, > 0.
  double function_tolerance = 1e-10;  ///< Stop when the relative cost decrease is below, >= 0.
  double initial_lambda = 1e-4;     ///< Initial LM damping (relative to diag(J^T J)), > 0.

  /// Throws std::invalid_argument naming the first option out of range.
  void validate() const;
};

struct RefineSummary {
  bool success = false;     ///< The model was refined (cost did not increase).
  int num_iterations = 0;   ///< LM steps taken (accepted + rejected).
  int num_residuals = 0;    ///< Inliers used.
  double initial_cost = 0.0;  ///< sum rho(r^2) / 2, points' units squared.
  double final_cost = 0.0;
  std::string message;
};

namespace detail {

// Internal manifold parametrisations of the LM (declared here because the tests
// check their derivatives; not part of the public API).

/// E = [t]x R with R a rotation and t unit-norm; 5 local parameters.
struct EssentialParam {
  Eigen::Matrix3d R;
  Eigen::Vector3d t;
  Eigen::Matrix3d matrix() const;
  /// Orthonormal basis of the tangent plane of the unit translation.
  Eigen::Matrix<double, 3, 2> tangent() const;
  /// dM / d delta_k at delta = 0.
  void derivatives(std::array<Eigen::Matrix3d, 5>* d) const;
  /// R <- R exp([w]x), t <- normalize(t + B d) for delta = (w, d).
  EssentialParam plus(const Eigen::Matrix<double, 5, 1>& delta) const;
};

/// F = U diag(1, s, 0) V^T with U, V rotations; 7 local parameters.
struct FundamentalParam {
  Eigen::Matrix3d U, V;
  double s = 1.0;
  Eigen::Matrix3d matrix() const;
  /// dM / d delta_k at delta = 0.
  void derivatives(std::array<Eigen::Matrix3d, 7>* d) const;
  /// U <- U exp([a]x), V <- V exp([b]x), s <- s + c for delta = (a, b, c).
  FundamentalParam plus(const Eigen::Matrix<double, 7, 1>& delta) const;
  /// SVD of F with det(U) = det(V) = +1 and s = sigma2 / sigma1.
  static FundamentalParam from_matrix(const Eigen::Matrix3d& F);
};

}  // namespace detail

/// Refines cam2_from_cam1 (rotation + unit translation direction; the input
/// translation's norm is discarded) by minimising the Sampson error of
/// E = [t]x R on the *normalized* correspondences (2 x N each, column i =
/// correspondence i) selected by `inlier_mask` (empty = all, else N entries).
/// Loss scale in normalized units (pixel threshold / focal). Throws
/// std::invalid_argument when a point set is not 2 x N (e.g. transposed), the
/// sizes differ or the options are invalid.
RefineSummary refine_relative_pose(const ConstPointsRef& normalized1, const ConstPointsRef& normalized2,
                                   const std::vector<char>& inlier_mask,
                                   camera::Rigid3d* cam2_from_cam1,
                                   const RefineOptions& options = {});

/// Refines a fundamental matrix (x2^T F x1 = 0, pixels) with rank 2 enforced by
/// the parametrisation, minimising the Sampson error (pixels) over the
/// correspondences (2 x N each) selected by `inlier_mask` (empty = all). The
/// result has unit Frobenius norm. Throws std::invalid_argument when a point set
/// is not 2 x N, the sizes differ or the options are invalid.
RefineSummary refine_fundamental(const ConstPointsRef& points1_px, const ConstPointsRef& points2_px,
                                 const std::vector<char>& inlier_mask, Eigen::Matrix3d* F,
                                 const RefineOptions& options = {});

}  // namespace crossview::epipolar
