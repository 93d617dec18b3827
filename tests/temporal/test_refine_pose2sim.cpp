// The real-data bar for the spatio-temporal refinement: the Pose2Sim
// demo (4 cameras, 100 frames at 60 Hz, OpenPose BODY_25B, main person chosen
// per camera as the CLI does), compared with Pose2Sim's own result
// (BalancingTrial_0-100.trc): PA-MPJPE and the bone-length coefficient of
// variation against aniposelib's triangulate_optim on the same capture
// (22.1 mm, 1.4 %, measured by the author) and Pose2Sim's own CV.
#include <crossview/io/openpose.hpp>
#include <crossview/metrics/pose_metrics.hpp>
#include <crossview/temporal/refine.hpp>

#include <crossview_test/pose2sim_sequence.hpp>
#include <crossview_test/sequence_scene.hpp>

#include <catch2/catch.hpp>

using namespace crossview;

namespace {

/// Per-frame similarity-Procrustes MPJPE (mm) of two 3 x (F*M) sequences
/// (metres): metrics::pa_mpjpe on the packed sequences.
double pa_mpjpe_mm(const Eigen::Matrix3Xd& estimate, const Eigen::Matrix3Xd& reference, int M) {
  const Eigen::Matrix3Xd a = 1000.0 * estimate, b = 1000.0 * reference;
  const auto s = metrics::pa_mpjpe(a, b, M);
  REQUIRE(s.ok());
  return s.mean;
}

}  // namespace

TEST_CASE("refine_sequence: Pose2Sim demo against Pose2Sim's result (PA-MPJPE, bone CV)") {
  const auto s = crossview_test::load_pose2sim_sequence();
  const int M = static_cast<int>(s.marker_joint.size());
  // The coefficient of variation: over the 8 limb segments (upper
  // arms, forearms, thighs, shanks), the mean of std / mean per segment
  // (this reproduces its 6.8 % for Pose2Sim's result: 6.73 %). Also reported:
  // the mean over the 20 BODY_25B bones between TRC markers.
  const auto marker = [&](const char* name) {
    return static_cast<int>(std::find(s.marker_joint.begin(), s.marker_joint.end(), io::body25b_index(name)) -
                            s.marker_joint.begin());
  };
  std::vector<std::pair<int, int>> limbs;
  for (const auto& [a, b] : std::vector<std::pair<const char*, const char*>>{
           {"LShoulder", "LElbow"}, {"RShoulder", "RElbow"}, {"LElbow", "LWrist"}, {"RElbow", "RWrist"},
           {"LHip", "LKnee"}, {"RHip", "RKnee"}, {"LKnee", "LAnkle"}, {"RKnee", "RAnkle"}}) {
    limbs.emplace_back(marker(a), marker(b));
  }
  // Bones in marker indices, for the CV of sequences restricted to the markers.
  std::vector<std::pair<int, int>> marker_bones;
  for (const auto& [p, c] : crossview_test::pose2sim_marker_bones(s)) {
    const auto ip = std::find(s.marker_joint.begin(), s.marker_joint.end(), p) - s.marker_joint.begin();
    const auto ic = std::find(s.marker_joint.begin(), s.marker_joint.end(), c) - s.marker_joint.begin();
    marker_bones.emplace_back(static_cast<int>(ip), static_cast<int>(ic));
  }
  temporal::RefineOptions o;
  o.rate_hz = s.rate_hz;
  o.bones = pose::openpose_body25b().limbs();
  o.min_confidence = 0.3;  // Pose2Sim's triangulation threshold
  const auto r = temporal::refine_sequence(s.cameras, s.keypoints_px, s.scores, s.num_joints, o);
  INFO(r.message);
  REQUIRE(r.usable());
  const Eigen::Matrix3Xd ours = crossview_test::to_markers(s, r.points_in_world);
  const Eigen::Matrix3Xd start = crossview_test::to_markers(s, r.initial_points_in_world);
  REQUIRE(ours.allFinite());
  double cv_ours = 0, cv_start = 0, cv_p2s = 0, cv20_ours = 0, cv20_p2s = 0;
  crossview_test::bone_length_std(ours, M, limbs, &cv_ours);
  crossview_test::bone_length_std(start, M, limbs, &cv_start);
  crossview_test::bone_length_std(s.reference, M, limbs, &cv_p2s);
  crossview_test::bone_length_std(ours, M, marker_bones, &cv20_ours);
  crossview_test::bone_length_std(s.reference, M, marker_bones, &cv20_p2s);
  const double pa = pa_mpjpe_mm(ours, s.reference, M);
  const double pa_start = pa_mpjpe_mm(start, s.reference, M);
  const double ms_per_frame = 1e3 * (r.triangulation_seconds + r.solve_seconds) / s.num_frames;
  WARN("Pose2Sim demo: PA-MPJPE to Pose2Sim's TRC " << pa << " mm (per-frame robust triangulation " << pa_start
                                                    << " mm; aniposelib 22.1 mm); bone CV " << 100 * cv_ours
                                                    << " % (start " << 100 * cv_start << " %, Pose2Sim "
                                                    << 100 * cv_p2s << " %, aniposelib 1.4 %; over 20 bones "
                                                    << 100 * cv20_ours << " % vs Pose2Sim " << 100 * cv20_p2s
                                                    << " %); " << ms_per_frame
                                                    << " ms per frame (" << r.message << ")");
  CHECK(pa < 22.1);
  CHECK(cv_ours < 0.014);
}
