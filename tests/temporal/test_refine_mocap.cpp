// The synthetic bar for the spatio-temporal refinement: CMU motion in
// the Human3.6M cameras, 3 px noise, 10 % missed joints, 5 % outliers.
#include <crossview/temporal/refine.hpp>

#include <crossview_test/sequence_scene.hpp>

#include <catch2/catch.hpp>

using namespace crossview;

TEST_CASE("refine_sequence: synthetic bar (MPJPE -30 %, bone std / 5)") {
  crossview_test::SequenceNoise noise;
  for (const char* clip : {"131_01.bvh", "131_03.bvh"}) {
    const auto s = crossview_test::make_sequence_scene(clip, crossview_test::SequenceSkeleton::kH36m17, 100, 300, 2, noise);
    temporal::RefineOptions o;
    o.rate_hz = s.rate_hz;
    o.bones = s.bones;
    const auto r = temporal::refine_sequence(s.cameras, s.keypoints_px, s.scores, s.num_joints, o);
    INFO(r.message);
    REQUIRE(r.ok());
    int n0 = 0, n1 = 0;
    const double e0 = crossview_test::mpjpe(r.initial_points_in_world, s.truth, &n0);
    const double e1 = crossview_test::mpjpe(r.points_in_world, s.truth, &n1);
    const double b0 = crossview_test::bone_length_std(r.initial_points_in_world, s.num_joints, s.bones);
    const double b1 = crossview_test::bone_length_std(r.points_in_world, s.num_joints, s.bones);
    const double bt = crossview_test::bone_length_std(s.truth, s.num_joints, s.bones);
    WARN(clip << ": MPJPE " << e0 << " mm (" << n0 << " joints) -> " << e1 << " mm (" << n1 << "), bone std " << b0
              << " -> " << b1 << " mm (truth " << bt << "); " << r.message << "; triangulation " << r.triangulation_seconds
              << " s, solve " << r.solve_seconds << " s");
    CHECK(e1 <= 0.7 * e0);
    CHECK(b1 <= b0 / 5.0);
  }
}
