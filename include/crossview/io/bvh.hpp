// crossview::io: BVH motion capture (hierarchy + motion) with forward
// kinematics, and a mapping to the 17-joint Human3.6M skeleton.
//
// Frames and units:
//   * BVH is Y-up. Positions from forward_kinematics() are in the BVH world
//     frame, in BVH units times `scale`. Rotations are degrees in the file.
//   * A joint's local transform is T = Translate(offset + position channels) *
//     R, where R is the product of the rotation channels in the order they are
//     listed (e.g. "Zrotation Xrotation Yrotation" gives R = Rz * Rx * Ry).
//     world_from_joint = world_from_parent * T; a joint's position is the origin
//     of its frame, an end site's position is its parent's frame applied to its
//     OFFSET.
//   * CMU data: 1 BVH unit = 1/0.45 inch = 56.444 mm (kCmuBvhUnitMm). Checked on
//     131_01.bvh: thigh (hip-knee) 411.5 mm, shank (knee-ankle) 391 mm.
//   * to_h36m_17() can rotate Y-up to Z-up with (x, y, z) -> (x, -z, y), a
//     proper rotation (+90 deg about X), so the result stays right-handed.
//
// Failure modes: read_bvh / parse_bvh throw io::IoError naming the file, the
// field (e.g. `LeftElbow.OFFSET[1]`, `MOTION.frame 12.LeftElbow.Zrotation`)
// and what was expected, on malformed / truncated files, unknown channels,
// NaN/Inf, frame counts that do not match `Frames:`. Frame indices out of range
// and unknown mapped joint names throw std::invalid_argument / std::out_of_range.
//
// Complexity: parsing is linear in the file size; forward kinematics is
// O(number of joints) per frame.
#pragma once

#include <crossview/core/points.hpp>
#include <crossview/io/error.hpp>
#include <crossview/pose/skeleton.hpp>

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crossview::io {

/// Millimetres per BVH unit in the CMU motion capture database (1/0.45 inch).
constexpr double kCmuBvhUnitMm = 25.4 / 0.45;

enum class BvhChannel : std::uint8_t { kXposition, kYposition, kZposition, kXrotation, kYrotation, kZrotation };
const char* to_string(BvhChannel channel);

struct BvhJoint {
  std::string name;  ///< As in the file; end sites are named "<parent>_End".
  int parent = -1;   ///< Index into BvhMotion::joints, -1 for the root.
  Eigen::Vector3d offset = Eigen::Vector3d::Zero();  ///< In the parent's frame, BVH units.
  std::vector<BvhChannel> channels;                  ///< Empty for end sites.
  int first_channel = 0;  ///< Column of channels[0] in a frame's row.
  bool is_end_site = false;
};

struct BvhMotion {
  /// Joints and end sites, depth first in file order (parents before children).
  std::vector<BvhJoint> joints;
  int num_channels = 0;
  int num_frames = 0;
  double frame_time_s = 0.0;
  /// num_frames x num_channels values, row major (one row per frame).
  std::vector<double> values;

  /// Index of the joint (or end site "<parent>_End") named `name`, or -1.
  int find_joint(std::string_view name) const;
  /// Pointer to the channel values of `frame`; throws std::out_of_range.
  const double* frame(int frame) const;
  double frame_rate_hz() const { return frame_time_s > 0.0 ? 1.0 / frame_time_s : 0.0; }
};

/// Reads a BVH file. Throws IoError (see file header).
BvhMotion read_bvh(const std::string& path);
BvhMotion parse_bvh(std::string_view text, const std::string& source_name = "<string>");

/// World positions (BVH frame, Y-up) of every joint and end site at `frame`, 3 x
/// (joints + end sites), columns in BvhMotion::joints order, multiplied by `scale` (e.g.
/// kCmuBvhUnitMm for millimetres). Throws std::out_of_range on a bad frame.
Points3d forward_kinematics(const BvhMotion& motion, int frame, double scale = 1.0);

// ---------------------------------------------------------------------------
// The 17-joint Human3.6M skeleton (pose::h36m: the joint order, names and
// parents are defined there, once).

/// For each H36M joint, a source spec: alternatives separated by '|' (the first
/// one whose joints all exist is used), each a '+'-separated list of BVH joint
/// names whose positions are averaged. Example: "Chest+Chest2|Spine1".
using BvhH36mMapping = std::array<std::string, pose::h36m::kNumJoints>;

/// The mapping for CMU BVH files, covering both common namings (the bvh11/ASF
/// one in 131_01.bvh: LeftHip, LeftKnee, Chest, Chest2, Neck, Head, ...; and
/// the cgspeed one: LeftUpLeg, LeftLeg, Spine1, LeftArm, LeftForeArm, ...):
///   root  Hips                      belly Chest+Chest2 | Spine1
///   r/lhip RightUpLeg | RightHip     neck  Neck (base of the neck, at shoulder height)
///   r/lkne RightLeg | RightKnee      nose  Head (the head joint: skull base, ~ chin level)
///   r/lank RightFoot | RightAnkle    head  Head_End (top of the head)
///   r/lsho RightArm | RightShoulder  r/lelb RightForeArm | RightElbow
///   r/lwri RightHand | RightWrist
/// ("Left..." likewise.) Note that in the cgspeed naming "LeftShoulder" is the
/// clavicle, hence "LeftArm" is tried first.
BvhH36mMapping cmu_h36m_mapping();

struct BvhToH36mOptions {
  double mm_per_unit = kCmuBvhUnitMm;        ///< Length scale, in (0, 1e6].
  bool z_up = false;                         ///< Rotate Y-up to Z-up: (x, y, z) -> (x, -z, y).
  BvhH36mMapping mapping = cmu_h36m_mapping();
  void validate() const;  ///< Throws std::invalid_argument (mm_per_unit <= 0 or empty spec).
};

/// Resolves `mapping` against the joints of `motion`: for each H36M joint the
/// BVH joint indices to average. Throws std::invalid_argument naming the H36M
/// joint and the spec when no alternative matches.
std::array<std::vector<int>, pose::h36m::kNumJoints> resolve_h36m_mapping(const BvhMotion& motion,
                                                                          const BvhH36mMapping& mapping);

/// H36M joint positions of every frame in millimetres (BVH world frame, or
/// Z-up), packed 3 x (F*17): column f*17 + j = joint j (pose::h36m order) at
/// frame f (docs/conventions.md#array-layouts; numpy (F, 17, 3)).
Points3d to_h36m_17(const BvhMotion& motion, const BvhToH36mOptions& options = {});
/// The same for one frame: 3 x 17, column j = joint j.
Points3d to_h36m_17(const BvhMotion& motion, int frame, const BvhToH36mOptions& options = {});

}  // namespace crossview::io
