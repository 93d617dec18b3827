// crossview: skeletons (joint names, kinematic tree, limb-length priors,
// left/right pairs) shared by the pose, rpsm and metrics modules.
//
// A Skeleton is a rooted tree over J joints: parents()[j] is the parent of
// joint j and exactly one joint (the root) has parent -1. Every non-root joint
// j owns exactly one limb, (parents()[j], j), so limbs are indexed by their
// child joint. Limb-length priors are optional; they are stored in the
// caller's unit (the library is unit-agnostic; the built-in Human3.6M priors
// are in millimetres).
//
// Failure modes: constructing a Skeleton from an invalid tree (no root, more
// than one root, a cycle, a parent index out of range, duplicate or empty
// names, a left/right pair naming a joint twice) throws std::invalid_argument
// with a message naming the offending joint. validate_tree() gives the same
// check without throwing.
//
// Definitions: src/pose/skeleton.cpp.
#pragma once

#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace crossview::pose {

/// Prior on the length of one limb, in the caller's unit. `mean == 0` means
/// "unknown" (has_limb_priors() is false then).
struct LimbPrior {
  double mean = 0.0;       ///< Expected length (> 0 when known).
  double tolerance = 0.0;  ///< Allowed deviation |length - mean| (>= 0).
};

/// Checks that `parents` describes a rooted tree over names.size() joints.
/// Returns an empty string when it does, otherwise a precise description of
/// the first problem found. O(J).
std::string validate_tree(const std::vector<std::string>& names,
                          const std::vector<int>& parents);

class Skeleton {
 public:
  /// An empty skeleton (num_joints() == 0); only useful as a placeholder.
  Skeleton() = default;

  /// `names[j]`, `parents[j]` (-1 for the root). `limb_priors` is either empty
  /// (all unknown) or has one entry per joint, indexed by the limb's child
  /// joint (the root's entry is ignored). `left_right_pairs` lists (left,
  /// right) joint indices. Throws std::invalid_argument on an invalid tree,
  /// priors of the wrong size or with negative / non-finite values, or an
  /// invalid pair.
  Skeleton(std::vector<std::string> names, std::vector<int> parents,
           std::vector<LimbPrior> limb_priors = {},
           std::vector<std::pair<int, int>> left_right_pairs = {});

  int num_joints() const { return static_cast<int>(names_.size()); }
  /// Number of limbs (= num_joints() - 1 for a tree).
  int num_limbs() const { return std::max(0, num_joints() - 1); }
  const std::vector<std::string>& names() const { return names_; }
  const std::string& name(int joint) const { return names_.at(joint); }
  const std::vector<int>& parents() const { return parents_; }
  int parent(int joint) const { return parents_.at(joint); }
  int root() const { return root_; }
  const std::vector<int>& children(int joint) const { return children_.at(joint); }
  /// Joints ordered root first, every parent before its children (BFS).
  const std::vector<int>& topological_order() const { return order_; }
  /// Index of the joint with this name, or -1.
  int joint_index(const std::string& joint_name) const {
    for (int j = 0; j < num_joints(); ++j) {
      if (names_[j] == joint_name) return j;
    }
    return -1;
  }
  /// The limbs as (parent, child) pairs in topological order of the child.
  std::vector<std::pair<int, int>> limbs() const {
    std::vector<std::pair<int, int>> out;
    for (int j : order_) {
      if (parents_[j] >= 0) out.emplace_back(parents_[j], j);
    }
    return out;
  }

  /// Prior of the limb (parent(child), child). Throws for the root.
  const LimbPrior& limb_prior(int child) const {
    if (child == root_) throw std::invalid_argument("Skeleton: the root joint has no limb");
    return priors_.at(child);
  }
  const std::vector<LimbPrior>& limb_priors() const { return priors_; }
  void set_limb_prior(int child, const LimbPrior& prior) {
    if (child < 0 || child >= num_joints() || child == root_) {
      throw std::invalid_argument("Skeleton::set_limb_prior: joint " + std::to_string(child) +
                                  " is not the child joint of a limb");
    }
    check_prior(child, prior);
    priors_[child] = prior;
  }
  /// True when every limb has a known (mean > 0) prior.
  bool has_limb_priors() const {
    for (int j = 0; j < num_joints(); ++j) {
      if (j != root_ && !(priors_[j].mean > 0.0)) return false;
    }
    return num_joints() > 0;
  }
  /// (left, right) joint index pairs, e.g. for flip augmentation or symmetry metrics.
  const std::vector<std::pair<int, int>>& left_right_pairs() const { return pairs_; }

 private:
  void check_prior(int j, const LimbPrior& p) const {
    if (!std::isfinite(p.mean) || !std::isfinite(p.tolerance) || p.mean < 0.0 ||
        p.tolerance < 0.0) {
      throw std::invalid_argument("Skeleton: limb prior of joint '" + names_[j] +
                                  "' must have finite mean >= 0 and tolerance >= 0");
    }
  }

  std::vector<std::string> names_;
  std::vector<int> parents_;
  std::vector<LimbPrior> priors_;
  std::vector<std::pair<int, int>> pairs_;
  int root_ = -1;
  std::vector<std::vector<int>> children_;
  std::vector<int> order_;
};

/// The 17-joint Human3.6M order (Qiu et al. ICCV 2019, EpipolarPose and most H36M
/// code): the one definition of these joint indices, names and parents in the
/// library; human36m_17(), the metrics' defaults, io's BVH mapping and the
/// synthetic scene all use it.
namespace h36m {
constexpr int kNumJoints = 17;
enum Joint : int {
  kRoot = 0,  ///< pelvis
  kRHip,
  kRKnee,
  kRAnkle,
  kLHip,
  kLKnee,
  kLAnkle,
  kBelly,  ///< spine mid
  kNeck,   ///< thorax, at shoulder height
  kNose,
  kHead,  ///< head top
  kLShoulder,
  kLElbow,
  kLWrist,
  kRShoulder,
  kRElbow,
  kRWrist,
};
/// Joint names in index order.
inline constexpr std::array<const char*, kNumJoints> kJointNames = {
    "root", "rhip", "rkne", "rank", "lhip", "lkne", "lank", "belly", "neck",
    "nose", "head", "lsho", "lelb", "lwri", "rsho", "relb", "rwri"};
/// Parent of each joint in the kinematic tree, -1 for the root; the 16 limbs
/// are (kParents[j], j) for j = 1..16.
inline constexpr std::array<int, kNumJoints> kParents = {-1, kRoot,  kRHip,  kRKnee,     kRoot,  kLHip,
                                                         kLKnee, kRoot,  kBelly, kNeck,      kNose,  kNeck,
                                                         kLShoulder, kLElbow, kNeck, kRShoulder, kRElbow};
}  // namespace h36m

/// The 17-joint Human3.6M skeleton of the RPSM reference (ALGORITHMS.md s. 3),
/// joints in the h36m order above:
/// 0 root, 1 rhip, 2 rkne, 3 rank, 4 lhip, 5 lkne, 6 lank, 7 belly, 8 neck,
/// 9 nose, 10 head, 11 lsho, 12 lelb, 13 lwri, 14 rsho, 15 relb, 16 rwri.
/// Tree: root -> rhip, lhip, belly; rhip -> rkne -> rank; lhip -> lkne -> lank;
/// belly -> neck -> nose, lsho, rsho; nose -> head; lsho -> lelb -> lwri;
/// rsho -> relb -> rwri. With `with_priors`, limb priors are approximate adult
/// averages in MILLIMETRES with the reference's 150 mm tolerance; prefer
/// estimate_limb_lengths() on your own subjects.
Skeleton human36m_17(bool with_priors = true);

/// The 17 COCO keypoints in COCO order: 0 nose, 1 leye, 2 reye, 3 lear, 4 rear,
/// 5 lsho, 6 rsho, 7 lelb, 8 relb, 9 lwri, 10 rwri, 11 lhip, 12 rhip, 13 lkne,
/// 14 rkne, 15 lank, 16 rank. COCO has no pelvis or neck, so the tree is
/// rooted at the nose: nose -> leye -> lear, nose -> reye -> rear,
/// nose -> lsho -> lelb -> lwri, nose -> rsho -> relb -> rwri,
/// lsho -> lhip -> lkne -> lank, rsho -> rhip -> rkne -> rank. No priors.
Skeleton coco_17();

/// OpenPose BODY_25B in its output order (data/README.md): 0 Nose, 1 LEye,
/// 2 REye, 3 LEar, 4 REar, 5 LShoulder, 6 RShoulder, 7 LElbow, 8 RElbow,
/// 9 LWrist, 10 RWrist, 11 LHip, 12 RHip, 13 LKnee, 14 RKnee, 15 LAnkle,
/// 16 RAnkle, 17 Neck, 18 Head, 19 LBigToe, 20 LSmallToe, 21 LHeel,
/// 22 RBigToe, 23 RSmallToe, 24 RHeel. Rooted at Neck: Neck -> Nose, Head,
/// LShoulder, RShoulder, LHip, RHip; Nose -> LEye -> LEar, Nose -> REye -> REar;
/// shoulder -> elbow -> wrist; hip -> knee -> ankle -> big toe, small toe, heel.
/// No priors.
Skeleton openpose_body25b();

/// Limb lengths estimated from a sequence of F 3D poses packed 3 x (F*J)
/// (column f*J + j = joint j of pose f, J = skeleton.num_joints(), any unit;
/// docs/conventions.md#array-layouts): per limb the MEDIAN length over the
/// poses whose two joints are finite, with the given tolerance. A point set
/// that is not 3 x (F*J) (transposed, a partial pose) throws
/// std::invalid_argument naming `poses`; a limb never observed (no finite
/// pair, or no pose) throws too, naming it. Returns one prior per joint (root
/// entry {0, 0}), ready for Skeleton::set_limb_prior or with_limb_priors().
/// O(F J log F).
std::vector<LimbPrior> estimate_limb_lengths(const Skeleton& skeleton, const ConstPointsRef& poses,
                                             double tolerance);

/// A copy of `skeleton` with the given priors (one per joint).
inline Skeleton with_limb_priors(const Skeleton& skeleton, std::vector<LimbPrior> priors) {
  return Skeleton(skeleton.names(), skeleton.parents(), std::move(priors),
                  skeleton.left_right_pairs());
}

}  // namespace crossview::pose
