// Cross-check of crossview's camera models against OpenCV on the same inputs.
#include <crossview/camera/camera.hpp>

#include <catch2/catch.hpp>
#include <crossview_test/random.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

namespace cc = crossview::camera;

namespace {

void compare_with_opencv(const cc::Camera& cam, bool fisheye, std::uint64_t seed) {
  crossview_test::Rng rng(seed);
  std::vector<cv::Point3d> object;
  std::vector<Eigen::Vector3d> points;
  for (int i = 0; i < 300; ++i) {
    const Eigen::Vector3d X(rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5));
    Eigen::Vector2d px;
    if (cam.project(X, &px) != cc::ProjectionStatus::kSuccess) continue;
    points.push_back(X);
    object.emplace_back(X.x(), X.y(), X.z());
  }
  REQUIRE(points.size() > 200);
  const Eigen::Vector3d rv = cam.cam_from_world.angle_axis();
  const Eigen::Vector3d t = cam.cam_from_world.translation;
  cv::Mat rvec = (cv::Mat_<double>(3, 1) << rv.x(), rv.y(), rv.z());
  cv::Mat tvec = (cv::Mat_<double>(3, 1) << t.x(), t.y(), t.z());
  cv::Mat K = (cv::Mat_<double>(3, 3) << cam.fx(), 0, cam.cx(), 0, cam.fy(), cam.cy(), 0, 0, 1);
  const Eigen::VectorXd d = cam.distortion();
  cv::Mat dist(1, static_cast<int>(d.size()), CV_64F);
  for (int i = 0; i < d.size(); ++i) dist.at<double>(i) = d[i];
  std::vector<cv::Point2d> projected;
  if (fisheye) {
    cv::fisheye::projectPoints(object, projected, rvec, tvec, K, dist);
  } else {
    cv::projectPoints(object, rvec, tvec, K, dist, projected);
  }
  double worst = 0.0;
  for (size_t i = 0; i < points.size(); ++i) {
    Eigen::Vector2d px;
    cam.project(points[i], &px);
    worst = std::max(worst, (px - Eigen::Vector2d(projected[i].x, projected[i].y)).norm());
  }
  INFO("worst difference to OpenCV " << worst << " px");
  CHECK(worst < 1e-8);

  // Undistortion: cv::undistortPoints iterates a fixed number of times; with
  // enough iterations it must agree with our Newton solution.
  std::vector<cv::Point2d> pixels, normalized;
  for (size_t i = 0; i < points.size(); ++i) pixels.push_back(projected[i]);
  if (fisheye) {
    cv::fisheye::undistortPoints(pixels, normalized, K, dist, cv::noArray(), cv::noArray(),
                                 cv::TermCriteria(cv::TermCriteria::COUNT + cv::TermCriteria::EPS, 100, 1e-14));
  } else {
    cv::undistortPoints(pixels, normalized, K, dist, cv::noArray(), cv::noArray(),
                        cv::TermCriteria(cv::TermCriteria::COUNT + cv::TermCriteria::EPS, 200, 1e-14));
  }
  double worst_n = 0.0;
  for (size_t i = 0; i < pixels.size(); ++i) {
    Eigen::Vector2d n;
    REQUIRE(cam.unproject_to_normalized(Eigen::Vector2d(pixels[i].x, pixels[i].y), &n) ==
            cc::ProjectionStatus::kSuccess);
    worst_n = std::max(worst_n, (n - Eigen::Vector2d(normalized[i].x, normalized[i].y)).norm());
  }
  INFO("worst undistortion difference to OpenCV " << worst_n << " (normalized units)");
  CHECK(worst_n < 1e-6);
}

}  // namespace

TEST_CASE("OpenCV model projects exactly like cv::projectPoints", "[camera][opencv]") {
  const auto pose = crossview_test::look_at(Eigen::Vector3d(4, -3, 1.2), Eigen::Vector3d(0, 0, 0.5));
  const cc::Camera h36m(cc::CameraModel::kOpenCV,
                        (Eigen::VectorXd(9) << 1145.04940458804, 1143.78109572365, 512.541504956548,
                         515.4514869776, -0.207098910824901, 0.247775183068982, -0.00142447157470321,
                         -0.000975698859470499, -0.00307515035078854)
                            .finished(),
                        1000, 1002, pose);
  compare_with_opencv(h36m, false, 1);
  const cc::Camera rational(cc::CameraModel::kOpenCVRational,
                            (Eigen::VectorXd(12) << 800, 805, 640, 360, 0.35, -0.1, 0.001, -0.0005,
                             0.02, 0.6, -0.05, 0.01)
                                .finished(),
                            1280, 720, pose);
  compare_with_opencv(rational, false, 2);
}

TEST_CASE("Fisheye model projects exactly like cv::fisheye::projectPoints", "[camera][opencv]") {
  const auto pose = crossview_test::look_at(Eigen::Vector3d(2, -2, 1.2), Eigen::Vector3d(0, 0, 0.5));
  const cc::Camera fish(cc::CameraModel::kFisheye,
                        (Eigen::VectorXd(8) << 420, 421, 640, 480, 0.05, -0.01, 0.002, -0.0003).finished(),
                        1280, 960, pose);
  compare_with_opencv(fish, true, 3);
}
