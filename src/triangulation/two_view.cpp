// crossview: optimal two-view correction (see two_view.hpp).
#include <crossview/triangulation/two_view.hpp>

#include <crossview/triangulation/detail/polynomial.hpp>

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <limits>

namespace crossview::triangulation {

Eigen::Matrix3d fundamental_from_cameras(const camera::Camera& camera1,
                                         const camera::Camera& camera2) {
  const camera::Rigid3d cam2_from_cam1 = camera2.cam_from_world * camera1.cam_from_world.inverse();
  const Eigen::Vector3d& t = cam2_from_cam1.translation;
  Eigen::Matrix3d tx;
  tx << 0.0, -t.z(), t.y(), t.z(), 0.0, -t.x(), -t.y(), t.x(), 0.0;
  const Eigen::Matrix3d E = tx * cam2_from_cam1.rotation_matrix();
  const Eigen::Matrix3d K1_inv = camera1.calibration_matrix().inverse();
  const Eigen::Matrix3d K2_inv = camera2.calibration_matrix().inverse();
  Eigen::Matrix3d F = K2_inv.transpose() * E * K1_inv;
  const double norm = F.norm();
  if (norm > 0.0 && std::isfinite(norm)) F /= norm;
  return F;
}

namespace detail {
namespace {

/// Null vector of a (nearly) rank-2 3x3 matrix from the largest cross product
/// of two of its rows.
Eigen::Vector3d null_vector_from_rows(const Eigen::Matrix3d& M) {
  const Eigen::Vector3d c01 = M.row(0).transpose().cross(M.row(1).transpose());
  const Eigen::Vector3d c02 = M.row(0).transpose().cross(M.row(2).transpose());
  const Eigen::Vector3d c12 = M.row(1).transpose().cross(M.row(2).transpose());
  const double n01 = c01.squaredNorm(), n02 = c02.squaredNorm(), n12 = c12.squaredNorm();
  if (n01 >= n02 && n01 >= n12) return c01;
  if (n02 >= n12) return c02;
  return c12;
}

/// Rotation about the origin taking the epipole e to (1, 0, f); returns f, or
/// NaN when e lies at the origin (the point is its own epipole).
double epipole_rotation(const Eigen::Vector3d& e, Eigen::Matrix3d* R) {
  // Scaled by the larger of |e.x|, |e.y| first: the squares below can then
  // neither overflow nor underflow (cheaper than std::hypot).
  const double m = std::max(std::abs(e.x()), std::abs(e.y()));
  if (!(m > 0.0) || !std::isfinite(m)) return std::numeric_limits<double>::quiet_NaN();
  const double ex = e.x() / m, ey = e.y() / m;
  const double h = std::sqrt(ex * ex + ey * ey);
  const double cx = ex / h, sy = ey / h;
  *R << cx, sy, 0.0, -sy, cx, 0.0, 0.0, 0.0, 1.0;
  return (e.z() / m) / h;
}

}  // namespace
}  // namespace detail

CorrectedMatch correct_matches_optimal(const Eigen::Matrix3d& F, const Eigen::Vector2d& x1,
                                       const Eigen::Vector2d& x2) {
  CorrectedMatch out;
  if (!F.allFinite() || !x1.allFinite() || !x2.allFinite()) return out;
  // Move both observations to the origin: F' = T2^-T F T1^-1.
  Eigen::Matrix3d Fp = F;
  Fp.col(2) = F * x1.homogeneous();
  Fp.row(2) += x2.x() * Fp.row(0) + x2.y() * Fp.row(1);
  const double fnorm = Fp.norm();
  if (!(fnorm > 0.0) || !std::isfinite(fnorm)) return out;
  Fp /= fnorm;
  const Eigen::Vector3d e1 = detail::null_vector_from_rows(Fp);
  const Eigen::Vector3d e2 = detail::null_vector_from_rows(Fp.transpose());
  Eigen::Matrix3d R1, R2;
  const double f1 = detail::epipole_rotation(e1, &R1);
  const double f2 = detail::epipole_rotation(e2, &R2);
  if (!std::isfinite(f1) || !std::isfinite(f2)) {
    // An observation sits exactly on its epipole: every epipolar line passes
    // through it, so the observations already satisfy the constraint.
    out.x1_px = x1;
    out.x2_px = x2;
    out.squared_error_px2 = 0.0;
    out.valid = true;
    return out;
  }
  const Eigen::Matrix3d Fpp = R2 * Fp * R1.transpose();
  const double a = Fpp(1, 1), b = Fpp(1, 2), c = Fpp(2, 1), d = Fpp(2, 2);
  const double f = f1, fp = f2;
  const double ff = f * f, fpfp = fp * fp;

  // g(t) = t ((a t + b)^2 + f'^2 (c t + d)^2)^2 - (a d - b c) (1 + f^2 t^2)^2 (a t + b)(c t + d)
  const double A2 = a * a + fpfp * c * c, A1 = 2.0 * (a * b + fpfp * c * d),
               A0 = b * b + fpfp * d * d;
  // A^2 (ascending, degree 4)
  const double Q0 = A0 * A0, Q1 = 2.0 * A0 * A1, Q2 = A1 * A1 + 2.0 * A0 * A2, Q3 = 2.0 * A1 * A2,
               Q4 = A2 * A2;
  const double k = a * d - b * c;
  const double C2 = a * c, C1 = a * d + b * c, C0 = b * d;
  // B = 1 + 2 f^2 t^2 + f^4 t^4; B*C, degree 6
  const double B2 = 2.0 * ff, B4 = ff * ff;
  const double BC0 = C0, BC1 = C1, BC2 = C2 + B2 * C0, BC3 = B2 * C1, BC4 = B2 * C2 + B4 * C0,
               BC5 = B4 * C1, BC6 = B4 * C2;
  double g[7];
  g[0] = -k * BC0;
  g[1] = Q0 - k * BC1;
  g[2] = Q1 - k * BC2;
  g[3] = Q2 - k * BC3;
  g[4] = Q3 - k * BC4;
  g[5] = Q4 - k * BC5;
  g[6] = -k * BC6;

  auto cost = [&](double t) {
    const double at_b = a * t + b, ct_d = c * t + d;
    const double den2 = at_b * at_b + fpfp * ct_d * ct_d;
    const double term2 = den2 > 0.0 ? ct_d * ct_d / den2 : 0.0;
    return t * t / (1.0 + ff * t * t) + term2;
  };

  // Balance the polynomial: t = s tau with s the geometric mean of the root
  // magnitudes, so that f^2 t^2 ~ 1 and no coefficient underflows the
  // relative trimming of the root finder (pixels make f ~ 1e-3).
  // Coefficients below 1e-10 x the largest (e.g. g0 ~ 0 for noise-free
  // observations, where t = 0 is a root) do not set the scale.
  double gmax = 0.0;
  for (double v : g) gmax = std::max(gmax, std::abs(v));
  int lo = 0, hi = 6;
  while (lo < 6 && !(std::abs(g[lo]) > 1e-10 * gmax)) ++lo;
  while (hi > 0 && !(std::abs(g[hi]) > 1e-10 * gmax)) --hi;
  double s = 1.0;
  if (hi > lo) {
    // s ~ (|g_lo| / |g_hi|)^(1 / (hi - lo)), rounded to a power of two so
    // that the scaling below is exact (and needs no pow).
    const double ratio = std::abs(g[lo]) / std::abs(g[hi]);
    if (ratio > 0.0 && std::isfinite(ratio)) {
      const int e = detail::binary_exponent(ratio);
      const int n = hi - lo;
      const int q = e >= 0 ? (e + n / 2) / n : -((-e + n / 2) / n);  // round(e / n)
      s = detail::power_of_two(q);
    }
  }
  double h[7];
  double si = 1.0, hmax = 0.0;
  for (int i = 0; i <= 6; ++i) {
    h[i] = g[i] * si;
    si *= s;
    hmax = std::max(hmax, std::abs(h[i]));
  }
  if (!(hmax > 0.0) || !std::isfinite(hmax)) return out;
  for (double& v : h) v /= hmax;
  // The bracketed roots need only be good to 1e-9 x the root bound: the
  // Newton steps below, on the better-conditioned factored g, take them from
  // there to rounding in one or two steps (quadratic convergence).
  constexpr double kBracketTolerance = 1e-6;
  double roots[6];
  const int num_roots = detail::real_roots_sturm(h, 6, roots, kBracketTolerance);
  // Newton polish on the factored form of g (more accurate than the expanded
  // coefficients when they cancel).
  auto g_and_derivative = [&](double t, double* gv, double* dg) {
    const double A = (A2 * t + A1) * t + A0, dA = 2.0 * A2 * t + A1;
    const double q = 1.0 + ff * t * t;
    const double B = q * q, dB = 4.0 * q * ff * t;
    const double C = (C2 * t + C1) * t + C0, dC = 2.0 * C2 * t + C1;
    *gv = t * A * A - k * B * C;
    *dg = A * A + 2.0 * t * A * dA - k * (dB * C + B * dC);
  };
  for (int i = 0; i < num_roots; ++i) {
    double t = roots[i] * s;
    double gv, dg;
    g_and_derivative(t, &gv, &dg);
    for (int it = 0; it < 3; ++it) {
      if (!(dg != 0.0)) break;
      const double tn = t - gv / dg;
      double gn, dgn;
      g_and_derivative(tn, &gn, &dgn);
      if (!(std::abs(gn) < std::abs(gv))) break;
      const double step = std::abs(tn - t);
      t = tn;
      gv = gn;
      dg = dgn;
      // Quadratic convergence: after a step of 1e-10 |t| the next one would
      // be ~1e-20 |t|, below rounding.
      if (step <= 1e-10 * std::abs(t)) break;
    }
    roots[i] = t;
  }
  double best_t = 0.0;
  double best_cost = std::numeric_limits<double>::infinity();
  bool best_is_infinity = false;
  for (int i = 0; i < num_roots; ++i) {
    const double ci = cost(roots[i]);
    if (ci < best_cost) {
      best_cost = ci;
      best_t = roots[i];
    }
  }
  // Also t = 0 is cheap insurance against a lost root when g(0) ~ 0.
  {
    const double c0 = cost(0.0);
    if (c0 < best_cost) {
      best_cost = c0;
      best_t = 0.0;
    }
  }
  if (ff > 0.0) {
    const double den = a * a + fpfp * c * c;
    const double c_inf = 1.0 / ff + (den > 0.0 ? c * c / den : 0.0);
    if (c_inf < best_cost) {
      best_cost = c_inf;
      best_is_infinity = true;
    }
  }
  if (!std::isfinite(best_cost)) return out;

  // Epipolar lines through the chosen parameter (in the rotated frames).
  Eigen::Vector3d l1, l2;
  if (best_is_infinity) {
    l1 = Eigen::Vector3d(f, 0.0, -1.0);
    l2 = Eigen::Vector3d(Fpp(0, 1), Fpp(1, 1), Fpp(2, 1));
  } else {
    l1 = Eigen::Vector3d(best_t * f, 1.0, -best_t);
    l2 = Fpp * Eigen::Vector3d(0.0, best_t, 1.0);
  }
  auto foot = [](const Eigen::Vector3d& l) {
    return Eigen::Vector3d(-l.x() * l.z(), -l.y() * l.z(), l.x() * l.x() + l.y() * l.y());
  };
  const Eigen::Vector3d p1 = R1.transpose() * foot(l1);
  const Eigen::Vector3d p2 = R2.transpose() * foot(l2);
  if (!(std::abs(p1.z()) > 0.0) || !(std::abs(p2.z()) > 0.0)) return out;
  out.x1_px = x1 + p1.head<2>() / p1.z();
  out.x2_px = x2 + p2.head<2>() / p2.z();
  out.squared_error_px2 = (out.x1_px - x1).squaredNorm() + (out.x2_px - x2).squaredNorm();
  out.valid = out.x1_px.allFinite() && out.x2_px.allFinite();
  out.converged = out.valid;
  return out;
}

CorrectedMatch correct_matches_niter2(const Eigen::Matrix3d& F, const Eigen::Vector2d& x1,
                                      const Eigen::Vector2d& x2, int iterations) {
  CorrectedMatch out;
  if (!F.allFinite() || !x1.allFinite() || !x2.allFinite()) return out;
  // Constraint q(x1, x2) = x2^T F x1; its gradients w.r.t. x1 and x2 are
  // n1 = (F^T x2)_{0:2} and n2 = (F x1)_{0:2}; Ft = top-left 2x2 of F.
  const Eigen::Vector3d h1 = x1.homogeneous(), h2 = x2.homogeneous();
  const Eigen::Vector3d Fx1 = F * h1;
  const Eigen::Vector3d Ftx2 = F.transpose() * h2;
  const Eigen::Matrix2d Ft = F.topLeftCorner<2, 2>();
  const Eigen::Vector2d n1_0 = Ftx2.head<2>(), n2_0 = Fx1.head<2>();
  const double c = h2.dot(Fx1);
  Eigen::Vector2d n1 = n1_0, n2 = n2_0;
  Eigen::Vector2d d1 = Eigen::Vector2d::Zero(), d2 = Eigen::Vector2d::Zero();
  for (int it = 0; it < iterations; ++it) {
    // Move x1 -> x1 - lambda n1, x2 -> x2 - lambda n2 and solve
    //   c - lambda (n1.n1_0 + n2.n2_0) + lambda^2 n2^T Ft n1 = 0
    // for the root closest to zero.
    const double bq = 0.5 * (n1.dot(n1_0) + n2.dot(n2_0));
    const double aq = n2.dot(Ft * n1);
    const double disc = std::max(0.0, bq * bq - aq * c);
    const double den = bq + std::copysign(std::sqrt(disc), bq);
    if (!(std::abs(den) > 0.0)) break;
    const double lambda = c / den;
    d1 = lambda * n1;
    d2 = lambda * n2;
    // Gradients at the corrected points for the next iteration.
    n1 = n1_0 - Ft.transpose() * d2;
    n2 = n2_0 - Ft * d1;
  }
  out.x1_px = x1 - d1;
  out.x2_px = x2 - d2;
  out.squared_error_px2 = d1.squaredNorm() + d2.squaredNorm();
  out.valid = out.x1_px.allFinite() && out.x2_px.allFinite();
  // Stationarity (Lagrange) residual at the result: at the optimum the
  // corrections are parallel to the constraint gradients at the corrected
  // points, (d1, d2) = lambda (n1, n2). Its norm r (px) is about the size of
  // the next step along the constraint; since the error is stationary there,
  // the reprojection error e is then off by ~ r^2 / (2 e).
  const double nn = n1.squaredNorm() + n2.squaredNorm();
  double residual = 0.0;
  if (nn > 0.0) {
    const double lambda_fit = (d1.dot(n1) + d2.dot(n2)) / nn;
    residual = std::sqrt((d1 - lambda_fit * n1).squaredNorm() + (d2 - lambda_fit * n2).squaredNorm());
  }
  const double e = std::sqrt(out.squared_error_px2);
  out.converged = out.valid && residual * residual <= 2e-8 * std::max(e, residual);
  return out;
}

bool intersect_two_rays(const Eigen::Vector3d& center1, const Eigen::Vector3d& dir1,
                        const Eigen::Vector3d& center2, const Eigen::Vector3d& dir2,
                        Eigen::Vector3d* point, double* depth1,
                        double* depth2) {
  const Eigen::Vector3d w = center1 - center2;
  const double a = dir1.dot(dir1), b = dir1.dot(dir2), c = dir2.dot(dir2);
  const double d = dir1.dot(w), e = dir2.dot(w);
  const double den = a * c - b * b;
  if (!(den > 1e-24 * a * c)) return false;
  const double s1 = (b * e - c * d) / den;
  const double s2 = (a * e - b * d) / den;
  const Eigen::Vector3d p = 0.5 * ((center1 + s1 * dir1) + (center2 + s2 * dir2));
  if (!p.allFinite()) return false;
  *point = p;
  if (depth1 != nullptr) *depth1 = s1;
  if (depth2 != nullptr) *depth2 = s2;
  return true;
}

}  // namespace crossview::triangulation
