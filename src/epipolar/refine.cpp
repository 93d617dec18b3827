// crossview: Sampson-error Levenberg-Marquardt refinement of E and F; see
// include/crossview/epipolar/refine.hpp for the documentation.
#include <crossview/epipolar/refine.hpp>

#include "internal.hpp"

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <Eigen/SVD>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::epipolar {

namespace detail {
namespace {

Eigen::Matrix3d skew(const Eigen::Vector3d& v) {
  Eigen::Matrix3d m;
  m << 0.0, -v.z(), v.y(), v.z(), 0.0, -v.x(), -v.y(), v.x(), 0.0;
  return m;
}

/// rho(s) and rho'(s) for s = r^2.
void robust_loss(RefineLoss loss, double c2, double s, double* rho, double* drho) {
  switch (loss) {
    case RefineLoss::kTrivial:
      *rho = s;
      *drho = 1.0;
      return;
    case RefineLoss::kHuber:
      if (s <= c2) {
        *rho = s;
        *drho = 1.0;
      } else {
        const double r = std::sqrt(s), c = std::sqrt(c2);
        *rho = 2.0 * c * r - c2;
        *drho = c / r;
      }
      return;
    case RefineLoss::kCauchy:
      *rho = c2 * std::log1p(s / c2);
      *drho = 1.0 / (1.0 + s / c2);
      return;
  }
}

/// Generic LM on the Sampson error of a 3x3 matrix model M(params) with P
/// local parameters. `Param` provides: Eigen::Matrix3d matrix() const;
/// void derivatives(std::array<Eigen::Matrix3d, P>*) const (dM / d delta_k at
/// delta = 0); Param plus(const Eigen::Matrix<double, P, 1>&) const.
template <int P, class Param>
RefineSummary lm_sampson(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2, const int* indices,
                         int num, const double* weights, const RefineOptions& options,
                         Param* param) {
  using VecP = Eigen::Matrix<double, P, 1>;
  using MatP = Eigen::Matrix<double, P, P>;
  RefineSummary summary;
  summary.num_residuals = num;
  const double c2 = options.loss_scale * options.loss_scale;
  auto idx = [&](int k) { return indices ? indices[k] : k; };

  auto cost_of = [&](const Eigen::Matrix3d& M) {
    double cost = 0.0;
    for (int k = 0; k < num; ++k) {
      const int i = idx(k);
      double rho = 0.0, drho = 0.0;
      robust_loss(options.loss, c2, sampson_error_squared(M, x1[i], x2[i]), &rho, &drho);
      cost += (weights ? weights[k] : 1.0) * rho;
    }
    return 0.5 * cost;
  };

  double cost = cost_of(param->matrix());
  summary.initial_cost = cost;
  summary.final_cost = cost;
  if (!std::isfinite(cost)) {
    summary.message = "initial cost is not finite";
    return summary;
  }
  double lambda = options.initial_lambda;
  std::array<Eigen::Matrix3d, P> dM;
  MatP JtJ;
  VecP Jtr;
  bool need_linearize = true;
  for (int it = 0; it < options.max_iterations; ++it) {
    ++summary.num_iterations;
    if (need_linearize) {
      const Eigen::Matrix3d M = param->matrix();
      param->derivatives(&dM);
      JtJ.setZero();
      Jtr.setZero();
      for (int k = 0; k < num; ++k) {
        const int i = idx(k);
        const Eigen::Vector3d p1 = x1[i].homogeneous();
        const Eigen::Vector3d p2 = x2[i].homogeneous();
        const Eigen::Vector3d Mx1 = M * p1;
        const Eigen::Vector3d Mtx2 = M.transpose() * p2;
        const double C = p2.dot(Mx1);
        const double D = Mx1(0) * Mx1(0) + Mx1(1) * Mx1(1) + Mtx2(0) * Mtx2(0) + Mtx2(1) * Mtx2(1);
        if (!(D > 1e-300)) continue;
        const double inv_sqrt_d = 1.0 / std::sqrt(D);
        const double r = C * inv_sqrt_d;
        // dr/dM = p2 p1^T / sqrt(D) - C / D^(3/2) * G, G_ab = Mx1_a p1_b (a < 2) + p2_a Mtx2_b (b < 2).
        Eigen::Matrix3d G = p2 * p1.transpose() * inv_sqrt_d;
        const double k2 = C * inv_sqrt_d / D;
        for (int a = 0; a < 2; ++a) G.row(a) -= k2 * Mx1(a) * p1.transpose();
        for (int b = 0; b < 2; ++b) G.col(b) -= k2 * Mtx2(b) * p2;
        VecP J;
        for (int q = 0; q < P; ++q) J(q) = G.cwiseProduct(dM[q]).sum();
        double rho = 0.0, drho = 0.0;
        robust_loss(options.loss, c2, r * r, &rho, &drho);
        const double w = (weights ? weights[k] : 1.0) * drho;
        JtJ.noalias() += w * J * J.transpose();
        Jtr.noalias() += w * r * J;
      }
      need_linearize = false;
    }
    if (Jtr.template lpNorm<Eigen::Infinity>() < 1e-16) {
      summary.message = "converged (gradient)";
      break;
    }
    MatP A = JtJ;
    A.diagonal() += lambda * JtJ.diagonal().cwiseMax(1e-12);
    const VecP delta = A.ldlt().solve(-Jtr);
    if (!delta.allFinite()) {
      lambda *= 10.0;
      continue;
    }
    const Param candidate = param->plus(delta);
    const double new_cost = cost_of(candidate.matrix());
    if (new_cost < cost) {
      const double decrease = (cost - new_cost) / std::max(cost, 1e-300);
      *param = candidate;
      cost = new_cost;
      lambda = std::max(lambda * 0.1, 1e-12);
      need_linearize = true;
      if (decrease < options.function_tolerance) {
        summary.message = "converged (function tolerance)";
        break;
      }
    } else {
      lambda *= 10.0;
      if (lambda > 1e12) {
        summary.message = "converged (no descent step)";
        break;
      }
    }
  }
  if (summary.message.empty()) summary.message = "stopped at max_iterations";
  summary.final_cost = cost;
  summary.success = true;
  return summary;
}

/// Similarity normalization shared by both images: x' = scale * (x - centroid_i),
/// scale chosen so that the mean distance to the centroids is sqrt(2).
struct SharedNormalization {
  Eigen::Vector2d c1 = Eigen::Vector2d::Zero(), c2 = Eigen::Vector2d::Zero();
  double scale = 1.0;
  Eigen::Matrix3d T1() const { return make(c1); }
  Eigen::Matrix3d T2() const { return make(c2); }
  Eigen::Matrix3d make(const Eigen::Vector2d& c) const {
    Eigen::Matrix3d T;
    T << scale, 0.0, -scale * c.x(), 0.0, scale, -scale * c.y(), 0.0, 0.0, 1.0;
    return T;
  }
};

SharedNormalization shared_normalization(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2,
                                         const int* indices, int num) {
  SharedNormalization n;
  if (num <= 0) return n;
  for (int k = 0; k < num; ++k) {
    const int i = indices ? indices[k] : k;
    n.c1 += x1[i];
    n.c2 += x2[i];
  }
  n.c1 /= num;
  n.c2 /= num;
  double d = 0.0;
  for (int k = 0; k < num; ++k) {
    const int i = indices ? indices[k] : k;
    d += (x1[i] - n.c1).norm() + (x2[i] - n.c2).norm();
  }
  d /= 2.0 * num;
  n.scale = d > 0.0 ? std::sqrt(2.0) / d : 1.0;
  return n;
}

}  // namespace

/// LM on E = [t]x R over `num` correspondences (indices may be nullptr = 0..num-1).
RefineSummary refine_essential_lm(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2,
                                  const int* indices, int num, const double* weights,
                                  const RefineOptions& options, Eigen::Matrix3d* R,
                                  Eigen::Vector3d* t) {
  if (num < 5) {
    RefineSummary s;
    s.num_residuals = num;
    s.message = "need at least 5 inliers to refine E, got " + std::to_string(num);
    return s;
  }
  EssentialParam p{*R, t->normalized()};
  RefineSummary s = lm_sampson<5>(x1, x2, indices, num, weights, options, &p);
  if (s.success) {
    *R = p.R;
    *t = p.t;
  }
  return s;
}

namespace {

std::vector<int> mask_indices(const std::vector<char>& mask, std::size_t n) {
  std::vector<int> idx;
  if (mask.empty()) {
    idx.resize(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = static_cast<int>(i);
    return idx;
  }
  for (std::size_t i = 0; i < n && i < mask.size(); ++i) {
    if (mask[i]) idx.push_back(static_cast<int>(i));
  }
  return idx;
}

/// Checks the two point sets and the mask; copies the points into Vector2d
/// storage (the arguments may be any strided map).
void load_correspondences(const char* fn, const char* what1, const char* what2, const ConstPointsRef& a,
                          const ConstPointsRef& b, const std::vector<char>& mask,
                          std::vector<Eigen::Vector2d>* x1, std::vector<Eigen::Vector2d>* x2) {
  require_points(a, 2, what1);
  require_points(b, 2, what2, a.cols());
  if (!mask.empty() && static_cast<Eigen::Index>(mask.size()) != a.cols()) {
    throw std::invalid_argument(std::string(fn) + ": inlier_mask has " + std::to_string(mask.size()) +
                                " entries for " + std::to_string(a.cols()) + " points");
  }
  x1->resize(static_cast<std::size_t>(a.cols()));
  x2->resize(x1->size());
  copy_columns(a, x1->data());
  copy_columns(b, x2->data());
}

}  // namespace

Eigen::Matrix3d EssentialParam::matrix() const { return skew(t) * R; }
Eigen::Matrix<double, 3, 2> EssentialParam::tangent() const {
  Eigen::Matrix<double, 3, 2> B;
  B.col(0) = t.unitOrthogonal();
  B.col(1) = t.cross(B.col(0));
  return B;
}
void EssentialParam::derivatives(std::array<Eigen::Matrix3d, 5>* d) const {
  const Eigen::Matrix3d tx = skew(t);
  const Eigen::Matrix3d txR = tx * R;
  for (int k = 0; k < 3; ++k) (*d)[k] = txR * skew(Eigen::Vector3d::Unit(k));
  const Eigen::Matrix<double, 3, 2> B = tangent();
  for (int j = 0; j < 2; ++j) (*d)[3 + j] = skew(B.col(j)) * R;
}
EssentialParam EssentialParam::plus(const Eigen::Matrix<double, 5, 1>& delta) const {
  EssentialParam out;
  out.R = R * camera::angle_axis_to_rotation_matrix<double>(delta.head<3>());
  out.t = (t + tangent() * delta.tail<2>()).normalized();
  return out;
}

Eigen::Matrix3d FundamentalParam::matrix() const {
  return U * Eigen::Vector3d(1.0, s, 0.0).asDiagonal() * V.transpose();
}
void FundamentalParam::derivatives(std::array<Eigen::Matrix3d, 7>* d) const {
  const Eigen::Matrix3d S = Eigen::Vector3d(1.0, s, 0.0).asDiagonal();
  for (int k = 0; k < 3; ++k) {
    const Eigen::Matrix3d ek = skew(Eigen::Vector3d::Unit(k));
    (*d)[k] = U * ek * S * V.transpose();
    (*d)[3 + k] = -U * S * ek * V.transpose();
  }
  (*d)[6] = U.col(1) * V.col(1).transpose();
}
FundamentalParam FundamentalParam::plus(const Eigen::Matrix<double, 7, 1>& delta) const {
  FundamentalParam out;
  out.U = U * camera::angle_axis_to_rotation_matrix<double>(delta.segment<3>(0));
  out.V = V * camera::angle_axis_to_rotation_matrix<double>(delta.segment<3>(3));
  out.s = s + delta(6);
  return out;
}
FundamentalParam FundamentalParam::from_matrix(const Eigen::Matrix3d& F) {
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(F, Eigen::ComputeFullU | Eigen::ComputeFullV);
  FundamentalParam p;
  p.U = svd.matrixU();
  p.V = svd.matrixV();
  if (p.U.determinant() < 0.0) p.U = -p.U;
  if (p.V.determinant() < 0.0) p.V = -p.V;
  const Eigen::Vector3d sv = svd.singularValues();
  p.s = sv(0) > 0.0 ? sv(1) / sv(0) : 0.0;
  return p;
}

/// LM on rank-2 F over pixel correspondences; costs reported in pixels^2.
RefineSummary refine_fundamental_lm(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2,
                                    const int* indices, int num, const double* weights,
                                    const RefineOptions& options, Eigen::Matrix3d* F) {
  RefineSummary s;
  s.num_residuals = num;
  if (num < 7) {
    s.message = "need at least 7 inliers to refine F, got " + std::to_string(num);
    return s;
  }
  const SharedNormalization n = shared_normalization(x1, x2, indices, num);
  std::vector<Eigen::Vector2d> y1(num), y2(num);
  for (int k = 0; k < num; ++k) {
    const int i = indices ? indices[k] : k;
    y1[k] = n.scale * (x1[i] - n.c1);
    y2[k] = n.scale * (x2[i] - n.c2);
  }
  // F_norm = T2^-T F T1^-1  (x2^T F x1 = y2^T F_norm y1).
  const Eigen::Matrix3d Fn = n.T2().inverse().transpose() * (*F) * n.T1().inverse();
  if (!Fn.allFinite() || Fn.norm() == 0.0) {
    s.message = "F is not finite or zero";
    return s;
  }
  FundamentalParam p = FundamentalParam::from_matrix(Fn / Fn.norm());
  RefineOptions scaled = options;
  scaled.loss_scale = options.loss_scale * n.scale;
  s = lm_sampson<7>(y1.data(), y2.data(), nullptr, num, weights, scaled, &p);
  const double to_px2 = 1.0 / (n.scale * n.scale);
  s.initial_cost *= to_px2;
  s.final_cost *= to_px2;
  if (s.success) {
    Eigen::Matrix3d out = n.T2().transpose() * p.matrix() * n.T1();
    *F = out / out.norm();
  }
  return s;
}
}  // namespace detail

void RefineOptions::validate() const {
  if (max_iterations < 1) {
    throw std::invalid_argument("RefineOptions::max_iterations must be >= 1, got " +
                                std::to_string(max_iterations));
  }
  if (!(loss_scale > 0.0) || !std::isfinite(loss_scale)) {
    throw std::invalid_argument("RefineOptions::loss_scale must be finite and > 0, got " +
                                std::to_string(loss_scale));
  }
  if (!(function_tolerance >= 0.0)) {
    throw std::invalid_argument("RefineOptions::function_tolerance must be >= 0, got " +
                                std::to_string(function_tolerance));
  }
  if (!(initial_lambda > 0.0) || !std::isfinite(initial_lambda)) {
    throw std::invalid_argument("RefineOptions::initial_lambda must be finite and > 0, got " +
                                std::to_string(initial_lambda));
  }
}

namespace detail {

RefineSummary refine_relative_pose(const Eigen::Vector2d* normalized1, const Eigen::Vector2d* normalized2,
                                   int num, const std::vector<char>& inlier_mask,
                                   camera::Rigid3d* cam2_from_cam1, const RefineOptions& options) {
  const std::vector<int> idx = mask_indices(inlier_mask, static_cast<std::size_t>(num));
  Eigen::Matrix3d R = cam2_from_cam1->rotation_matrix();
  Eigen::Vector3d t = cam2_from_cam1->translation;
  if (!(t.norm() > 0.0) || !t.allFinite() || !R.allFinite()) {
    RefineSummary s;
    s.message = "cam2_from_cam1 has a zero or non-finite translation";
    return s;
  }
  const RefineSummary s = refine_essential_lm(normalized1, normalized2, idx.data(),
                                              static_cast<int>(idx.size()), nullptr, options, &R, &t);
  if (s.success) *cam2_from_cam1 = camera::Rigid3d::from_matrix(R, t);
  return s;
}

}  // namespace detail

RefineSummary refine_relative_pose(const ConstPointsRef& normalized1, const ConstPointsRef& normalized2,
                                   const std::vector<char>& inlier_mask,
                                   camera::Rigid3d* cam2_from_cam1,
                                   const RefineOptions& options) {
  options.validate();
  std::vector<Eigen::Vector2d> x1, x2;
  detail::load_correspondences("refine_relative_pose", "refine_relative_pose: normalized1",
                               "refine_relative_pose: normalized2", normalized1, normalized2, inlier_mask, &x1, &x2);
  return detail::refine_relative_pose(x1.data(), x2.data(), static_cast<int>(x1.size()), inlier_mask,
                                      cam2_from_cam1, options);
}

RefineSummary refine_fundamental(const ConstPointsRef& points1_px, const ConstPointsRef& points2_px,
                                 const std::vector<char>& inlier_mask, Eigen::Matrix3d* F,
                                 const RefineOptions& options) {
  options.validate();
  std::vector<Eigen::Vector2d> x1, x2;
  detail::load_correspondences("refine_fundamental", "refine_fundamental: points1_px",
                               "refine_fundamental: points2_px", points1_px, points2_px, inlier_mask, &x1, &x2);
  const std::vector<int> idx = detail::mask_indices(inlier_mask, x1.size());
  return detail::refine_fundamental_lm(x1.data(), x2.data(), idx.data(), static_cast<int>(idx.size()),
                                       nullptr, options, F);
}

}  // namespace crossview::epipolar
