// The temporal filters against SciPy on the same arrays: Butterworth filtfilt
// (the bar: 1e-9), median and Gaussian (scipy.ndimage), gap filling
// (CubicSpline, PchipInterpolator, numpy.interp) and the one-euro filter
// (beta = 0 against scipy.signal.lfilter; beta > 0 against a direct Python
// transcription of the paper). The expected arrays are written by
// tests/temporal/scipy_reference.py, run here with /usr/bin/python3.
#include <crossview/temporal/filters.hpp>
#include <crossview/temporal/gap_filling.hpp>

#include <crossview_test/random.hpp>

#include "scipy_harness.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace crossview;
using crossview_test::Rng;

namespace {

struct Track {
  Eigen::Matrix3Xd points;            ///< 3 x (F*J)
  std::vector<std::uint8_t> valid;    ///< F*J (for the script)
  Eigen::VectorXd validity;           ///< F*J (for the library), 0 / 1
  int F = 0, J = 0;
};

/// Smooth motion (sums of sinusoids of 0.3-8 Hz at 60 Hz, metres) + 5 mm
/// noise. Joints 0-2 are fully valid (they form one joint group), the others
/// have random gaps: NaN runs, validity-0 runs (finite coordinates that must be
/// ignored), short islands (1-20 samples, some below the Butterworth
/// padding), missing first / last frames.
Track make_track(int F, int J, std::uint64_t seed, bool gaps = true) {
  Rng rng(seed);
  Track t;
  t.F = F;
  t.J = J;
  t.points.resize(3, static_cast<Eigen::Index>(F) * J);
  t.valid.assign(static_cast<std::size_t>(F) * J, 1);
  t.validity.setOnes(static_cast<Eigen::Index>(F) * J);
  for (int j = 0; j < J; ++j) {
    for (int c = 0; c < 3; ++c) {
      double amp[3], freq[3], phase[3];
      for (int k = 0; k < 3; ++k) {
        amp[k] = rng.uniform(0.05, 0.5);
        freq[k] = rng.uniform(0.3, 8.0);
        phase[k] = rng.uniform(0.0, 6.28);
      }
      const double offset = rng.uniform(-2.0, 2.0);
      for (int f = 0; f < F; ++f) {
        double v = offset + rng.normal(0.005);
        for (int k = 0; k < 3; ++k) v += amp[k] * std::sin(2 * M_PI * freq[k] * f / 60.0 + phase[k]);
        t.points(c, static_cast<Eigen::Index>(f) * J + j) = v;
      }
    }
    if (!gaps || j < 3) continue;
    int f = 0;
    if (rng.uniform() < 0.5) f = rng.integer(1, 5);  // missing start
    for (int g = 0; g < f; ++g) t.valid[static_cast<std::size_t>(g) * J + j] = 0;
    while (f < F) {
      const int run = rng.uniform() < 0.3 ? rng.integer(1, 20) : rng.integer(20, 120);
      f += run;
      const int gap = rng.integer(1, 25);
      for (int g = f; g < std::min(F, f + gap); ++g) t.valid[static_cast<std::size_t>(g) * J + j] = 0;
      f += gap;
    }
  }
  for (std::size_t i = 0; i < t.valid.size(); ++i) {
    if (t.valid[i]) continue;
    // Half of the missing samples are NaN, the other half have validity 0
    // (coordinates left finite, and wrong: the library must not use them).
    if (i % 2) {
      t.points.col(static_cast<Eigen::Index>(i)).setConstant(std::nan(""));
    } else {
      t.points.col(static_cast<Eigen::Index>(i)) += Eigen::Vector3d(10, -10, 10);
      t.validity[static_cast<Eigen::Index>(i)] = 0.0;
    }
  }
  return t;
}

/// Every sample: same state, and the same value within tol * max(1, |x|)
/// (NaN where missing).
void require_equal(const temporal::SequenceResult& r, const crossview_test::ScipyOutput& ref, double tol,
                   double* max_err = nullptr) {
  REQUIRE(r.points.cols() == ref.points.cols());
  REQUIRE(r.states.size() == ref.states.size());
  double worst = 0.0;
  int state_mismatches = 0, value_mismatches = 0;
  for (Eigen::Index i = 0; i < r.points.cols(); ++i) {
    if (static_cast<std::uint8_t>(r.states[static_cast<std::size_t>(i)]) != ref.states[static_cast<std::size_t>(i)]) {
      ++state_mismatches;
      continue;
    }
    if (r.states[static_cast<std::size_t>(i)] == temporal::SampleState::kMissing) {
      if (!r.points.col(i).array().isNaN().all()) ++value_mismatches;
      continue;
    }
    for (int c = 0; c < 3; ++c) {
      const double a = r.points(c, i), b = ref.points(c, i);
      const double e = std::abs(a - b) / std::max(1.0, std::abs(b));
      worst = std::max(worst, std::isfinite(e) ? e : 1e300);
      if (!(e <= tol)) ++value_mismatches;
    }
  }
  INFO("largest relative difference " << worst);
  CHECK(state_mismatches == 0);
  CHECK(value_mismatches == 0);
  if (max_err != nullptr) *max_err = worst;
}

std::string fmt(const char* f, double a, double b = 0, double c = 0, double d = 0) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), f, a, b, c, d);
  return buf;
}

}  // namespace

TEST_CASE("butterworth_lowpass equals scipy.signal.butter") {
  std::vector<crossview_test::ScipyJob> jobs;
  std::vector<temporal::IirCoefficients> mine;
  for (int order : {1, 2, 3, 4, 5, 6, 8, 10, 12}) {
    for (double cutoff : {0.5, 6.0, 12.0, 29.0}) {
      jobs.push_back({"butter_coeffs", fmt("order=%g cutoff=%.17g rate=60", order, cutoff)});
      mine.push_back(temporal::butterworth_lowpass(order, cutoff, 60.0));
    }
  }
  const auto ref = crossview_test::run_scipy(jobs, Eigen::Matrix3Xd::Zero(3, 1), 1, {1});
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    const Eigen::VectorXd v = ref[k].points.row(0).transpose();
    const Eigen::Index n = v.size() / 2;
    const Eigen::VectorXd b = v.head(n), a = v.tail(n);
    INFO(jobs[k].args);
    REQUIRE(mine[k].b.size() == n);
    REQUIRE(mine[k].a.size() == n);
    CHECK((mine[k].b - b).cwiseAbs().maxCoeff() <= 1e-12 * std::max(1.0, b.cwiseAbs().maxCoeff()));
    CHECK((mine[k].a - a).cwiseAbs().maxCoeff() <= 1e-12 * std::max(1.0, a.cwiseAbs().maxCoeff()));
  }
}

TEST_CASE("butterworth_filter equals scipy filtfilt per segment to 1e-9") {
  const int F = 600, J = 12;
  for (std::uint64_t seed : {1u, 2u}) {
    const Track t = make_track(F, J, seed);
    std::vector<crossview_test::ScipyJob> jobs;
    std::vector<temporal::SequenceResult> mine;
    for (int order : {1, 2, 4, 5, 8}) {
      for (double cutoff : {3.0, 6.0, 15.0}) {
        temporal::ButterworthOptions o;
        o.order = order;
        o.cutoff_hz = cutoff;
        mine.push_back(temporal::butterworth_filter(t.points, J, 60.0, o, t.validity));
        jobs.push_back({"butter", fmt("order=%g cutoff=%g rate=60", order, cutoff)});
      }
    }
    const auto ref = crossview_test::run_scipy(jobs, t.points, J, t.valid);
    double worst = 0.0;
    for (std::size_t k = 0; k < jobs.size(); ++k) {
      const auto& r = mine[k];
      INFO("seed " << seed << " " << jobs[k].args << ": " << r.message);
      double err = 0.0;
      require_equal(r, ref[k], 1e-9, &err);
      worst = std::max(worst, err);
      // Random islands include segments shorter than the padding: kPartial, named.
      CHECK(r.status == temporal::Status::kPartial);
      CHECK(r.num_raw_segments > 0);
      CHECK(r.count(temporal::SampleState::kRaw) > 0);
      CHECK(r.count(temporal::SampleState::kFiltered) > F * J / 2);
    }
    WARN("butterworth filtfilt vs scipy (orders 1-8, 3-15 Hz, seed " << seed << "): largest relative difference "
                                                                    << worst << " (bar 1e-9)");
  }
}

TEST_CASE("filtfilt (one signal) equals scipy, too-short signals are refused") {
  const Track t = make_track(200, 1, 7, false);
  const Eigen::VectorXd x = t.points.row(0).transpose();
  const auto f = temporal::butterworth_lowpass(4, 6.0, 60.0);
  const Eigen::VectorXd y = temporal::filtfilt(f, x);
  const auto ref = crossview_test::run_scipy({{"butter", "order=4 cutoff=6 rate=60"}}, t.points, 1, t.valid);
  CHECK((y - ref[0].points.row(0).transpose()).cwiseAbs().maxCoeff() <= 1e-9);
  CHECK(temporal::filtfilt_padlen(f) == 15);
  CHECK_THROWS_AS(temporal::filtfilt(f, x.head(15)), std::invalid_argument);
  CHECK_NOTHROW(temporal::filtfilt(f, x.head(16)));
}

TEST_CASE("median_filter equals scipy.ndimage.median_filter per segment") {
  const int F = 400, J = 8;
  const Track t = make_track(F, J, 3);
  std::vector<crossview_test::ScipyJob> jobs;
  std::vector<temporal::SequenceResult> mine;
  for (int window : {1, 3, 9, 31}) {
    for (auto mode : {temporal::BoundaryMode::kReflect, temporal::BoundaryMode::kMirror,
                      temporal::BoundaryMode::kNearest}) {
      temporal::MedianOptions o;
      o.window = window;
      o.mode = mode;
      mine.push_back(temporal::median_filter(t.points, J, o, t.validity));
      jobs.push_back({"median", "window=" + std::to_string(window) + " mode=" + to_string(mode)});
    }
  }
  const auto ref = crossview_test::run_scipy(jobs, t.points, J, t.valid);
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    INFO(jobs[k].args);
    require_equal(mine[k], ref[k], 0.0);  // a median is one of the inputs: exact
    CHECK(mine[k].ok());
  }
}

TEST_CASE("gaussian_filter equals scipy.ndimage.gaussian_filter1d per segment") {
  const int F = 400, J = 8;
  const Track t = make_track(F, J, 4);
  std::vector<crossview_test::ScipyJob> jobs;
  std::vector<temporal::SequenceResult> mine;
  for (double sigma : {0.5, 2.0, 7.3}) {
    for (double truncate : {4.0, 2.0}) {
      for (auto mode : {temporal::BoundaryMode::kReflect, temporal::BoundaryMode::kMirror,
                        temporal::BoundaryMode::kNearest}) {
        temporal::GaussianOptions o;
        o.sigma_frames = sigma;
        o.truncate = truncate;
        o.mode = mode;
        mine.push_back(temporal::gaussian_filter(t.points, J, o, t.validity));
        jobs.push_back({"gaussian", fmt("sigma=%.17g truncate=%.17g", sigma, truncate) + " mode=" + to_string(mode)});
      }
    }
  }
  const auto ref = crossview_test::run_scipy(jobs, t.points, J, t.valid);
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    INFO(jobs[k].args);
    require_equal(mine[k], ref[k], 1e-12);
    CHECK(mine[k].ok());
  }
}

TEST_CASE("fill_gaps equals numpy.interp / CubicSpline / PchipInterpolator") {
  const int F = 300, J = 10;
  const Track t = make_track(F, J, 5);
  std::vector<crossview_test::ScipyJob> jobs;
  std::vector<temporal::SequenceResult> mine;
  for (auto method : {temporal::GapFillMethod::kLinear, temporal::GapFillMethod::kCubicSpline,
                      temporal::GapFillMethod::kPchip}) {
    for (int max_gap : {1, 5, 25}) {
      temporal::GapFillOptions o;
      o.method = method;
      o.max_gap_frames = max_gap;
      mine.push_back(temporal::fill_gaps(t.points, J, o, t.validity));
      jobs.push_back({"fill", std::string("method=") + to_string(method) + " max_gap=" + std::to_string(max_gap)});
    }
  }
  const auto ref = crossview_test::run_scipy(jobs, t.points, J, t.valid);
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    const auto& r = mine[k];
    INFO(jobs[k].args << ": " << r.message);
    require_equal(r, ref[k], 1e-9);
    CHECK(r.ok());
    CHECK(r.num_filled == r.count(temporal::SampleState::kFilled));
    CHECK(r.num_gaps_left > 0);  // gaps at the ends are never filled
  }
}

TEST_CASE("fill_gaps on tracks with 2, 3 and 4 valid samples (scipy's special cases)") {
  for (int n : {2, 3, 4}) {
    const int F = 40;
    Track t = make_track(F, 1, 10 + n, false);
    std::fill(t.valid.begin(), t.valid.end(), 0);
    const int frames[4] = {0, 9, 17, 30};
    for (int k = 0; k < n; ++k) t.valid[static_cast<std::size_t>(frames[k])] = 1;
    for (int f = 0; f < F; ++f) {
      if (!t.valid[static_cast<std::size_t>(f)]) t.points.col(f).setConstant(std::nan(""));
    }
    std::vector<crossview_test::ScipyJob> jobs;
    std::vector<temporal::SequenceResult> mine;
    for (auto method : {temporal::GapFillMethod::kLinear, temporal::GapFillMethod::kCubicSpline,
                        temporal::GapFillMethod::kPchip}) {
      temporal::GapFillOptions o;
      o.method = method;
      o.max_gap_frames = 20;
      mine.push_back(temporal::fill_gaps(t.points, 1, o));
      jobs.push_back({"fill", std::string("method=") + to_string(method) + " max_gap=20"});
    }
    const auto ref = crossview_test::run_scipy(jobs, t.points, 1, t.valid);
    for (std::size_t k = 0; k < jobs.size(); ++k) {
      INFO(n << " samples, " << jobs[k].args);
      require_equal(mine[k], ref[k], 1e-9);
      CHECK(mine[k].num_filled > 0);
    }
  }
}

TEST_CASE("one_euro_filter: beta = 0 is scipy.signal.lfilter exponential filter, beta > 0 the paper") {
  const int F = 300, J = 4;
  const Track full = make_track(F, J, 6, false);
  temporal::OneEuroOptions o;
  o.min_cutoff_hz = 2.0;
  o.beta = 0.0;
  const auto r = temporal::one_euro_filter(full.points, J, 60.0, o);
  const double alpha = 1.0 / (1.0 + 60.0 / (2 * M_PI * 2.0));
  const auto ref = crossview_test::run_scipy({{"exp_lfilter", fmt("alpha=%.17g", alpha)}}, full.points, J, full.valid);
  require_equal(r, ref[0], 1e-12);

  const Track gappy = make_track(F, J + 4, 8);
  std::vector<crossview_test::ScipyJob> jobs;
  std::vector<temporal::SequenceResult> mine;
  for (double beta : {0.0, 0.5, 5.0}) {
    o.beta = beta;
    o.min_cutoff_hz = 1.0;
    o.derivative_cutoff_hz = 1.5;
    mine.push_back(temporal::one_euro_filter(gappy.points, J + 4, 60.0, o, gappy.validity));
    jobs.push_back({"one_euro", fmt("min_cutoff=1 beta=%.17g d_cutoff=1.5 rate=60", beta)});
  }
  const auto refg = crossview_test::run_scipy(jobs, gappy.points, J + 4, gappy.valid);
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    INFO(jobs[k].args);
    require_equal(mine[k], refg[k], 1e-12);
  }
}
