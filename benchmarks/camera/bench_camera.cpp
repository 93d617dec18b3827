// Projection and undistortion throughput of crossview's camera models, side by
// side with OpenCV's projectPoints / undistortPoints on the same points.
#include <crossview/camera/camera.hpp>

#include <benchmark/benchmark.h>
#include <crossview_test/random.hpp>
#include <opencv2/calib3d.hpp>

#include <limits>

namespace cc = crossview::camera;

namespace {

constexpr int kNumPoints = 1000;

cc::Camera h36m_camera() {
  return cc::Camera(cc::CameraModel::kOpenCV,
                    (Eigen::VectorXd(9) << 1145.04940458804, 1143.78109572365, 512.541504956548,
                     515.4514869776, -0.207098910824901, 0.247775183068982, -0.00142447157470321,
                     -0.000975698859470499, -0.00307515035078854)
                        .finished(),
                    1000, 1002, crossview_test::look_at(Eigen::Vector3d(4, -3, 1.2), Eigen::Vector3d(0, 0, 0.9)));
}

std::vector<Eigen::Vector3d> world_points() {
  crossview_test::Rng rng(1);
  std::vector<Eigen::Vector3d> pts;
  for (int i = 0; i < kNumPoints; ++i) {
    pts.emplace_back(rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8), rng.uniform(0.0, 1.8));
  }
  return pts;
}

void BM_crossview_project(benchmark::State& state) {
  const cc::Camera cam = h36m_camera();
  const auto pts = world_points();
  Eigen::Vector2d px;
  for (auto _ : state) {
    for (const auto& p : pts) {
      benchmark::DoNotOptimize(cam.project(p, &px));
      benchmark::DoNotOptimize(px);
    }
  }
  state.SetItemsProcessed(state.iterations() * kNumPoints);
}
BENCHMARK(BM_crossview_project);

void BM_crossview_project_with_jacobian(benchmark::State& state) {
  const cc::Camera cam = h36m_camera();
  const auto pts = world_points();
  Eigen::Vector2d px;
  Eigen::Matrix<double, 2, 3> J;
  for (auto _ : state) {
    for (const auto& p : pts) {
      benchmark::DoNotOptimize(cam.project(p, &px, &J));
      benchmark::DoNotOptimize(J);
    }
  }
  state.SetItemsProcessed(state.iterations() * kNumPoints);
}
BENCHMARK(BM_crossview_project_with_jacobian);

void BM_opencv_projectPoints(benchmark::State& state) {
  const cc::Camera cam = h36m_camera();
  const auto pts = world_points();
  std::vector<cv::Point3d> object;
  for (const auto& p : pts) object.emplace_back(p.x(), p.y(), p.z());
  const Eigen::Vector3d rv = cam.cam_from_world.angle_axis();
  const Eigen::Vector3d t = cam.cam_from_world.translation;
  cv::Mat rvec = (cv::Mat_<double>(3, 1) << rv.x(), rv.y(), rv.z());
  cv::Mat tvec = (cv::Mat_<double>(3, 1) << t.x(), t.y(), t.z());
  cv::Mat K = (cv::Mat_<double>(3, 3) << cam.fx(), 0, cam.cx(), 0, cam.fy(), cam.cy(), 0, 0, 1);
  cv::Mat dist(1, 5, CV_64F);
  for (int i = 0; i < 5; ++i) dist.at<double>(i) = cam.params()[4 + i];
  std::vector<cv::Point2d> out;
  for (auto _ : state) {
    cv::projectPoints(object, rvec, tvec, K, dist, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kNumPoints);
}
BENCHMARK(BM_opencv_projectPoints);

std::vector<Eigen::Vector2d> image_pixels(const cc::Camera& cam) {
  std::vector<Eigen::Vector2d> px;
  for (const auto& p : world_points()) {
    Eigen::Vector2d q;
    if (cam.project(p, &q) == cc::ProjectionStatus::kSuccess) px.push_back(q);
  }
  return px;
}

void BM_crossview_unproject(benchmark::State& state) {
  const cc::Camera cam = h36m_camera();
  const auto px = image_pixels(cam);
  Eigen::Vector2d n;
  double worst = 0.0;
  for (const auto& p : px) {
    cam.unproject_to_normalized(p, &n);
    Eigen::Vector2d back = Eigen::Vector2d::Constant(std::numeric_limits<double>::quiet_NaN());
    const bool ok = cam.project_from_cam(n.homogeneous(), &back) == cc::ProjectionStatus::kSuccess;
    worst = ok ? std::max(worst, (back - p).norm()) : std::numeric_limits<double>::infinity();
  }
  for (auto _ : state) {
    for (const auto& p : px) {
      benchmark::DoNotOptimize(cam.unproject_to_normalized(p, &n));
      benchmark::DoNotOptimize(n);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(px.size()));
  state.counters["max_roundtrip_err_px"] = worst;
}
BENCHMARK(BM_crossview_unproject);

void BM_opencv_undistortPoints(benchmark::State& state) {
  const cc::Camera cam = h36m_camera();
  const auto px = image_pixels(cam);
  std::vector<cv::Point2d> in, out;
  for (const auto& p : px) in.emplace_back(p.x(), p.y());
  cv::Mat K = (cv::Mat_<double>(3, 3) << cam.fx(), 0, cam.cx(), 0, cam.fy(), cam.cy(), 0, 0, 1);
  cv::Mat dist(1, 5, CV_64F);
  for (int i = 0; i < 5; ++i) dist.at<double>(i) = cam.params()[4 + i];
  // OpenCV's default: 5 fixed-point iterations (not converged on strong lenses).
  cv::undistortPoints(in, out, K, dist);
  double worst = 0.0;
  for (size_t i = 0; i < px.size(); ++i) {
    Eigen::Vector2d back;
    cam.project_from_cam(Eigen::Vector3d(out[i].x, out[i].y, 1.0), &back);
    worst = std::max(worst, (back - px[i]).norm());
  }
  for (auto _ : state) {
    cv::undistortPoints(in, out, K, dist);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(px.size()));
  state.counters["max_roundtrip_err_px"] = worst;
}
BENCHMARK(BM_opencv_undistortPoints);

}  // namespace

BENCHMARK_MAIN();
