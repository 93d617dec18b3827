// RPSM is honest about unusable starting points and does not depend on the
// scale of the heatmaps: synthetic 17-joint poses seen by four distorted
// cameras (tests/support/crossview_test/pose_scene.hpp).
//  - an initial pose / root position that is far away, in the wrong unit,
//    violates the limb constraints or has no heatmap support near a joint is a
//    status with a message, never a success with the pose it was given;
//  - a positive factor on one view's (or one joint's) heatmaps leaves the
//    pose unchanged to 1e-6 of the world unit;
//  - a uniform or all-zero heatmap does not move the pose; a view whose maps
//    are all uniform is reported.
#include <crossview/rpsm/rpsm.hpp>
#include <crossview_test/pose_scene.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>
#include <vector>

using namespace crossview;
using crossview_test::Rng;

namespace {

struct Frame {
  Eigen::Matrix3Xd gt;
  std::vector<pose::HeatmapView> views;
};

Frame make_frame(std::uint64_t seed, double noise_heatmap_px, int corrupt_view = -1) {
  static const pose::Skeleton sk = pose::human36m_17();
  static const auto cams = crossview_test::h36m_like_ring();
  Rng rng(seed);
  Frame f;
  f.gt = crossview_test::synthetic_h36m_pose(rng, sk);
  crossview_test::HeatmapSceneOptions so;
  so.noise_heatmap_px = noise_heatmap_px;
  so.corrupt_view = corrupt_view;
  so.corrupt_joint = static_cast<int>(seed % 17);
  REQUIRE(crossview_test::render_views(cams, f.gt, so, rng, &f.views));
  return f;
}

/// A pose 40 mm off the truth per joint (random directions).
Eigen::Matrix3Xd perturbed(const Frame& f, std::uint64_t seed) {
  Rng rng(seed + 500);
  Eigen::Matrix3Xd init = f.gt;
  for (int j = 0; j < init.cols(); ++j) init.col(j) += 40.0 * rng.unit_vector();
  return init;
}

void scale_heatmap(pose::ViewHeatmaps* h, int joint, float factor) {
  const std::size_t hw = static_cast<std::size_t>(h->height()) * h->width();
  float* d = h->joint(joint);
  for (std::size_t i = 0; i < hw; ++i) d[i] *= factor;
}

void fill_heatmap(pose::ViewHeatmaps* h, int joint, float value) {
  const std::size_t hw = static_cast<std::size_t>(h->height()) * h->width();
  std::fill(h->joint(joint), h->joint(joint) + hw, value);
}

bool same_bits(const Eigen::Matrix3Xd& a, const Eigen::Matrix3Xd& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

/// A failed result: a status that is not success, a message, no pose.
void check_failure(const rpsm::RpsmResult& r) {
  INFO(rpsm::to_string(r.status) << ": " << r.message);
  CHECK_FALSE(r.success());
  CHECK_FALSE(r.message.empty());
  CHECK(r.joints_in_world.size() == 0);
}

/// A successful result: every level ran, every joint had support, a finite pose.
void check_success(const rpsm::RpsmResult& r, const rpsm::RpsmOptions& opt) {
  INFO(rpsm::to_string(r.status) << ": " << r.message);
  REQUIRE(r.success());
  CHECK(r.levels_completed == opt.num_levels);
  REQUIRE(r.support_views.size() == r.joints_in_world.cols());
  CHECK(r.support_views.minCoeff() >= 1);
  CHECK(r.joints_in_world.allFinite());
}

}  // namespace

TEST_CASE("refine refuses an initial pose far away or in the wrong unit", "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  const rpsm::RpsmOptions opt;
  for (const std::uint64_t seed : {301u, 302u, 303u}) {
    INFO("seed " << seed);
    const Frame f = make_frame(seed, 1.0);
    check_success(rpsm::refine(f.views, sk, perturbed(f, seed), opt), opt);
    // 10 km away along each axis and both directions.
    for (int axis = 0; axis < 3; ++axis) {
      for (const double sign : {-1.0, 1.0}) {
        Eigen::Matrix3Xd far = f.gt;
        far.row(axis).array() += sign * 1e7;
        INFO("10 km along axis " << axis << " sign " << sign);
        const auto r = rpsm::refine(f.views, sk, far, opt);
        check_failure(r);
        CHECK((r.status == rpsm::Status::kRootNotVisible || r.status == rpsm::Status::kNoSupport));
      }
    }
    // Millimetres read as metres (x 1000) or metres as millimetres (/ 1000),
    // and a pose in another frame (the world's origin moved by 3 m).
    for (const double unit : {1000.0, 25.4, 0.001}) {
      INFO("unit factor " << unit);
      check_failure(rpsm::refine(f.views, sk, unit * f.gt, opt));
    }
    Eigen::Matrix3Xd shifted = f.gt;
    shifted.colwise() += Eigen::Vector3d(3000.0, -2000.0, 0.0);
    check_failure(rpsm::refine(f.views, sk, shifted, opt));
  }
}

TEST_CASE("refine: a joint without heatmap support near its initial position is kNoSupport", "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  rpsm::RpsmOptions opt;
  opt.limb_tolerance = 1000.0;  // the limbs do not fail first
  const Frame f = make_frame(311, 0.0);
  for (const int joint : {10, 13, 0}) {  // head, lwri, root
    Eigen::Matrix3Xd init = f.gt;
    init.col(joint) += Eigen::Vector3d(700.0, -500.0, 300.0);
    const auto r = rpsm::refine(f.views, sk, init, opt);
    check_failure(r);
    CHECK(r.status == rpsm::Status::kNoSupport);
    CHECK_THAT(r.message, Catch::Contains("'" + sk.name(joint) + "'"));
    CHECK_THAT(r.message, Catch::Contains("initial position"));
    // The support count tells which joint.
    REQUIRE(r.support_views.size() == 17);
    // At most one view (one view alone only fixes a ray), the others in >= 2.
    CHECK(r.support_views[joint] <= 1);
    CHECK(r.support_views.sum() - r.support_views[joint] >= 16 * 2);
  }
  // Heatmaps made of zeros around a single far-away response: the joint's
  // heatmap has support only there.
  auto views = f.views;
  for (auto& v : views) {
    fill_heatmap(&v.heatmaps, 13, 0.0f);
    v.heatmaps.at(13, 0, 0) = 1.0f;
  }
  const auto r = rpsm::refine(views, sk, f.gt, opt);
  check_failure(r);
  CHECK(r.status == rpsm::Status::kNoSupport);
  CHECK_THAT(r.message, Catch::Contains("'lwri'"));
}

TEST_CASE("refine: no feasible configuration at the first level is kNoFeasiblePose, not success", "[rpsm]") {
  // A 10 mm first cube (candidates at most sqrt(3) x 10 mm apart per limb)
  // and a 20 mm tolerance: a limb 60 mm too long cannot be repaired.
  const pose::Skeleton sk = pose::human36m_17();
  rpsm::RpsmOptions opt;
  opt.refine_initial_side = 10.0;
  opt.limb_tolerance = 20.0;
  const Frame f = make_frame(321, 0.0);
  for (const int joint : {3, 13, 10}) {  // rank, lwri, head: leaves
    Eigen::Matrix3Xd init = f.gt;
    const Eigen::Vector3d along = (f.gt.col(joint) - f.gt.col(sk.parent(joint))).normalized();
    init.col(joint) += 60.0 * along;
    for (const int k : {2, 3}) {
      opt.recursion_bins = k;
      const auto r = rpsm::refine(f.views, sk, init, opt);
      INFO("joint " << joint << " k " << k);
      check_failure(r);
      CHECK(r.status == rpsm::Status::kNoFeasiblePose);
      CHECK_THAT(r.message, Catch::Contains("recursive level 0"));
      CHECK(r.levels_completed == 0);
    }
    // The polish alone keeps the hard constraints: refused as well.
    rpsm::RpsmOptions polish_only = opt;
    polish_only.num_levels = 0;
    const auto p = rpsm::refine(f.views, sk, init, polish_only);
    check_failure(p);
    CHECK(p.status == rpsm::Status::kNoFeasiblePose);
  }
  // The same pose with the skeleton's 150 mm tolerance is refined.
  opt.limb_tolerance = 0.0;
  opt.recursion_bins = 3;
  check_success(rpsm::refine(f.views, sk, f.gt, opt), opt);
  // Nothing to refine with: a programmer error.
  rpsm::RpsmOptions nothing;
  nothing.num_levels = 0;
  nothing.polish_iterations = 0;
  CHECK_THROWS_WITH(rpsm::refine(f.views, sk, f.gt, nothing), Catch::Contains("nothing would refine"));
  nothing.polish_iterations = 5;
  nothing.combination = rpsm::ViewCombination::kSum;  // the polish needs kMeanLog
  CHECK_THROWS_AS(rpsm::refine(f.views, sk, f.gt, nothing), std::invalid_argument);
  // The polish alone from the truth: a success without levels.
  nothing.combination = rpsm::ViewCombination::kMeanLog;
  const auto polished = rpsm::refine(f.views, sk, f.gt, nothing);
  check_success(polished, nothing);
}

TEST_CASE("estimate refuses a root position far away or in the wrong unit", "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  const rpsm::RpsmOptions opt;
  for (const std::uint64_t seed : {331u, 332u}) {
    INFO("seed " << seed);
    const Frame f = make_frame(seed, 1.0);
    const Eigen::Vector3d root = f.gt.col(0);
    check_success(rpsm::estimate(f.views, sk, root, opt), opt);
    for (int axis = 0; axis < 3; ++axis) {
      for (const double sign : {-1.0, 1.0}) {
        Eigen::Vector3d far = root;
        far[axis] += sign * 1e7;
        INFO("10 km along axis " << axis << " sign " << sign);
        const auto r = rpsm::estimate(f.views, sk, far, opt);
        check_failure(r);
        CHECK((r.status == rpsm::Status::kRootNotVisible || r.status == rpsm::Status::kNoSupport));
      }
    }
    for (const double unit : {1000.0, 25.4}) {
      INFO("unit factor " << unit);
      check_failure(rpsm::estimate(f.views, sk, unit * root, opt));
    }
    // A cube that holds no joint: 3 m beside the person (the root still in
    // the images).
    const auto beside = rpsm::estimate(f.views, sk, root + Eigen::Vector3d(0.0, 0.0, 3000.0), opt);
    check_failure(beside);
  }
}

/// Every value of the given views' heatmaps moved by one float ulp, up or
/// down at random: the data's own precision.
std::vector<pose::HeatmapView> one_ulp(std::vector<pose::HeatmapView> views, const std::vector<int>& which,
                                       std::uint64_t seed) {
  Rng rng(seed);
  for (const int v : which) {
    for (float& x : views[v].heatmaps.data()) {
      x = std::nextafter(x, rng.uniform(0.0, 1.0) < 0.5 ? 0.0f : std::numeric_limits<float>::infinity());
    }
  }
  return views;
}

TEST_CASE("a positive scale of one view's or one joint's heatmaps leaves the pose unchanged", "[rpsm]") {
  // Every (view, joint) heatmap is divided by its maximum, so a factor acts
  // only through the rounding of the scaled floats. Powers of two scale
  // floats exactly: bit-identical poses. Any other factor rounds every value
  // (<= half an ulp): the grid levels are unchanged (<= 1e-6 mm, in fact
  // bit-identical) and the continuous polish moves by what that rounding
  // implies, within twice the change that one ulp (random sign) on every
  // value of the same views causes: the data's own precision, 5-13 um for
  // these 64 x 64 sigma-2 heatmaps (1 px ~ 35 mm); measured 2.5-6.8 um.
  // Factors 1e-6 ... 1e6 per view and per joint, estimate and refine, noisy
  // and corrupted scenes.
  const pose::Skeleton sk = pose::human36m_17();
  const rpsm::RpsmOptions opt;
  rpsm::RpsmOptions levels = opt;  // the grid levels alone
  levels.polish_iterations = 0;
  rpsm::RpsmOptions sum = levels;  // the reference's combination
  sum.combination = rpsm::ViewCombination::kSum;
  const float factors[] = {1e-6f, 3.7e-4f, 0.1f, 0.7f, 9.0f, 1234.5f, 1e6f};
  double worst = 0.0, worst_ratio = 0.0;
  for (const auto& [seed, noise, corrupt] : {std::tuple{341u, 0.0, -1}, std::tuple{342u, 1.0, -1},
                                            std::tuple{343u, 2.0, 1}}) {
    INFO("seed " << seed << " noise " << noise << " corrupted view " << corrupt);
    const Frame f = make_frame(seed, noise, corrupt);
    const Eigen::Matrix3Xd init = perturbed(f, seed);
    struct Poses {
      Eigen::Matrix3Xd e, r, l, s;
    };
    const auto run = [&](const std::vector<pose::HeatmapView>& views) {
      const auto e = rpsm::estimate(views, sk, f.gt.col(0), opt);
      const auto r = rpsm::refine(views, sk, init, opt);
      const auto l = rpsm::estimate(views, sk, f.gt.col(0), levels);
      const auto s = rpsm::estimate(views, sk, f.gt.col(0), sum);
      check_success(e, opt);
      check_success(r, opt);
      check_success(l, levels);
      check_success(s, sum);
      return Poses{e.joints_in_world, r.joints_in_world, l.joints_in_world, s.joints_in_world};
    };
    const auto change = [](const Eigen::Matrix3Xd& a, const Eigen::Matrix3Xd& b) {
      return (a - b).cwiseAbs().maxCoeff();
    };
    const Poses base = run(f.views);
    // The precision floor per set of scaled views: max over estimate / refine.
    const auto floor_of = [&](const std::vector<int>& which) {
      const Poses p = run(one_ulp(f.views, which, seed));
      return std::max(change(p.e, base.e), change(p.r, base.r));
    };
    const auto compare = [&](const std::vector<pose::HeatmapView>& views, double floor, bool exact) {
      const Poses p = run(views);
      const double de = change(p.e, base.e), dr = change(p.r, base.r);
      const double dl = change(p.l, base.l), ds = change(p.s, base.s);
      INFO("estimate " << de << " refine " << dr << " levels " << dl << " sum " << ds << " (mm), one-ulp floor "
                       << floor);
      CHECK(dl <= 1e-6);
      CHECK(ds <= 1e-6);
      // The floor is one random draw of a perturbation twice the rounding's
      // bound (measured ratios 0.25-0.87).
      CHECK(de <= 2.0 * floor);
      CHECK(dr <= 2.0 * floor);
      worst = std::max({worst, de, dr});
      worst_ratio = std::max(worst_ratio, std::max(de, dr) / floor);
      if (exact) {
        CHECK(same_bits(p.e, base.e));
        CHECK(same_bits(p.r, base.r));
        CHECK(same_bits(p.l, base.l));
        CHECK(same_bits(p.s, base.s));
      }
    };
    const double floor_view[2] = {floor_of({0}), floor_of({2})};
    const double floor_all = floor_of({0, 1, 2, 3});
    INFO("one-ulp floors: view 0 " << floor_view[0] << ", view 2 " << floor_view[1] << ", all views " << floor_all);
    CHECK(floor_all > 0.0);
    for (const float factor : factors) {
      for (const int i : {0, 1}) {
        const int view = 2 * i;
        INFO("view " << view << " x " << factor);
        auto views = f.views;
        for (int j = 0; j < 17; ++j) scale_heatmap(&views[view].heatmaps, j, factor);
        compare(views, floor_view[i], false);
      }
      // Every joint of every view with its own factor (factor^(k / 4), k = -4..4).
      auto views = f.views;
      for (int v = 0; v < 4; ++v) {
        for (int j = 0; j < 17; ++j) {
          const int k = (v * 17 + j) % 9 - 4;
          scale_heatmap(&views[v].heatmaps, j, std::pow(factor, k / 4.0f));
        }
      }
      INFO("per view and joint, base " << factor);
      compare(views, floor_all, false);
    }
    for (const float factor : {0x1p-20f, 0x1p-3f, 0x1p+7f, 0x1p+20f}) {
      auto views = f.views;
      for (int j = 0; j < 17; ++j) scale_heatmap(&views[1].heatmaps, j, factor);
      scale_heatmap(&views[3].heatmaps, 5, factor * factor);
      INFO("power of two " << factor);
      compare(views, floor_all, true);
    }
  }
  WARN("scale invariance: largest change " << worst << " mm = " << worst_ratio << " x the one-ulp floor");
}

TEST_CASE("a uniform or all-zero heatmap does not move the pose, an uninformative view is reported",
          "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  const rpsm::RpsmOptions opt;
  rpsm::RpsmOptions zero = opt;
  zero.outside_heatmap = rpsm::OutsideHeatmap::kZero;
  rpsm::RpsmOptions sum = opt;
  sum.combination = rpsm::ViewCombination::kSum;
  sum.polish_iterations = 0;
  rpsm::RpsmOptions raw = opt;
  raw.heatmap_normalization = rpsm::HeatmapNormalization::kNone;
  for (const rpsm::RpsmOptions* o : std::vector<const rpsm::RpsmOptions*>{&opt, &zero, &sum, &raw}) {
    INFO("outside " << rpsm::to_string(o->outside_heatmap) << " combination " << rpsm::to_string(o->combination)
                    << " normalisation " << rpsm::to_string(o->heatmap_normalization));
    const Frame f = make_frame(351, 1.0);
    const Eigen::Matrix3Xd init = perturbed(f, 351);
    // One joint's heatmap in one view: all zero, uniform 1, 1e10 or 3e-30, or
    // a peak whose maximum is subnormal (below float's normal range: the
    // shape is rounding noise) give the same pose.
    std::vector<rpsm::RpsmResult> one;
    for (const float value : {0.0f, 1.0f, 1e10f, 3e-30f, -1.0f}) {
      auto views = f.views;
      if (value >= 0.0f) {
        fill_heatmap(&views[2].heatmaps, 7, value);
      } else {
        scale_heatmap(&views[2].heatmaps, 7, 1e-39f);
        REQUIRE(*std::max_element(views[2].heatmaps.joint(7), views[2].heatmaps.joint(7) + 64 * 64) > 0.0f);
      }
      one.push_back(rpsm::refine(views, sk, init, *o));
      one.push_back(rpsm::estimate(views, sk, f.gt.col(0), *o));
      REQUIRE(one[one.size() - 2].success());
      REQUIRE(one.back().success());
      CHECK(one.back().uninformative_views.empty());
    }
    for (std::size_t i = 2; i < one.size(); ++i) {
      CHECK(same_bits(one[i].joints_in_world, one[i % 2].joints_in_world));
    }
    // A whole view uniform: the same pose as without the view, and reported.
    for (const float value : {0.0f, 0.25f, 1e10f}) {
      INFO("view 1 filled with " << value);
      auto views = f.views;
      for (int j = 0; j < 17; ++j) fill_heatmap(&views[1].heatmaps, j, value);
      auto without = f.views;
      without.erase(without.begin() + 1);
      const auto a = rpsm::refine(views, sk, init, *o);
      const auto b = rpsm::refine(without, sk, init, *o);
      const auto c = rpsm::estimate(views, sk, f.gt.col(0), *o);
      const auto d = rpsm::estimate(without, sk, f.gt.col(0), *o);
      REQUIRE(a.success());
      REQUIRE(b.success());
      REQUIRE(c.success());
      REQUIRE(d.success());
      CHECK(same_bits(a.joints_in_world, b.joints_in_world));
      CHECK(same_bits(c.joints_in_world, d.joints_in_world));
      CHECK(a.uninformative_views == std::vector<int>{1});
      CHECK(c.uninformative_views == std::vector<int>{1});
      CHECK_THAT(a.message, Catch::Contains("view 1 ignored"));
      CHECK(b.uninformative_views.empty());
      CHECK(a.support_views.maxCoeff() <= 3);
    }
  }
  // Every view uniform for one joint: kEmptyHeatmaps naming it.
  const Frame f = make_frame(352, 0.0);
  auto views = f.views;
  for (int v = 0; v < 4; ++v) fill_heatmap(&views[v].heatmaps, 12, v == 0 ? 0.0f : 0.5f);
  const auto r = rpsm::refine(views, sk, f.gt, opt);
  CHECK(r.status == rpsm::Status::kEmptyHeatmaps);
  CHECK_THAT(r.message, Catch::Contains("'lelb'"));
  CHECK_THAT(r.message, Catch::Contains("uniform"));
}

TEST_CASE("nearest-pixel unary: values below 2^-64 of a heatmap's maximum read as 0", "[rpsm]") {
  // The Gaussian heatmaps' tails run through float's subnormal range; the
  // unary reads them as 0 (they are far below kMeanLog's eps; subnormal
  // arithmetic costs a microcode assist per operation). Zeroing them in the
  // input therefore changes nothing, bit for bit; kZero keeps them.
  const pose::Skeleton sk = pose::human36m_17();
  const Frame f = make_frame(361, 1.0);
  const Eigen::Matrix3Xd init = perturbed(f, 361);
  auto zeroed = f.views;
  int subnormal = 0;
  for (auto& v : zeroed) {
    for (int j = 0; j < 17; ++j) {
      float* d = v.heatmaps.joint(j);
      const float mx = *std::max_element(d, d + 64 * 64);
      for (int i = 0; i < 64 * 64; ++i) {
        subnormal += d[i] > 0.0f && d[i] < std::numeric_limits<float>::min();
        if (d[i] < mx * 0x1p-64f) d[i] = 0.0f;
      }
    }
  }
  CHECK(subnormal > 1000);
  rpsm::RpsmOptions sum;
  sum.combination = rpsm::ViewCombination::kSum;
  sum.polish_iterations = 0;
  for (const rpsm::RpsmOptions& o : {rpsm::RpsmOptions{}, sum}) {
    const auto a = rpsm::estimate(f.views, sk, f.gt.col(0), o), b = rpsm::estimate(zeroed, sk, f.gt.col(0), o);
    const auto c = rpsm::refine(f.views, sk, init, o), d = rpsm::refine(zeroed, sk, init, o);
    REQUIRE(a.success());
    REQUIRE(c.success());
    CHECK(same_bits(a.joints_in_world, b.joints_in_world));
    CHECK(same_bits(c.joints_in_world, d.joints_in_world));
    CHECK(a.joint_scores == b.joint_scores);
  }
}
