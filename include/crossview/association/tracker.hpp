// crossview: multi-person tracking over time with calibrated cameras.
//
//   namespace as = crossview::association;
//   as::Tracker tracker(cameras, /*num_joints=*/25, options);
//   for (const auto& frame : frames) {                     // frame: one ViewDetections per camera
//     as::AssociationResult r = tracker.update(frame);
//     for (const as::Person& p : r.people) write(p.track_id, p.points_in_world);
//   }
//   for (const as::TrackSummary& t : tracker.tracks()) report(t);
//
// Each frame (docs/association.md):
//  1. Every live track predicts its skeleton (last 3D pose moved by its
//     smoothed centroid velocity x frames since it was seen).
//  2. In each view, tracks and detections are matched by a maximum-weight
//     assignment on how many joints of a detection agree with the track's
//     projected prediction (threshold x prediction_threshold_scale, growing
//     with missed frames).
//  3. Tracks seen in >= 2 views are triangulated; then every view is matched
//     again against these current skeletons (normal threshold), so a view
//     that the prediction matched wrongly (two people crossing in it) is
//     corrected by the others; views that do not agree leave the track.
//  4. Detections no track explains go through the full associate() pipeline;
//     a new group that agrees with the prediction of a track missed in this
//     frame resumes that track (same id), otherwise it starts a new track.
//  5. People are reconstructed and checked exactly as in associate(); a track
//     not seen for more than max_missed_frames frames ends (its id is never
//     reused).
// Deterministic (no randomness; ties go to lower indices).
//
// Failure modes: as associate(); update() throws std::invalid_argument when
// the frame does not have one ViewDetections per camera or shapes are wrong
// (the tracker's state is then unchanged).
//
// Definitions: src/association/tracker.cpp.
#pragma once

#include <crossview/association/types.hpp>
#include <crossview/camera/camera.hpp>

#include <memory>
#include <vector>

namespace crossview::association {

struct TrackerOptions {
  AssociationOptions association;
  /// A track not seen for more than this many consecutive frames ends (>= 0).
  int max_missed_frames = 10;
  /// Threshold multiplier when matching detections to a track's *predicted*
  /// skeleton (>= 1): prediction errors add to detection noise.
  double prediction_threshold_scale = 2.0;
  /// ... plus this much per frame the track has been missed (>= 0): at 30 fps
  /// a walking person's velocity-predicted position drifts by about a
  /// centimetre per missed frame.
  double prediction_threshold_growth = 0.2;
  /// Predict with a constant (smoothed) centroid velocity; false = last pose.
  bool constant_velocity = true;
  /// Weight of the newest displacement in the velocity's exponential average, in (0, 1].
  double velocity_smoothing = 0.5;
  /// A new track is *tentative* (not reported, its detections listed as
  /// UnmatchedReason::kTentative, no id yet) until it has been seen in
  /// confirm_frames consecutive frames (>= 1), or by confirm_views views in
  /// one frame (>= 2). A tentative track missed once is dropped. Two views
  /// check a person through the epipolar constraint only (one degree of
  /// freedom per joint), so two unrelated detections (false positives,
  /// reflections) agree by chance now and then; such ghosts rarely persist,
  /// while a real person seen by two cameras does. confirm_frames = 1
  /// reports every group at once.
  int confirm_frames = 3;
  int confirm_views = 3;

  /// Throws std::invalid_argument naming the first out-of-range option.
  void validate(int num_joints = 0) const;
};

/// The life of one (confirmed) track, updated every frame.
struct TrackSummary {
  int track_id = -1;
  int first_frame = -1;  ///< Index (0-based, counted by update()) of its first frame (tentative ones included).
  int last_frame = -1;   ///< Last frame it was seen in.
  int num_frames_seen = 0;  ///< Frames it was reported in.
  bool ended = false;
  /// Over the frames it was seen in: median number of views, largest number
  /// of views, median association score, median reprojection error (px).
  double median_num_views = 0.0;
  int max_num_views = 0;
  double median_score = 0.0;
  double median_reprojection_error_px = 0.0;
};

class Tracker {
 public:
  /// Throws std::invalid_argument on num_joints < 1, no camera, or invalid options.
  Tracker(std::vector<camera::Camera> cameras, int num_joints, TrackerOptions options = {});
  ~Tracker();
  Tracker(Tracker&&) noexcept;
  Tracker& operator=(Tracker&&) noexcept;
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  /// Processes the next frame (one ViewDetections per camera). People carry
  /// their track_id, track_event, track_age_frames and frames_missed.
  AssociationResult update(const std::vector<ViewDetections>& views);

  /// Frames processed so far.
  int num_frames() const;
  /// Every track so far (live and ended), by id.
  std::vector<TrackSummary> tracks() const;
  /// Forgets every track (ids restart at 0) and the frame count.
  void reset();

  const std::vector<camera::Camera>& cameras() const;
  const TrackerOptions& options() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct SequenceResult {
  std::vector<AssociationResult> frames;
  std::vector<TrackSummary> tracks;
};

/// Runs a Tracker over `frames` (frames[f][v] = detections of view v in frame f).
SequenceResult track_sequence(const std::vector<camera::Camera>& cameras,
                              const std::vector<std::vector<ViewDetections>>& frames,
                              int num_joints, const TrackerOptions& options = {});

}  // namespace crossview::association
