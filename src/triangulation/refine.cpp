// crossview: Levenberg-Marquardt refinement of one point (see refine.hpp).
#include <crossview/triangulation/refine.hpp>

#include "internal.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::triangulation {

void RefineOptions::validate() const {
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

namespace detail {
namespace {

/// rho(s) and rho'(s).
void robust_loss(Loss loss, double delta, double s, double* rho, double* drho) {
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

/// Solves A x = b for a symmetric positive definite 3x3 A by Cholesky
/// (by hand: a general pivoting LDLT cost several times more here). False
/// when a pivot is not positive (A not numerically positive definite).
bool solve_spd3(const Eigen::Matrix3d& A, const Eigen::Vector3d& b, Eigen::Vector3d* x) {
  const double a00 = A(0, 0);
  if (!(a00 > 0.0)) return false;
  const double l00 = std::sqrt(a00), i00 = 1.0 / l00;
  const double l10 = A(1, 0) * i00, l20 = A(2, 0) * i00;
  const double a11 = A(1, 1) - l10 * l10;
  if (!(a11 > 0.0)) return false;
  const double l11 = std::sqrt(a11), i11 = 1.0 / l11;
  const double l21 = (A(2, 1) - l20 * l10) * i11;
  const double a22 = A(2, 2) - l20 * l20 - l21 * l21;
  if (!(a22 > 0.0)) return false;
  const double i22 = 1.0 / std::sqrt(a22);
  const double y0 = b[0] * i00;
  const double y1 = (b[1] - l10 * y0) * i11;
  const double y2 = (b[2] - l20 * y0 - l21 * y1) * i22;
  const double x2 = y2 * i22;
  const double x1 = (y1 - l21 * x2) * i11;
  const double x0 = (y0 - l10 * x1 - l20 * x2) * i00;
  *x = Eigen::Vector3d(x0, x1, x2);
  return true;
}

}  // namespace

RefineSummary refine_point(const camera::Camera* const* cameras, const Eigen::Vector2d* pixels_px,
                           const double* weights, int num_views, const RefineOptions& options,
                           Eigen::Vector3d* point_in_world, double* reprojection_errors_px) {
  RefineSummary summary;
  if (reprojection_errors_px != nullptr) {
    for (int i = 0; i < num_views; ++i) reprojection_errors_px[i] = std::numeric_limits<double>::quiet_NaN();
  }
  if (num_views < 1 || !point_in_world->allFinite()) return summary;
  const double delta = options.loss_scale_px;
  // Rotation matrices of the first views, once per call (a camera keeps its
  // pose as a quaternion: converting it in every evaluation cost more than
  // the projection's own arithmetic).
  constexpr int kCachedViews = 16;
  Eigen::Matrix3d cam_from_world_rotation[kCachedViews];
  const int num_cached = std::min(num_views, kCachedViews);
  for (int i = 0; i < num_cached; ++i) cam_from_world_rotation[i] = cameras[i]->cam_from_world.rotation_matrix();

  // Squared pixel errors of the current point and of the trial point (for
  // reprojection_errors_px; the caller gets them without another projection
  // pass). Up to kCachedViews views; beyond, one pass at the end.
  double errors2_current[kCachedViews], errors2_trial[kCachedViews];
  const bool track_errors = reprojection_errors_px != nullptr && num_views <= kCachedViews;

  // Cost and (optionally) normal equations at X. Returns false if some view
  // cannot project X. errors2 (nullable) receives |px - pixel|^2 per view.
  auto evaluate = [&](const Eigen::Vector3d& X, double* cost, Eigen::Matrix3d* H, Eigen::Vector3d* g,
                      camera::ProjectionStatus* failure, double* errors2) {
    double total = 0.0;
    if (H != nullptr) {
      H->setZero();
      g->setZero();
    }
    if (!X.allFinite()) {
      if (failure != nullptr) *failure = camera::ProjectionStatus::kInvalidInput;
      return false;
    }
    for (int i = 0; i < num_views; ++i) {
      Eigen::Vector2d px;
      Eigen::Matrix<double, 2, 3> J;
      camera::ProjectionStatus s;
      if (i < num_cached) {
        const Eigen::Matrix3d& R = cam_from_world_rotation[i];
        const Eigen::Vector3d point_in_cam = R * X + cameras[i]->cam_from_world.translation;
        if (H != nullptr) {
          Eigen::Matrix<double, 2, 3> J_cam;
          s = cameras[i]->project_from_cam(point_in_cam, &px, &J_cam);
          J.noalias() = J_cam * R;
        } else {
          s = cameras[i]->project_from_cam(point_in_cam, &px);
        }
      } else {
        s = cameras[i]->project(X, &px, H != nullptr ? &J : nullptr);
      }
      if (s != camera::ProjectionStatus::kSuccess) {
        if (failure != nullptr) *failure = s;
        return false;
      }
      const double w = weights != nullptr ? weights[i] : 1.0;
      const Eigen::Vector2d d = px - pixels_px[i];
      if (errors2 != nullptr) errors2[i] = d.squaredNorm();
      const Eigen::Vector2d r = w * d;
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
  if (!evaluate(X, &cost, &H, &g, &failure, track_errors ? errors2_current : nullptr)) {
    summary.status = failure == camera::ProjectionStatus::kBehindCamera ? Status::kBehindCamera
                                                                         : Status::kInvalidInput;
    return summary;
  }
  summary.initial_cost = cost;
  // The step tolerance is relative to the scene's scale, the distance to the
  // nearest camera, not to |X|: a world origin 100 km away must not loosen it.
  double scene_scale = std::numeric_limits<double>::infinity();
  for (int i = 0; i < num_views; ++i) scene_scale = std::min(scene_scale, (X - cameras[i]->center_in_world()).norm());
  if (!std::isfinite(scene_scale)) scene_scale = X.norm();
  double mu = 1e-6;
  bool converged = false;
  int it = 0;
  // A trial point is evaluated with its Jacobian (most trial steps are
  // accepted, and an accepted one needs the normal equations there: one
  // projection pass per step instead of two), except a predicted last step.
  Eigen::Matrix3d H_new;
  Eigen::Vector3d g_new;
  for (; it < options.max_iterations; ++it) {
    if (g.lpNorm<Eigen::Infinity>() <= 1e-300) {
      converged = true;
      break;
    }
    bool accepted = false;
    // Inner loop: increase damping until a step decreases the cost (bounded).
    for (int inner = 0; inner < 10 && !accepted; ++inner) {
      Eigen::Matrix3d A = H;
      for (int k = 0; k < 3; ++k) A(k, k) += mu * std::max(H(k, k), 1e-12 * H.trace() + 1e-300);
      Eigen::Vector3d step;
      if (!detail::solve_spd3(A, -g, &step) || !step.allFinite()) {
        mu *= 10.0;
        continue;
      }
      if (step.norm() <= options.step_tolerance * (scene_scale + options.step_tolerance)) {
        converged = true;
        break;
      }
      const Eigen::Vector3d X_new = X + step;
      double cost_new;
      double* errors2 = track_errors ? errors2_trial : nullptr;
      const double converged_decrease = options.function_tolerance * cost;
      // When the Gauss-Newton model predicts a decrease within the function
      // tolerance, this is most likely the last step: its cost alone decides
      // (no Jacobians). Should it decrease by more after all, the normal
      // equations are evaluated there too. Same iterates either way.
      const double predicted = -(g.dot(step) + 0.5 * step.dot(H * step));
      bool with_jacobians = !(predicted <= 10.0 * converged_decrease);
      bool ok = with_jacobians ? evaluate(X_new, &cost_new, &H_new, &g_new, nullptr, errors2)
                               : evaluate(X_new, &cost_new, nullptr, nullptr, nullptr, errors2);
      ok = ok && cost_new < cost;
      if (ok && !with_jacobians && cost - cost_new > converged_decrease) {
        with_jacobians = true;
        ok = evaluate(X_new, &cost_new, &H_new, &g_new, nullptr, errors2) && cost_new < cost;
      }
      if (ok) {
        const double decrease = cost - cost_new;
        X = X_new;
        if (with_jacobians) {
          H = H_new;
          g = g_new;
        }
        if (track_errors) std::copy(errors2_trial, errors2_trial + num_views, errors2_current);
        accepted = true;
        mu = std::max(mu / 3.0, 1e-12);
        if (decrease <= converged_decrease) converged = true;
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
  if (reprojection_errors_px != nullptr) {
    if (track_errors) {
      for (int i = 0; i < num_views; ++i) reprojection_errors_px[i] = std::sqrt(errors2_current[i]);
    } else {
      for (int i = 0; i < num_views; ++i) {
        Eigen::Vector2d px;
        if (cameras[i]->project(X, &px) == camera::ProjectionStatus::kSuccess) {
          reprojection_errors_px[i] = (px - pixels_px[i]).norm();
        }
      }
    }
  }
  return summary;
}

}  // namespace detail

RefineSummary refine_point(const std::vector<camera::Camera>& cameras, const ConstPointsRef& pixels_px,
                           const ConstScoresRef& weights, const RefineOptions& options,
                           Eigen::Vector3d* point_in_world, Eigen::VectorXd* reprojection_errors_px) {
  options.validate();
  const Eigen::Index V = static_cast<Eigen::Index>(cameras.size());
  require_points(pixels_px, 2, "refine_point: pixels_px (one column per camera)", V);
  require_scores(weights, V, "refine_point: weights");
  std::vector<const camera::Camera*> cams(cameras.size());
  for (std::size_t i = 0; i < cameras.size(); ++i) cams[i] = &cameras[i];
  std::vector<Eigen::Vector2d> x(static_cast<std::size_t>(V));
  detail::copy_columns(pixels_px, x.data());
  if (reprojection_errors_px != nullptr) reprojection_errors_px->resize(V);
  return detail::refine_point(cams.data(), x.data(), weights.size() > 0 ? weights.data() : nullptr,
                              static_cast<int>(V), options, point_in_world,
                              reprojection_errors_px != nullptr ? reprojection_errors_px->data() : nullptr);
}

}  // namespace crossview::triangulation
