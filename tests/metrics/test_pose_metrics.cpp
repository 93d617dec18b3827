#include <crossview/metrics/alignment.hpp>
#include <crossview/metrics/pose_metrics.hpp>

#include <catch2/catch.hpp>
#include <crossview_test/random.hpp>

#include "expected_values.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace cm = crossview::metrics;
using cm::Pose2d;
using cm::Pose3d;

namespace {

// Reference values are float64 computations of the same formulas on the same
// inputs; the only differences are summation order and the SVD route, worth a
// few ulps of the ~1e3 mm magnitudes involved.
constexpr double kRefTolMm = 1e-9;
constexpr double kRefTolRate = 1e-12;

template <int Dim>
std::vector<Eigen::Matrix<double, Eigen::Dynamic, Dim>> unpack(const std::vector<double>& flat, int frames,
                                                               int joints) {
  std::vector<Eigen::Matrix<double, Eigen::Dynamic, Dim>> out;
  for (int f = 0; f < frames; ++f) {
    Eigen::Matrix<double, Eigen::Dynamic, Dim> p(joints, Dim);
    for (int j = 0; j < joints; ++j)
      for (int c = 0; c < Dim; ++c) p(j, c) = flat[static_cast<std::size_t>((f * joints + j) * Dim + c)];
    out.push_back(p);
  }
  return out;
}

void check_vector_with_nan(const Eigen::VectorXd& got, const std::vector<double>& want, double tol) {
  REQUIRE(got.size() == static_cast<Eigen::Index>(want.size()));
  for (Eigen::Index i = 0; i < got.size(); ++i) {
    INFO("index " << i);
    const double w = want[static_cast<std::size_t>(i)];
    if (std::isnan(w)) {
      CHECK(std::isnan(got(i)));
    } else {
      CHECK(std::abs(got(i) - w) <= tol);
    }
  }
}

Pose3d random_pose(crossview_test::Rng& rng, int joints = 17, double sigma = 300.0) {
  Pose3d p(joints, 3);
  for (int j = 0; j < joints; ++j) p.row(j) << rng.normal(sigma), rng.normal(sigma), rng.normal(sigma);
  return p;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("MPJPE family matches the NumPy reference on fixed inputs", "[metrics][crosscheck]") {
  const auto gt = unpack<3>(expected::kGt3d, expected::kFrames, expected::kJoints);
  const auto pred = unpack<3>(expected::kPred3d, expected::kFrames, expected::kJoints);

  struct Case {
    cm::Alignment alignment;
    double mean;
    const std::vector<double>* per_joint;
    const std::vector<double>* per_frame;
    int evaluated;
    double pck;
    double auc;
  };
  const Case cases[] = {
      {cm::Alignment::kNone, expected::kMpjpeAbs, &expected::kMpjpeAbsPerJoint, &expected::kMpjpeAbsPerFrame,
       expected::kEvaluatedAbs, expected::kPck150Abs, expected::kAucAbs},
      {cm::Alignment::kRoot, expected::kMpjpeRoot, &expected::kMpjpeRootPerJoint, &expected::kMpjpeRootPerFrame,
       expected::kEvaluatedRoot, expected::kPck150Root, expected::kAucRoot},
      {cm::Alignment::kScale, expected::kMpjpeScale, &expected::kMpjpeScalePerJoint,
       &expected::kMpjpeScalePerFrame, expected::kEvaluatedScale, expected::kPck150Scale, expected::kAucScale},
      {cm::Alignment::kProcrustes, expected::kMpjpeProcrustes, &expected::kMpjpeProcrustesPerJoint,
       &expected::kMpjpeProcrustesPerFrame, expected::kEvaluatedProcrustes, expected::kPck150Procrustes,
       expected::kAucProcrustes},
  };
  for (const Case& c : cases) {
    INFO("alignment " << cm::to_string(c.alignment));
    cm::ErrorOptions eo;
    eo.alignment = c.alignment;
    const cm::ErrorSummary s = cm::mpjpe(pred, gt, eo);
    REQUIRE(s.ok());
    CHECK(std::abs(s.mean - c.mean) <= kRefTolMm);
    CHECK(s.counts.evaluated == c.evaluated);
    check_vector_with_nan(s.per_joint, *c.per_joint, kRefTolMm);
    check_vector_with_nan(s.per_frame, *c.per_frame, kRefTolMm);

    cm::PckOptions po;
    po.alignment = c.alignment;
    const cm::RateSummary pck = cm::pck_3d(pred, gt, po);
    REQUIRE(pck.ok());
    CHECK(std::abs(pck.rate - c.pck) <= kRefTolRate);

    cm::AucOptions ao;
    ao.alignment = c.alignment;
    const cm::AucResult auc = cm::auc_3d(pred, gt, ao);
    REQUIRE(auc.ok());
    CHECK(auc.thresholds.size() == 31);
    CHECK(auc.thresholds(1) == 5.0);
    CHECK(auc.thresholds(30) == 150.0);
    CHECK(std::abs(auc.auc - c.auc) <= kRefTolRate);
  }
  // The named shortcuts agree with the generic calls.
  CHECK(std::abs(cm::pa_mpjpe(pred, gt).mean - expected::kMpjpeProcrustes) <= kRefTolMm);
  CHECK(std::abs(cm::n_mpjpe(pred, gt).mean - expected::kMpjpeScale) <= kRefTolMm);
  CHECK(std::abs(cm::n_pck(pred, gt).rate - expected::kPck150Scale) <= kRefTolRate);

  // Missing-joint accounting: frame 3 joint 5 prediction NaN, frame 3 joint 7 GT
  // NaN, frame 5 root GT NaN (whole frame unusable when root-aligned).
  const cm::ErrorSummary root = cm::mpjpe(pred, gt);
  CHECK(root.counts.missing_prediction == 1);
  CHECK(root.counts.missing_ground_truth == 1 + 17);
  CHECK(root.per_frame_count(5) == 0);
  CHECK(std::isnan(root.per_frame(5)));
  const cm::ErrorSummary abs = cm::mpjpe(pred, gt, {cm::Alignment::kNone, 0});
  CHECK(abs.counts.missing_ground_truth == 2);

  const cm::RateSummary pcp = cm::pcp(pred, gt);
  REQUIRE(pcp.ok());
  CHECK(pcp.num_scored == expected::kPcpScored);
  CHECK(std::abs(pcp.rate - expected::kPcp) <= kRefTolRate);
}

TEST_CASE("Umeyama and the optimal scale match the NumPy reference", "[metrics][crosscheck]") {
  const auto gt = unpack<3>(expected::kGt3d, expected::kFrames, expected::kJoints);
  const auto pred = unpack<3>(expected::kPred3d, expected::kFrames, expected::kJoints);
  cm::Similarity3d sim;
  REQUIRE(cm::umeyama_similarity(pred[1], gt[1], &sim));
  CHECK(std::abs(sim.scale - expected::kUmeyamaScale) <= 1e-12);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      CHECK(std::abs(sim.rotation(r, c) - expected::kUmeyamaRotation[static_cast<std::size_t>(3 * r + c)]) <= 1e-12);
    }
    CHECK(std::abs(sim.translation(r) - expected::kUmeyamaTranslation[static_cast<std::size_t>(r)]) <= kRefTolMm);
  }
  const Pose3d p = pred[0].rowwise() - pred[0].row(0);
  const Pose3d q = gt[0].rowwise() - gt[0].row(0);
  double s = 0.0;
  REQUIRE(cm::optimal_scale(p, q, &s));
  CHECK(std::abs(s - expected::kOptimalScaleFrame0) <= 1e-14);
}

TEST_CASE("2D PCK and JDR match the NumPy reference", "[metrics][crosscheck]") {
  const auto gt = unpack<2>(expected::kGt2d, expected::kFrames, expected::kJoints);
  const auto pred = unpack<2>(expected::kPred2d, expected::kFrames, expected::kJoints);
  const cm::RateSummary pck = cm::pck_2d(pred, gt, 20.0);
  REQUIRE(pck.ok());
  CHECK(std::abs(pck.rate - expected::kPck2d20) <= kRefTolRate);
  CHECK(pck.counts.missing_prediction == 1);
  CHECK(pck.counts.missing_ground_truth == 1);
  const cm::RateSummary jdr = cm::jdr(pred, gt);
  REQUIRE(jdr.ok());
  CHECK(std::abs(jdr.rate - expected::kJdr) <= kRefTolRate);
}

TEST_CASE("PA-MPJPE is zero for a similarity-transformed copy", "[metrics][pa_mpjpe]") {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    std::vector<Pose3d> gt, pred;
    for (int f = 0; f < 20; ++f) {
      gt.push_back(random_pose(rng));
      const Eigen::Matrix3d R = rng.rotation().toRotationMatrix();
      const double s = rng.uniform(0.2, 5.0);
      const Eigen::RowVector3d t(rng.normal(1000.0), rng.normal(1000.0), rng.normal(1000.0));
      pred.push_back(((s * gt.back() * R.transpose()).rowwise() + t).eval());
    }
    const cm::ErrorSummary s = cm::pa_mpjpe(pred, gt);
    REQUIRE(s.ok());
    // Exact up to rounding: ~1e-13 relative to the ~300 mm pose size.
    CHECK(s.mean < 1e-9);
    CHECK(s.per_joint.maxCoeff() < 1e-9);
    // MPJPE without alignment is large, so the test is not vacuous.
    CHECK(cm::mpjpe(pred, gt, {cm::Alignment::kNone, 0}).mean > 10.0);
  }
}

TEST_CASE("PA-MPJPE never uses a reflection", "[metrics][pa_mpjpe]") {
  crossview_test::Rng rng(11);
  const Pose3d gt = random_pose(rng);
  Pose3d mirrored = gt;
  mirrored.col(0) *= -1.0;  // a reflection: no rotation maps it back
  cm::Similarity3d sim;
  REQUIRE(cm::umeyama_similarity(mirrored, gt, &sim));
  CHECK(std::abs(sim.rotation.determinant() - 1.0) < 1e-12);
  CHECK((sim.rotation.transpose() * sim.rotation - Eigen::Matrix3d::Identity()).norm() < 1e-12);
  const double err = cm::pa_mpjpe({mirrored}, {gt}).mean;
  CHECK(err > 50.0);  // a random 300 mm pose is far from planar
  // Any proper rotation (here: random ones) does no better than the optimum.
  for (int i = 0; i < 50; ++i) {
    const Eigen::Matrix3d R = rng.rotation().toRotationMatrix();
    const Pose3d rotated = mirrored * R.transpose();
    cm::Similarity3d sim_r;
    REQUIRE(cm::umeyama_similarity(rotated, gt, &sim_r));
    CHECK(cm::pa_mpjpe({rotated}, {gt}).mean == Approx(err).epsilon(1e-9));
  }
  // A planar pose (z = 0) mirrored in z is a rotation of itself: error 0.
  Pose3d planar = gt;
  planar.col(2).setZero();
  Pose3d planar_mirror = planar;
  planar_mirror.col(0) *= -1.0;
  CHECK(cm::pa_mpjpe({planar_mirror}, {planar}).mean < 1e-9);
}

TEST_CASE("N-MPJPE uses the closed-form optimal scale", "[metrics][n_mpjpe]") {
  for (std::uint64_t seed : {21u, 22u, 23u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const Pose3d gt = random_pose(rng);
    // A scaled, translated copy: N-MPJPE = 0.
    const Pose3d scaled = ((gt.rowwise() - gt.row(0)) * 0.37).rowwise() + Eigen::RowVector3d(5.0, -7.0, 900.0);
    CHECK(cm::n_mpjpe({scaled}, {gt}).mean < 1e-10);
    // A noisy prediction: the closed-form scale minimises the squared error.
    Pose3d noisy = gt * 1.8;
    for (int j = 0; j < noisy.rows(); ++j) noisy.row(j) += Eigen::RowVector3d(rng.normal(80), rng.normal(80), rng.normal(80));
    const Pose3d p = noisy.rowwise() - noisy.row(0);
    const Pose3d q = gt.rowwise() - gt.row(0);
    double s = 0.0;
    REQUIRE(cm::optimal_scale(p, q, &s));
    CHECK(std::abs(s - p.cwiseProduct(q).sum() / p.squaredNorm()) < 1e-15);
    auto sse = [&](double scale) { return (scale * p - q).squaredNorm(); };
    CHECK(sse(s) < sse(s * (1 + 1e-4)));
    CHECK(sse(s) < sse(s * (1 - 1e-4)));
    const Eigen::VectorXd e = (s * p - q).rowwise().norm();
    CHECK(cm::n_mpjpe({noisy}, {gt}).mean == Approx(e.mean()).epsilon(1e-12));
    // N-PCK is invariant to the prediction's scale.
    CHECK(cm::n_pck({noisy}, {gt}).rate == cm::n_pck({(noisy * 3.0).eval()}, {gt}).rate);
  }
}

TEST_CASE("Root-aligned MPJPE ignores translation, absolute MPJPE does not", "[metrics][mpjpe]") {
  crossview_test::Rng rng(5);
  std::vector<Pose3d> gt, pred, shifted;
  for (int f = 0; f < 10; ++f) {
    gt.push_back(random_pose(rng));
    Pose3d p = gt.back();
    for (int j = 0; j < p.rows(); ++j) p.row(j) += Eigen::RowVector3d(rng.normal(30), rng.normal(30), rng.normal(30));
    pred.push_back(p);
    shifted.push_back((p.rowwise() + Eigen::RowVector3d(400.0, -200.0, 1000.0)).eval());
  }
  CHECK(cm::mpjpe(shifted, gt).mean == Approx(cm::mpjpe(pred, gt).mean).epsilon(1e-12));
  CHECK(cm::mpjpe(shifted, gt, {cm::Alignment::kNone, 0}).mean > 1000.0);
  const cm::ErrorSummary s = cm::mpjpe(pred, gt);
  CHECK(s.per_joint(0) == 0.0);  // the root itself, included with error 0
  CHECK(s.per_joint_count.sum() == 170);
  CHECK(s.per_frame.mean() == Approx(s.mean).epsilon(1e-12));
}

TEST_CASE("PCK is strict and PCP uses <= half the ground-truth limb length", "[metrics][pck][pcp]") {
  Pose3d gt = Pose3d::Zero(2, 3);
  gt(1, 0) = 100.0;  // limb of length 100
  Pose3d pred = gt;
  pred(0, 1) = 40.0;
  pred(1, 1) = 60.0;  // mean endpoint error 50 = 0.5 * 100: correct
  cm::PcpOptions po;
  po.parts = {{0, 1}};
  CHECK(cm::pcp({pred}, {gt}, po).rate == 1.0);
  pred(1, 1) = 60.5;
  CHECK(cm::pcp({pred}, {gt}, po).rate == 0.0);
  // Prediction length does not matter, only the ground truth's.
  Pose3d long_pred = gt;
  long_pred(1, 0) = 190.0;  // error 90 at one end, 0 at the other: mean 45 <= 50
  CHECK(cm::pcp({long_pred}, {gt}, po).rate == 1.0);

  cm::PckOptions pck;
  pck.alignment = cm::Alignment::kNone;
  pck.threshold = 60.0;
  pred(1, 1) = 60.0;
  const cm::RateSummary r = cm::pck_3d({pred}, {gt}, pck);
  CHECK(r.num_scored == 2);
  CHECK(r.num_correct == 1);  // 40 < 60, but 60 is not < 60
  CHECK(r.per_item(0) == 1.0);
  CHECK(r.per_item(1) == 0.0);
}

TEST_CASE("Missing joints are excluded or scored as misses, and counted", "[metrics][missing]") {
  crossview_test::Rng rng(8);
  std::vector<Pose3d> gt, pred;
  for (int f = 0; f < 4; ++f) {
    gt.push_back(random_pose(rng));
    pred.push_back(gt.back());
  }
  pred[1](3, 2) = kNaN;      // missing prediction
  gt[2].row(4).setConstant(kNaN);  // missing ground truth
  std::vector<cm::JointMask> visible(4, cm::JointMask::Constant(17, true));
  visible[3](6) = false;     // not annotated
  const cm::ErrorSummary s = cm::mpjpe(pred, gt, {}, visible);
  REQUIRE(s.ok());
  CHECK(s.mean == 0.0);
  CHECK(s.counts.evaluated == 4 * 17 - 3);
  CHECK(s.counts.missing_prediction == 1);
  CHECK(s.counts.missing_ground_truth == 2);
  CHECK(s.per_joint_count(3) == 3);
  CHECK(s.per_joint_count(4) == 3);
  CHECK(s.per_joint_count(6) == 3);
  // PCK scores the missing prediction as a miss, skips missing ground truth.
  const cm::RateSummary pck = cm::pck_3d(pred, gt, {}, visible);
  CHECK(pck.num_scored == 4 * 17 - 2);
  CHECK(pck.num_correct == 4 * 17 - 3);
  // Predicted root missing: the frame cannot be root-aligned.
  pred[0](0, 0) = kNaN;
  const cm::ErrorSummary s2 = cm::mpjpe(pred, gt, {}, visible);
  CHECK(s2.counts.not_aligned == 16);
  CHECK(s2.per_frame_count(0) == 0);
  // Everything missing: a status, not a NaN labelled success.
  std::vector<Pose3d> nan_pred(4, Pose3d::Constant(17, 3, kNaN));
  const cm::ErrorSummary none = cm::mpjpe(nan_pred, gt);
  CHECK(none.status == cm::Status::kNoValidJoints);
  CHECK(none.mean == 0.0);
  CHECK_FALSE(none.message.empty());
  const cm::ErrorSummary empty = cm::mpjpe({}, {});
  CHECK(empty.status == cm::Status::kNoValidJoints);
  CHECK(empty.message == "empty batch");
  CHECK(cm::auc_3d({}, {}).status == cm::Status::kNoValidJoints);
  // Procrustes needs 3 jointly valid joints.
  std::vector<Pose3d> few = {gt[0]};
  std::vector<Pose3d> few_pred = {gt[0]};
  few_pred[0].bottomRows(15).setConstant(kNaN);
  const cm::ErrorSummary pa = cm::pa_mpjpe(few_pred, few);
  CHECK(pa.status == cm::Status::kNoValidJoints);
  CHECK(pa.counts.not_aligned == 2);
  CHECK(pa.counts.missing_prediction == 15);
}

TEST_CASE("Finite coordinates whose errors overflow give kOverflow, never +Inf labelled success",
          "[metrics][bad_input]") {
  // Found by fuzz_metrics: 1e300 - (-1e300) is finite but its square is not.
  Pose3d gt = Pose3d::Zero(3, 3), pred = Pose3d::Zero(3, 3);
  cm::ErrorOptions none, root;
  none.alignment = cm::Alignment::kNone;
  root.alignment = cm::Alignment::kRoot;
  root.root_joint = 0;
  pred(1, 0) = 1e300;
  gt(1, 0) = -1e300;
  for (const cm::ErrorSummary& s : std::vector<cm::ErrorSummary>{cm::mpjpe({pred}, {gt}, none),
                                    cm::mpjpe({pred}, {gt}, root)}) {
    // One error of 2e300 is representable (scaled norm); the mean is finite.
    CHECK(s.ok());
    CHECK(std::isfinite(s.mean));
    CHECK(s.mean == Approx(2e300 / 3.0));
  }
  // Differences beyond DBL_MAX (2e308): a status, not +Inf labelled success.
  pred(2, 0) = 1e308;
  gt(2, 0) = -1e308;
  pred(1, 0) = 1e308;
  gt(1, 0) = -1e308;
  for (const cm::ErrorSummary& s : std::vector<cm::ErrorSummary>{cm::mpjpe({pred}, {gt}, none), cm::pa_mpjpe({pred}, {gt})}) {
    CHECK_FALSE(s.ok());
    CHECK_FALSE(s.message.empty());
  }
  CHECK(cm::mpjpe({pred}, {gt}, none).status == cm::Status::kOverflow);
  CHECK(std::string(cm::to_string(cm::Status::kOverflow)).find("overflow") != std::string::npos);
}

TEST_CASE("JDR uses the ground-truth head segment of each frame", "[metrics][jdr]") {
  Pose2d gt = Pose2d::Zero(17, 2);
  for (int j = 0; j < 17; ++j) gt.row(j) << 10.0 * j, 5.0 * j;
  gt.row(8) << 100.0, 100.0;
  gt.row(10) << 100.0, 60.0;  // head size 40 px -> threshold 20 px
  Pose2d pred = gt;
  pred(0, 0) += 19.9;
  pred(1, 0) += 20.0;  // not below 20
  const cm::RateSummary r = cm::jdr({pred}, {gt});
  CHECK(r.num_scored == 17);
  CHECK(r.num_correct == 16);
  CHECK(r.per_item(1) == 0.0);
  cm::JdrOptions fixed;
  fixed.fixed_head_size_px = 100.0;
  CHECK(cm::jdr({pred}, {gt}, fixed).num_correct == 17);
  // Missing head segment: frame not scorable.
  Pose2d gt_nohead = gt;
  gt_nohead.row(10).setConstant(kNaN);
  const cm::RateSummary r2 = cm::jdr({pred}, {gt_nohead});
  CHECK(r2.status == cm::Status::kNoValidJoints);
  CHECK(r2.counts.missing_ground_truth == 17);
}

TEST_CASE("Bad input throws with a message naming the problem", "[metrics][bad_input]") {
  crossview_test::Rng rng(3);
  const std::vector<Pose3d> gt = {random_pose(rng), random_pose(rng)};
  const std::vector<Pose3d> one = {random_pose(rng)};
  CHECK_THROWS_WITH(cm::mpjpe(one, gt), Catch::Contains("1 frames") && Catch::Contains("2"));
  const std::vector<Pose3d> short_pose = {random_pose(rng), random_pose(rng, 16)};
  CHECK_THROWS_WITH(cm::mpjpe(short_pose, gt), Catch::Contains("frame 1") && Catch::Contains("16"));
  CHECK_THROWS_WITH(cm::mpjpe(gt, gt, {}, std::vector<cm::JointMask>(1, cm::JointMask::Constant(17, true))),
                    Catch::Contains("visible"));
  CHECK_THROWS_WITH(cm::mpjpe(gt, gt, {cm::Alignment::kRoot, 17}), Catch::Contains("root_joint"));
  CHECK_THROWS_WITH(cm::mpjpe(gt, gt, {cm::Alignment::kRoot, -1}), Catch::Contains("root_joint"));
  cm::PckOptions bad_pck;
  bad_pck.threshold = 0.0;
  CHECK_THROWS_WITH(cm::pck_3d(gt, gt, bad_pck), Catch::Contains("threshold"));
  cm::AucOptions bad_auc;
  bad_auc.num_thresholds = 1;
  CHECK_THROWS_WITH(cm::auc_3d(gt, gt, bad_auc), Catch::Contains("num_thresholds"));
  cm::PcpOptions bad_pcp;
  bad_pcp.parts = {{0, 40}};
  CHECK_THROWS_WITH(cm::pcp(gt, gt, bad_pcp), Catch::Contains("out of range"));
  bad_pcp.parts = {{3, 3}};
  CHECK_THROWS_WITH(cm::pcp(gt, gt, bad_pcp), Catch::Contains("parts"));
  CHECK_THROWS_WITH(cm::pck_2d({}, {}, -1.0), Catch::Contains("threshold_px"));
  cm::JdrOptions bad_jdr;
  bad_jdr.head_segment = {8, 99};
  const std::vector<Pose2d> p2 = {Pose2d::Zero(17, 2)};
  CHECK_THROWS_WITH(cm::jdr(p2, p2, bad_jdr), Catch::Contains("head_segment"));
  CHECK_THROWS_WITH(cm::split_frames(Eigen::MatrixXd::Zero(35, 3), 17), Catch::Contains("multiple"));
}

TEST_CASE("split_frames turns a stacked array into poses", "[metrics][layout]") {
  Eigen::MatrixXd stacked(34, 3);
  for (int r = 0; r < 34; ++r) stacked.row(r) << r, 2 * r, 3 * r;
  const std::vector<Pose3d> poses = cm::split_frames(stacked, 17);
  REQUIRE(poses.size() == 2);
  CHECK(poses[1](0, 0) == 17.0);
  CHECK(poses[1](16, 2) == 99.0);
}
