// RPSM speed (split unary / pairwise / inference / recursion, memory) and
// accuracy (MPJPE of PSM, RPSM and DLT of the heatmap maxima) on real motion
// capture (CMU 131_01 -> 17 H36M joints) seen by the real Human3.6M S1 cameras,
// Gaussian heatmaps (sigma 2) 64 x 64 on a crop 1.25 x the joints' box.
#include <crossview/rpsm/rpsm.hpp>
#include <crossview/triangulation/triangulate.hpp>
#include <crossview_test/mocap_scene.hpp>
#include <crossview_test/points.hpp>
#include <crossview_test/pose_scene.hpp>

#include <benchmark/benchmark.h>
#include <sys/resource.h>

using namespace crossview;

namespace {

const crossview_test::MocapScene& scene() {
  static const crossview_test::MocapScene s = crossview_test::load_mocap_scene(50);  // 20 frames
  return s;
}

const pose::Skeleton& skeleton() {
  static const pose::Skeleton sk = pose::with_limb_priors(
      pose::human36m_17(false), pose::estimate_limb_lengths(pose::human36m_17(false), scene().poses, 150.0));
  return sk;
}

std::vector<pose::HeatmapView> frame_views(std::size_t f, double noise, int corrupt_view, std::uint64_t seed,
                                           int heatmap_side = 64) {
  crossview_test::Rng rng(seed + 1000 * f);
  crossview_test::HeatmapSceneOptions so;
  so.heatmap_width = so.heatmap_height = heatmap_side;
  so.noise_heatmap_px = noise;
  so.corrupt_view = corrupt_view;
  so.corrupt_joint = static_cast<int>(f % 17);
  std::vector<pose::HeatmapView> views;
  crossview_test::render_views(scene().cameras, scene().pose(f), so, rng, &views);
  return views;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

void set_split(benchmark::State& state, const rpsm::RpsmTimings& t, double n) {
  state.counters["unary_ms"] = t.unary_ms / n;
  state.counters["pairwise_ms"] = t.pairwise_ms / n;
  state.counters["inference_ms"] = t.inference_ms / n;
  state.counters["recursion_ms"] = t.recursion_ms / n;
  state.counters["polish_ms"] = t.polish_ms / n;
  state.counters["validation_ms"] = t.validation_ms / n;
}

// 17 joints, 4 views, 64 x 64, 16^3 + 10 recursive levels, one frame.
void BM_RpsmEstimate(benchmark::State& state) {
  const auto views = frame_views(0, 0.0, -1, 1);
  const Eigen::Matrix3Xd tri = crossview_test::triangulate_heatmap_maxima(views);
  rpsm::RpsmOptions opt;
  opt.num_threads = static_cast<int>(state.range(0));
  rpsm::RpsmTimings sum;
  rpsm::RpsmResult r;
  double n = 0;
  for (auto _ : state) {
    r = rpsm::estimate(views, skeleton(), tri.col(0), opt);
    benchmark::DoNotOptimize(r.joints_in_world.data());
    sum.unary_ms += r.timings.unary_ms;
    sum.pairwise_ms += r.timings.pairwise_ms;
    sum.inference_ms += r.timings.inference_ms;
    sum.recursion_ms += r.timings.recursion_ms;
    sum.polish_ms += r.timings.polish_ms;
    sum.validation_ms += r.timings.validation_ms;
    ++n;
  }
  set_split(state, sum, n);
  state.counters["workspace_MB"] = r.workspace_bytes / 1048576.0;
  state.counters["peak_rss_MB"] = peak_rss_mb();
  state.counters["mpjpe_mm"] = crossview_test::mpjpe(r.joints_in_world, scene().pose(0));
}
BENCHMARK(BM_RpsmEstimate)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// The recursive refinement alone from the triangulated maxima.
void BM_RpsmRefine(benchmark::State& state) {
  const auto views = frame_views(0, 0.0, -1, 1);
  const Eigen::Matrix3Xd tri = crossview_test::triangulate_heatmap_maxima(views);
  rpsm::RpsmOptions opt;
  opt.recursion_bins = static_cast<int>(state.range(0));
  rpsm::RpsmResult r;
  double rec = 0, pol = 0, n = 0;
  for (auto _ : state) {
    r = rpsm::refine(views, skeleton(), tri, opt);
    benchmark::DoNotOptimize(r.joints_in_world.data());
    rec += r.timings.recursion_ms;
    pol += r.timings.polish_ms;
    ++n;
  }
  state.counters["recursion_ms"] = rec / n;
  state.counters["polish_ms"] = pol / n;
  state.counters["mpjpe_mm"] = crossview_test::mpjpe(r.joints_in_world, scene().pose(0));
  state.counters["dlt_mpjpe_mm"] = crossview_test::mpjpe(tri, scene().pose(0));
}
BENCHMARK(BM_RpsmRefine)->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond);

// The accuracy benchmarks' configurations: 0 ours (defaults: centred grid,
// mean-log, 3^3, hard 150 mm, nearest pixel outside the heatmaps, polish with
// the Gaussian limb term, heatmaps normalised per view and joint); 1 the
// reference's (linspace grid, sum, 2^3, hard 150 mm, the reference's sampler
// with 0 outside, raw heatmaps, no polish); 2 ours + Gaussian 40 mm; 3 ours
// levels only (no polish, 0 outside: the defaults before the polish).
rpsm::RpsmOptions configuration(std::int64_t config) {
  rpsm::RpsmOptions opt;
  if (config == 1) {
    opt.grid = rpsm::GridPlacement::kLinspaceEndpoints;
    opt.combination = rpsm::ViewCombination::kSum;
    opt.recursion_bins = 2;
    opt.outside_heatmap = rpsm::OutsideHeatmap::kZero;
    opt.heatmap_normalization = rpsm::HeatmapNormalization::kNone;
    opt.polish_iterations = 0;
  } else if (config == 2) {
    opt.pairwise = rpsm::PairwiseModel::kGaussian;
    opt.limb_tolerance = 40.0;
  } else if (config == 3) {
    opt.outside_heatmap = rpsm::OutsideHeatmap::kZero;
    opt.polish_iterations = 0;
  }
  return opt;
}

// MPJPE sums of PSM, RPSM and DLT of the maxima over a run of frames.
struct Accuracy {
  double psm = 0, rpsm = 0, dlt = 0, failures = 0;
};

// Estimates one frame from its heatmaps (cube on the triangulated root) and
// adds its errors divided by n; returns the triangulated maxima.
Eigen::Matrix3Xd add_frame(const std::vector<pose::HeatmapView>& views, const Eigen::Matrix3Xd& gt,
                           const rpsm::RpsmOptions& opt, double n, Accuracy* acc) {
  const Eigen::Matrix3Xd tri = crossview_test::triangulate_heatmap_maxima(views);
  const auto r = rpsm::estimate(views, skeleton(), tri.col(0), opt);
  if (!r.success()) {
    ++acc->failures;
    return tri;
  }
  acc->psm += crossview_test::mpjpe(r.psm_joints_in_world, gt) / n;
  acc->rpsm += crossview_test::mpjpe(r.joints_in_world, gt) / n;
  acc->dlt += crossview_test::mpjpe(tri, gt) / n;
  return tri;
}

void set_accuracy(benchmark::State& state, const Accuracy& acc) {
  state.counters["psm_mm"] = acc.psm;
  state.counters["rpsm_mm"] = acc.rpsm;
  state.counters["dlt_mm"] = acc.dlt;
  state.counters["failures"] = acc.failures;
}

// Accuracy over 20 frames. Args: noise (heatmap px), corrupted view (-1 none),
// configuration (see configuration()).
void BM_RpsmAccuracy(benchmark::State& state) {
  const double noise = static_cast<double>(state.range(0));
  const int corrupt = static_cast<int>(state.range(1));
  const rpsm::RpsmOptions opt = configuration(state.range(2));
  Accuracy acc;
  double quant = 0;
  for (auto _ : state) {
    acc = {};
    quant = 0;
    const double n = static_cast<double>(static_cast<std::size_t>(scene().num_frames()));
    for (std::size_t f = 0; f < static_cast<std::size_t>(scene().num_frames()); ++f) {
      const auto views = frame_views(f, noise, corrupt, 7);
      const Eigen::Matrix3Xd gt = scene().pose(f);
      const Eigen::Matrix3Xd tri = add_frame(views, gt, opt, n, &acc);
      quant += crossview_test::grid_quantisation_error(gt, tri.col(0), opt.cube_side / opt.num_bins) / n;
    }
  }
  set_accuracy(state, acc);
  state.counters["quant_mm"] = quant;
}
BENCHMARK(BM_RpsmAccuracy)
    ->ArgsProduct({{0, 1, 2, 3}, {-1, 0}, {0, 1, 2, 3}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Accuracy at a given noise in IMAGE pixels (the reference's protocol measures
// noise in heatmap px of 80 x 80 heatmaps on 320 px crops, i.e. 4 image px per
// heatmap px; ours has ~8-9). Args: heatmap side, noise (heatmap px),
// configuration (0 ours, 2 ours + Gaussian 40 mm). Reports the image px per
// heatmap px actually used (mean over views and frames).
void BM_RpsmAccuracyNoiseScale(benchmark::State& state) {
  const int side = static_cast<int>(state.range(0));
  const double noise = static_cast<double>(state.range(1));
  const rpsm::RpsmOptions opt = configuration(state.range(2));
  double rp = 0, dlt = 0, scale = 0, failures = 0;
  for (auto _ : state) {
    rp = dlt = scale = failures = 0;
    const double n = static_cast<double>(static_cast<std::size_t>(scene().num_frames()));
    for (std::size_t f = 0; f < static_cast<std::size_t>(scene().num_frames()); ++f) {
      const auto views = frame_views(f, noise, -1, 7, side);
      for (const auto& v : views) {
        scale += v.heatmaps.image_from_heatmap().leftCols<2>().col(0).norm() / (n * views.size());
      }
      const Eigen::Matrix3Xd gt = scene().pose(f);
      const Eigen::Matrix3Xd tri = crossview_test::triangulate_heatmap_maxima(views);
      const auto r = rpsm::estimate(views, skeleton(), tri.col(0), opt);
      if (!r.success()) {
        ++failures;
        continue;
      }
      rp += crossview_test::mpjpe(r.joints_in_world, gt) / n;
      dlt += crossview_test::mpjpe(tri, gt) / n;
    }
  }
  state.counters["rpsm_mm"] = rp;
  state.counters["dlt_mm"] = dlt;
  state.counters["image_px_per_heatmap_px"] = scale;
  state.counters["noise_image_px"] = scale * noise;
  state.counters["failures"] = failures;
}
BENCHMARK(BM_RpsmAccuracyNoiseScale)
    ->ArgsProduct({{64, 128}, {1, 2}, {0, 2}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// The reference setup literally: 80 x 80 heatmaps (sigma 2) on fixed
// 320 x 320 image-px crops centred on the person (4 image px per heatmap px),
// every 2D centre displaced by `noise` heatmap px in a random direction.
// Args: noise (heatmap px), configuration (see configuration()). Reports MPJPE of
// PSM, RPSM and DLT of the maxima over the 20 frames, the share of joints
// whose true projection falls outside the crop, and an oracle: per joint the
// optimal (DLT + reprojection-error LM) triangulation of the exact noisy 2D
// centres the heatmaps were drawn from (no heatmap, no crop), the floor of
// any per-joint estimate under this noise.
void BM_RpsmAccuracyReferenceSetup(benchmark::State& state) {
  const double noise = static_cast<double>(state.range(0));
  const rpsm::RpsmOptions opt = configuration(state.range(1));
  Accuracy acc;
  double outside = 0, oracle = 0;
  for (auto _ : state) {
    acc = {};
    outside = oracle = 0;
    const double n = static_cast<double>(static_cast<std::size_t>(scene().num_frames()));
    for (std::size_t f = 0; f < static_cast<std::size_t>(scene().num_frames()); ++f) {
      std::vector<pose::HeatmapView> views;
      std::vector<Eigen::Matrix2Xd> centres;
      const Eigen::Matrix3Xd gt = scene().pose(f);
      crossview_test::render_reference_setup(scene(), f, noise, 7, &views, &centres);
      oracle += crossview_test::oracle_triangulation_error(scene().cameras, centres, gt) / n;
      for (const auto& v : views) {
        for (int j = 0; j < gt.cols(); ++j) {
          Eigen::Vector2d px;
          v.camera.project(gt.col(j), &px);
          const Eigen::Vector2d q = v.heatmaps.to_heatmap(px);
          if (q.x() < 0 || q.y() < 0 || q.x() > 79 || q.y() > 79) outside += 1.0 / (n * views.size() * gt.cols());
        }
      }
      add_frame(views, gt, opt, n, &acc);
    }
  }
  set_accuracy(state, acc);
  state.counters["joints_outside_crop"] = outside;
  state.counters["oracle_ml_mm"] = oracle;
}
BENCHMARK(BM_RpsmAccuracyReferenceSetup)
    ->ArgsProduct({{0, 1, 2, 3}, {0, 1, 2, 3}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Epipolar fusion evaluated: DLT of the maxima of raw vs fused heatmaps, one
// view corrupted (5 frames; fusion is O(V^2 H W S)).
void BM_EpipolarFusion(benchmark::State& state) {
  pose::EpipolarFusionOptions fo;
  fo.min_depth = 2000.0;
  fo.max_depth = 9000.0;
  fo.num_depth_samples = 32;
  double raw = 0, fused_err = 0, rpsm_fused = 0;
  const int frames = 5;
  for (auto _ : state) {
    raw = fused_err = rpsm_fused = 0;
    for (int i = 0; i < frames; ++i) {
      const std::size_t f = static_cast<std::size_t>(4 * i);
      auto views = frame_views(f, static_cast<double>(state.range(0)), 0, 11);
      const Eigen::Matrix3Xd gt = scene().pose(f);
      raw += crossview_test::mpjpe(crossview_test::triangulate_heatmap_maxima(views), gt) / frames;
      auto fused = pose::fuse_heatmaps_epipolar(views, fo);
      for (std::size_t v = 0; v < views.size(); ++v) views[v].heatmaps = std::move(fused[v]);
      const Eigen::Matrix3Xd tri = crossview_test::triangulate_heatmap_maxima(views);
      fused_err += crossview_test::mpjpe(tri, gt) / frames;
      const auto r = rpsm::estimate(views, skeleton(), tri.col(0), {});
      rpsm_fused += (r.success() ? crossview_test::mpjpe(r.joints_in_world, gt) : 1e9) / frames;
    }
  }
  state.counters["dlt_raw_mm"] = raw;
  state.counters["dlt_fused_mm"] = fused_err;
  state.counters["rpsm_fused_mm"] = rpsm_fused;
}
BENCHMARK(BM_EpipolarFusion)->Arg(0)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
