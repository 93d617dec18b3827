// Tests of the multi-person Tracker: stable identities when two people pass
// each other, through missed frames, for newcomers and leavers; tentative
// tracks; determinism; bad input.
#include <crossview/association/tracker.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/sim/multi_person.hpp>
#include <crossview/sim/scene.hpp>
#include <crossview_test/multi_person.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>

namespace as = crossview::association;
namespace sim = crossview::sim;
using crossview::Points3d;
using crossview_test::AssociationScore;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The built-in walker on an (almost) straight line: starts at the origin,
/// walks along +y at `speed` mm/s; 3 x (F*17), 30 fps.
Points3d straight_walker(int frames, double speed, double phase_s = 0.0) {
  sim::MotionOptions m;
  m.walk_radius_mm = 1e7;
  m.walk_speed_mm_s = speed;
  Points3d out(3, static_cast<Eigen::Index>(frames) * 17);
  for (int f = 0; f < frames; ++f) {
    out.middleCols(f * 17, 17) = sim::walking_pose(f / 30.0 + phase_s, m);
  }
  const Eigen::Vector3d start(out(0, 0), out(1, 0), 0.0);
  for (Eigen::Index c = 0; c < out.cols(); ++c) out.col(c) -= start;
  return out;
}

Points3d place(const Points3d& m, double yaw, const Eigen::Vector2d& offset) {
  sim::MotionPlacement p;
  p.yaw_rad = yaw;
  p.offset = offset;
  return sim::place_motion(m, 17, static_cast<int>(m.cols() / 17), p);
}

as::TrackerOptions tracker_options() {
  as::TrackerOptions o;
  o.association.left_right_pairs = crossview::pose::human36m_17(false).left_right_pairs();
  return o;
}

sim::MultiPersonOptions detector(double noise, double missing, int false_positives, std::uint64_t seed) {
  sim::MultiPersonOptions o;
  o.body = sim::h36m_17_body();
  o.noise_px = noise;
  o.missing_rate = missing;
  o.false_positives_per_view = false_positives;
  o.false_positive_kinds = {1.0, 1.0, 0.0};
  o.seed = seed;
  return o;
}

/// Runs a tracker over a scene; per ground-truth person the track id per frame (-1 = not reported).
std::vector<std::vector<int>> track_ids(const sim::MultiPersonScene& scene, const as::TrackerOptions& o,
                                        AssociationScore* score = nullptr,
                                        std::vector<as::AssociationResult>* results = nullptr) {
  as::Tracker tracker(scene.cameras, 17, o);
  const int P = static_cast<int>(scene.poses_in_world.size());
  std::vector<std::vector<int>> ids(P, std::vector<int>(scene.num_frames, -1));
  std::vector<int> last(P, -1);
  for (int f = 0; f < scene.num_frames; ++f) {
    const as::AssociationResult r = tracker.update(crossview_test::to_views(scene.frames[f]));
    const std::vector<int> match = crossview_test::match_people(r, scene.frames[f], P);
    for (std::size_t i = 0; i < r.people.size(); ++i) {
      if (match[i] >= 0) ids[match[i]][f] = r.people[i].track_id;
    }
    if (score != nullptr) crossview_test::score_frame(r, scene, f, score, &last);
    if (results != nullptr) results->push_back(r);
  }
  return ids;
}

int switches(const std::vector<int>& ids) {
  int n = 0, last = -1;
  for (int id : ids) {
    if (id < 0) continue;
    if (last >= 0 && id != last) ++n;
    last = id;
  }
  return n;
}

}  // namespace

TEST_CASE("tracker: two people passing each other keep their identities", "[association][tracker]") {
  const int F = 100;
  const Points3d walker = straight_walker(F, 1300.0);
  // A walks +y at x = -300, B walks -y at x = +300: they pass 0.6 m apart
  // around frame 46, crossing in the cameras that look along x.
  const Points3d a = place(walker, 0.0, {-300.0, -2000.0});
  const Points3d b = place(walker, M_PI, {300.0, 2000.0});
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    const auto scene = sim::make_multi_person_scene(crossview_test::ring_cameras(5, 6000.0, seed), {a, b}, 17,
                                                    detector(2.0, 0.1, 1, seed));
    AssociationScore s;
    const auto ids = track_ids(scene, tracker_options(), &s);
    INFO("precision " << s.precision() << " recall " << s.recall());
    CHECK(switches(ids[0]) == 0);
    CHECK(switches(ids[1]) == 0);
    CHECK(s.id_switches == 0);
    CHECK(ids[0][0] >= 0);
    CHECK(ids[1][0] >= 0);
    CHECK(ids[0][0] != ids[1][0]);
    int seen0 = 0, seen1 = 0;
    for (int f = 0; f < F; ++f) {
      seen0 += ids[0][f] >= 0;
      seen1 += ids[1][f] >= 0;
    }
    CHECK(seen0 >= F - 2);
    CHECK(seen1 >= F - 2);
    CHECK(s.precision() >= 0.995);
  }
}

TEST_CASE("tracker: a person keeps the id through missed frames, leavers end, newcomers get new ids",
          "[association][tracker]") {
  const int F = 80;
  const auto sources = crossview_test::procedural_sources(3, F);
  std::vector<Points3d> people = {place(sources[0], 0.0, {-1200.0, 0.0}), place(sources[1], 0.0, {1200.0, 0.0}),
                                  place(sources[2], 0.0, {0.0, 1500.0})};
  // Person 1 leaves after frame 39; person 2 arrives at frame 20.
  for (int f = 40; f < F; ++f) people[1].middleCols(f * 17, 17).setConstant(kNaN);
  for (int f = 0; f < 20; ++f) people[2].middleCols(f * 17, 17).setConstant(kNaN);
  auto scene = sim::make_multi_person_scene(crossview_test::ring_cameras(5), people, 17, detector(1.5, 0.05, 0, 7));
  // Person 0 is missed by every camera in frames 50-54.
  for (int f = 50; f < 55; ++f) {
    for (auto& view : scene.frames[f]) {
      for (int d = 0; d < view.num_detections(); ++d) {
        if (view.truth[d].person == 0) view.scores.segment(d * 17, 17).setZero();
      }
    }
  }
  const as::TrackerOptions o = tracker_options();
  std::vector<as::AssociationResult> results;
  const auto ids = track_ids(scene, o, nullptr, &results);
  // Person 0: one id before and after the gap, resumed with frames_missed = 5.
  CHECK(switches(ids[0]) == 0);
  for (int f = 50; f < 55; ++f) CHECK(ids[0][f] == -1);
  REQUIRE(ids[0][55] == ids[0][0]);
  bool resumed = false;
  for (const as::Person& p : results[55].people) {
    if (p.track_id == ids[0][0]) {
      resumed = p.track_event == as::TrackEvent::kResumed && p.frames_missed == 5 && p.track_age_frames == 55;
    }
  }
  CHECK(resumed);
  // Person 2: a new id from its first frame (seen by >= 3 views: confirmed at once).
  CHECK(ids[2][19] == -1);
  REQUIRE(ids[2][20] >= 0);
  CHECK(ids[2][20] != ids[0][0]);
  CHECK(ids[2][20] != ids[1][0]);
  CHECK(switches(ids[2]) == 0);
  // Person 1: its track ends max_missed_frames + 1 frames after it left.
  const int id1 = ids[1][0];
  REQUIRE(id1 >= 0);
  int ended_at = -1;
  for (int f = 0; f < F; ++f) {
    for (int id : results[f].ended_track_ids) {
      if (id == id1) ended_at = f;
    }
  }
  CHECK(ended_at == 40 + o.max_missed_frames);
  // Exactly three tracks, each with its life.
  as::Tracker tracker(scene.cameras, 17, o);
  for (const auto& frame : scene.frames) tracker.update(crossview_test::to_views(frame));
  const auto tracks = tracker.tracks();
  REQUIRE(tracks.size() == 3);
  std::map<int, as::TrackSummary> by_id;
  for (const auto& t : tracks) by_id[t.track_id] = t;
  CHECK(by_id[id1].ended);
  CHECK(by_id[id1].last_frame == 39);
  CHECK(by_id[ids[0][0]].num_frames_seen == F - 5);
  CHECK(by_id[ids[2][20]].first_frame == 20);
  CHECK(by_id[ids[0][0]].median_num_views >= 3.0);
  CHECK(tracker.num_frames() == F);
}

TEST_CASE("tracker: a two-view group is tentative until it persists", "[association][tracker]") {
  // Two narrow cameras see person A only (like a figure at the edge of two
  // views); three others see B only.
  const int F = 10;
  const Points3d walker = straight_walker(F, 300.0);
  const Points3d a = place(walker, 0.0, {2000.0, 0.0});
  const Points3d b = place(walker, 0.0, {-2000.0, 0.0});
  auto cam = [](const Eigen::Vector3d& centre, const Eigen::Vector3d& target) {
    return crossview::camera::Camera::pinhole(2400, 2400, 640, 480, 1280, 960, crossview_test::look_at(centre, target));
  };
  const std::vector<crossview::camera::Camera> cams = {
      cam({4500, 5000, 1500}, {2000, 0, 900}), cam({-500, 5000, 1500}, {2000, 0, 900}),
      cam({500, -5000, 1500}, {-2000, 0, 900}), cam({-4500, -5000, 1500}, {-2000, 0, 900}),
      cam({-2000, -5500, 1700}, {-2000, 0, 900})};
  const auto scene = sim::make_multi_person_scene(cams, {a, b}, 17, detector(1.0, 0.0, 0, 3));
  std::vector<as::AssociationResult> results;
  const auto ids = track_ids(scene, tracker_options(), nullptr, &results);
  // B (three views) from frame 0; A (two views) from its third frame on.
  CHECK(ids[1][0] >= 0);
  CHECK(ids[0][0] == -1);
  CHECK(ids[0][1] == -1);
  CHECK(ids[0][2] >= 0);
  for (int f = 2; f < F; ++f) CHECK(ids[0][f] == ids[0][2]);
  int tentative = 0;
  for (const auto& u : results[0].unmatched) tentative += u.reason == as::UnmatchedReason::kTentative ? 1 : 0;
  CHECK(tentative == 2);
  // confirm_frames = 1 reports it at once.
  as::TrackerOptions now = tracker_options();
  now.confirm_frames = 1;
  CHECK(track_ids(scene, now)[0][0] >= 0);
  // A two-view group seen in a single frame never gets an id.
  std::vector<std::vector<as::ViewDetections>> frames;
  for (int f = 0; f < F; ++f) {
    auto v = crossview_test::to_views(scene.frames[f]);
    if (f != 4) {
      v[0] = as::ViewDetections{};
      v[1] = as::ViewDetections{};
    }
    frames.push_back(v);
  }
  const as::SequenceResult seq = as::track_sequence(cams, frames, 17, tracker_options());
  REQUIRE(seq.tracks.size() == 1);  // B only
  for (const auto& r : seq.frames) CHECK(r.people.size() == 1);
}

TEST_CASE("tracker: deterministic, resettable, and checked", "[association][tracker][errors]") {
  SECTION("same input, same output; track_sequence equals update()") {
    sim::ArrangeOptions ao;
    ao.num_people = 4;
    ao.num_frames = 30;
    ao.seed = 2;
    const auto people = sim::arrange_people(crossview_test::procedural_sources(4, 120), 17, ao);
    const auto scene =
        sim::make_multi_person_scene(crossview_test::ring_cameras(5), people, 17, detector(2.0, 0.1, 1, 5));
    std::vector<std::vector<as::ViewDetections>> frames;
    for (const auto& f : scene.frames) frames.push_back(crossview_test::to_views(f));
    const as::SequenceResult a = as::track_sequence(scene.cameras, frames, 17, tracker_options());
    as::Tracker t(scene.cameras, 17, tracker_options());
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t f = 0; f < frames.size(); ++f) {
        const as::AssociationResult r = t.update(frames[f]);
        REQUIRE(r.people.size() == a.frames[f].people.size());
        for (std::size_t i = 0; i < r.people.size(); ++i) {
          CHECK(r.people[i].track_id == a.frames[f].people[i].track_id);
          CHECK(r.people[i].views.size() == a.frames[f].people[i].views.size());
          CHECK(r.people[i].score == a.frames[f].people[i].score);
        }
      }
      CHECK(t.num_frames() == 30);
      t.reset();
      CHECK(t.num_frames() == 0);
      CHECK(t.tracks().empty());
    }
  }
  SECTION("bad input") {
    const auto cams = crossview_test::ring_cameras(3);
    CHECK_THROWS_AS(as::Tracker(cams, 0), std::invalid_argument);
    CHECK_THROWS_AS(as::Tracker({}, 17), std::invalid_argument);
    as::TrackerOptions bad;
    bad.max_missed_frames = -1;
    CHECK_THROWS_WITH(as::Tracker(cams, 17, bad), Catch::Contains("max_missed_frames"));
    bad = {};
    bad.prediction_threshold_scale = 0.5;
    CHECK_THROWS_WITH(as::Tracker(cams, 17, bad), Catch::Contains("prediction_threshold_scale"));
    bad = {};
    bad.prediction_threshold_growth = -1.0;
    CHECK_THROWS_WITH(as::Tracker(cams, 17, bad), Catch::Contains("prediction_threshold_growth"));
    bad = {};
    bad.velocity_smoothing = 0.0;
    CHECK_THROWS_WITH(as::Tracker(cams, 17, bad), Catch::Contains("velocity_smoothing"));
    bad = {};
    bad.confirm_frames = 0;
    CHECK_THROWS_WITH(as::Tracker(cams, 17, bad), Catch::Contains("confirm_frames"));
    bad = {};
    bad.confirm_views = 1;
    CHECK_THROWS_WITH(as::Tracker(cams, 17, bad), Catch::Contains("confirm_views"));
    bad = {};
    bad.association.min_views = 1;
    CHECK_THROWS_WITH(as::Tracker(cams, 17, bad), Catch::Contains("min_views"));
    as::Tracker t(cams, 17);
    CHECK_THROWS_WITH(t.update(std::vector<as::ViewDetections>(2)), Catch::Contains("Tracker::update"));
    CHECK(t.num_frames() == 0);
    const as::AssociationResult empty = t.update(std::vector<as::ViewDetections>(3));
    CHECK(empty.status == as::FrameStatus::kNoDetections);
    CHECK(t.num_frames() == 1);
    as::Tracker moved = std::move(t);
    CHECK(moved.num_frames() == 1);
    CHECK(moved.cameras().size() == 3);
  }
}
