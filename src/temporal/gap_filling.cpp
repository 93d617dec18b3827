// Gap filling of crossview::temporal (see include/crossview/temporal/gap_filling.hpp):
// linear, scipy's CubicSpline (not-a-knot) and PchipInterpolator, evaluated
// with their formulas (cubic Hermite pieces from the knots' derivatives).
#include <crossview/temporal/gap_filling.hpp>

#include "internal.hpp"

#include <Eigen/Core>
#include <Eigen/LU>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::temporal {

namespace {

double sign(double v) { return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0); }

/// Cubic Hermite piece on [x0, x0 + h] with values y0, y1 and derivatives d0,
/// d1, at x0 + t (scipy CubicHermiteSpline's coefficients, Horner).
double hermite(double h, double y0, double y1, double d0, double d1, double t) {
  const double slope = (y1 - y0) / h;
  const double tt = (d0 + d1 - 2.0 * slope) / h;
  const double c0 = tt / h;
  const double c1 = (slope - d0) / h - tt;
  return ((c0 * t + c1) * t + d0) * t + y0;
}

/// Derivatives at the knots of scipy.interpolate.CubicSpline(x, y) with
/// not-a-knot ends (y: n x 3). n >= 2.
Eigen::MatrixX3d spline_derivatives(const std::vector<double>& x, const Eigen::MatrixX3d& y) {
  const int n = static_cast<int>(x.size());
  Eigen::MatrixX3d s(n, 3);
  std::vector<double> dx(static_cast<std::size_t>(n - 1));
  for (int i = 0; i + 1 < n; ++i) dx[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(i + 1)] - x[static_cast<std::size_t>(i)];
  Eigen::MatrixX3d slope(n - 1, 3);
  for (int i = 0; i + 1 < n; ++i) slope.row(i) = (y.row(i + 1) - y.row(i)) / dx[static_cast<std::size_t>(i)];
  if (n == 2) {
    s.row(0) = slope.row(0);
    s.row(1) = slope.row(0);
    return s;
  }
  if (n == 3) {
    // The parabola through the three points (scipy's special case).
    Eigen::Matrix3d A = Eigen::Matrix3d::Zero();
    A(0, 0) = 1;
    A(0, 1) = 1;
    A(1, 0) = dx[1];
    A(1, 1) = 2 * (dx[0] + dx[1]);
    A(1, 2) = dx[0];
    A(2, 1) = 1;
    A(2, 2) = 1;
    Eigen::Matrix3d b;
    b.row(0) = 2 * slope.row(0);
    b.row(1) = 3 * (dx[0] * slope.row(1) + dx[1] * slope.row(0));
    b.row(2) = 2 * slope.row(1);
    return A.partialPivLu().solve(b);
  }
  // Tridiagonal system: lower[i] s[i-1] + diag[i] s[i] + upper[i] s[i+1] = rhs[i].
  std::vector<double> lower(static_cast<std::size_t>(n), 0.0), diag(static_cast<std::size_t>(n), 0.0),
      upper(static_cast<std::size_t>(n), 0.0);
  Eigen::MatrixX3d rhs(n, 3);
  for (int i = 1; i + 1 < n; ++i) {
    const std::size_t u = static_cast<std::size_t>(i);
    diag[u] = 2 * (dx[u - 1] + dx[u]);
    upper[u] = dx[u - 1];
    lower[u] = dx[u];
    rhs.row(i) = 3 * (dx[u] * slope.row(i - 1) + dx[u - 1] * slope.row(i));
  }
  {
    const double d = x[2] - x[0];
    diag[0] = dx[1];
    upper[0] = d;
    rhs.row(0) = ((dx[0] + 2 * d) * dx[1] * slope.row(0) + dx[0] * dx[0] * slope.row(1)) / d;
  }
  {
    const std::size_t l = static_cast<std::size_t>(n - 1);
    const double d = x[l] - x[l - 2];
    diag[l] = dx[l - 2];
    lower[l] = d;
    rhs.row(n - 1) = (dx[l - 1] * dx[l - 1] * slope.row(n - 3) + (2 * d + dx[l - 1]) * dx[l - 2] * slope.row(n - 2)) / d;
  }
  // Banded LU with partial pivoting (as LAPACK gbsv: the not-a-knot rows are
  // not diagonally dominant). Row i after elimination may gain a second
  // super-diagonal entry (u2) from a pivot swap.
  std::vector<double> u0 = diag, u1 = upper, u2(static_cast<std::size_t>(n), 0.0), low = lower;
  for (int i = 0; i + 1 < n; ++i) {
    const std::size_t a = static_cast<std::size_t>(i), b = a + 1;
    // Candidates for the pivot in column i: row i (u0[a]) and row i+1 (low[b]).
    if (std::abs(low[b]) > std::abs(u0[a])) {
      // Swap rows i and i+1 (row i has entries at i, i+1, i+2; row i+1 at i, i+1, i+2).
      std::swap(u0[a], low[b]);
      std::swap(u1[a], u0[b]);
      std::swap(u2[a], u1[b]);
      rhs.row(i).swap(rhs.row(i + 1));
    }
    const double l = low[b] / u0[a];
    low[b] = 0.0;
    u0[b] -= l * u1[a];
    u1[b] -= l * u2[a];
    rhs.row(i + 1) -= l * rhs.row(i);
  }
  for (int i = n - 1; i >= 0; --i) {
    const std::size_t a = static_cast<std::size_t>(i);
    Eigen::RowVector3d v = rhs.row(i);
    if (i + 1 < n) v -= u1[a] * s.row(i + 1);
    if (i + 2 < n) v -= u2[a] * s.row(i + 2);
    s.row(i) = v / u0[a];
  }
  return s;
}

/// scipy PchipInterpolator._edge_case.
double pchip_edge(double h0, double h1, double m0, double m1) {
  double d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (sign(d) != sign(m0)) {
    d = 0.0;
  } else if (sign(m0) != sign(m1) && std::abs(d) > 3.0 * std::abs(m0)) {
    d = 3.0 * m0;
  }
  return d;
}

/// PCHIP derivative at knot k of (x, y) (one coordinate), scipy's rules.
double pchip_derivative(const std::vector<double>& x, const Eigen::MatrixX3d& y, int c, int k) {
  const int n = static_cast<int>(x.size());
  const auto h = [&](int i) { return x[static_cast<std::size_t>(i + 1)] - x[static_cast<std::size_t>(i)]; };
  const auto m = [&](int i) { return (y(i + 1, c) - y(i, c)) / h(i); };
  if (n == 2) return m(0);
  if (k == 0) return pchip_edge(h(0), h(1), m(0), m(1));
  if (k == n - 1) return pchip_edge(h(n - 2), h(n - 3), m(n - 2), m(n - 3));
  const double m0 = m(k - 1), m1 = m(k);
  if (sign(m1) != sign(m0) || m1 == 0.0 || m0 == 0.0) return 0.0;
  const double w1 = 2 * h(k) + h(k - 1);
  const double w2 = h(k) + 2 * h(k - 1);
  const double whmean = (w1 / m0 + w2 / m1) / (w1 + w2);
  return 1.0 / whmean;
}

}  // namespace

void GapFillOptions::validate() const {
  if (max_gap_frames < 1) {
    throw std::invalid_argument("GapFillOptions: max_gap_frames must be >= 1, got " + std::to_string(max_gap_frames));
  }
  if (method != GapFillMethod::kLinear && method != GapFillMethod::kCubicSpline && method != GapFillMethod::kPchip) {
    throw std::invalid_argument("GapFillOptions: unknown method");
  }
}

SequenceResult fill_gaps(const ConstPointsRef& sequence, int num_joints, const GapFillOptions& options,
                         const ConstScoresRef& validity) {
  const std::string what = "fill_gaps";
  const int F = require_sequence(sequence, num_joints, validity, what);
  options.validate();
  const int J = num_joints;
  SequenceResult r = internal::make_result(F, J);
  const std::vector<char> valid = valid_samples(sequence, validity);
  std::vector<double> t;
  std::vector<int> knot_frame;
  Eigen::MatrixX3d y, deriv;
  for (int j = 0; j < J; ++j) {
    const std::vector<internal::Segment> segs = internal::segments_of(valid, F, J, j);
    if (segs.empty()) continue;
    r.num_segments += static_cast<int>(segs.size());
    // Valid samples unchanged.
    for (const auto& s : segs) {
      for (int f = s.begin; f < s.end; ++f) {
        const long col = static_cast<long>(f) * J + j;
        r.points.col(col) = sequence.col(col);
        r.states[static_cast<std::size_t>(col)] = SampleState::kFiltered;
      }
    }
    if (segs.front().begin > 0) ++r.num_gaps_left;
    if (segs.back().end < F) ++r.num_gaps_left;
    // Which interior gaps are filled?
    bool any = false;
    for (std::size_t g = 0; g + 1 < segs.size(); ++g) {
      const int len = segs[g + 1].begin - segs[g].end;
      if (len <= options.max_gap_frames) {
        any = true;
      } else {
        ++r.num_gaps_left;
      }
    }
    if (!any) continue;
    // Knots: every valid sample of the track (time = frame index).
    t.clear();
    knot_frame.clear();
    for (const auto& s : segs) {
      for (int f = s.begin; f < s.end; ++f) {
        t.push_back(static_cast<double>(f));
        knot_frame.push_back(f);
      }
    }
    const int n = static_cast<int>(t.size());
    y.resize(n, 3);
    for (int k = 0; k < n; ++k) y.row(k) = sequence.col(static_cast<long>(knot_frame[static_cast<std::size_t>(k)]) * J + j).transpose();
    if (options.method == GapFillMethod::kCubicSpline) deriv = spline_derivatives(t, y);
    // Walk the gaps: knot index of the sample before each gap.
    int knot = -1;
    for (std::size_t g = 0; g + 1 < segs.size(); ++g) {
      knot += segs[g].size();
      const int f0 = segs[g].end - 1, f1 = segs[g + 1].begin;
      const int len = f1 - f0 - 1;
      if (len > options.max_gap_frames) continue;
      ++r.num_gaps_filled;
      const double h = static_cast<double>(f1 - f0);
      Eigen::Vector3d d0 = Eigen::Vector3d::Zero(), d1 = Eigen::Vector3d::Zero();
      if (options.method == GapFillMethod::kCubicSpline) {
        d0 = deriv.row(knot).transpose();
        d1 = deriv.row(knot + 1).transpose();
      } else if (options.method == GapFillMethod::kPchip) {
        for (int c = 0; c < 3; ++c) {
          d0[c] = pchip_derivative(t, y, c, knot);
          d1[c] = pchip_derivative(t, y, c, knot + 1);
        }
      }
      for (int f = f0 + 1; f < f1; ++f) {
        const long col = static_cast<long>(f) * J + j;
        const double dtf = static_cast<double>(f - f0);
        for (int c = 0; c < 3; ++c) {
          const double ya = y(knot, c), yb = y(knot + 1, c);
          double v;
          if (options.method == GapFillMethod::kLinear) {
            v = ya + (yb - ya) * (dtf / h);
          } else {
            v = hermite(h, ya, yb, d0[c], d1[c], dtf);
          }
          r.points(c, col) = v;
        }
        r.states[static_cast<std::size_t>(col)] = SampleState::kFilled;
        ++r.num_filled;
      }
    }
  }
  const int overflow = internal::drop_non_finite(&r);
  if (r.num_segments == 0) {
    r.status = Status::kNoValidSamples;
    r.message = what + ": no valid sample (every column is NaN or has validity <= 0)";
  } else {
    r.status = Status::kSuccess;
    r.message = what + " (" + to_string(options.method) + "): " + std::to_string(r.num_gaps_filled) + " gaps filled (" +
                std::to_string(r.num_filled) + " samples), " + std::to_string(r.num_gaps_left) +
                " left (longer than " + std::to_string(options.max_gap_frames) + " frames or at an end)";
    if (overflow > 0) {
      r.status = Status::kPartial;
      r.message += "; " + std::to_string(overflow) + " samples overflowed (coordinates too large) and are missing";
    }
  }
  return r;
}

}  // namespace crossview::temporal
