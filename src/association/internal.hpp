// crossview::association internals shared by associate.cpp, grouping.cpp,
// reconstruct.cpp and tracker.cpp (not installed).
#pragma once

#include <crossview/association/types.hpp>
#include <crossview/camera/camera.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace crossview::association::detail {

/// Lines closer than this angle (deg) give no depth: such a pair of rays
/// neither seeds nor determines a joint during association.
constexpr double kMinRayAngleDeg = 2.0;

struct CameraGeometry {
  Eigen::Matrix3d R = Eigen::Matrix3d::Identity();  ///< cam_from_world rotation
  Eigen::Vector3d t = Eigen::Vector3d::Zero();
  Eigen::Vector3d center = Eigen::Vector3d::Zero();  ///< in world
  double fx = 1, fy = 1, cx = 0, cy = 0;
  int width = 1, height = 1;
};

/// Everything association needs about one frame, computed once.
/// Detections are numbered globally: g = view_offset[v] + p. Joint arrays
/// are packed by (g, j) -> column g*J + j.
struct FrameGeometry {
  int num_views = 0;
  int num_joints = 0;
  std::vector<CameraGeometry> cams;
  std::vector<int> view_offset;  ///< size V + 1
  std::vector<int> det_view, det_index;
  std::vector<int> num_usable;      ///< usable joints per detection
  std::vector<char> usable_det;     ///< num_usable >= min_detection_joints
  std::vector<double> threshold_px;  ///< per detection
  std::vector<Eigen::Vector4d> bbox_px;  ///< distorted px: umin vmin umax vmax (usable joints)
  std::vector<Eigen::Vector4d> und_bbox;  ///< undistorted px, same
  std::vector<double> min_scale;          ///< smallest local scale of the usable joints
  Eigen::Matrix2Xd und;   ///< undistorted pixels K (x, y, 1)
  Eigen::Matrix3Xd ray;   ///< unit ray directions in world
  Eigen::VectorXd weight;  ///< score when usable, else 0
  Eigen::VectorXd scale;   ///< local distorted px per undistorted px (1 for pinhole)
  std::vector<Eigen::Matrix3d> F;  ///< F[v*V + w]: u_w^T F u_v = 0 (undistorted px)
  std::vector<char> pair_ok;        ///< V*V: distinct centres
  /// L/R pairs: pair_of[j] = k or -1; partner[j] = other joint of the pair.
  std::vector<int> pair_of, partner;
  int num_pairs = 0;

  int num_detections() const { return static_cast<int>(det_view.size()); }
  bool usable(int g, int j) const { return weight[static_cast<Eigen::Index>(g) * num_joints + j] > 0.0; }
  Eigen::Index col(int g, int j) const { return static_cast<Eigen::Index>(g) * num_joints + j; }
  /// The detection's joint observed for skeleton joint j under swap mask.
  int obs_joint(int j, std::uint32_t swap_mask) const {
    const int k = pair_of[j];
    return (k >= 0 && ((swap_mask >> k) & 1u)) ? partner[j] : j;
  }
};

/// Validates shapes (throws std::invalid_argument naming `what`).
void check_inputs(const std::vector<camera::Camera>& cameras, const std::vector<ViewDetections>& views,
                  int num_joints, const char* what);

FrameGeometry build_geometry(const std::vector<camera::Camera>& cameras,
                             const std::vector<ViewDetections>& views, int num_joints,
                             const AssociationOptions& options);

/// How one detection agrees with a 3D skeleton (or with another detection).
struct Fit {
  double w_in = 0.0, w_common = 0.0;
  int n_in = 0, n_common = 0;
  double sum_err = 0.0;  ///< errors truncated at the threshold
  std::uint32_t swap_mask = 0;
  double rate() const { return w_common > 0.0 ? w_in / w_common : 0.0; }
  bool qualifies(const AssociationOptions& o) const {
    return n_in >= o.min_common_joints && w_common > 0.0 && w_in >= o.min_view_inlier_rate * w_common;
  }
  /// Evidence that the detection is this person: agreeing weight minus
  /// kDisagreementCost x disagreeing weight. A true detection agrees on
  /// nearly every joint it shares; a larger detection of someone else that
  /// agrees on some joints by chance must not beat a smaller true one.
  double evidence() const { return w_in - kDisagreementCost * (w_common - w_in); }
  static constexpr double kDisagreementCost = 1.5;
  /// Strictly better (more evidence, then lower error).
  bool better_than(const Fit& other) const {
    if (evidence() != other.evidence()) return evidence() > other.evidence();
    return sum_err < other.sum_err;
  }
};

/// A 3D skeleton projected into one view (undistorted pixels).
struct Projection {
  Eigen::Matrix2Xd px;
  std::vector<char> ok;
};

void project(const FrameGeometry& geom, int view, const Eigen::Matrix3Xd& X, Projection* out);

/// The observations of each joint by the members of a group other than the
/// one of a given view.
struct OtherObservations {
  std::vector<int> count;  ///< per joint: number of other members observing it
  /// per joint j, entries [j*V, j*V + count[j]): those members (global
  /// detections) and their joint index (swap applied).
  std::vector<int> det, joint;
  int num_views = 0;
};

/// Fit of detection g against the projection of X in its view; per-joint
/// inlier flags (skeleton joint order) into `inlier` (size J) when given.
/// With `others`: a usable joint of g that has no 3D point but is observed by
/// other members is tested against their observations (Sampson error +
/// cheirality) and agrees when it agrees with one of them, so a hypothesis
/// still missing a joint can grow it.
Fit fit_detection(const FrameGeometry& geom, int g, const Projection& proj, double tau_scale,
                  bool allow_swaps, char* inlier, const OtherObservations* others = nullptr);

/// Sampson error (distorted px, through the local scales) between joint a of
/// detection g and joint b of detection h (different views); returns whether
/// the closest points of the two rays lie in front of both cameras (true for
/// nearly parallel lines, which carry no depth).
bool pair_error(const FrameGeometry& geom, int g, int a, int h, int b, double* error_px);

/// Pairwise test of detections g (reference) and h (other view): Sampson
/// errors + cheirality; swap mask applies to h. `inlier` (size J) optional.
Fit fit_pair(const FrameGeometry& geom, int g, int h, bool allow_swaps, char* inlier);

/// A group of detections (at most one per view) and its 3D hypothesis.
struct Group {
  std::vector<int> member;                ///< per view: global detection or -1
  std::vector<std::uint32_t> swap_mask;   ///< per view
  std::vector<char> inlier;               ///< V*J: view v's observation of joint j agrees
  std::vector<Fit> fit;                   ///< per view (members only meaningful)
  Eigen::Matrix3Xd X;                     ///< 3 x J, NaN where undetermined
  double support = 0.0;                   ///< sum of member inlier weights
  int seed_a = -1, seed_b = -1;           ///< the seed pair (associate) or -1

  int num_members() const {
    int n = 0;
    for (int m : member) n += m >= 0 ? 1 : 0;
    return n;
  }
  void reset(int num_views, int num_joints);
};

/// The members' observations other than the member of `view`.
void observed_by_others(const FrameGeometry& geom, const Group& group, int view, OtherObservations* others);

/// Triangulates group.X from the members' inlier observations (weighted
/// least-squares ray intersection, re-weighted once by depth). Returns the
/// number of joints determined.
int triangulate_group(const FrameGeometry& geom, Group* group);

/// Iteratively: triangulate, then in every view pick the available detection
/// that agrees best (the current member stays a candidate); until membership
/// is stable (at most `max_iterations`). available[g] == 0 excludes g.
/// Normalises left/right labels to the members' majority. Returns false when
/// fewer than two members remain.
bool refine_group(const FrameGeometry& geom, const AssociationOptions& options,
                  const std::vector<char>& available, int max_iterations, Group* group);

/// Makes the members' majority the reference labelling of every left/right
/// pair of group.X (a seed taken from a swapped detection would otherwise
/// label the whole person's left as right). Returns true when X was
/// relabelled (member fits are then stale).
bool normalise_left_right(const FrameGeometry& geom, Group* group);

/// Per joint, the largest set of the members' observations that agree with
/// one point (hypotheses from every pair of them, inliers within each
/// detection's threshold, ties to the lower error) becomes the joint's
/// inlier flags: a poorly conditioned pair must not outvote the others.
/// Joints with no agreeing pair lose their flags.
void select_joint_observations(const FrameGeometry& geom, Group* group);

/// Fits of all members against group.X; recomputes inlier flags and support.
/// Members that no longer qualify are removed when `drop` is true.
void evaluate_members(const FrameGeometry& geom, const AssociationOptions& options, bool drop,
                      Group* group);

/// Per-detection outcome of the pool association.
struct PoolOutcome {
  std::vector<Group> groups;                 ///< accepted (pre-reconstruction) groups
  std::vector<UnmatchedReason> reason;       ///< per global detection (for unclaimed ones)
};

/// Full association among the detections with available[g] != 0.
PoolOutcome associate_pool(const FrameGeometry& geom, const AssociationOptions& options,
                           const std::vector<char>& available);

/// Reconstruction of an accepted group (calls the triangulation). Sets
/// Person::score to the weighted agreement only (score_people() completes
/// it). Returns false (and a reason) when fewer than two views contribute,
/// or, with `apply_checks`, min_views / min_person_joints fail.
bool reconstruct_person(const std::vector<camera::Camera>& cameras,
                        const std::vector<ViewDetections>& views, const FrameGeometry& geom,
                        const AssociationOptions& options, const Group& group, bool apply_checks,
                        Person* person, UnmatchedReason* reason, std::string* why);

/// Completes every person's evidence from all the people of the frame:
/// num_unexplained_views (depth-aware: another person's detection explains a
/// view only when that person is in front) and the score. Returns per person
/// whether score >= options.min_score.
std::vector<char> score_people(const std::vector<camera::Camera>& cameras, const FrameGeometry& geom,
                               const AssociationOptions& options, std::vector<Person>* people);

/// People whose detections agree, in most of their views, with another
/// person's skeleton are duplicates of it (e.g. a detector reporting a body
/// twice in several views): returns per person the index of the person it
/// duplicates, or -1. People are compared in order of decreasing evidence
/// (views, then valid joints); the first one is kept.
std::vector<int> find_duplicate_people(const FrameGeometry& geom, const AssociationOptions& options,
                                       const std::vector<Person>& people);

/// Maximum-weight assignment of rows to columns (profit > 0 only);
/// result[r] = column or -1. Deterministic. O(n^3), n = max(rows, cols).
std::vector<int> max_weight_assignment(const Eigen::MatrixXd& profit);

/// Fills AssociationResult::unmatched / person_of_detection / status for the
/// people in `result` (person_of_detection must be sized already).
void finish_result(const FrameGeometry& geom, const AssociationOptions& options,
                   const std::vector<UnmatchedReason>& reason, const std::vector<std::string>& why,
                   AssociationResult* result);

}  // namespace crossview::association::detail
