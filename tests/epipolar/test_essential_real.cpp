// Real data, the EpipolarPose idea: the relative pose of each pair of Pose2Sim
// demo cameras estimated from the main person's OpenPose joints alone (no
// extrinsics), compared with the calibration.
#include <crossview/epipolar/estimate.hpp>
#include <crossview/io/openpose.hpp>
#include <crossview/io/rig.hpp>

#include <crossview_test/points.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>

namespace {
using namespace crossview;
using crossview_test::shared_data;

constexpr double kMinJointConfidence = 0.5;
constexpr double kGatePx = 8.0;
// OpenPose joints are ~5-15 px off the true joint centres (data README: the
// calibration reprojects Pose2Sim's own 3D joints at a median 8-17 px), and the
// correspondences are joints of one moving person (depth range ~1 m at ~4-6 m):
// a few degrees is what the issue asks for.
constexpr double kMaxRotationErrorDeg = 5.0;
constexpr double kMaxTranslationErrorDeg = 15.0;

double direction_error_deg(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  const double c = std::clamp(a.normalized().dot(b.normalized()), -1.0, 1.0);
  return std::atan2(a.normalized().cross(b.normalized()).norm(), c) * 180.0 / M_PI;
}
}  // namespace

TEST_CASE("estimate_essential on the Pose2Sim demo camera pairs", "[epipolar][essential][real]") {
  const io::Rig rig = io::read_pose2sim_toml(shared_data("pose2sim_demo/Calib_qualisys.toml"));
  REQUIRE(rig.cameras.size() == 4);
  std::vector<std::vector<io::OpenPoseFrame>> frames(4);
  std::vector<std::vector<int>> main_person(4);
  for (int c = 0; c < 4; ++c) {
    frames[c] = io::read_openpose_folder(
        shared_data("pose2sim_demo/pose/cam0" + std::to_string(c + 1) + "_json"), io::kNumBody25bJoints);
    main_person[c] = io::select_main_person(frames[c]);
  }
  std::vector<double> rot_errors;
  for (int a = 0; a < 4; ++a) {
    for (int b = a + 1; b < 4; ++b) {
      INFO("pair cam" << a + 1 << " - cam" << b + 1);
      std::vector<Eigen::Vector2d> correspondences1, correspondences2;
      const std::size_t nf = std::min(frames[a].size(), frames[b].size());
      for (std::size_t f = 0; f < nf; ++f) {
        const int ia = main_person[a][f], ib = main_person[b][f];
        if (ia < 0 || ib < 0) continue;
        const io::OpenPosePerson& pa = frames[a][f].people[static_cast<std::size_t>(ia)];
        const io::OpenPosePerson& pb = frames[b][f].people[static_cast<std::size_t>(ib)];
        for (Eigen::Index j = 0; j < pa.scores.size() && j < pb.scores.size(); ++j) {
          if (pa.scores(j) > kMinJointConfidence && pb.scores(j) > kMinJointConfidence) {
            correspondences1.push_back(pa.keypoints_px.col(j));
            correspondences2.push_back(pb.keypoints_px.col(j));
          }
        }
      }
      const Points2d p1 = crossview_test::to_points(correspondences1);
      const Points2d p2 = crossview_test::to_points(correspondences2);
      const camera::Camera& c1 = rig.cameras[static_cast<std::size_t>(a)];
      const camera::Camera& c2 = rig.cameras[static_cast<std::size_t>(b)];
      epipolar::EssentialOptions opt;
      opt.ransac.seed = 7;
      const camera::Rigid3d truth = c2.cam_from_world * c1.cam_from_world.inverse();
      // Sensitivity to the gate (printed only).
      for (double gate : {2.0, 4.0, 12.0, 16.0}) {
        opt.max_error_px = gate;
        const epipolar::EssentialResult g = epipolar::estimate_essential(p1, p2, c1, c2, opt);
        std::printf("  gate %.0f px: %d inliers, rotation error %.3f deg\n", gate, g.num_inliers,
                    camera::rotation_angle_between(g.cam2_from_cam1.rotation_matrix(),
                                                   truth.rotation_matrix()) * 180.0 / M_PI);
      }
      // Detection noise is 8-17 px (median reprojection of Pose2Sim's own 3D
      // joints): the gate is set at that scale.
      opt.max_error_px = kGatePx;
      const epipolar::EssentialResult r = epipolar::estimate_essential(p1, p2, c1, c2, opt);
      INFO(r.message);
      const double rot_err = camera::rotation_angle_between(r.cam2_from_cam1.rotation_matrix(),
                                                             truth.rotation_matrix()) * 180.0 / M_PI;
      const double dir_err = direction_error_deg(r.cam2_from_cam1.translation, truth.translation);
      std::printf("pose2sim pair cam%d-cam%d: %zu joint correspondences, %d inliers, status %s, "
                  "rotation error %.3f deg, translation direction error %.3f deg\n",
                  a + 1, b + 1, static_cast<std::size_t>(p1.cols()), r.num_inliers, epipolar::to_string(r.status), rot_err, dir_err);
      REQUIRE(r.success());
      CHECK(rot_err < kMaxRotationErrorDeg);
      CHECK(dir_err < kMaxTranslationErrorDeg);
      rot_errors.push_back(rot_err);
    }
  }
  std::sort(rot_errors.begin(), rot_errors.end());
  std::printf("pose2sim: median rotation error over the 6 pairs %.3f deg\n",
              0.5 * (rot_errors[2] + rot_errors[3]));
}
