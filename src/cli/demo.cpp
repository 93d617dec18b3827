// crossview demo: the main job. Generates the built-in synthetic scene and runs
// the pipeline on it, prints a table and the diagnostics and writes the
// interactive HTML report (src/report).
#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "json_output.hpp"
#include "outputs.hpp"
#include "poses_file.hpp"
#include "run_report.hpp"

#include <crossview/io/npy.hpp>
#include <crossview/metrics/pose_metrics.hpp>
#include <crossview/metrics/pss.hpp>
#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/rpsm/rpsm.hpp>
#include <crossview/sim/scene.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

namespace crossview::cli {

namespace {

constexpr const char* kDemoHelp =
    "usage: crossview demo [options]\n"
    "\n"
    "Runs the full pipeline on a built-in synthetic scene: a walking, waving person seen by\n"
    "a ring of cameras with realistic intrinsics and distortion, noisy 2D detections with\n"
    "misses and outliers. Prints a table and the diagnostics (per camera: detections\n"
    "used, inlier rate, median reprojection error; warnings) and writes the interactive\n"
    "HTML report (one self-contained file: 3D view, frame slider, per-camera plots).\n"
    "\n"
    "options:\n"
    "  --frames N       frames to simulate (default 60)\n"
    "  --cameras N      cameras in the ring, 2..16 (default 4)\n"
    "  --seed S         random seed (default 1)\n"
    "  --noise PX       2D detection noise std-dev in pixels (default 1.5)\n"
    "  --outliers R     fraction of detections that are gross outliers (default 0.03)\n"
    "  --report PATH    HTML report path (default crossview-demo.html)\n"
    "  --data DIR       run on a real capture in Pose2Sim layout instead: DIR holds a\n"
    "                   Calib*.toml and pose/<camera>/ OpenPose JSON folders (one per\n"
    "                   camera, in the calibration's order); a .trc in DIR (Pose2Sim's\n"
    "                   own triangulation) is used as a reference\n"
    "  --export DIR     also write the synthetic scene as files the other subcommands\n"
    "                   read: calibration.json, keypoints/camNN/ (OpenPose JSON),\n"
    "                   heatmaps/camNN.npy (F x J x H x W over the whole image) and\n"
    "                   ground_truth.json, and crossview-export.json (the manifest).\n"
    "                   DIR must not exist or be empty, or be an earlier crossview\n"
    "                   export, which is then replaced as a whole (never mixed)\n"
    "  --threads N      worker threads over frames (default 1; 0 = all cores)\n"
    "  --quiet          print nothing but errors\n"
    "  --json           print the results as JSON\n"
    "\n"
    "Errors (exit 1, one line), before any work: a report or export that cannot be\n"
    "written (missing or unwritable folder, not a regular file, a non-empty folder that is\n"
    "not a crossview export); later: unreadable or malformed files under --data. Usage\n"
    "errors (exit 2): unknown options, out-of-range values, a report not named .html.\n";


/// RPSM refinement of one frame from Gaussian heatmaps rendered (64 x 64, on a
/// square crop around the detections) from the 2D detections, starting at
/// `initial` (3 x J). Keeps `initial` and counts a failure when RPSM cannot run.
Points3d refine_with_rpsm(const sim::Scene& scene, int frame, const pose::Skeleton& skeleton,
                          const Points3d& initial, bool* failed) {
  if (!initial.allFinite()) {
    *failed = true;
    return initial;
  }
  constexpr int kHeatmapSize = 64;
  const int J = skeleton.num_joints();
  const sim::FrameDetections& detections = scene.detections[static_cast<size_t>(frame)];  // column v*J + j
  std::vector<pose::HeatmapView> views;
  for (size_t v = 0; v < scene.cameras.size(); ++v) {
    const auto kp = detections.keypoints_px.middleCols(static_cast<Eigen::Index>(v) * J, J);
    const auto scores = detections.scores.segment(static_cast<Eigen::Index>(v) * J, J);
    Eigen::Vector2d lo(1e300, 1e300), hi(-1e300, -1e300);
    for (int j = 0; j < J; ++j) {
      if (!(scores(j) > 0.0)) continue;
      lo = lo.cwiseMin(kp.col(j));
      hi = hi.cwiseMax(kp.col(j));
    }
    if (!(hi.x() > lo.x())) continue;  // this view saw nothing
    const double side = 1.2 * std::max(hi.x() - lo.x(), hi.y() - lo.y()) + 40.0;
    const Eigen::Vector2d centre = 0.5 * (lo + hi);
    const pose::Affine2d affine = pose::image_from_heatmap_for_box(centre.x() - 0.5 * side, centre.y() - 0.5 * side,
                                                                   side, side, kHeatmapSize, kHeatmapSize);
    views.push_back({scene.cameras[v],
                     pose::render_gaussian_heatmaps(kp, scores, kHeatmapSize, kHeatmapSize, affine, 2.0)});
  }
  const rpsm::RpsmResult r = rpsm::refine(views, skeleton, initial);
  if (!r.success()) {
    *failed = true;
    return initial;
  }
  return r.joints_in_world;
}

}  // namespace

int run_demo_data(const std::string& dir, int threads, std::uint64_t seed, const std::string& report_path,
                  const Output& out, RunOutputs& files);

namespace {

/// Stages the synthetic scene as input files for the other subcommands in the
/// declared output folder `dir` (written, all of it, at commit), with the
/// manifest that marks it as a crossview export (io::kExportManifest).
void export_scene(const sim::Scene& scene, const pose::Skeleton& skeleton, const std::string& dir,
                  RunOutputs& files) {
  io::Rig rig;
  rig.length_unit = "mm";
  rig.cameras = scene.cameras;
  files.stage_in_folder(dir, "calibration.json", io::format_rig_json(rig));
  // The skeleton of the keypoint folders, recorded as Pose2Sim records it (the
  // commands find Config.toml above keypoints/<camera>): no --skeleton needed.
  files.stage_in_folder(dir, "Config.toml", "# written by crossview demo --export\n[pose]\npose_model = \"H36M_17\"\n");
  const int F = static_cast<int>(scene.detections.size());
  const int J = skeleton.num_joints();
  Json listing = Json::array({"calibration.json", "Config.toml", "ground_truth.json"});
  for (std::size_t v = 0; v < scene.cameras.size(); ++v) {
    const std::string cam = fmt::format("cam{:02d}", v + 1);
    // Heatmaps over the whole image at 1/16 of its resolution (sigma 1 cell).
    const camera::Camera& c = scene.cameras[v];
    const int W = (c.width() + 15) / 16, H = (c.height() + 15) / 16;
    const pose::Affine2d affine = pose::image_from_heatmap_for_box(-0.5, -0.5, c.width(), c.height(), W, H);
    std::vector<float> maps;
    maps.reserve(static_cast<std::size_t>(F) * J * H * W);
    for (int f = 0; f < F; ++f) {
      const auto kp = scene.detections[f].keypoints_px.middleCols(static_cast<Eigen::Index>(v) * J, J);
      const auto scores = scene.detections[f].scores.segment(static_cast<Eigen::Index>(v) * J, J);
      // OpenPose's per-frame file: x, y, score per joint, zeros for a joint not seen.
      Json keypoints = Json::array();
      for (int j = 0; j < J; ++j) {
        if (scores(j) > 0.0) {
          keypoints.insert(keypoints.end(), {kp(0, j), kp(1, j), scores(j)});
        } else {
          keypoints.insert(keypoints.end(), {0, 0, 0});
        }
      }
      const Json person = {{"person_id", Json::array({-1})}, {"pose_keypoints_2d", std::move(keypoints)}};
      const Json people = {{"version", 1.3}, {"people", Json::array({person})}};
      files.stage_in_folder(dir, fmt::format("keypoints/{}/{}.{:04d}.json", cam, cam, f), format_json(people) + "\n");
      const pose::ViewHeatmaps h = pose::render_gaussian_heatmaps(kp, scores, H, W, affine, 1.0);
      maps.insert(maps.end(), h.data().begin(), h.data().end());
    }
    files.stage_in_folder(dir, "heatmaps/" + cam + ".npy", io::format_npy({F, J, H, W}, maps));
    listing.push_back("keypoints/" + cam + "/");
    listing.push_back("heatmaps/" + cam + ".npy");
  }
  PoseSequence truth;
  truth.joint_names = skeleton.names();
  truth.unit = "mm";
  truth.method = "ground truth";
  truth.skeleton = "H36M_17";
  for (int f = 0; f < F; ++f) truth.frame_numbers.push_back(f);
  truth.poses = scene.poses_in_world;  // packed 3 x (F*J), the poses file's layout
  files.stage_in_folder(dir, "ground_truth.json", format_poses_json(truth));
  const Json manifest = {{"format", "crossview.export"},
                         {"version", 1},
                         {"written_by", "crossview demo --export"},
                         {"frames", F},
                         {"cameras", scene.cameras.size()},
                         {"files", std::move(listing)}};
  files.stage_in_folder(dir, io::kExportManifest, format_json(manifest, 1) + "\n");
}

}  // namespace

int run_demo(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::fputs(kDemoHelp, stdout);
    return 0;
  }
  const Args args("demo", argc, argv, {"quiet", "json"},
                  {"frames", "cameras", "seed", "noise", "outliers", "report", "data", "export", "threads"});
  sim::SceneOptions options;
  options.num_frames = static_cast<int>(args.get_int("frames", 60, 1, 100000));
  options.num_cameras = static_cast<int>(args.get_int("cameras", 4, 2, 16));
  options.seed = static_cast<std::uint64_t>(args.get_int("seed", 1, 0, 1L << 62));
  options.noise_px = args.get_double("noise", 1.5, 0.0, 100.0);
  options.outlier_rate = args.get_double("outliers", 0.03, 0.0, 0.9);
  const std::string report_path = args.get("report", "crossview-demo.html");
  const int threads = thread_count(args);
  // Every output (and --data's inputs) named before any work (outputs.hpp).
  RunOutputs files("demo");
  if (args.has("data")) files.input_folder(args.get("data"));
  files.file("report", report_path, {".html", ".htm"});
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");
  if (args.has("data")) {
    for (const char* synthetic_only : {"frames", "cameras", "noise", "outliers", "export"}) {
      if (args.has(synthetic_only)) {
        throw UsageError(std::string("demo: --") + synthetic_only + " applies to the synthetic scene, not to --data");
      }
    }
    return run_demo_data(args.get("data"), threads, options.seed, report_path, out, files);
  }

  if (args.has("export")) files.folder("export", args.get("export"));

  const sim::Scene scene = sim::make_scene(options);
  const pose::Skeleton skeleton = pose::human36m_17();
  const int num_frames = scene.num_frames();
  const int num_views = static_cast<int>(scene.cameras.size());
  const int num_joints = skeleton.num_joints();
  if (args.has("export")) export_scene(scene, skeleton, args.get("export"), files);
  Progress progress(out.quiet || out.json, num_frames);

  // 1. Self-calibration of every camera relative to the first one from the body
  //    joints alone (EpipolarPose): F with RANSAC on undistorted pixels, E, R and t
  //    with the cheirality check; compared with the true relative poses.
  std::vector<RelativePoseEstimate> pairs;
  // Camera v's sequence packed 2 x (F*J) (column f*J + j) with its scores.
  const auto view_sequence = [&](int v, Points2d* px, Eigen::VectorXd* scores) {
    px->resize(2, static_cast<Eigen::Index>(num_frames) * num_joints);
    scores->resize(px->cols());
    for (int f = 0; f < num_frames; ++f) {
      const sim::FrameDetections& d = scene.detections[static_cast<size_t>(f)];
      px->middleCols(static_cast<Eigen::Index>(f) * num_joints, num_joints) =
          d.keypoints_px.middleCols(static_cast<Eigen::Index>(v) * num_joints, num_joints);
      scores->segment(static_cast<Eigen::Index>(f) * num_joints, num_joints) =
          d.scores.segment(static_cast<Eigen::Index>(v) * num_joints, num_joints);
    }
  };
  Points2d keypoints_a;
  Eigen::VectorXd scores_a;
  view_sequence(0, &keypoints_a, &scores_a);
  for (int v = 1; v < num_views; ++v) {
    Points2d keypoints_b;
    Eigen::VectorXd scores_b;
    view_sequence(v, &keypoints_b, &scores_b);
    const camera::Rigid3d truth_b_from_a =
        scene.cameras[static_cast<size_t>(v)].cam_from_world * scene.cameras[0].cam_from_world.inverse();
    pairs.push_back(relative_pose_from_keypoints(scene.cameras[0], scene.cameras[static_cast<size_t>(v)], keypoints_a,
                                                 scores_a, keypoints_b, scores_b, RelativePoseMethod::kFundamental,
                                                 3.0, 0.0, options.seed, &truth_b_from_a));
  }

  // 2. Triangulation of every frame (plain DLT and the robust path), 3. RPSM
  //    refinement from Gaussian heatmaps rendered from the detections.
  const std::size_t F = static_cast<std::size_t>(num_frames);
  const Points3d& truth = scene.poses_in_world;  // packed 3 x (F*J), column f*J + j
  const Eigen::Index columns = static_cast<Eigen::Index>(num_frames) * num_joints;
  Points3d dlt(3, columns), robust(3, columns), rpsm_poses(3, columns);
  const auto frame_of = [num_joints](Points3d& poses, int f) {
    return poses.middleCols(static_cast<Eigen::Index>(f) * num_joints, num_joints);
  };
  std::vector<char> rpsm_failed(F, 0);
  std::vector<triangulation::SkeletonResult> dlt_fits(F), robust_fits(F);  // for the report and diagnostics
  const double robust_threshold_px = triangulation::TriangulationOptions{}.robust.inlier_threshold_px;
  parallel_for(num_frames, threads, [&](int f) {
    // The frame's detections are packed view-major: triangulate_skeleton's input as is.
    const sim::FrameDetections& d = scene.detections[static_cast<size_t>(f)];
    triangulation::TriangulationOptions dlt_options;
    dlt_options.method = triangulation::Method::kDlt;
    dlt_options.refine = false;
    triangulation::TriangulationOptions robust_options;
    robust_options.method = triangulation::Method::kRobust;
    robust_options.robust.seed = options.seed;
    dlt_fits[f] = triangulation::triangulate_skeleton(scene.cameras, d.keypoints_px, d.scores, dlt_options);
    robust_fits[f] = triangulation::triangulate_skeleton(scene.cameras, d.keypoints_px, d.scores, robust_options);
    frame_of(dlt, f) = dlt_fits[f].points_in_world;
    frame_of(robust, f) = robust_fits[f].points_in_world;
    bool failed = false;
    frame_of(rpsm_poses, f) = refine_with_rpsm(scene, f, skeleton, frame_of(robust, f), &failed);
    rpsm_failed[f] = failed ? 1 : 0;
    progress.tick();
  });
  progress.done();
  int rpsm_failures = 0;
  for (char c : rpsm_failed) rpsm_failures += c;

  // 4. Metrics against the known truth.
  metrics::ErrorOptions absolute;
  absolute.alignment = metrics::Alignment::kNone;
  metrics::PckOptions pck_options;
  pck_options.alignment = metrics::Alignment::kNone;
  const int k = std::max(2, std::min(10, num_frames / 3));
  pss::FitOptions fit_options;
  fit_options.kmeans.seed = options.seed;
  const bool pss_possible = num_frames >= 6;
  const pss::Model pss_model = pss_possible ? pss::fit(truth, num_joints, k, fit_options) : pss::Model{};
  struct Row {
    std::string name;
    const Points3d* poses;
  };
  const std::vector<Row> rows = {{"DLT", &dlt}, {"robust triangulation", &robust}, {"RPSM (refined)", &rpsm_poses}};
  report::Table table;
  table.title = "Against the ground truth";
  table.basis = "Each method on every frame and joint it produced (count in the last column; a missing joint is "
                "not an error here, see the diagnostics' tables for the same joint instances). MPJPE and PCK "
                "without alignment, PA-MPJPE after a per-frame similarity alignment; PSS on the frames where the "
                "method produced every joint.";
  table.columns = {"method", "MPJPE [mm]", "PA-MPJPE [mm]", "PCK@150mm [%]", fmt::format("PSS@{} [%]", k), "joints"};
  Json json_rows = Json::array();
  for (const Row& row : rows) {
    const metrics::ErrorSummary e = metrics::mpjpe(*row.poses, truth, num_joints, absolute);
    const metrics::ErrorSummary pa = metrics::pa_mpjpe(*row.poses, truth, num_joints);
    const metrics::RateSummary pck = metrics::pck_3d(*row.poses, truth, num_joints, pck_options);
    // PSS compares whole poses: scored on the frames where the method produced
    // every joint (n/a when that is fewer than half of them).
    double pss_value = std::numeric_limits<double>::quiet_NaN();
    Points3d complete_pred(3, columns), complete_truth(3, columns);
    int complete = 0;
    for (int f = 0; f < num_frames; ++f) {
      const auto pose = row.poses->middleCols(static_cast<Eigen::Index>(f) * num_joints, num_joints);
      if (!pose.allFinite()) continue;
      complete_pred.middleCols(static_cast<Eigen::Index>(complete) * num_joints, num_joints) = pose;
      complete_truth.middleCols(static_cast<Eigen::Index>(complete) * num_joints, num_joints) = scene.pose(f);
      ++complete;
    }
    if (pss_possible && 2 * complete >= num_frames) {
      const Eigen::Index n = static_cast<Eigen::Index>(complete) * num_joints;
      pss_value = pss::score(pss_model, complete_pred.leftCols(n), complete_truth.leftCols(n)).pss;
    }
    table.rows.push_back({row.name, fmt::format("{:.1f}", e.mean), fmt::format("{:.1f}", pa.mean),
                                 fmt::format("{:.1f}", 100.0 * pck.rate),
                                 std::isfinite(pss_value) ? fmt::format("{:.1f}", 100.0 * pss_value) : "n/a",
                                 fmt::format("{}/{}", e.counts.evaluated, num_frames * num_joints)});
    json_rows.push_back({{"method", row.name},
                         {"mpjpe_mm", round_to(e.mean, 3)},
                         {"pa_mpjpe_mm", round_to(pa.mean, 3)},
                         {"pck150", round_to(pck.rate, 4)},
                         {"pss", round_to(pss_value, 4)}});
  }
  // The run of the interactive report: the scene's cameras and detections, the
  // layers DLT, robust, RPSM (kept its start where it failed) and the ground truth.
  report::Run run;
  run.title = "crossview demo";
  run.skeleton = report_skeleton(skeleton);
  run.num_joints = num_joints;
  run.num_frames = num_frames;
  run.length_unit = "mm";
  run.fps = options.fps;
  run.up_axis = 2;
  run.cameras = scene.cameras;
  {
    std::vector<Points2d> px;
    std::vector<Eigen::VectorXd> sc;
    for (const sim::FrameDetections& d : scene.detections) {
      px.push_back(d.keypoints_px);
      sc.push_back(d.scores);
    }
    run.detections = single_person_detections(px, sc, num_views, num_joints);
  }
  report::Person person;
  person.id = 0;
  person.label = "walker";
  person.layers.push_back(report::layer_from_triangulation("robust triangulation", report::LayerKind::kRobust,
                                                           robust_fits, num_joints, num_views));
  person.layers.push_back(
      report::layer_from_triangulation("DLT", report::LayerKind::kDlt, dlt_fits, num_joints, num_views));
  report::Layer rpsm_layer = poses_layer("RPSM", report::LayerKind::kRpsm, rpsm_poses, num_joints);
  rpsm_layer.kept_start.assign(rpsm_failed.begin(), rpsm_failed.end());
  rpsm_layer.start_label = "robust triangulation";
  person.layers.push_back(std::move(rpsm_layer));
  person.layers.push_back(poses_layer("ground truth", report::LayerKind::kGroundTruth, truth, num_joints));
  run.persons.push_back(std::move(person));
  run.tables.push_back(table);
  std::string calib_text;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const RelativePoseEstimate& p = pairs[i];
    calib_text += fmt::format("{}-{}: {} (rotation error {:.2f} deg, translation direction error {:.2f} deg, {} "
                              "inliers of {}). ",
                              scene.cameras[0].name(), scene.cameras[i + 1].name(),
                              p.ok ? "ok" : p.message, p.rotation_error_deg, p.translation_error_deg,
                              p.num_inliers, p.num_correspondences);
  }
  run.notes.push_back({"Self-calibration from body joints (EpipolarPose)",
                          "Relative pose of every camera to " + scene.cameras[0].name() +
                              " from the detected joints alone (fundamental matrix with RANSAC on undistorted "
                              "pixels, E = K2^T F K1, decomposition and cheirality): " + calib_text});
  run.notes.push_back(
      {"Pipeline",
       "DLT: confidence-weighted linear triangulation of all detections. Robust triangulation: RANSAC over "
       "view pairs, then Levenberg-Marquardt through the distortion model on the inlier views. RPSM: Gaussian "
       "heatmaps (64 x 64, on a crop around the person) rendered from the detections, recursive pictorial "
       "structure refinement (10 levels, then a continuous polish) from the robust triangulation. Metrics "
       "against the simulated ground truth; "
       "PSS uses k-means on the normalized ground-truth poses and is scored on the frames where the method "
       "produced every joint."});
  const report::Diagnostics diagnostics =
      diagnose_run(run, "robust triangulation", 0.0, robust_threshold_px, options.seed);
  report::PageInfo page;
  files.stage(report_path, render_report(run, diagnostics, &page));
  files.commit();

  if (out.json) {
    Json calib_json = Json::array();
    for (size_t i = 0; i < pairs.size(); ++i) {
      const RelativePoseEstimate& p = pairs[i];
      calib_json.push_back({{"pair", {0, i + 1}},
                            {"ok", p.ok},
                            {"rotation_error_deg", round_to(p.rotation_error_deg, 4)},
                            {"translation_error_deg", round_to(p.translation_error_deg, 4)},
                            {"inliers", p.num_inliers}});
    }
    print_json({{"frames", num_frames},
                {"cameras", num_views},
                {"self_calibration", std::move(calib_json)},
                {"methods", std::move(json_rows)},
                {"report", report_path},
                {"report_bytes", page.bytes},
                {"diagnostics", diagnostics_to_json(run, diagnostics)}});
  } else if (!out.quiet) {
    std::printf("crossview demo: %d cameras, %d frames, %d joints (noise %.1f px, %.0f%% outliers, seed %llu)\n\n",
                num_views, num_frames, num_joints, options.noise_px, 100.0 * options.outlier_rate,
                static_cast<unsigned long long>(options.seed));
    std::printf("self-calibration from body joints (relative to %s):\n", scene.cameras[0].name().c_str());
    for (size_t i = 0; i < pairs.size(); ++i) {
      const RelativePoseEstimate& p = pairs[i];
      std::printf("  %-6s %-8s rotation error %6.2f deg, translation direction error %6.2f deg, %d/%d inliers\n",
                  scene.cameras[i + 1].name().c_str(), p.ok ? "ok" : "FAILED",
                  p.rotation_error_deg, p.translation_error_deg, p.num_inliers, p.num_correspondences);
    }
    std::printf("\n%-22s %11s %14s %14s %11s %8s\n", "method", "MPJPE [mm]", "PA-MPJPE [mm]", "PCK@150 [%]",
                fmt::format("PSS@{} [%]", k).c_str(), "joints");
    for (const auto& r : table.rows) {
      std::printf("%-22s %11s %14s %14s %11s %8s\n", r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].c_str(),
                  r[4].c_str(), r[5].c_str());
    }
    if (rpsm_failures > 0) std::printf("(RPSM kept the triangulation in %d frames)\n", rpsm_failures);
    std::printf("\n%s", diagnostics_text(run, diagnostics).c_str());
    std::printf("\nreport written to %s (%.1f MB)\n", report_path.c_str(), static_cast<double>(page.bytes) / 1e6);
  }
  return 0;
}

}  // namespace crossview::cli
