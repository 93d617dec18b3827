// Issue 20: degenerate ground truth. A reference frame whose joints coincide
// (missing markers exported as zeros, every joint at one point, or a spread
// below 1e-9 of the coordinates) used to give PA-MPJPE / N-MPJPE 0 for that
// frame (the alignment collapses the prediction onto it): zeroing half of the
// frames "improved" PA-MPJPE. Now such frames are excluded and counted
// (JointState::kDegenerateReference); when nothing else is left the call
// returns Status::kDegenerateReference. Same class: PCP parts of zero
// ground-truth length, JDR frames with a zero head segment.
#include <crossview/metrics/pose_metrics.hpp>

#include <crossview_test/points.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace cm = crossview::metrics;

namespace {

constexpr int kJ = 17;

Eigen::Matrix3Xd random_pose(crossview_test::Rng& rng) {
  Eigen::Matrix3Xd p(3, kJ);
  for (int j = 0; j < kJ; ++j) p.col(j) = Eigen::Vector3d(rng.normal(300.0), rng.normal(300.0), 900.0 + rng.normal(300.0));
  return p;
}

/// The reference with frame f replaced by `degenerate(f)` for f in `bad`.
struct Case {
  const char* name;
  std::function<Eigen::Matrix3Xd(const Eigen::Matrix3Xd&)> degenerate;
};

const std::vector<Case>& degenerate_cases() {
  static const std::vector<Case> cases = {
      {"all zeros", [](const Eigen::Matrix3Xd& g) { return Eigen::Matrix3Xd::Zero(3, g.cols()); }},
      {"all at one point", [](const Eigen::Matrix3Xd& g) {
         Eigen::Matrix3Xd d(3, g.cols());
         d.colwise() = Eigen::Vector3d(1234.5, -987.0, 455.25);
         return d;
       }},
      {"spread 1e-12 of the coordinates", [](const Eigen::Matrix3Xd& g) {
         Eigen::Matrix3Xd d(3, g.cols());
         d.colwise() = Eigen::Vector3d(2e6, 1e6, 3e6);
         for (Eigen::Index j = 0; j < g.cols(); ++j) d(0, j) += 1e-6 * static_cast<double>(j);
         return d;
       }},
  };
  return cases;
}

}  // namespace

TEST_CASE("metrics: degenerate ground-truth frames are excluded and counted, not scored as 0",
          "[metrics][degenerate]") {
  crossview_test::Rng rng(20);
  constexpr int F = 6;
  std::vector<Eigen::Matrix3Xd> gt_frames, pred_frames;
  for (int f = 0; f < F; ++f) {
    gt_frames.push_back(random_pose(rng));
    Eigen::Matrix3Xd p = gt_frames.back();
    for (int j = 0; j < kJ; ++j) p.col(j) += Eigen::Vector3d(rng.normal(40.0), rng.normal(40.0), rng.normal(40.0));
    pred_frames.push_back(p);
  }
  const std::vector<int> good = {0, 2, 4}, bad = {1, 3, 5};
  auto pack = [](const std::vector<Eigen::Matrix3Xd>& fr) { return crossview_test::pack(fr); };
  std::vector<Eigen::Matrix3Xd> gt_good, pred_good;
  for (int f : good) {
    gt_good.push_back(gt_frames[static_cast<std::size_t>(f)]);
    pred_good.push_back(pred_frames[static_cast<std::size_t>(f)]);
  }
  const Eigen::Matrix3Xd G = pack(gt_good), P = pack(pred_good);
  const Eigen::Matrix3Xd pred_all = pack(pred_frames);

  for (const Case& c : degenerate_cases()) {
    std::vector<Eigen::Matrix3Xd> gt_mixed = gt_frames, gt_all_bad = gt_frames;
    for (int f : bad) gt_mixed[static_cast<std::size_t>(f)] = c.degenerate(gt_frames[static_cast<std::size_t>(f)]);
    for (auto& g : gt_all_bad) g = c.degenerate(g);
    const Eigen::Matrix3Xd mixed = pack(gt_mixed), all_bad = pack(gt_all_bad);
    INFO(c.name);
    // Every error metric: the mixed batch scores exactly as the good frames alone.
    const std::vector<std::pair<const char*, std::function<cm::ErrorSummary(const Eigen::Matrix3Xd&,
                                                                            const Eigen::Matrix3Xd&)>>>
        errors = {
            {"mpjpe root", [](const auto& p, const auto& g) { return cm::mpjpe(p, g, kJ); }},
            {"mpjpe absolute", [](const auto& p, const auto& g) {
               cm::ErrorOptions o;
               o.alignment = cm::Alignment::kNone;
               return cm::mpjpe(p, g, kJ, o);
             }},
            {"pa_mpjpe", [](const auto& p, const auto& g) { return cm::pa_mpjpe(p, g, kJ); }},
            {"n_mpjpe", [](const auto& p, const auto& g) { return cm::n_mpjpe(p, g, kJ); }},
        };
    for (const auto& [name, metric] : errors) {
      INFO(name);
      const cm::ErrorSummary ref = metric(P, G), m = metric(pred_all, mixed), none = metric(pred_all, all_bad);
      REQUIRE(ref.ok());
      REQUIRE(m.ok());
      CHECK(m.mean == Approx(ref.mean).epsilon(1e-12));
      CHECK(m.counts.degenerate_reference == 3 * kJ);
      CHECK(m.counts.evaluated == ref.counts.evaluated);
      CHECK(m.message.find("degenerate") != std::string::npos);
      CHECK(none.status == cm::Status::kDegenerateReference);
      CHECK(!none.ok());
      CHECK(none.counts.degenerate_reference == F * kJ);
    }
    const std::vector<std::pair<const char*, std::function<cm::RateSummary(const Eigen::Matrix3Xd&,
                                                                           const Eigen::Matrix3Xd&)>>>
        rates = {
            {"pck_3d", [](const auto& p, const auto& g) { return cm::pck_3d(p, g, kJ); }},
            {"n_pck", [](const auto& p, const auto& g) { return cm::n_pck(p, g, kJ); }},
            {"pcp", [](const auto& p, const auto& g) { return cm::pcp(p, g, kJ); }},
        };
    for (const auto& [name, metric] : rates) {
      INFO(name);
      const cm::RateSummary ref = metric(P, G), m = metric(pred_all, mixed), none = metric(pred_all, all_bad);
      REQUIRE(ref.ok());
      REQUIRE(m.ok());
      CHECK(m.rate == ref.rate);
      CHECK(m.num_scored == ref.num_scored);
      CHECK(m.counts.degenerate_reference > 0);
      CHECK(none.status == cm::Status::kDegenerateReference);
    }
    const cm::AucResult a_ref = cm::auc_3d(P, G, kJ), a = cm::auc_3d(pred_all, mixed, kJ);
    REQUIRE(a.ok());
    CHECK(a.auc == a_ref.auc);
    CHECK(cm::auc_3d(pred_all, all_bad, kJ).status == cm::Status::kDegenerateReference);
    // 2D: the same class for PCK-2D / JDR / PCP-2D (x, y of the poses).
    const Eigen::Matrix2Xd P2 = P.topRows(2), G2 = G.topRows(2), pred2 = pred_all.topRows(2),
                           mixed2 = mixed.topRows(2);
    CHECK(cm::pck_2d(pred2, mixed2, kJ, 50.0).rate == cm::pck_2d(P2, G2, kJ, 50.0).rate);
    CHECK(cm::jdr(pred2, mixed2, kJ).rate == cm::jdr(P2, G2, kJ).rate);
    CHECK(cm::pcp_2d(pred2, mixed2, kJ).rate == cm::pcp_2d(P2, G2, kJ).rate);
  }
}

TEST_CASE("metrics: the issue's example, zeroing frames no longer improves PA-MPJPE", "[metrics][degenerate]") {
  crossview_test::Rng rng(8);
  constexpr int F = 40;
  std::vector<Eigen::Matrix3Xd> gt, pred;
  for (int f = 0; f < F; ++f) {
    gt.push_back(random_pose(rng));
    Eigen::Matrix3Xd p = gt.back();
    for (int j = 0; j < kJ; ++j) p.col(j) += Eigen::Vector3d(rng.normal(15.0), rng.normal(15.0), rng.normal(15.0));
    pred.push_back(p);
  }
  const Eigen::Matrix3Xd P = crossview_test::pack(pred);
  const cm::ErrorSummary full = cm::pa_mpjpe(P, crossview_test::pack(gt), kJ);
  std::vector<Eigen::Matrix3Xd> zeroed = gt;
  for (int f = 0; f < F; f += 2) zeroed[static_cast<std::size_t>(f)].setZero();
  const cm::ErrorSummary half = cm::pa_mpjpe(P, crossview_test::pack(zeroed), kJ);
  REQUIRE(full.ok());
  REQUIRE(half.ok());
  CHECK(half.counts.degenerate_reference == F / 2 * kJ);
  CHECK(half.counts.evaluated == F / 2 * kJ);
  // The remaining frames are a random half: their mean is the full mean to sampling error, never ~0 mm for half.
  CHECK(half.mean > 0.7 * full.mean);
  for (int f = 0; f < F; f += 2) CHECK(std::isnan(half.per_frame(f)));
}

TEST_CASE("metrics: PCP zero-length parts and JDR zero head segments are degenerate references",
          "[metrics][degenerate]") {
  crossview_test::Rng rng(9);
  Eigen::Matrix3Xd gt = random_pose(rng);
  const Eigen::Matrix3Xd pred = gt;  // perfect prediction
  const cm::Limbs parts = cm::PcpOptions{}.parts;
  Eigen::Matrix3Xd gt_zero_part = gt;
  gt_zero_part.col(parts[0].second) = gt_zero_part.col(parts[0].first);  // part 0 has length 0
  Eigen::Matrix3Xd pred_zero_part = pred;
  pred_zero_part.col(parts[0].second) = gt_zero_part.col(parts[0].second);
  const cm::RateSummary r = cm::pcp(pred_zero_part, gt_zero_part, kJ);
  REQUIRE(r.ok());
  CHECK(r.counts.degenerate_reference >= 1);
  CHECK(std::isnan(r.per_item(0)));  // never scored
  CHECK(r.num_scored == static_cast<int>(parts.size()) - r.counts.degenerate_reference);
  // JDR: a zero head segment (finite) is degenerate, a NaN one is missing.
  Eigen::Matrix2Xd gt2 = gt.topRows(2);
  const cm::Limb head = cm::JdrOptions{}.head_segment;
  gt2.col(head.second) = gt2.col(head.first);
  const cm::RateSummary j = cm::jdr(gt2, gt2, kJ);
  CHECK(j.status == cm::Status::kDegenerateReference);
  CHECK(j.counts.degenerate_reference == kJ);
  CHECK(std::string(cm::to_string(cm::JointState::kDegenerateReference)) == "degenerate ground truth");
  // A degenerate prediction (every joint at one point) cannot be aligned:
  // kNotAligned, excluded from the means and counted, never 0 mm.
  Eigen::Matrix3Xd collapsed(3, kJ);
  collapsed.colwise() = Eigen::Vector3d(10.0, 20.0, 30.0);
  const cm::ErrorSummary pa = cm::pa_mpjpe(collapsed, gt, kJ);
  CHECK(pa.status == cm::Status::kNoValidJoints);
  CHECK(pa.counts.not_aligned == kJ);
  const cm::ErrorSummary n = cm::n_mpjpe(collapsed, gt, kJ);
  CHECK(!n.ok());
  CHECK(n.counts.not_aligned == kJ);  // the whole frame is unaligned, the root with it
  CHECK(std::string(cm::to_string(cm::Status::kDegenerateReference)).find("degenerate") == 0);
}
