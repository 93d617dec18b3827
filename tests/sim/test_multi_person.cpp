// Tests of the multi-person simulator (sim/multi_person.hpp): placement of
// motions, arrangement of people, and every detector effect against its
// ground truth.
#include <crossview/pose/skeleton.hpp>
#include <crossview/sim/multi_person.hpp>
#include <crossview/sim/scene.hpp>
#include <crossview_test/multi_person.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

namespace sim = crossview::sim;
using crossview::Points3d;

namespace {

Points3d clip(int frames) { return crossview_test::procedural_sources(1, frames)[0]; }

double bone(const Points3d& p, int f, int a, int b) {
  return (p.col(f * 17 + a) - p.col(f * 17 + b)).norm();
}

}  // namespace

TEST_CASE("place_motion scales about the floor, turns, moves and plays back and forth", "[sim][multi_person]") {
  const Points3d src = clip(10);
  sim::MotionPlacement p;
  p.scale = 0.7;
  p.yaw_rad = 0.5;
  p.offset = Eigen::Vector2d(1000.0, -2000.0);
  p.source_stride = 3;
  const Points3d m = sim::place_motion(src, 17, 12, p);
  REQUIRE(m.cols() == 12 * 17);
  REQUIRE(m.allFinite());
  // Frame f shows source frame 3f played back and forth over 10 frames:
  // 0 3 6 9 6(=12) 3(=15) 0(=18) 3 6 9 ...
  const int expected[12] = {0, 3, 6, 9, 6, 3, 0, 3, 6, 9, 6, 3};
  for (int f = 0; f < 12; ++f) {
    const int s = expected[f];
    // Bones scale by 0.7 and heights above the floor too.
    CHECK(bone(m, f, 2, 3) == Approx(0.7 * bone(src, s, 2, 3)).epsilon(1e-12));
    CHECK(m(2, f * 17 + 10) == Approx(0.7 * src(2, s * 17 + 10)).epsilon(1e-12));
  }
  // Frame 0: root at the offset (no travel yet).
  CHECK((m.col(0).head<2>() - p.offset).norm() < 1e-9);
  // Travel scaled by travel_scale.
  sim::MotionPlacement still = p;
  still.travel_scale = 0.0;
  const Points3d s0 = sim::place_motion(src, 17, 12, still);
  for (int f = 0; f < 12; ++f) CHECK((s0.col(f * 17).head<2>() - p.offset).norm() < 1e-9);
  sim::MotionPlacement bad = p;
  bad.scale = 0.0;
  CHECK_THROWS_AS(sim::place_motion(src, 17, 12, bad), std::invalid_argument);
  CHECK_THROWS_AS(sim::place_motion(src, 16, 12, p), std::invalid_argument);
  CHECK_THROWS_AS(sim::place_motion(src.transpose(), 17, 12, p), std::invalid_argument);
}

TEST_CASE("arrange_people keeps everyone inside the area and apart, deterministically", "[sim][multi_person]") {
  const std::vector<Points3d> sources = crossview_test::procedural_sources(3, 200);
  sim::ArrangeOptions o;
  o.num_people = 6;
  o.num_frames = 100;
  o.area_side = 4000.0;
  o.min_separation = 600.0;
  o.source_stride = 2;
  o.scales = {1.0, 1.1, 0.9, 0.7, 1.05, 0.95};
  o.seed = 5;
  const std::vector<Points3d> people = sim::arrange_people(sources, 17, o);
  REQUIRE(people.size() == 6);
  for (int f = 0; f < o.num_frames; ++f) {
    for (int i = 0; i < 6; ++i) {
      const Eigen::Vector2d r = people[i].col(f * 17).head<2>();
      CHECK(std::abs(r.x()) <= 2000.0 + 1e-9);
      CHECK(std::abs(r.y()) <= 2000.0 + 1e-9);
      for (int k = i + 1; k < 6; ++k) CHECK((r - people[k].col(f * 17).head<2>()).norm() >= 600.0);
    }
  }
  // The child (scale 0.7) is shorter.
  CHECK(people[3].row(2).maxCoeff() < 0.8 * people[1].row(2).maxCoeff());
  const std::vector<Points3d> again = sim::arrange_people(sources, 17, o);
  for (int i = 0; i < 6; ++i) CHECK(again[i] == people[i]);
  sim::ArrangeOptions impossible = o;
  impossible.num_people = 40;
  impossible.area_side = 1000.0;
  impossible.max_attempts = 5;
  CHECK_THROWS_AS(sim::arrange_people(sources, 17, impossible), std::invalid_argument);
  impossible = o;
  impossible.scales = {1.0};
  CHECK_THROWS_AS(sim::arrange_people(sources, 17, impossible), std::invalid_argument);
}

TEST_CASE("multi-person scene: detections follow the truth, noise and misses", "[sim][multi_person]") {
  const auto cameras = crossview_test::ring_cameras(5);
  sim::ArrangeOptions ao;
  ao.num_people = 3;
  ao.num_frames = 30;
  ao.seed = 3;
  const auto people = sim::arrange_people(crossview_test::procedural_sources(3, 120), 17, ao);
  sim::MultiPersonOptions o;
  o.body = sim::h36m_17_body();
  o.noise_px = 1.5;
  o.missing_rate = 0.1;
  o.occlusion = false;
  o.seed = 9;
  const sim::MultiPersonScene scene = sim::make_multi_person_scene(cameras, people, 17, o);
  REQUIRE(scene.frames.size() == 30);
  double sum2 = 0.0;
  long n = 0, missed = 0, visible = 0;
  for (int f = 0; f < 30; ++f) {
    for (int v = 0; v < 5; ++v) {
      const sim::SimView& sv = scene.frames[f][v];
      REQUIRE(sv.keypoints_px.cols() == 17 * sv.num_detections());
      REQUIRE(sv.scores.size() == sv.keypoints_px.cols());
      std::set<int> seen;
      for (int d = 0; d < sv.num_detections(); ++d) {
        const int p = sv.truth[d].person;
        REQUIRE(p >= 0);
        CHECK(seen.insert(p).second);  // one detection per person (no duplicates asked)
        for (int j = 0; j < 17; ++j) {
          Eigen::Vector2d px;
          const bool in = cameras[v].project(people[p].col(f * 17 + j), &px) ==
                              crossview::camera::ProjectionStatus::kSuccess &&
                          cameras[v].is_in_image(px);
          const double s = sv.scores[d * 17 + j];
          if (!in) {
            CHECK(s == 0.0);
            continue;
          }
          ++visible;
          if (s == 0.0) {
            CHECK(std::isnan(sv.keypoints_px(0, d * 17 + j)));
            ++missed;
            continue;
          }
          CHECK(s >= o.score_min);
          CHECK(s <= o.score_max);
          sum2 += (sv.keypoints_px.col(d * 17 + j) - px).squaredNorm();
          n += 2;
        }
      }
    }
  }
  const double sigma = std::sqrt(sum2 / n);
  INFO("sigma " << sigma << " missed " << missed << " of " << visible);
  CHECK(sigma == Approx(1.5).epsilon(0.05));
  CHECK(static_cast<double>(missed) / visible == Approx(0.1).margin(0.015));
  // Same seed, same scene; another seed, another one.
  const sim::MultiPersonScene again = sim::make_multi_person_scene(cameras, people, 17, o);
  const auto& k1 = again.frames[7][2].keypoints_px;
  const auto& k0 = scene.frames[7][2].keypoints_px;
  CHECK((k1.array().isNaN() == k0.array().isNaN()).all());
  CHECK((k1.array().isNaN().select(0.0, k1.array()) == k0.array().isNaN().select(0.0, k0.array())).all());
  CHECK(again.frames[7][2].scores == scene.frames[7][2].scores);
  o.seed = 10;
  const sim::MultiPersonScene other = sim::make_multi_person_scene(cameras, people, 17, o);
  CHECK_FALSE(other.frames[7][2].scores.isApprox(scene.frames[7][2].scores));
}

TEST_CASE("multi-person scene: a joint behind another person's body is missed", "[sim][multi_person]") {
  // One camera on the x axis looking at the origin; person B stands between
  // it and person A, exactly on the line of sight.
  const auto source = clip(1);
  sim::MotionPlacement pa, pb;
  pa.offset = Eigen::Vector2d(0.0, 0.0);
  pb.offset = Eigen::Vector2d(1500.0, 0.0);
  Points3d a = sim::place_motion(source, 17, 1, pa);
  Points3d b = sim::place_motion(source, 17, 1, pb);
  // Centre both bodies on their own root (the walking pose is on a circle).
  const Eigen::Vector3d ra(a(0, 0), a(1, 0), 0.0), rb(b(0, 0), b(1, 0), 0.0);
  for (int j = 0; j < 17; ++j) {
    a.col(j) -= ra;
    b.col(j) += Eigen::Vector3d(1500.0, 0.0, 0.0) - rb;
  }
  const Eigen::Vector3d centre(5000.0, 0.0, 900.0);
  std::vector<crossview::camera::Camera> cams = {crossview::camera::Camera::pinhole(
      1000, 1000, 960, 540, 1920, 1080, crossview_test::look_at(centre, Eigen::Vector3d(0, 0, 900)))};
  sim::MultiPersonOptions o;
  o.body = sim::h36m_17_body();
  o.noise_px = 0.0;
  o.missing_rate = 0.0;
  o.min_visible_joints = 1;
  o.occlusion = true;
  const auto occluded = sim::make_multi_person_scene(cams, {a, b}, 17, o);
  o.occlusion = false;
  const auto clear = sim::make_multi_person_scene(cams, {a, b}, 17, o);
  auto visible_of = [](const sim::MultiPersonScene& s, int person) {
    const sim::SimView& sv = s.frames[0][0];
    for (int d = 0; d < sv.num_detections(); ++d) {
      if (sv.truth[d].person != person) continue;
      int n = 0;
      for (int j = 0; j < 17; ++j) n += sv.scores[d * 17 + j] > 0.0 ? 1 : 0;
      return n;
    }
    return 0;
  };
  CHECK(visible_of(clear, 0) == 17);
  CHECK(visible_of(clear, 1) == 17);
  CHECK(visible_of(occluded, 1) == 17);       // the front person is whole
  CHECK(visible_of(occluded, 0) < 17 / 2);    // the one behind mostly hidden
}

TEST_CASE("multi-person scene: false positives, swaps and duplicates are labelled", "[sim][multi_person]") {
  const auto cameras = crossview_test::ring_cameras(4);
  sim::ArrangeOptions ao;
  ao.num_people = 2;
  ao.num_frames = 40;
  const auto people = sim::arrange_people(crossview_test::procedural_sources(2, 120), 17, ao);
  sim::MultiPersonOptions o;
  o.body = sim::h36m_17_body();
  o.false_positives_per_view = 2;
  o.left_right_swap_rate = 0.3;
  o.duplicate_rate = 0.2;
  o.seed = 4;
  const auto scene = sim::make_multi_person_scene(cameras, people, 17, o);
  long fp = 0, swapped = 0, dup = 0, real = 0;
  int kinds[3] = {0, 0, 0};
  for (const auto& frame : scene.frames) {
    for (const sim::SimView& sv : frame) {
      for (int d = 0; d < sv.num_detections(); ++d) {
        const sim::DetectionTruth& t = sv.truth[d];
        int usable = 0;
        for (int j = 0; j < 17; ++j) usable += sv.scores[d * 17 + j] > 0.0 ? 1 : 0;
        CHECK(usable >= o.min_visible_joints);
        if (t.person < 0) {
          ++fp;
          REQUIRE(t.false_positive_kind >= 0);
          REQUIRE(t.false_positive_kind <= 2);
          kinds[t.false_positive_kind] += 1;
          continue;
        }
        CHECK(t.false_positive_kind == -1);
        ++real;
        swapped += t.left_right_swapped ? 1 : 0;
        dup += t.duplicate ? 1 : 0;
      }
    }
  }
  INFO("fp " << fp << " real " << real << " swapped " << swapped << " dup " << dup);
  // Two per view and frame, minus those that fell outside the image.
  CHECK(fp > 0.8 * 2 * 4 * 40);
  CHECK(fp <= 2 * 4 * 40);
  CHECK(kinds[0] > 0);
  CHECK(kinds[1] > 0);
  CHECK(kinds[2] > 0);
  CHECK(static_cast<double>(swapped) / real == Approx(0.3).margin(0.1));
  CHECK(dup > 0);
  o.false_positive_kinds = {0.0, 0.0, 0.0};
  CHECK_THROWS_AS(sim::make_multi_person_scene(cameras, people, 17, o), std::invalid_argument);
}

TEST_CASE("multi-person scene: a left/right swap exchanges every pair", "[sim][multi_person]") {
  const auto cameras = crossview_test::ring_cameras(3);
  sim::ArrangeOptions ao;
  ao.num_people = 1;
  ao.num_frames = 5;
  const auto people = sim::arrange_people(crossview_test::procedural_sources(1, 20), 17, ao);
  sim::MultiPersonOptions o;
  o.body = sim::h36m_17_body();
  o.noise_px = 0.0;
  o.missing_rate = 0.0;
  o.occlusion = false;
  o.left_right_swap_rate = 1.0;
  const auto scene = sim::make_multi_person_scene(cameras, people, 17, o);
  for (int v = 0; v < 3; ++v) {
    const sim::SimView& sv = scene.frames[0][v];
    REQUIRE(sv.num_detections() == 1);
    CHECK(sv.truth[0].left_right_swapped);
    for (const auto& [l, r] : o.body.left_right_pairs) {
      Eigen::Vector2d pl;
      REQUIRE(cameras[v].project(people[0].col(l), &pl) == crossview::camera::ProjectionStatus::kSuccess);
      CHECK((sv.keypoints_px.col(r) - pl).norm() < 1e-9);
    }
  }
}

TEST_CASE("BODY_25-like joints from Human3.6M-17", "[sim][multi_person]") {
  const Points3d h = clip(3);
  const Points3d b = sim::body25_from_h36m_17(h);
  REQUIRE(b.cols() == 3 * 25);
  CHECK(b.allFinite());
  for (int f = 0; f < 3; ++f) {
    CHECK((b.col(f * 25 + 1) - h.col(f * 17 + 8)).norm() == 0.0);   // neck
    CHECK((b.col(f * 25 + 8) - h.col(f * 17 + 0)).norm() == 0.0);   // mid hip = root
    CHECK((b.col(f * 25 + 4) - h.col(f * 17 + 16)).norm() == 0.0);  // right wrist
    // Feet near the floor, eyes near the head.
    CHECK(b(2, f * 25 + 21) < 150.0);
    CHECK((b.col(f * 25 + 15) - h.col(f * 17 + 10)).norm() < 200.0);
  }
  const sim::BodyModel body = sim::body25_body();
  CHECK(body.num_joints() == 25);
  // The BODY_25 tree is valid for pose::Skeleton.
  std::vector<std::string> names;
  for (int j = 0; j < 25; ++j) names.push_back("j" + std::to_string(j));
  CHECK_NOTHROW(crossview::pose::Skeleton(names, body.parents, {}, body.left_right_pairs));
  CHECK_NOTHROW(crossview::pose::Skeleton(crossview::pose::human36m_17(false).names(), sim::h36m_17_body().parents,
                                          {}, sim::h36m_17_body().left_right_pairs));
  CHECK_THROWS_AS(sim::body25_from_h36m_17(Points3d(3, 16)), std::invalid_argument);
}
