// Real data: ../shared/data/pose2sim_multi (4 cameras, 100 frames of
// OpenPose BODY_25B with 2-4 detections per view: an adult, 1.72 m, and a
// child, 1.21 m, seen by all four cameras, plus a figure at the edge of two
// cameras), calibration pose2sim_demo/Calib_qualisys.toml. No ground truth:
// identity continuity, the evidence of the other tracks, reprojection error
// and bone-length stability (Pose2Sim on the same data: ~38 ms/frame, a
// two-view ghost track in 94 frames, bone-length CV 6.8 % for the adult).
#include <crossview/association/tracker.hpp>
#include <crossview/io/openpose.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

namespace as = crossview::association;

namespace {

constexpr int kJ = 25;

std::vector<std::vector<as::ViewDetections>> load_frames() {
  std::vector<std::vector<crossview::io::OpenPoseFrame>> cams;
  for (int c = 1; c <= 4; ++c) {
    cams.push_back(crossview::io::read_openpose_folder(
        crossview_test::shared_data("pose2sim_multi/pose/cam0" + std::to_string(c) + "_json"), kJ));
  }
  const std::size_t F = cams[0].size();
  std::vector<std::vector<as::ViewDetections>> frames(F, std::vector<as::ViewDetections>(4));
  for (std::size_t f = 0; f < F; ++f) {
    for (int v = 0; v < 4; ++v) {
      const auto& people = cams[v].at(f).people;
      as::ViewDetections& d = frames[f][v];
      d.keypoints_px.resize(2, static_cast<Eigen::Index>(people.size()) * kJ);
      d.scores.resize(static_cast<Eigen::Index>(people.size()) * kJ);
      for (std::size_t p = 0; p < people.size(); ++p) {
        d.keypoints_px.middleCols(static_cast<Eigen::Index>(p) * kJ, kJ) = people[p].keypoints_px;
        d.scores.segment(static_cast<Eigen::Index>(p) * kJ, kJ) = people[p].scores;
      }
    }
  }
  return frames;
}

double median(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return x.empty() ? std::nan("") : (x.size() % 2 ? x[x.size() / 2] : 0.5 * (x[x.size() / 2 - 1] + x[x.size() / 2]));
}

/// Mean over limbs (seen in at least half the frames) of the coefficient of
/// variation of their length.
double bone_cv(const std::vector<Eigen::Matrix3Xd>& poses, const std::vector<std::pair<int, int>>& limbs) {
  double sum = 0.0;
  int n = 0;
  for (const auto& [a, b] : limbs) {
    std::vector<double> len;
    for (const auto& p : poses) {
      if (p.col(a).allFinite() && p.col(b).allFinite()) len.push_back((p.col(a) - p.col(b)).norm());
    }
    if (len.size() < poses.size() / 2) continue;
    double mean = 0.0, var = 0.0;
    for (double l : len) mean += l / len.size();
    for (double l : len) var += (l - mean) * (l - mean) / len.size();
    sum += std::sqrt(var) / mean;
    ++n;
  }
  return n ? sum / n : std::nan("");
}

}  // namespace

TEST_CASE("pose2sim_multi: two participants, two continuous identities", "[association][real]") {
  const crossview::io::Rig rig = crossview::io::read_pose2sim_toml(crossview_test::shared_data("pose2sim_demo/Calib_qualisys.toml"));
  const auto frames = load_frames();
  REQUIRE(frames.size() == 100);
  as::TrackerOptions o;
  o.association.left_right_pairs = crossview::pose::openpose_body25b().left_right_pairs();

  as::Tracker tracker(rig.cameras, kJ, o);
  std::vector<as::AssociationResult> results;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& f : frames) results.push_back(tracker.update(f));
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / 100.0;
  const std::vector<as::TrackSummary> tracks = tracker.tracks();

  // The participants: the tracks seen by (a median of) three or more views.
  std::vector<as::TrackSummary> participants, others;
  for (const auto& t : tracks) (t.median_num_views >= 3.0 ? participants : others).push_back(t);
  for (const auto& t : tracks) {
    WARN("track " << t.track_id << ": frames " << t.first_frame << "-" << t.last_frame << ", seen in "
                  << t.num_frames_seen << ", views median " << t.median_num_views << " max " << t.max_num_views
                  << ", score " << t.median_score << ", reprojection " << t.median_reprojection_error_px << " px");
  }
  REQUIRE(participants.size() == 2);
  for (const auto& t : participants) {
    CHECK(t.first_frame == 0);
    CHECK(t.last_frame == 99);
    CHECK(t.num_frames_seen == 100);  // in every frame, never under another id
    CHECK(t.median_num_views == 4.0);
  }
  // Both ids in every frame (so no switch between them either).
  for (const auto& r : results) {
    std::set<int> ids;
    for (const auto& p : r.people) ids.insert(p.track_id);
    CHECK(ids.count(participants[0].track_id) == 1);
    CHECK(ids.count(participants[1].track_id) == 1);
  }
  // Every other track carries what sets it apart: two views.
  for (const auto& t : others) {
    CHECK(t.max_num_views == 2);
    CHECK(t.median_num_views == 2.0);
  }

  // Per participant: median reprojection error, bone-length variation, height.
  const auto skeleton = crossview::pose::openpose_body25b();
  const std::vector<std::pair<int, int>> long_limbs = {{5, 7}, {7, 9}, {6, 8}, {8, 10},          // arms
                                                       {11, 13}, {13, 15}, {12, 14}, {14, 16}};  // legs
  for (const auto& t : participants) {
    std::vector<Eigen::Matrix3Xd> poses;
    std::vector<double> errors, heights;
    for (const auto& r : results) {
      for (const auto& p : r.people) {
        if (p.track_id != t.track_id) continue;
        poses.push_back(p.points_in_world);
        errors.push_back(p.median_reprojection_error_px);
        double lo = 1e300, hi = -1e300;
        for (int j = 0; j < kJ; ++j) {
          if (!p.points_in_world.col(j).allFinite()) continue;
          lo = std::min(lo, p.points_in_world(2, j));
          hi = std::max(hi, p.points_in_world(2, j));
        }
        heights.push_back(hi - lo);
      }
    }
    const double cv_all = bone_cv(poses, skeleton.limbs());
    const double cv_long = bone_cv(poses, long_limbs);
    WARN("participant track " << t.track_id << ": median reprojection error " << median(errors)
                              << " px, bone-length CV " << 100.0 * cv_long << " % (8 long limbs), " << 100.0 * cv_all
                              << " % (all 24 BODY_25B limbs), vertical extent " << median(heights) << " m");
    CHECK(median(errors) < 20.0);
    CHECK(cv_long < 0.068);  // Pose2Sim: 6.8 % for the moving adult
  }
  WARN("tracking, association and triangulation: " << ms << " ms per frame (Pose2Sim ~38 ms)");

  // min_views = 3 drops every other track and keeps the participants whole.
  as::TrackerOptions three = o;
  three.association.min_views = 3;
  as::Tracker t3(rig.cameras, kJ, three);
  for (const auto& f : frames) {
    const as::AssociationResult r = t3.update(f);
    CHECK(r.people.size() == 2);
  }
  const auto tracks3 = t3.tracks();
  REQUIRE(tracks3.size() == 2);
  for (const auto& t : tracks3) CHECK(t.num_frames_seen == 100);
}
