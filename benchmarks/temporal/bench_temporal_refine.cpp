// Speed of the spatio-temporal refinement (the bar: 300 frames x 25
// joints x 4 cameras <= 300 ms on one core, linear in frames), with its
// accuracy beside it, for each of Ceres' linear solvers.
//
// Data: CMU clip 131_01 (60 Hz: every 2nd frame), 25 BVH joints (bones = the
// BVH tree) in the four Human3.6M cameras of S1 (mm), 3 px noise, 10 % missed
// detections, 5 % outliers (20-150 px).
// Counters: per_frame (CPU time per frame), mpjpe_mm (start = per-frame robust triangulation,
// end = refined), bone_std_mm, iterations.
#include <crossview/temporal/refine.hpp>

#include <crossview_test/pose2sim_sequence.hpp>
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
  tp::RefineResult r;
  for (auto _ : state) {
    r = tp::refine_sequence(s.cameras, s.keypoints_px, s.scores, s.num_joints, o);
    benchmark::DoNotOptimize(r.points_in_world.data());
  }
  state.SetLabel(std::string(tp::to_string(solver)) + ", " + tp::to_string(r.status));
  // CPU seconds per frame (Counter rates use the CPU time).
  state.counters["per_frame"] = benchmark::Counter(static_cast<double>(state.iterations()) * frames,
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["mpjpe_start_mm"] = crossview_test::mpjpe(r.initial_points_in_world, s.truth);
  state.counters["mpjpe_mm"] = crossview_test::mpjpe(r.points_in_world, s.truth);
  state.counters["bone_std_mm"] = crossview_test::bone_length_std(r.points_in_world, s.num_joints, s.bones);
  state.counters["iterations"] = r.iterations;
  state.counters["triangulation_ms"] = 1e3 * r.triangulation_seconds;
  state.counters["solve_ms"] = 1e3 * r.solve_seconds;
}

/// The Pose2Sim demo (100 frames, 4 cameras, BODY_25B; the real-data
/// bar: <= 1 ms per frame, PA-MPJPE to Pose2Sim's result < 22.1 mm and bone CV
/// < 1.4 % (aniposelib's triangulate_optim: 22.1 mm, 1.4 %, 6.7 ms per frame).
void BM_RefinePose2Sim(benchmark::State& state) {
  static const crossview_test::Pose2SimSequence s = crossview_test::load_pose2sim_sequence();
  tp::RefineOptions o;
  o.rate_hz = s.rate_hz;
  o.bones = crossview::pose::openpose_body25b().limbs();
  o.min_confidence = 0.3;
  tp::RefineResult r;
  for (auto _ : state) {
    r = tp::refine_sequence(s.cameras, s.keypoints_px, s.scores, s.num_joints, o);
    benchmark::DoNotOptimize(r.points_in_world.data());
  }
  state.SetLabel(tp::to_string(r.status));
  // CPU seconds per frame (Counter rates use the CPU time).
  state.counters["per_frame"] = benchmark::Counter(static_cast<double>(state.iterations()) * s.num_frames,
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["iterations"] = r.iterations;
}

}  // namespace

BENCHMARK(BM_RefinePose2Sim)->Unit(benchmark::kMillisecond);

BENCHMARK(BM_Refine)
    ->ArgsProduct({{75, 150, 300, 450}, {0}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
// Ceres' solvers on the same problem (slow: one run each).
BENCHMARK(BM_Refine)
    ->ArgsProduct({{300}, {1, 2, 3, 4}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

BENCHMARK_MAIN();
