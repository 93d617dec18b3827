// crossview CLI: pieces shared by the subcommands (progress line, frame-parallel
// loop, loading calibrations and OpenPose folders, the relative pose of a camera pair from body joints).
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/camera/rigid3.hpp>
#include <crossview/core/points.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/pose/skeleton.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

namespace crossview::cli {

class Args;

/// A progress line on a terminal (frames done, frames per second, time left);
/// silent when stderr is not a terminal or output is quiet / JSON. Thread-safe.
class Progress {
 public:
  Progress(bool silent, int total);
  /// One more frame done (any thread).
  void tick();
  /// Clears the line.
  void done();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  int total_;
  int done_ = 0;
  Clock::time_point start_;
  Clock::time_point last_print_;
  std::mutex mutex_;
};

/// Worker threads from `--threads N` (default 1; 0 = one per hardware thread).
int thread_count(const Args& args);

/// Calls fn(i) for i in [0, n) on `threads` threads (frames are independent,
/// so results do not depend on the thread count). The first exception thrown
/// by any call is rethrown after all threads stop.
void parallel_for(int n, int threads, const std::function<void(int)>& fn);

/// Reads a calibration: Pose2Sim/anipose TOML (`.toml`) or crossview JSON
/// (`.json`). Throws io::IoError / std::runtime_error with the path.
io::Rig load_rig(const std::string& path);

/// 2D detections of one person in every view over a sequence, each frame
/// packed view-major (docs/conventions.md#array-layouts): keypoints_px[f] is
/// 2 x (V*J), column v*J + j = joint j in view v, with V*J scores aligned with
/// the columns (score 0 and NaN pixels = missing). The input of
/// triangulation::triangulate_skeleton, frame by frame.
struct MultiViewKeypoints {
  std::vector<long long> frame_numbers;  ///< Union of the views' frame numbers, sorted.
  std::vector<Points2d> keypoints_px;    ///< [frame]: 2 x (V*J).
  std::vector<Eigen::VectorXd> scores;   ///< [frame]: V*J.
  int num_views = 0;
  int num_joints = 0;
  int num_frames() const { return static_cast<int>(keypoints_px.size()); }
  /// View v of frame f: 2 x J pixels and J scores (views into the frame).
  Eigen::Block<const Points2d, 2, Eigen::Dynamic, true> view(int f, int v) const {
    return keypoints_px[static_cast<std::size_t>(f)].middleCols(static_cast<Eigen::Index>(v) * num_joints, num_joints);
  }
  Eigen::VectorBlock<const Eigen::VectorXd> view_scores(int f, int v) const {
    return scores[static_cast<std::size_t>(f)].segment(static_cast<Eigen::Index>(v) * num_joints, num_joints);
  }
};

/// View v of every frame packed 2 x (F*J) (column f*J + j) with its F*J scores:
/// one camera's sequence, e.g. for relative_pose_from_keypoints.
void view_sequence(const MultiViewKeypoints& keypoints, int view, Points2d* keypoints_px, Eigen::VectorXd* scores);

/// Reads one OpenPose JSON folder per view (frames matched by the number in
/// the file names) and keeps the main person of every frame (highest mean
/// confidence, preferring the one closest to the previous frame's choice).
/// A frame missing in some view counts as "nothing detected" there.
MultiViewKeypoints load_openpose_views(const std::vector<std::string>& folders);

/// `name` = body25b | coco17 | h36m17, or "" to choose by joint count
/// (25 -> body25b, 17 -> coco17). Throws std::runtime_error when it does not
/// fit `num_joints`.
pose::Skeleton skeleton_for(const std::string& name, int num_joints);

/// The relative pose of camera b to camera a from body joints seen by both.
struct RelativePoseEstimate {
  bool ok = false;
  std::string message;
  camera::Rigid3d cam2_from_cam1;  ///< Unit-norm translation (scale is unknown).
  int num_correspondences = 0;
  int num_inliers = 0;
  /// Against a reference relative pose when one was given, else NaN.
  double rotation_error_deg = std::numeric_limits<double>::quiet_NaN();
  double translation_error_deg = std::numeric_limits<double>::quiet_NaN();
};

enum class RelativePoseMethod { kFundamental, kEssential };

/// Gathers the joints detected (confidence > min_confidence) in both views of
/// every frame and estimates b's pose relative to a. keypoints_a / keypoints_b
/// are the two views' sequences packed 2 x (F*J) (column f*J + j, the same F
/// and J in both) with F*J scores each. kFundamental = F with
/// RANSAC on undistorted pixels, E = Kb^T F Ka, decomposition + cheirality
/// (EpipolarPose); kEssential = 5-point RANSAC on the cameras' normalized
/// points, cheirality, refinement. `reference_b_from_a` (optional) is used
/// only to report errors.
RelativePoseEstimate relative_pose_from_keypoints(const camera::Camera& camera_a, const camera::Camera& camera_b,
                                                  const ConstPointsRef& keypoints_a, const ConstScoresRef& scores_a,
                                                  const ConstPointsRef& keypoints_b, const ConstScoresRef& scores_b,
                                                  RelativePoseMethod method, double max_error_px,
                                                  double min_confidence, std::uint64_t seed,
                                                  const camera::Rigid3d* reference_b_from_a);

}  // namespace crossview::cli
