// Speed of the spatio-temporal refinement (the bar: 300 frames x 25
// joints x 4 cameras <= 300 ms on one core, linear in frames), with its
// accuracy beside it, for each of Ceres' linear solvers.
//
// Data: CMU clip 131_01 (60 Hz: every 2nd frame), 25 BVH joints (bones = the
// BVH tree) in the four Human3.6M cameras of S1 (mm), 3 px noise, 10 % missed
// detections, 5 % outliers (20-150 px).
// Counters: ms_per_frame, mpjpe_mm (start = per-frame robust triangulation,
// end = refined), bone_std_mm, iterations.
#include <crossview/temporal/refine.hpp>

#include <crossview_test/sequence_scene.hpp>

#include <benchmark/benchmark.h>

#include <cstdlib>

namespace tp = crossview::temporal;

namespace {

const crossview_test::SequenceScene& scene(int frames) {
  static std::map<int, crossview_test::SequenceScene> cache;
  auto it = cache.find(frames);
  if (it == cache.end()) {
    it = cache.emplace(frames, crossview_test::make_sequence_scene("131_01.bvh", crossview_test::SequenceSkeleton::kBvh25,
                                                                   0, frames, 2, crossview_test::SequenceNoise{}))
             .first;
  }
  return it->second;
}

void BM_Refine(benchmark::State& state) {
  const int frames = static_cast<int>(state.range(0));
  const auto solver = static_cast<tp::RefineSolver>(state.range(1));
  const auto& s = scene(frames);
  tp::RefineOptions o;
  o.rate_hz = s.rate_hz;
  o.bones = s.bones;
  o.solver = solver;
  if (const char* e = std::getenv("BONE_SIGMA")) o.bone_length_sigma = std::atof(e);
  if (std::getenv("NOBONES")) o.bones.clear();
  if (const char* e = std::getenv("FTOL")) o.function_tolerance = std::atof(e);
  if (const char* e = std::getenv("CUTOFF")) o.smoothness_cutoff_hz = std::atof(e);
  if (const char* e = std::getenv("RSCALE")) o.robust_scale = std::atof(e);
  tp::RefineResult r;
  for (auto _ : state) {
    r = tp::refine_sequence(s.cameras, s.keypoints_px, s.scores, s.num_joints, o);
    benchmark::DoNotOptimize(r.points_in_world.data());
  }
  state.SetLabel(std::string(tp::to_string(solver)) + ", " + tp::to_string(r.status));
  state.counters["ms_per_frame"] =
      benchmark::Counter(1e3 * static_cast<double>(state.iterations()) / frames, benchmark::Counter::kIsRate |
                                                                                     benchmark::Counter::kInvert);
  state.counters["mpjpe_start_mm"] = crossview_test::mpjpe(r.initial_points_in_world, s.truth);
  state.counters["mpjpe_mm"] = crossview_test::mpjpe(r.points_in_world, s.truth);
  state.counters["bone_std_mm"] = crossview_test::bone_length_std(r.points_in_world, s.num_joints, s.bones);
  state.counters["iterations"] = r.iterations;
  state.counters["triangulation_ms"] = 1e3 * r.triangulation_seconds;
  state.counters["solve_ms"] = 1e3 * r.solve_seconds;
}

}  // namespace

BENCHMARK(BM_Refine)
    ->ArgsProduct({{100, 300}, {0, 1, 2, 3, 4}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

BENCHMARK_MAIN();
