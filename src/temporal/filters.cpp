// Butterworth (design + filtfilt), median, Gaussian and one-euro filters of
// crossview::temporal (see include/crossview/temporal/filters.hpp).
#include <crossview/temporal/filters.hpp>

#include "internal.hpp"

#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::temporal {

namespace {

constexpr double kPi = 3.14159265358979323846;

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

/// numpy.poly: coefficients of prod (x - r_k), highest power first.
std::vector<std::complex<double>> poly(const std::vector<std::complex<double>>& roots) {
  std::vector<std::complex<double>> c{1.0};
  for (const auto& r : roots) {
    std::vector<std::complex<double>> next(c.size() + 1, 0.0);
    for (std::size_t i = 0; i < c.size(); ++i) {
      next[i] += c[i];
      next[i + 1] += c[i] * (-r);
    }
    c = std::move(next);
  }
  return c;
}

/// Direct-form II transposed filter of C interleaved channels (x(c, t) at
/// x[t * C + c]) in place over n samples, starting from state z (order x C,
/// z[i * C + c]), which it updates. a[0] == 1.
void lfilter_channels(const double* b, const double* a, int order, int C, long n, double* x, double* z,
                      bool reverse) {
  const double b0 = b[0];
  for (long k = 0; k < n; ++k) {
    const long t = reverse ? n - 1 - k : k;
    double* xt = x + t * C;
    for (int c = 0; c < C; ++c) {
      const double xv = xt[c];
      const double yv = z[c] + b0 * xv;
      for (int i = 0; i + 1 < order; ++i) {
        z[i * C + c] = z[(i + 1) * C + c] + xv * b[i + 1] - yv * a[i + 1];
      }
      z[(order - 1) * C + c] = xv * b[order] - yv * a[order];
      xt[c] = yv;
    }
  }
}

/// Order-4 specialisation (the default) with the channel loop innermost.
void lfilter_channels4(const double* b, const double* a, int C, long n, double* __restrict x,
                       double* __restrict z, bool reverse) {
  const double b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4];
  const double a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4];
  double* __restrict z0 = z;
  double* __restrict z1 = z + C;
  double* __restrict z2 = z + 2 * C;
  double* __restrict z3 = z + 3 * C;
  for (long k = 0; k < n; ++k) {
    const long t = reverse ? n - 1 - k : k;
    double* __restrict xt = x + t * C;
    for (int c = 0; c < C; ++c) {
      const double xv = xt[c];
      const double yv = z0[c] + b0 * xv;
      z0[c] = z1[c] + xv * b1 - yv * a1;
      z1[c] = z2[c] + xv * b2 - yv * a2;
      z2[c] = z3[c] + xv * b3 - yv * a3;
      z3[c] = xv * b4 - yv * a4;
      xt[c] = yv;
    }
  }
}

/// filtfilt of C channels x n samples read at in[t * in_stride + c], written
/// to out[t * out_stride + c]. n > padlen. `buf` is scratch.
void filtfilt_channels(const IirCoefficients& f, const Eigen::VectorXd& zi, int padlen, const double* in,
                       long in_stride, int C, long n, double* out, long out_stride, std::vector<double>* buf,
                       std::vector<double>* state) {
  const int order = static_cast<int>(f.a.size()) - 1;
  const long m = n + 2L * padlen;
  buf->resize(static_cast<std::size_t>(m * C));
  state->resize(static_cast<std::size_t>(order) * C);
  double* e = buf->data();
  double* z = state->data();
  const double* x0 = in;
  const double* xl = in + (n - 1) * in_stride;
  for (int t = 0; t < padlen; ++t) {
    const double* xs = in + static_cast<long>(padlen - t) * in_stride;
    for (int c = 0; c < C; ++c) e[t * C + c] = 2.0 * x0[c] - xs[c];
  }
  for (long i = 0; i < n; ++i) {
    const double* xs = in + i * in_stride;
    double* et = e + (padlen + i) * C;
    for (int c = 0; c < C; ++c) et[c] = xs[c];
  }
  for (int k = 0; k < padlen; ++k) {
    const double* xs = in + (n - 2 - k) * in_stride;
    double* et = e + (padlen + n + k) * C;
    for (int c = 0; c < C; ++c) et[c] = 2.0 * xl[c] - xs[c];
  }
  for (int pass = 0; pass < 2; ++pass) {
    const double* start = pass == 0 ? e : e + (m - 1) * C;  // ext[0], then y[-1]
    for (int i = 0; i < order; ++i) {
      for (int c = 0; c < C; ++c) z[i * C + c] = zi[i] * start[c];
    }
    if (order == 4) {
      lfilter_channels4(f.b.data(), f.a.data(), C, m, e, z, pass == 1);
    } else {
      lfilter_channels(f.b.data(), f.a.data(), order, C, m, e, z, pass == 1);
    }
  }
  for (long i = 0; i < n; ++i) {
    const double* et = e + (padlen + i) * C;
    double* o = out + i * out_stride;
    for (int c = 0; c < C; ++c) o[c] = et[c];
  }
}

void require_rate(double rate_hz, const std::string& what) {
  if (!(rate_hz > 0.0) || !std::isfinite(rate_hz)) {
    throw std::invalid_argument(what + ": rate_hz must be finite and > 0 (the frame rate), got " + num(rate_hz));
  }
}

void require_cutoff(double cutoff_hz, double rate_hz, const std::string& what) {
  if (!(cutoff_hz > 0.0) || !(cutoff_hz < 0.5 * rate_hz)) {
    throw std::invalid_argument(what + ": cutoff_hz must be in (0, rate_hz / 2) = (0, " + num(0.5 * rate_hz) +
                                "), got " + num(cutoff_hz));
  }
}

/// Copies the valid samples of `in` (contiguous 3 x (F*J)) to r->points and
/// marks them `state` (used for raw segments).
void copy_segment(const double* in, int J, int joint0, int nj, const internal::Segment& s, SampleState state,
                  SequenceResult* r) {
  for (int f = s.begin; f < s.end; ++f) {
    for (int j = joint0; j < joint0 + nj; ++j) {
      const long col = static_cast<long>(f) * J + j;
      r->points.col(col) = Eigen::Map<const Eigen::Vector3d>(in + 3 * col);
      r->states[static_cast<std::size_t>(col)] = state;
    }
  }
}

void mark(int J, int joint0, int nj, const internal::Segment& s, SampleState state, SequenceResult* r) {
  for (int f = s.begin; f < s.end; ++f) {
    for (int j = joint0; j < joint0 + nj; ++j) r->states[static_cast<std::size_t>(f) * J + j] = state;
  }
}

}  // namespace

// ---------------------------------------------------------------------------

IirCoefficients butterworth_lowpass(int order, double cutoff_hz, double rate_hz) {
  if (order < 1 || order > 12) {
    throw std::invalid_argument("butterworth_lowpass: order must be in [1, 12], got " + std::to_string(order));
  }
  require_rate(rate_hz, "butterworth_lowpass");
  require_cutoff(cutoff_hz, rate_hz, "butterworth_lowpass");
  // scipy.signal.butter(N, Wn, fs=fs): Wn = cutoff / (fs / 2), then fs = 2.
  const double wn = 2.0 * cutoff_hz / rate_hz;
  const double fs = 2.0;
  const double warped = 2.0 * fs * std::tan(kPi * wn / fs);
  // Analog prototype (buttap): poles -exp(i pi m / (2N)), m = -N+1, -N+3, ..., N-1; k = 1.
  std::vector<std::complex<double>> p;
  for (int m = -order + 1; m < order; m += 2) {
    p.push_back(-std::exp(std::complex<double>(0.0, kPi * m / (2.0 * order))));
  }
  // lp2lp_zpk: p *= warped, k *= warped^N.
  double k = 1.0;
  for (auto& pole : p) pole *= warped;
  k *= std::pow(warped, order);
  // bilinear_zpk with fs2 = 2 fs: z -> -1 (N times), p -> (fs2 + p) / (fs2 - p),
  // k *= real(1 / prod(fs2 - p)).
  const double fs2 = 2.0 * fs;
  std::complex<double> denom = 1.0;
  std::vector<std::complex<double>> pz;
  for (const auto& pole : p) {
    pz.push_back((fs2 + pole) / (fs2 - pole));
    denom *= (fs2 - pole);
  }
  const double kz = k * std::real(std::complex<double>(1.0) / denom);
  const std::vector<std::complex<double>> zz(static_cast<std::size_t>(order), std::complex<double>(-1.0));
  const auto bc = poly(zz);
  const auto ac = poly(pz);
  IirCoefficients out;
  out.b.resize(order + 1);
  out.a.resize(order + 1);
  for (int i = 0; i <= order; ++i) {
    out.b[i] = kz * bc[static_cast<std::size_t>(i)].real();
    out.a[i] = ac[static_cast<std::size_t>(i)].real();
  }
  return out;
}

Eigen::VectorXd lfilter_zi(const IirCoefficients& filter) {
  if (filter.a.size() == 0 || filter.b.size() == 0) {
    throw std::invalid_argument("lfilter_zi: a and b must not be empty");
  }
  if (!(filter.a[0] != 0.0) || !filter.a.allFinite() || !filter.b.allFinite()) {
    throw std::invalid_argument("lfilter_zi: a[0] must be non-zero and the coefficients finite");
  }
  const Eigen::Index n = std::max(filter.a.size(), filter.b.size());
  Eigen::VectorXd a = Eigen::VectorXd::Zero(n), b = Eigen::VectorXd::Zero(n);
  a.head(filter.a.size()) = filter.a / filter.a[0];
  b.head(filter.b.size()) = filter.b / filter.a[0];
  if (n == 1) return Eigen::VectorXd();
  if (!(std::abs(a.sum()) > 0.0)) {
    throw std::invalid_argument("lfilter_zi: the filter has no steady state (sum(a) == 0)");
  }
  // IminusA = I - companion(a)^T; B = b[1:] - a[1:] b[0]; solve IminusA zi = B.
  const Eigen::Index m = n - 1;
  Eigen::MatrixXd IminusA = Eigen::MatrixXd::Identity(m, m);
  for (Eigen::Index i = 0; i < m; ++i) {
    IminusA(i, 0) += a[i + 1];
    if (i + 1 < m) IminusA(i, i + 1) -= 1.0;
  }
  const Eigen::VectorXd B = b.tail(m) - a.tail(m) * b[0];
  return IminusA.partialPivLu().solve(B);
}

int filtfilt_padlen(const IirCoefficients& filter) {
  return 3 * static_cast<int>(std::max(filter.a.size(), filter.b.size()));
}

Eigen::VectorXd filtfilt(const IirCoefficients& filter, const Eigen::VectorXd& x) {
  if (filter.a.size() < 1 || filter.a.size() != filter.b.size()) {
    throw std::invalid_argument("filtfilt: a and b must have the same length >= 1");
  }
  if (filter.a[0] != 1.0) throw std::invalid_argument("filtfilt: a[0] must be 1 (normalised coefficients)");
  const int padlen = filtfilt_padlen(filter);
  if (x.size() <= padlen) {
    throw std::invalid_argument("filtfilt: the signal must be longer than padlen = " + std::to_string(padlen) +
                                " samples, got " + std::to_string(x.size()));
  }
  if (!x.allFinite()) throw std::invalid_argument("filtfilt: the signal contains NaN or Inf");
  Eigen::VectorXd y(x.size());
  if (filter.a.size() == 1) {
    y = x * (filter.b[0] * filter.b[0]);
    return y;
  }
  std::vector<double> buf, state;
  filtfilt_channels(filter, lfilter_zi(filter), padlen, x.data(), 1, 1, x.size(), y.data(), 1, &buf, &state);
  return y;
}

// ---------------------------------------------------------------------------

void ButterworthOptions::validate() const {
  if (order < 1 || order > 12) {
    throw std::invalid_argument("ButterworthOptions: order must be in [1, 12], got " + std::to_string(order));
  }
  if (!(cutoff_hz > 0.0) || !std::isfinite(cutoff_hz)) {
    throw std::invalid_argument("ButterworthOptions: cutoff_hz must be finite and > 0, got " + num(cutoff_hz));
  }
}

SequenceResult butterworth_filter(const ConstPointsRef& sequence, int num_joints, double rate_hz,
                                  const ButterworthOptions& options, const ConstScoresRef& validity) {
  const std::string what = "butterworth_filter";
  const int F = require_sequence(sequence, num_joints, validity, what);
  options.validate();
  require_rate(rate_hz, what);
  require_cutoff(options.cutoff_hz, rate_hz, what);
  const IirCoefficients f = butterworth_lowpass(options.order, options.cutoff_hz, rate_hz);
  const Eigen::VectorXd zi = lfilter_zi(f);
  const int padlen = filtfilt_padlen(f);
  const int J = num_joints;
  SequenceResult r = internal::make_result(F, J);
  const internal::ContiguousSequence in(sequence);
  const std::vector<char> valid = valid_samples(sequence, validity);
  std::vector<double> buf, state;
  for (const internal::JointGroup& g : internal::group_joints(valid, F, J)) {
    const int C = 3 * g.num_joints;
    for (const internal::Segment& s : g.segments) {
      r.num_segments += g.num_joints;
      const long col0 = static_cast<long>(s.begin) * J + g.first_joint;
      if (s.size() <= padlen) {
        r.num_raw_segments += g.num_joints;
        copy_segment(in.data(), J, g.first_joint, g.num_joints, s, SampleState::kRaw, &r);
        continue;
      }
      filtfilt_channels(f, zi, padlen, in.data() + 3 * col0, 3L * J, C, s.size(), r.points.data() + 3 * col0,
                        3L * J, &buf, &state);
      mark(J, g.first_joint, g.num_joints, s, SampleState::kFiltered, &r);
    }
  }
  internal::finish(&r, what, "segments of at most " + std::to_string(padlen) +
                                 " samples, the filtfilt padding of order " + std::to_string(options.order));
  return r;
}

// ---------------------------------------------------------------------------

void MedianOptions::validate() const {
  if (window < 1 || window % 2 == 0 || window > 100001) {
    throw std::invalid_argument("MedianOptions: window must be odd, in [1, 100001], got " + std::to_string(window));
  }
}

SequenceResult median_filter(const ConstPointsRef& sequence, int num_joints, const MedianOptions& options,
                             const ConstScoresRef& validity) {
  const std::string what = "median_filter";
  const int F = require_sequence(sequence, num_joints, validity, what);
  options.validate();
  const int J = num_joints;
  const int radius = options.window / 2;
  SequenceResult r = internal::make_result(F, J);
  const internal::ContiguousSequence in(sequence);
  const std::vector<char> valid = valid_samples(sequence, validity);
  std::vector<double> track, line, window;
  const int k = options.window;
  for (int j = 0; j < J; ++j) {
    for (const internal::Segment& s : internal::segments_of(valid, F, J, j)) {
      ++r.num_segments;
      const int n = s.size();
      const long m = static_cast<long>(n) + 2L * radius;
      // The joint's three coordinates, contiguous (one strided pass), then
      // each coordinate's line extended by the boundary mode.
      track.resize(static_cast<std::size_t>(3 * n));
      for (int i = 0; i < n; ++i) {
        const double* src = in.data() + 3 * (static_cast<long>(s.begin + i) * J + j);
        track[static_cast<std::size_t>(3 * i)] = src[0];
        track[static_cast<std::size_t>(3 * i + 1)] = src[1];
        track[static_cast<std::size_t>(3 * i + 2)] = src[2];
      }
      line.resize(static_cast<std::size_t>(m));
      for (int c = 0; c < 3; ++c) {
        for (long i = 0; i < m; ++i) {
          const long p = i - radius;
          const int f = (p >= 0 && p < n) ? static_cast<int>(p) : internal::extend_index(p, n, options.mode);
          line[static_cast<std::size_t>(i)] = track[static_cast<std::size_t>(3 * f + c)];
        }
        // Sliding window kept sorted: the outgoing value is overwritten by the
        // incoming one, which then moves to its place (one insertion step).
        window.assign(line.begin(), line.begin() + k);
        std::sort(window.begin(), window.end());
        double* w = window.data();
        for (int i = 0; i < n; ++i) {
          if (i > 0) {
            const double gone = line[static_cast<std::size_t>(i - 1)];
            const double come = line[static_cast<std::size_t>(i + k - 1)];
            int pos = static_cast<int>(std::lower_bound(w, w + k, gone) - w);
            if (come > gone) {
              while (pos + 1 < k && w[pos + 1] < come) {
                w[pos] = w[pos + 1];
                ++pos;
              }
            } else {
              while (pos > 0 && w[pos - 1] > come) {
                w[pos] = w[pos - 1];
                --pos;
              }
            }
            w[pos] = come;
          }
          r.points(c, static_cast<long>(s.begin + i) * J + j) = w[radius];
        }
      }
      mark(J, j, 1, s, SampleState::kFiltered, &r);
    }
  }
  internal::finish(&r, what);
  return r;
}

// ---------------------------------------------------------------------------

void GaussianOptions::validate() const {
  if (!(sigma_frames > 0.0) || !std::isfinite(sigma_frames)) {
    throw std::invalid_argument("GaussianOptions: sigma_frames must be finite and > 0, got " + num(sigma_frames));
  }
  if (!(truncate > 0.0) || !std::isfinite(truncate)) {
    throw std::invalid_argument("GaussianOptions: truncate must be finite and > 0, got " + num(truncate));
  }
  if (truncate * sigma_frames + 0.5 > 1e5) {
    throw std::invalid_argument("GaussianOptions: the kernel radius truncate * sigma_frames must be <= 1e5");
  }
}

SequenceResult gaussian_filter(const ConstPointsRef& sequence, int num_joints, const GaussianOptions& options,
                               const ConstScoresRef& validity) {
  const std::string what = "gaussian_filter";
  const int F = require_sequence(sequence, num_joints, validity, what);
  options.validate();
  const int J = num_joints;
  // scipy.ndimage.gaussian_filter1d: radius = int(truncate * sigma + 0.5),
  // weights exp(-x^2 / (2 sigma^2)) / sum.
  const int radius = static_cast<int>(options.truncate * options.sigma_frames + 0.5);
  std::vector<double> w(static_cast<std::size_t>(2 * radius + 1));
  double sum = 0.0;
  for (int k = -radius; k <= radius; ++k) {
    const double v = std::exp(-0.5 / (options.sigma_frames * options.sigma_frames) * static_cast<double>(k) * k);
    w[static_cast<std::size_t>(k + radius)] = v;
    sum += v;
  }
  for (double& v : w) v /= sum;
  SequenceResult r = internal::make_result(F, J);
  const internal::ContiguousSequence in(sequence);
  const std::vector<char> valid = valid_samples(sequence, validity);
  std::vector<double> ext;
  for (const internal::JointGroup& g : internal::group_joints(valid, F, J)) {
    const int C = 3 * g.num_joints;
    for (const internal::Segment& s : g.segments) {
      r.num_segments += g.num_joints;
      const int n = s.size();
      const long m = static_cast<long>(n) + 2L * radius;
      ext.resize(static_cast<std::size_t>(m * C));
      for (long i = 0; i < m; ++i) {
        const int f = s.begin + internal::extend_index(i - radius, n, options.mode);
        const double* src = in.data() + 3 * (static_cast<long>(f) * J + g.first_joint);
        std::copy(src, src + C, ext.begin() + i * C);
      }
      for (int i = 0; i < n; ++i) {
        double* out = r.points.data() + 3 * (static_cast<long>(s.begin + i) * J + g.first_joint);
        // Symmetric kernel: centre, then pairs (as scipy's correlate1d).
        const double* centre = ext.data() + static_cast<long>(i + radius) * C;
        for (int c = 0; c < C; ++c) out[c] = centre[c] * w[static_cast<std::size_t>(radius)];
        for (int k = 1; k <= radius; ++k) {
          const double* lo = centre - static_cast<long>(k) * C;
          const double* hi = centre + static_cast<long>(k) * C;
          const double wk = w[static_cast<std::size_t>(radius + k)];
          for (int c = 0; c < C; ++c) out[c] += (lo[c] + hi[c]) * wk;
        }
      }
      mark(J, g.first_joint, g.num_joints, s, SampleState::kFiltered, &r);
    }
  }
  internal::finish(&r, what);
  return r;
}

// ---------------------------------------------------------------------------

void OneEuroOptions::validate() const {
  if (!(min_cutoff_hz > 0.0) || !std::isfinite(min_cutoff_hz)) {
    throw std::invalid_argument("OneEuroOptions: min_cutoff_hz must be finite and > 0, got " + num(min_cutoff_hz));
  }
  if (!(beta >= 0.0) || !std::isfinite(beta)) {
    throw std::invalid_argument("OneEuroOptions: beta must be finite and >= 0, got " + num(beta));
  }
  if (!(derivative_cutoff_hz > 0.0) || !std::isfinite(derivative_cutoff_hz)) {
    throw std::invalid_argument("OneEuroOptions: derivative_cutoff_hz must be finite and > 0, got " +
                                num(derivative_cutoff_hz));
  }
}

OneEuroFilter::OneEuroFilter(int num_joints, const OneEuroOptions& options)
    : num_joints_(num_joints), options_(options) {
  if (num_joints < 1) {
    throw std::invalid_argument("OneEuroFilter: num_joints must be >= 1, got " + std::to_string(num_joints));
  }
  options_.validate();
  reset();
}

void OneEuroFilter::reset() {
  x_hat_.setZero(3, num_joints_);
  dx_hat_.setZero(3, num_joints_);
  last_time_.setConstant(num_joints_, std::numeric_limits<double>::quiet_NaN());
}

Points3d OneEuroFilter::update(const ConstPointsRef& pose, double time_s, const ConstScoresRef& validity) {
  require_points(pose, 3, "OneEuroFilter::update: pose", num_joints_);
  require_scores(validity, num_joints_, "OneEuroFilter::update: validity");
  if (!std::isfinite(time_s)) throw std::invalid_argument("OneEuroFilter::update: time_s must be finite");
  Points3d out(3, num_joints_);
  // alpha(fc, dt) = 1 / (1 + tau / dt), tau = 1 / (2 pi fc)  (the paper's smoothing factor).
  const auto alpha = [](double cutoff_hz, double dt) { return 1.0 / (1.0 + 1.0 / (2.0 * kPi * cutoff_hz * dt)); };
  for (int j = 0; j < num_joints_; ++j) {
    const bool ok = pose.col(j).allFinite() && (validity.size() == 0 || validity[j] > 0.0);
    if (!ok) {
      out.col(j).setConstant(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    if (std::isnan(last_time_[j])) {
      x_hat_.col(j) = pose.col(j);
      dx_hat_.col(j).setZero();
      last_time_[j] = time_s;
      out.col(j) = x_hat_.col(j);
      continue;
    }
    const double dt = time_s - last_time_[j];
    if (!(dt > 0.0)) {
      throw std::invalid_argument("OneEuroFilter::update: time_s must increase (joint " + std::to_string(j) +
                                  " was last updated at " + num(last_time_[j]) + " s, now " + num(time_s) + " s)");
    }
    const double a_d = alpha(options_.derivative_cutoff_hz, dt);
    for (int c = 0; c < 3; ++c) {
      const double x = pose(c, j);
      const double dx = (x - x_hat_(c, j)) / dt;
      const double edx = a_d * dx + (1.0 - a_d) * dx_hat_(c, j);
      dx_hat_(c, j) = edx;
      const double cutoff = options_.min_cutoff_hz + options_.beta * std::abs(edx);
      const double a = alpha(cutoff, dt);
      x_hat_(c, j) = a * x + (1.0 - a) * x_hat_(c, j);
    }
    last_time_[j] = time_s;
    out.col(j) = x_hat_.col(j);
  }
  return out;
}

SequenceResult one_euro_filter(const ConstPointsRef& sequence, int num_joints, double rate_hz,
                               const OneEuroOptions& options, const ConstScoresRef& validity) {
  const std::string what = "one_euro_filter";
  const int F = require_sequence(sequence, num_joints, validity, what);
  options.validate();
  require_rate(rate_hz, what);
  const int J = num_joints;
  SequenceResult r = internal::make_result(F, J);
  const std::vector<char> valid = valid_samples(sequence, validity);
  OneEuroFilter filter(J, options);
  Eigen::VectorXd v(J);
  for (int f = 0; f < F; ++f) {
    for (int j = 0; j < J; ++j) v[j] = valid[static_cast<std::size_t>(f) * J + j] ? 1.0 : 0.0;
    r.points.middleCols(static_cast<long>(f) * J, J) =
        filter.update(sequence.middleCols(static_cast<long>(f) * J, J), f / rate_hz, v);
    for (int j = 0; j < J; ++j) {
      const std::size_t i = static_cast<std::size_t>(f) * J + j;
      if (valid[i]) r.states[i] = SampleState::kFiltered;
    }
  }
  for (int j = 0; j < J; ++j) r.num_segments += static_cast<int>(internal::segments_of(valid, F, J, j).size());
  internal::finish(&r, what);
  return r;
}

// ---------------------------------------------------------------------------

bool filter_type_from_string(const std::string& name, FilterType* type) {
  for (FilterType t : {FilterType::kButterworth, FilterType::kKalman, FilterType::kOneEuro, FilterType::kMedian,
                       FilterType::kGaussian}) {
    if (name == to_string(t)) {
      *type = t;
      return true;
    }
  }
  return false;
}

void FilterOptions::validate() const {
  const bool needs_rate = type == FilterType::kButterworth || type == FilterType::kKalman ||
                          type == FilterType::kOneEuro;
  if (needs_rate) require_rate(rate_hz, std::string("FilterOptions (") + to_string(type) + ")");
  switch (type) {
    case FilterType::kButterworth:
      butterworth.validate();
      require_cutoff(butterworth.cutoff_hz, rate_hz, "FilterOptions.butterworth");
      break;
    case FilterType::kKalman:
      kalman.validate();
      if (kalman.process_noise == 0.0) require_cutoff(kalman.cutoff_hz, rate_hz, "FilterOptions.kalman");
      break;
    case FilterType::kOneEuro: one_euro.validate(); break;
    case FilterType::kMedian: median.validate(); break;
    case FilterType::kGaussian: gaussian.validate(); break;
  }
}

SequenceResult filter_sequence(const ConstPointsRef& sequence, int num_joints, const FilterOptions& options,
                               const ConstScoresRef& validity) {
  options.validate();
  switch (options.type) {
    case FilterType::kButterworth:
      return butterworth_filter(sequence, num_joints, options.rate_hz, options.butterworth, validity);
    case FilterType::kKalman: return kalman_smoother(sequence, num_joints, options.rate_hz, options.kalman, validity);
    case FilterType::kOneEuro:
      return one_euro_filter(sequence, num_joints, options.rate_hz, options.one_euro, validity);
    case FilterType::kMedian: return median_filter(sequence, num_joints, options.median, validity);
    case FilterType::kGaussian: return gaussian_filter(sequence, num_joints, options.gaussian, validity);
  }
  throw std::invalid_argument("filter_sequence: unknown filter type");
}

}  // namespace crossview::temporal
