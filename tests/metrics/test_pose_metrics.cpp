#include <crossview/metrics/alignment.hpp>
#include <crossview/metrics/pose_metrics.hpp>

#include <catch2/catch.hpp>
#include <crossview_test/points.hpp>
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

constexpr int kJ = expected::kJoints;

/// The reference's (frames, joints, Dim) C-order array IS the packed batch
/// Dim x (frames * joints) (column f*J + j): read in place.
template <int Dim>
Eigen::Map<const Eigen::Matrix<double, Dim, Eigen::Dynamic>> unpack(const std::vector<double>& flat, int frames,
                                                                    int joints) {
  REQUIRE(flat.size() == static_cast<std::size_t>(frames * joints * Dim));
  return Eigen::Map<const Eigen::Matrix<double, Dim, Eigen::Dynamic>>(flat.data(), Dim, frames * joints);
}

/// Packs per-frame 3 x J poses into a batch 3 x (F*J).
Pose3d batch(const std::vector<Pose3d>& frames) { return crossview_test::pack(frames); }

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
  Pose3d p(3, joints);
  for (int j = 0; j < joints; ++j) p.col(j) << rng.normal(sigma), rng.normal(sigma), rng.normal(sigma);
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
    const cm::ErrorSummary s = cm::mpjpe(pred, gt, kJ, eo);
    REQUIRE(s.ok());
    CHECK(std::abs(s.mean - c.mean) <= kRefTolMm);
    CHECK(s.counts.evaluated == c.evaluated);
    check_vector_with_nan(s.per_joint, *c.per_joint, kRefTolMm);
    check_vector_with_nan(s.per_frame, *c.per_frame, kRefTolMm);

    cm::PckOptions po;
    po.alignment = c.alignment;
    const cm::RateSummary pck = cm::pck_3d(pred, gt, kJ, po);
    REQUIRE(pck.ok());
    CHECK(std::abs(pck.rate - c.pck) <= kRefTolRate);

    cm::AucOptions ao;
    ao.alignment = c.alignment;
    const cm::AucResult auc = cm::auc_3d(pred, gt, kJ, ao);
    REQUIRE(auc.ok());
    CHECK(auc.thresholds.size() == 31);
    CHECK(auc.thresholds(1) == 5.0);
    CHECK(auc.thresholds(30) == 150.0);
    CHECK(std::abs(auc.auc - c.auc) <= kRefTolRate);
  }
  // The named shortcuts agree with the generic calls.
  CHECK(std::abs(cm::pa_mpjpe(pred, gt, kJ).mean - expected::kMpjpeProcrustes) <= kRefTolMm);
  CHECK(std::abs(cm::n_mpjpe(pred, gt, kJ).mean - expected::kMpjpeScale) <= kRefTolMm);
  CHECK(std::abs(cm::n_pck(pred, gt, kJ).rate - expected::kPck150Scale) <= kRefTolRate);

  // Missing-joint accounting: frame 3 joint 5 prediction NaN, frame 3 joint 7 GT
  // NaN, frame 5 root GT NaN (whole frame unusable when root-aligned).
  const cm::ErrorSummary root = cm::mpjpe(pred, gt, kJ);
  CHECK(root.counts.missing_prediction == 1);
  CHECK(root.counts.missing_ground_truth == 1 + 17);
  CHECK(root.per_frame_count(5) == 0);
  CHECK(std::isnan(root.per_frame(5)));
  const cm::ErrorSummary abs = cm::mpjpe(pred, gt, kJ, {cm::Alignment::kNone, 0});
  CHECK(abs.counts.missing_ground_truth == 2);

  const cm::RateSummary pcp = cm::pcp(pred, gt, kJ);
  REQUIRE(pcp.ok());
  CHECK(pcp.num_scored == expected::kPcpScored);
  CHECK(std::abs(pcp.rate - expected::kPcp) <= kRefTolRate);
}

TEST_CASE("Umeyama and the optimal scale match the NumPy reference", "[metrics][crosscheck]") {
  const auto gt = unpack<3>(expected::kGt3d, expected::kFrames, expected::kJoints);
  const auto pred = unpack<3>(expected::kPred3d, expected::kFrames, expected::kJoints);
  cm::Similarity3d sim;
  REQUIRE(cm::umeyama_similarity(pred.middleCols(kJ, kJ), gt.middleCols(kJ, kJ), &sim));
  CHECK(std::abs(sim.scale - expected::kUmeyamaScale) <= 1e-12);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      CHECK(std::abs(sim.rotation(r, c) - expected::kUmeyamaRotation[static_cast<std::size_t>(3 * r + c)]) <= 1e-12);
    }
    CHECK(std::abs(sim.translation(r) - expected::kUmeyamaTranslation[static_cast<std::size_t>(r)]) <= kRefTolMm);
  }
  const Pose3d p = pred.leftCols(kJ).colwise() - pred.col(0);
  const Pose3d q = gt.leftCols(kJ).colwise() - gt.col(0);
  double s = 0.0;
  REQUIRE(cm::optimal_scale(p, q, &s));
  CHECK(std::abs(s - expected::kOptimalScaleFrame0) <= 1e-14);
}

TEST_CASE("2D PCK and JDR match the NumPy reference", "[metrics][crosscheck]") {
  const auto gt = unpack<2>(expected::kGt2d, expected::kFrames, expected::kJoints);
  const auto pred = unpack<2>(expected::kPred2d, expected::kFrames, expected::kJoints);
  const cm::RateSummary pck = cm::pck_2d(pred, gt, kJ, 20.0);
  REQUIRE(pck.ok());
  CHECK(std::abs(pck.rate - expected::kPck2d20) <= kRefTolRate);
  CHECK(pck.counts.missing_prediction == 1);
  CHECK(pck.counts.missing_ground_truth == 1);
  const cm::RateSummary jdr = cm::jdr(pred, gt, kJ);
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
      const Eigen::Vector3d t(rng.normal(1000.0), rng.normal(1000.0), rng.normal(1000.0));
      pred.push_back(((s * R * gt.back()).colwise() + t).eval());
    }
    const cm::ErrorSummary s = cm::pa_mpjpe(batch(pred), batch(gt), 17);
    REQUIRE(s.ok());
    // Exact up to rounding: ~1e-13 relative to the ~300 mm pose size.
    CHECK(s.mean < 1e-9);
    CHECK(s.per_joint.maxCoeff() < 1e-9);
    // MPJPE without alignment is large, so the test is not vacuous.
    CHECK(cm::mpjpe(batch(pred), batch(gt), 17, {cm::Alignment::kNone, 0}).mean > 10.0);
  }
}

TEST_CASE("PA-MPJPE never uses a reflection", "[metrics][pa_mpjpe]") {
  crossview_test::Rng rng(11);
  const Pose3d gt = random_pose(rng);
  Pose3d mirrored = gt;
  mirrored.row(0) *= -1.0;  // a reflection: no rotation maps it back
  cm::Similarity3d sim;
  REQUIRE(cm::umeyama_similarity(mirrored, gt, &sim));
  CHECK(std::abs(sim.rotation.determinant() - 1.0) < 1e-12);
  CHECK((sim.rotation.transpose() * sim.rotation - Eigen::Matrix3d::Identity()).norm() < 1e-12);
  const double err = cm::pa_mpjpe(mirrored, gt, 17).mean;  // one pose = a batch of one frame
  CHECK(err > 50.0);  // a random 300 mm pose is far from planar
  // Any proper rotation (here: random ones) does no better than the optimum.
  for (int i = 0; i < 50; ++i) {
    const Eigen::Matrix3d R = rng.rotation().toRotationMatrix();
    const Pose3d rotated = R * mirrored;
    cm::Similarity3d sim_r;
    REQUIRE(cm::umeyama_similarity(rotated, gt, &sim_r));
    CHECK(cm::pa_mpjpe(rotated, gt, 17).mean == Approx(err).epsilon(1e-9));
  }
  // A planar pose (z = 0) mirrored in z is a rotation of itself: error 0.
  Pose3d planar = gt;
  planar.row(2).setZero();
  Pose3d planar_mirror = planar;
  planar_mirror.row(0) *= -1.0;
  CHECK(cm::pa_mpjpe(planar_mirror, planar, 17).mean < 1e-9);
}

TEST_CASE("N-MPJPE uses the closed-form optimal scale", "[metrics][n_mpjpe]") {
  for (std::uint64_t seed : {21u, 22u, 23u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const Pose3d gt = random_pose(rng);
    // A scaled, translated copy: N-MPJPE = 0.
    const Pose3d scaled = ((gt.colwise() - gt.col(0)) * 0.37).colwise() + Eigen::Vector3d(5.0, -7.0, 900.0);
    CHECK(cm::n_mpjpe(scaled, gt, 17).mean < 1e-10);
    // A noisy prediction: the closed-form scale minimises the squared error.
    Pose3d noisy = gt * 1.8;
    for (int j = 0; j < noisy.cols(); ++j) noisy.col(j) += Eigen::Vector3d(rng.normal(80), rng.normal(80), rng.normal(80));
    const Pose3d p = noisy.colwise() - noisy.col(0);
    const Pose3d q = gt.colwise() - gt.col(0);
    double s = 0.0;
    REQUIRE(cm::optimal_scale(p, q, &s));
    CHECK(std::abs(s - p.cwiseProduct(q).sum() / p.squaredNorm()) < 1e-15);
    auto sse = [&](double scale) { return (scale * p - q).squaredNorm(); };
    CHECK(sse(s) < sse(s * (1 + 1e-4)));
    CHECK(sse(s) < sse(s * (1 - 1e-4)));
    const Eigen::RowVectorXd e = (s * p - q).colwise().norm();
    CHECK(cm::n_mpjpe(noisy, gt, 17).mean == Approx(e.mean()).epsilon(1e-12));
    // N-PCK is invariant to the prediction's scale.
    CHECK(cm::n_pck(noisy, gt, 17).rate == cm::n_pck((noisy * 3.0).eval(), gt, 17).rate);
  }
}

TEST_CASE("Root-aligned MPJPE ignores translation, absolute MPJPE does not", "[metrics][mpjpe]") {
  crossview_test::Rng rng(5);
  std::vector<Pose3d> gt, pred, shifted;
  for (int f = 0; f < 10; ++f) {
    gt.push_back(random_pose(rng));
    Pose3d p = gt.back();
    for (int j = 0; j < p.cols(); ++j) p.col(j) += Eigen::Vector3d(rng.normal(30), rng.normal(30), rng.normal(30));
    pred.push_back(p);
    shifted.push_back((p.colwise() + Eigen::Vector3d(400.0, -200.0, 1000.0)).eval());
  }
  CHECK(cm::mpjpe(batch(shifted), batch(gt), 17).mean == Approx(cm::mpjpe(batch(pred), batch(gt), 17).mean).epsilon(1e-12));
  CHECK(cm::mpjpe(batch(shifted), batch(gt), 17, {cm::Alignment::kNone, 0}).mean > 1000.0);
  const cm::ErrorSummary s = cm::mpjpe(batch(pred), batch(gt), 17);
  CHECK(s.per_joint(0) == 0.0);  // the root itself, included with error 0
  CHECK(s.per_joint_count.sum() == 170);
  CHECK(s.per_frame.mean() == Approx(s.mean).epsilon(1e-12));
}

TEST_CASE("PCK is strict and PCP uses <= half the ground-truth limb length", "[metrics][pck][pcp]") {
  Pose3d gt = Pose3d::Zero(3, 2);
  gt(0, 1) = 100.0;  // limb of length 100
  Pose3d pred = gt;
  pred(1, 0) = 40.0;
  pred(1, 1) = 60.0;  // mean endpoint error 50 = 0.5 * 100: correct
  cm::PcpOptions po;
  po.parts = {{0, 1}};
  CHECK(cm::pcp(pred, gt, 2, po).rate == 1.0);
  pred(1, 1) = 60.5;
  CHECK(cm::pcp(pred, gt, 2, po).rate == 0.0);
  // Prediction length does not matter, only the ground truth's.
  Pose3d long_pred = gt;
  long_pred(0, 1) = 190.0;  // error 90 at one end, 0 at the other: mean 45 <= 50
  CHECK(cm::pcp(long_pred, gt, 2, po).rate == 1.0);

  cm::PckOptions pck;
  pck.alignment = cm::Alignment::kNone;
  pck.threshold = 60.0;
  pred(1, 1) = 60.0;
  const cm::RateSummary r = cm::pck_3d(pred, gt, 2, pck);
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
  pred[1](2, 3) = kNaN;      // missing prediction
  gt[2].col(4).setConstant(kNaN);  // missing ground truth
  cm::JointMask visible = cm::JointMask::Constant(4 * 17, true);  // one flag per column of the batch
  visible(3 * 17 + 6) = false;     // frame 3, joint 6: not annotated
  const cm::ErrorSummary s = cm::mpjpe(batch(pred), batch(gt), 17, {}, visible);
  REQUIRE(s.ok());
  CHECK(s.mean == 0.0);
  CHECK(s.counts.evaluated == 4 * 17 - 3);
  CHECK(s.counts.missing_prediction == 1);
  CHECK(s.counts.missing_ground_truth == 2);
  CHECK(s.per_joint_count(3) == 3);
  CHECK(s.per_joint_count(4) == 3);
  CHECK(s.per_joint_count(6) == 3);
  // PCK scores the missing prediction as a miss, skips missing ground truth.
  const cm::RateSummary pck = cm::pck_3d(batch(pred), batch(gt), 17, {}, visible);
  CHECK(pck.num_scored == 4 * 17 - 2);
  CHECK(pck.num_correct == 4 * 17 - 3);
  // Predicted root missing: the frame cannot be root-aligned.
  pred[0](0, 0) = kNaN;
  const cm::ErrorSummary s2 = cm::mpjpe(batch(pred), batch(gt), 17, {}, visible);
  CHECK(s2.counts.not_aligned == 16);
  CHECK(s2.per_frame_count(0) == 0);
  // Everything missing: a status, not a NaN labelled success.
  const Pose3d nan_pred = Pose3d::Constant(3, 4 * 17, kNaN);
  const cm::ErrorSummary none = cm::mpjpe(nan_pred, batch(gt), 17);
  CHECK(none.status == cm::Status::kNoValidJoints);
  CHECK(none.mean == 0.0);
  CHECK_FALSE(none.message.empty());
  const cm::ErrorSummary empty = cm::mpjpe(Pose3d(3, 0), Pose3d(3, 0), 17);
  CHECK(empty.status == cm::Status::kNoValidJoints);
  CHECK(empty.message == "empty batch");
  CHECK(cm::auc_3d(Pose3d(3, 0), Pose3d(3, 0), 17).status == cm::Status::kNoValidJoints);
  // Procrustes needs 3 jointly valid joints.
  const Pose3d few = gt[0];
  Pose3d few_pred = gt[0];
  few_pred.rightCols(15).setConstant(kNaN);
  const cm::ErrorSummary pa = cm::pa_mpjpe(few_pred, few, 17);
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
  pred(0, 1) = 1e300;
  gt(0, 1) = -1e300;
  for (const cm::ErrorSummary& s : std::vector<cm::ErrorSummary>{cm::mpjpe(pred, gt, 3, none),
                                    cm::mpjpe(pred, gt, 3, root)}) {
    // One error of 2e300 is representable (scaled norm); the mean is finite.
    CHECK(s.ok());
    CHECK(std::isfinite(s.mean));
    CHECK(s.mean == Approx(2e300 / 3.0));
  }
  // Differences beyond DBL_MAX (2e308): a status, not +Inf labelled success.
  pred(0, 2) = 1e308;
  gt(0, 2) = -1e308;
  pred(0, 1) = 1e308;
  gt(0, 1) = -1e308;
  for (const cm::ErrorSummary& s : std::vector<cm::ErrorSummary>{cm::mpjpe(pred, gt, 3, none), cm::pa_mpjpe(pred, gt, 3)}) {
    CHECK_FALSE(s.ok());
    CHECK_FALSE(s.message.empty());
  }
  CHECK(cm::mpjpe(pred, gt, 3, none).status == cm::Status::kOverflow);
  CHECK(std::string(cm::to_string(cm::Status::kOverflow)).find("overflow") != std::string::npos);
}

TEST_CASE("JDR uses the ground-truth head segment of each frame", "[metrics][jdr]") {
  Pose2d gt = Pose2d::Zero(2, 17);
  for (int j = 0; j < 17; ++j) gt.col(j) << 10.0 * j, 5.0 * j;
  gt.col(8) << 100.0, 100.0;
  gt.col(10) << 100.0, 60.0;  // head size 40 px -> threshold 20 px
  Pose2d pred = gt;
  pred(0, 0) += 19.9;
  pred(0, 1) += 20.0;  // not below 20
  const cm::RateSummary r = cm::jdr(pred, gt, 17);
  CHECK(r.num_scored == 17);
  CHECK(r.num_correct == 16);
  CHECK(r.per_item(1) == 0.0);
  cm::JdrOptions fixed;
  fixed.fixed_head_size_px = 100.0;
  CHECK(cm::jdr(pred, gt, 17, fixed).num_correct == 17);
  // Missing head segment: frame not scorable.
  Pose2d gt_nohead = gt;
  gt_nohead.col(10).setConstant(kNaN);
  const cm::RateSummary r2 = cm::jdr(pred, gt_nohead, 17);
  CHECK(r2.status == cm::Status::kNoValidJoints);
  CHECK(r2.counts.missing_ground_truth == 17);
}

TEST_CASE("Bad input throws with a message naming the problem", "[metrics][bad_input]") {
  crossview_test::Rng rng(3);
  const Pose3d gt = batch({random_pose(rng), random_pose(rng)});
  const Pose3d one = random_pose(rng);
  CHECK_THROWS_WITH(cm::mpjpe(one, gt, 17), Catch::Contains("predicted") && Catch::Contains("3 x 34"));
  const Pose3d short_batch = batch({random_pose(rng), random_pose(rng, 16)});  // 33 columns
  CHECK_THROWS_WITH(cm::mpjpe(short_batch, short_batch, 17),
                    Catch::Contains("ground_truth") && Catch::Contains("not a multiple of 17"));
  CHECK_THROWS_WITH(cm::mpjpe(gt, gt, 17, {}, cm::JointMask::Constant(17, true)), Catch::Contains("visible"));
  CHECK_THROWS_WITH(cm::mpjpe(gt, gt, 0), Catch::Contains("num_joints"));
  CHECK_THROWS_WITH(cm::mpjpe(gt, gt, 17, {cm::Alignment::kRoot, 17}), Catch::Contains("root_joint"));
  CHECK_THROWS_WITH(cm::mpjpe(gt, gt, 17, {cm::Alignment::kRoot, -1}), Catch::Contains("root_joint"));
  cm::PckOptions bad_pck;
  bad_pck.threshold = 0.0;
  CHECK_THROWS_WITH(cm::pck_3d(gt, gt, 17, bad_pck), Catch::Contains("threshold"));
  cm::AucOptions bad_auc;
  bad_auc.num_thresholds = 1;
  CHECK_THROWS_WITH(cm::auc_3d(gt, gt, 17, bad_auc), Catch::Contains("num_thresholds"));
  cm::PcpOptions bad_pcp;
  bad_pcp.parts = {{0, 40}};
  CHECK_THROWS_WITH(cm::pcp(gt, gt, 17, bad_pcp), Catch::Contains("out of range"));
  bad_pcp.parts = {{3, 3}};
  CHECK_THROWS_WITH(cm::pcp(gt, gt, 17, bad_pcp), Catch::Contains("parts"));
  CHECK_THROWS_WITH(cm::pck_2d(Pose2d(2, 0), Pose2d(2, 0), 17, -1.0), Catch::Contains("threshold_px"));
  cm::JdrOptions bad_jdr;
  bad_jdr.head_segment = {8, 99};
  const Pose2d p2 = Pose2d::Zero(2, 17);
  CHECK_THROWS_WITH(cm::jdr(p2, p2, 17, bad_jdr), Catch::Contains("head_segment"));
}
