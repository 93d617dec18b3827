// crossview: skeletons (joint names, kinematic tree or limb list, limb-length
// priors, left/right pairs, height segments, feet) shared by the pose, rpsm and
// metrics modules. The registry of built-in skeletons (BODY_25, HALPE_26, ...)
// and the lookup by name are in pose/skeletons.hpp.
//
// A tree Skeleton is a rooted tree over J joints: parents()[j] is the parent of
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

/// Prior on the length of one limb, in the caller's unit (see
/// Skeleton::limb_prior_unit()). `mean == 0` means "unknown" (has_limb_priors()
/// is false then).
struct LimbPrior {
  double mean = 0.0;       ///< Expected length (> 0 when known).
  double tolerance = 0.0;  ///< Allowed deviation |length - mean| (>= 0).
};

/// A body segment whose length is a known fraction of the standing height
/// (anthropometric tables such as Drillis & Contini 1966: thigh 0.245, shank
/// 0.246, upper arm 0.186, forearm 0.146). Used for a metric scale from a
/// person's height: height ~ median over segments of length / fraction.
struct HeightSegment {
  int joint_a = -1;
  int joint_b = -1;
  double fraction = 0.0;  ///< Segment length / standing height, in (0, 1].
};

/// Checks that `parents` describes a rooted tree over names.size() joints.
/// Returns an empty string when it does, otherwise a precise description of
/// the first problem found. O(J).
std::string validate_tree(const std::vector<std::string>& names,
                          const std::vector<int>& parents);

/// Named joints with limbs: a kinematic tree (parents, root, topological
/// order: what RPSM and tree priors need) or, for animals / DeepLabCut /
/// marker sets, any list of limbs (is_tree() == false: parents(), root(),
/// children(), topological_order() and the per-child limb_prior() API then
/// throw std::invalid_argument; limbs() and limb_length_priors() always work).
/// Optional metadata: a model name (the registry id, e.g. "BODY_25"), height
/// segments (metric scale from a person's height), feet joints (floor
/// detection) and the unit of the limb priors.
class Skeleton {
 public:
  /// An empty skeleton (num_joints() == 0); only useful as a placeholder.
  Skeleton() = default;

  /// A tree: `names[j]`, `parents[j]` (-1 for the root). `limb_priors` is
  /// either empty (all unknown) or has one entry per joint, indexed by the
  /// limb's child joint (the root's entry is ignored). `left_right_pairs` lists
  /// (left, right) joint indices. Throws std::invalid_argument on an invalid
  /// tree, priors of the wrong size or with negative / non-finite values, or
  /// an invalid pair.
  Skeleton(std::vector<std::string> names, std::vector<int> parents,
           std::vector<LimbPrior> limb_priors = {},
           std::vector<std::pair<int, int>> left_right_pairs = {});

  /// Any set of limbs (undirected joint pairs, no self-limb, no duplicate).
  /// `limb_priors` is empty or has one entry per limb (same order). When the
  /// limbs form a spanning tree (connected, num_joints() - 1 limbs) the result
  /// is a tree rooted at `root` (-1: joint 0), its limbs oriented parent ->
  /// child and listed in topological order like the tree constructor's (the
  /// priors follow their limbs); otherwise is_tree() is false and the limbs
  /// keep their order and orientation. Throws std::invalid_argument naming the
  /// offending limb.
  static Skeleton from_limbs(std::vector<std::string> names,
                             const std::vector<std::pair<int, int>>& limbs,
                             const std::vector<LimbPrior>& limb_priors = {},
                             std::vector<std::pair<int, int>> left_right_pairs = {},
                             int root = -1);

  int num_joints() const { return static_cast<int>(names_.size()); }
  /// Number of limbs (= num_joints() - 1 for a tree).
  int num_limbs() const { return static_cast<int>(limbs_.size()); }
  /// True for a rooted tree (the tree constructor, or from_limbs with a
  /// spanning tree). Empty skeletons are not trees.
  bool is_tree() const { return root_ >= 0; }
  const std::vector<std::string>& names() const { return names_; }
  const std::string& name(int joint) const { return names_.at(joint); }
  const std::vector<int>& parents() const { return (require_tree("parents"), parents_); }
  int parent(int joint) const { return (require_tree("parent"), parents_.at(joint)); }
  int root() const { return (require_tree("root"), root_); }
  const std::vector<int>& children(int joint) const {
    return (require_tree("children"), children_.at(joint));
  }
  /// Joints ordered root first, every parent before its children (BFS).
  const std::vector<int>& topological_order() const {
    return (require_tree("topological_order"), order_);
  }
  /// Index of the joint with this name, or -1.
  int joint_index(const std::string& joint_name) const {
    for (int j = 0; j < num_joints(); ++j) {
      if (names_[j] == joint_name) return j;
    }
    return -1;
  }
  /// The limbs as joint pairs: for a tree (parent, child) in topological
  /// order of the child; otherwise in the order given to from_limbs().
  const std::vector<std::pair<int, int>>& limbs() const { return limbs_; }

  /// Prior of the limb (parent(child), child) of a tree. Throws for the root
  /// and for a non-tree skeleton.
  const LimbPrior& limb_prior(int child) const {
    require_tree("limb_prior");
    if (child == root_) throw std::invalid_argument("Skeleton: the root joint has no limb");
    return priors_.at(child);
  }
  /// One prior per joint of a tree, indexed by child (root entry {0, 0}).
  const std::vector<LimbPrior>& limb_priors() const { return (require_tree("limb_priors"), priors_); }
  void set_limb_prior(int child, const LimbPrior& prior) {
    require_tree("set_limb_prior");
    if (child < 0 || child >= num_joints() || child == root_) {
      throw std::invalid_argument("Skeleton::set_limb_prior: joint " + std::to_string(child) +
                                  " is not the child joint of a limb");
    }
    check_prior(child, prior);
    priors_[child] = prior;
    limb_priors_[static_cast<std::size_t>(limb_of_child_[child])] = prior;
  }
  /// One prior per limb, aligned with limbs() (trees and non-trees).
  const std::vector<LimbPrior>& limb_length_priors() const { return limb_priors_; }
  /// True when every limb has a known (mean > 0) prior (and there is a limb).
  bool has_limb_priors() const {
    for (const auto& p : limb_priors_) {
      if (!(p.mean > 0.0)) return false;
    }
    return !limb_priors_.empty();
  }
  /// (left, right) joint index pairs, e.g. for flip augmentation or symmetry metrics.
  const std::vector<std::pair<int, int>>& left_right_pairs() const { return pairs_; }

  // --- metadata ------------------------------------------------------------
  /// Registry id ("BODY_25", "HALPE_26", ...) or the name of a custom
  /// skeleton file; empty for an ad-hoc skeleton.
  const std::string& model_name() const { return model_name_; }
  void set_model_name(std::string name) { model_name_ = std::move(name); }
  /// Unit of the limb priors ("mm", "m", or empty = unspecified).
  const std::string& limb_prior_unit() const { return prior_unit_; }
  void set_limb_prior_unit(std::string unit) { prior_unit_ = std::move(unit); }
  /// Segments that give the standing height (empty: no height-based scale).
  const std::vector<HeightSegment>& height_segments() const { return height_segments_; }
  /// Throws std::invalid_argument on joints out of range / equal or a fraction outside (0, 1].
  void set_height_segments(std::vector<HeightSegment> segments);
  /// Joints on the soles (ankles, heels, toes): the lowest points of a
  /// standing person, for floor detection (empty: none known).
  const std::vector<int>& feet() const { return feet_; }
  /// Throws std::invalid_argument on an index out of range or repeated.
  void set_feet(std::vector<int> joints);

 private:
  void require_tree(const char* what) const {
    if (root_ < 0) {
      throw std::invalid_argument(std::string("Skeleton") +
                                  (model_name_.empty() ? "" : " '" + model_name_ + "'") + "::" + what +
                                  ": the skeleton is not a tree (its limbs do not form one spanning tree); "
                                  "use limbs() / limb_length_priors()");
    }
  }
  void check_prior(int j, const LimbPrior& p) const {
    if (!std::isfinite(p.mean) || !std::isfinite(p.tolerance) || p.mean < 0.0 ||
        p.tolerance < 0.0) {
      throw std::invalid_argument("Skeleton: limb prior of joint '" + names_[j] +
                                  "' must have finite mean >= 0 and tolerance >= 0");
    }
  }
  void check_pairs() const;

  std::vector<std::string> names_;
  std::vector<int> parents_;
  std::vector<LimbPrior> priors_;  // per joint (child), trees only
  std::vector<std::pair<int, int>> pairs_;
  int root_ = -1;
  std::vector<std::vector<int>> children_;
  std::vector<int> order_;
  std::vector<std::pair<int, int>> limbs_;
  std::vector<LimbPrior> limb_priors_;  // per limb
  std::vector<int> limb_of_child_;      // trees: limb index of each child joint (-1 for the root)
  std::string model_name_;
  std::string prior_unit_;
  std::vector<HeightSegment> height_segments_;
  std::vector<int> feet_;
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

/// A copy of `skeleton` (metadata included) with the given priors, one per
/// joint indexed by child (trees only; throws std::invalid_argument otherwise).
Skeleton with_limb_priors(const Skeleton& skeleton, std::vector<LimbPrior> priors);

}  // namespace crossview::pose
