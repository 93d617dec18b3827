// RPSM on synthetic 17-joint poses seen by four distorted cameras: accuracy
// against ground truth, the reference's quirks, robustness, bad input.
#include <crossview/rpsm/rpsm.hpp>
#include <crossview_test/points.hpp>
#include <crossview_test/pose_scene.hpp>

#include <catch2/catch.hpp>

#include <limits>
#include <tuple>

using namespace crossview;
using crossview_test::Rng;

namespace {

struct Frame {
  Eigen::Matrix3Xd gt;
  std::vector<pose::HeatmapView> views;
};

Frame make_frame(std::uint64_t seed, double noise_heatmap_px = 0.0, int corrupt_view = -1,
                 int heatmap_w = 64, int heatmap_h = 64) {
  static const pose::Skeleton sk = pose::human36m_17();
  static const auto cams = crossview_test::h36m_like_ring();
  Rng rng(seed);
  Frame f;
  f.gt = crossview_test::synthetic_h36m_pose(rng, sk);
  crossview_test::HeatmapSceneOptions so;
  so.noise_heatmap_px = noise_heatmap_px;
  so.corrupt_view = corrupt_view;
  so.corrupt_joint = static_cast<int>(seed % 17);
  so.heatmap_width = heatmap_w;
  so.heatmap_height = heatmap_h;
  REQUIRE(crossview_test::render_views(cams, f.gt, so, rng, &f.views));
  return f;
}

// Noise-free heatmaps, levels only (polish off): the bilinear sampling of
// sigma-2 Gaussians limits the 3D accuracy to ~10 mm at this scale (1
// heatmap px ~ 35 mm on the subject); 15 mm leaves margin for the
// seed-to-seed spread of a 17-joint mean.
constexpr double kNoiseFreeMpjpeMm = 15.0;
// With the polish (default): the log of a Gaussian heatmap is quadratic, so
// its local model is exact and the synthetic poses have exactly the prior
// limb lengths; what remains is float rounding of the heatmaps (measured
// 0.0003 mm).
constexpr double kPolishedMpjpeMm = 0.05;

/// rpsm::estimate on a frame with the cube on the true root; requires success.
rpsm::RpsmResult estimate_ok(const Frame& f, const pose::Skeleton& sk, const rpsm::RpsmOptions& opt) {
  rpsm::RpsmResult r = rpsm::estimate(f.views, sk, f.gt.col(0), opt);
  INFO(r.message);
  REQUIRE(r.success());
  return r;
}

}  // namespace

TEST_CASE("RPSM recovers noise-free poses, halves PSM's error, beats the grid quantisation",
          "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  rpsm::RpsmOptions opt;  // centred 16^3 grid, mean-log, 3^3 recursion, 10 levels
  const double spacing = opt.cube_side / opt.num_bins;
  for (std::uint64_t seed : {11u, 12u, 13u}) {
    INFO("seed " << seed);
    const Frame f = make_frame(seed);
    const rpsm::RpsmResult r = rpsm::estimate(f.views, sk, f.gt.col(0), opt);
    REQUIRE(r.success());
    CHECK(r.levels_completed == 10);
    CHECK(r.psm_completed);
    REQUIRE(r.joints_in_world.allFinite());
    const double psm = crossview_test::mpjpe(r.psm_joints_in_world, f.gt);
    const double rp = crossview_test::mpjpe(r.joints_in_world, f.gt);
    const double quant = crossview_test::grid_quantisation_error(f.gt, f.gt.col(0), spacing);
    INFO("PSM " << psm << " RPSM " << rp << " quantisation " << quant);
    CHECK(rp < kPolishedMpjpeMm);
    CHECK(r.polish_steps > 0);
    CHECK(rp <= 0.5 * psm);
    CHECK(rp < quant);
    // The root is exactly a level-0 candidate with the centred grid.
    CHECK((r.psm_joints_in_world.col(0) - f.gt.col(0)).norm() < 0.5 * spacing * std::sqrt(3.0));
    CHECK(r.joint_scores.size() == 17);
    CHECK(r.joint_scores.minCoeff() > 0.1);  // every joint lands on a strong response
    CHECK(r.workspace_bytes > 0);
  }
}

TEST_CASE("centred grid contains the root, the reference linspace grid does not", "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  const Frame f = make_frame(21);
  rpsm::RpsmOptions ours;
  ours.num_levels = 0;
  rpsm::RpsmOptions ref = ours;
  ref.grid = rpsm::GridPlacement::kLinspaceEndpoints;
  const auto a = rpsm::estimate(f.views, sk, f.gt.col(0), ours);
  const auto b = rpsm::estimate(f.views, sk, f.gt.col(0), ref);
  REQUIRE(a.success());
  REQUIRE(b.success());
  // With 16 bins the linspace grid's nearest bins are 66.7 mm off per axis.
  const double half_spacing_ref = 0.5 * ref.cube_side / (ref.num_bins - 1);
  CHECK((a.psm_joints_in_world.col(0) - f.gt.col(0)).norm() < 1e-9);
  CHECK((b.psm_joints_in_world.col(0) - f.gt.col(0)).norm() >= half_spacing_ref * std::sqrt(3.0) - 1e-9);
  CHECK(a.levels_completed == 0);
  CHECK(crossview_test::mpjpe(a.psm_joints_in_world, f.gt) <
        crossview_test::mpjpe(b.psm_joints_in_world, f.gt));
}

TEST_CASE("the levels agree with the reference configuration, the polish removes their bilinear bias",
          "[rpsm]") {
  // Reference: sum over views, linspace grid, 2^3 recursion, 0 outside the
  // heatmaps, no polish. Ours without the polish: mean-log, centred grid, 3^3
  // recursion (includes the current estimate). Noise-free, both converge to
  // the optimum of the bilinear unary; the residual spread between them is
  // below 3 mm on average (measured 7.1 vs 8.7 mm on 20 frames). The polish
  // (default) then reaches the optimum of the continuous model.
  const pose::Skeleton sk = pose::human36m_17();
  rpsm::RpsmOptions ref;
  ref.combination = rpsm::ViewCombination::kSum;
  ref.grid = rpsm::GridPlacement::kLinspaceEndpoints;
  ref.recursion_bins = 2;
  ref.outside_heatmap = rpsm::OutsideHeatmap::kZero;
  ref.polish_iterations = 0;
  rpsm::RpsmOptions levels_only;
  levels_only.polish_iterations = 0;
  const rpsm::RpsmOptions ours;
  double e_ref = 0.0, e_levels = 0.0, e_ours = 0.0;
  for (std::uint64_t seed : {31u, 32u}) {
    const Frame f = make_frame(seed);
    const auto a = estimate_ok(f, sk, ref);
    const auto b = estimate_ok(f, sk, levels_only);
    const auto c = estimate_ok(f, sk, ours);
    CHECK(a.polish_steps == 0);
    CHECK(b.polish_steps == 0);
    CHECK(c.polish_steps > 0);
    // The polish starts from the levels' pose.
    CHECK(c.levels_completed == b.levels_completed);
    e_ref += crossview_test::mpjpe(a.joints_in_world, f.gt) / 2;
    e_levels += crossview_test::mpjpe(b.joints_in_world, f.gt) / 2;
    e_ours += crossview_test::mpjpe(c.joints_in_world, f.gt) / 2;
  }
  INFO("reference " << e_ref << " levels only " << e_levels << " polished " << e_ours);
  CHECK(e_levels < kNoiseFreeMpjpeMm);
  CHECK(std::abs(e_levels - e_ref) < 3.0);
  CHECK(e_ours < kPolishedMpjpeMm);
}

TEST_CASE("the polish: better than the levels under noise, kept limbs, skipped for kSum", "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  rpsm::RpsmOptions levels_only;
  levels_only.polish_iterations = 0;
  rpsm::RpsmOptions constrained;  // hard indicator only: the constrained optimum of the unary
  constrained.polish_gaussian_limbs = false;
  const rpsm::RpsmOptions ours;
  double e_levels = 0.0, e_constrained = 0.0, e_ours = 0.0;
  const int frames = 4;
  for (int i = 0; i < frames; ++i) {
    const Frame f = make_frame(101 + i, 2.0);
    const auto a = estimate_ok(f, sk, levels_only);
    const auto b = estimate_ok(f, sk, constrained);
    const auto c = estimate_ok(f, sk, ours);
    CHECK(c.timings.polish_ms >= 0.0);
    e_levels += crossview_test::mpjpe(a.joints_in_world, f.gt) / frames;
    e_constrained += crossview_test::mpjpe(b.joints_in_world, f.gt) / frames;
    e_ours += crossview_test::mpjpe(c.joints_in_world, f.gt) / frames;
    // Both polishes keep the hard indicator's limbs.
    for (const auto* r : {&b, &c}) {
      for (int j = 1; j < 17; ++j) {
        const double len = (r->joints_in_world.col(j) - r->joints_in_world.col(sk.parent(j))).norm();
        CHECK(std::abs(len - sk.limb_prior(j).mean) <= sk.limb_prior(j).tolerance);
      }
    }
  }
  INFO("2 px noise: levels only " << e_levels << " constrained polish " << e_constrained
                                  << " polish with the Gaussian limb term " << e_ours);
  CHECK(e_constrained < e_levels);
  CHECK(e_ours < e_constrained);
  // The reference's combination (sum over views) has no polish.
  rpsm::RpsmOptions sum;
  sum.combination = rpsm::ViewCombination::kSum;
  CHECK(estimate_ok(make_frame(111), sk, sum).polish_steps == 0);
}

TEST_CASE("a corrupted view: mean-log RPSM beats triangulating the maxima", "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  rpsm::RpsmOptions opt;
  double e_rpsm = 0.0, e_dlt = 0.0, worst_rpsm = 0.0, worst_dlt = 0.0;
  const int frames = 3;
  for (int i = 0; i < frames; ++i) {
    const std::uint64_t seed = 41 + i;
    INFO("seed " << seed);
    const Frame f = make_frame(seed, 0.0, /*corrupt_view=*/i % 4);
    const auto r = rpsm::estimate(f.views, sk, f.gt.col(0), opt);
    REQUIRE(r.success());
    const Eigen::Matrix3Xd tri = crossview_test::triangulate_heatmap_maxima(f.views);
    const int j = static_cast<int>(seed % 17);
    e_rpsm += crossview_test::mpjpe(r.joints_in_world, f.gt) / frames;
    e_dlt += crossview_test::mpjpe(tri, f.gt) / frames;
    worst_rpsm = std::max(worst_rpsm, (r.joints_in_world.col(j) - f.gt.col(j)).norm());
    worst_dlt = std::max(worst_dlt, (tri.col(j) - f.gt.col(j)).norm());
  }
  INFO("MPJPE rpsm " << e_rpsm << " dlt " << e_dlt << "; corrupted joint worst rpsm " << worst_rpsm
                     << " dlt " << worst_dlt);
  CHECK(e_rpsm < e_dlt);
  CHECK(worst_rpsm < 0.5 * worst_dlt);
}

TEST_CASE("refine improves a perturbed pose and handles non-square heatmaps", "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  for (std::uint64_t seed : {51u, 52u}) {
    INFO("seed " << seed);
    const Frame f = make_frame(seed, 0.0, -1, 64, 48);
    Rng rng(seed);
    Eigen::Matrix3Xd init = f.gt;
    for (int j = 0; j < 17; ++j) init.col(j) += 40.0 * rng.unit_vector();  // 40 mm off
    rpsm::RpsmOptions opt;
    const auto r = rpsm::refine(f.views, sk, init, opt);
    REQUIRE(r.success());
    CHECK(r.psm_joints_in_world.size() == 0);
    CHECK(r.levels_completed == 10);
    const double before = crossview_test::mpjpe(init, f.gt);
    const double after = crossview_test::mpjpe(r.joints_in_world, f.gt);
    INFO("before " << before << " after " << after);
    CHECK(after < kPolishedMpjpeMm);
    // Same answer with threads (the work is split, not the arithmetic).
    opt.num_threads = 3;
    const auto r3 = rpsm::refine(f.views, sk, init, opt);
    REQUIRE(r3.success());
    CHECK((r3.joints_in_world - r.joints_in_world).cwiseAbs().maxCoeff() == 0.0);
  }
}

TEST_CASE("refine keeps every limb within a tight hard tolerance", "[rpsm]") {
  // Noisy heatmaps pull the joints apart while a 30 mm tolerance holds the
  // limbs: the pairwise tables are partly -inf on the first levels and the
  // bound that skips provably all-zero tables must never admit a pair
  // outside the tolerance.
  const pose::Skeleton sk = pose::human36m_17();
  for (std::uint64_t seed : {81u, 82u, 83u}) {
    INFO("seed " << seed);
    const Frame f = make_frame(seed, 2.0);
    Rng rng(seed);
    Eigen::Matrix3Xd init = f.gt;
    for (int j = 0; j < 17; ++j) init.col(j) += 5.0 * rng.unit_vector();
    for (const int k : {2, 3}) {
      rpsm::RpsmOptions opt;
      opt.recursion_bins = k;
      opt.limb_tolerance = 30.0;
      const auto r = rpsm::refine(f.views, sk, init, opt);
      REQUIRE(r.success());
      CHECK(r.levels_completed == 10);
      for (int j = 1; j < 17; ++j) {
        const double len = (r.joints_in_world.col(j) - r.joints_in_world.col(sk.parent(j))).norm();
        INFO("k " << k << " limb " << j << " length " << len << " prior " << sk.limb_prior(j).mean);
        CHECK(std::abs(len - sk.limb_prior(j).mean) <= opt.limb_tolerance + 1e-9);
      }
    }
  }
}

TEST_CASE("every NaN, Inf or negative heatmap value is reported wherever it sits", "[rpsm]") {
  // 9 x 7 heatmaps (63 values: the vectorised scan's 16-value steps and a
  // scalar tail) and 64 x 48 ones; every kind of bad value at every position
  // (every 37th for the large ones); -0.0 is not negative.
  const pose::Skeleton sk = pose::human36m_17();
  rpsm::RpsmOptions opt;
  opt.num_levels = 1;
  const float kNaN = std::numeric_limits<float>::quiet_NaN();
  const float kInf = std::numeric_limits<float>::infinity();
  for (const auto& [w, h, stride] : {std::tuple{9, 7, 1}, std::tuple{64, 48, 37}}) {
    const Frame f = make_frame(91, 0.0, -1, w, h);
    const Eigen::Matrix3Xd init = f.gt;
    for (int pos = 0; pos < w * h; pos += stride) {
      for (const float bad : {kNaN, kInf, -kInf, -0.5f, -0.0f}) {
        INFO(w << " x " << h << " position " << pos << " value " << bad);
        auto views = f.views;
        views[1].heatmaps.joint(3)[pos] = bad;
        const auto r = rpsm::refine(views, sk, init, opt);
        if (bad == 0.0f) {
          CHECK(r.success());
          continue;
        }
        CHECK(r.status == rpsm::Status::kInvalidHeatmaps);
        CHECK_THAT(r.message, Catch::Contains(bad < 0.0f && bad > -kInf ? "negative" : "NaN or Inf"));
        CHECK_THAT(r.message, Catch::Contains("view 1"));
      }
    }
  }
}

TEST_CASE("threads and the Gaussian pairwise give consistent estimates", "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  const Frame f = make_frame(61, 1.0);
  rpsm::RpsmOptions opt;
  const auto a = rpsm::estimate(f.views, sk, f.gt.col(0), opt);
  opt.num_threads = 2;
  const auto b = rpsm::estimate(f.views, sk, f.gt.col(0), opt);
  REQUIRE(a.success());
  REQUIRE(b.success());
  CHECK((a.joints_in_world - b.joints_in_world).cwiseAbs().maxCoeff() == 0.0);
  CHECK((a.psm_joints_in_world - b.psm_joints_in_world).cwiseAbs().maxCoeff() == 0.0);
  opt.pairwise = rpsm::PairwiseModel::kGaussian;
  opt.limb_tolerance = 40.0;
  const auto g = rpsm::estimate(f.views, sk, f.gt.col(0), opt);
  REQUIRE(g.success());
  // The synthetic poses have exactly the prior limb lengths: a tight prior helps.
  CHECK(crossview_test::mpjpe(g.joints_in_world, f.gt) < 25.0);
  // Limb lengths of the Gaussian result stay close to the prior.
  for (int j = 1; j < 17; ++j) {
    const double len = (g.joints_in_world.col(j) - g.joints_in_world.col(sk.parent(j))).norm();
    CHECK(std::abs(len - sk.limb_prior(j).mean) < 3 * 20.0 + 1.0);
  }
}

TEST_CASE("bad input gives a status or std::invalid_argument, never a NaN success", "[rpsm]") {
  const pose::Skeleton sk = pose::human36m_17();
  const Frame f = make_frame(71);
  const Eigen::Vector3d root = f.gt.col(0);
  rpsm::RpsmOptions opt;
  opt.num_levels = 2;
  auto expect_status = [&](const std::vector<pose::HeatmapView>& views, rpsm::Status s,
                           const std::string& text, const Eigen::Vector3d& r) {
    const auto res = rpsm::estimate(views, sk, r, opt);
    INFO(res.message);
    CHECK(res.status == s);
    CHECK_FALSE(res.success());
    CHECK_THAT(res.message, Catch::Contains(text));
    CHECK(std::string(rpsm::to_string(res.status)).size() > 0);
  };
  expect_status({}, rpsm::Status::kNoViews, "no views", root);
  auto v = f.views;
  v[2].heatmaps.at(5, 10, 10) = std::nanf("");
  expect_status(v, rpsm::Status::kInvalidHeatmaps, "NaN", root);
  v = f.views;
  v[1].heatmaps.at(3, 0, 0) = std::numeric_limits<float>::infinity();
  expect_status(v, rpsm::Status::kInvalidHeatmaps, "NaN or Inf", root);
  v = f.views;
  v[1].heatmaps.at(3, 7, 9) = -0.5f;
  expect_status(v, rpsm::Status::kInvalidHeatmaps, "negative", root);
  v = f.views;
  for (auto& view : v) std::fill(view.heatmaps.joint(4), view.heatmaps.joint(4) + 64 * 64, 0.0f);
  expect_status(v, rpsm::Status::kEmptyHeatmaps, "lhip", root);
  expect_status(f.views, rpsm::Status::kRootNotVisible, "projects into none", root + Eigen::Vector3d(0, 0, 1e7));
  expect_status(f.views, rpsm::Status::kInvalidInitialPose, "NaN", Eigen::Vector3d(std::nan(""), 0, 0));
  // The head's only response is a corner pixel that a small cube around the
  // root never projects to: no support.
  v = f.views;
  for (auto& view : v) {
    std::fill(view.heatmaps.joint(10), view.heatmaps.joint(10) + 64 * 64, 0.0f);
    view.heatmaps.at(10, 0, 0) = 1.0f;
  }
  opt.cube_side = 600.0;
  opt.num_bins = 8;
  expect_status(v, rpsm::Status::kNoSupport, "without heatmap support", root);
  expect_status(v, rpsm::Status::kNoSupport, "'head'", root);
  opt.cube_side = 2000.0;
  opt.num_bins = 16;
  // A tolerance so tight that no bin offset matches a limb.
  opt.limb_tolerance = 1.0;
  expect_status(f.views, rpsm::Status::kNoFeasiblePose, "no bin offset", root);
  opt.limb_tolerance = 0.0;
  // One all-zero view is fine (ignored for that joint).
  v = f.views;
  std::fill(v[0].heatmaps.joint(2), v[0].heatmaps.joint(2) + 64 * 64, 0.0f);
  const auto ok = rpsm::estimate(v, sk, root, opt);
  CHECK(ok.success());
  CHECK(ok.joints_in_world.allFinite());

  // Programmer errors throw.
  v = f.views;
  v[0].heatmaps = pose::ViewHeatmaps(16, 64, 64);
  CHECK_THROWS_AS(rpsm::estimate(v, sk, root, opt), std::invalid_argument);
  v = f.views;
  v[0].heatmaps.data().resize(100);
  CHECK_THROWS_AS(rpsm::estimate(v, sk, root, opt), std::invalid_argument);
  CHECK_THROWS_AS(rpsm::estimate(f.views, pose::human36m_17(false), root, opt), std::invalid_argument);
  {  // A non-tree skeleton (the H36M limbs plus one closing a cycle) is refused by name.
    std::vector<std::pair<int, int>> limbs = sk.limbs();
    limbs.emplace_back(3, 6);
    const pose::Skeleton cyclic = pose::Skeleton::from_limbs(sk.names(), limbs, std::vector<pose::LimbPrior>(17, {300.0, 150.0}));
    CHECK_THROWS_WITH(rpsm::estimate(f.views, cyclic, root, opt), Catch::Contains("not a tree"));
  }
  CHECK_THROWS_AS(rpsm::refine(f.views, sk, Eigen::Matrix3Xd::Zero(3, 16), opt), std::invalid_argument);
  Eigen::Matrix3Xd nan_pose = f.gt;
  nan_pose(1, 3) = std::nan("");
  const auto rn = rpsm::refine(f.views, sk, nan_pose, opt);
  CHECK(rn.status == rpsm::Status::kInvalidInitialPose);
  rpsm::RpsmOptions bad;
  bad.num_bins = 1;
  CHECK_THROWS_AS(rpsm::estimate(f.views, sk, root, bad), std::invalid_argument);
  bad = {};
  bad.recursion_bins = 1;
  CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
  bad = {};
  bad.log_epsilon = 0.0;
  CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
  bad = {};
  bad.num_threads = 0;
  CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
  bad = {};
  bad.polish_iterations = -1;
  CHECK_THROWS_AS(bad.validate(), std::invalid_argument);
  bad.polish_iterations = 101;
  CHECK_THROWS_WITH(bad.validate(), Catch::Contains("polish_iterations"));
  // Zero limb tolerance with the Gaussian pairwise is a programmer error.
  std::vector<pose::LimbPrior> priors = sk.limb_priors();
  for (auto& p : priors) p.tolerance = 0.0;
  rpsm::RpsmOptions gauss;
  gauss.pairwise = rpsm::PairwiseModel::kGaussian;
  CHECK_THROWS_AS(rpsm::estimate(f.views, pose::with_limb_priors(sk, priors), root, gauss),
                  std::invalid_argument);
  // A huge finite tolerance (found by fuzz_rpsm: 1.3e254) once overflowed the
  // int bin radius of the limb offsets; now the radius is clamped to the grid.
  for (const double tol : {1.3e254, 1e12}) {
    gauss.limb_tolerance = tol;
    gauss.num_bins = 4;
    gauss.num_levels = 0;
    const auto wide = rpsm::estimate(f.views, sk, root, gauss);
    INFO(wide.message);
    CHECK(wide.success());
    CHECK(wide.joints_in_world.allFinite());
  }
  // A tolerance so small that sigma^2 underflows to 0 (found by fuzz_rpsm in
  // CI): with every limb exactly one bin long the Gaussian weight at the
  // prior length was 0/0 = NaN and the backtracking indexed bin -1. The
  // level-0 Gaussian now also carries the grid's quantisation variance
  // (sigma_s^2 = sigma^2 + s^2 / 6), so a vanishing sigma leaves
  // sigma_s = s / sqrt(6) and every limb within its 3 sigma_s truncation.
  for (auto& p : priors) p = {125.0, 0.0};  // the bin spacing of 2000 / 16
  gauss.limb_tolerance = 1e-200;
  gauss.cube_side = 2000.0;
  gauss.num_bins = 16;
  gauss.num_levels = 0;
  const auto tiny = rpsm::estimate(f.views, pose::with_limb_priors(sk, priors), root, gauss);
  INFO(tiny.message);
  REQUIRE(tiny.success());
  REQUIRE(tiny.joints_in_world.allFinite());
  const double reach = 3.0 * 125.0 / std::sqrt(6.0);
  for (int j = 1; j < 17; ++j) {
    const double length = (tiny.psm_joints_in_world.col(j) - tiny.psm_joints_in_world.col(sk.parent(j))).norm();
    CHECK(std::abs(length - 125.0) <= reach + 1e-9);
  }
}

TEST_CASE("rpsm::refine takes the initial pose 3 x J and rejects a transposed one, naming it",
          "[rpsm][layout]") {
  const Frame f = make_frame(33);
  const pose::Skeleton sk = pose::human36m_17();
  rpsm::RpsmOptions opt;
  opt.num_levels = 2;
  const Eigen::MatrixXd transposed = f.gt.transpose();  // 17 x 3: one joint per row
  crossview_test::require_invalid_argument([&] { rpsm::refine(f.views, sk, transposed, opt); },
                                           {"rpsm::refine", "initial_pose_in_world", "17 x 3", "transposed"});
  crossview_test::require_invalid_argument([&] { rpsm::refine(f.views, sk, f.gt.leftCols(16), opt); },
                                           {"rpsm::refine", "initial_pose_in_world", "3 x 17"});
  // A 3 x J view into a packed sequence (3 x (F*J)) is taken in place.
  Eigen::Matrix3Xd sequence(3, 2 * 17);
  sequence << f.gt, f.gt;
  const rpsm::RpsmResult a = rpsm::refine(f.views, sk, sequence.rightCols(17), opt);
  const rpsm::RpsmResult b = rpsm::refine(f.views, sk, f.gt, opt);
  REQUIRE(a.success());
  CHECK(a.joints_in_world == b.joints_in_world);
}
