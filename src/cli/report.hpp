// crossview CLI: a self-contained HTML report (inline SVG, no external assets)
// of a multi-view pose run: each view with its 2D detections and the reprojected
// 3D skeletons, orthographic 3D views, per-joint error bars, the camera layout
// from above and a metrics table.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <string>
#include <utility>
#include <vector>

namespace crossview::cli {

// Point sets in the library's layout (docs/conventions.md#array-layouts).
struct ReportPose {
  std::string label;
  std::string color;  ///< CSS colour.
  Points3d joints;    ///< 3 x J in the world frame; NaN columns are missing joints.
  bool dashed = false;
};

struct ReportView {
  camera::Camera camera;
  Points2d keypoints_px;         ///< 2 x J detections (distorted pixels).
  Eigen::VectorXd scores;        ///< J confidences; 0 = missing.
  std::vector<char> is_outlier;  ///< Optional per-joint flag (planted outliers), may be empty.
};

struct ReportSeries {
  std::string label;
  std::string color;
  std::vector<double> values;  ///< One value per joint (NaN = no value).
};

struct Report {
  std::string title = "crossview report";
  std::string subtitle;
  std::vector<std::string> joint_names;
  std::vector<int> parents;               ///< Skeleton tree, -1 at the root.
  std::vector<ReportView> views;          ///< One frame of every view.
  std::vector<ReportPose> poses;          ///< Poses of that frame (ground truth, estimates).
  std::string frame_label;                ///< e.g. "frame 12".
  std::vector<ReportSeries> per_joint_errors;  ///< Mean error per joint per method.
  std::string error_unit = "mm";
  std::vector<std::string> table_header;
  std::vector<std::vector<std::string>> table_rows;
  std::vector<Eigen::Vector3d> trajectory;  ///< Root positions over the sequence (world).
  int up_axis = 2;                          ///< World axis pointing up (0 X, 1 Y, 2 Z).
  std::vector<std::pair<std::string, std::string>> notes;  ///< (heading, text) paragraphs.
};

/// The whole HTML document.
std::string render_html_report(const Report& report);


}  // namespace crossview::cli
