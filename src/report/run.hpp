// crossview report: the data model of one run, as the CLI fills it and the
// interactive HTML page (html.hpp) shows it. Internal to the crossview tool
// (target crossview_report), not part of the installed API.
//
// A run is: cameras, a skeleton, F frames; per frame and view the detections
// (any number of people); per person (stable id, own colour) one or more
// *layers* (ground truth, DLT, robust, RPSM, filtered...), each a sequence of
// 3D poses; per layer optionally how it was triangulated (views used,
// reprojection errors per view); warnings; comparison tables.
//
// Layouts follow docs/conventions.md: a layer's joints are one packed sequence
// 3 x (F*J) (column f*J + j), world frame, in Run::length_unit; a view's
// detections at one frame are 2 x (N*J) (column n*J + j) with N*J scores.
// Missing = NaN column (detections: also score 0). Frames are indices
// 0..F-1 (Run::frame_numbers gives the capture's own numbers).
//
// Run::validate() throws std::invalid_argument naming the first inconsistent
// field (sizes, duplicate person ids, out-of-range joints / cameras / frames,
// a table without the statement of what it compares on).
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace crossview::report {

/// What a layer of a person is; decides its default style in the page.
enum class LayerKind : std::uint8_t {
  kGroundTruth = 0,  ///< Known answer (synthetic scenes).
  kReference,        ///< Another tool's result (e.g. Pose2Sim's .trc): not ground truth.
  kDlt,              ///< Linear triangulation of all detections.
  kRobust,           ///< Robust triangulation (inlier views only).
  kRpsm,             ///< Recursive pictorial structure model.
  kFiltered,         ///< Temporal filter / smoother output.
  kOther,
};
const char* to_string(LayerKind kind);

/// The skeleton drawn: joint names and limbs (pairs of joint indices). No
/// limbs = points only; no names = "joint 0", "joint 1", ...
struct Skeleton {
  std::string name;                         ///< e.g. "BODY_25B"; empty when unknown.
  std::vector<std::string> joint_names;     ///< Empty or one per joint.
  std::vector<std::pair<int, int>> limbs;   ///< (a, b) joint indices, a != b.
  bool guessed = false;                     ///< Chosen by the tool (e.g. by joint count), not by the user.
  std::string guess_reason;                 ///< Shown with the warning when guessed.
};

/// How a layer's joints were obtained from the views (triangulation).
struct TriangulationFit {
  /// F*J entries (index f*J + j): bit v set when view v determined the joint
  /// (robust methods: the inlier views). Needs at most 32 views.
  std::vector<std::uint32_t> used_views;
  /// V x (F*J), column f*J + j: reprojection error (px, distorted image) of
  /// the joint in view v, for every view with a usable observation whether
  /// used or not; NaN where the view has none or the joint is missing.
  Eigen::MatrixXf reprojection_error_px;
};

/// One method's 3D joints of one person over the whole run.
struct Layer {
  std::string method;  ///< Label shown ("robust triangulation", "RPSM", ...).
  LayerKind kind = LayerKind::kOther;
  Points3d joints_in_world;  ///< 3 x (F*J) packed, column f*J + j; NaN = missing.
  /// Empty or F entries: 1 where the method kept its start (e.g. RPSM failed
  /// and the robust triangulation was kept), 0 elsewhere.
  std::vector<std::uint8_t> kept_start;
  /// What the layer started from when kept_start is set (e.g. "robust triangulation").
  std::string start_label;
  std::optional<TriangulationFit> fit;
};

/// One person, drawn in its own colour in every panel.
struct Person {
  int id = 0;             ///< Stable over the run, unique; detections refer to it.
  std::string label;      ///< Empty = "person <id>".
  std::string color;      ///< "#rrggbb"; empty = the page's palette by position.
  std::vector<Layer> layers;
};

/// The detections of one view at one frame: N people (any number).
struct ViewDetections {
  Points2d pixels_px;            ///< 2 x (N*J), column n*J + j; NaN = joint not detected.
  Eigen::VectorXd scores;        ///< N*J scores in [0, 1]; 0 = not detected.
  std::vector<int> person_ids;   ///< N: the Person::id it was assigned to, -1 = none.
  int num_people() const { return static_cast<int>(person_ids.size()); }
};

enum class WarningKind : std::uint8_t {
  kCameraLowInlierRate = 0,  ///< A camera's inlier rate far below the others': moved, miscalibrated or swapped.
  kCameraHighError,          ///< A camera's reprojection error far above the others'.
  kCamerasSwapped,           ///< Exchanging two cameras' detections explains the data much better.
  kKeptStart,                ///< A method (RPSM) kept its start in some frames.
  kSkeletonGuessed,          ///< The skeleton was chosen by joint count.
  kUnitGuessed,              ///< The length unit was assumed.
  kUnitImplausible,          ///< Bone lengths do not look like a human's in the stated unit.
  kFewTriangulated,          ///< Many joints could not be triangulated.
  kOther,
};
const char* to_string(WarningKind kind);

struct Warning {
  WarningKind kind = WarningKind::kOther;
  std::string message;
  std::vector<int> cameras;  ///< Indices into Run::cameras it concerns.
  std::vector<int> frames;   ///< Frame indices it concerns (sorted).
};

/// A comparison table. `basis` states what every row is computed on (same
/// frames, joints, views); a table without it is refused by validate().
struct Table {
  std::string title;
  std::string basis;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  ///< Each of columns.size() cells.
};

struct Run {
  std::string title = "crossview run";
  std::vector<std::pair<std::string, std::string>> notes;  ///< (heading, text).
  Skeleton skeleton;
  int num_joints = 0;   ///< J (> 0).
  int num_frames = 0;   ///< F (> 0).
  std::string length_unit = "m";  ///< Of the 3D joints and the camera translations.
  bool length_unit_guessed = false;
  double fps = 0.0;     ///< Frames per second; 0 = unknown (time axes in frames).
  std::vector<long long> frame_numbers;  ///< Empty or F: the capture's frame numbers.
  int up_axis = 2;      ///< World axis pointing up: 0 X, 1 Y, 2 Z.
  std::vector<camera::Camera> cameras;  ///< V cameras; view index = position.
  std::vector<Person> persons;
  /// Empty, or [F][V] detections.
  std::vector<std::vector<ViewDetections>> detections;
  std::vector<Warning> warnings;  ///< The producer's own (merged with the diagnostics').
  std::vector<Table> tables;

  int num_views() const { return static_cast<int>(cameras.size()); }
  /// Name of joint j ("joint j" when the skeleton has no names).
  std::string joint_name(int j) const;
  /// Person with this id, or nullptr.
  const Person* find_person(int id) const;

  /// Throws std::invalid_argument naming the first inconsistent field.
  void validate() const;
};

}  // namespace crossview::report
