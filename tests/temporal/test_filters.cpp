// crossview::temporal filters without a peer: the Kalman / RTS smoother
// against the dense solution of its own model, properties every filter must
// have (constants kept, linearity, gaps never crossed, statuses), and every
// class of bad input.
#include <crossview/temporal/filters.hpp>
#include <crossview/temporal/gap_filling.hpp>

#include <crossview_test/random.hpp>

#include <Eigen/Dense>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace crossview;
using crossview_test::Rng;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Eigen::Matrix3Xd random_walk(int F, int J, std::uint64_t seed, double noise = 0.01) {
  Rng rng(seed);
  Eigen::Matrix3Xd x(3, static_cast<Eigen::Index>(F) * J);
  for (int j = 0; j < J; ++j) {
    Eigen::Vector3d p(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(0, 2)), v = Eigen::Vector3d::Zero();
    for (int f = 0; f < F; ++f) {
      v = 0.95 * v + Eigen::Vector3d(rng.normal(0.02), rng.normal(0.02), rng.normal(0.02));
      p += v / 60.0 * 10.0;
      x.col(static_cast<Eigen::Index>(f) * J + j) = p + Eigen::Vector3d(rng.normal(noise), rng.normal(noise), rng.normal(noise));
    }
  }
  return x;
}

/// The smoothed positions of one track from the dense normal equations of the
/// model the smoother claims to solve, in raw units (p, v, a): prior
/// N([z0, 0, 0], diag(1e6 R, 1e6 R / dt^2, 1e6 R / dt^4)), transitions with the
/// exact discretisation of white noise of density q, measurements of p.
Eigen::Matrix3Xd dense_map(const Eigen::Matrix3Xd& z, const std::vector<char>& has, int m, double dt, double R,
                           double q) {
  const int L = static_cast<int>(z.cols());
  Eigen::MatrixXd Fm(m, m), Q(m, m), P0 = Eigen::MatrixXd::Zero(m, m);
  if (m == 2) {
    Fm << 1, dt, 0, 1;
    Q << dt * dt * dt / 3, dt * dt / 2, dt * dt / 2, dt;
  } else {
    Fm << 1, dt, dt * dt / 2, 0, 1, dt, 0, 0, 1;
    const double d2 = dt * dt, d3 = d2 * dt, d4 = d3 * dt, d5 = d4 * dt;
    Q << d5 / 20, d4 / 8, d3 / 6, d4 / 8, d3 / 3, d2 / 2, d3 / 6, d2 / 2, dt;
  }
  Q *= q;
  for (int i = 0; i < m; ++i) P0(i, i) = 1e6 * R / std::pow(dt, 2 * i);
  const Eigen::MatrixXd Qi = Q.inverse(), P0i = P0.inverse();
  const int n = L * m;
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(n, n);
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(n, 3);
  H.block(0, 0, m, m) += P0i;
  g.block(0, 0, m, 3) += P0i.col(0) * z.col(0).transpose();
  for (int k = 0; k + 1 < L; ++k) {
    // r = s_{k+1} - F s_k: d r / d s_k = -F, d r / d s_{k+1} = I.
    Eigen::MatrixXd A = Eigen::MatrixXd::Zero(m, n);
    A.block(0, k * m, m, m) = -Fm;
    A.block(0, (k + 1) * m, m, m) = Eigen::MatrixXd::Identity(m, m);
    H += A.transpose() * Qi * A;
  }
  for (int k = 0; k < L; ++k) {
    if (!has[static_cast<std::size_t>(k)]) continue;
    H(k * m, k * m) += 1.0 / R;
    g.row(k * m) += z.col(k).transpose() / R;
  }
  const Eigen::MatrixXd s = H.ldlt().solve(g);
  Eigen::Matrix3Xd out(3, L);
  for (int k = 0; k < L; ++k) out.col(k) = s.row(k * m).transpose();
  return out;
}

}  // namespace

TEST_CASE("kalman_smoother is the exact MAP estimate of its model (dense solve)") {
  const int F = 120, J = 2;
  Eigen::Matrix3Xd x = random_walk(F, J, 11);
  Eigen::VectorXd validity = Eigen::VectorXd::Ones(F * J);
  // Joint 1: gaps of 3 and 7 frames (bridged with max_gap_frames = 10).
  for (int f : {20, 21, 22, 60, 61, 62, 63, 64, 65, 66}) validity[f * J + 1] = 0.0;
  for (auto model : {temporal::MotionModel::kConstantVelocity, temporal::MotionModel::kConstantAcceleration}) {
    for (double cutoff : {2.0, 6.0}) {
      temporal::KalmanOptions o;
      o.model = model;
      o.cutoff_hz = cutoff;
      o.fill_gaps = true;
      const auto r = temporal::kalman_smoother(x, J, 60.0, o, validity);
      REQUIRE(r.ok());
      const int m = model == temporal::MotionModel::kConstantVelocity ? 2 : 3;
      const double dt = 1.0 / 60.0, R = o.measurement_noise * o.measurement_noise;
      const double q = R * dt * std::pow(2 * M_PI * cutoff * dt, 2 * m) / std::pow(dt, 2 * m);
      for (int j = 0; j < J; ++j) {
        Eigen::Matrix3Xd z(3, F);
        std::vector<char> has(F);
        for (int f = 0; f < F; ++f) {
          z.col(f) = x.col(f * J + j);
          has[static_cast<std::size_t>(f)] = validity[f * J + j] > 0;
        }
        const Eigen::Matrix3Xd ref = dense_map(z, has, m, dt, R, q);
        double worst = 0.0;
        for (int f = 0; f < F; ++f) worst = std::max(worst, (r.points.col(f * J + j) - ref.col(f)).norm());
        INFO(to_string(model) << " cutoff " << cutoff << " joint " << j);
        CHECK(worst < 1e-8);
      }
      CHECK(r.num_filled == 10);
      CHECK(r.count(temporal::SampleState::kFilled) == 10);
    }
  }
}

TEST_CASE("kalman_smoother: units, process noise, causal filter, gaps") {
  const int F = 200, J = 3;
  const Eigen::Matrix3Xd x = random_walk(F, J, 12);
  temporal::KalmanOptions o;
  const auto r_m = temporal::kalman_smoother(x, J, 60.0, o);
  // The same motion in millimetres: with process_noise = 0 the result scales.
  const auto r_mm = temporal::kalman_smoother(1000.0 * x, J, 60.0, o);
  CHECK((r_mm.points / 1000.0 - r_m.points).cwiseAbs().maxCoeff() < 1e-9);
  // An explicit process noise equal to the derived one gives the same result.
  temporal::KalmanOptions e = o;
  const double dt = 1.0 / 60.0, R = o.measurement_noise * o.measurement_noise;
  e.process_noise = std::sqrt(R * dt * std::pow(2 * M_PI * o.cutoff_hz, 6));
  const auto r_e = temporal::kalman_smoother(x, J, 60.0, e);
  CHECK((r_e.points - r_m.points).cwiseAbs().maxCoeff() < 1e-9);
  // The causal filter: output f depends on samples <= f only.
  temporal::KalmanOptions c = o;
  c.smooth = false;
  Eigen::Matrix3Xd x2 = x;
  x2.rightCols(J * 50).array() += 5.0;  // change the last 50 frames
  const auto a = temporal::kalman_smoother(x, J, 60.0, c);
  const auto b = temporal::kalman_smoother(x2, J, 60.0, c);
  CHECK((a.points.leftCols(J * 150) - b.points.leftCols(J * 150)).cwiseAbs().maxCoeff() == 0.0);
  CHECK((a.points.rightCols(J * 50) - b.points.rightCols(J * 50)).cwiseAbs().maxCoeff() > 1.0);
  // A gap longer than max_gap_frames splits the track; fill_gaps = false keeps NaN.
  Eigen::Matrix3Xd g = x;
  for (int f = 50; f < 70; ++f) g.col(f * J).setConstant(kNaN);
  const auto rg = temporal::kalman_smoother(g, J, 60.0, o);
  CHECK(rg.ok());
  CHECK(rg.num_segments == J + 1);
  CHECK(rg.num_filled == 0);
  CHECK(rg.points.col(60 * J).array().isNaN().all());
  // A lone sample comes out unchanged.
  Eigen::Matrix3Xd lone = Eigen::Matrix3Xd::Constant(3, 5, kNaN);
  lone.col(2) = Eigen::Vector3d(1, 2, 3);
  const auto rl = temporal::kalman_smoother(lone, 1, 60.0, o);
  CHECK(rl.points.col(2) == Eigen::Vector3d(1, 2, 3));
}

TEST_CASE("filters keep constants and straight lines, and are linear") {
  const int F = 90, J = 4;
  Eigen::Matrix3Xd line(3, F * J);
  for (int f = 0; f < F; ++f) {
    for (int j = 0; j < J; ++j) line.col(f * J + j) = Eigen::Vector3d(1 + 0.01 * f, -2 + j, 0.5 - 0.002 * f);
  }
  const Eigen::Matrix3Xd x = random_walk(F, J, 13), y = random_walk(F, J, 14);
  temporal::FilterOptions o;
  o.rate_hz = 60.0;
  for (auto type : {temporal::FilterType::kButterworth, temporal::FilterType::kKalman, temporal::FilterType::kMedian,
                    temporal::FilterType::kGaussian, temporal::FilterType::kOneEuro}) {
    o.type = type;
    INFO(to_string(type));
    const auto rl = temporal::filter_sequence(line, J, o);
    REQUIRE(rl.ok());
    // Lines are kept away from the ends: the median and the Gaussian see the
    // reflected (bent) line near them, filtfilt starts from a step's steady
    // state (lfilter_zi) and decays its transient over the padding, Kalman's
    // diffuse prior pulls by ~1e-9. The one-euro filter lags a ramp by design.
    int margin = 0;
    double tol = 1e-7;
    switch (type) {
      case temporal::FilterType::kButterworth: margin = 30, tol = 1e-6; break;
      case temporal::FilterType::kMedian: margin = 4; break;
      case temporal::FilterType::kGaussian: margin = 8; break;
      default: break;
    }
    const Eigen::Index c0 = margin * J, n = (F - 2 * margin) * J;
    if (type != temporal::FilterType::kOneEuro) {
      CHECK((rl.points.middleCols(c0, n) - line.middleCols(c0, n)).cwiseAbs().maxCoeff() < tol);
    }
    // Constants are kept exactly (up to rounding) everywhere.
    const Eigen::Matrix3Xd constant = Eigen::Vector3d(0.3, -1.2, 1.7).replicate(1, F * J);
    CHECK((temporal::filter_sequence(constant, J, o).points - constant).cwiseAbs().maxCoeff() < 1e-12);
    if (type == temporal::FilterType::kMedian) continue;  // not linear
    const auto rx = temporal::filter_sequence(x, J, o);
    const auto ry = temporal::filter_sequence(y, J, o);
    const auto rxy = temporal::filter_sequence(2.0 * x - 3.0 * y, J, o);
    CHECK((rxy.points - (2.0 * rx.points - 3.0 * ry.points)).cwiseAbs().maxCoeff() < 1e-9);
  }
}

TEST_CASE("filters never carry values across a gap") {
  const int F = 100, J = 1;
  Eigen::Matrix3Xd x = random_walk(F, J, 15);
  Eigen::Matrix3Xd x2 = x;
  for (int f = 40; f < 45; ++f) x.col(f).setConstant(kNaN), x2.col(f).setConstant(kNaN);
  x2.rightCols(55).array() += 3.0;  // everything after the gap changes
  temporal::FilterOptions o;
  o.rate_hz = 60.0;
  for (auto type : {temporal::FilterType::kButterworth, temporal::FilterType::kMedian, temporal::FilterType::kGaussian}) {
    o.type = type;
    const auto a = temporal::filter_sequence(x, J, o), b = temporal::filter_sequence(x2, J, o);
    INFO(to_string(type));
    CHECK((a.points.leftCols(40) - b.points.leftCols(40)).cwiseAbs().maxCoeff() == 0.0);
    CHECK(a.points.middleCols(40, 5).array().isNaN().all());
    CHECK(a.count(temporal::SampleState::kMissing) == 5);
  }
}

TEST_CASE("statuses: short segments are raw and named, empty input is reported") {
  Eigen::Matrix3Xd x = random_walk(30, 1, 16);
  for (int f = 10; f < 12; ++f) x.col(f).setConstant(kNaN);  // segments of 10 and 18 samples
  const auto r = temporal::butterworth_filter(x, 1, 60.0);
  CHECK(r.status == temporal::Status::kPartial);
  CHECK(r.num_segments == 2);
  CHECK(r.num_raw_segments == 1);
  CHECK(r.count(temporal::SampleState::kRaw) == 10);
  CHECK(r.points.leftCols(10) == x.leftCols(10));  // left exactly as given
  CHECK(r.message.find("left raw") != std::string::npos);
  CHECK(r.message.find("15") != std::string::npos);  // names the padding
  const Eigen::Matrix3Xd none = Eigen::Matrix3Xd::Constant(3, 12, kNaN);
  for (auto type : {temporal::FilterType::kButterworth, temporal::FilterType::kKalman, temporal::FilterType::kMedian,
                    temporal::FilterType::kGaussian, temporal::FilterType::kOneEuro}) {
    temporal::FilterOptions o;
    o.type = type;
    o.rate_hz = 30.0;
    const auto e = temporal::filter_sequence(none, 3, o);
    CHECK(e.status == temporal::Status::kNoValidSamples);
    CHECK(e.points.array().isNaN().all());
  }
  CHECK(temporal::fill_gaps(none, 3).status == temporal::Status::kNoValidSamples);
  // Inf is a missing sample, never a number.
  Eigen::Matrix3Xd inf = random_walk(40, 1, 17);
  inf(1, 20) = std::numeric_limits<double>::infinity();
  const auto ri = temporal::gaussian_filter(inf, 1);
  CHECK(ri.states[20] == temporal::SampleState::kMissing);
  CHECK(ri.points.col(20).array().isNaN().all());
  CHECK(ri.points.leftCols(20).allFinite());
}

TEST_CASE("bad input throws std::invalid_argument naming the problem") {
  const Eigen::Matrix3Xd x = random_walk(40, 2, 18);
  const auto throws_with = [](auto&& f, const std::string& text) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(text) != std::string::npos);
      return;
    }
    FAIL("no std::invalid_argument (expected '" << text << "')");
  };
  throws_with([&] { temporal::butterworth_filter(x, 3, 60.0); }, "num_joints");    // 80 % 3 != 0
  throws_with([&] { temporal::butterworth_filter(x, 0, 60.0); }, "num_joints");
  throws_with([&] { temporal::butterworth_filter(Eigen::MatrixXd(x.transpose()), 2, 60.0); }, "transposed");
  throws_with([&] { temporal::butterworth_filter(x, 2, 60.0, {}, Eigen::VectorXd::Ones(3)); }, "validity");
  throws_with([&] { temporal::butterworth_filter(x, 2, 0.0); }, "rate_hz");
  throws_with([&] { temporal::butterworth_filter(x, 2, std::nan("")); }, "rate_hz");
  throws_with([&] { temporal::butterworth_filter(x, 2, 10.0); }, "cutoff_hz");  // 6 Hz >= 10 / 2
  temporal::ButterworthOptions b;
  b.order = 0;
  throws_with([&] { temporal::butterworth_filter(x, 2, 60.0, b); }, "order");
  b.order = 13;
  throws_with([&] { temporal::butterworth_filter(x, 2, 60.0, b); }, "order");
  temporal::MedianOptions m;
  m.window = 4;
  throws_with([&] { temporal::median_filter(x, 2, m); }, "window");
  m.window = 0;
  throws_with([&] { temporal::median_filter(x, 2, m); }, "window");
  temporal::GaussianOptions g;
  g.sigma_frames = -1;
  throws_with([&] { temporal::gaussian_filter(x, 2, g); }, "sigma_frames");
  g.sigma_frames = 1;
  g.truncate = 0;
  throws_with([&] { temporal::gaussian_filter(x, 2, g); }, "truncate");
  temporal::KalmanOptions k;
  k.measurement_noise = 0;
  throws_with([&] { temporal::kalman_smoother(x, 2, 60.0, k); }, "measurement_noise");
  k = {};
  k.process_noise = -1;
  throws_with([&] { temporal::kalman_smoother(x, 2, 60.0, k); }, "process_noise");
  k = {};
  k.max_gap_frames = -1;
  throws_with([&] { temporal::kalman_smoother(x, 2, 60.0, k); }, "max_gap_frames");
  k = {};
  k.cutoff_hz = 40;
  throws_with([&] { temporal::kalman_smoother(x, 2, 60.0, k); }, "cutoff_hz");
  temporal::OneEuroOptions e;
  e.beta = -1;
  throws_with([&] { temporal::one_euro_filter(x, 2, 60.0, e); }, "beta");
  e = {};
  e.min_cutoff_hz = 0;
  throws_with([&] { temporal::one_euro_filter(x, 2, 60.0, e); }, "min_cutoff_hz");
  e = {};
  e.derivative_cutoff_hz = std::nan("");
  throws_with([&] { temporal::one_euro_filter(x, 2, 60.0, e); }, "derivative_cutoff_hz");
  temporal::GapFillOptions gf;
  gf.max_gap_frames = 0;
  throws_with([&] { temporal::fill_gaps(x, 2, gf); }, "max_gap_frames");
  temporal::FilterOptions fo;  // rate 0
  throws_with([&] { temporal::filter_sequence(x, 2, fo); }, "rate_hz");
  fo.type = temporal::FilterType::kMedian;  // no rate needed
  CHECK_NOTHROW(temporal::filter_sequence(x, 2, fo));
  temporal::FilterType t;
  CHECK(temporal::filter_type_from_string("butterworth", &t));
  CHECK(t == temporal::FilterType::kButterworth);
  CHECK_FALSE(temporal::filter_type_from_string("loess", &t));
  // The online filter: shapes, and time must move forward.
  temporal::OneEuroFilter online(2);
  throws_with([&] { online.update(Eigen::Matrix3Xd::Zero(3, 3), 0.0); }, "pose");
  online.update(Eigen::Matrix3Xd::Zero(3, 2), 1.0);
  throws_with([&] { online.update(Eigen::Matrix3Xd::Zero(3, 2), 1.0); }, "time_s");
  throws_with([&] { temporal::OneEuroFilter(0); }, "num_joints");
  // filtfilt / lfilter_zi primitives.
  temporal::IirCoefficients bad;
  throws_with([&] { temporal::lfilter_zi(bad); }, "empty");
  throws_with([&] { temporal::butterworth_lowpass(4, 30.0, 60.0); }, "cutoff_hz");
}

TEST_CASE("the online one-euro filter: missing joints, irregular time, reset") {
  temporal::OneEuroOptions o;
  o.min_cutoff_hz = 1.0;
  temporal::OneEuroFilter f(2, o);
  Eigen::Matrix3Xd p(3, 2);
  p << 0, 1, 0, 1, 0, 1;
  CHECK(f.update(p, 0.0) == p);  // the first sample passes through
  Eigen::Matrix3Xd q = p.array() + 1.0;
  Eigen::VectorXd v(2);
  v << 1, 0;  // joint 1 missing
  const Points3d out = f.update(q, 0.1, v);
  CHECK(out.col(1).array().isNaN().all());
  const double alpha = 1.0 / (1.0 + 1.0 / (2 * M_PI * 1.0 * 0.1));
  CHECK(out(0, 0) == Approx(alpha * 1.0).epsilon(1e-12));
  // Joint 1 resumes after 10 s: alpha ~ 1, it follows the new value.
  const Points3d later = f.update(q, 10.1);
  CHECK(later(0, 1) == Approx(2.0).epsilon(0.02));
  f.reset();
  CHECK(f.update(q, 0.0) == q);
}

TEST_CASE("every joint is its own track: a joint filtered with others equals the joint alone") {
  const int F = 150, J = 4;
  Eigen::Matrix3Xd x = random_walk(F, J, 19);
  Eigen::VectorXd validity = Eigen::VectorXd::Ones(F * J);
  for (int f = 30; f < 36; ++f) validity[f * J + 1] = 0.0;  // joints 1 and 3: different gaps
  for (int f = 70; f < 90; ++f) validity[f * J + 3] = 0.0;
  for (int f = 0; f < 5; ++f) x.col(f * J + 2).setConstant(kNaN);  // joint 2: missing start
  temporal::FilterOptions o;
  o.rate_hz = 60.0;
  o.kalman.fill_gaps = true;
  for (auto type : {temporal::FilterType::kButterworth, temporal::FilterType::kKalman, temporal::FilterType::kMedian,
                    temporal::FilterType::kGaussian, temporal::FilterType::kOneEuro}) {
    o.type = type;
    const auto all = temporal::filter_sequence(x, J, o, validity);
    for (int j = 0; j < J; ++j) {
      Eigen::Matrix3Xd one(3, F);
      Eigen::VectorXd v(F);
      for (int f = 0; f < F; ++f) {
        one.col(f) = x.col(f * J + j);
        v[f] = validity[f * J + j];
      }
      const auto alone = temporal::filter_sequence(one, 1, o, v);
      double worst = 0.0;
      for (int f = 0; f < F; ++f) {
        INFO(to_string(type) << " joint " << j << " frame " << f);
        REQUIRE(all.states[static_cast<std::size_t>(f * J + j)] == alone.states[static_cast<std::size_t>(f)]);
        if (alone.states[static_cast<std::size_t>(f)] != temporal::SampleState::kMissing) {
          worst = std::max(worst, (all.points.col(f * J + j) - alone.points.col(f)).cwiseAbs().maxCoeff());
        }
      }
      INFO(to_string(type) << " joint " << j);
      CHECK(worst <= 1e-12);
    }
  }
}
