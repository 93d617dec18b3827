// crossview: real roots of small real polynomials by Sturm sequences.
//
// Used by the optimal two-view correction (degree 6) and the 5-point essential
// solver (degree 10). Roots are isolated with a
// Sturm sequence (exact count of distinct real roots in an interval, up to
// rounding) and recursive bisection, then polished by a safeguarded
// Laguerre / Illinois / geometric-bisection iteration on the bracket.
// Everything is on the stack; the number of bisection and polishing steps is
// bounded.
//
// Internal (detail::): declared here because tests call real_roots_sturm
// directly; the definitions are compiled once in src/triangulation/polynomial.cpp.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace crossview::triangulation::detail {

/// 2^q for any int q (clamped to 2^-1074 .. infinity), exactly. Built from the
/// bit pattern in the normal range (std::ldexp is a library call).
inline double power_of_two(int q) {
  if (q < -1022 || q > 1023) return std::ldexp(1.0, q);
  const std::uint64_t bits = static_cast<std::uint64_t>(q + 1023) << 52;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

/// e with |x| = m 2^e, m in [0.5, 1) (std::frexp's exponent), for finite
/// nonzero x; read from the bit pattern for normal numbers.
inline int binary_exponent(double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int biased = static_cast<int>((bits >> 52) & 0x7ff);
  if (biased == 0 || biased == 0x7ff) {
    int e = 0;
    static_cast<void>(std::frexp(x, &e));
    return e;
  }
  return biased - 1022;
}

/// Maximum supported degree.
constexpr int kMaxPolynomialDegree = 10;

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
  /// Coefficients by power: by_power[i][k] = coefficient i of the member p_k, zero
  /// above degree[k] and for k >= size. sign_changes() evaluates every member in
  /// one Horner pass over the powers, kLanes values side by side (vectorised),
  /// instead of one dependent Horner chain per member.
  static constexpr int kLanes = kMaxPolynomialDegree + 2;  // even: whole SSE2 vectors
  alignas(16) std::array<std::array<double, kLanes>, kMaxPolynomialDegree + 1> by_power;
  std::array<int, kMaxPolynomialDegree + 1> degree;
  int size = 0;

  /// Builds p0 = c, p1 = c', p_{k+1} = -rem(p_{k-1}, p_k). A remainder whose
  /// coefficients are all below `relative_zero` times the previous polynomial's
  /// scale is treated as zero (multiple roots): the sequence stops there.
  void build(const double* c, int deg);

  /// Number of sign changes of the sequence at x. The values are those of
  /// Horner's rule on each member (leading zero coefficients only add exact
  /// zeros), so the count is the same as member-by-member evaluation.
  int sign_changes(double x) const;

  /// Numbers of sign changes at -infinity and +infinity: from the signs of the
  /// leading coefficients (times (-1)^degree at -infinity), exactly. Equal to
  /// sign_changes(x) beyond every real root of p0 (the count only changes at
  /// those roots).
  void sign_changes_at_infinity(int* at_minus, int* at_plus) const;
};

/// Root of c in (lo, hi) where c(lo), c(hi) have opposite signs (or one is 0):
/// Laguerre steps kept inside the shrinking bracket, Illinois (modified regula
/// falsi) otherwise; whenever two steps fail to halve the bracket and the last
/// step is not below a quarter of the one before (converging from one side), a
/// bisection step, geometric when the bracket spans more than a factor 4 on one
/// side of zero (roots of very different magnitudes: O(log log) instead of
/// O(log) steps to the right binade). Stops when the bracket or a Laguerre step
/// is below max(abs_tolerance, rel_tolerance |x|). At most 100 iterations.
double polish_root_in_bracket(const double* c, int degree, double lo, double hi,
                              double abs_tolerance = 0.0, double rel_tolerance = 0.0);

/// All distinct real roots of sum c[i] x^i (degree <= kMaxPolynomialDegree),
/// written to `roots` (capacity >= degree), ascending. Returns their number.
/// Leading coefficients below 1e-14 x the largest are dropped (their roots lie
/// beyond ~1e14 x the coefficient scale; callers treat x = +-infinity
/// separately). Bounded: at most 64 bisection levels per root. Intervals on one
/// side of zero that span more than a factor 4 are split at the geometric mean
/// of their ends (the lower end taken at least at the reciprocal polynomial's
/// root bound, below which no root lies), others at the midpoint.
/// Each isolated root x is polished in its bracket to a tolerance of
/// `relative_tolerance` |x| (at least 1e-15 x the root bound). The default
/// polishes to rounding; a caller that Newton-polishes on its own,
/// better-conditioned form of the function may stop earlier, e.g. at 1e-9,
/// and save most of the polishing.
int real_roots_sturm(const double* coeffs, int degree, double* roots,
                     double relative_tolerance = 0.0);

}  // namespace crossview::triangulation::detail
