// crossview: the registry of built-in skeletons and their lookup by name or
// joint count.
//
//   pose::Skeleton s = pose::builtin_skeleton("body_25");     // case-insensitive
//   std::vector<std::string> c = pose::builtin_skeletons_with_joints(17);
//                                                   // {"COCO_17", "H36M_17"}
//
// Built-ins (ids as Pose2Sim names them where Pose2Sim has the model):
//
//   id        joints  what                                        root
//   BODY_25   25      OpenPose's default model (output order of    MidHip
//                     OpenPose's doc/02_output.md)
//   BODY_25B  25      OpenPose's experimental BODY_25B             Neck
//   HALPE_26  26      AlphaPose / RTMPose Halpe-26 (Pose2Sim's     Hip
//                     default)
//   COCO_17   17      COCO keypoints                               nose
//   COCO_133  133     COCO-WholeBody: COCO_17 body, 6 feet, 68     Nose
//                     face, 2 x 21 hand points
//   H36M_17   17      Human3.6M 17 joints (RPSM's order)           root (pelvis)
//
// Every built-in is a tree with left/right pairs, height segments (thigh,
// shank, upper arm, forearm with Drillis & Contini's fractions of the
// standing height) and feet joints (ankles, heels, toes). Only H36M_17 has
// limb-length priors (millimetres). The plain factory functions of
// skeleton.hpp (human36m_17, coco_17, openpose_body25b) return the trees
// without this metadata; builtin_skeleton() returns them complete.
//
// Names accepted by find_builtin_skeleton / builtin_skeleton: the ids and
// aliases compared case-insensitively, ignoring '_', '-', '.' and spaces:
// BODY_25 (body25, openpose), BODY_25B, HALPE_26, COCO_17 (coco17), COCO_133
// (coco_wholebody, wholebody, Pose2Sim's COCO_133_WRIST: same keypoints),
// H36M_17 (h36m, human36m, human3.6m). "COCO" alone is refused as ambiguous
// (Pose2Sim and OpenPose mean an 18-joint model by it). Pose2Sim models that
// are not built in (BODY_135, BLAZEPOSE, HALPE_68, HALPE_136, MPII, ...) are
// refused with a message pointing to custom skeleton files (io/skeleton_file.hpp).
//
// Definitions: src/pose/skeletons.cpp.
#pragma once

#include <crossview/pose/skeleton.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crossview::pose {

/// OpenPose BODY_25 in OpenPose's output order: 0 Nose, 1 Neck, 2 RShoulder,
/// 3 RElbow, 4 RWrist, 5 LShoulder, 6 LElbow, 7 LWrist, 8 MidHip, 9 RHip,
/// 10 RKnee, 11 RAnkle, 12 LHip, 13 LKnee, 14 LAnkle, 15 REye, 16 LEye,
/// 17 REar, 18 LEar, 19 LBigToe, 20 LSmallToe, 21 LHeel, 22 RBigToe,
/// 23 RSmallToe, 24 RHeel. Tree = OpenPose's 24 body pairs, rooted at MidHip.
Skeleton openpose_body25();

/// Halpe-26: 0 Nose, 1 LEye, 2 REye, 3 LEar, 4 REar, 5 LShoulder, 6 RShoulder,
/// 7 LElbow, 8 RElbow, 9 LWrist, 10 RWrist, 11 LHip, 12 RHip, 13 LKnee,
/// 14 RKnee, 15 LAnkle, 16 RAnkle, 17 Head, 18 Neck, 19 Hip, 20 LBigToe,
/// 21 RBigToe, 22 LSmallToe, 23 RSmallToe, 24 LHeel, 25 RHeel. Tree (Pose2Sim's
/// plus the eyes and ears): Hip -> LHip, RHip, Neck; hip -> knee -> ankle ->
/// big toe -> small toe, ankle -> heel; Neck -> Head -> Nose -> eye -> ear;
/// Neck -> shoulder -> elbow -> wrist.
Skeleton halpe_26();

/// COCO-WholeBody, 133 keypoints: 0-16 the COCO body (Nose, LEye, REye, LEar,
/// REar, LShoulder, RShoulder, LElbow, RElbow, LWrist, RWrist, LHip, RHip,
/// LKnee, RKnee, LAnkle, RAnkle), 17-22 feet (LBigToe, LSmallToe, LHeel,
/// RBigToe, RSmallToe, RHeel), 23-90 the 68 face points (Jaw1-17,
/// EyebrowR1-5, EyebrowL1-5, Nose1-9, REye1-6, LEye1-6, Mouth1-20), 91-111
/// the left hand (LHandRoot, then thumb LThumb1 LThumb LThumb3 LThumb4, index
/// LIndex LIndex2-4, LMiddle1-4, LRing1-4, LPinky LPinky2-4: Pose2Sim's names),
/// 112-132 the right hand alike. Tree rooted at Nose like COCO_17 (hips hang
/// off the shoulders), feet off the ankles, each face contour a chain off the
/// Nose, each finger a chain off the hand root, hand roots off the wrists.
Skeleton coco_wholebody_133();

/// Canonical ids of the built-ins, in the order of the table above.
const std::vector<std::string>& builtin_skeleton_names();

/// The canonical id for a name or alias ("body_25" -> "BODY_25"), or an empty
/// string when the name is not a built-in.
std::string canonical_skeleton_name(std::string_view name);

/// The complete built-in skeleton (metadata included, model_name() = its id),
/// or std::nullopt when `name` is not a built-in.
std::optional<Skeleton> find_builtin_skeleton(std::string_view name);

/// Same, but throws std::invalid_argument naming the built-ins (and, for
/// Pose2Sim models that are not built in or for "COCO", saying why).
Skeleton builtin_skeleton(std::string_view name);

/// Ids of the built-ins with exactly `num_joints` joints (17 -> COCO_17,
/// H36M_17; 25 -> BODY_25, BODY_25B; 26 -> HALPE_26; 133 -> COCO_133).
std::vector<std::string> builtin_skeletons_with_joints(int num_joints);

/// A skeleton without limbs whose joints are named `names` (file joint names
/// such as DeepLabCut body parts): enough for triangulation, association and
/// filtering, which need no limbs. Throws std::invalid_argument on empty or
/// duplicate names.
Skeleton unnamed_skeleton(std::vector<std::string> names);

/// unnamed_skeleton({"0", "1", ..., "J-1"}).
Skeleton unnamed_skeleton(int num_joints);

/// Drillis & Contini's segment fractions of the standing height.
inline constexpr double kThighFraction = 0.245;
inline constexpr double kShankFraction = 0.246;
inline constexpr double kUpperArmFraction = 0.186;
inline constexpr double kForearmFraction = 0.146;

}  // namespace crossview::pose
