// crossview: Sturm-sequence real-root isolation (see detail/polynomial.hpp).
#include <crossview/triangulation/detail/polynomial.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace crossview::triangulation::detail {

void SturmSequence::build(const double* c, int deg) {
  constexpr double kRelativeZero = 1e-15;
  size = 0;
  for (int i = 0; i <= deg; ++i) p[0][i] = c[i];
  degree[0] = deg;
  size = 1;
  if (deg == 0) return;
  for (int i = 1; i <= deg; ++i) p[1][i - 1] = c[i] * i;
  degree[1] = deg - 1;
  size = 2;
  while (degree[size - 1] > 0 && size <= kMaxPolynomialDegree) {
    const auto& a = p[size - 2];
    const auto& b = p[size - 1];
    const int da = degree[size - 2];
    const int db = degree[size - 1];
    std::array<double, kMaxPolynomialDegree + 1> r{};
    for (int i = 0; i <= da; ++i) r[i] = a[i];
    double scale = 0.0;
    for (int i = 0; i <= da; ++i) scale = std::max(scale, std::abs(a[i]));
    // Long division r = a mod b.
    for (int k = da - db; k >= 0; --k) {
      const double q = r[k + db] / b[db];
      for (int i = 0; i <= db; ++i) r[k + i] -= q * b[i];
      r[k + db] = 0.0;
    }
    int dr = db - 1;
    while (dr >= 0 && std::abs(r[dr]) <= kRelativeZero * scale) --dr;
    if (dr < 0) break;  // b divides a (multiple roots): stop the sequence.
    auto& out = p[size];
    for (int i = 0; i <= dr; ++i) out[i] = -r[i];
    for (int i = dr + 1; i <= kMaxPolynomialDegree; ++i) out[i] = 0.0;
    degree[size] = dr;
    ++size;
  }
}

int SturmSequence::sign_changes(double x) const {
  int changes = 0;
  double last = 0.0;
  for (int k = 0; k < size; ++k) {
    const double v = poly_eval(p[k].data(), degree[k], x);
    if (v == 0.0) continue;
    if (last != 0.0 && ((v < 0.0) != (last < 0.0))) ++changes;
    last = v;
  }
  return changes;
}

double polish_root_in_bracket(const double* c, int degree, double lo, double hi,
                              double abs_tolerance) {
  double flo = poly_eval(c, degree, lo);
  double fhi = poly_eval(c, degree, hi);
  if (flo == 0.0) return lo;
  if (fhi == 0.0) return hi;
  if ((flo < 0.0) == (fhi < 0.0)) {
    // No sign change: a root of even multiplicity (or a rounding-level
    // cluster). It is then a simple root of the derivative: polish that.
    double d[kMaxPolynomialDegree + 1];
    for (int i = 1; i <= degree; ++i) d[i - 1] = c[i] * i;
    const double dlo = poly_eval(d, degree - 1, lo), dhi = poly_eval(d, degree - 1, hi);
    if (degree >= 2 && (dlo < 0.0) != (dhi < 0.0)) {
      return polish_root_in_bracket(d, degree - 1, lo, hi, abs_tolerance);
    }
    return 0.5 * (lo + hi);
  }
  // Illinois (modified regula falsi) keeps the bracket shrinking fast from
  // any distance; a Newton step is taken whenever it stays inside the bracket.
  double x = lo - flo * (hi - lo) / (fhi - flo);
  if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);
  int side = 0;  // which end was replaced last: -1 lo, +1 hi
  constexpr int kMaxIterations = 100;
  for (int it = 0; it < kMaxIterations; ++it) {
    double f, df;
    poly_eval_derivative(c, degree, x, &f, &df);
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
    double next = x - f / df;
    if (!(next > lo && next < hi)) {
      next = lo - flo * (hi - lo) / (fhi - flo);
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    }
    const double step = std::abs(next - x);
    x = next;
    const double tol = std::max(abs_tolerance, 4.0 * std::numeric_limits<double>::epsilon() * std::abs(x));
    if (step <= tol || hi - lo <= tol) break;
  }
  return x;
}

int real_roots_sturm(const double* coeffs, int degree, double* roots) {
  double scale = 0.0;
  for (int i = 0; i <= degree; ++i) scale = std::max(scale, std::abs(coeffs[i]));
  if (!(scale > 0.0) || !std::isfinite(scale)) return 0;
  while (degree > 0 && std::abs(coeffs[degree]) <= 1e-14 * scale) --degree;
  if (degree <= 0) return 0;
  std::array<double, kMaxPolynomialDegree + 1> c{};
  for (int i = 0; i <= degree; ++i) c[i] = coeffs[i] / coeffs[degree];  // monic
  // Fujiwara's bound on the magnitude of every root.
  double bound = 0.0;
  for (int i = 1; i <= degree; ++i) {
    double term = std::abs(c[degree - i]);
    if (i == degree) term *= 0.5;
    bound = std::max(bound, std::pow(term, 1.0 / i));
  }
  bound = 2.0 * bound * (1.0 + 1e-12) + std::numeric_limits<double>::min();

  SturmSequence sturm;
  sturm.build(c.data(), degree);

  struct Interval {
    double lo, hi;
    int s_lo, s_hi, depth;
  };
  std::array<Interval, 2 * 64 + 8> stack{};
  int top = 0;
  int num_roots = 0;
  stack[top++] = {-bound, bound, sturm.sign_changes(-bound), sturm.sign_changes(bound), 0};
  while (top > 0) {
    const Interval iv = stack[--top];
    const int count = iv.s_lo - iv.s_hi;
    if (count <= 0) continue;
    if (count == 1) {
      // Absolute tolerance 1e-15 x the root bound: callers that need more
      // (tiny roots) polish further on their own function.
      roots[num_roots++] = polish_root_in_bracket(c.data(), degree, iv.lo, iv.hi, 1e-15 * bound);
      if (num_roots == degree) break;
      continue;
    }
    const double mid = 0.5 * (iv.lo + iv.hi);
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
