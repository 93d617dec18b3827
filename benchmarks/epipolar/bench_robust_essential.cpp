// estimate_essential vs OpenCV findEssentialMat (RANSAC, USAC_MAGSAC) + recoverPose
// on the same scenes (N = 1000, 50 percent outliers, 0.5 px noise, f = 1000 px,
// 1 px threshold). Counters: median rotation / translation direction error (deg).
#include "../../tests/epipolar/two_view_scene.hpp"

#include <crossview/epipolar/estimate.hpp>

#include <benchmark/benchmark.h>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

#include <algorithm>
#include <vector>

namespace {
using namespace crossview;

constexpr int kNumScenes = 16;

struct Scene {
  crossview_test::TwoViewScene s;
  std::vector<cv::Point2d> a, b;  // undistorted, normalized * f (OpenCV input)
  double f = 1.0;
};

const std::vector<Scene>& scenes() {
  static const std::vector<Scene> v = [] {
    std::vector<Scene> out;
    for (int i = 0; i < kNumScenes; ++i) {
      Scene sc;
      sc.s = crossview_test::make_two_view_scene(2000 + i, {});
      sc.f = 0.5 * (sc.s.camera1.fx() + sc.s.camera2.fx());
      for (Eigen::Index k = 0; k < sc.s.points1_px.cols(); ++k) {
        Eigen::Vector2d n1, n2;
        sc.s.camera1.unproject_to_normalized(sc.s.points1_px.col(k), &n1);
        sc.s.camera2.unproject_to_normalized(sc.s.points2_px.col(k), &n2);
        sc.a.emplace_back(sc.f * n1.x(), sc.f * n1.y());
        sc.b.emplace_back(sc.f * n2.x(), sc.f * n2.y());
      }
      out.push_back(std::move(sc));
    }
    return out;
  }();
  return v;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

void BM_EstimateEssential(benchmark::State& state) {
  const auto& sc = scenes();
  epipolar::EssentialOptions opt;
  std::vector<double> rot, dir;
  std::size_t i = 0;
  for (auto _ : state) {
    const Scene& c = sc[i++ % sc.size()];
    const auto r = epipolar::estimate_essential(c.s.points1_px, c.s.points2_px, c.s.camera1, c.s.camera2, opt);
    benchmark::DoNotOptimize(r.E);
    rot.push_back(crossview_test::rotation_error_deg(r.cam2_from_cam1.rotation_matrix(),
                                                     c.s.cam2_from_cam1.rotation_matrix()));
    dir.push_back(crossview_test::direction_error_deg(r.cam2_from_cam1.translation, c.s.cam2_from_cam1.translation));
  }
  state.counters["rot_err_deg"] = median(rot);
  state.counters["dir_err_deg"] = median(dir);
}
BENCHMARK(BM_EstimateEssential)->Unit(benchmark::kMillisecond);

void BM_OpenCVFindEssential(benchmark::State& state) {
  const auto& sc = scenes();
  const int method = static_cast<int>(state.range(0));
  std::vector<double> rot, dir;
  std::size_t i = 0;
  for (auto _ : state) {
    const Scene& c = sc[i++ % sc.size()];
    const cv::Mat K = (cv::Mat_<double>(3, 3) << c.f, 0.0, 0.0, 0.0, c.f, 0.0, 0.0, 0.0, 1.0);
    cv::Mat mask, R, t;
    const cv::Mat E = cv::findEssentialMat(c.a, c.b, K, method, 0.999, 1.0, mask);
    if (E.rows < 3) continue;
    cv::recoverPose(E.rowRange(0, 3), c.a, c.b, K, R, t, mask);
    Eigen::Matrix3d Re;
    Eigen::Vector3d te;
    for (int r = 0; r < 3; ++r) {
      te(r) = t.at<double>(r);
      for (int k = 0; k < 3; ++k) Re(r, k) = R.at<double>(r, k);
    }
    rot.push_back(crossview_test::rotation_error_deg(Re, c.s.cam2_from_cam1.rotation_matrix()));
    dir.push_back(crossview_test::direction_error_deg(te, c.s.cam2_from_cam1.translation));
  }
  state.counters["rot_err_deg"] = median(rot);
  state.counters["dir_err_deg"] = median(dir);
}
BENCHMARK(BM_OpenCVFindEssential)->Arg(cv::RANSAC)->Arg(cv::USAC_MAGSAC)->Unit(benchmark::kMillisecond);

}  // namespace
BENCHMARK_MAIN();
