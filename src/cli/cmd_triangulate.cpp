// crossview triangulate: 3D poses of every frame from a calibration and one
// OpenPose JSON folder per camera; written as crossview JSON and/or .trc.
#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "json_output.hpp"
#include "outputs.hpp"
#include "poses_file.hpp"
#include "run_report.hpp"

#include <crossview/triangulation/triangulate.hpp>

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace crossview::cli {

namespace {

constexpr const char* kHelp =
    "usage: crossview triangulate --calib FILE --keypoints DIR... --out FILE... [options]\n"
    "\n"
    "Triangulates the main person of every frame from 2D keypoints: one OpenPose JSON\n"
    "folder per camera (frames matched by the number in the file names). Writes the\n"
    "3D poses in the calibration's world frame and length unit, as crossview JSON (with\n"
    "per-joint reprojection errors) and/or as a Pose2Sim/OpenSim .trc (Y-up). Prints the\n"
    "diagnostics: per camera the detections used, inlier rate and median reprojection\n"
    "error, and warnings (e.g. two cameras whose folders look swapped, naming both).\n"
    "\n"
    "options:\n"
    "  --calib FILE          calibration: Pose2Sim/anipose .toml or crossview .json rig\n"
    "  --keypoints DIR...    OpenPose JSON folders, one per camera\n"
    "  --cameras NAME...     calibration camera of each folder (default: the first N\n"
    "                        cameras of the calibration, in file order)\n"
    "  --out FILE...         output files, .json and/or .trc\n"
    "  --method M            auto | dlt | midpoint | robust | vector_median | robust_dlt\n"
    "                        (default robust_dlt: all-view weighted DLT, dropping only views\n"
    "                        that are clear outliers; never refuses a joint dlt triangulates)\n"
    "  --max-error PX        robust inlier threshold in pixels (default 10)\n"
    "  --min-confidence C    ignore detections scored <= C (default 0.3)\n"
    "  --skeleton S          body25b | coco17 | h36m17 (default: from the joint count)\n"
    "  --rate HZ             frame rate written to the .trc (default 30)\n"
    "  --seed S              random seed of the robust method (default 1)\n"
    "  --report FILE         also write the interactive HTML report (.html) of the run\n"
    "  --threads N           worker threads over frames (default 1; 0 = all cores)\n"
    "  --quiet               print nothing but errors\n"
    "  --json                print a JSON summary on stdout\n";

triangulation::Method parse_method(const std::string& m) {
  if (m == "auto") return triangulation::Method::kAuto;
  if (m == "dlt") return triangulation::Method::kDlt;
  if (m == "midpoint") return triangulation::Method::kMidpoint;
  if (m == "robust") return triangulation::Method::kRobust;
  if (m == "vector_median") return triangulation::Method::kVectorMedian;
  if (m == "robust_dlt") return triangulation::Method::kRobustDlt;
  throw UsageError("triangulate: --method must be auto, dlt, midpoint, robust, vector_median or robust_dlt, got '" + m + "'");
}

}  // namespace

std::vector<camera::Camera> cameras_for_folders(const io::Rig& rig, const std::vector<std::string>& names,
                                                std::size_t num_folders, const std::string& command) {
  std::vector<camera::Camera> cameras;
  if (!names.empty()) {
    if (names.size() != num_folders) {
      throw UsageError(command + ": --cameras names " + std::to_string(names.size()) + " cameras for " +
                       std::to_string(num_folders) + " keypoint folders");
    }
    for (const auto& n : names) {
      const camera::Camera* c = rig.find(n);
      if (c == nullptr) {
        std::string known;
        for (const auto& k : rig.names()) known += (known.empty() ? "" : ", ") + k;
        throw std::runtime_error("the calibration has no camera named '" + n + "' (it has " + known + ")");
      }
      cameras.push_back(*c);
    }
  } else {
    if (rig.size() < num_folders) {
      throw std::runtime_error("the calibration has " + std::to_string(rig.size()) + " cameras for " +
                               std::to_string(num_folders) + " keypoint folders");
    }
    cameras.assign(rig.cameras.begin(), rig.cameras.begin() + static_cast<std::ptrdiff_t>(num_folders));
  }
  return cameras;
}

int run_triangulate(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const Args args("triangulate", argc, argv, {"quiet", "json"},
                  {"calib", "method", "max-error", "min-confidence", "skeleton", "rate", "seed", "threads", "report"},
                  {"keypoints", "cameras", "out"});
  const std::string calib_path = args.require("calib");
  const std::vector<std::string> folders = args.list("keypoints");
  const std::vector<std::string> outputs = args.list("out");
  if (folders.size() < 2) throw UsageError("triangulate: --keypoints needs at least 2 folders (one per camera)");
  if (outputs.empty()) throw UsageError("triangulate: missing required option --out (a .json and/or .trc file)");
  // Every input and output named before any work (outputs.hpp).
  RunOutputs files("triangulate");
  files.input(calib_path);
  for (const auto& k : folders) files.input_folder(k);
  for (const auto& o : outputs) files.file("out", o, {".json", ".trc"});
  if (args.has("report")) files.file("report", args.get("report"), {".html", ".htm"});
  triangulation::TriangulationOptions options;
  options.method = parse_method(args.get("method", "robust_dlt"));
  options.robust.inlier_threshold_px = args.get_double("max-error", options.robust.inlier_threshold_px, 1e-3, 1e4);
  options.robust.seed = static_cast<std::uint64_t>(args.get_int("seed", 1, 0, 1L << 62));
  options.min_confidence = args.get_double("min-confidence", 0.3, 0.0, 1.0);
  const double rate = args.get_double("rate", 30.0, 1e-3, 1e6);
  const int threads = thread_count(args);
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");

  const io::Rig rig = load_rig(calib_path);
  const std::vector<camera::Camera> cameras = cameras_for_folders(rig, args.list("cameras"), folders.size(), "triangulate");
  const MultiViewKeypoints keypoints = load_openpose_views(folders);
  const pose::Skeleton skeleton = skeleton_for(args.get("skeleton"), keypoints.num_joints);
  const int F = keypoints.num_frames();
  const int J = keypoints.num_joints;
  const int V = static_cast<int>(cameras.size());

  PoseSequence result;
  result.joint_names = skeleton.names();
  result.unit = rig.length_unit;
  result.method = to_string(options.method);
  result.rate_hz = rate;
  result.frame_numbers = keypoints.frame_numbers;
  const Eigen::Index columns = static_cast<Eigen::Index>(F) * J;  // packed, column f*J + j
  result.poses.resize(3, columns);
  result.reprojection_error_px.resize(columns);
  result.views_used.resize(columns);
  std::vector<triangulation::SkeletonResult> fits(static_cast<std::size_t>(F));  // for the diagnostics / report
  Progress progress(out.quiet || out.json, F);
  parallel_for(F, threads, [&](int f) {
    // The frame is already packed view-major (2 x (V*J)), the input triangulate_skeleton takes.
    const triangulation::SkeletonResult r = triangulation::triangulate_skeleton(
        cameras, keypoints.keypoints_px[static_cast<std::size_t>(f)], keypoints.scores[static_cast<std::size_t>(f)],
        options);
    result.pose(f) = r.points_in_world;
    fits[static_cast<std::size_t>(f)] = r;
    for (int j = 0; j < J; ++j) {
      const auto& jr = r.joints[static_cast<std::size_t>(j)];
      const Eigen::Index c = static_cast<Eigen::Index>(f) * J + j;
      result.reprojection_error_px(c) = jr.ok() ? jr.mean_reprojection_error_px : std::nan("");
      result.views_used(c) = jr.ok() ? static_cast<int>(jr.used_views.size()) : 0;
    }
    progress.tick();
  });
  progress.done();

  int triangulated = 0;
  double error_sum = 0.0;
  for (Eigen::Index c = 0; c < columns; ++c) {
    if (result.views_used(c) > 0) {
      ++triangulated;
      error_sum += result.reprojection_error_px(c);
    }
  }
  const RunReport report = triangulation_report(
      cameras, keypoints, skeleton, args.has("skeleton") ? "" : "chosen by the joint count (" + std::to_string(J) + ")",
      rig.length_unit, args.has("rate") ? rate : 0.0, options, fits);
  for (const auto& o : outputs) files.stage(o, format_poses(result, o));
  if (args.has("report")) files.stage(args.get("report"), render_report(report.run, report.diagnostics));
  files.commit();
  const double mean_error = triangulated > 0 ? error_sum / triangulated : std::nan("");
  if (out.json) {
    print_json({{"frames", F},
                {"joints", J},
                {"cameras", V},
                {"triangulated", triangulated},
                {"mean_reprojection_error_px", mean_error},
                {"method", result.method},
                {"outputs", outputs},
                {"report", args.has("report") ? Json(args.get("report")) : Json()},
                {"diagnostics", diagnostics_to_json(report.run, report.diagnostics)}});
  } else if (!out.quiet) {
    std::printf("triangulated %d of %d joints over %d frames from %d cameras (%s), mean reprojection error %.2f px\n",
                triangulated, F * J, F, V, result.method.c_str(), mean_error);
    std::fputs(diagnostics_text(report.run, report.diagnostics).c_str(), stdout);
    for (const auto& o : outputs) std::printf("wrote %s\n", o.c_str());
    if (args.has("report")) std::printf("wrote %s\n", args.get("report").c_str());
  }
  return 0;
}

}  // namespace crossview::cli
