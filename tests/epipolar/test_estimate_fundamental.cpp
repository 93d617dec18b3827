// estimate_fundamental: accuracy, refinement, dominant plane, determinism, bad input.
#include "two_view_scene.hpp"

#include <crossview/epipolar/estimate.hpp>

#include <catch2/catch.hpp>

#include <Eigen/SVD>

#include <algorithm>
#include <thread>

namespace {
using namespace crossview;
using crossview_test::clean_epipolar_rms_px;
using crossview_test::make_two_view_scene;
using crossview_test::TwoViewSceneOptions;
using crossview_test::to_points;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

TEST_CASE("estimate_fundamental with 50 percent outliers", "[epipolar][estimate]") {
  std::vector<double> err_refined, err_unrefined;
  for (std::uint64_t seed = 1; seed <= 7; ++seed) {
    INFO("seed " << seed);
    const auto s = make_two_view_scene(seed, {});
    epipolar::FundamentalOptions opt;
    opt.ransac.seed = seed;
    const auto r = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt);
    REQUIRE(r.status == epipolar::EstimateStatus::kSuccess);
    INFO(r.message);
    Eigen::JacobiSVD<Eigen::Matrix3d> svd(r.F);
    CHECK(svd.singularValues()(2) < 1e-12 * svd.singularValues()(0));
    CHECK(r.F.norm() == Approx(1.0));
    int tp = 0, fp = 0, inl = 0;
    for (std::size_t i = 0; i < s.is_inlier.size(); ++i) {
      inl += s.is_inlier[i];
      tp += s.is_inlier[i] && r.inlier_mask[i];
      fp += !s.is_inlier[i] && r.inlier_mask[i];
    }
    // Sampson error of a 0.5 px noisy inlier is ~0.5 px (chi with 1 dof):
    // the 1 px gate keeps ~95 percent; a random outlier falls within 1 px of
    // the epipolar line with probability ~2 / 1000 per line length.
    CHECK(tp >= 0.9 * inl);
    CHECK(fp <= 0.03 * inl);
    CHECK(r.num_inliers == tp + fp);
    err_refined.push_back(clean_epipolar_rms_px(s, r.F));
    opt.refine = false;
    const auto r0 = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt);
    REQUIRE(r0.success());
    err_unrefined.push_back(clean_epipolar_rms_px(s, r0.F));
    CHECK(r.refinement.final_cost <= r.refinement.initial_cost);
    // Without the oriented-constraint filter RANSAC scores more models and must
    // reach the same consensus (the filter only drops impossible models).
    opt.refine = true;
    opt.oriented_constraint = false;
    const auto r_unoriented = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt);
    REQUIRE(r_unoriented.success());
    CHECK(std::abs(r_unoriented.num_inliers - r.num_inliers) <= 0.01 * inl);
    CHECK(clean_epipolar_rms_px(s, r_unoriented.F) < 0.2);
    CHECK(r_unoriented.report.num_models >= r.report.num_models);
    // The filter is wired in: at 50 % outliers it drops most models of contaminated
    // samples (measured ~0.34 scored models per sample with it, ~2.5 without).
    const double per_sample = double(r.report.num_models) / r.report.num_iterations;
    const double per_sample_unoriented =
        double(r_unoriented.report.num_models) / r_unoriented.report.num_iterations;
    CHECK(per_sample < 0.5 * per_sample_unoriented);
  }
  INFO("median clean epipolar rms: refined " << median(err_refined) << " px, LO only "
                                             << median(err_unrefined) << " px");
  // 8 dof fitted to ~475 inliers with 0.5 px noise: the model's error on the
  // clean points is ~0.5 * sqrt(7 / 475) = 0.06 px; 3x margin.
  CHECK(median(err_refined) < 0.2);
  CHECK(median(err_refined) <= median(err_unrefined));
}

TEST_CASE("estimate_fundamental finds F among 80 percent outliers", "[epipolar][estimate]") {
  // Issue 20's bar: N = 1000, 0.5 px noise, 80 % outliers (~200 inliers), 1e5 samples:
  // the true F on >= 5 of 6 seeded scenes and no partial fit reported as success.
  // An all-inlier 7-point sample has probability 0.2^7 = 1.3e-5 (1.3 expected in
  // 1e5 samples); the rest comes from LO+ on contaminated samples' partial fits.
  // Before LO+: 2-3 of 6, the others partial fits (72-89 inliers, 3.7-7.7 px)
  // reported as success.
  int found = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    INFO("seed " << seed);
    TwoViewSceneOptions so;
    so.outlier_ratio = 0.8;
    const auto s = make_two_view_scene(seed, so);
    epipolar::FundamentalOptions opt;
    opt.ransac.max_iterations = 100000;
    opt.ransac.seed = seed;
    const auto r = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt);
    INFO(r.message);
    if (!r.success()) {
      CHECK(r.F.isZero());
      continue;
    }
    const double err = clean_epipolar_rms_px(s, r.F);
    INFO("clean epipolar rms " << err << " px, " << r.num_inliers << " inliers");
    // ~190 inliers: 0.5 * sqrt(7 / 190) = 0.1 px; the partial fits were >= 0.7 px.
    CHECK(err < 0.3);
    found += err < 0.3;
    CHECK(r.num_inliers >= 170);
  }
  CHECK(found >= 5);
}

TEST_CASE("estimate_fundamental never reports a partial fit as success", "[epipolar][estimate]") {
  // A weak search on purpose (LO+ off, 1000 samples at 70 % outliers: an all-inlier
  // sample has probability 2.2e-4) often ends on a partial fit: a model through
  // part of the inliers, pixels off elsewhere. Each run must either find the true F
  // (possibly after the support convergence pulled a near miss in), or refuse:
  // kPartialFit (F zero) or kNoConsensus. The verdict uses no ground truth; the
  // refused runs, repeated with the check off (same F: the check is the last
  // step), are shown to be wrong, so the test fails if the check refuses good
  // models or lets partial ones through.
  int partial = 0, successes = 0;
  for (std::uint64_t seed = 100; seed < 200; ++seed) {
    INFO("seed " << seed);
    TwoViewSceneOptions so;
    so.outlier_ratio = 0.7;
    const auto s = make_two_view_scene(seed, so);
    epipolar::FundamentalOptions opt;
    opt.ransac.max_iterations = 1000;
    opt.ransac.lo_inner_iterations = 0;
    opt.ransac.seed = seed;
    const auto r = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt);
    INFO(r.message);
    if (r.success()) {
      ++successes;
      // ~290 inliers: 0.5 * sqrt(7 / 290) = 0.08 px; the near misses were >= 0.6 px.
      CHECK(clean_epipolar_rms_px(s, r.F) < 0.4);
      CHECK(r.partial_fit.num_inliers == r.num_inliers);
    } else if (r.status == epipolar::EstimateStatus::kPartialFit) {
      ++partial;
      CHECK(r.F.isZero());
      CHECK(std::count(r.inlier_mask.begin(), r.inlier_mask.end(), 1) == 0);
      CHECK(r.message.find("partial fit") != std::string::npos);
      CHECK(r.partial_fit.excess_ratio() > opt.partial_fit_ratio);
      opt.check_partial_fit = false;
      const auto unchecked = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt);
      REQUIRE(unchecked.success());
      CHECK(clean_epipolar_rms_px(s, unchecked.F) > 2.0);
      CHECK(unchecked.num_inliers == r.num_inliers);
    } else {
      CHECK(r.status == epipolar::EstimateStatus::kNoConsensus);
    }
  }
  INFO(successes << " successes, " << partial << " partial fits");
  // Measured: 5 partial fits refused (9-21 px off), 45 successes, 50 below the
  // minimum support. Without the support convergence one success was a 0.6 px near
  // miss (259 of ~290 inliers); without the partial-fit test the 5 were successes.
  CHECK(partial >= 3);
  CHECK(successes >= 35);
}

TEST_CASE("estimate_fundamental refuses a gate below the noise", "[epipolar][estimate]") {
  // Noise 1.5 px with a 1 px gate: the inliers keep coming past the gate, which
  // the partial-fit test cannot tell from a partial fit: refused, with a message
  // naming both causes. A gate at the noise (1.5 px) or above is accepted.
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    INFO("seed " << seed);
    TwoViewSceneOptions so;
    so.noise_px = 1.5;
    const auto s = make_two_view_scene(seed, so);
    epipolar::FundamentalOptions opt;
    opt.ransac.seed = seed;
    opt.max_error_px = 1.0;
    const auto tight = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt);
    INFO(tight.message);
    CHECK(tight.status == epipolar::EstimateStatus::kPartialFit);
    CHECK(tight.message.find("gate is below the noise") != std::string::npos);
    CHECK(tight.F.isZero());
    for (double gate : {1.5, 3.0}) {
      opt.max_error_px = gate;
      const auto r = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt);
      INFO("gate " << gate << ": " << r.message);
      REQUIRE(r.success());
      // 1.5 px noise over ~330-480 inliers: ~0.2 px; measured up to 0.52 px at the
      // 1.5 px gate (selecting inliers at the noise level biases the fit).
      CHECK(clean_epipolar_rms_px(s, r.F) < 1.0);
    }
  }
  CHECK(std::string(epipolar::to_string(epipolar::EstimateStatus::kPartialFit)) == "partial fit");
}

TEST_CASE("estimate_fundamental is deterministic across runs and threads", "[epipolar][estimate]") {
  const auto s = make_two_view_scene(11, {});
  epipolar::FundamentalOptions opt;
  opt.ransac.seed = 123;
  const auto a = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt);
  epipolar::FundamentalResult b, c;
  std::thread t1([&] { b = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt); });
  std::thread t2([&] { c = epipolar::estimate_fundamental(s.points1_px, s.points2_px, opt); });
  t1.join();
  t2.join();
  REQUIRE(a.success());
  for (const auto* r : {&b, &c}) {
    CHECK((r->F.array() == a.F.array()).all());
    CHECK(r->inlier_mask == a.inlier_mask);
    CHECK(r->report.num_iterations == a.report.num_iterations);
  }
}

namespace {
/// 600 points, 20 % outliers, all inliers on one plane but `num_off_plane`;
/// estimate_fundamental must succeed, flag the plane and find the true F.
epipolar::FundamentalResult check_dominant_plane_scene(std::uint64_t seed, int num_off_plane,
                                                       crossview_test::TwoViewScene* scene) {
  TwoViewSceneOptions so;
  so.num_points = 600;
  so.outlier_ratio = 0.2;
  so.planar = true;
  so.num_off_plane = num_off_plane;
  *scene = make_two_view_scene(seed, so);
  epipolar::FundamentalOptions opt;
  opt.ransac.seed = seed;
  auto r = epipolar::estimate_fundamental(scene->points1_px, scene->points2_px, opt);
  INFO(r.message);
  REQUIRE(r.success());
  CHECK(r.dominant_plane);
  CHECK(clean_epipolar_rms_px(*scene, r.F) < 0.5);
  return r;
}
}  // namespace

TEST_CASE("estimate_fundamental handles a dominant plane", "[epipolar][estimate]") {
  int recovered = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    INFO("seed " << seed);
    crossview_test::TwoViewScene s;
    const int num_off_plane = 40;  // ~7 percent of the points off the plane
    const auto r = check_dominant_plane_scene(seed, num_off_plane, &s);
    // The off-plane inliers (the first num_off_plane points) must be explained.
    int off_in = 0, off_total = 0;
    for (int i = 0; i < num_off_plane; ++i) {
      off_total += s.is_inlier[i];
      off_in += s.is_inlier[i] && r.inlier_mask[i];
    }
    recovered += off_in >= 0.85 * off_total;
  }
  CHECK(recovered == 6);

  // A plane holding just above the trigger ratio (80 % of the inliers, 70 %
  // needed) must be found every time: the homography sampling is sized for a
  // plane at the ratio itself.
  for (std::uint64_t seed = 11; seed <= 22; ++seed) {
    INFO("seed " << seed);
    crossview_test::TwoViewScene s;
    check_dominant_plane_scene(seed, 96, &s);  // 20 percent of the 480 inliers off the plane
  }

  // A purely planar scene: F is not determined.
  TwoViewSceneOptions so;
  so.num_points = 400;
  so.outlier_ratio = 0.2;
  so.planar = true;
  const auto s = make_two_view_scene(3, so);
  const auto r = epipolar::estimate_fundamental(s.points1_px, s.points2_px);
  CHECK(r.status == epipolar::EstimateStatus::kDegenerate);
  CHECK(r.message.find("plane") != std::string::npos);
  CHECK(r.F.isZero());
}

TEST_CASE("estimate_fundamental bad input", "[epipolar][estimate]") {
  using epipolar::EstimateStatus;
  auto s = make_two_view_scene(5, {200, 0.3, 0.5});
  // Too few points.
  const crossview::Points2d a = s.points1_px.leftCols(6);
  crossview::Points2d b = s.points2_px.leftCols(6);
  auto r = epipolar::estimate_fundamental(a, b);
  CHECK(r.status == EstimateStatus::kTooFewPoints);
  CHECK(r.message.find("at least 7") != std::string::npos);
  // Mismatched sizes throw.
  b.conservativeResize(2, 5);
  CHECK_THROWS_AS(epipolar::estimate_fundamental(a, b), std::invalid_argument);
  // NaN / Inf are dropped and reported.
  crossview::Points2d p1 = s.points1_px;
  p1(0, 3) = std::nan("");
  p1(1, 7) = std::numeric_limits<double>::infinity();
  r = epipolar::estimate_fundamental(p1, s.points2_px);
  CHECK(r.success());
  CHECK(r.num_dropped_non_finite == 2);
  CHECK(r.inlier_mask[3] == 0);
  CHECK(static_cast<Eigen::Index>(r.inlier_mask.size()) == p1.cols());
  CHECK(r.message.find("NaN") != std::string::npos);
  // All NaN.
  const crossview::Points2d nans = Eigen::Vector2d(std::nan(""), 0.0).replicate(1, 20);
  r = epipolar::estimate_fundamental(nans, nans);
  CHECK(r.status == EstimateStatus::kTooFewPoints);
  CHECK(r.message.find("NaN") != std::string::npos);
  // Duplicates: 30 copies of 5 correspondences.
  std::vector<Eigen::Vector2d> d1, d2;
  for (int k = 0; k < 30; ++k) {
    for (int i = 0; i < 5; ++i) {
      d1.push_back(s.points1_px.col(i));
      d2.push_back(s.points2_px.col(i));
    }
  }
  r = epipolar::estimate_fundamental(to_points(d1), to_points(d2));
  CHECK(r.status == EstimateStatus::kDegenerate);
  CHECK(r.message.find("distinct") != std::string::npos);
  // All points collinear in image 1.
  std::vector<Eigen::Vector2d> c1, c2;
  crossview_test::Rng rng(4);
  for (int i = 0; i < 50; ++i) {
    const double u = rng.uniform(0, 1000);
    c1.emplace_back(u, 0.5 * u + 3.0);
    c2.emplace_back(rng.uniform(0, 1000), rng.uniform(0, 1000));
  }
  r = epipolar::estimate_fundamental(to_points(c1), to_points(c2));
  CHECK(r.status == EstimateStatus::kDegenerate);
  CHECK(r.message.find("collinear") != std::string::npos);
  // Every point an outlier.
  std::vector<Eigen::Vector2d> o1, o2;
  for (int i = 0; i < 500; ++i) {
    o1.emplace_back(rng.uniform(0, 1279), rng.uniform(0, 959));
    o2.emplace_back(rng.uniform(0, 1279), rng.uniform(0, 959));
  }
  epipolar::FundamentalOptions fast;
  fast.ransac.max_iterations = 2000;
  r = epipolar::estimate_fundamental(to_points(o1), to_points(o2), fast);
  INFO(r.message);
  CHECK(r.status == EstimateStatus::kNoConsensus);
  CHECK(r.F.isZero());
  // Options.
  auto throws_naming = [](const epipolar::FundamentalOptions& o, const std::string& name) {
    try {
      o.validate();
      FAIL("no throw for " << name);
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find(name) != std::string::npos);
    }
  };
  epipolar::FundamentalOptions o;
  o.max_error_px = 0.0;
  throws_naming(o, "max_error_px");
  o = {};
  o.ransac.confidence = 1.5;
  throws_naming(o, "confidence");
  o = {};
  o.ransac.min_iterations = 50;
  o.ransac.max_iterations = 10;
  throws_naming(o, "max_iterations");
  o = {};
  o.dominant_plane_ratio = 0.0;
  throws_naming(o, "dominant_plane_ratio");
  o = {};
  o.partial_fit_ratio = 0.0;
  throws_naming(o, "partial_fit_ratio");
  o.partial_fit_ratio = 1.5;
  throws_naming(o, "partial_fit_ratio");
  o = {};
  o.ransac.lo_inner_pool_multiplier = 0.9;
  throws_naming(o, "lo_inner_pool_multiplier");
  o = {};
  o.refine_options.max_iterations = 0;
  throws_naming(o, "max_iterations");
  CHECK_THROWS_AS(epipolar::estimate_fundamental(s.points1_px, s.points2_px, o), std::invalid_argument);
  // Match scores with the wrong size throw; with the right size run PROSAC.
  CHECK_THROWS_AS(epipolar::estimate_fundamental(s.points1_px, s.points2_px, {}, Eigen::Vector2d(1.0, 2.0)),
                  std::invalid_argument);
  Eigen::VectorXd scores(s.points1_px.cols());
  for (Eigen::Index i = 0; i < scores.size(); ++i) scores(i) = s.is_inlier[static_cast<std::size_t>(i)] ? 1.0 : 0.0;
  r = epipolar::estimate_fundamental(s.points1_px, s.points2_px, {}, scores);
  CHECK(r.success());
  CHECK(std::string(epipolar::to_string(EstimateStatus::kPureRotation)).find("rotation") !=
        std::string::npos);
}
