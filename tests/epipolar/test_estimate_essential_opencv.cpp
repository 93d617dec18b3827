// Cross-check of estimate_essential against OpenCV's findEssentialMat (RANSAC)
// + recoverPose on the same seeded inputs (OpenCV is a test-only peer).
#include "two_view_scene.hpp"

#include <crossview/epipolar/estimate.hpp>

#include <catch2/catch.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cstdio>

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

TEST_CASE("estimate_essential is at least as accurate as OpenCV findEssentialMat", "[epipolar][opencv]") {
  using namespace crossview;
  std::vector<double> rot_ours, rot_cv, dir_ours, dir_cv;
  for (std::uint64_t seed = 31; seed <= 37; ++seed) {
    INFO("seed " << seed);
    const auto s = crossview_test::make_two_view_scene(seed, {});
    // OpenCV takes one camera matrix: give it the undistorted normalized points
    // scaled by the mean focal length f (K = diag(f, f, 1)), our threshold's f.
    const double f = 0.5 * (s.camera1.fx() + s.camera2.fx());
    std::vector<cv::Point2d> a, b;
    for (Eigen::Index i = 0; i < s.points1_px.cols(); ++i) {
      Eigen::Vector2d n1, n2;
      REQUIRE(s.camera1.unproject_to_normalized(s.points1_px.col(i), &n1) == camera::ProjectionStatus::kSuccess);
      REQUIRE(s.camera2.unproject_to_normalized(s.points2_px.col(i), &n2) == camera::ProjectionStatus::kSuccess);
      a.emplace_back(f * n1.x(), f * n1.y());
      b.emplace_back(f * n2.x(), f * n2.y());
    }
    const cv::Mat K = (cv::Mat_<double>(3, 3) << f, 0.0, 0.0, 0.0, f, 0.0, 0.0, 0.0, 1.0);
    cv::Mat mask;
    const cv::Mat Ecv = cv::findEssentialMat(a, b, K, cv::RANSAC, 0.999, 1.0, mask);
    REQUIRE(Ecv.rows == 3);
    cv::Mat Rcv, tcv;
    cv::recoverPose(Ecv.rowRange(0, 3), a, b, K, Rcv, tcv, mask);
    Eigen::Matrix3d R;
    Eigen::Vector3d t;
    for (int r = 0; r < 3; ++r) {
      t(r) = tcv.at<double>(r);
      for (int c = 0; c < 3; ++c) R(r, c) = Rcv.at<double>(r, c);
    }
    epipolar::EssentialOptions opt;
    opt.ransac.seed = seed;
    const auto ours = epipolar::estimate_essential(s.points1_px, s.points2_px, s.camera1, s.camera2, opt);
    INFO(ours.message);
    REQUIRE(ours.success());
    const Eigen::Matrix3d R_true = s.cam2_from_cam1.rotation_matrix();
    rot_ours.push_back(crossview_test::rotation_error_deg(ours.cam2_from_cam1.rotation_matrix(), R_true));
    rot_cv.push_back(crossview_test::rotation_error_deg(R, R_true));
    dir_ours.push_back(crossview_test::direction_error_deg(ours.cam2_from_cam1.translation, s.cam2_from_cam1.translation));
    dir_cv.push_back(crossview_test::direction_error_deg(t, s.cam2_from_cam1.translation));
  }
  std::printf("essential vs OpenCV RANSAC, 7 seeds, median rotation error: ours %.4f deg, OpenCV %.4f deg; "
              "translation direction: ours %.4f deg, OpenCV %.4f deg\n",
              median(rot_ours), median(rot_cv), median(dir_ours), median(dir_cv));
  CHECK(median(rot_ours) <= median(rot_cv));
  CHECK(median(dir_ours) <= median(dir_cv));
}
