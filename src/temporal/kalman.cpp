// Kalman filter / Rauch-Tung-Striebel smoother of crossview::temporal (see
// include/crossview/temporal/filters.hpp).
//
// The state is kept in scaled units (position, velocity * dt, acceleration *
// dt^2), so the transition matrix is free of dt and the diffuse prior is
// 1e6 R * identity: far better conditioned than the raw state for the
// smoother's (P^-)^-1. The three coordinates share the model and the missing
// pattern, so one covariance recursion serves them (the state is m x 3).
#include <crossview/temporal/filters.hpp>

#include "internal.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::temporal {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDiffuse = 1e6;

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

/// One track (a run of frames of one joint, gaps bridged) through the filter
/// and, optionally, the smoother. z: 3 x L measurements (NaN columns where
/// missing); out: 3 x L estimates.
template <int M>
void run_track(const Eigen::Matrix<double, M, M>& Fm, const Eigen::Matrix<double, M, M>& Q, double R, bool smooth,
               const Eigen::Matrix3Xd& z, const std::vector<char>& has, Eigen::Matrix3Xd* out,
               std::vector<Eigen::Matrix<double, M, 3>>* xs_pred, std::vector<Eigen::Matrix<double, M, M>>* Ps_pred,
               std::vector<Eigen::Matrix<double, M, 3>>* xs, std::vector<Eigen::Matrix<double, M, M>>* Ps) {
  using Mat = Eigen::Matrix<double, M, M>;
  using State = Eigen::Matrix<double, M, 3>;
  const int L = static_cast<int>(z.cols());
  xs_pred->resize(static_cast<std::size_t>(L));
  Ps_pred->resize(static_cast<std::size_t>(L));
  xs->resize(static_cast<std::size_t>(L));
  Ps->resize(static_cast<std::size_t>(L));
  State x = State::Zero();
  Mat P = Mat::Identity() * (kDiffuse * R);
  x.row(0) = z.col(0).transpose();  // the first column is always measured
  for (int k = 0; k < L; ++k) {
    if (k > 0) {
      x = Fm * x;
      P = Fm * P * Fm.transpose() + Q;
    }
    (*xs_pred)[static_cast<std::size_t>(k)] = x;
    (*Ps_pred)[static_cast<std::size_t>(k)] = P;
    if (has[static_cast<std::size_t>(k)]) {
      const double S = P(0, 0) + R;
      const Eigen::Matrix<double, M, 1> K = P.col(0) / S;
      const Eigen::Matrix<double, 1, 3> innovation = z.col(k).transpose() - x.row(0);
      x += K * innovation;
      P -= K * P.row(0);
      P = 0.5 * (P + P.transpose());
    }
    (*xs)[static_cast<std::size_t>(k)] = x;
    (*Ps)[static_cast<std::size_t>(k)] = P;
  }
  if (!smooth) {
    for (int k = 0; k < L; ++k) out->col(k) = (*xs)[static_cast<std::size_t>(k)].row(0).transpose();
    return;
  }
  State s = (*xs)[static_cast<std::size_t>(L - 1)];
  out->col(L - 1) = s.row(0).transpose();
  for (int k = L - 2; k >= 0; --k) {
    const Mat& Pk = (*Ps)[static_cast<std::size_t>(k)];
    const Mat& Pp = (*Ps_pred)[static_cast<std::size_t>(k + 1)];
    // C = P_k F^T (P^-_{k+1})^-1, i.e. C^T = (P^-)^-1 F P_k (both symmetric).
    const Mat Ct = Pp.ldlt().solve(Fm * Pk);
    s = (*xs)[static_cast<std::size_t>(k)] + Ct.transpose() * (s - (*xs_pred)[static_cast<std::size_t>(k + 1)]);
    out->col(k) = s.row(0).transpose();
  }
}

}  // namespace

void KalmanOptions::validate() const {
  if (!(measurement_noise > 0.0) || !std::isfinite(measurement_noise)) {
    throw std::invalid_argument("KalmanOptions: measurement_noise must be finite and > 0, got " +
                                num(measurement_noise));
  }
  if (!(process_noise >= 0.0) || !std::isfinite(process_noise)) {
    throw std::invalid_argument("KalmanOptions: process_noise must be finite and >= 0 (0 = from cutoff_hz), got " +
                                num(process_noise));
  }
  if (process_noise == 0.0 && (!(cutoff_hz > 0.0) || !std::isfinite(cutoff_hz))) {
    throw std::invalid_argument("KalmanOptions: cutoff_hz must be finite and > 0 when process_noise is 0, got " +
                                num(cutoff_hz));
  }
  if (max_gap_frames < 0) {
    throw std::invalid_argument("KalmanOptions: max_gap_frames must be >= 0, got " + std::to_string(max_gap_frames));
  }
}

SequenceResult kalman_smoother(const ConstPointsRef& sequence, int num_joints, double rate_hz,
                               const KalmanOptions& options, const ConstScoresRef& validity) {
  const std::string what = "kalman_smoother";
  const int F = require_sequence(sequence, num_joints, validity, what);
  options.validate();
  if (!(rate_hz > 0.0) || !std::isfinite(rate_hz)) {
    throw std::invalid_argument(what + ": rate_hz must be finite and > 0 (the frame rate), got " + num(rate_hz));
  }
  if (options.process_noise == 0.0 && !(options.cutoff_hz < 0.5 * rate_hz)) {
    throw std::invalid_argument(what + ": KalmanOptions::cutoff_hz must be below rate_hz / 2 = " + num(0.5 * rate_hz) +
                                ", got " + num(options.cutoff_hz));
  }
  const int J = num_joints;
  const double dt = 1.0 / rate_hz;
  const int m = options.model == MotionModel::kConstantVelocity ? 2 : 3;
  // Scaled state (p, v dt, a dt^2): Q_scaled = q dt^(2m-1) * N.
  double R = options.measurement_noise * options.measurement_noise;
  double q_scaled;  // q dt^(2m - 1)
  if (options.process_noise > 0.0) {
    q_scaled = options.process_noise * options.process_noise * std::pow(dt, 2 * m - 1);
  } else {
    q_scaled = R * std::pow(2.0 * kPi * options.cutoff_hz * dt, 2 * m);
  }
  SequenceResult r = internal::make_result(F, J);
  const std::vector<char> valid = valid_samples(sequence, validity);
  Eigen::Matrix3Xd z, est;
  std::vector<char> has;
  std::vector<Eigen::Matrix<double, 2, 3>> xp2, x2;
  std::vector<Eigen::Matrix2d> Pp2, P2;
  std::vector<Eigen::Matrix<double, 3, 3>> xp3, x3;
  std::vector<Eigen::Matrix3d> Pp3, P3;
  Eigen::Matrix2d F2, Q2;
  F2 << 1, 1, 0, 1;
  Q2 << 1.0 / 3, 0.5, 0.5, 1.0;
  Q2 *= q_scaled;
  Eigen::Matrix3d F3, Q3;
  F3 << 1, 1, 0.5, 0, 1, 1, 0, 0, 1;
  Q3 << 1.0 / 20, 1.0 / 8, 1.0 / 6, 1.0 / 8, 1.0 / 3, 0.5, 1.0 / 6, 0.5, 1.0;
  Q3 *= q_scaled;
  for (int j = 0; j < J; ++j) {
    const std::vector<internal::Segment> segs = internal::segments_of(valid, F, J, j);
    std::size_t s0 = 0;
    while (s0 < segs.size()) {
      // A track: segments joined across gaps of at most max_gap_frames.
      std::size_t s1 = s0 + 1;
      while (s1 < segs.size() && segs[s1].begin - segs[s1 - 1].end <= options.max_gap_frames) ++s1;
      const int b = segs[s0].begin, e = segs[s1 - 1].end;
      const int L = e - b;
      z.resize(3, L);
      est.resize(3, L);
      has.assign(static_cast<std::size_t>(L), 0);
      for (int k = 0; k < L; ++k) {
        const long col = static_cast<long>(b + k) * J + j;
        has[static_cast<std::size_t>(k)] = valid[static_cast<std::size_t>(col)];
        z.col(k) = sequence.col(col);
      }
      if (m == 2) {
        run_track<2>(F2, Q2, R, options.smooth, z, has, &est, &xp2, &Pp2, &x2, &P2);
      } else {
        run_track<3>(F3, Q3, R, options.smooth, z, has, &est, &xp3, &Pp3, &x3, &P3);
      }
      for (int k = 0; k < L; ++k) {
        const long col = static_cast<long>(b + k) * J + j;
        if (has[static_cast<std::size_t>(k)]) {
          r.points.col(col) = est.col(k);
          r.states[static_cast<std::size_t>(col)] = SampleState::kFiltered;
        } else if (options.fill_gaps) {
          r.points.col(col) = est.col(k);
          r.states[static_cast<std::size_t>(col)] = SampleState::kFilled;
          ++r.num_filled;
        }
      }
      r.num_segments += static_cast<int>(s1 - s0);
      s0 = s1;
    }
  }
  internal::finish(&r, what);
  return r;
}

}  // namespace crossview::temporal
