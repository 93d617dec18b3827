#include <crossview/metrics/kmeans.hpp>
#include <crossview/metrics/pss.hpp>

#include <catch2/catch.hpp>
#include <crossview_test/points.hpp>
#include <crossview_test/random.hpp>

#include "expected_values.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <vector>

namespace cm = crossview::metrics;
using cm::Pose3d;
using cm::RowMatrixXd;

namespace {

RowMatrixXd to_matrix(const std::vector<double>& flat, int rows, int cols) {
  RowMatrixXd m(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) m(r, c) = flat[static_cast<std::size_t>(r * cols + c)];
  return m;
}

std::vector<Pose3d> to_poses(const std::vector<double>& flat, int count, int joints = 17) {
  std::vector<Pose3d> out;
  for (int i = 0; i < count; ++i) {
    Pose3d p(3, joints);
    for (int j = 0; j < joints; ++j)
      for (int c = 0; c < 3; ++c) p(c, j) = flat[static_cast<std::size_t>((i * joints + j) * 3 + c)];
    out.push_back(p);
  }
  return out;
}

/// Per-pose 3 x J matrices packed into a set 3 x (F*J).
Pose3d pack(const std::vector<Pose3d>& poses) { return crossview_test::pack(poses); }

/// Plain Lloyd (no bounds) as the reference for the accelerated one.
void naive_lloyd(const RowMatrixXd& x, RowMatrixXd* c, Eigen::VectorXi* labels, int max_iterations) {
  const Eigen::Index n = x.rows(), k = c->rows();
  labels->setConstant(n, -1);
  for (int it = 0; it <= max_iterations; ++it) {
    bool changed = false;
    for (Eigen::Index i = 0; i < n; ++i) {
      Eigen::Index best = 0;
      double best_d = std::numeric_limits<double>::infinity();
      for (Eigen::Index j = 0; j < k; ++j) {
        const double d = (x.row(i) - c->row(j)).squaredNorm();
        if (d < best_d) {
          best_d = d;
          best = j;
        }
      }
      if ((*labels)(i) != best) changed = true;
      (*labels)(i) = static_cast<int>(best);
    }
    if (!changed || it == max_iterations) return;
    RowMatrixXd sums = RowMatrixXd::Zero(k, x.cols());
    Eigen::VectorXi counts = Eigen::VectorXi::Zero(k);
    for (Eigen::Index i = 0; i < n; ++i) {
      sums.row((*labels)(i)) += x.row(i);
      ++counts((*labels)(i));
    }
    // The documented rule for an empty cluster: move its centre onto the
    // sample farthest from its own centre (lowest index on ties) among the
    // clusters with more than one sample.
    for (Eigen::Index j = 0; j < k; ++j) {
      if (counts(j) > 0) continue;
      Eigen::Index far = 0;
      double far_d = -1.0;
      for (Eigen::Index i = 0; i < n; ++i) {
        if (counts((*labels)(i)) <= 1) continue;
        const double di = (x.row(i) - c->row((*labels)(i))).squaredNorm();
        if (di > far_d) {
          far_d = di;
          far = i;
        }
      }
      --counts((*labels)(far));
      sums.row((*labels)(far)) -= x.row(far);
      (*labels)(far) = static_cast<int>(j);
      counts(j) = 1;
      sums.row(j) = x.row(far);
    }
    for (Eigen::Index j = 0; j < k; ++j) c->row(j) = sums.row(j) / counts(j);
  }
}

/// A continuous cloud without cluster structure (most samples near a
/// boundary: the hard case for the bounds), scaled and offset.
RowMatrixXd cloud(crossview_test::Rng& rng, int n, int d, double scale, double offset) {
  RowMatrixXd x(n, d);
  for (int i = 0; i < n; ++i)
    for (int t = 0; t < d; ++t) x(i, t) = offset + scale * (rng.normal() + 0.3 * std::sin(3.0 * t + i % 11));
  return x;
}

/// The bounded lloyd() from `init` against naive_lloyd: same labels, centres
/// equal to `tolerance`; returns the bounded result.
cm::KMeansResult check_lloyd_matches_plain(const RowMatrixXd& x, const RowMatrixXd& init, double tolerance) {
  RowMatrixXd ref_c = init;
  Eigen::VectorXi ref_labels;
  naive_lloyd(x, &ref_c, &ref_labels, 500);
  const cm::KMeansResult r = cm::lloyd(x, init, 500);
  CHECK(r.converged);
  CHECK((r.labels.array() == ref_labels.array()).all());
  CHECK((r.centres - ref_c).cwiseAbs().maxCoeff() <= tolerance);
  return r;
}

/// Synthetic 17-joint poses around `num_modes` random prototypes.
std::vector<Pose3d> synthetic_poses(crossview_test::Rng& rng, int count, int num_modes, double noise_mm) {
  std::vector<Pose3d> modes;
  for (int m = 0; m < num_modes; ++m) {
    Pose3d p(3, 17);
    for (int j = 0; j < 17; ++j) p.col(j) << rng.normal(300), rng.normal(300), rng.normal(300);
    modes.push_back(p);
  }
  std::vector<Pose3d> out;
  for (int i = 0; i < count; ++i) {
    Pose3d p = modes[static_cast<std::size_t>(i % num_modes)];
    for (int j = 0; j < 17; ++j) p.col(j) += Eigen::Vector3d(rng.normal(noise_mm), rng.normal(noise_mm), rng.normal(noise_mm));
    // Random global scale and position: PSS must not care.
    const double s = rng.uniform(0.8, 1.2);
    out.push_back(((p * s).colwise() + Eigen::Vector3d(rng.normal(1000), rng.normal(1000), rng.normal(1000))).eval());
  }
  return out;
}

}  // namespace

TEST_CASE("Bounded Lloyd equals plain Lloyd on clustered data", "[kmeans]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const int n = 1500, d = 8, k = 25;
    RowMatrixXd x(n, d);
    for (int i = 0; i < n; ++i)
      for (int t = 0; t < d; ++t) x(i, t) = rng.normal() + (i % 7) * 0.5 * (t % 3);
    check_lloyd_matches_plain(x, cm::kmeans_plus_plus(x, k, seed), 1e-12);
  }
}

TEST_CASE("Bounded Lloyd equals plain Lloyd for any k, scale and offset", "[kmeans]") {
  // k around the bound blocks' width (8), data far from the origin and tiny
  // or large scales: the stored bounds carry the centres' cumulative shifts,
  // whose rounding must never prune the true nearest centre; the per-centre
  // bounds are floats, so scales beyond float's range (1e-150: every bound
  // underflows to 0; 1e150: every bound is clamped to the largest float)
  // must stay valid.
  std::uint64_t seed = 11;
  for (int k : {1, 2, 7, 8, 9, 16, 17, 40}) {
    for (const auto& [scale, offset] : std::vector<std::pair<double, double>>{{1.0, 0.0}, {1e-3, 1e3}, {1e4, -1e6}, {1e-150, 0.0}, {1e150, 1e150}}) {
      INFO("k " << k << " scale " << scale << " offset " << offset);
      crossview_test::Rng rng(++seed);
      const RowMatrixXd x = cloud(rng, 900, 6 + k % 5, scale, offset);
      check_lloyd_matches_plain(x, cm::kmeans_plus_plus(x, k, seed), 1e-12 * (scale + std::abs(offset)));
    }
  }
}

TEST_CASE("Lloyd relocates an empty cluster as documented", "[kmeans]") {
  crossview_test::Rng rng(21);
  const RowMatrixXd x = cloud(rng, 600, 5, 1.0, 0.0);
  RowMatrixXd init = cm::kmeans_plus_plus(x, 12, 21);
  init.row(4).setConstant(1e3);  // owns no sample in the first assignment
  init.row(9).setConstant(-1e3);
  const cm::KMeansResult r = check_lloyd_matches_plain(x, init, 1e-12);
  CHECK(r.cluster_sizes.minCoeff() >= 1);
}

TEST_CASE("k-means returns a fixed point of Lloyd on boundary-heavy data", "[kmeans]") {
  // Through kmeans() (its seeding hands bounds to Lloyd): every label is the
  // nearest centre by brute force and every centre is its cluster's mean.
  crossview_test::Rng rng(31);
  const RowMatrixXd x = cloud(rng, 3000, 51, 0.1, 0.0);
  cm::KMeansOptions opt;
  opt.tolerance = 0.0;
  opt.num_restarts = 2;
  const cm::KMeansResult r = cm::kmeans(x, 30, opt);
  REQUIRE(r.converged);
  RowMatrixXd sums = RowMatrixXd::Zero(30, 51);
  Eigen::VectorXi counts = Eigen::VectorXi::Zero(30);
  double inertia = 0.0;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    Eigen::Index best = 0;
    (r.centres.rowwise() - x.row(i)).rowwise().squaredNorm().minCoeff(&best);
    CHECK(r.labels(i) == best);
    sums.row(r.labels(i)) += x.row(i);
    ++counts(r.labels(i));
    inertia += (x.row(i) - r.centres.row(r.labels(i))).squaredNorm();
  }
  for (int j = 0; j < 30; ++j) CHECK((sums.row(j) / counts(j) - r.centres.row(j)).cwiseAbs().maxCoeff() < 1e-14);
  CHECK(r.inertia == Approx(inertia).epsilon(1e-12));
}

TEST_CASE("Lloyd matches scikit-learn from the same initial centres", "[kmeans][crosscheck]") {
  const RowMatrixXd x = to_matrix(expected::kKmSamples, expected::kKmN, expected::kKmD);
  const RowMatrixXd init = to_matrix(expected::kKmInit, expected::kKmK, expected::kKmD);
  const RowMatrixXd want = to_matrix(expected::kKmCentres, expected::kKmK, expected::kKmD);
  const cm::KMeansResult r = cm::lloyd(x, init);
  REQUIRE(r.converged);
  // Same fixed point; differences are summation order only (values ~10).
  CHECK((r.centres - want).cwiseAbs().maxCoeff() < 1e-12);
  for (int i = 0; i < expected::kKmN; ++i) CHECK(r.labels(i) == static_cast<int>(expected::kKmLabels[static_cast<std::size_t>(i)]));
  CHECK(r.inertia == Approx(expected::kKmInertia).epsilon(1e-12));
}

TEST_CASE("k-means recovers planted clusters exactly", "[kmeans]") {
  for (std::uint64_t seed : {4u, 5u, 6u, 7u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const int k = 7, d = 12;
    RowMatrixXd planted(k, d);
    for (int c = 0; c < k; ++c)
      for (int t = 0; t < d; ++t) planted(c, t) = rng.normal(50.0);  // centres ~100 apart
    std::vector<int> truth;
    for (int c = 0; c < k; ++c)
      for (int m = 0; m < 20 + 13 * c; ++m) truth.push_back(c);  // unequal sizes
    std::shuffle(truth.begin(), truth.end(), rng.engine());
    RowMatrixXd x(static_cast<Eigen::Index>(truth.size()), d);
    for (std::size_t i = 0; i < truth.size(); ++i)
      for (int t = 0; t < d; ++t) x(static_cast<Eigen::Index>(i), t) = planted(truth[i], t) + rng.normal(1.0);
    cm::KMeansOptions opt;
    opt.seed = seed;
    const cm::KMeansResult r = cm::kmeans(x, k, opt);
    REQUIRE(r.converged);
    // The partition is the planted one (a bijection between labels).
    std::map<int, int> to_label, to_truth;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      const int l = r.labels(static_cast<Eigen::Index>(i));
      CHECK(to_label.emplace(truth[i], l).first->second == l);
      CHECK(to_truth.emplace(l, truth[i]).first->second == truth[i]);
    }
    CHECK(to_label.size() == static_cast<std::size_t>(k));
    // Each centre is its planted cluster's sample mean.
    for (int c = 0; c < k; ++c) {
      Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(d);
      int count = 0;
      for (std::size_t i = 0; i < truth.size(); ++i) {
        if (truth[i] != c) continue;
        mean += x.row(static_cast<Eigen::Index>(i));
        ++count;
      }
      mean /= count;
      CHECK((r.centres.row(to_label[c]) - mean).cwiseAbs().maxCoeff() < 1e-12);
      CHECK(r.cluster_sizes(to_label[c]) == count);
    }
  }
}

TEST_CASE("k-means is bounded and reports non-convergence", "[kmeans]") {
  crossview_test::Rng rng(9);
  RowMatrixXd x(400, 3);
  for (int i = 0; i < 400; ++i) x.row(i) << rng.normal(), rng.normal(), rng.normal();
  cm::KMeansOptions opt;
  opt.max_iterations = 1;
  opt.num_restarts = 1;
  const cm::KMeansResult r = cm::kmeans(x, 20, opt);
  CHECK(r.iterations == 1);
  CHECK_FALSE(r.converged);
}

TEST_CASE("Restarts keep the lowest inertia", "[kmeans]") {
  // A cloud without cluster structure: restarts end in different local
  // minima. Restart r of a run with R restarts is restart r of any run with
  // more (same derived seed), so more restarts never raise the inertia, the
  // kept restart is reported, and the default is one run.
  crossview_test::Rng rng(41);
  const RowMatrixXd x = cloud(rng, 2000, 8, 1.0, 0.0);
  CHECK(cm::KMeansOptions{}.num_restarts == 1);
  cm::KMeansOptions opt;
  opt.seed = 5;
  std::vector<double> inertia;
  for (int restarts = 1; restarts <= 6; ++restarts) {
    opt.num_restarts = restarts;
    const cm::KMeansResult r = cm::kmeans(x, 12, opt);
    CHECK(r.best_restart < restarts);
    if (!inertia.empty()) {
      CHECK(r.inertia <= inertia.back());
      // A strictly lower inertia comes from the restart just added.
      if (r.inertia < inertia.back()) CHECK(r.best_restart == restarts - 1);
    }
    inertia.push_back(r.inertia);
  }
  CHECK(inertia.back() < inertia.front());  // the restarts found a better minimum
}

TEST_CASE("PSS fit does not depend on the input order beyond the seed", "[pss]") {
  for (std::uint64_t seed : {10u, 11u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    std::vector<Pose3d> poses = synthetic_poses(rng, 600, 12, 40.0);
    cm::pss::FitOptions opt;
    opt.kmeans.seed = seed;
    const cm::pss::Model a = cm::pss::fit(pack(poses), 17, 10, opt);
    std::shuffle(poses.begin(), poses.end(), rng.engine());
    const cm::pss::Model b = cm::pss::fit(pack(poses), 17, 10, opt);
    CHECK(a.centres == b.centres);  // bit-identical
    CHECK(a.inertia == b.inertia);
    CHECK(a.cluster_sizes == b.cluster_sizes);
    // ... and the same seed reproduces it.
    CHECK(cm::pss::fit(pack(poses), 17, 10, opt).centres == a.centres);
  }
}

TEST_CASE("PSS is 1 on itself and invariant to prediction scale and translation", "[pss]") {
  for (std::uint64_t seed : {20u, 21u, 22u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const std::vector<Pose3d> train = synthetic_poses(rng, 800, 20, 60.0);
    cm::pss::FitOptions opt;
    opt.kmeans.seed = seed;
    const cm::pss::Model model = crossview::pss::fit(pack(train), 17, 15, opt);
    CHECK(model.k() == 15);
    CHECK(model.num_joints == 17);
    const std::vector<Pose3d> gt = synthetic_poses(rng, 200, 20, 60.0);
    CHECK(crossview::pss::score(model, pack(gt), pack(gt)).pss == 1.0);
    std::vector<Pose3d> pred, pred_moved;
    for (const Pose3d& q : gt) {
      Pose3d p = q;
      for (int j = 0; j < 17; ++j) p.col(j) += Eigen::Vector3d(rng.normal(120), rng.normal(120), rng.normal(120));
      pred.push_back(p);
      // Powers of two keep the normalized pose bit-identical.
      pred_moved.push_back(((p * 4.0).colwise() + Eigen::Vector3d(512.0, -2048.0, 8192.0)).eval());
    }
    const cm::pss::ScoreResult s = crossview::pss::score(model, pack(pred), pack(gt));
    CHECK(s.pss < 1.0);  // the noise is large enough to change some structures
    CHECK(s.pss > 0.2);
    const cm::pss::ScoreResult moved = crossview::pss::score(model, pack(pred_moved), pack(gt));
    CHECK(moved.per_frame == s.per_frame);
    // A non-power-of-two scale changes the last bits only: same clusters.
    std::vector<Pose3d> pred_scaled;
    for (const Pose3d& p : pred) pred_scaled.push_back((p * 0.731).eval());
    CHECK(crossview::pss::score(model, pack(pred_scaled), pack(gt)).per_frame == s.per_frame);
    CHECK(s.per_frame.sum() == static_cast<int>(std::lround(s.pss * 200)));
  }
}

TEST_CASE("PSS agrees with scikit-learn on fixed poses", "[pss][crosscheck]") {
  const std::vector<Pose3d> poses = to_poses(expected::kPssPoses, expected::kPssNumPoses);
  cm::pss::FitOptions opt;
  opt.kmeans.num_restarts = 10;
  const cm::pss::Model ours = cm::pss::fit(pack(poses), 17, expected::kPssK, opt);
  INFO("ours " << ours.inertia << " sklearn " << expected::kPssSklearnInertia);
  // Six well separated modes: both best-of-10 k-means++ runs reach the global
  // optimum, the same partition; only summation order differs.
  CHECK(ours.inertia == Approx(expected::kPssSklearnInertia).epsilon(1e-12));
  const cm::RowMatrixXd sk_centres = to_matrix(expected::kPssSklearnCentres, expected::kPssK, 51);
  for (int c = 0; c < expected::kPssK; ++c) {
    double best = std::numeric_limits<double>::infinity();
    for (int s = 0; s < expected::kPssK; ++s) best = std::min(best, (ours.centres.row(c) - sk_centres.row(s)).cwiseAbs().maxCoeff());
    CHECK(best < 1e-14);
  }

  // Scoring with scikit-learn's centres reproduces NumPy's nearest-centre PSS.
  cm::pss::Model sk;
  sk.num_joints = 17;
  sk.centres = sk_centres;
  const std::vector<Pose3d> test_gt(poses.begin(), poses.begin() + 30);
  const std::vector<Pose3d> test_pred = to_poses(expected::kPssTestPred, 30);
  const cm::pss::ScoreResult s = cm::pss::score(sk, pack(test_pred), pack(test_gt));
  CHECK(s.pss == expected::kPssScore);
  for (int f = 0; f < 30; ++f) CHECK(s.per_frame(f) == static_cast<int>(expected::kPssPerFrame[static_cast<std::size_t>(f)]));
}

TEST_CASE("PSS normalization options", "[pss]") {
  crossview_test::Rng rng(30);
  const Pose3d p = synthetic_poses(rng, 1, 1, 10.0).front();
  const Eigen::RowVectorXd n = cm::pss::normalize(p, {});
  CHECK(n.size() == 51);
  CHECK(n.norm() == Approx(1.0).epsilon(1e-14));
  CHECK(n.head<3>().norm() == 0.0);  // root at the origin
  cm::pss::NormalizationOptions centroid;
  centroid.centering = cm::pss::Centering::kCentroid;
  const Eigen::RowVectorXd nc = cm::pss::normalize(p, centroid);
  Eigen::RowVector3d mean = Eigen::RowVector3d::Zero();
  for (int j = 0; j < 17; ++j) mean += nc.segment<3>(3 * j);
  CHECK(mean.norm() < 1e-15);
  cm::pss::NormalizationOptions raw;
  raw.scaling = cm::pss::Scaling::kNone;
  CHECK(cm::pss::normalize(p, raw).norm() == Approx((p.colwise() - p.col(0)).norm()).epsilon(1e-14));
}

TEST_CASE("PSS and k-means reject bad input with a clear message", "[pss][bad_input]") {
  crossview_test::Rng rng(40);
  std::vector<Pose3d> poses = synthetic_poses(rng, 20, 4, 30.0);
  CHECK_THROWS_WITH(cm::pss::fit(Pose3d(3, 0), 17, 3), Catch::Contains("empty"));
  CHECK_THROWS_WITH(cm::pss::fit(pack(poses), 17, 21), Catch::Contains("k = 21") && Catch::Contains("20"));
  CHECK_THROWS_WITH(cm::pss::fit(pack(poses), 17, 0), Catch::Contains("k must be >= 1"));
  std::vector<Pose3d> bad = poses;
  bad[7] = Pose3d::Zero(3, 16);  // a partial pose: the packed set is no longer 3 x (F*17)
  CHECK_THROWS_WITH(cm::pss::fit(pack(bad), 17, 3),
                    Catch::Contains("ground_truth_poses") && Catch::Contains("not a multiple of 17"));
  bad = poses;
  bad[5](1, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(cm::pss::fit(pack(bad), 17, 3), Catch::Contains("ground_truth_poses[5]") && Catch::Contains("NaN"));
  bad = poses;
  bad[2] = Pose3d::Constant(3, 17, 250.0);  // all joints at the root
  CHECK_THROWS_WITH(cm::pss::fit(pack(bad), 17, 3),
                    Catch::Contains("ground_truth_poses[2]") && Catch::Contains("zero-norm"));
  std::vector<Pose3d> same(10, poses[0]);
  CHECK_THROWS_WITH(cm::pss::fit(pack(same), 17, 3), Catch::Contains("distinct"));
  cm::pss::FitOptions opt;
  opt.normalization.root_joint = 30;
  CHECK_THROWS_WITH(cm::pss::fit(pack(poses), 17, 3, opt), Catch::Contains("root_joint"));
  opt = {};
  opt.kmeans.num_restarts = 0;
  CHECK_THROWS_WITH(cm::pss::fit(pack(poses), 17, 3, opt), Catch::Contains("num_restarts"));

  const cm::pss::Model model = cm::pss::fit(pack(poses), 17, 4);
  CHECK_THROWS_WITH(cm::pss::score(model, pack(poses), poses[0]), Catch::Contains("frames"));
  CHECK_THROWS_WITH(cm::pss::score(model, Pose3d(3, 0), Pose3d(3, 0)), Catch::Contains("empty"));
  CHECK_THROWS_WITH(cm::pss::score(model, Pose3d::Zero(3, 17), poses[0]),
                    Catch::Contains("predicted[0]") && Catch::Contains("zero-norm"));
  CHECK_THROWS_WITH(cm::pss::score(model, poses[0], Pose3d::Zero(3, 15)),
                    Catch::Contains("ground_truth") && Catch::Contains("not a multiple of 17"));
  CHECK_THROWS_WITH(cm::pss::score(cm::pss::Model{}, poses[0], poses[0]), Catch::Contains("empty"));

  RowMatrixXd x(3, 2);
  x << 0, 0, 1, std::numeric_limits<double>::infinity(), 2, 2;
  CHECK_THROWS_WITH(cm::kmeans(x, 2), Catch::Contains("sample 1"));
  CHECK_THROWS_WITH(cm::kmeans(RowMatrixXd(0, 3), 1), Catch::Contains("no samples"));
  // Finite values whose squared distances overflow (found by fuzz_metrics: the
  // seeding then had no finite potential and indexed row -1).
  RowMatrixXd huge(3, 2);
  huge << 0, 0, 1e300, -1e300, 2, 2;
  CHECK_THROWS_WITH(cm::kmeans(huge, 2), Catch::Contains("overflow") && Catch::Contains("rescale"));
  CHECK_THROWS_WITH(cm::kmeans_plus_plus(huge, 2, 1, 3), Catch::Contains("overflow"));
  huge(1, 0) = 1e100;
  huge(1, 1) = -1e100;
  CHECK_NOTHROW(cm::kmeans(huge, 2));
}
