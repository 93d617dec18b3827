#include "run_report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace crossview::cli {

report::Skeleton report_skeleton(const pose::Skeleton& skeleton, const std::string& guess_reason) {
  report::Skeleton out;
  out.name = skeleton.model_name();
  out.joint_names = skeleton.names();
  out.limbs = skeleton.limbs();
  out.guessed = !guess_reason.empty();
  out.guess_reason = guess_reason;
  return out;
}

std::vector<std::vector<report::ViewDetections>> single_person_detections(
    const std::vector<Points2d>& frames_px, const std::vector<Eigen::VectorXd>& scores, int num_views,
    int num_joints) {
  const Eigen::Index J = num_joints;
  std::vector<std::vector<report::ViewDetections>> out(frames_px.size());
  for (std::size_t f = 0; f < frames_px.size(); ++f) {
    out[f].resize(static_cast<std::size_t>(num_views));
    for (int v = 0; v < num_views; ++v) {
      report::ViewDetections& d = out[f][static_cast<std::size_t>(v)];
      Points2d px = frames_px[f].middleCols(v * J, J);
      Eigen::VectorXd s = scores[f].segment(v * J, J);
      bool any = false;
      for (Eigen::Index j = 0; j < J; ++j) {
        if (!(s(j) > 0.0) || !px.col(j).allFinite()) {
          s(j) = 0.0;
          px.col(j).setConstant(std::nan(""));
        } else {
          s(j) = std::min(s(j), 1.0);
          any = true;
        }
      }
      if (!any) continue;  // nobody seen in this view at this frame
      d.pixels_px = std::move(px);
      d.scores = std::move(s);
      d.person_ids = {0};
    }
  }
  return out;
}

report::Layer poses_layer(const std::string& method, report::LayerKind kind, const Points3d& poses, int num_joints) {
  report::Layer layer;
  layer.method = method;
  layer.kind = kind;
  layer.joints_in_world = poses;
  (void)num_joints;
  return layer;
}

report::Diagnostics diagnose_run(const report::Run& run, const std::string& fit_method, double min_confidence,
                                 double inlier_threshold_px, std::uint64_t seed) {
  report::DiagnosticsOptions options;
  options.fit_method = fit_method;
  options.min_confidence = std::min(min_confidence, 0.99);
  options.inlier_threshold_px = inlier_threshold_px;
  options.seed = seed;
  return report::diagnose(run, options);
}

RunReport people_triangulation_report(const std::vector<camera::Camera>& cameras,
                                      const std::vector<long long>& frame_numbers,
                                      const std::vector<std::vector<association::ViewDetections>>& frames,
                                      const pose::Skeleton& skeleton, const std::string& length_unit, double fps,
                                      const triangulation::TriangulationOptions& options,
                                      const std::vector<ReportPerson>& persons,
                                      std::vector<report::Warning> warnings, const std::string& note) {
  RunReport out;
  report::Run& run = out.run;
  const int V = static_cast<int>(cameras.size());
  const int J = skeleton.num_joints();
  const int F = static_cast<int>(frames.size());
  run.title = "crossview triangulate";
  run.skeleton = report_skeleton(skeleton);
  run.num_joints = J;
  run.num_frames = F;
  run.length_unit = length_unit;
  run.fps = fps;
  run.frame_numbers = frame_numbers;
  run.up_axis = 2;
  run.cameras = cameras;
  // Detections: every person of every view, with the id it was given.
  run.detections.resize(static_cast<std::size_t>(F));
  for (int f = 0; f < F; ++f) {
    run.detections[static_cast<std::size_t>(f)].resize(static_cast<std::size_t>(V));
    for (int v = 0; v < V; ++v) {
      const association::ViewDetections& in = frames[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
      report::ViewDetections& d = run.detections[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
      const Eigen::Index n = in.keypoints_px.cols();
      const int P = J > 0 ? static_cast<int>(n / J) : 0;
      d.pixels_px = in.keypoints_px;
      d.scores = in.scores.size() == n ? in.scores : Eigen::VectorXd::Ones(n);
      for (Eigen::Index c = 0; c < n; ++c) {
        if (!(d.scores(c) > 0.0) || !d.pixels_px.col(c).allFinite()) {
          d.scores(c) = 0.0;
          d.pixels_px.col(c).setConstant(std::nan(""));
        } else {
          d.scores(c) = std::min(d.scores(c), 1.0);
        }
      }
      d.person_ids.assign(static_cast<std::size_t>(P), -1);
    }
  }
  const std::string method = triangulation::to_string(options.method);
  const report::LayerKind kind = options.method == triangulation::Method::kDlt      ? report::LayerKind::kDlt
                                 : options.method == triangulation::Method::kRobust ? report::LayerKind::kRobust
                                                                                    : report::LayerKind::kOther;
  const double gate = options.robust.inlier_threshold_px;
  for (const ReportPerson& rp : persons) {
    report::Person person;
    person.id = rp.id;
    person.label = rp.label;
    report::Layer layer = poses_layer(method, kind, rp.poses, J);
    report::TriangulationFit fit;
    const Eigen::Index columns = static_cast<Eigen::Index>(F) * J;
    fit.used_views.assign(static_cast<std::size_t>(columns), 0u);
    fit.reprojection_error_px = Eigen::MatrixXf::Constant(V, columns, std::nanf(""));
    for (int f = 0; f < F; ++f) {
      for (int v = 0; v < V && v < 32; ++v) {
        const int det = rp.detection[static_cast<std::size_t>(f) * V + static_cast<std::size_t>(v)];
        if (det < 0) continue;
        report::ViewDetections& d = run.detections[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
        if (det < d.num_people()) d.person_ids[static_cast<std::size_t>(det)] = rp.id;
        for (int j = 0; j < J; ++j) {
          const Eigen::Index c = static_cast<Eigen::Index>(f) * J + j;
          const Eigen::Index k = static_cast<Eigen::Index>(det) * J + j;
          if (k >= d.pixels_px.cols() || !(d.scores(k) > options.min_confidence)) continue;
          const Eigen::Vector3d x = rp.poses.col(c);
          if (!x.allFinite()) continue;
          Eigen::Vector2d px;
          if (cameras[static_cast<std::size_t>(v)].project(x, &px) != camera::ProjectionStatus::kSuccess) continue;
          const double e = (px - d.pixels_px.col(k)).norm();
          fit.reprojection_error_px(v, c) = static_cast<float>(e);
          if (e <= gate) fit.used_views[static_cast<std::size_t>(c)] |= (1u << v);
        }
      }
    }
    if (V <= 32) layer.fit = std::move(fit);
    person.layers.push_back(std::move(layer));
    run.persons.push_back(std::move(person));
  }
  run.warnings = std::move(warnings);
  run.notes.push_back({"Triangulation", note + " Detections scored <= " + fmt::format("{}", options.min_confidence) +
                                            " ignored; method " + method + ". A detection counts as used (inlier) "
                                            "when it reprojects within " + fmt::format("{}", gate) +
                                            " px of its person's 3D joint."});
  out.diagnostics = diagnose_run(run, method, options.min_confidence, gate, options.robust.seed);
  return out;
}

Json diagnostics_to_json(const report::Run& run, const report::Diagnostics& diagnostics) {
  return Json::parse(report::diagnostics_json(run, diagnostics));
}

std::string diagnostics_text(const report::Run& run, const report::Diagnostics& diagnostics) {
  return report::format_diagnostics(run, diagnostics);
}

std::string render_report(const report::Run& run, const report::Diagnostics& diagnostics, report::PageInfo* info) {
  return report::render_html(run, diagnostics, {}, info);
}

}  // namespace crossview::cli
