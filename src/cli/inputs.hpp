// crossview CLI: the inputs of the reconstruction commands read the way users'
// tools write them: calibrations of any supported format (io::read_rig), the
// keypoints of every detected person per view (OpenPose folders, MMPose JSON,
// DeepLabCut / SLEAP HDF5), the skeleton resolved without guessing
// (io::resolve_skeleton), and the frame rate from a Pose2Sim Config.toml.
#pragma once

#include <crossview/association/types.hpp>
#include <crossview/camera/camera.hpp>
#include <crossview/io/pose2sim_config.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/io/skeleton_file.hpp>
#include <crossview/pose/skeleton.hpp>

#include <optional>
#include <string>
#include <vector>

namespace crossview::cli {

class Args;

/// Natural order of names: runs of digits compare by value ("cam8" < "cam9" <
/// "cam10" < "cam11"), the rest character by character.
bool natural_less(const std::string& a, const std::string& b);

/// Any supported calibration (Pose2Sim / anipose TOML, crossview JSON,
/// Human3.6M JSON (`h36m_subject` picks the subject), Qualisys .qca.txt,
/// EasyMocap intri/extri.yml, COLMAP text), told by content.
io::Rig read_any_rig(const std::string& path, const std::string& h36m_subject = {});

/// Every detected person of every view, per frame (frames matched by number).
struct PeopleKeypoints {
  std::vector<long long> frame_numbers;  ///< Union of the views' frame numbers, sorted.
  /// frames[f][v]: the people of view v in frame f, 2 x (P*J) + P*J scores
  /// (association::ViewDetections; P may be 0).
  std::vector<std::vector<association::ViewDetections>> frames;
  int num_views = 0;
  int num_joints = 0;
  std::string format;               ///< "openpose", "mmpose", "deeplabcut", "sleap".
  io::SkeletonQuery skeleton_query;  ///< From the first view's file (names, metadata).
  int num_frames() const { return static_cast<int>(frames.size()); }
  /// The largest number of people detected in one view of one frame.
  int max_people_in_a_view() const;
};

/// Keypoints outside their camera's image (more than half a pixel beyond its
/// edges) cannot be detections (a detector reports points in the image;
/// Pose2Sim's files can carry reprojected placeholders that are not): they
/// are made missing (NaN pixel, score 0). Returns per view the number made
/// missing and, in *confident, the number of keypoints scored above
/// `min_score` before (cameras with no image size are left alone).
std::vector<long long> drop_keypoints_outside_images(PeopleKeypoints* keypoints,
                                                     const std::vector<camera::Camera>& cameras, double min_score,
                                                     std::vector<long long>* confident);

/// Reads one keypoint source per view: an OpenPose JSON folder, an MMPose /
/// RTMPose prediction JSON file, a DeepLabCut .h5 or a SLEAP analysis .h5.
/// Throws std::runtime_error / io::IoError naming the source.
PeopleKeypoints load_people_views(const std::vector<std::string>& sources);

/// The Pose2Sim settings of a session: `--config FILE` when given, else a
/// Config.toml in the trial folder above the first keypoint source (its
/// parent's parent, as Pose2Sim lays out `pose/camNN_json`) and up to two
/// levels above. nullopt when there is none.
std::optional<io::Pose2SimConfig> find_session_config(const std::string& config_path,
                                                      const std::vector<std::string>& sources);

/// The skeleton of the keypoints: `--skeleton NAME|FILE` > the file's
/// metadata > the session Config.toml's pose_model > the unique built-in
/// with that joint count > (allow_unnamed) unnamed joints. Ambiguities are
/// errors listing the candidates (io::resolve_skeleton).
io::ResolvedSkeleton resolve_cli_skeleton(const std::string& explicit_skeleton, const PeopleKeypoints& keypoints,
                                          const std::optional<io::Pose2SimConfig>& config, bool allow_unnamed);

/// The frame rate: `--rate` > the session's project.frame_rate > 0 (unknown).
/// `origin` receives where it came from ("--rate", the Config.toml path, or "unknown").
double session_rate(const Args& args, const std::optional<io::Pose2SimConfig>& config, std::string* origin);

}  // namespace crossview::cli
