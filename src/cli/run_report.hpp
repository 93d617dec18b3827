// crossview CLI: what a command computed, as the interactive report's run
// (src/report: report::Run), its diagnostics (per camera: detections used,
// inlier rate, median reprojection error; warnings such as two cameras that
// look swapped) printed on the terminal and in --json, and the page's text
// (staged through the command's RunOutputs). The one place where the CLI
// talks to crossview_report.
#pragma once

#include "common.hpp"
#include "json_output.hpp"

#include "report/diagnostics.hpp"
#include "report/html.hpp"
#include "report/pipeline.hpp"
#include "report/run.hpp"

#include <crossview/association/types.hpp>
#include <crossview/core/points.hpp>
#include <crossview/pose/skeleton.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace crossview::cli {

/// The report's skeleton of a pose::Skeleton; `guess_reason` non-empty marks
/// it as chosen by the tool (e.g. by joint count), not by the user.
report::Skeleton report_skeleton(const pose::Skeleton& skeleton, const std::string& guess_reason = {});

/// One person (id 0) per view from packed frames: frames_px[f] is 2 x (V*J)
/// (column v*J + j) with V*J scores (<= 0, or a non-finite pixel = not
/// detected). A view with no detected joint at a frame has no person there.
/// Returns [F][V] detections for report::Run::detections.
std::vector<std::vector<report::ViewDetections>> single_person_detections(
    const std::vector<Points2d>& frames_px, const std::vector<Eigen::VectorXd>& scores, int num_views,
    int num_joints);

/// A layer from packed poses 3 x (F*J) (column f*J + j, NaN = missing).
report::Layer poses_layer(const std::string& method, report::LayerKind kind, const Points3d& poses, int num_joints);

/// report::diagnose with the command's detection threshold and inlier gate;
/// per-camera figures from the layer named `fit_method` ("" = the first with a fit).
report::Diagnostics diagnose_run(const report::Run& run, const std::string& fit_method, double min_confidence,
                                 double inlier_threshold_px, std::uint64_t seed);

/// A run and its diagnostics.
struct RunReport {
  report::Run run;
  report::Diagnostics diagnostics;
};

/// One reconstructed person of `crossview triangulate`: its id (>= 0), its
/// packed poses 3 x (F*J) (NaN = missing) and, per frame and view
/// (index f*V + v), the index of its detection in that view or -1.
struct ReportPerson {
  int id = 0;
  std::string label;
  Points3d poses;
  std::vector<int> detection;
};

/// The run of `crossview triangulate` over several people: every detection of
/// every view (`frames[f][v]`, 2 x (P*J) + P*J scores), each assigned to the
/// person it was associated with (or none); one layer per person (the chosen
/// method) whose fit is measured against its own detections: a detection's
/// joint (score > min_confidence) counts as used when it reprojects within the
/// robust gate (options.robust.inlier_threshold_px) of the 3D joint. `warnings`
/// are the command's own (e.g. its association-level swap test), shown before
/// the diagnostics'. Diagnosed with the command's options.
RunReport people_triangulation_report(const std::vector<camera::Camera>& cameras,
                                      const std::vector<long long>& frame_numbers,
                                      const std::vector<std::vector<association::ViewDetections>>& frames,
                                      const pose::Skeleton& skeleton, const std::string& length_unit, double fps,
                                      const triangulation::TriangulationOptions& options,
                                      const std::vector<ReportPerson>& persons,
                                      std::vector<report::Warning> warnings, const std::string& note);

/// The diagnostics block as JSON (report::diagnostics_json).
Json diagnostics_to_json(const report::Run& run, const report::Diagnostics& diagnostics);

/// The diagnostics block for the terminal (report::format_diagnostics).
std::string diagnostics_text(const report::Run& run, const report::Diagnostics& diagnostics);

/// The page's text (report::render_html; `info` gets its size).
std::string render_report(const report::Run& run, const report::Diagnostics& diagnostics,
                          report::PageInfo* info = nullptr);

}  // namespace crossview::cli
