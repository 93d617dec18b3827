// Cross-check against OpenCV: correctMatches (Hartley-Sturm) and
// triangulatePoints (DLT). OpenCV is a test-only dependency.
#include <crossview/triangulation/linear.hpp>
#include <crossview/triangulation/two_view.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

#include <cstdio>

using crossview::camera::Camera;
namespace tri = crossview::triangulation;
using crossview_test::Rng;

namespace {

struct Pair {
  Camera cam1, cam2;
  Eigen::Vector2d x1, x2;
  Eigen::Vector3d X;
};

Pair make_pair(Rng& rng, double sigma) {
  const Eigen::Vector3d target(0, 0, 0);
  const Eigen::Vector3d c1 = rng.unit_vector() * rng.uniform(3, 8), c2 = rng.unit_vector() * rng.uniform(3, 8);
  const double f1 = rng.uniform(500, 2000), f2 = rng.uniform(500, 2000);
  Pair p{Camera::pinhole(f1, f1, 500, 400, 1000, 800, crossview_test::look_at(c1, target)),
         Camera::pinhole(f2, f2, 480, 420, 1000, 800, crossview_test::look_at(c2, target)), {}, {}, {}};
  p.X = rng.unit_vector() * rng.uniform(0, 1);
  p.cam1.project(p.X, &p.x1);
  p.cam2.project(p.X, &p.x2);
  p.x1 += Eigen::Vector2d(rng.normal(sigma), rng.normal(sigma));
  p.x2 += Eigen::Vector2d(rng.normal(sigma), rng.normal(sigma));
  return p;
}

cv::Matx34d to_cv(const tri::Matrix34d& P) {
  cv::Matx34d out;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) out(r, c) = P(r, c);
  return out;
}

}  // namespace

TEST_CASE("Polynomial correction agrees with OpenCV correctMatches where OpenCV is right", "[triangulation][opencv]") {
  int agree = 0, opencv_worse = 0, total = 0;
  double worst_gap_px = 0.0;
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    INFO("seed " << seed);
    Rng rng(seed);
    const Pair p = make_pair(rng, seed % 3 == 0 ? 0.5 : 3.0);
    const Eigen::Matrix3d F = tri::fundamental_from_cameras(p.cam1, p.cam2);
    const tri::CorrectedMatch ours = tri::correct_matches_optimal(F, p.x1, p.x2);
    REQUIRE(ours.valid);
    cv::Matx33d Fcv;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) Fcv(r, c) = F(r, c);
    cv::Mat pts1(1, 1, CV_64FC2), pts2(1, 1, CV_64FC2), new1, new2;
    pts1.at<cv::Vec2d>(0) = cv::Vec2d(p.x1.x(), p.x1.y());
    pts2.at<cv::Vec2d>(0) = cv::Vec2d(p.x2.x(), p.x2.y());
    cv::correctMatches(Fcv, pts1, pts2, new1, new2);
    const Eigen::Vector2d o1(new1.at<cv::Vec2d>(0)[0], new1.at<cv::Vec2d>(0)[1]);
    const Eigen::Vector2d o2(new2.at<cv::Vec2d>(0)[0], new2.at<cv::Vec2d>(0)[1]);
    const double e_cv = std::sqrt((o1 - p.x1).squaredNorm() + (o2 - p.x2).squaredNorm());
    const double e_ours = std::sqrt(ours.squared_error_px2);
    ++total;
    // Ours is never worse than OpenCV's.
    CHECK(e_ours <= e_cv + 1e-6);
    if (e_cv > e_ours + 1e-6) {
      ++opencv_worse;
      continue;
    }
    // Where OpenCV reaches the optimum too (cost within 1e-6 px), the
    // corrected points coincide up to what that cost gap allows: the error is
    // stationary along the epipolar pencil, so a gap de moves the points by
    // up to ~sqrt(2 e de) (OpenCV's companion-matrix roots are that loose).
    const double point_tolerance_px = std::sqrt(2.0 * std::max(e_ours, 1.0) * 1e-6) + 1e-9;
    CHECK((o1 - ours.x1_px).norm() <= point_tolerance_px);
    CHECK((o2 - ours.x2_px).norm() <= point_tolerance_px);
    ++agree;
    worst_gap_px = std::max(worst_gap_px, std::max((o1 - ours.x1_px).norm(), (o2 - ours.x2_px).norm()));
  }
  std::printf("[opencv] correctMatches: agrees on %d/%d, OpenCV above the optimum on %d; worst point gap %.2g px\n",
              agree, total, opencv_worse, worst_gap_px);
  CHECK(agree >= total * 9 / 10);
}

TEST_CASE("DLT agrees with OpenCV triangulatePoints", "[triangulation][opencv]") {
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    INFO("seed " << seed);
    Rng rng(seed);
    const Pair p = make_pair(rng, 2.0);
    const std::vector<tri::Matrix34d> P = {p.cam1.projection_matrix(), p.cam2.projection_matrix()};
    Eigen::Matrix2d x;  // column i = the pixel in view i
    x << p.x1, p.x2;
    Eigen::Vector3d ours = Eigen::Vector3d::Zero();
    REQUIRE(tri::triangulate_dlt(P, x, Eigen::VectorXd(), &ours) == tri::Status::kSuccess);
    cv::Mat X4;
    cv::Mat a = (cv::Mat_<double>(2, 1) << p.x1.x(), p.x1.y());
    cv::Mat b = (cv::Mat_<double>(2, 1) << p.x2.x(), p.x2.y());
    cv::triangulatePoints(to_cv(P[0]), to_cv(P[1]), a, b, X4);
    const Eigen::Vector3d theirs(X4.at<double>(0) / X4.at<double>(3), X4.at<double>(1) / X4.at<double>(3),
                                 X4.at<double>(2) / X4.at<double>(3));
    // Same algebraic solution; OpenCV's SVD of A vs our inverse iteration on
    // A^T A: agreement to ~1e-9 of the scene scale.
    CHECK((ours - theirs).norm() < 1e-8 * (1.0 + theirs.norm()));
  }
}
