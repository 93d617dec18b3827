// crossview: real roots of small real polynomials by Sturm sequences.
//
// Used by the optimal two-view correction (degree 6). Roots are isolated with a
// Sturm sequence (exact count of distinct real roots in an interval, up to
// rounding) and recursive bisection, then polished by a safeguarded
// Newton-bisection iteration on the bracket. Everything is on the stack; the
// number of bisection / Newton steps is bounded.
//
// Internal (detail::): declared here because tests call real_roots_sturm
// directly; the definitions are compiled once in src/triangulation/polynomial.cpp.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace crossview::triangulation::detail {

/// Maximum supported degree.
constexpr int kMaxPolynomialDegree = 8;

/// Horner evaluation of sum c[i] x^i, i = 0..degree.
inline double poly_eval(const double* c, int degree, double x) {
  double v = c[degree];
  for (int i = degree - 1; i >= 0; --i) v = v * x + c[i];
  return v;
}

/// Value and derivative.
inline void poly_eval_derivative(const double* c, int degree, double x, double* value,
                                 double* derivative) {
  double v = c[degree];
  double d = 0.0;
  for (int i = degree - 1; i >= 0; --i) {
    d = d * x + v;
    v = v * x + c[i];
  }
  *value = v;
  *derivative = d;
}

/// Sturm sequence of a polynomial (ascending coefficients).
struct SturmSequence {
  std::array<std::array<double, kMaxPolynomialDegree + 1>, kMaxPolynomialDegree + 1> p{};
  std::array<int, kMaxPolynomialDegree + 1> degree{};
  int size = 0;

  /// Builds p0 = c, p1 = c', p_{k+1} = -rem(p_{k-1}, p_k). A remainder whose
  /// coefficients are all below `relative_zero` times the previous polynomial's
  /// scale is treated as zero (multiple roots): the sequence stops there.
  void build(const double* c, int deg);

  /// Number of sign changes of the sequence at x.
  int sign_changes(double x) const;
};

/// Root of c in (lo, hi) where c(lo), c(hi) have opposite signs (or one is 0):
/// Newton steps kept inside the shrinking bracket, bisection otherwise.
double polish_root_in_bracket(const double* c, int degree, double lo, double hi,
                              double abs_tolerance = 0.0);

/// All distinct real roots of sum c[i] x^i (degree <= kMaxPolynomialDegree),
/// written to `roots` (capacity >= degree), ascending. Returns their number.
/// Leading coefficients below 1e-14 x the largest are dropped (their roots lie
/// beyond ~1e14 x the coefficient scale; callers treat x = +-infinity
/// separately). Bounded: at most 64 bisection levels per root.
int real_roots_sturm(const double* coeffs, int degree, double* roots);

}  // namespace crossview::triangulation::detail
