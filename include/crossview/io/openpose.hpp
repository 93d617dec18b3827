// crossview::io: OpenPose JSON keypoint files (one file per frame per camera,
// any number of people), a folder reader and a main-person selector.
//
// File layout read: {"people": [{"person_id": [-1] (optional),
//                                "pose_keypoints_2d": [x0, y0, s0, x1, y1, s1, ...]}, ...]}
// Other members (version, face/hand keypoints, ...) are ignored.
//
// Units and conventions: pixels as written by OpenPose (origin at the centre of
// the top-left pixel, as in OpenCV). A joint with score <= 0 (OpenPose writes
// 0, 0, 0) is missing: its pixel is set to NaN and its score to 0, so it can
// never be used by accident as the point (0, 0).
//
// A person whose pose_keypoints_2d is empty (OpenPose without body
// keypoints, Pose2Sim's placeholders for people absent from a view) is kept,
// with every joint missing: J joints (expected_joints, else the count of the
// file's other people; 0 when the file has no other person).
//
// Failure modes: IoError naming the file and the field (e.g.
// `people[1].pose_keypoints_2d`) on malformed/truncated JSON, wrong types,
// a length that is not a multiple of 3, a joint count different from the other
// people or from `expected_joints`, negative scores, non-finite values; a folder
// without a frame number in a file name or with two files of the same number.
#pragma once

#include <crossview/io/error.hpp>

#include <Eigen/Core>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace crossview::io {

/// OpenPose BODY_25B joint names by index (0 Nose, 1 LEye, 2 REye, 3 LEar,
/// 4 REar, 5 LShoulder, 6 RShoulder, 7 LElbow, 8 RElbow, 9 LWrist, 10 RWrist,
/// 11 LHip, 12 RHip, 13 LKnee, 14 RKnee, 15 LAnkle, 16 RAnkle, 17 Neck,
/// 18 Head, 19 LBigToe, 20 LSmallToe, 21 LHeel, 22 RBigToe, 23 RSmallToe, 24 RHeel).
constexpr int kNumBody25bJoints = 25;
const std::array<const char*, kNumBody25bJoints>& body25b_joint_names();
/// Index of a BODY_25B joint name (as above, case-sensitive), or -1.
int body25b_index(std::string_view name);

struct OpenPosePerson {
  int person_id = -1;             ///< From "person_id" (first element), -1 when absent.
  Eigen::Matrix2Xd keypoints_px;  ///< 2 x J pixel coordinates; NaN columns for missing joints.
  Eigen::VectorXd scores;         ///< J confidences in [0, 1]; 0 for missing joints.

  int num_joints() const { return static_cast<int>(scores.size()); }
  bool is_detected(int joint) const { return scores[joint] > 0.0; }
  int num_detected() const;
  /// Mean score of the detected joints (0 when none is detected).
  double mean_detected_score() const;
};

struct OpenPoseFrame {
  int frame_number = -1;  ///< From the file name (folder reader), else -1.
  std::string path;
  std::vector<OpenPosePerson> people;
};

/// Reads one OpenPose JSON file. `expected_joints` > 0 requires that many
/// joints per person (e.g. 25 for BODY_25/BODY_25B); 0 accepts any count as
/// long as all people agree.
OpenPoseFrame read_openpose_json(const std::string& path, int expected_joints = 0);
OpenPoseFrame parse_openpose_json(const std::string& text, const std::string& source_name = "<string>",
                                  int expected_joints = 0);

/// The frame number in a file name: the last run of digits in its stem
/// ("cam01.0042.json" -> 42, "run_000000000017_keypoints.json" -> 17), -1 if none.
long long frame_number_from_filename(const std::string& filename);

/// Reads every "*.json" file of `folder`, sorted by frame number (not by
/// name: "f10" comes after "f9"), with OpenPoseFrame::frame_number set.
/// Throws IoError when the folder cannot be listed, a name has no number or two
/// files share a number, or any file is invalid.
std::vector<OpenPoseFrame> read_openpose_folder(const std::string& folder, int expected_joints = 0);

struct MainPersonOptions {
  /// People with fewer detected joints are never chosen (>= 1).
  int min_detected_joints = 1;
  /// When true, a person whose detected joints lie on average within
  /// `max_jump_px` of the previous frame's choice is preferred (the closest one);
  /// otherwise (or when nobody is that close, or there was no previous choice)
  /// the person with the highest mean detected score is chosen.
  bool prefer_previous = false;
  double max_jump_px = 50.0;  ///< > 0.
  void validate() const;      ///< Throws std::invalid_argument naming the option.
};

/// Index into frames[f].people of the main person of each frame, -1 when no
/// person qualifies. Deterministic (ties go to the lower index). O(frames x people x joints).
std::vector<int> select_main_person(const std::vector<OpenPoseFrame>& frames, const MainPersonOptions& options = {});

}  // namespace crossview::io
