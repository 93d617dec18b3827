// crossview report: helpers that turn the pipeline's per-frame results into
// the report's data model (run.hpp), and the one place where the report calls
// the triangulation API (so adapting to its packed signatures is a few lines).
#pragma once

#include "report/run.hpp"

#include <crossview/triangulation/triangulate.hpp>

#include <string>
#include <vector>

namespace crossview::report {

/// The detections of person `person_id` at frame f in every view, packed
/// 2 x (V*J) (column v*J + j) with V*J scores; NaN / 0 where a view has no
/// detection assigned to that person (the first one when several are).
/// Throws std::invalid_argument when the run has no detections or f is out of range.
void person_detections(const Run& run, int frame, int person_id, Points2d* pixels_px, Eigen::VectorXd* scores);

/// Triangulates every joint of one frame: `pixels_px` 2 x (V*J) packed,
/// `scores` V*J (score <= options.min_confidence or NaN pixel = missing).
/// Wraps triangulation::triangulate_skeleton.
triangulation::SkeletonResult triangulate_frame(const std::vector<camera::Camera>& cameras, const Points2d& pixels_px,
                                                const Eigen::VectorXd& scores,
                                                const triangulation::TriangulationOptions& options);

/// A layer (joints 3 x (F*J) + fit: used views, per-view reprojection errors)
/// from one triangulation result per frame (each with J joints and
/// `num_views` views). Throws std::invalid_argument on inconsistent sizes or
/// more than 32 views.
Layer layer_from_triangulation(std::string method, LayerKind kind,
                               const std::vector<triangulation::SkeletonResult>& frames, int num_joints,
                               int num_views);

/// A layer from poses without a fit (ground truth, RPSM, filters): `poses` is
/// one 3 x J matrix per frame (NaN columns = missing).
Layer layer_from_poses(std::string method, LayerKind kind, const std::vector<Points3d>& poses, int num_joints);

}  // namespace crossview::report
