// crossview demo: the main job. Generates the built-in synthetic scene and runs
// the pipeline on it, prints a table and writes an HTML report.
#include "args.hpp"
#include "commands.hpp"
#include "report.hpp"

#include <crossview/epipolar/essential.hpp>
#include <crossview/epipolar/estimate.hpp>
#include <crossview/epipolar/pose.hpp>
#include <crossview/metrics/pose_metrics.hpp>
#include <crossview/metrics/pss.hpp>
#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/rpsm/rpsm.hpp>
#include <crossview/sim/scene.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

namespace crossview::cli {

namespace {

constexpr const char* kDemoHelp =
    "usage: crossview demo [options]\n"
    "\n"
    "Runs the full pipeline on a built-in synthetic scene: a walking, waving person seen by\n"
    "a ring of cameras with realistic intrinsics and distortion, noisy 2D detections with\n"
    "misses and outliers. Prints a table and writes an HTML report.\n"
    "\n"
    "options:\n"
    "  --frames N       frames to simulate (default 60)\n"
    "  --cameras N      cameras in the ring, 2..16 (default 4)\n"
    "  --seed S         random seed (default 1)\n"
    "  --noise PX       2D detection noise std-dev in pixels (default 1.5)\n"
    "  --outliers R     fraction of detections that are gross outliers (default 0.03)\n"
    "  --report PATH    HTML report path (default crossview-demo.html)\n"
    "  --quiet          print nothing but errors\n"
    "  --json           print the results as JSON\n";


/// A progress line on a terminal (frames done, frames per second, time left);
/// silent when stderr is not a terminal or output is quiet / JSON.
class Progress {
 public:
  Progress(bool silent, int total)
      : enabled_(!silent && isatty(STDERR_FILENO) != 0), total_(total), start_(Clock::now()) {}
  void tick(int done) {
    if (!enabled_) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double fps = elapsed > 0.0 ? done / elapsed : 0.0;
    const double left = fps > 0.0 ? (total_ - done) / fps : 0.0;
    std::fprintf(stderr, "\r  frame %d/%d  %.1f frames/s  %.0f s left   ", done, total_, fps, left);
  }
  void done() {
    if (enabled_) std::fprintf(stderr, "\r%60s\r", "");
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  int total_;
  Clock::time_point start_;
};

struct PairCalibration {
  int view = 0;
  bool ok = false;
  std::string message;
  double rotation_error_deg = std::numeric_limits<double>::quiet_NaN();
  double translation_error_deg = std::numeric_limits<double>::quiet_NaN();
  int num_inliers = 0;
  int num_correspondences = 0;
};

/// Relative pose of view b to view a from the detected joints of every frame:
/// F with RANSAC on undistorted pixels, E = Kb^T F Ka, decomposition with the
/// cheirality check; compared with the true relative pose.
PairCalibration calibrate_pair(const sim::Scene& scene, int a, int b, std::uint64_t seed) {
  PairCalibration result;
  result.view = b;
  const camera::Camera& ca = scene.cameras[static_cast<size_t>(a)];
  const camera::Camera& cb = scene.cameras[static_cast<size_t>(b)];
  std::vector<Eigen::Vector2d> pa, pb;
  for (size_t f = 0; f < scene.detections.size(); ++f) {
    const auto& da = scene.detections[f][static_cast<size_t>(a)];
    const auto& db = scene.detections[f][static_cast<size_t>(b)];
    for (int j = 0; j < da.rows(); ++j) {
      if (!(da(j, 2) > 0.0) || !(db(j, 2) > 0.0)) continue;
      Eigen::Vector2d ua, ub;
      if (ca.undistort_pixel(da.row(j).head<2>().transpose(), &ua) != camera::ProjectionStatus::kSuccess ||
          cb.undistort_pixel(db.row(j).head<2>().transpose(), &ub) != camera::ProjectionStatus::kSuccess) {
        continue;
      }
      pa.push_back(ua);
      pb.push_back(ub);
    }
  }
  result.num_correspondences = static_cast<int>(pa.size());
  if (pa.size() < 8) {
    result.message = "too few correspondences";
    return result;
  }
  epipolar::FundamentalOptions options;
  options.max_error_px = 3.0;
  options.ransac.seed = seed;
  const epipolar::FundamentalResult fr = epipolar::estimate_fundamental(pa, pb, options);
  result.num_inliers = fr.num_inliers;
  if (!fr.success()) {
    result.message = fr.message;
    return result;
  }
  const Eigen::Matrix3d E = epipolar::closest_essential(
      epipolar::essential_from_fundamental(fr.F, ca.calibration_matrix(), cb.calibration_matrix()));
  std::vector<Eigen::Vector2d> na, nb;
  for (size_t i = 0; i < pa.size(); ++i) {
    if (!fr.inlier_mask[i]) continue;
    na.emplace_back((pa[i].x() - ca.cx()) / ca.fx(), (pa[i].y() - ca.cy()) / ca.fy());
    nb.emplace_back((pb[i].x() - cb.cx()) / cb.fx(), (pb[i].y() - cb.cy()) / cb.fy());
  }
  const epipolar::RecoverPoseResult pose = epipolar::recover_pose(E, na, nb);
  if (pose.status != epipolar::RecoverPoseStatus::kSuccess) {
    result.message = pose.message;
    return result;
  }
  const camera::Rigid3d truth = cb.cam_from_world * ca.cam_from_world.inverse();
  result.rotation_error_deg =
      camera::rotation_angle_between(truth.rotation_matrix(), pose.cam2_from_cam1.rotation_matrix()) * 180.0 / M_PI;
  const double c = std::clamp(truth.translation.normalized().dot(pose.cam2_from_cam1.translation.normalized()), -1.0, 1.0);
  result.translation_error_deg = std::acos(c) * 180.0 / M_PI;
  result.ok = true;
  return result;
}

/// RPSM refinement of one frame from Gaussian heatmaps rendered (64 x 64, on a
/// square crop around the detections) from the 2D detections, starting at
/// `initial` (J x 3). Keeps `initial` and counts a failure when RPSM cannot run.
metrics::Pose3d refine_with_rpsm(const sim::Scene& scene, int frame, const pose::Skeleton& skeleton,
                                 const metrics::Pose3d& initial, int* failures) {
  if (!initial.allFinite()) {
    ++*failures;
    return initial;
  }
  constexpr int kHeatmapSize = 64;
  std::vector<pose::HeatmapView> views;
  for (size_t v = 0; v < scene.cameras.size(); ++v) {
    const sim::Keypoints2d& kp = scene.detections[static_cast<size_t>(frame)][v];
    Eigen::Vector2d lo(1e300, 1e300), hi(-1e300, -1e300);
    for (int j = 0; j < kp.rows(); ++j) {
      if (!(kp(j, 2) > 0.0)) continue;
      lo = lo.cwiseMin(kp.row(j).head<2>().transpose());
      hi = hi.cwiseMax(kp.row(j).head<2>().transpose());
    }
    if (!(hi.x() > lo.x())) continue;  // this view saw nothing
    const double side = 1.2 * std::max(hi.x() - lo.x(), hi.y() - lo.y()) + 40.0;
    const Eigen::Vector2d centre = 0.5 * (lo + hi);
    const pose::Affine2d affine = pose::image_from_heatmap_for_box(centre.x() - 0.5 * side, centre.y() - 0.5 * side,
                                                                   side, side, kHeatmapSize, kHeatmapSize);
    views.push_back({scene.cameras[v],
                     pose::render_gaussian_heatmaps(kp.leftCols<2>().transpose(), kp.col(2), kHeatmapSize,
                                                    kHeatmapSize, affine, 2.0)});
  }
  const rpsm::RpsmResult r = rpsm::refine(views, skeleton, initial.transpose());
  if (!r.success()) {
    ++*failures;
    return initial;
  }
  return r.joints_in_world.transpose();
}

bool all_finite(const std::vector<metrics::Pose3d>& poses) {
  for (const auto& p : poses) {
    if (!p.allFinite()) return false;
  }
  return true;
}

}  // namespace

int run_demo(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
      std::fputs(kDemoHelp, stdout);
      return 0;
    }
  }
  const Args args("demo", argc, argv, {"quiet", "json"},
                  {"frames", "cameras", "seed", "noise", "outliers", "report"});
  sim::SceneOptions options;
  options.num_frames = static_cast<int>(args.get_int("frames", 60, 1, 100000));
  options.num_cameras = static_cast<int>(args.get_int("cameras", 4, 2, 16));
  options.seed = static_cast<std::uint64_t>(args.get_int("seed", 1, 0, 1L << 62));
  options.noise_px = args.get_double("noise", 1.5, 0.0, 100.0);
  options.outlier_rate = args.get_double("outliers", 0.03, 0.0, 0.9);
  const std::string report_path = args.get("report", "crossview-demo.html");
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");

  const sim::Scene scene = sim::make_scene(options);
  const pose::Skeleton skeleton = pose::human36m_17();
  const int num_frames = static_cast<int>(scene.poses_in_world.size());
  const int num_views = static_cast<int>(scene.cameras.size());
  const int num_joints = skeleton.num_joints();
  Progress progress(out.quiet || out.json, num_frames);

  // 1. Self-calibration of every camera relative to the first one from the body
  //    joints alone (EpipolarPose): F with RANSAC on undistorted pixels, E, R and t
  //    with the cheirality check; compared with the true relative poses.
  std::vector<PairCalibration> pairs;
  for (int v = 1; v < num_views; ++v) {
    pairs.push_back(calibrate_pair(scene, 0, v, options.seed));
  }

  // 2. Triangulation of every frame (plain DLT and the robust path), 3. RPSM
  //    refinement from Gaussian heatmaps rendered from the detections.
  std::vector<metrics::Pose3d> truth, dlt, robust, rpsm_poses;
  int rpsm_failures = 0;
  for (int f = 0; f < num_frames; ++f) {
    std::vector<Eigen::MatrixX2d> keypoints(static_cast<size_t>(num_views));
    std::vector<Eigen::VectorXd> confidences(static_cast<size_t>(num_views));
    for (int v = 0; v < num_views; ++v) {
      keypoints[static_cast<size_t>(v)] = scene.detections[static_cast<size_t>(f)][static_cast<size_t>(v)].leftCols<2>();
      confidences[static_cast<size_t>(v)] = scene.detections[static_cast<size_t>(f)][static_cast<size_t>(v)].col(2);
    }
    triangulation::TriangulationOptions dlt_options;
    dlt_options.method = triangulation::Method::kDlt;
    dlt_options.refine = false;
    triangulation::TriangulationOptions robust_options;
    robust_options.method = triangulation::Method::kRobust;
    robust_options.robust.seed = options.seed;
    truth.push_back(scene.poses_in_world[static_cast<size_t>(f)]);
    dlt.push_back(triangulation::triangulate_skeleton(scene.cameras, keypoints, confidences, dlt_options).points_in_world);
    robust.push_back(
        triangulation::triangulate_skeleton(scene.cameras, keypoints, confidences, robust_options).points_in_world);
    rpsm_poses.push_back(refine_with_rpsm(scene, f, skeleton, robust.back(), &rpsm_failures));
    progress.tick(f + 1);
  }
  progress.done();

  // 4. Metrics against the known truth.
  metrics::ErrorOptions absolute;
  absolute.alignment = metrics::Alignment::kNone;
  metrics::PckOptions pck_options;
  pck_options.alignment = metrics::Alignment::kNone;
  const int k = std::max(2, std::min(10, num_frames / 3));
  pss::FitOptions fit_options;
  fit_options.kmeans.seed = options.seed;
  const bool pss_possible = num_frames >= 6;
  const pss::Model pss_model = pss_possible ? pss::fit(truth, k, fit_options) : pss::Model{};
  struct Row {
    std::string name;
    const std::vector<metrics::Pose3d>* poses;
    std::string color;
  };
  const std::vector<Row> rows = {{"DLT", &dlt, "#bf8700"},
                                 {"robust triangulation", &robust, "#0969da"},
                                 {"RPSM (refined)", &rpsm_poses, "#1a7f37"}};
  Report report;
  report.title = "crossview demo";
  report.subtitle = fmt::format(
      "synthetic scene: {} cameras, {} frames, {} joints, 2D noise {} px, {:.0f}% outliers, seed {}",
      num_views, num_frames, num_joints, options.noise_px, 100.0 * options.outlier_rate, options.seed);
  report.joint_names = skeleton.names();
  report.parents = skeleton.parents();
  report.table_header = {"method", "MPJPE [mm]", "PA-MPJPE [mm]", "PCK@150mm [%]",
                         fmt::format("PSS@{} [%]", k), "joints"};
  std::string json_rows;
  for (const Row& row : rows) {
    const metrics::ErrorSummary e = metrics::mpjpe(*row.poses, truth, absolute);
    const metrics::ErrorSummary pa = metrics::pa_mpjpe(*row.poses, truth);
    const metrics::RateSummary pck = metrics::pck_3d(*row.poses, truth, pck_options);
    double pss_value = std::numeric_limits<double>::quiet_NaN();
    if (pss_possible && all_finite(*row.poses)) pss_value = pss::score(pss_model, *row.poses, truth).pss;
    report.table_rows.push_back({row.name, fmt::format("{:.1f}", e.mean), fmt::format("{:.1f}", pa.mean),
                                 fmt::format("{:.1f}", 100.0 * pck.rate),
                                 std::isfinite(pss_value) ? fmt::format("{:.1f}", 100.0 * pss_value) : "n/a",
                                 fmt::format("{}/{}", e.counts.evaluated, num_frames * num_joints)});
    ReportSeries series{row.name, row.color, {}};
    for (int j = 0; j < e.per_joint.size(); ++j) series.values.push_back(e.per_joint[j]);
    report.per_joint_errors.push_back(series);
    json_rows += fmt::format("{}{{\"method\": \"{}\", \"mpjpe_mm\": {:.3f}, \"pa_mpjpe_mm\": {:.3f}, "
                             "\"pck150\": {:.4f}, \"pss\": {}}}",
                             json_rows.empty() ? "" : ", ", row.name, e.mean, pa.mean, pck.rate,
                             std::isfinite(pss_value) ? fmt::format("{:.4f}", pss_value) : "null");
  }
  const size_t shown = scene.poses_in_world.size() / 2;
  report.frame_label = fmt::format("frame {}", shown);
  for (int c = 0; c < num_views; ++c) {
    report.views.push_back({scene.cameras[static_cast<size_t>(c)], scene.detections[shown][static_cast<size_t>(c)],
                            scene.is_outlier[shown][static_cast<size_t>(c)]});
  }
  report.poses.push_back({"ground truth", "#8c959f", scene.poses_in_world[shown], true});
  report.poses.push_back({"robust triangulation", "#0969da", robust[shown], false});
  report.poses.push_back({"RPSM", "#1a7f37", rpsm_poses[shown], false});
  for (const auto& pose : scene.poses_in_world) report.trajectory.emplace_back(pose.row(0).transpose());
  std::string calib_text;
  for (const PairCalibration& p : pairs) {
    calib_text += fmt::format("{}-{}: {} (rotation error {:.2f} deg, translation direction error {:.2f} deg, {} "
                              "inliers of {}). ",
                              scene.cameras[0].name(), scene.cameras[static_cast<size_t>(p.view)].name(),
                              p.ok ? "ok" : p.message, p.rotation_error_deg, p.translation_error_deg,
                              p.num_inliers, p.num_correspondences);
  }
  report.notes.push_back({"Self-calibration from body joints (EpipolarPose)",
                          "Relative pose of every camera to " + scene.cameras[0].name() +
                              " from the detected joints alone (fundamental matrix with RANSAC on undistorted "
                              "pixels, E = K2^T F K1, decomposition and cheirality): " + calib_text});
  report.notes.push_back(
      {"Pipeline",
       "DLT: confidence-weighted linear triangulation of all detections. Robust triangulation: RANSAC over "
       "view pairs, then Levenberg-Marquardt through the distortion model on the inlier views. RPSM: Gaussian "
       "heatmaps (64 x 64, on a crop around the person) rendered from the detections, recursive pictorial "
       "structure refinement from the robust triangulation. Metrics against the simulated ground truth; "
       "PSS uses k-means on the normalized ground-truth poses."});
  write_html_report(report, report_path);

  if (out.json) {
    std::string calib_json;
    for (const PairCalibration& p : pairs) {
      calib_json += fmt::format("{}{{\"pair\": [0, {}], \"ok\": {}, \"rotation_error_deg\": {:.4f}, "
                                "\"translation_error_deg\": {:.4f}, \"inliers\": {}}}",
                                calib_json.empty() ? "" : ", ", p.view, p.ok ? "true" : "false",
                                p.rotation_error_deg, p.translation_error_deg, p.num_inliers);
    }
    std::printf("{\"frames\": %d, \"cameras\": %d, \"self_calibration\": [%s], \"methods\": [%s], "
                "\"report\": \"%s\"}\n",
                num_frames, num_views, calib_json.c_str(), json_rows.c_str(), report_path.c_str());
  } else if (!out.quiet) {
    std::printf("crossview demo: %d cameras, %d frames, %d joints (noise %.1f px, %.0f%% outliers, seed %llu)\n\n",
                num_views, num_frames, num_joints, options.noise_px, 100.0 * options.outlier_rate,
                static_cast<unsigned long long>(options.seed));
    std::printf("self-calibration from body joints (relative to %s):\n", scene.cameras[0].name().c_str());
    for (const PairCalibration& p : pairs) {
      std::printf("  %-6s %-8s rotation error %6.2f deg, translation direction error %6.2f deg, %d/%d inliers\n",
                  scene.cameras[static_cast<size_t>(p.view)].name().c_str(), p.ok ? "ok" : "FAILED",
                  p.rotation_error_deg, p.translation_error_deg, p.num_inliers, p.num_correspondences);
    }
    std::printf("\n%-22s %11s %14s %14s %11s %8s\n", "method", "MPJPE [mm]", "PA-MPJPE [mm]", "PCK@150 [%]",
                fmt::format("PSS@{} [%]", k).c_str(), "joints");
    for (const auto& r : report.table_rows) {
      std::printf("%-22s %11s %14s %14s %11s %8s\n", r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].c_str(),
                  r[4].c_str(), r[5].c_str());
    }
    if (rpsm_failures > 0) std::printf("(RPSM kept the triangulation in %d frames)\n", rpsm_failures);
    std::printf("\nreport written to %s\n", report_path.c_str());
  }
  return 0;
}

}  // namespace crossview::cli
