// crossview: inputs, options and results of multi-person association
// (associate.hpp: one frame; tracker.hpp: over time). docs/association.md
// explains the algorithm and why it was chosen.
//
// Layout (docs/conventions.md#array-layouts): the people detected in one
// view are packed like a collection, P people x J joints = a 2 x (P*J) pixel
// matrix (column p*J + j = joint j of detected person p, numpy (P, J, 2)) and
// P*J scores in the same order (numpy (P, J)). Pixels are the camera's
// *distorted* pixels (what a detector outputs). A missing joint is a NaN
// column and/or a score <= AssociationOptions::min_joint_score (NaN, negative
// and infinite scores count as missing too). A frame is one ViewDetections
// per camera, view v = cameras[v]; a view may hold zero people.
//
// Units: errors and thresholds are in pixels of the camera's image; 3D
// points are in the unit of the cameras' translations, world frame of
// cam_from_world (the library fixes no unit; nothing here assumes one).
#pragma once

#include <crossview/core/points.hpp>
#include <crossview/triangulation/triangulate.hpp>
#include <crossview/triangulation/types.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace crossview::association {

/// The people detected in one view in one frame.
struct ViewDetections {
  /// 2 x (P*J), column p*J + j = joint j of person p, distorted pixels.
  Points2d keypoints_px;
  /// P*J scores aligned with the columns, or empty (= 1 for every finite pixel).
  Eigen::VectorXd scores;
};

/// A detection: person `detection` of view `view`.
struct DetectionRef {
  int view = -1;
  int detection = -1;
  friend bool operator==(const DetectionRef& a, const DetectionRef& b) {
    return a.view == b.view && a.detection == b.detection;
  }
  friend bool operator<(const DetectionRef& a, const DetectionRef& b) {
    return a.view != b.view ? a.view < b.view : a.detection < b.detection;
  }
};

struct AssociationOptions {
  /// Joints with score <= this (or NaN / Inf score, non-finite pixel) are
  /// missing, for association and reconstruction alike (>= 0).
  double min_joint_score = 0.1;
  /// A detection with fewer usable joints is never associated
  /// (UnmatchedReason::kTooFewJoints) (>= 2).
  int min_detection_joints = 4;

  /// Per-joint consistency threshold of a detection (pixels):
  /// max(threshold_px, threshold_relative x the detection's size), size =
  /// the larger side of the bounding box of its usable joints. A joint agrees
  /// with a 3D hypothesis when its reprojection error is below it, and with a
  /// joint of another view when their Sampson (first-order geometric)
  /// epipolar error is below the larger threshold of the two. Detector noise
  /// grows with the person's size in the image, hence the relative part; the
  /// floor covers small, far people. Both > 0 / >= 0. Why 6 %: on the real
  /// pose2sim_multi capture (OpenPose, 1088 x 1920) a person seen by four
  /// cameras agrees at 4 % in pairs of views only and splits into two
  /// two-view people; at 6 % it is one person in all 100 frames, while the
  /// synthetic bars (2 px noise) keep precision and recall >= 99.9 %
  /// (docs/association.md).
  double threshold_px = 8.0;
  double threshold_relative = 0.06;
  /// The relative part is capped at this fraction of the image diagonal
  /// (> 0): a "detection" spread over the whole image (clutter, garbage)
  /// would otherwise get a threshold so large that it agrees with anything
  /// (measured: 200 random detections per view in 5 views made 68 people
  /// with scores up to 0.79 without the cap, 1 two-view group with it). At
  /// 1920 x 1080 the cap is 55 px, reached by people taller than ~900 px.
  double threshold_max_image_fraction = 0.025;

  /// A pair of detections, or a detection and a 3D hypothesis, must agree on
  /// at least this many joints (>= 2).
  int min_common_joints = 4;
  /// ... and on at least this score-weighted fraction of the joints they
  /// share (in (0, 1]). A view whose fraction falls below it leaves the person.
  /// A joint that other views observe but that has no 3D point yet is tested
  /// against their observations (Sampson error), so it counts too. At 0.5 a
  /// false-positive body standing where a person's occluded view should be
  /// was admitted now and then (measured); true views agree at >= 0.8.
  double min_view_inlier_rate = 0.6;

  /// A group is reported as a person only when it is seen by at least this
  /// many views (>= 2). Raise it to drop people (or figures) seen by two
  /// cameras only: two views check each joint through the epipolar
  /// constraint alone (one degree of freedom), so two unrelated detections
  /// (false positives) sometimes agree; one frame cannot tell such a pair
  /// from a real person at the edge of two cameras (the Tracker can: see
  /// TrackerOptions::confirm_frames).
  int min_views = 2;
  /// ... and its association score (Person::score) is at least this (in [0, 1]).
  /// 0 by default: a person hidden from some cameras by static objects has a
  /// low score and is still a person.
  double min_score = 0.0;
  /// ... and at least this many of its joints are triangulated (>= 1).
  int min_person_joints = 4;

  /// (left, right) joint index pairs (e.g. pose::human36m_17().left_right_pairs()).
  /// When given, a detection whose left and right joints are swapped (a common
  /// detector failure, views from behind; the whole body, or single pairs)
  /// still agrees with the person, and the swap is undone before
  /// triangulation. The skeleton's labels follow the majority of its views
  /// (associate()) or the track's history (Tracker): when most views of a
  /// person swap, associate() reconstructs it mirrored. At most 32 pairs.
  /// Empty: no swaps.
  std::vector<std::pair<int, int>> left_right_pairs;

  /// The per-person reconstruction (triangulation::triangulate_skeleton) on
  /// the observations the association found consistent (the others are
  /// passed as missing); its own min_confidence applies on top.
  triangulation::TriangulationOptions triangulation;

  /// Throws std::invalid_argument naming the first out-of-range option;
  /// `num_joints` > 0 also checks that left_right_pairs index joints < num_joints.
  void validate(int num_joints = 0) const;
};

/// Why a detection was not associated with anyone.
enum class UnmatchedReason : std::uint8_t {
  kTooFewJoints = 0,   ///< Fewer than min_detection_joints usable joints.
  kNoPartner,          ///< No detection of another view agrees with it.
  kDuplicate,          ///< Agrees with a person who already has a detection in this view, or
                       ///< its whole group repeats another person's skeleton.
  kConflict,           ///< Agrees only with detections that belong to other people.
  kTooFewViews,        ///< Its group had fewer than min_views views.
  kRejected,           ///< Its group failed the geometric checks (score, joints, triangulation),
                       ///< or it agrees with another view but no consistent 3D person came of it.
  kTentative,          ///< Tracker: its group is a track not confirmed yet (TrackerOptions::confirm_frames).
};

constexpr const char* to_string(UnmatchedReason r) {
  switch (r) {
    case UnmatchedReason::kTooFewJoints: return "too few usable joints";
    case UnmatchedReason::kNoPartner: return "no consistent detection in another view";
    case UnmatchedReason::kDuplicate: return "duplicate of a person's detection in this view";
    case UnmatchedReason::kConflict: return "consistent only with detections of other people";
    case UnmatchedReason::kTooFewViews: return "group seen by fewer than min_views views";
    case UnmatchedReason::kRejected: return "group failed the geometric checks";
    case UnmatchedReason::kTentative: return "group is a tentative track (not confirmed yet)";
  }
  return "unknown";
}

struct UnmatchedDetection {
  DetectionRef ref;
  UnmatchedReason reason = UnmatchedReason::kNoPartner;
  /// kDuplicate: index (into AssociationResult::people) of the person it duplicates; else -1.
  int person = -1;
  std::string message;
};

/// How the tracker explains a person's identity in this frame.
enum class TrackEvent : std::uint8_t {
  kNone = 0,    ///< associate() only (no tracking).
  kNew,         ///< A new track (new id).
  kContinued,   ///< Seen in the previous frame too.
  kResumed,     ///< Seen again after missed frames (same id).
};

constexpr const char* to_string(TrackEvent e) {
  switch (e) {
    case TrackEvent::kNone: return "none";
    case TrackEvent::kNew: return "new";
    case TrackEvent::kContinued: return "continued";
    case TrackEvent::kResumed: return "resumed";
  }
  return "unknown";
}

/// One view of a person.
struct PersonView {
  DetectionRef ref;
  /// Score-weighted fraction of this detection's usable joints that agree with
  /// the association's 3D hypothesis (what admitted the view), in [0, 1].
  double association_score = 0.0;
  /// Fraction of the detection's usable joints within the detection's
  /// threshold of the final skeleton (distorted pixels), in [0, 1]; joints
  /// that other views observe but that have no 3D point count as outliers.
  double inlier_rate = 0.0;
  /// Median / mean distance (px) between the detection's usable joints and the
  /// final skeleton's reprojection, over the joints that have a 3D point
  /// (outliers included). NaN when none does.
  double median_reprojection_error_px = std::numeric_limits<double>::quiet_NaN();
  double mean_reprojection_error_px = std::numeric_limits<double>::quiet_NaN();
  /// Joints of this view used by the triangulation.
  int num_joints_used = 0;
  /// Left/right pairs whose joints were swapped in this detection (and undone).
  int num_swapped_pairs = 0;
};

/// One associated person.
struct Person {
  /// Tracker: the track id (stable over frames, never reused). associate(): -1.
  int track_id = -1;
  TrackEvent track_event = TrackEvent::kNone;
  /// Tracker: frames since the track's first frame (its tentative frames
  /// included, see TrackerOptions::confirm_frames).
  int track_age_frames = 0;
  /// Tracker, kResumed: frames the track was missed before this one.
  int frames_missed = 0;

  /// Its views, ordered by view index (at most one detection per view).
  std::vector<PersonView> views;
  /// 3 x J triangulated skeleton; NaN columns for joints not triangulated.
  Points3d points_in_world;
  /// Per joint: the triangulation's status (kTooFewViews when fewer than two
  /// consistent observations were available).
  std::vector<triangulation::Status> joint_status;
  /// Per joint: views used; mean reprojection error over them (px, NaN unless kSuccess).
  Eigen::VectorXi joint_num_views;
  Eigen::VectorXd joint_reprojection_error_px;
  int num_valid_joints = 0;

  /// Association score in [0, 1]: the score-weighted fraction of the member
  /// detections' usable joints that agree with the skeleton, times
  /// num_views / (num_views + num_unexplained_views). A mixture of people has
  /// many disagreeing joints; a ghost made of unrelated detections is often
  /// "seen" by cameras where nothing explains its absence.
  double score = 0.0;
  /// Cameras that should see the person (at least half of its joints, and
  /// min_common_joints, project in front and inside the image) where no
  /// detection overlaps a fifth of its projected box, except detections of
  /// people nearer to that camera (occluders): a real person there would be
  /// detected, or hidden by someone in front.
  int num_unexplained_views = 0;
  /// Over all member observations with a 3D point: median and mean
  /// reprojection error (px), and the fraction within threshold.
  double median_reprojection_error_px = std::numeric_limits<double>::quiet_NaN();
  double mean_reprojection_error_px = std::numeric_limits<double>::quiet_NaN();
  double inlier_rate = 0.0;

  int num_views() const { return static_cast<int>(views.size()); }
};

/// Outcome of one frame.
enum class FrameStatus : std::uint8_t {
  kSuccess = 0,    ///< At least one person.
  kNoDetections,   ///< No view holds a detection.
  kNoPeople,       ///< Detections, but no group of them passed the checks.
};

constexpr const char* to_string(FrameStatus s) {
  switch (s) {
    case FrameStatus::kSuccess: return "success";
    case FrameStatus::kNoDetections: return "no detections";
    case FrameStatus::kNoPeople: return "no person associated";
  }
  return "unknown";
}

struct AssociationResult {
  FrameStatus status = FrameStatus::kNoDetections;
  std::string message;
  /// Ordered by track id (tracker) or by first view, then detection (associate()).
  std::vector<Person> people;
  /// Every detection that belongs to no person, with the reason.
  std::vector<UnmatchedDetection> unmatched;
  /// person_of_detection[v][p]: index into `people`, or -1.
  std::vector<std::vector<int>> person_of_detection;
  /// Tracker: ids of the tracks that ended with this frame (not seen for more
  /// than TrackerOptions::max_missed_frames frames).
  std::vector<int> ended_track_ids;

  bool ok() const { return status == FrameStatus::kSuccess; }
};

}  // namespace crossview::association
