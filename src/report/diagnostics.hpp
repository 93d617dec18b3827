// crossview report: diagnostics of a run, computed from its data so the CLI
// can print them and the page can show them (issue 24).
//
//  - Per camera: usable detections of triangulated joints, how many the fit
//    used (inliers), the inlier rate, the median reprojection error (of the
//    used detections, and of all of them); the same per frame (the page's
//    plots over time).
//  - Warnings: a camera whose inlier rate is far below the others' (moved,
//    miscalibrated or swapped) or whose error is far above; two cameras whose
//    detections, exchanged, explain the data much better (the swap test: the
//    detections of sampled frames are re-triangulated robustly under every
//    pairwise exchange of two views and the inlier count compared with the
//    unchanged assignment); frames where a method kept its start (RPSM);
//    skeleton / unit guesses; bone lengths that do not fit the stated unit;
//    layers with few triangulated joints.
//  - Comparison tables that compare every method on the same frames, joints
//    and views, and say so (Table::basis): reprojection error against every
//    detection (also the ones a robust method rejected), error against the
//    ground truth / a reference, bone-length stability; and a per-camera table.
//
// Cost: O(F J V) for the statistics and tables, plus the swap test:
// (1 + V(V-1)/2) x swap_test_frames x persons x J robust triangulations
// (V <= 8; above, only pairs with a camera below the others' inlier rate).
// Deterministic (seeded); throws std::invalid_argument on invalid options or
// a run that fails Run::validate().
#pragma once

#include "report/run.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace crossview::report {

struct DiagnosticsOptions {
  /// Layer whose fit gives the per-camera figures ("" = each person's first
  /// layer with a fit).
  std::string fit_method;
  /// Detections scored <= this are ignored by the swap test and the
  /// reprojection table ([0, 1)).
  double min_confidence = 0.0;
  /// Inlier gate of the swap test's robust triangulation (px, > 0).
  double inlier_threshold_px = 10.0;
  /// Frames sampled (evenly) for the swap test; 0 disables it.
  int swap_test_frames = 40;
  /// A camera is flagged when its inlier rate is below ratio x the median of
  /// the others' and at least `low_inlier_gap` below it.
  double low_inlier_ratio = 0.6;
  double low_inlier_gap = 0.25;
  /// The swap test reports an exchange of two cameras when it raises the
  /// inlier rate of each of them by at least this (absolute) and by 30 %, and
  /// the whole rig's by 20 % ([0, 1)).
  double swap_min_gain = 0.1;
  /// ... or when its median error (all detections) is above ratio x the
  /// others' median and above min_px.
  double high_error_ratio = 3.0;
  double high_error_min_px = 5.0;
  /// Cameras with fewer usable detections than this are not compared.
  int min_observations = 30;
  /// A layer triangulating fewer than this fraction of joint instances is flagged.
  double min_triangulated_fraction = 0.5;
  /// Also build the comparison tables.
  bool tables = true;
  std::uint64_t seed = 1;

  /// Throws std::invalid_argument naming the first out-of-range option.
  void validate() const;
};

struct CameraSummary {
  std::string name;
  long long observations = 0;     ///< Usable detections of joints the fit triangulated.
  long long detections_used = 0;  ///< Of those, used by the fit (inliers).
  double inlier_rate = std::numeric_limits<double>::quiet_NaN();
  double median_error_px = std::numeric_limits<double>::quiet_NaN();      ///< Used detections.
  double median_error_all_px = std::numeric_limits<double>::quiet_NaN();  ///< All observations.
  /// Median of (detection - reprojection) over all observations (px): a
  /// systematic shift points to a moved or miscalibrated camera. NaN without detections.
  Eigen::Vector2d median_offset_px = Eigen::Vector2d::Constant(std::numeric_limits<double>::quiet_NaN());
};

/// The swap test's outcome (ran = false when there were no detections, fewer
/// than 2 views, or it was disabled).
struct SwapTest {
  bool ran = false;
  int frames = 0;                    ///< Frames sampled.
  std::vector<double> inlier_rate;   ///< Per camera, detections as given.
  double total_inlier_rate = std::numeric_limits<double>::quiet_NaN();
  int camera_a = -1, camera_b = -1;  ///< Best exchange (or -1).
  std::vector<double> swapped_inlier_rate;  ///< Per camera, with a and b exchanged.
  double swapped_total_inlier_rate = std::numeric_limits<double>::quiet_NaN();
  bool detected = false;             ///< The exchange passed the test (a warning was issued).
};

struct Diagnostics {
  std::string fit_method;              ///< Layer(s) the per-camera figures come from; "" when none had a fit.
  std::vector<CameraSummary> cameras;  ///< V entries (empty figures when no fit).
  /// Per frame and camera, index f*V + v: median reprojection error (px) of
  /// the used detections, and inlier rate; NaN where the camera had none.
  std::vector<float> frame_error_px;
  std::vector<float> frame_inlier_rate;
  SwapTest swap;
  std::vector<Warning> warnings;  ///< Computed (Run::warnings are not repeated here).
  std::vector<Table> tables;
};

Diagnostics diagnose(const Run& run, const DiagnosticsOptions& options = {});

/// The diagnostics block for a terminal: per camera detections used, inlier
/// rate, median error; then every warning (the run's and the computed ones).
std::string format_diagnostics(const Run& run, const Diagnostics& diagnostics);
/// The same as a JSON object {"fit_method", "cameras": [...], "swap_test": {...},
/// "warnings": [{"kind", "message", "cameras": [names], "frames": [...]}]}.
std::string diagnostics_json(const Run& run, const Diagnostics& diagnostics);

/// Frames as text ranges, in the run's frame numbers: "3, 17-19, 40"
/// (at most `max_items` items, then "... (N frames)").
std::string format_frames(const Run& run, const std::vector<int>& frames, int max_items = 12);

/// Metres per unit for "m", "cm", "mm"; NaN otherwise.
double metres_per_unit_or_nan(const std::string& unit);

}  // namespace crossview::report
