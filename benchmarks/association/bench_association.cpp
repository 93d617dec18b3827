// Multi-person association, tracking and reconstruction: speed (one core,
// per frame) with accuracy counters, on synthetic captures made of real
// motion (CMU 131_01..03, shifted in space and time, a child among the
// people) seen by a ring of distorted 1920 x 1080 cameras, 2 px noise, 10 %
// missed joints, occlusion by the other people, one false-positive person
// (projected pose or partial body at the border) per view and frame.
//
//   BM_Track/J            the speed bar: 5 cameras x 4 people x J joints
//   BM_Associate/J        the same, each frame associated from scratch
//   BM_TrackPeople/P      5 cameras, P people (area grows to keep <= 0.5 person/m^2)
//   BM_TrackCameras/V     V cameras, 4 people
//   BM_Bar/P/mode         the accuracy bars over 300 frames (17 joints):
//                         mode 0 tracker, 1 associate(), 2 associate() with
//                         min_views = 3, 3 SVT grouping (EasyMocap / Pose2Sim),
//                         4 oracle grouping; all reconstructed alike.
// Counters: precision / recall over (view, detection) pairs, identity
// switches, MPJPE (mm) and the oracle's MPJPE on the same detections.
#include <crossview/association/associate.hpp>
#include <crossview/association/tracker.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/sim/multi_person.hpp>
#include <crossview_test/multi_person.hpp>
#include <crossview_test/multi_person_mocap.hpp>

#include "svt_baseline.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <memory>
#include <tuple>

namespace as = crossview::association;
namespace sim = crossview::sim;

namespace {

struct Scene {
  sim::MultiPersonScene scene;
  std::vector<std::vector<as::ViewDetections>> frames;
  as::TrackerOptions options;
};

const Scene& get_scene(int people, int cameras, int joints, int frames, std::uint64_t seed = 1) {
  static std::map<std::tuple<int, int, int, int, std::uint64_t>, std::unique_ptr<Scene>> cache;
  auto& slot = cache[{people, cameras, joints, frames, seed}];
  if (slot) return *slot;
  static const std::vector<Eigen::Matrix3Xd> clips = crossview_test::cmu_sources();
  std::vector<crossview::Points3d> sources;
  for (const auto& c : clips) sources.push_back(joints == 25 ? sim::body25_from_h36m_17(c) : crossview::Points3d(c));
  // Up to 8 people in 4 m x 4 m; more people, a larger area (same density).
  const double side = 4000.0 * std::sqrt(std::max(1.0, people / 8.0));
  sim::ArrangeOptions ao;
  ao.num_people = people;
  ao.num_frames = frames;
  ao.area_side = side;
  ao.min_separation = 500.0;
  ao.seed = seed;
  const double scales[8] = {1.0, 1.08, 0.95, 0.72, 1.03, 0.9, 1.12, 0.8};
  for (int i = 0; i < people; ++i) ao.scales.push_back(scales[i % 8]);
  sim::MultiPersonOptions o;
  o.body = joints == 25 ? sim::body25_body() : sim::h36m_17_body();
  o.noise_px = 2.0;
  o.missing_rate = 0.1;
  o.false_positives_per_view = 1;
  o.false_positive_kinds = {1.0, 1.0, 0.0};
  o.seed = seed;
  slot = std::make_unique<Scene>();
  slot->scene = sim::make_multi_person_scene(crossview_test::ring_cameras(cameras, 6000.0 * side / 4000.0),
                                             sim::arrange_people(sources, joints, ao), joints, o);
  for (const auto& f : slot->scene.frames) slot->frames.push_back(crossview_test::to_views(f));
  slot->options.association.left_right_pairs = o.body.left_right_pairs;
  return *slot;
}

void accuracy_counters(benchmark::State& state, const Scene& s, int mode) {
  const auto& scene = s.scene;
  const int P = static_cast<int>(scene.poses_in_world.size());
  crossview_test::AssociationScore score, oracle;
  std::vector<int> last(P, -1);
  as::Tracker tracker(scene.cameras, scene.num_joints, s.options);
  as::AssociationOptions three = s.options.association;
  three.min_views = 3;
  for (int f = 0; f < scene.num_frames; ++f) {
    const auto& views = s.frames[f];
    std::vector<int> group_person;
    const auto truth = crossview_test::truth_groups(scene.frames[f], P, &group_person);
    crossview_test::score_frame(as::reconstruct_groups(scene.cameras, views, scene.num_joints, truth, s.options.association),
                                scene, f, &oracle);
    as::AssociationResult r;
    switch (mode) {
      case 0: r = tracker.update(views); break;
      case 1: r = as::associate(scene.cameras, views, scene.num_joints, s.options.association); break;
      case 2: r = as::associate(scene.cameras, views, scene.num_joints, three); break;
      case 3:
        r = as::reconstruct_groups(scene.cameras, views, scene.num_joints,
                                   crossview_bench::svt_groups(scene.cameras, views, scene.num_joints),
                                   s.options.association);
        break;
      default: r = as::reconstruct_groups(scene.cameras, views, scene.num_joints, truth, s.options.association);
    }
    crossview_test::score_frame(r, scene, f, &score, mode == 0 ? &last : nullptr);
  }
  state.counters["precision"] = score.precision();
  state.counters["recall"] = score.recall();
  if (mode == 0) state.counters["id_switches"] = score.id_switches;
  state.counters["mixtures"] = static_cast<double>(score.mixtures);
  state.counters["ghosts"] = static_cast<double>(score.false_positive_people);
  state.counters["mpjpe_mm"] = score.mpjpe();
  state.counters["oracle_mpjpe_mm"] = oracle.mpjpe();
}

void per_frame(benchmark::State& state) {
  // One iteration is one frame: Time / CPU are per frame.
  state.counters["frames_per_cpu_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

/// The tracker over the scene's frames, one frame per iteration (restarting
/// the sequence with a fresh tracker when it ends).
void run_tracker(benchmark::State& state, const Scene& s) {
  as::Tracker tracker(s.scene.cameras, s.scene.num_joints, s.options);
  std::size_t f = 0;
  for (auto _ : state) {
    if (f == s.frames.size()) {
      state.PauseTiming();
      tracker.reset();
      f = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(tracker.update(s.frames[f++]));
  }
  per_frame(state);
}

void BM_Track(benchmark::State& state) {
  const Scene& s = get_scene(4, 5, static_cast<int>(state.range(0)), 300);
  run_tracker(state, s);
  accuracy_counters(state, s, 0);
}

void BM_Associate(benchmark::State& state) {
  const Scene& s = get_scene(4, 5, static_cast<int>(state.range(0)), 300);
  std::size_t f = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(as::associate(s.scene.cameras, s.frames[f], s.scene.num_joints, s.options.association));
    f = (f + 1) % s.frames.size();
  }
  per_frame(state);
}

void BM_TrackPeople(benchmark::State& state) {
  const Scene& s = get_scene(static_cast<int>(state.range(0)), 5, 25, 100);
  run_tracker(state, s);
  accuracy_counters(state, s, 0);
}

void BM_TrackCameras(benchmark::State& state) {
  const Scene& s = get_scene(4, static_cast<int>(state.range(0)), 25, 100);
  run_tracker(state, s);
  accuracy_counters(state, s, 0);
}

void BM_AssociatePeople(benchmark::State& state) {
  const Scene& s = get_scene(static_cast<int>(state.range(0)), 5, 25, 100);
  std::size_t f = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(as::associate(s.scene.cameras, s.frames[f], s.scene.num_joints, s.options.association));
    f = (f + 1) % s.frames.size();
  }
  per_frame(state);
}

void BM_AssociateCameras(benchmark::State& state) {
  const Scene& s = get_scene(4, static_cast<int>(state.range(0)), 25, 100);
  std::size_t f = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(as::associate(s.scene.cameras, s.frames[f], s.scene.num_joints, s.options.association));
    f = (f + 1) % s.frames.size();
  }
  per_frame(state);
}

void BM_SvtGrouping(benchmark::State& state) {
  const Scene& s = get_scene(4, 5, 25, 300);
  std::size_t f = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(crossview_bench::svt_groups(s.scene.cameras, s.frames[f], s.scene.num_joints));
    f = (f + 1) % s.frames.size();
  }
  per_frame(state);
}

void BM_Bar(benchmark::State& state) {
  const Scene& s = get_scene(static_cast<int>(state.range(0)), 5, 17, 300);
  for (auto _ : state) {
    // Accuracy only: one pass over the 300 frames.
    accuracy_counters(state, s, static_cast<int>(state.range(1)));
  }
}

}  // namespace

BENCHMARK(BM_Track)->Arg(17)->Arg(25)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Associate)->Arg(17)->Arg(25)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SvtGrouping)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TrackPeople)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(12)->Arg(16)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TrackCameras)->Arg(2)->Arg(3)->Arg(4)->Arg(5)->Arg(8)->Arg(12)->Arg(16)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AssociatePeople)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(12)->Arg(16)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AssociateCameras)->Arg(2)->Arg(3)->Arg(4)->Arg(5)->Arg(8)->Arg(12)->Arg(16)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Bar)
    ->ArgsProduct({{4, 8}, {0, 1, 2, 3, 4}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
