// crossview: real roots of small univariate polynomials (internal).
//
// Coefficients are stored lowest degree first: p(x) = c[0] + c[1] x + ... + c[n] x^n.
// Used by the 7-point (cubic) and 5-point (degree 10, Sturm bisection) solvers.
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

/// Real roots of a polynomial of degree <= N (lowest first) by Sturm-sequence
/// bisection + safeguarded Newton. Multiple roots are reported once. The search is
/// bounded by Fujiwara's root bound and a fixed iteration budget (`kMaxBisections`
/// halvings per isolation, `kMaxRefine` refinement steps per root).
/// Returns the number of roots written to `roots` (at most N).
template <int N>
int solve_polynomial_sturm(const double* coefficients, double* roots) {
  constexpr int kMaxBisections = 64;
  constexpr int kMaxRefine = 100;
  // Trim leading (near-)zero coefficients.
  int n = N;
  double max_abs = 0.0;
  for (int i = 0; i <= N; ++i) max_abs = std::max(max_abs, std::abs(coefficients[i]));
  if (!(max_abs > 0.0) || !std::isfinite(max_abs)) return 0;
  while (n > 0 && std::abs(coefficients[n]) <= 1e-14 * max_abs) --n;
  if (n == 0) return 0;
  // Monic copy.
  std::array<std::array<double, N + 1>, N + 1> chain{};
  std::array<int, N + 1> degree{};
  for (int i = 0; i <= n; ++i) chain[0][i] = coefficients[i] / coefficients[n];
  degree[0] = n;
  for (int i = 1; i <= n; ++i) chain[1][i - 1] = chain[0][i] * i / n;  // p'/n (monic)
  degree[1] = n - 1;
  int length = 2;
  // Sturm chain: p_{k+1} = -rem(p_{k-1}, p_k).
  while (degree[length - 1] > 0 && length <= N) {
    const auto& a = chain[length - 2];
    const auto& b = chain[length - 1];
    const int da = degree[length - 2];
    const int db = degree[length - 1];
    std::array<double, N + 1> r{};
    for (int i = 0; i <= da; ++i) r[i] = a[i];
    const double lead_b = b[db];
    for (int k = da - db; k >= 0; --k) {
      const double factor = r[k + db] / lead_b;
      for (int i = 0; i <= db; ++i) r[k + i] -= factor * b[i];
      r[k + db] = 0.0;
    }
    int dr = db - 1;
    double scale = 0.0;
    for (int i = 0; i <= db; ++i) scale = std::max(scale, std::abs(b[i]));
    while (dr >= 0 && std::abs(r[dr]) <= 1e-15 * scale) --dr;
    if (dr < 0) break;  // exact divisor: repeated roots, chain ends here
    auto& out = chain[length];
    for (int i = 0; i <= dr; ++i) out[i] = -r[i];
    degree[length] = dr;
    ++length;
  }
  auto sign_changes = [&](double x) {
    int changes = 0;
    double previous = 0.0;
    for (int k = 0; k < length; ++k) {
      const double v = evaluate(chain[k].data(), degree[k], x);
      if (v == 0.0) continue;
      if (previous != 0.0 && ((v < 0.0) != (previous < 0.0))) ++changes;
      previous = v;
    }
    return changes;
  };
  // Fujiwara's bound on the root magnitudes of the monic polynomial.
  double bound = 0.0;
  for (int k = 1; k <= n; ++k) {
    const double ck = std::abs(chain[0][n - k]) / (k == n ? 2.0 : 1.0);
    bound = std::max(bound, std::pow(ck, 1.0 / k));
  }
  bound = 2.0 * bound + 1e-12;
  const double* p = chain[0].data();
  int num_roots = 0;
  // Explicit stack of intervals (lo, hi, changes_lo, changes_hi, depth).
  struct Interval {
    double lo, hi;
    int s_lo, s_hi, depth;
  };
  std::array<Interval, 2 * kMaxBisections + 2 * N + 4> stack{};
  int top = 0;
  stack[top++] = {-bound, bound, sign_changes(-bound), sign_changes(bound), 0};
  while (top > 0 && num_roots < N) {
    const Interval iv = stack[--top];
    const int count = iv.s_lo - iv.s_hi;
    if (count <= 0) continue;
    if (count == 1) {
      // One root in (lo, hi]: bracketed Newton with bisection fallback.
      double lo = iv.lo;
      double hi = iv.hi;
      double f_lo = evaluate(p, n, lo);
      double f_hi = evaluate(p, n, hi);
      if (f_hi == 0.0) {
        roots[num_roots++] = hi;
        continue;
      }
      if ((f_lo < 0.0) == (f_hi < 0.0)) {
        // No sign change (root of even multiplicity or numerically lost): bisect on
        // the Sturm count instead.
        for (int it = 0; it < kMaxBisections && hi - lo > 1e-15 * std::max(1.0, std::abs(hi));
             ++it) {
          const double mid = 0.5 * (lo + hi);
          if (sign_changes(mid) == iv.s_hi) {
            hi = mid;
          } else {
            lo = mid;
          }
        }
        roots[num_roots++] = 0.5 * (lo + hi);
        continue;
      }
      double x = 0.5 * (lo + hi);
      for (int it = 0; it < kMaxRefine; ++it) {
        double fx = 0.0;
        double dfx = 0.0;
        evaluate_with_derivative(p, n, x, &fx, &dfx);
        if (fx == 0.0) break;
        if ((fx < 0.0) == (f_lo < 0.0)) {
          lo = x;
        } else {
          hi = x;
        }
        double next = (dfx != 0.0) ? x - fx / dfx : 0.5 * (lo + hi);
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        const double step = std::abs(next - x);
        x = next;
        if (step <= 1e-15 * std::max(1.0, std::abs(x))) break;
      }
      roots[num_roots++] = x;
      continue;
    }
    if (iv.depth >= kMaxBisections || iv.hi - iv.lo <= 1e-15 * std::max(1.0, std::abs(iv.hi))) {
      // Cluster of roots closer than the resolution: report one.
      roots[num_roots++] = 0.5 * (iv.lo + iv.hi);
      continue;
    }
    const double mid = 0.5 * (iv.lo + iv.hi);
    const int s_mid = sign_changes(mid);
    if (top + 2 > static_cast<int>(stack.size())) break;
    stack[top++] = {iv.lo, mid, iv.s_lo, s_mid, iv.depth + 1};
    stack[top++] = {mid, iv.hi, s_mid, iv.s_hi, iv.depth + 1};
  }
  return num_roots;
}

}  // namespace crossview::epipolar::detail
