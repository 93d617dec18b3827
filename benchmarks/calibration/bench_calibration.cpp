// calibrate_rig end to end (detections in memory -> calibrated rig), with the
// accuracy against ground truth as counters:
//  * pose2sim_4cams_100frames_25joints: the real Pose2Sim demo (OpenPose
//    BODY_25B, 1-2 people per image), ground truth Calib_qualisys.toml;
//  * mocap_4cams_100frames_17joints: CMU 131_01 in the Human3.6M S1 cameras,
//    2 px noise, 5% outliers;
//  * mocap_10cams_1000frames_17joints: the same clip (994 frames at 120 Hz,
//    ~1000) seen by a synthetic 10-camera ring with Human3.6M intrinsics;
//  * with bone-length terms (issue 20: linear in frames): the Pose2Sim demo, and
//    a synthetic wandering person in the 4-camera ring at 40 and 120 frames.
// There is no peer: OpenCV / COLMAP do not calibrate a rig from people.
#include <crossview/calibration/calibrate.hpp>
#include <crossview/io/bvh.hpp>
#include <crossview/io/openpose.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview_test/mocap_scene.hpp>
#include <crossview_test/pose_scene.hpp>

#include "../../tests/calibration/calibration_scene.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

using namespace crossview;

namespace {

void report(benchmark::State& state, const calibration::CalibrationResult& r,
            const std::vector<camera::Camera>& truth) {
  if (!r.ok()) {
    state.SkipWithError(r.message.c_str());
    return;
  }
  const auto e = crossview_test::compare_rigs(r.cameras, truth);
  state.counters["median_rot_deg"] = e.median_rotation_deg();
  state.counters["max_rot_deg"] = e.max_rotation_deg();
  state.counters["max_pos_pct_rig"] = 100.0 * e.max_position_fraction();
  state.counters["rms_px"] = r.reprojection_rms_px;
  state.counters["observations"] = r.num_observations_used;
  state.counters["ba_iterations"] = r.ba_iterations;
}

void BM_pose2sim_4cams_100frames_25joints(benchmark::State& state) {
  using crossview_test::shared_data;
  calibration::CalibrationOptions o;
  o.bone_length_terms = state.range(0) != 0;
  const io::Rig truth = io::read_pose2sim_toml(shared_data("pose2sim_demo/Calib_qualisys.toml"));
  calibration::RigDetections det;
  for (int v = 1; v <= 4; ++v) {
    std::vector<std::vector<calibration::PersonDetection>> cam;
    for (const auto& f : io::read_openpose_folder(shared_data("pose2sim_demo/pose/cam0" + std::to_string(v) + "_json"), 25)) {
      std::vector<calibration::PersonDetection> people;
      for (const auto& p : f.people) people.push_back({p.keypoints_px, p.scores});
      cam.push_back(std::move(people));
    }
    det.push_back(std::move(cam));
  }
  const auto intr = crossview_test::intrinsics_only(truth.cameras);
  calibration::CalibrationResult r;
  for (auto _ : state) {
    r = calibration::calibrate_rig(intr, det, o);
    benchmark::DoNotOptimize(r.cameras.data());
  }
  report(state, r, truth.cameras);
}
// Arg: bone-length terms off / on (issue 20's bar: on costs <= 2x off).
BENCHMARK(BM_pose2sim_4cams_100frames_25joints)->Arg(0)->Arg(1)->ArgName("bones")->Unit(benchmark::kMillisecond);

// Bone-length terms vs frames (issue 20's bar: 120 frames <= 3x the cost of 40):
// a wandering H36M person in the 4-camera Human3.6M-like ring, 2 px noise.
void BM_bone_lengths(benchmark::State& state) {
  const int frames = static_cast<int>(state.range(0));
  crossview_test::Rng rng(41);
  const auto truth = crossview_test::h36m_like_ring();
  const pose::Skeleton sk = pose::human36m_17();
  std::vector<Eigen::Matrix3Xd> poses;
  for (int f = 0; f < frames; ++f) {
    poses.push_back(crossview_test::synthetic_h36m_pose(rng, sk, Eigen::Vector3d(0, 0, 950), 1000.0));
  }
  const auto det = crossview_test::detect(truth, poses, {2.0, 0.0, 0.9}, rng);
  calibration::CalibrationOptions o;
  o.layout = calibration::KeypointLayout::kHuman36m17;
  o.bone_length_terms = state.range(1) != 0;
  const auto intr = crossview_test::intrinsics_only(truth);
  calibration::CalibrationResult r;
  for (auto _ : state) {
    r = calibration::calibrate_rig(intr, det, o);
    benchmark::DoNotOptimize(r.cameras.data());
  }
  state.counters["frames"] = frames;
  report(state, r, truth);
}
BENCHMARK(BM_bone_lengths)->Args({40, 1})->Args({120, 1})->Args({40, 0})->Args({120, 0})
    ->ArgNames({"frames", "bones"})->Unit(benchmark::kMillisecond);

std::vector<camera::Camera> ten_camera_ring(const camera::Camera& base) {
  std::vector<camera::Camera> cams;
  for (int i = 0; i < 10; ++i) {
    const double az = 2.0 * M_PI * i / 10.0 + 0.1;
    const double radius = 4200.0 + 300.0 * (i % 3);
    const Eigen::Vector3d center(radius * std::cos(az), radius * std::sin(az), 1200.0 + 250.0 * (i % 4));
    cams.emplace_back(base.model(), base.params(), base.width(), base.height(),
                      crossview_test::look_at(center, Eigen::Vector3d(0, 0, 900)));
  }
  return cams;
}

void BM_mocap(benchmark::State& state) {
  const int num_cameras = static_cast<int>(state.range(0));
  const int stride = static_cast<int>(state.range(1));
  crossview_test::MocapScene scene = crossview_test::load_mocap_scene(stride);
  if (num_cameras == 10) scene.cameras = ten_camera_ring(scene.cameras[0]);
  crossview_test::Rng rng(7);
  const auto det = crossview_test::detect(scene.cameras, scene.poses, 17, {2.0, 0.05, 0.9}, rng);
  calibration::CalibrationOptions o;
  o.layout = calibration::KeypointLayout::kHuman36m17;
  const auto intr = crossview_test::intrinsics_only(scene.cameras);
  calibration::CalibrationResult r;
  for (auto _ : state) {
    r = calibration::calibrate_rig(intr, det, o);
    benchmark::DoNotOptimize(r.cameras.data());
  }
  state.counters["frames"] = static_cast<double>(scene.num_frames());
  report(state, r, scene.cameras);
}
BENCHMARK(BM_mocap)->Args({4, 10})->Unit(benchmark::kMillisecond)->ArgNames({"cams", "stride"});
// One iteration: it takes seconds.
BENCHMARK(BM_mocap)->Args({10, 1})->Iterations(1)->Unit(benchmark::kMillisecond)->ArgNames({"cams", "stride"});

}  // namespace

BENCHMARK_MAIN();
