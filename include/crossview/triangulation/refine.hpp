// crossview: nonlinear refinement of one 3D point over all its views.
//
// Minimises  1/2 sum_i rho( w_i^2 |project_i(X) - x_i|^2 )  over X (3 params)
// through the full camera models (distortion included), with a hand-written
// Levenberg-Marquardt (no Ceres): analytic Jacobians from
// camera::Camera::project, robust losses by iteratively reweighted normal
// equations, at most `max_iterations` iterations.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/triangulation/types.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

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
  /// Stop when the step is below step_tolerance * (|X| + step_tolerance) (> 0).
  double step_tolerance = 1e-10;
  /// Stop when the relative cost decrease is below this (>= 0).
  double function_tolerance = 1e-12;

  void validate() const {
    if (!(loss_scale_px > 0.0) || !std::isfinite(loss_scale_px)) {
      throw std::invalid_argument("RefineOptions::loss_scale_px must be finite and > 0, got " +
                                  std::to_string(loss_scale_px));
    }
    if (max_iterations < 1 || max_iterations > 1000) {
      throw std::invalid_argument("RefineOptions::max_iterations must be in [1, 1000], got " +
                                  std::to_string(max_iterations));
    }
    if (!(step_tolerance > 0.0) || !std::isfinite(step_tolerance)) {
      throw std::invalid_argument("RefineOptions::step_tolerance must be finite and > 0");
    }
    if (!(function_tolerance >= 0.0) || !std::isfinite(function_tolerance)) {
      throw std::invalid_argument("RefineOptions::function_tolerance must be finite and >= 0");
    }
  }
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

namespace detail {

/// rho(s) and rho'(s).
inline void robust_loss(Loss loss, double delta, double s, double* rho, double* drho) {
  switch (loss) {
    case Loss::kHuber: {
      const double d2 = delta * delta;
      if (s <= d2) {
        *rho = s;
        *drho = 1.0;
      } else {
        const double r = std::sqrt(s);
        *rho = 2.0 * delta * r - d2;
        *drho = delta / r;
      }
      return;
    }
    case Loss::kSoftL1: {
      const double d2 = delta * delta;
      const double q = std::sqrt(1.0 + s / d2);
      *rho = 2.0 * d2 * (q - 1.0);
      *drho = 1.0 / q;
      return;
    }
    case Loss::kTrivial: break;
  }
  *rho = s;
  *drho = 1.0;
}

}  // namespace detail

/// Refines `point_in_world` in place. cameras[i] observes pixels_px[i]
/// (distorted pixels) with weight weights[i] (null = all 1). O(n) per
/// iteration. Never writes a non-finite point; a step that would put the point
/// behind a camera or outside a distortion model's valid range is rejected.
inline RefineSummary refine_point(const camera::Camera* const* cameras, const Eigen::Vector2d* pixels_px,
                                  const double* weights, int num_views, const RefineOptions& options,
                                  Eigen::Vector3d* point_in_world) {
  RefineSummary summary;
  if (num_views < 1 || !point_in_world->allFinite()) return summary;
  const double delta = options.loss_scale_px;

  // Cost and (optionally) normal equations at X. Returns false if some view
  // cannot project X.
  auto evaluate = [&](const Eigen::Vector3d& X, double* cost, Eigen::Matrix3d* H, Eigen::Vector3d* g,
                      camera::ProjectionStatus* failure) {
    double total = 0.0;
    if (H != nullptr) {
      H->setZero();
      g->setZero();
    }
    for (int i = 0; i < num_views; ++i) {
      Eigen::Vector2d px;
      Eigen::Matrix<double, 2, 3> J;
      const camera::ProjectionStatus s =
          cameras[i]->project(X, &px, H != nullptr ? &J : nullptr);
      if (s != camera::ProjectionStatus::kSuccess) {
        if (failure != nullptr) *failure = s;
        return false;
      }
      const double w = weights != nullptr ? weights[i] : 1.0;
      const Eigen::Vector2d r = w * (px - pixels_px[i]);
      double rho, drho;
      detail::robust_loss(options.loss, delta, r.squaredNorm(), &rho, &drho);
      total += 0.5 * rho;
      if (H != nullptr) {
        const Eigen::Matrix<double, 2, 3> Jw = w * J;
        H->noalias() += drho * Jw.transpose() * Jw;
        g->noalias() += drho * Jw.transpose() * r;
      }
    }
    *cost = total;
    return std::isfinite(total);
  };

  Eigen::Vector3d X = *point_in_world;
  double cost = 0.0;
  Eigen::Matrix3d H;
  Eigen::Vector3d g;
  camera::ProjectionStatus failure = camera::ProjectionStatus::kSuccess;
  if (!evaluate(X, &cost, &H, &g, &failure)) {
    summary.status = failure == camera::ProjectionStatus::kBehindCamera ? Status::kBehindCamera
                                                                         : Status::kInvalidInput;
    return summary;
  }
  summary.initial_cost = cost;
  double mu = 1e-6;
  bool converged = false;
  bool need_jacobian = false;
  int it = 0;
  for (; it < options.max_iterations; ++it) {
    if (need_jacobian) {
      double c;
      evaluate(X, &c, &H, &g, nullptr);
      need_jacobian = false;
    }
    if (g.lpNorm<Eigen::Infinity>() <= 1e-300) {
      converged = true;
      break;
    }
    bool accepted = false;
    // Inner loop: increase damping until a step decreases the cost (bounded).
    for (int inner = 0; inner < 10 && !accepted; ++inner) {
      Eigen::Matrix3d A = H;
      for (int k = 0; k < 3; ++k) A(k, k) += mu * std::max(H(k, k), 1e-12 * H.trace() + 1e-300);
      const Eigen::Vector3d step = -A.ldlt().solve(g);
      if (!step.allFinite()) {
        mu *= 10.0;
        continue;
      }
      if (step.norm() <= options.step_tolerance * (X.norm() + options.step_tolerance)) {
        converged = true;
        break;
      }
      const Eigen::Vector3d X_new = X + step;
      double cost_new;
      if (evaluate(X_new, &cost_new, nullptr, nullptr, nullptr) && cost_new < cost) {
        const double decrease = cost - cost_new;
        X = X_new;
        accepted = true;
        need_jacobian = true;
        mu = std::max(mu / 3.0, 1e-12);
        if (decrease <= options.function_tolerance * cost) converged = true;
        cost = cost_new;
      } else {
        mu *= 10.0;
      }
    }
    if (converged) {
      if (accepted) ++it;
      break;
    }
    if (!accepted) {  // no descent possible: at a (numerical) minimum
      converged = true;
      break;
    }
  }
  summary.iterations = it;
  summary.final_cost = cost;
  summary.status = converged ? Status::kSuccess : Status::kNotConverged;
  *point_in_world = X;
  return summary;
}

}  // namespace crossview::triangulation
