// Minimal-solver timings side by side with OpenCV on the same noise-free inputs.
// Counters: found_gt_rate = fraction of the kNumScenes scenes whose true model is
// among the outputs (relative error < 1e-6), computed after the timed loop (the
// accuracy check is not timed). OpenCV's outputs are converted to Eigen inside
// the timed loop (its solvers return a cv::Mat stack).
#include <crossview/epipolar/essential.hpp>
#include <crossview/epipolar/fundamental.hpp>

#include <benchmark/benchmark.h>
#include <opencv2/calib3d.hpp>
#include <opencv2/core/eigen.hpp>

#include "../../tests/epipolar/epipolar_scene.hpp"

namespace {

constexpr int kNumScenes = 200;
constexpr double kFoundTolerance = 1e-6;

std::vector<crossview_test::TwoViewScene> scenes(int num_points) {
  std::vector<crossview_test::TwoViewScene> out;
  for (int i = 0; i < kNumScenes; ++i) {
    crossview_test::Rng rng(i);
    crossview_test::SceneOptions o;
    o.num_points = num_points;
    out.push_back(crossview_test::make_two_view_scene(rng, o));
  }
  return out;
}

std::vector<cv::Point2d> to_cv(const crossview::Points2d& p) {
  std::vector<cv::Point2d> out;
  for (Eigen::Index i = 0; i < p.cols(); ++i) out.emplace_back(p(0, i), p(1, i));
  return out;
}

double best_error(const std::vector<Eigen::Matrix3d>& models, const Eigen::Matrix3d& truth) {
  double best = 1e9;
  for (const auto& m : models) best = std::min(best, crossview_test::distance_up_to_scale(m, truth));
  return best;
}

std::vector<Eigen::Matrix3d> from_cv_stack(const cv::Mat& m) {
  std::vector<Eigen::Matrix3d> out;
  for (int r = 0; r + 3 <= m.rows; r += 3) {
    Eigen::Matrix3d e;
    cv::cv2eigen(m.rowRange(r, r + 3), e);
    out.push_back(e);
  }
  return out;
}

/// Times `solve(k)` (scene k mod kNumScenes) and then, outside the timed loop,
/// runs it once per scene for the accuracy counter: found_gt_rate = fraction of
/// scenes whose true model (truth(k)) is among the outputs.
template <typename Solve, typename Truth>
void run(benchmark::State& state, Solve&& solve, Truth&& truth) {
  int i = 0;
  for (auto _ : state) {
    const std::vector<Eigen::Matrix3d>& models = solve(i++ % kNumScenes);
    benchmark::DoNotOptimize(models.data());
  }
  int found = 0;
  for (int k = 0; k < kNumScenes; ++k) found += best_error(solve(k), truth(k)) < kFoundTolerance;
  state.counters["found_gt_rate"] = double(found) / kNumScenes;
}

void BM_crossview_5point(benchmark::State& state) {
  const auto s = scenes(5);
  std::vector<Eigen::Matrix3d> sols;
  run(
      state,
      [&](int k) -> const std::vector<Eigen::Matrix3d>& {
        crossview::epipolar::essential_5point(s[k].bearings1, s[k].bearings2, &sols);
        return sols;
      },
      [&](int k) { return s[k].E(); });
}
BENCHMARK(BM_crossview_5point);

void BM_opencv_5point(benchmark::State& state) {
  const auto s = scenes(5);
  std::vector<std::vector<cv::Point2d>> p1, p2;
  for (const auto& sc : s) {
    p1.push_back(to_cv(sc.normalized1));
    p2.push_back(to_cv(sc.normalized2));
  }
  std::vector<Eigen::Matrix3d> sols;
  run(
      state,
      [&](int k) -> const std::vector<Eigen::Matrix3d>& {
        cv::Mat E = cv::findEssentialMat(p1[k], p2[k], cv::Mat::eye(3, 3, CV_64F), cv::RANSAC, 0.999, 1e-3);
        benchmark::DoNotOptimize(E.data);
        sols = from_cv_stack(E);
        return sols;
      },
      [&](int k) { return s[k].E(); });
}
BENCHMARK(BM_opencv_5point);

template <int kPoints>
void BM_crossview_fundamental(benchmark::State& state) {
  const auto s = scenes(kPoints);
  std::vector<Eigen::Matrix3d> sols;
  Eigen::Matrix3d F;
  run(
      state,
      [&](int k) -> const std::vector<Eigen::Matrix3d>& {
        if (kPoints == 7) {
          crossview::epipolar::fundamental_7point(s[k].pixels1, s[k].pixels2, &sols);
        } else {
          sols.clear();
          if (crossview::epipolar::fundamental_8point(s[k].pixels1, s[k].pixels2, &F)) {
            sols.push_back(F);
          }
        }
        return sols;
      },
      [&](int k) { return s[k].F(); });
}
BENCHMARK_TEMPLATE(BM_crossview_fundamental, 7);
BENCHMARK_TEMPLATE(BM_crossview_fundamental, 8);

template <int kPoints>
void BM_opencv_fundamental(benchmark::State& state) {
  const auto s = scenes(kPoints);
  std::vector<std::vector<cv::Point2d>> p1, p2;
  for (const auto& sc : s) {
    p1.push_back(to_cv(sc.pixels1));
    p2.push_back(to_cv(sc.pixels2));
  }
  std::vector<Eigen::Matrix3d> sols;
  run(
      state,
      [&](int k) -> const std::vector<Eigen::Matrix3d>& {
        cv::Mat F = cv::findFundamentalMat(p1[k], p2[k], kPoints == 7 ? cv::FM_7POINT : cv::FM_8POINT);
        benchmark::DoNotOptimize(F.data);
        sols = from_cv_stack(F);
        return sols;
      },
      [&](int k) { return s[k].F(); });
}
BENCHMARK_TEMPLATE(BM_opencv_fundamental, 7);
BENCHMARK_TEMPLATE(BM_opencv_fundamental, 8);

}  // namespace

BENCHMARK_MAIN();
