// Runs for the report's tests: the built-in synthetic scene (optionally with a
// camera moved or two cameras' detections swapped), the real Pose2Sim demo
// capture (optionally with two camera folders swapped) and a large
// multi-person synthetic run for the size / speed bar. Built the way the CLI
// builds them: crossview::io readers, crossview's triangulation
// (report::triangulate_frame), report::layer_from_triangulation.
#pragma once

#include "report/run.hpp"

#include <cstdint>
#include <string>

namespace crossview::report::test {

struct SyntheticRunOptions {
  int frames = 60;
  int cameras = 4;
  std::uint64_t seed = 1;
  double noise_px = 1.5;
  double outlier_rate = 0.03;
  int swap_a = -1, swap_b = -1;  ///< Exchange these views' detections (folders swapped).
  int moved_camera = -1;         ///< Rotate this camera's calibration by moved_deg after imaging.
  double moved_deg = 0.0;
  bool filtered = true;          ///< Add a moving-average "filtered" layer.
};
Run synthetic_run(const SyntheticRunOptions& options = {});

struct Pose2SimRunOptions {
  std::string dir;               ///< .../pose2sim_demo
  int swap_a = -1, swap_b = -1;  ///< Exchange these cameras' keypoint folders.
  bool reference = true;         ///< Add Pose2Sim's .trc as a reference layer.
  double min_confidence = 0.3;
};
Run pose2sim_run(const Pose2SimRunOptions& options);

/// F frames, P people walking, V cameras, 25 joints, mm: detections (with
/// misses) of every person in every view, ground truth, DLT (with its fit)
/// and a moving-average layer per person. Deterministic.
Run large_run(int frames, int persons, int cameras, std::uint64_t seed = 7);

/// The least a run can be: 3 frames, 2 pinhole cameras, one person with one
/// layer of 4 joints, no skeleton names or limbs, no detections, no fit,
/// unknown frame rate and an unknown length unit ("units").
Run minimal_run();

}  // namespace crossview::report::test
