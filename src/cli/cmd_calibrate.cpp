// crossview calibrate: the whole rig from the people it sees (crossview::calibration);
// crossview calibrate-relative: the relative pose of a camera pair from the
// body joints both cameras see (EpipolarPose), no calibration object.
#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "json_output.hpp"
#include "rig_calibration.hpp"

#include <crossview/io/rig.hpp>

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace crossview::cli {

namespace {

constexpr const char* kHelp =
    "usage: crossview calibrate-relative --keypoints DIR_A DIR_B --intrinsics FILE [options]\n"
    "\n"
    "Estimates the pose of camera B relative to camera A from the body joints both\n"
    "cameras detect over many frames (OpenPose JSON folders), knowing only their\n"
    "intrinsics. The translation is a direction: its length (the scale) is not\n"
    "observable from two views. When the intrinsics file also holds extrinsics (e.g. a\n"
    "full Pose2Sim calibration), the result is compared with them.\n"
    "\n"
    "options:\n"
    "  --keypoints A B       OpenPose JSON folders of camera A and camera B\n"
    "  --intrinsics FILE     calibration with both cameras' intrinsics (.toml or .json)\n"
    "  --cameras NAME NAME   the two cameras' names in FILE (default: its first two)\n"
    "  --method M            fundamental (default: F with RANSAC on undistorted pixels, then\n"
    "                        E = Kb^T F Ka, as EpipolarPose) | essential (5-point RANSAC)\n"
    "  --max-error PX        RANSAC inlier threshold in pixels (default 8: body keypoints on\n"
    "                        HD video are ~5-10 px off; a threshold below the noise is\n"
    "                        refused as a partial fit)\n"
    "  --min-confidence C    ignore detections scored <= C (default 0.3)\n"
    "  --seed S              RANSAC seed (default 1)\n"
    "  --out FILE            write the pair as a crossview rig .json (A at the origin,\n"
    "                        B at the unit-length baseline)\n"
    "  --quiet, --json       print nothing but errors / a JSON object\n";

constexpr const char* kRigHelp =
    "usage: crossview calibrate --keypoints DIR DIR [DIR ...] --intrinsics FILE [options]\n"
    "\n"
    "Calibrates the extrinsics of a whole rig (2 or more cameras) from the body joints\n"
    "of the person they see, with no calibration object: pairwise essential matrices,\n"
    "rotation averaging, bundle adjustment with a robust loss, and a metric scale from\n"
    "the person's height (BODY_25B detections; other skeletons keep an arbitrary scale).\n"
    "The world frame of the result is the first camera's. When FILE also holds\n"
    "extrinsics (e.g. a calibration-object result), the result is compared with them\n"
    "after removing the similarity gauge.\n"
    "\n"
    "options:\n"
    "  --keypoints DIR...     one OpenPose JSON folder per camera, in the calibration's order\n"
    "  --intrinsics FILE      calibration with every camera's intrinsics (.toml or .json)\n"
    "  --cameras NAME...      the cameras' names in FILE (default: its first ones)\n"
    "  --height M             the person's height in metres (default 1.70, a mean adult)\n"
    "  --noise PX             keypoint noise sigma in pixels; thresholds derive from it (default 3)\n"
    "  --min-confidence C     ignore detections scored below C (default 0.3)\n"
    "  --refine-focal         also refine the focal lengths\n"
    "  --refine-distortion    also refine the first two radial distortion terms\n"
    "  --bone-lengths         add bone-length consistency terms across frames\n"
    "  --seed S               seed of the pairwise RANSACs (default: the library's)\n"
    "  --out FILE             write the calibrated rig (.json crossview or .toml Pose2Sim)\n"
    "  --quiet, --json        print nothing but errors / a JSON object\n";

bool same_pose(const camera::Rigid3d& a, const camera::Rigid3d& b) {
  return camera::rotation_angle_between(a.rotation_matrix(), b.rotation_matrix()) < 1e-12 &&
         (a.translation - b.translation).norm() < 1e-12;
}

}  // namespace

int run_calibrate(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::fputs(kRigHelp, stdout);
    return 0;
  }
  const Args args("calibrate", argc, argv, {"quiet", "json", "refine-focal", "refine-distortion", "bone-lengths"},
                  {"intrinsics", "height", "noise", "min-confidence", "seed", "out"}, {"keypoints", "cameras"});
  const std::vector<std::string> folders = args.list("keypoints");
  if (folders.size() < 2) {
    throw UsageError("calibrate: --keypoints needs one folder per camera (at least 2), got " +
                     std::to_string(folders.size()));
  }
  const std::string out_path = args.get("out", "");
  const bool out_toml = out_path.size() > 5 && out_path.compare(out_path.size() - 5, 5, ".toml") == 0;
  const bool out_json = out_path.size() > 5 && out_path.compare(out_path.size() - 5, 5, ".json") == 0;
  if (!out_path.empty() && !out_toml && !out_json) {
    throw UsageError("calibrate: --out must end in .json (crossview rig) or .toml (Pose2Sim), got '" + out_path + "'");
  }
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");

  const io::Rig rig = load_rig(args.require("intrinsics"));
  const std::vector<camera::Camera> cameras =
      cameras_for_folders(rig, args.list("cameras"), folders.size(), "calibrate");
  const MultiViewKeypoints keypoints = load_openpose_views(folders);
  calibration::CalibrationOptions options = calibration_options_for(keypoints.num_joints);
  options.scale.person_height_m = args.get_double("height", options.scale.person_height_m, 0.51, 2.49);
  options.keypoint_noise_px = args.get_double("noise", options.keypoint_noise_px, 0.05, 100.0);
  options.min_confidence = args.get_double("min-confidence", options.min_confidence, 0.0, 0.99);
  options.refine_focal = args.flag("refine-focal");
  options.refine_distortion = args.flag("refine-distortion");
  options.bone_length_terms = args.flag("bone-lengths");
  if (args.has("seed")) options.seed = static_cast<std::uint64_t>(args.get_int("seed", 1, 0, 1L << 62));

  const RigCalibrationRun run = calibrate_from_keypoints(cameras, keypoints, options);
  const calibration::CalibrationResult& r = run.result;
  const bool degenerate = r.status == calibration::Status::kDegenerateMotion;
  if (!r.ok() && !degenerate) {
    throw std::runtime_error(std::string("rig not calibrated (") + calibration::to_string(r.status) + "): " +
                             r.message);
  }
  const bool metric = options.scale.source != calibration::ScaleOptions::Source::kNone;
  if (!out_path.empty()) {
    io::Rig result;
    result.length_unit = "m";
    result.cameras = r.cameras;
    write_file_atomic(out_path, out_toml ? io::format_pose2sim_toml(result) : io::format_rig_json(result));
  }
  const double metres_per_unit = io::metres_per_unit(rig.length_unit);
  if (out.json) {
    Json cams = Json::array();
    for (std::size_t i = 0; i < r.cameras.size(); ++i) {
      const Eigen::Quaterniond q = r.cameras[i].cam_from_world.rotation;
      const Eigen::Vector3d t = r.cameras[i].cam_from_world.translation;
      Json cam = {{"name", r.cameras[i].name()},
                  {"rotation_wxyz", {q.w(), q.x(), q.y(), q.z()}},
                  {"translation", {t.x(), t.y(), t.z()}},
                  {"observations", r.per_camera[i].num_observations},
                  {"reprojection_rms_px", r.per_camera[i].reprojection_rms_px}};
      if (run.comparison) {
        cam["rotation_error_deg"] = run.comparison->rotation_error_deg[i];
        cam["position_error_m"] = run.comparison->position_error[i] * metres_per_unit;
      }
      cams.push_back(std::move(cam));
    }
    print_json({{"status", calibration::to_string(r.status)},
                {"message", r.message},
                {"length_unit", metric ? "m" : "arbitrary"},
                {"cameras", std::move(cams)},
                {"reprojection_rms_px", r.reprojection_rms_px},
                {"observations", r.num_observations_used},
                {"estimated_height_m", r.estimated_height_m}});
  } else if (!out.quiet) {
    std::printf("rig of %zu cameras from %d frames: %s\n", r.cameras.size(), keypoints.num_frames(),
                calibration::to_string(r.status));
    if (degenerate) std::printf("  warning: %s\n", r.message.c_str());
    std::printf("  %d observations in the bundle adjustment, reprojection RMS %.2f px (noise sigma %.2f px)\n",
                r.num_observations_used, r.reprojection_rms_px, r.noise_sigma_px);
    std::printf("  scale: %s\n", metric ? r.scale_note.c_str() : "arbitrary (no height prior for this skeleton)");
    for (std::size_t i = 0; i < r.cameras.size(); ++i) {
      const Eigen::Vector3d c = r.cameras[i].center_in_world();
      std::printf("  %-10s centre [%8.3f %8.3f %8.3f]%s, %5d observations, RMS %.2f px", r.cameras[i].name().c_str(),
                  c.x(), c.y(), c.z(), metric ? " m" : "", r.per_camera[i].num_observations,
                  r.per_camera[i].reprojection_rms_px);
      if (run.comparison) {
        std::printf(", vs FILE: rotation %.2f deg, position %.3f m (%.2f %% of the rig)",
                    run.comparison->rotation_error_deg[i], run.comparison->position_error[i] * metres_per_unit,
                    100.0 * run.comparison->position_error[i] / run.comparison->rig_size);
      }
      std::printf("\n");
    }
    if (!out_path.empty()) std::printf("wrote %s\n", out_path.c_str());
  }
  return 0;
}

int run_calibrate_relative(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const Args args("calibrate-relative", argc, argv, {"quiet", "json"},
                  {"intrinsics", "method", "max-error", "min-confidence", "seed", "out"}, {"keypoints", "cameras"});
  const std::vector<std::string> folders = args.list("keypoints");
  if (folders.size() != 2) {
    throw UsageError("calibrate-relative: --keypoints needs exactly 2 folders (camera A, camera B), got " +
                     std::to_string(folders.size()));
  }
  const std::string method_name = args.get("method", "fundamental");
  RelativePoseMethod method;
  if (method_name == "essential") {
    method = RelativePoseMethod::kEssential;
  } else if (method_name == "fundamental") {
    method = RelativePoseMethod::kFundamental;
  } else {
    throw UsageError("calibrate-relative: --method must be essential or fundamental, got '" + method_name + "'");
  }
  const double max_error_px = args.get_double("max-error", 8.0, 1e-3, 1e3);
  const double min_confidence = args.get_double("min-confidence", 0.3, 0.0, 1.0);
  const auto seed = static_cast<std::uint64_t>(args.get_int("seed", 1, 0, 1L << 62));
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");

  const io::Rig rig = load_rig(args.require("intrinsics"));
  const std::vector<camera::Camera> cameras = cameras_for_folders(rig, args.list("cameras"), 2, "calibrate-relative");
  const MultiViewKeypoints keypoints = load_openpose_views(folders);
  Points2d keypoints_a, keypoints_b;  // each camera's sequence, 2 x (F*J)
  Eigen::VectorXd scores_a, scores_b;
  view_sequence(keypoints, 0, &keypoints_a, &scores_a);
  view_sequence(keypoints, 1, &keypoints_b, &scores_b);
  const camera::Rigid3d reference = cameras[1].cam_from_world * cameras[0].cam_from_world.inverse();
  const bool has_reference = !same_pose(cameras[0].cam_from_world, cameras[1].cam_from_world);
  const RelativePoseEstimate r = relative_pose_from_keypoints(cameras[0], cameras[1], keypoints_a, scores_a,
                                                              keypoints_b, scores_b, method,
                                                              max_error_px, min_confidence, seed,
                                                              has_reference ? &reference : nullptr);
  if (!r.ok) {
    throw std::runtime_error("no relative pose between " + cameras[0].name() + " and " + cameras[1].name() + " from " +
                             std::to_string(r.num_correspondences) + " joint correspondences: " + r.message);
  }
  const Eigen::Quaterniond q = r.cam2_from_cam1.rotation;
  const Eigen::Vector3d t = r.cam2_from_cam1.translation;
  if (args.has("out")) {
    io::Rig pair;
    pair.length_unit = "m";
    pair.cameras.push_back(camera::Camera(cameras[0].model(), cameras[0].params(), cameras[0].width(),
                                          cameras[0].height(), camera::Rigid3d(), cameras[0].name()));
    pair.cameras.push_back(camera::Camera(cameras[1].model(), cameras[1].params(), cameras[1].width(),
                                          cameras[1].height(), r.cam2_from_cam1, cameras[1].name()));
    write_file_atomic(args.get("out"), io::format_rig_json(pair));
  }
  if (out.json) {
    print_json({{"camera_a", cameras[0].name()},
                {"camera_b", cameras[1].name()},
                {"method", method_name},
                {"correspondences", r.num_correspondences},
                {"inliers", r.num_inliers},
                {"rotation_wxyz", {q.w(), q.x(), q.y(), q.z()}},
                {"translation_direction", {t.x(), t.y(), t.z()}},
                {"rotation_error_deg", r.rotation_error_deg},
                {"translation_error_deg", r.translation_error_deg}});
  } else if (!out.quiet) {
    const Eigen::Matrix3d R = q.toRotationMatrix();
    std::printf("%s from %s (%s), %d inliers of %d joint correspondences over %d frames\n", cameras[1].name().c_str(),
                cameras[0].name().c_str(), method_name.c_str(), r.num_inliers, r.num_correspondences,
                keypoints.num_frames());
    std::printf("  R = [%9.6f %9.6f %9.6f; %9.6f %9.6f %9.6f; %9.6f %9.6f %9.6f]\n", R(0, 0), R(0, 1), R(0, 2), R(1, 0),
                R(1, 1), R(1, 2), R(2, 0), R(2, 1), R(2, 2));
    std::printf("  t = [%9.6f %9.6f %9.6f] (unit length; scale unknown)\n", t.x(), t.y(), t.z());
    if (has_reference) {
      std::printf("  vs the file's extrinsics: rotation error %.2f deg, translation direction error %.2f deg\n",
                  r.rotation_error_deg, r.translation_error_deg);
    }
    if (args.has("out")) std::printf("wrote %s\n", args.get("out").c_str());
  }
  return 0;
}

}  // namespace crossview::cli
