// The synthetic bar: CMU mocap (131_01) in the real Human3.6M cameras
// (subject S1), 2 px noise, 5% outliers -> the rig to <= 0.2 deg.
#include <crossview/calibration/calibrate.hpp>
#include <crossview_test/mocap_scene.hpp>

#include "calibration_scene.hpp"

#include <catch2/catch.hpp>

using namespace crossview;

TEST_CASE("calibrate_rig: CMU mocap in the Human3.6M cameras, 2 px noise, 5% outliers") {
  const double kMaxRotationDeg = 0.2;       // the bar
  const double kMaxPositionFraction = 0.01;  // 1% of the rig size
  const crossview_test::MocapScene scene = crossview_test::load_mocap_scene(10);  // ~100 frames at 12 Hz
  for (std::uint64_t seed : {101u, 102u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const auto det = crossview_test::detect(scene.cameras, scene.poses, 17, {2.0, 0.05, 0.9}, rng);
    calibration::CalibrationOptions o;
    o.layout = calibration::KeypointLayout::kHuman36m17;
    o.seed = seed;
    const auto r = calibration::calibrate_rig(crossview_test::intrinsics_only(scene.cameras), det, o);
    INFO(r.message);
    REQUIRE(r.ok());
    const auto e = crossview_test::compare_rigs(r.cameras, scene.cameras);
    for (int c = 0; c < 4; ++c) {
      INFO("camera " << c << ": rotation " << e.rotation_deg[c] << " deg, position " << e.position[c] << " mm of "
                     << e.rig_size << " mm");
      CHECK(e.rotation_deg[c] < kMaxRotationDeg);
      CHECK(e.position[c] / e.rig_size < kMaxPositionFraction);
    }
    WARN("seed " << seed << ": rotation errors (deg) " << e.rotation_deg[0] << " " << e.rotation_deg[1] << " "
                 << e.rotation_deg[2] << " " << e.rotation_deg[3] << "; max position " << 100.0 * e.max_position_fraction()
                 << "% of " << e.rig_size << " mm; RMS " << r.reprojection_rms_px << " px; sigma_hat "
                 << r.noise_sigma_px << " px; height " << r.estimated_height_m << " m");
  }
}
