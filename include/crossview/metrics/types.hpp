// crossview::metrics: pose containers, joint/limb conventions and result types
// shared by every metric (pose_metrics.hpp, pss.hpp).
//
// Layout (docs/conventions.md#array-layouts, the library's one layout):
//   * a 3D pose is a `Pose3d` = Points3d, 3 x J, column j = joint j (x, y, z),
//     any length unit (the metrics report in that unit; the literature and the
//     defaults use millimetres); a 2D pose is a `Pose2d` = Points2d, 2 x J pixels;
//   * a batch of F frames is packed: 3 x (F*J) (2 x (F*J) in 2D), column
//     f*J + j = joint j of frame f (numpy (F, J, 3)), with the joint count J
//     passed alongside;
//   * a missing joint is a column containing NaN, or a `false` entry in the
//     optional visibility mask (`JointMask`, one flag per column of the packed
//     batch, entry f*J + j). Missing joints are never silently dropped: every
//     metric reports how many it skipped and why.
//
// Joint order defaults to Human3.6M's 17 joints (pose::h36m, the library's one
// definition of that order; the h36m namespace below adds the metrics' part
// lists); limbs and the head segment are explicit joint-index pairs so any
// skeleton works.
#pragma once

#include <crossview/core/points.hpp>
#include <crossview/pose/skeleton.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace crossview::metrics {

using Pose3d = Points3d;  ///< 3 x J, column j = joint j.
using Pose2d = Points2d;  ///< 2 x J pixels, column j = joint j.
/// Per-joint flags aligned with the columns of a pose (J) or of a packed batch
/// (F*J, entry f*J + j); true = annotated / visible.
using JointMask = Eigen::Array<bool, Eigen::Dynamic, 1>;
using Limb = std::pair<int, int>;                         ///< (joint a, joint b) indices.
using Limbs = std::vector<Limb>;

/// Part lists of the 17-joint Human3.6M order. The joint indices (h36m::kRoot,
/// ..., h36m::kNumJoints) are pose::h36m's, visible here through the
/// using-directive.
namespace h36m {
using namespace pose::h36m;
/// The 16 limbs of the kinematic tree (parent, child), ordered by child joint.
inline Limbs limbs() {
  Limbs out;
  for (int j = 1; j < kNumJoints; ++j) out.emplace_back(kParents[static_cast<std::size_t>(j)], j);
  return out;
}
/// The 10 body parts scored by PCP in the multi-person literature, in H36M
/// indices: upper/lower arms, upper/lower legs (both sides), head (neck-head),
/// torso (root-neck).
inline Limbs pcp_parts() {
  return {{kLShoulder, kLElbow}, {kLElbow, kLWrist}, {kRShoulder, kRElbow}, {kRElbow, kRWrist},
          {kLHip, kLKnee},       {kLKnee, kLAnkle},  {kRHip, kRKnee},       {kRKnee, kRAnkle},
          {kNeck, kHead},        {kRoot, kNeck}};
}
/// Head segment used for the JDR threshold: neck to head top.
inline Limb head_segment() { return {kNeck, kHead}; }
}  // namespace h36m

/// The 14-joint Campus/Shelf order (Belagiannis et al., 3DPS, CVPR 2014):
/// rank, rkne, rhip, lhip, lkne, lank, rwri, relb, rsho, lsho, lelb, lwri,
/// neck (bottom of head), head top.
namespace campus14 {
constexpr int kNumJoints = 14;
/// Parts scored by the Campus/Shelf PCP tables except the torso: lower/upper
/// legs, lower/upper arms, head (neck-head top). Evaluation scripts in the
/// literature build the torso from a virtual hip-centre joint: append it as a
/// 15th joint (mean of joints 2 and 3) and add the part {14, 12}.
inline Limbs pcp_parts() {
  return {{0, 1}, {1, 2}, {3, 4}, {4, 5}, {6, 7}, {7, 8}, {9, 10}, {10, 11}, {12, 13}};
}
}  // namespace campus14

/// Outcome of a batched metric.
enum class Status : std::uint8_t {
  kSuccess = 0,
  kNoValidJoints,  ///< Nothing could be evaluated (every joint missing or every frame unaligned).
  kOverflow,       ///< Finite inputs whose errors (or their sum) overflow double: coordinates far
                   ///< beyond any physical unit (|x| ~ 1e150 and up). `mean` is NaN.
  kDegenerateReference,  ///< Nothing could be evaluated because every scorable ground-truth frame
                         ///< (or part / head segment) is degenerate: its joints coincide (e.g.
                         ///< missing markers exported as zeros). See JointState::kDegenerateReference.
};

constexpr const char* to_string(Status s) {
  switch (s) {
    case Status::kSuccess: return "success";
    case Status::kNoValidJoints: return "no valid joints to evaluate";
    case Status::kOverflow: return "errors overflow double precision";
    case Status::kDegenerateReference: return "degenerate ground truth (coincident joints)";
  }
  return "unknown";
}

/// What happened to one (frame, joint) entry.
enum class JointState : std::uint8_t {
  kEvaluated = 0,       ///< Error computed.
  kMissingGroundTruth,  ///< Ground truth NaN or masked out (or, for root-relative metrics,
                        ///< the frame's ground-truth root is missing): excluded everywhere.
  kMissingPrediction,   ///< Ground truth valid but the prediction is NaN: excluded from error
                        ///< means, counted as incorrect by PCK/JDR/PCP.
  kNotAligned,          ///< The frame's alignment could not be computed from the prediction
                        ///< (predicted root missing, zero-norm prediction, fewer than 3 joints
                        ///< for Procrustes): like kMissingPrediction.
  kDegenerateReference, ///< The frame's ground truth is degenerate: its >= 2 valid joints coincide
                        ///< (spread <= 1e-9 x their magnitude, e.g. every joint exported as 0);
                        ///< for PCP also a part of zero ground-truth length, for JDR a head segment
                        ///< of zero length. Excluded everywhere (like kMissingGroundTruth) and
                        ///< counted: Procrustes / scale alignment onto such a reference would
                        ///< collapse the prediction onto it and report 0 error.
};

constexpr const char* to_string(JointState s) {
  switch (s) {
    case JointState::kEvaluated: return "evaluated";
    case JointState::kMissingGroundTruth: return "missing ground truth";
    case JointState::kMissingPrediction: return "missing prediction";
    case JointState::kNotAligned: return "frame not aligned";
    case JointState::kDegenerateReference: return "degenerate ground truth";
  }
  return "unknown";
}

/// How many entries of a batch ended in each JointState.
struct JointCounts {
  int evaluated = 0;
  int missing_ground_truth = 0;
  int missing_prediction = 0;
  int not_aligned = 0;
  int degenerate_reference = 0;
};

/// Mean-error metrics (MPJPE family). Means are over evaluated (frame, joint)
/// entries (a micro average: with no missing joints it equals the mean of the
/// per-frame means). Breakdown entries with count 0 are NaN ("no data").
struct ErrorSummary {
  Status status = Status::kNoValidJoints;
  std::string message;
  double mean = 0.0;                ///< Input unit (mm for the usual data); 0 unless kSuccess.
  Eigen::VectorXd per_joint;        ///< J means.
  Eigen::VectorXi per_joint_count;  ///< J counts of evaluated entries.
  Eigen::VectorXd per_frame;        ///< F means.
  Eigen::VectorXi per_frame_count;  ///< F counts.
  JointCounts counts;
  bool ok() const { return status == Status::kSuccess; }
};

/// Rate metrics (PCK, JDR, PCP). `rate` = correct / scored in [0, 1], where an
/// entry is scored when its ground truth is valid (missing predictions and
/// unaligned frames are scored as incorrect). "item" = joint (PCK, JDR) or part
/// (PCP). Breakdown entries with count 0 are NaN.
struct RateSummary {
  Status status = Status::kNoValidJoints;
  std::string message;
  double rate = 0.0;
  int num_correct = 0;
  int num_scored = 0;
  Eigen::VectorXd per_item;        ///< Rate per joint / part.
  Eigen::VectorXi per_item_count;  ///< Scored entries per joint / part.
  Eigen::VectorXd per_frame;
  Eigen::VectorXi per_frame_count;
  JointCounts counts;  ///< For PCP, counts of parts (a part is missing when an endpoint is).
  bool ok() const { return status == Status::kSuccess; }
};

}  // namespace crossview::metrics
