// The Pose2Sim demo capture as a sequence for the temporal tests and
// benchmarks: its calibration, the main person's OpenPose BODY_25B detections
// packed 2 x (F*V*J) (chosen per camera and frame as the CLI's `triangulate`
// does: io::select_main_person with prefer_previous), and Pose2Sim's own
// result (BalancingTrial_0-100.trc) in the calibration's world frame.
// Needs crossview::io and the shared data.
#pragma once

#include <crossview/io/openpose.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/io/trc.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview_test/random.hpp>

#include <Eigen/Core>

#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace crossview_test {

struct Pose2SimSequence {
  std::vector<crossview::camera::Camera> cameras;  ///< metres
  int num_frames = 0;
  int num_joints = 25;
  double rate_hz = 60.0;
  Eigen::Matrix2Xd keypoints_px;  ///< 2 x (F*V*J)
  Eigen::VectorXd scores;         ///< F*V*J (0 = missing)
  /// Pose2Sim's result, world frame (metres): 3 x (F*M) for the TRC's M markers.
  Eigen::Matrix3Xd reference;
  std::vector<int> marker_joint;  ///< BODY_25B index of each TRC marker
};

inline Pose2SimSequence load_pose2sim_sequence() {
  Pose2SimSequence s;
  const std::string dir = shared_data("pose2sim_demo/");
  s.cameras = crossview::io::read_pose2sim_toml(dir + "Calib_qualisys.toml").cameras;
  const int V = static_cast<int>(s.cameras.size());
  const int J = s.num_joints;
  std::vector<std::vector<crossview::io::OpenPoseFrame>> views(static_cast<std::size_t>(V));
  std::vector<std::vector<int>> main(static_cast<std::size_t>(V));
  crossview::io::MainPersonOptions mp;
  mp.prefer_previous = true;
  for (int v = 0; v < V; ++v) {
    views[static_cast<std::size_t>(v)] =
        crossview::io::read_openpose_folder(dir + "pose/cam0" + std::to_string(v + 1) + "_json", J);
    main[static_cast<std::size_t>(v)] = crossview::io::select_main_person(views[static_cast<std::size_t>(v)], mp);
  }
  const crossview::io::TrcData trc = crossview::io::read_trc(dir + "BalancingTrial_0-100.trc");
  s.num_frames = std::min<int>(trc.num_frames(), static_cast<int>(views[0].size()));
  const int F = s.num_frames;
  s.keypoints_px.setConstant(2, static_cast<Eigen::Index>(F) * V * J, std::numeric_limits<double>::quiet_NaN());
  s.scores.setZero(static_cast<Eigen::Index>(F) * V * J);
  for (int f = 0; f < F; ++f) {
    for (int v = 0; v < V; ++v) {
      const int p = main[static_cast<std::size_t>(v)][static_cast<std::size_t>(f)];
      if (p < 0) continue;
      const auto& person = views[static_cast<std::size_t>(v)][static_cast<std::size_t>(f)].people[static_cast<std::size_t>(p)];
      for (int j = 0; j < J; ++j) {
        if (!person.is_detected(j)) continue;
        const Eigen::Index i = (static_cast<Eigen::Index>(f) * V + v) * J + j;
        s.keypoints_px.col(i) = person.keypoints_px.col(j);
        s.scores[i] = person.scores[j];
      }
    }
  }
  const int M = trc.num_markers();
  for (int m = 0; m < M; ++m) s.marker_joint.push_back(crossview::io::body25b_index(trc.marker_names[static_cast<std::size_t>(m)]));
  s.reference.resize(3, static_cast<Eigen::Index>(F) * M);
  for (int f = 0; f < F; ++f) {
    for (int m = 0; m < M; ++m) {
      s.reference.col(static_cast<Eigen::Index>(f) * M + m) =
          crossview::io::trc_to_world(trc.frame(f).col(m));
    }
  }
  return s;
}

/// The BODY_25B limbs whose two joints are both TRC markers (20 of 24: the
/// TRC has no eyes or ears), as (parent, child) BODY_25B indices.
inline std::vector<std::pair<int, int>> pose2sim_marker_bones(const Pose2SimSequence& s) {
  std::vector<std::pair<int, int>> out;
  const crossview::pose::Skeleton body25b = crossview::pose::openpose_body25b();  // outlives the loop
  for (const auto& [p, c] : body25b.limbs()) {
    const bool hp = std::find(s.marker_joint.begin(), s.marker_joint.end(), p) != s.marker_joint.end();
    const bool hc = std::find(s.marker_joint.begin(), s.marker_joint.end(), c) != s.marker_joint.end();
    if (hp && hc) out.emplace_back(p, c);
  }
  return out;
}

/// A BODY_25B sequence (3 x (F*25)) restricted to the TRC markers (3 x (F*M)).
inline Eigen::Matrix3Xd to_markers(const Pose2SimSequence& s, const Eigen::Matrix3Xd& body25) {
  const int M = static_cast<int>(s.marker_joint.size());
  Eigen::Matrix3Xd out(3, static_cast<Eigen::Index>(s.num_frames) * M);
  for (int f = 0; f < s.num_frames; ++f) {
    for (int m = 0; m < M; ++m) {
      out.col(static_cast<Eigen::Index>(f) * M + m) = body25.col(static_cast<Eigen::Index>(f) * 25 + s.marker_joint[static_cast<std::size_t>(m)]);
    }
  }
  return out;
}

}  // namespace crossview_test
