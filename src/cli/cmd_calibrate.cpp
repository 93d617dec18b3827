// crossview calibrate-relative: the relative pose of a camera pair from the
// body joints both cameras see (EpipolarPose), no calibration object.
#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"

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
    "  --max-error PX        RANSAC inlier threshold in pixels (default 4)\n"
    "  --min-confidence C    ignore detections scored <= C (default 0.3)\n"
    "  --seed S              RANSAC seed (default 1)\n"
    "  --out FILE            write the pair as a crossview rig .json (A at the origin,\n"
    "                        B at the unit-length baseline)\n"
    "  --quiet, --json       print nothing but errors / a JSON object\n";

bool same_pose(const camera::Rigid3d& a, const camera::Rigid3d& b) {
  return camera::rotation_angle_between(a.rotation_matrix(), b.rotation_matrix()) < 1e-12 &&
         (a.translation - b.translation).norm() < 1e-12;
}

}  // namespace

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
  const double max_error_px = args.get_double("max-error", 4.0, 1e-3, 1e3);
  const double min_confidence = args.get_double("min-confidence", 0.3, 0.0, 1.0);
  const auto seed = static_cast<std::uint64_t>(args.get_int("seed", 1, 0, 1L << 62));
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");

  const io::Rig rig = load_rig(args.require("intrinsics"));
  const std::vector<camera::Camera> cameras = cameras_for_folders(rig, args.list("cameras"), 2, "calibrate-relative");
  const MultiViewKeypoints keypoints = load_openpose_views(folders);
  std::vector<PoseMatrix> frames_a, frames_b;
  for (const auto& frame : keypoints.frames) {
    frames_a.push_back(frame[0]);
    frames_b.push_back(frame[1]);
  }
  const camera::Rigid3d reference = cameras[1].cam_from_world * cameras[0].cam_from_world.inverse();
  const bool has_reference = !same_pose(cameras[0].cam_from_world, cameras[1].cam_from_world);
  const RelativePoseEstimate r = relative_pose_from_keypoints(cameras[0], cameras[1], frames_a, frames_b, method,
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
    std::printf("{\"camera_a\": %s, \"camera_b\": %s, \"method\": %s, \"correspondences\": %d, \"inliers\": %d, "
                "\"rotation_wxyz\": [%s, %s, %s, %s], \"translation_direction\": [%s, %s, %s], "
                "\"rotation_error_deg\": %s, \"translation_error_deg\": %s}\n",
                json_string(cameras[0].name()).c_str(), json_string(cameras[1].name()).c_str(),
                json_string(method_name).c_str(), r.num_correspondences, r.num_inliers, json_number(q.w()).c_str(),
                json_number(q.x()).c_str(), json_number(q.y()).c_str(), json_number(q.z()).c_str(),
                json_number(t.x()).c_str(), json_number(t.y()).c_str(), json_number(t.z()).c_str(),
                json_number(r.rotation_error_deg).c_str(), json_number(r.translation_error_deg).c_str());
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
