// crossview: Sturm-sequence real-root isolation (see detail/polynomial.hpp).
#include <crossview/triangulation/detail/polynomial.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace crossview::triangulation::detail {

void SturmSequence::build(const double* c, int deg) {
  constexpr double kRelativeZero = 1e-15;
  auto& q = by_power;  // q[i][k]: coefficient i of p_k
  for (auto& row : q) row.fill(0.0);
  for (int i = 0; i <= deg; ++i) q[i][0] = c[i];
  degree[0] = deg;
  size = 1;
  if (deg > 0) {
    for (int i = 1; i <= deg; ++i) q[i - 1][1] = c[i] * i;
    degree[1] = deg - 1;
    size = 2;
  }
  while (size >= 2 && degree[size - 1] > 0 && size <= kMaxPolynomialDegree) {
    const int a = size - 2;
    const int b = size - 1;
    const int da = degree[a];
    const int db = degree[b];
    // Long division r = p_a mod p_b.
    double r[kMaxPolynomialDegree + 1];
    double scale = 0.0;
    for (int i = 0; i <= da; ++i) {
      r[i] = q[i][a];
      scale = std::max(scale, std::abs(r[i]));
    }
    const double inv_lead = 1.0 / q[db][b];
    for (int k = da - db; k >= 0; --k) {
      const double quotient = r[k + db] * inv_lead;
      // r[k + db] becomes zero and is not read again.
      for (int i = 0; i < db; ++i) r[k + i] -= quotient * q[i][b];
    }
    int dr = db - 1;
    while (dr >= 0 && std::abs(r[dr]) <= kRelativeZero * scale) --dr;
    if (dr < 0) break;  // p_b divides p_a (multiple roots): stop the sequence.
    for (int i = 0; i <= dr; ++i) q[i][size] = -r[i];
    degree[size] = dr;
    ++size;
  }
}

int SturmSequence::sign_changes(double x) const {
  alignas(16) double v[kLanes] = {};
  for (int i = degree[0]; i >= 0; --i) {
    for (int k = 0; k < kLanes; ++k) v[k] = v[k] * x + by_power[i][k];
  }
  // Members that vanish at x are skipped. Without such a member (the usual case)
  // the count is the number of adjacent pairs of opposite sign, taken without
  // branches.
  int changes = 0;
  bool vanishes = v[0] == 0.0;
  for (int k = 0; k + 1 < kLanes; ++k) {
    const bool member = k + 1 < size;
    changes += member && ((v[k] < 0.0) != (v[k + 1] < 0.0));
    vanishes |= member && v[k + 1] == 0.0;
  }
  if (!vanishes) return changes;
  changes = 0;
  double last = 0.0;
  for (int k = 0; k < size; ++k) {
    if (v[k] == 0.0) continue;
    if (last != 0.0 && ((v[k] < 0.0) != (last < 0.0))) ++changes;
    last = v[k];
  }
  return changes;
}

void SturmSequence::sign_changes_at_infinity(int* at_minus, int* at_plus) const {
  int minus = 0;
  int plus = 0;
  bool last_negative = false;
  bool last_negative_at_minus = false;
  for (int k = 0; k < size; ++k) {
    const bool negative = by_power[degree[k]][k] < 0.0;
    const bool negative_at_minus = negative != ((degree[k] & 1) != 0);
    plus += k > 0 && negative != last_negative;
    minus += k > 0 && negative_at_minus != last_negative_at_minus;
    last_negative = negative;
    last_negative_at_minus = negative_at_minus;
  }
  *at_minus = minus;
  *at_plus = plus;
}

namespace {

/// Bisection point of (lo, hi): the geometric mean when the bracket lies on
/// one side of zero and spans more than a factor 4 (an endpoint at zero counts
/// as `tiny`), the midpoint otherwise.
double bisection_point(double lo, double hi, double tiny) {
  if (lo >= 0.0) {
    const double a = std::max(lo, tiny);
    if (hi > 4.0 * a) return std::sqrt(a) * std::sqrt(hi);
  } else if (hi <= 0.0) {
    const double a = std::max(-hi, tiny);
    if (-lo > 4.0 * a) return -(std::sqrt(a) * std::sqrt(-lo));
  }
  return 0.5 * (lo + hi);
}

/// A power of two >= x^(1/n) for x > 0 (within a factor 2 of it): bounds and
/// scales only need to be right to within a factor, and powers of two are
/// exact and far cheaper than pow.
double power_of_two_root_upper_bound(double x, int n) {
  const int e = binary_exponent(x);  // x = m 2^e with m in [0.5, 1): x < 2^e
  const int q = e >= 0 ? (e + n - 1) / n : -((-e) / n);  // ceil(e / n)
  return power_of_two(q);
}

}  // namespace

double polish_root_in_bracket(const double* c, int degree, double lo, double hi,
                              double abs_tolerance, double rel_tolerance) {
  // p, p', p'' by Horner (three independent chains; p's chain is poly_eval's).
  auto eval2 = [&](double t, double* f, double* df, double* d2f) {
    double v = c[degree], d = 0.0, d2 = 0.0;
    for (int i = degree - 1; i >= 0; --i) {
      d2 = d2 * t + d;
      d = d * t + v;
      v = v * t + c[i];
    }
    *f = v;
    *df = d;
    *d2f = 2.0 * d2;
  };
  // The end points' values, with the derivatives their Laguerre steps need.
  double flo, dflo, d2flo, fhi, dfhi, d2fhi;
  eval2(lo, &flo, &dflo, &d2flo);
  eval2(hi, &fhi, &dfhi, &d2fhi);
  if (flo == 0.0) return lo;
  if (fhi == 0.0) return hi;
  if ((flo < 0.0) == (fhi < 0.0)) {
    // No sign change: a root of even multiplicity (or a rounding-level
    // cluster). It is then a simple root of the derivative: polish that.
    double d[kMaxPolynomialDegree + 1];
    for (int i = 1; i <= degree; ++i) d[i - 1] = c[i] * i;
    const double dlo = poly_eval(d, degree - 1, lo), dhi = poly_eval(d, degree - 1, hi);
    if (degree >= 2 && (dlo < 0.0) != (dhi < 0.0)) {
      return polish_root_in_bracket(d, degree - 1, lo, hi, abs_tolerance, rel_tolerance);
    }
    return 0.5 * (lo + hi);
  }
  const double rel = std::max(rel_tolerance, 4.0 * std::numeric_limits<double>::epsilon());
  const double tiny = std::max(abs_tolerance, std::numeric_limits<double>::min());
  // Laguerre's step (cubically convergent, and unlike Newton it sees the
  // degree: from far away it jumps to the root instead of creeping at
  // (n-1)/n per step) whenever it stays inside the bracket; otherwise a
  // geometric bisection while the bracket spans orders of magnitude, else an
  // Illinois (modified regula falsi) step.
  auto fallback_point = [&](double a, double b, double fa, double fb) {
    const double g = bisection_point(a, b, tiny);
    if (g != 0.5 * (a + b)) return g;  // geometric
    const double r = a - fa * (b - a) / (fb - fa);
    return r > a && r < b ? r : g;
  };
  const double n = degree;
  auto laguerre_step = [&](double f, double df, double d2f) {
    const double G = df / f;
    const double H = G * G - d2f / f;
    const double disc = std::sqrt(std::max(0.0, (n - 1.0) * (n * H - G * G)));
    const double denom = G >= 0.0 ? G + disc : G - disc;
    return denom != 0.0 ? n / denom : f / df;
  };
  // Start from the Laguerre target of an endpoint when one lands inside.
  double x;
  {
    const double from_hi = hi - laguerre_step(fhi, dfhi, d2fhi);
    const double from_lo = lo - laguerre_step(flo, dflo, d2flo);
    const bool hi_ok = from_hi > lo && from_hi < hi, lo_ok = from_lo > lo && from_lo < hi;
    if (hi_ok && lo_ok) {
      x = hi - from_hi < from_lo - lo ? from_hi : from_lo;
    } else if (hi_ok) {
      x = from_hi;
    } else if (lo_ok) {
      x = from_lo;
    } else {
      x = fallback_point(lo, hi, flo, fhi);
    }
  }
  int side = 0;  // which end was replaced last: -1 lo, +1 hi
  double width_two_steps_ago = hi - lo;
  double previous_step = std::numeric_limits<double>::infinity();
  constexpr int kMaxIterations = 100;
  for (int it = 0; it < kMaxIterations; ++it) {
    double f, df, d2f;
    eval2(x, &f, &df, &d2f);
    if (f == 0.0) return x;
    if ((f < 0.0) == (flo < 0.0)) {
      lo = x;
      flo = f;
      if (side == -1) fhi *= 0.5;
      side = -1;
    } else {
      hi = x;
      fhi = f;
      if (side == +1) flo *= 0.5;
      side = +1;
    }
    const double tol = std::max(abs_tolerance, rel * std::abs(x));
    if (hi - lo <= tol) break;
    const double step = laguerre_step(f, df, d2f);
    // A step below the tolerance ends it, even one that leaves the bracket
    // by a rounding-level amount (the value's sign is noise there).
    if (std::abs(step) <= tol) {
      const double last = x - step;
      return last > lo && last < hi ? last : x;
    }
    double next = x - step;
    const bool inside = next > lo && next < hi;
    if (!inside) next = fallback_point(lo, hi, flo, fhi);
    if (it % 2 == 1) {
      // Two steps that did not halve the bracket: bisect, unless the iteration
      // converges from one side (an inside step at most a quarter of the one
      // before: near a simple root Laguerre's steps shrink cubically while the
      // far end of the bracket never moves, and a bisection would throw that away).
      const bool converging = inside && std::abs(step) <= 0.25 * previous_step;
      if (hi - lo > 0.5 * width_two_steps_ago && !converging) next = bisection_point(lo, hi, tiny);
      width_two_steps_ago = hi - lo;
    }
    previous_step = inside ? std::abs(step) : std::numeric_limits<double>::infinity();
    x = next;
  }
  return x;
}

int real_roots_sturm(const double* coeffs, int degree, double* roots, double relative_tolerance) {
  double scale = 0.0;
  for (int i = 0; i <= degree; ++i) scale = std::max(scale, std::abs(coeffs[i]));
  if (!(scale > 0.0) || !std::isfinite(scale)) return 0;
  while (degree > 0 && std::abs(coeffs[degree]) <= 1e-14 * scale) --degree;
  if (degree <= 0) return 0;
  std::array<double, kMaxPolynomialDegree + 1> c{};
  for (int i = 0; i <= degree; ++i) c[i] = coeffs[i] / coeffs[degree];  // monic
  // Fujiwara's bound on the magnitude of every root, each term rounded up to
  // a power of two.
  double bound = 0.0;
  for (int i = 1; i <= degree; ++i) {
    double term = std::abs(c[degree - i]);
    if (i == degree) term *= 0.5;
    if (!std::isfinite(term)) {
      bound = term;  // overflowed coefficients: no finite bound
      break;
    }
    if (term > 0.0) bound = std::max(bound, power_of_two_root_upper_bound(term, i));
  }
  bound = 2.0 * bound + std::numeric_limits<double>::min();
  const double abs_tolerance = 1e-15 * bound;
  // The same bound on the reciprocal polynomial (coefficients reversed) bounds
  // 1 / |root|: no root lies in (-lower, lower). Intervals on one side of zero
  // that span more than a factor 4 are split geometrically from there (Fujiwara's
  // bound often exceeds the real roots by orders of magnitude, and halving
  // would descend one binade per Sturm evaluation).
  double lower = 0.0;
  if (c[0] != 0.0) {
    double reciprocal_bound = 0.0;
    for (int i = 1; i <= degree; ++i) {
      double term = std::abs(c[i] / c[0]);
      if (i == degree) term *= 0.5;
      if (term > 0.0 && std::isfinite(term)) {
        reciprocal_bound = std::max(reciprocal_bound, power_of_two_root_upper_bound(term, i));
      }
    }
    reciprocal_bound *= 2.0;
    if (reciprocal_bound > 0.0 && std::isfinite(reciprocal_bound)) lower = 1.0 / reciprocal_bound;
  }
  const double split_floor = std::max({lower, abs_tolerance, std::numeric_limits<double>::min()});

  SturmSequence sturm;
  sturm.build(c.data(), degree);

  struct Interval {
    double lo, hi;
    int s_lo, s_hi, depth;
  };
  // Depth-first: at most one pending interval per level (+1); not zeroed.
  std::array<Interval, 2 * 64 + 8> stack;
  int top = 0;
  int num_roots = 0;
  // The counts at +-bound are those at +-infinity (no root of c lies beyond the
  // bound): exact, and no evaluation of the sequence.
  int at_minus_infinity = 0;
  int at_plus_infinity = 0;
  sturm.sign_changes_at_infinity(&at_minus_infinity, &at_plus_infinity);
  stack[top++] = {-bound, bound, at_minus_infinity, at_plus_infinity, 0};
  while (top > 0) {
    const Interval iv = stack[--top];
    const int count = iv.s_lo - iv.s_hi;
    if (count <= 0) continue;
    if (count == 1) {
      // Absolute tolerance relative to the root bound: callers that need
      // more (tiny roots) polish further on their own function.
      // Brackets that end at 0 (the first split) are cut to (-lower, lower)'s
      // edge, where the polish's geometric steps then start.
      double lo = iv.lo;
      double hi = iv.hi;
      if (lo >= 0.0 && lower < hi) lo = std::max(lo, lower);
      if (hi <= 0.0 && -lower > lo) hi = std::min(hi, -lower);
      roots[num_roots++] = polish_root_in_bracket(c.data(), degree, lo, hi, abs_tolerance, relative_tolerance);
      if (num_roots == degree) break;
      continue;
    }
    const double mid = bisection_point(iv.lo, iv.hi, split_floor);
    if (iv.depth >= 64 || !(mid > iv.lo && mid < iv.hi)) {
      roots[num_roots++] = mid;  // a cluster narrower than rounding
      if (num_roots == degree) break;
      continue;
    }
    const int s_mid = sturm.sign_changes(mid);
    if (top + 2 > static_cast<int>(stack.size())) break;
    stack[top++] = {mid, iv.hi, s_mid, iv.s_hi, iv.depth + 1};
    stack[top++] = {iv.lo, mid, iv.s_lo, s_mid, iv.depth + 1};
  }
  // Insertion sort (num_roots <= degree <= kMaxPolynomialDegree).
  for (int i = 1; i < num_roots; ++i) {
    const double v = roots[i];
    int j = i - 1;
    for (; j >= 0 && roots[j] > v; --j) roots[j + 1] = roots[j];
    roots[j + 1] = v;
  }
  return num_roots;
}

}  // namespace crossview::triangulation::detail
