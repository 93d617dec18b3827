// Skeletons, heatmaps (affine placement, rendering, sampling) and epipolar fusion.
#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview_test/points.hpp>
#include <crossview_test/pose_scene.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

using namespace crossview;
using crossview_test::Rng;

TEST_CASE("built-in skeletons are valid trees with the documented roots", "[pose]") {
  const pose::Skeleton h36m = pose::human36m_17();
  CHECK(h36m.num_joints() == 17);
  CHECK(h36m.root() == 0);
  CHECK(h36m.has_limb_priors());
  CHECK(h36m.limbs().size() == 16);
  CHECK(h36m.parent(h36m.joint_index("head")) == h36m.joint_index("nose"));
  CHECK(h36m.parent(h36m.joint_index("lsho")) == h36m.joint_index("neck"));
  CHECK(h36m.parent(h36m.joint_index("rwri")) == h36m.joint_index("relb"));
  CHECK(h36m.left_right_pairs().size() == 6);
  const pose::Skeleton coco = pose::coco_17();
  CHECK(coco.num_joints() == 17);
  CHECK(coco.name(coco.root()) == "nose");
  CHECK_FALSE(coco.has_limb_priors());
  const pose::Skeleton b25 = pose::openpose_body25b();
  CHECK(b25.num_joints() == 25);
  CHECK(b25.name(b25.root()) == "Neck");
  CHECK(b25.name(18) == "Head");
  CHECK(b25.parent(21) == 15);  // LHeel -> LAnkle
  for (const pose::Skeleton* s : {&h36m, &coco, &b25}) {
    // Topological order: every parent before its children, every joint once.
    std::vector<int> pos(s->num_joints(), -1);
    const auto& order = s->topological_order();
    REQUIRE(static_cast<int>(order.size()) == s->num_joints());
    for (int i = 0; i < s->num_joints(); ++i) pos[order[i]] = i;
    for (int j = 0; j < s->num_joints(); ++j) {
      if (s->parent(j) >= 0) CHECK(pos[s->parent(j)] < pos[j]);
    }
  }
}

TEST_CASE("invalid trees are rejected with a message naming the problem", "[pose]") {
  using pose::Skeleton;
  const std::vector<std::string> names = {"a", "b", "c"};
  CHECK(pose::validate_tree(names, {-1, 0, 1}).empty());
  CHECK_THAT(pose::validate_tree(names, {-1, -1, 1}), Catch::Contains("more than one root"));
  CHECK_THAT(pose::validate_tree(names, {1, 2, 0}), Catch::Contains("no root"));
  CHECK_THAT(pose::validate_tree({"a", "b", "c", "d"}, {-1, 2, 3, 1}), Catch::Contains("cycle"));
  CHECK_THAT(pose::validate_tree(names, {-1, 0, 5}), Catch::Contains("outside"));
  CHECK_THAT(pose::validate_tree(names, {-1, 1, 0}), Catch::Contains("own parent"));
  CHECK_THAT(pose::validate_tree({"a", "a", "c"}, {-1, 0, 0}), Catch::Contains("twice"));
  CHECK_THAT(pose::validate_tree(names, {-1, 0}), Catch::Contains("parents"));
  CHECK_THAT(pose::validate_tree({}, {}), Catch::Contains("no joints"));
  CHECK_THROWS_AS(Skeleton(names, {1, 2, 0}), std::invalid_argument);
  CHECK_THROWS_AS(Skeleton(names, {-1, 0, 1}, {{0, 0}, {-1.0, 1.0}, {1, 1}}), std::invalid_argument);
  CHECK_THROWS_AS(Skeleton(names, {-1, 0, 1}, {{0, 0}}), std::invalid_argument);
  CHECK_THROWS_AS(Skeleton(names, {-1, 0, 1}, {}, {{1, 1}}), std::invalid_argument);
  CHECK_THROWS_AS(Skeleton(names, {-1, 0, 1}, {}, {{1, 2}, {2, 0}}), std::invalid_argument);
  Skeleton s(names, {-1, 0, 1});
  CHECK_FALSE(s.has_limb_priors());
  CHECK_THROWS_AS(s.set_limb_prior(0, {1.0, 1.0}), std::invalid_argument);  // root has no limb
  s.set_limb_prior(1, {2.0, 0.5});
  s.set_limb_prior(2, {3.0, 0.5});
  CHECK(s.has_limb_priors());
  CHECK(s.limb_prior(2).mean == 3.0);
}

TEST_CASE("limb lengths are estimated as the median over poses", "[pose]") {
  const pose::Skeleton sk = pose::human36m_17();
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    Rng rng(seed);
    std::vector<Eigen::Matrix3Xd> poses;
    for (int i = 0; i < 9; ++i) poses.push_back(crossview_test::synthetic_h36m_pose(rng, sk));
    // Two gross outliers per limb and a NaN joint must not move the median.
    poses[0].col(3) += Eigen::Vector3d(900, 0, 0);
    poses[1].col(3) += Eigen::Vector3d(0, 800, 0);
    poses[2].col(10).setConstant(std::nan(""));
    const auto priors = pose::estimate_limb_lengths(sk, crossview_test::pack(poses), 25.0);
    for (int j = 1; j < 17; ++j) {
      CHECK(priors[j].mean == Approx(sk.limb_prior(j).mean).epsilon(1e-9));
      CHECK(priors[j].tolerance == 25.0);
    }
    const pose::Skeleton sk2 = pose::with_limb_priors(pose::human36m_17(false), priors);
    CHECK(sk2.has_limb_priors());
  }
  CHECK_THROWS_AS(pose::estimate_limb_lengths(sk, Eigen::Matrix3Xd::Zero(3, 5), 1.0), std::invalid_argument);
  CHECK_THROWS_AS(pose::estimate_limb_lengths(sk, Eigen::Matrix3Xd(3, 0), 1.0), std::invalid_argument);
}

TEST_CASE("heatmap affine placement, rendering and sampling", "[pose]") {
  // A 48 x 64 (H x W, non-square) heatmap on an anisotropic box.
  const pose::Affine2d a = pose::image_from_heatmap_for_box(99.5, 49.5, 320.0, 360.0, 64, 48);
  pose::ViewHeatmaps hm(2, 48, 64, a);
  // Heatmap pixel 0's centre is half a heatmap pixel inside the box.
  CHECK(hm.to_image(Eigen::Vector2d(0, 0)).isApprox(Eigen::Vector2d(99.5 + 2.5, 49.5 + 3.75)));
  const Eigen::Vector2d img(257.3, 201.9);
  CHECK(hm.to_image(hm.to_heatmap(img)).isApprox(img, 1e-12));
  Eigen::Matrix2Xd kp(2, 2);
  kp.col(0) = img;
  kp.col(1) << std::nan(""), 0.0;
  const Eigen::VectorXd conf = Eigen::Vector2d(0.8, 1.0);
  const pose::ViewHeatmaps g = pose::render_gaussian_heatmaps(kp, conf, 48, 64, a, 2.0);
  CHECK(g.height() == 48);
  CHECK(g.width() == 64);
  const Eigen::Vector2d q = g.to_heatmap(img);
  // Peak value = confidence at the keypoint; bilinear interpolation of the
  // sigma-2 Gaussian loses at most the corner factor exp(-0.5 / (2 * 2^2)).
  const float at_kp = g.sample(0, q.x(), q.y());
  CHECK(at_kp <= 0.8f + 1e-6f);
  CHECK(at_kp >= 0.8 * std::exp(-0.5 / 8.0) - 1e-6);
  Eigen::Vector2d peak;
  g.argmax(0, &peak);
  CHECK((peak - q).cwiseAbs().maxCoeff() <= 0.5);
  // Analytic value one sigma away along u.
  const double u1 = std::round(q.x()) + 2.0, v1 = std::round(q.y());
  const double expected = 0.8 * std::exp(-((u1 - q.x()) * (u1 - q.x()) + (v1 - q.y()) * (v1 - q.y())) / 8.0);
  CHECK(g.at(0, static_cast<int>(v1), static_cast<int>(u1)) == Approx(expected).epsilon(1e-5));
  // The NaN keypoint gives an all-zero map; outside is 0.
  CHECK(g.argmax(1, nullptr) == 0.0f);
  CHECK(g.sample(0, -1.0, 3.0) == 0.0f);
  CHECK(g.sample(0, 64.0, 3.0) == 0.0f);
  CHECK_THROWS_AS(pose::render_gaussian_heatmaps(kp, Eigen::VectorXd::Ones(3), 48, 64, a, 2.0),
                  std::invalid_argument);
  CHECK_THROWS_AS(pose::render_gaussian_heatmaps(kp, conf, 48, 64, a, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(pose::image_from_heatmap_for_box(0, 0, 0, 10, 64, 64), std::invalid_argument);
  pose::Affine2d singular = pose::Affine2d::Zero();
  CHECK_THROWS_AS(pose::ViewHeatmaps(1, 4, 4, singular), std::invalid_argument);
}

TEST_CASE("epipolar fusion restores a view whose peak was removed", "[pose]") {
  const pose::Skeleton sk = pose::human36m_17();
  const auto cams = crossview_test::h36m_like_ring();
  Rng rng(7);
  const Eigen::Matrix3Xd gt = crossview_test::synthetic_h36m_pose(rng, sk);
  std::vector<pose::HeatmapView> views;
  crossview_test::HeatmapSceneOptions so;
  so.heatmap_width = so.heatmap_height = 24;  // keep the O(V^2 H W S J) fusion fast
  so.sigma_heatmap_px = 1.0;
  REQUIRE(crossview_test::render_views(cams, gt, so, rng, &views));
  // Corrupt view 0's wrist (13): move its peak to a far corner.
  const int j = 13;
  float* h = views[0].heatmaps.joint(j);
  std::fill(h, h + 24 * 24, 0.0f);
  h[0] = 1.0f;
  pose::EpipolarFusionOptions fo;
  fo.min_depth = 2500.0;
  fo.max_depth = 7500.0;
  fo.num_depth_samples = 48;
  const auto fused = pose::fuse_heatmaps_epipolar(views, fo);
  REQUIRE(fused.size() == 4);
  Eigen::Vector2d px;
  REQUIRE(cams[0].project(gt.col(j), &px) == camera::ProjectionStatus::kSuccess);
  const Eigen::Vector2d truth = fused[0].to_heatmap(px);
  // The other three views' epipolar lines all cross the true location, so it
  // now carries 0.5 * ~1 response; a random pixel far from every epipolar
  // line does not.
  CHECK(fused[0].sample(j, truth.x(), truth.y()) > 0.3f);
  // An uncorrupted view's peak stays where it was.
  Eigen::Vector2d before, after;
  views[1].heatmaps.argmax(2, &before);
  fused[1].argmax(2, &after);
  CHECK((before - after).norm() <= 1.0);
  fo.weight = 2.0;
  CHECK_THROWS_AS(pose::fuse_heatmaps_epipolar(views, fo), std::invalid_argument);
}
