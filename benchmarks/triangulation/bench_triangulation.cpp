// Triangulation speed, with accuracy counters, side by side with OpenCV on the
// same inputs. Inputs are seeded synthetic scenes (pinhole for the two-view
// and DLT kernels, OpenCV-distorted cameras for triangulate() / skeletons).
#include <crossview/sim/scene.hpp>
#include <crossview/triangulation/triangulate.hpp>
#include <crossview_test/random.hpp>

#include <benchmark/benchmark.h>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

#include <algorithm>
#include <vector>

using crossview::camera::Camera;
using crossview::camera::CameraModel;
namespace tri = crossview::triangulation;
using crossview_test::Rng;

namespace {

constexpr int kNumPoints = 1000;

struct TwoViewSet {
  std::vector<Eigen::Matrix3d> F;
  std::vector<Eigen::Vector2d> x1, x2;
  std::vector<tri::Matrix34d> P1, P2;
  std::vector<Eigen::Vector3d> X;
  // The DLT inputs in the library's layout: per point its two projections and
  // the 2 x 2 observations (column i = view i), packed 2 x (2 N).
  std::vector<std::vector<tri::Matrix34d>> projections;
  crossview::Points2d observations;
};

const TwoViewSet& two_view_set() {
  static const TwoViewSet set = [] {
    TwoViewSet s;
    Rng rng(42);
    for (int i = 0; i < kNumPoints; ++i) {
      const Eigen::Vector3d c1 = rng.unit_vector() * rng.uniform(3, 8), c2 = rng.unit_vector() * rng.uniform(3, 8);
      const Camera a = Camera::pinhole(1000, 1000, 500, 500, 1000, 1000, crossview_test::look_at(c1, {0, 0, 0}));
      const Camera b = Camera::pinhole(1200, 1200, 480, 520, 1000, 1000, crossview_test::look_at(c2, {0, 0, 0}));
      const Eigen::Vector3d X = rng.unit_vector() * rng.uniform(0, 1);
      Eigen::Vector2d p, q;
      a.project(X, &p);
      b.project(X, &q);
      s.F.push_back(tri::fundamental_from_cameras(a, b));
      s.x1.push_back(p + Eigen::Vector2d(rng.normal(1.0), rng.normal(1.0)));
      s.x2.push_back(q + Eigen::Vector2d(rng.normal(1.0), rng.normal(1.0)));
      s.P1.push_back(a.projection_matrix());
      s.P2.push_back(b.projection_matrix());
      s.X.push_back(X);
      s.projections.push_back({s.P1.back(), s.P2.back()});
    }
    s.observations.resize(2, 2 * kNumPoints);
    for (int i = 0; i < kNumPoints; ++i) {
      s.observations.col(2 * i) = s.x1[i];
      s.observations.col(2 * i + 1) = s.x2[i];
    }
    return s;
  }();
  return set;
}

void BM_HartleySturm_Polynomial(benchmark::State& state) {
  const TwoViewSet& s = two_view_set();
  double sum_err = 0.0;
  int n = 0;
  for (auto _ : state) {
    for (int i = 0; i < kNumPoints; ++i) {
      const tri::CorrectedMatch m = tri::correct_matches_optimal(s.F[i], s.x1[i], s.x2[i]);
      benchmark::DoNotOptimize(m);
      if (n < kNumPoints) sum_err += std::sqrt(m.squared_error_px2), ++n;
    }
  }
  state.SetItemsProcessed(state.iterations() * kNumPoints);
  state.counters["ns_per_point"] = benchmark::Counter(static_cast<double>(state.iterations()) * kNumPoints,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["mean_err_px"] = sum_err / n;
}

void BM_Niter2(benchmark::State& state) {
  const TwoViewSet& s = two_view_set();
  double sum_err = 0.0, max_gap = 0.0;
  int n = 0;
  for (auto _ : state) {
    for (int i = 0; i < kNumPoints; ++i) {
      const tri::CorrectedMatch m = tri::correct_matches_niter2(s.F[i], s.x1[i], s.x2[i]);
      benchmark::DoNotOptimize(m);
      if (n < kNumPoints) {
        const double e = std::sqrt(m.squared_error_px2);
        sum_err += e;
        max_gap = std::max(max_gap, std::abs(e - std::sqrt(tri::correct_matches_optimal(s.F[i], s.x1[i], s.x2[i])
                                                               .squared_error_px2)));
        ++n;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kNumPoints);
  state.counters["ns_per_point"] = benchmark::Counter(static_cast<double>(state.iterations()) * kNumPoints,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["mean_err_px"] = sum_err / n;
  state.counters["max_gap_to_optimal_px"] = max_gap;
}

void BM_OpenCV_correctMatches(benchmark::State& state) {
  const TwoViewSet& s = two_view_set();
  std::vector<cv::Matx33d> F(kNumPoints);
  for (int i = 0; i < kNumPoints; ++i)
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) F[i](r, c) = s.F[i](r, c);
  cv::Mat p1(1, 1, CV_64FC2), p2(1, 1, CV_64FC2), n1, n2;
  double sum_err = 0.0;
  int n = 0;
  for (auto _ : state) {
    for (int i = 0; i < kNumPoints; ++i) {
      p1.at<cv::Vec2d>(0) = cv::Vec2d(s.x1[i].x(), s.x1[i].y());
      p2.at<cv::Vec2d>(0) = cv::Vec2d(s.x2[i].x(), s.x2[i].y());
      cv::correctMatches(F[i], p1, p2, n1, n2);
      if (n < kNumPoints) {
        const cv::Vec2d a = n1.at<cv::Vec2d>(0), b = n2.at<cv::Vec2d>(0);
        sum_err += std::sqrt((Eigen::Vector2d(a[0], a[1]) - s.x1[i]).squaredNorm() +
                             (Eigen::Vector2d(b[0], b[1]) - s.x2[i]).squaredNorm());
        ++n;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kNumPoints);
  state.counters["ns_per_point"] = benchmark::Counter(static_cast<double>(state.iterations()) * kNumPoints,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["mean_err_px"] = sum_err / n;
}

void BM_DLT_TwoView(benchmark::State& state) {
  const TwoViewSet& s = two_view_set();
  double sum = 0.0;
  int n = 0;
  for (auto _ : state) {
    for (int i = 0; i < kNumPoints; ++i) {
      Eigen::Vector3d X = Eigen::Vector3d::Zero();
      tri::triangulate_dlt(s.projections[i], s.observations.middleCols(2 * i, 2), Eigen::VectorXd(), &X);
      benchmark::DoNotOptimize(X);
      if (n < kNumPoints) sum += (X - s.X[i]).norm(), ++n;
    }
  }
  state.SetItemsProcessed(state.iterations() * kNumPoints);
  state.counters["ns_per_point"] = benchmark::Counter(static_cast<double>(state.iterations()) * kNumPoints,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["mean_3d_err_mm"] = 1e3 * sum / n;
}

void BM_OpenCV_triangulatePoints_TwoView(benchmark::State& state) {
  const TwoViewSet& s = two_view_set();
  std::vector<cv::Matx34d> P1(kNumPoints), P2(kNumPoints);
  for (int i = 0; i < kNumPoints; ++i)
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) P1[i](r, c) = s.P1[i](r, c), P2[i](r, c) = s.P2[i](r, c);
  cv::Mat a(2, 1, CV_64F), b(2, 1, CV_64F), X4;
  double sum = 0.0;
  int n = 0;
  for (auto _ : state) {
    for (int i = 0; i < kNumPoints; ++i) {
      a.at<double>(0) = s.x1[i].x();
      a.at<double>(1) = s.x1[i].y();
      b.at<double>(0) = s.x2[i].x();
      b.at<double>(1) = s.x2[i].y();
      cv::triangulatePoints(P1[i], P2[i], a, b, X4);
      if (n < kNumPoints) {
        const Eigen::Vector3d X(X4.at<double>(0) / X4.at<double>(3), X4.at<double>(1) / X4.at<double>(3),
                                X4.at<double>(2) / X4.at<double>(3));
        sum += (X - s.X[i]).norm();
        ++n;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kNumPoints);
  state.counters["ns_per_point"] = benchmark::Counter(static_cast<double>(state.iterations()) * kNumPoints,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["mean_3d_err_mm"] = 1e3 * sum / n;
}

// A 4-camera ring (3-5 m), OpenCV-distorted cameras for the high-level calls.
std::vector<Camera> ring(int V, bool distorted) {
  Rng rng(7);
  std::vector<Camera> cams;
  for (int v = 0; v < V; ++v) {
    const double a = 2.0 * 3.14159265358979 * v / V;
    const Eigen::Vector3d c(4.0 * std::cos(a), 4.0 * std::sin(a), 1.5);
    Eigen::VectorXd p(9);
    p << 1100, 1100, 500, 500, distorted ? -0.15 : 0.0, distorted ? 0.03 : 0.0, 0, 0, 0;
    cams.emplace_back(CameraModel::kOpenCV, p, 1000, 1000, crossview_test::look_at(c, {0, 0, 1}));
  }
  return cams;
}

void BM_DLT_FourView(benchmark::State& state) {
  const auto cams = ring(4, false);
  Rng rng(3);
  crossview::Points2d obs(2, 4 * kNumPoints);  // point i: columns 4 i .. 4 i + 3 (one per view)
  std::vector<Eigen::Vector3d> truth(kNumPoints);
  std::vector<tri::Matrix34d> P(4);
  for (int v = 0; v < 4; ++v) P[v] = cams[v].projection_matrix();
  for (int i = 0; i < kNumPoints; ++i) {
    truth[i] = Eigen::Vector3d(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(0.2, 1.8));
    for (int v = 0; v < 4; ++v) {
      Eigen::Vector2d p;
      cams[v].project(truth[i], &p);
      p += Eigen::Vector2d(rng.normal(1.0), rng.normal(1.0));
      obs.col(4 * i + v) = p;
    }
  }
  double sum = 0.0;
  int n = 0;
  for (auto _ : state) {
    for (int i = 0; i < kNumPoints; ++i) {
      Eigen::Vector3d X = Eigen::Vector3d::Zero();
      tri::triangulate_dlt(P, obs.middleCols(4 * i, 4), Eigen::VectorXd(), &X);
      benchmark::DoNotOptimize(X);
      if (n < kNumPoints) sum += (X - truth[i]).norm(), ++n;
    }
  }
  state.SetItemsProcessed(state.iterations() * kNumPoints);
  state.counters["ns_per_point"] = benchmark::Counter(static_cast<double>(state.iterations()) * kNumPoints,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["mean_3d_err_mm"] = 1e3 * sum / n;
}

// Top-level triangulate() on 4 distorted views (undistortion + DLT + LM).
void BM_Triangulate_FourViewDistorted(benchmark::State& state) {
  const auto cams = ring(4, true);
  Rng rng(4);
  crossview::Points2d obs(2, 4 * kNumPoints);  // point i: columns 4 i .. 4 i + 3 (one per view)
  std::vector<Eigen::Vector3d> truth(kNumPoints);
  for (int i = 0; i < kNumPoints; ++i) {
    truth[i] = Eigen::Vector3d(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(0.2, 1.8));
    for (int v = 0; v < 4; ++v) {
      Eigen::Vector2d p;
      cams[v].project(truth[i], &p);
      p += Eigen::Vector2d(rng.normal(1.0), rng.normal(1.0));
      obs.col(4 * i + v) = p;
    }
  }
  tri::TriangulationOptions o;
  o.refine = state.range(0) != 0;
  double sum = 0.0;
  int n = 0;
  for (auto _ : state) {
    for (int i = 0; i < kNumPoints; ++i) {
      const tri::TriangulationResult r = tri::triangulate(cams, obs.middleCols(4 * i, 4), o);
      benchmark::DoNotOptimize(r);
      if (n < kNumPoints) sum += (r.point_in_world - truth[i]).norm(), ++n;
    }
  }
  state.SetItemsProcessed(state.iterations() * kNumPoints);
  state.counters["ns_per_point"] = benchmark::Counter(static_cast<double>(state.iterations()) * kNumPoints,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["mean_3d_err_mm"] = 1e3 * sum / n;
}

// 17 joints x 4 distorted views per frame, DLT + refinement.
void BM_Skeleton_17x4(benchmark::State& state) {
  const auto cams = ring(4, true);
  constexpr int J = 17, kFrames = 50;
  Rng rng(5);
  // Per frame, the detections packed view-major: 2 x (4 J), column v*J + j.
  std::vector<crossview::Points2d> frames(kFrames, crossview::Points2d(2, 4 * J));
  std::vector<Eigen::VectorXd> conf(kFrames, Eigen::VectorXd(4 * J));
  std::vector<std::vector<Eigen::Vector3d>> truth(kFrames, std::vector<Eigen::Vector3d>(J));
  for (int f = 0; f < kFrames; ++f) {
    for (int j = 0; j < J; ++j) {
      truth[f][j] = Eigen::Vector3d(rng.uniform(-0.4, 0.4), rng.uniform(-0.4, 0.4), rng.uniform(0.1, 1.8));
      for (int v = 0; v < 4; ++v) {
        Eigen::Vector2d p;
        cams[v].project(truth[f][j], &p);
        frames[f].col(v * J + j) = p + Eigen::Vector2d(rng.normal(2.0), rng.normal(2.0));
        conf[f](v * J + j) = rng.uniform(0.5, 1.0);
      }
    }
  }
  double sum = 0.0;
  int n = 0, f = 0;
  for (auto _ : state) {
    const tri::SkeletonResult r = tri::triangulate_skeleton(cams, frames[f], conf[f]);
    benchmark::DoNotOptimize(r);
    if (n < kFrames * J) {
      for (int j = 0; j < J; ++j) sum += (r.points_in_world.col(j) - truth[f][j]).norm(), ++n;
    }
    f = (f + 1) % kFrames;
  }
  state.SetItemsProcessed(state.iterations());  // frames
  state.counters["frames_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["mpjpe_mm"] = 1e3 * sum / n;
}

// Issue 20: the CLI default (kRobustDlt) beside kDlt and kRobust on a
// sim::make_scene capture with 10 % outlier views (4 distorted cameras, 1.5 px
// noise, 30 frames x 17 joints, confidence-weighted). Counters: MPJPE over the
// joints returned, joints returned, joints flagged as all-view fallbacks.
void BM_Skeleton_Outliers(benchmark::State& state) {
  crossview::sim::SceneOptions so;
  so.num_cameras = static_cast<int>(state.range(1));
  so.num_frames = 30;
  so.outlier_rate = 0.10;
  so.seed = 1;
  const crossview::sim::Scene scene = crossview::sim::make_scene(so);
  tri::TriangulationOptions o;
  o.method = state.range(0) == 0 ? tri::Method::kDlt
                                 : state.range(0) == 1 ? tri::Method::kRobust : tri::Method::kRobustDlt;
  state.SetLabel(tri::to_string(o.method));
  double sum = 0.0;
  int ok = 0, fell_back = 0, f = 0;
  bool first_pass = true;
  for (auto _ : state) {
    const auto& d = scene.detections[static_cast<std::size_t>(f)];
    const tri::SkeletonResult r = tri::triangulate_skeleton(scene.cameras, d.keypoints_px, d.scores, o);
    benchmark::DoNotOptimize(r);
    if (first_pass) {
      for (int j = 0; j < 17; ++j) {
        if (!r.joints[static_cast<std::size_t>(j)].ok()) continue;
        ++ok;
        fell_back += r.joints[static_cast<std::size_t>(j)].view_selection == tri::ViewSelection::kFellBackToAllViews;
        sum += (r.points_in_world.col(j) - scene.pose(f).col(j)).norm();
      }
    }
    if (++f == scene.num_frames()) {
      f = 0;
      first_pass = false;
    }
  }
  state.SetItemsProcessed(state.iterations());  // frames
  state.counters["us_per_frame"] = benchmark::Counter(static_cast<double>(state.iterations()) * 1e-6,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["mpjpe_mm"] = sum / std::max(1, ok);
  state.counters["joints_ok"] = ok;
  state.counters["joints_total"] = 17.0 * std::min<double>(static_cast<double>(state.iterations()), scene.num_frames());
  state.counters["fell_back"] = fell_back;
}

}  // namespace

BENCHMARK(BM_HartleySturm_Polynomial);
BENCHMARK(BM_Niter2);
BENCHMARK(BM_OpenCV_correctMatches);
BENCHMARK(BM_DLT_TwoView);
BENCHMARK(BM_OpenCV_triangulatePoints_TwoView);
BENCHMARK(BM_DLT_FourView);
BENCHMARK(BM_Triangulate_FourViewDistorted)->Arg(0)->Arg(1);
BENCHMARK(BM_Skeleton_17x4);
BENCHMARK(BM_Skeleton_Outliers)->ArgsProduct({{0, 1, 2}, {4, 8}});
BENCHMARK_MAIN();
