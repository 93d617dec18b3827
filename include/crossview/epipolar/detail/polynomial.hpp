// crossview: real roots of small univariate polynomials (internal).
//
// Coefficients are stored lowest degree first: p(x) = c[0] + c[1] x + ... + c[n] x^n.
// Used by the 7-point (cubic) solver and for evaluations in the 5-point solver (whose
// degree-10 polynomial goes to the Sturm root finder in
// crossview/triangulation/detail/polynomial.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace crossview::epipolar::detail {

/// Horner evaluation of p (degree n, lowest first) and of its derivative.
inline void evaluate_with_derivative(const double* c, int n, double x, double* value,
                                     double* derivative) {
  double p = c[n];
  double dp = 0.0;
  for (int i = n - 1; i >= 0; --i) {
    dp = dp * x + p;
    p = p * x + c[i];
  }
  *value = p;
  *derivative = dp;
}

inline double evaluate(const double* c, int n, double x) {
  double p = c[n];
  for (int i = n - 1; i >= 0; --i) p = p * x + c[i];
  return p;
}

/// A few Newton steps on p starting at x; keeps x if a step does not reduce |p|.
inline double polish_root(const double* c, int n, double x, int max_iterations = 3) {
  double value = 0.0;
  double derivative = 0.0;
  evaluate_with_derivative(c, n, x, &value, &derivative);
  for (int it = 0; it < max_iterations && value != 0.0; ++it) {
    if (derivative == 0.0 || !std::isfinite(derivative)) break;
    const double candidate = x - value / derivative;
    double cv = 0.0;
    double cd = 0.0;
    evaluate_with_derivative(c, n, candidate, &cv, &cd);
    if (!(std::abs(cv) < std::abs(value))) break;
    x = candidate;
    value = cv;
    derivative = cd;
  }
  return x;
}

/// Real roots of c0 + c1 x + c2 x^2 (c2 may be 0). Returns the count (0, 1 or 2).
inline int solve_quadratic_real(double c0, double c1, double c2, double* roots) {
  if (c2 == 0.0) {
    if (c1 == 0.0) return 0;
    roots[0] = -c0 / c1;
    return 1;
  }
  const double disc = c1 * c1 - 4.0 * c2 * c0;
  if (disc < 0.0) return 0;
  // Numerically stable form (no cancellation).
  const double q = -0.5 * (c1 + std::copysign(std::sqrt(disc), c1));
  if (q == 0.0) {
    roots[0] = 0.0;
    return 1;
  }
  roots[0] = q / c2;
  roots[1] = c0 / q;
  return 2;
}

/// Real roots of c0 + c1 x + c2 x^2 + c3 x^3 with c3 != 0 (closed form, trigonometric
/// for three real roots, Cardano otherwise), each polished by Newton steps.
/// Returns the count (1 to 3).
inline int solve_cubic_real(double c0, double c1, double c2, double c3, double* roots) {
  const double a = c2 / c3;
  const double b = c1 / c3;
  const double c = c0 / c3;
  // Depressed cubic t^3 + p t + q with x = t - a/3.
  const double a3 = a / 3.0;
  const double p = b - a * a3;
  const double q = 2.0 * a3 * a3 * a3 - a3 * b + c;
  const double disc = 0.25 * q * q + p * p * p / 27.0;
  int count = 0;
  if (disc < 0.0) {
    // Three real roots (p < 0 here).
    const double r = std::sqrt(-p / 3.0);
    const double arg = std::clamp(-0.5 * q / (r * r * r), -1.0, 1.0);
    const double phi = std::acos(arg) / 3.0;
    constexpr double kTwoPiOver3 = 2.0943951023931954923;
    roots[0] = 2.0 * r * std::cos(phi) - a3;
    roots[1] = 2.0 * r * std::cos(phi - kTwoPiOver3) - a3;
    roots[2] = 2.0 * r * std::cos(phi + kTwoPiOver3) - a3;
    count = 3;
  } else {
    const double s = std::sqrt(disc);
    const double u = std::cbrt(-0.5 * q + s);
    const double v = std::cbrt(-0.5 * q - s);
    roots[0] = u + v - a3;
    count = 1;
  }
  const double coeffs[4] = {c0, c1, c2, c3};
  for (int i = 0; i < count; ++i) roots[i] = polish_root(coeffs, 3, roots[i]);
  return count;
}

}  // namespace crossview::epipolar::detail
