// crossview calibrate: the whole rig from the people it sees (crossview::calibration);
// crossview calibrate-relative: the relative pose of a camera pair from the
// body joints both cameras see (EpipolarPose), no calibration object.
#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "json_output.hpp"
#include "inputs.hpp"
#include "outputs.hpp"
#include "rig_calibration.hpp"

#include <crossview/io/rig.hpp>

#include <fmt/core.h>

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
    "  --intrinsics FILE     calibration with both cameras' intrinsics (any format triangulate reads)\n"
    "  --cameras NAME NAME   the two cameras' names in FILE (default: its first two)\n"
    "  --method M            fundamental (default: F with RANSAC on undistorted pixels, then\n"
    "                        E = Kb^T F Ka, as EpipolarPose) | essential (5-point RANSAC)\n"
    "  --max-error PX        RANSAC inlier threshold in pixels (default 8: body keypoints on\n"
    "                        HD video are ~5-10 px off; a threshold below the noise is\n"
    "                        refused as a partial fit)\n"
    "  --min-confidence C    ignore detections scored <= C (default 0.3)\n"
    "  --seed S              RANSAC seed (default 1)\n"
    "  --out FILE            write the pair as a crossview rig .json or a Pose2Sim .toml\n"
    "                        (A at the origin, B at the unit-length baseline)\n"
    "  --quiet, --json       print nothing but errors / a JSON object\n";

constexpr const char* kRigHelp =
    "usage: crossview calibrate --keypoints DIR DIR [DIR ...] --intrinsics FILE [options]\n"
    "\n"
    "Calibrates the extrinsics of a whole rig (2 or more cameras) from the body joints\n"
    "of the people they see, with no calibration object: pairwise essential matrices,\n"
    "rotation averaging, bundle adjustment with a robust loss, and a metric scale from\n"
    "the person's height (BODY_25B and H36M_17; other skeletons keep an arbitrary scale).\n"
    "Several people: a view contributes a frame only when it holds exactly one\n"
    "confident person (a view that almost never does falls back to its most confident\n"
    "person, and says so); after calibrating, every frame is associated again with the\n"
    "new rig and the rig is refused (exit 1, nothing written) unless the people used\n"
    "agree across views in at least 70 % of the frames.\n"
    "The world frame: the floor when the skeleton names feet (ankles, heels, toes) and\n"
    "they fix one (z up, floor at z = 0, origin under the people's feet, x = the first\n"
    "camera's viewing direction on the floor: everyone is tracked with the new rig and\n"
    "temporal::estimate_floor fits a robust plane to their still feet); otherwise the\n"
    "first camera's frame (x right, y down, z forward), with a warning saying why. The\n"
    "rig file records which (\"world\" in .json, [metadata.world] in .toml). When FILE\n"
    "also holds extrinsics (e.g. a calibration-object result), the result is compared\n"
    "with them after removing the similarity gauge.\n"
    "\n"
    "options:\n"
    "  --keypoints SRC...     one keypoint source per camera (OpenPose folder, MMPose .json,\n"
    "                         DeepLabCut / SLEAP .h5), in the calibration's order\n"
    "  --intrinsics FILE      calibration with every camera's intrinsics (any format\n"
    "                         `triangulate --calib` reads)\n"
    "  --skeleton S           skeleton name or file (default: as `triangulate` resolves it)\n"
    "  --config FILE          Pose2Sim Config.toml (pose_model; participant_height when\n"
    "                         it holds one height)\n"
    "  --cameras NAME...      the cameras' names in FILE (default: its first ones)\n"
    "  --height M             the person's height in metres (default: the Config.toml's single\n"
    "                         participant_height, else 1.70, a mean adult)\n"
    "  --noise PX             keypoint noise sigma in pixels; thresholds derive from it (default 3)\n"
    "  --min-confidence C     ignore detections scored below C (default 0.3)\n"
    "  --refine-focal         also refine the focal lengths\n"
    "  --refine-distortion    also refine the first two radial distortion terms\n"
    "  --bone-lengths         add bone-length consistency terms across frames\n"
    "  --seed S               seed of the pairwise RANSACs (default: the library's)\n"
    "  --align-floor          require the floor frame: fail (exit 1, nothing written) when the\n"
    "                         feet cannot fix the floor (default: align when the skeleton has\n"
    "                         feet, else keep the first camera's frame with a warning)\n"
    "  --no-align-floor       keep the first camera's frame\n"
    "  --rate HZ              frame rate, for the still-foot test of --align-floor (default: the\n"
    "                         Config.toml's project.frame_rate, else 60 as Pose2Sim assumes for\n"
    "                         images when frame_rate = 'auto')\n"
    "  --out FILE             write the calibrated rig (.json crossview or .toml Pose2Sim)\n"
    "  --quiet, --json        print nothing but errors / a JSON object\n";

/// Pose2Sim's frame rate for image folders when project.frame_rate = 'auto'.
constexpr double kDefaultRateHz = 60.0;

enum class FloorMode { kAuto, kOn, kOff };

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
  const Args args("calibrate", argc, argv,
                  {"quiet", "json", "refine-focal", "refine-distortion", "bone-lengths", "align-floor",
                   "no-align-floor"},
                  {"intrinsics", "height", "noise", "min-confidence", "seed", "out", "skeleton", "config",
                   "h36m-subject", "rate"},
                  {"keypoints", "cameras"});
  if (args.flag("align-floor") && args.flag("no-align-floor")) {
    throw UsageError("calibrate: --align-floor and --no-align-floor exclude each other");
  }
  if (args.flag("no-align-floor") && args.has("rate")) {
    throw UsageError("calibrate: --rate is only used to align the floor; it makes no sense with --no-align-floor");
  }
  if (args.has("rate")) args.get_double("rate", 0.0, 1e-3, 1e6);  // a malformed --rate is a usage error up front
  const FloorMode floor_mode =
      args.flag("align-floor") ? FloorMode::kOn : args.flag("no-align-floor") ? FloorMode::kOff : FloorMode::kAuto;
  const std::vector<std::string> folders = args.list("keypoints");
  if (folders.size() < 2) {
    throw UsageError("calibrate: --keypoints needs one folder per camera (at least 2), got " +
                     std::to_string(folders.size()));
  }
  const std::string out_path = args.get("out", "");
  const bool out_toml = lower_extension(out_path) == ".toml";
  // Every input and output named before any work (outputs.hpp).
  RunOutputs files("calibrate");
  files.input(args.require("intrinsics"));
  files.input(args.get("config"));
  for (const auto& k : folders) files.input_folder(k);
  if (args.has("out")) files.file("out", out_path, {".json", ".toml"});
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");

  const io::Rig rig = read_any_rig(args.require("intrinsics"), args.get("h36m-subject"));
  const std::vector<camera::Camera> cameras =
      cameras_for_folders(rig, args.list("cameras"), folders.size(), "calibrate");
  PeopleKeypoints keypoints = load_people_views(folders);
  const std::optional<io::Pose2SimConfig> config = find_session_config(args.get("config"), folders);
  const io::ResolvedSkeleton resolved = resolve_cli_skeleton(args.get("skeleton"), keypoints, config, false);
  calibration::CalibrationOptions options = calibration_options_for_skeleton(resolved.skeleton);
  // Keypoints outside their camera's image are not detections (reprojected
  // placeholders in some Pose2Sim files): made missing and counted. Many of
  // them in one camera means the image size or the camera order is wrong.
  std::vector<long long> confident_keypoints;
  const std::vector<long long> outside_image =
      drop_keypoints_outside_images(&keypoints, cameras, 0.0, &confident_keypoints);
  std::string outside_note;
  Json outside_json = Json::object();
  for (std::size_t v = 0; v < cameras.size(); ++v) {
    if (outside_image[v] == 0) continue;
    const double fraction = static_cast<double>(outside_image[v]) / static_cast<double>(std::max<long long>(1, confident_keypoints[v]));
    if (fraction > 0.2) {
      throw std::runtime_error("camera " + cameras[v].name() + ": " + std::to_string(outside_image[v]) + " of " +
                               std::to_string(confident_keypoints[v]) + " keypoints lie outside its " +
                               std::to_string(cameras[v].width()) + "x" + std::to_string(cameras[v].height()) +
                               " image: the calibration's image size does not fit these keypoints, or keypoint folders are paired with the wrong cameras");
    }
    outside_note += (outside_note.empty() ? "" : ", ") + cameras[v].name() + " " + std::to_string(outside_image[v]) +
                    " of " + std::to_string(confident_keypoints[v]);
    outside_json[cameras[v].name()] = outside_image[v];
  }
  std::string height_origin = "default (a mean adult)";
  if (args.has("height")) {
    options.scale.person_height_m = args.get_double("height", options.scale.person_height_m, 0.51, 2.49);
    height_origin = "--height";
  } else if (config && config->participant_heights_m.size() == 1) {
    options.scale.person_height_m = config->participant_heights_m.front();
    height_origin = "Config.toml participant_height";
  } else if (config && config->participant_heights_m.size() > 1) {
    height_origin = "default (a mean adult; the Config.toml lists several participants: give --height)";
  }
  options.keypoint_noise_px = args.get_double("noise", options.keypoint_noise_px, 0.05, 100.0);
  options.min_confidence = args.get_double("min-confidence", options.min_confidence, 0.0, 0.99);
  options.refine_focal = args.flag("refine-focal");
  options.refine_distortion = args.flag("refine-distortion");
  options.bone_length_terms = args.flag("bone-lengths");
  if (args.has("seed")) options.seed = static_cast<std::uint64_t>(args.get_int("seed", 1, 0, 1L << 62));

  // The floor: decided before any work whether it can be asked of this skeleton.
  std::vector<std::string> unrecognised_feet;
  const temporal::FloorOptions floor_options = floor_options_for_skeleton(resolved.skeleton, &unrecognised_feet);
  const bool scale_can_be_metric = options.scale.source != calibration::ScaleOptions::Source::kNone ||
                                   !resolved.skeleton.height_segments().empty();
  std::string floor_skip;  // why the floor is not estimated (empty: it is)
  if (floor_mode == FloorMode::kOff) {
    floor_skip = "--no-align-floor";
  } else if (floor_options.feet.empty()) {
    floor_skip = "skeleton " + resolved.skeleton.model_name() + " names no feet (ankles, heels, toes)";
  } else if (!scale_can_be_metric) {
    floor_skip = "the scale of skeleton " + resolved.skeleton.model_name() +
                 " is arbitrary (no height segments), so feet heights above the floor cannot be compared";
  }
  if (floor_mode == FloorMode::kOn && !floor_skip.empty()) {
    throw std::runtime_error("calibrate --align-floor: cannot align the floor: " + floor_skip);
  }
  std::string rate_origin;
  double rate_hz = 0.0;
  if (floor_skip.empty()) {
    rate_hz = session_rate(args, config, &rate_origin);
    if (!(rate_hz > 0.0)) {
      rate_hz = kDefaultRateHz;
      rate_origin = std::string("assumed (") +
                    (config && config->frame_rate_auto ? "the Config.toml says 'auto'" : "no --rate, no Config.toml frame_rate") +
                    "; Pose2Sim's default for images; give --rate HZ if it differs)";
    }
  }

  constexpr int kMinFrames = 20;
  const PeopleCalibrationRun people_run = calibrate_from_people(cameras, keypoints, options, kMinFrames, 0.7,
                                                               &resolved.skeleton, options.scale.person_height_m);
  const RigCalibrationRun& run = people_run.run;
  const calibration::CalibrationResult& r = run.result;
  std::string selection_note;
  for (int v = 0; v < static_cast<int>(cameras.size()); ++v) {
    selection_note += (v ? "; " : "") + cameras[static_cast<std::size_t>(v)].name() + ": " +
                      std::to_string(people_run.selected_frames[static_cast<std::size_t>(v)]) + " frames used, " +
                      std::to_string(people_run.ambiguous_frames[static_cast<std::size_t>(v)]) +
                      " with several confident people";
  }
  if (people_run.frames_selected < kMinFrames) {
    throw std::runtime_error("rig not calibrated: only " + std::to_string(people_run.frames_selected) +
                             " frames where at least two cameras each see exactly one confident person (need " +
                             std::to_string(kMinFrames) + "): " + selection_note);
  }
  const bool degenerate = r.status == calibration::Status::kDegenerateMotion;
  if (!r.ok() && !degenerate) {
    throw std::runtime_error(std::string("rig not calibrated (") + calibration::to_string(r.status) + "): " +
                             r.message + " [" + selection_note + "]");
  }
  if (!people_run.verified) {
    throw std::runtime_error("rig refused: " + people_run.verification_message + " [" + selection_note + "]");
  }
  const bool metric =
      options.scale.source != calibration::ScaleOptions::Source::kNone || people_run.metric_scale_from_skeleton;
  const std::string scale_note = people_run.metric_scale_from_skeleton ? people_run.scale_note : r.scale_note;

  // World frame: the floor under the people, or camera 1's frame (said why).
  std::vector<camera::Camera> rig_cameras = r.cameras;
  io::RigWorld world;
  world.camera = rig_cameras.front().name();
  std::optional<FloorRun> floor_run;
  std::string floor_warning;
  if (floor_skip.empty() && !metric) {
    floor_skip = "the rig's scale is arbitrary (" + scale_note + "), so feet heights above the floor cannot be compared";
    if (floor_mode == FloorMode::kOn) throw std::runtime_error("calibrate --align-floor: cannot align the floor: " + floor_skip);
  }
  if (floor_skip.empty()) {
    floor_run = estimate_floor_from_people(rig_cameras, keypoints, resolved.skeleton, options.min_confidence, rate_hz,
                                           floor_options);
    const temporal::FloorResult& fl = floor_run->floor;
    if (fl.ok()) {
      temporal::apply_world_frame(fl.world_from_old, &rig_cameras);
      world.frame = "floor";
      world.up = "+z";
      world.x_axis = "the viewing direction of camera " + world.camera + " projected onto the floor (y = z x x)";
      world.origin = "the median of the foot points on the floor, projected onto it";
      world.estimated_by = fmt::format(
          "crossview calibrate --align-floor (temporal::estimate_floor on the feet of {} tracked {}, {} poses, "
          "{:g} Hz)",
          floor_run->people, floor_run->people == 1 ? "person" : "people", floor_run->poses, rate_hz);
      world.evidence = fl.message;
      world.tilt_uncertainty_deg = fl.tilt_uncertainty_deg;
    } else {
      floor_skip = std::string("floor ") + temporal::to_string(fl.status) + ": " + fl.message;
      if (floor_mode == FloorMode::kOn) {
        throw std::runtime_error("calibrate --align-floor: " + floor_skip +
                                 " (nothing written; --no-align-floor keeps camera " + world.camera +
                                 "'s frame; feet that stood over a wider area fix the floor)");
      }
      floor_warning = floor_skip;
    }
  }
  if (world.frame.empty()) {
    world.frame = "camera";
    world.origin = "the centre of camera " + world.camera;
    world.estimated_by = "crossview calibrate (self-calibration from people)";
    world.evidence = "floor not aligned: " + floor_skip;
  }
  if (!floor_warning.empty()) {
    std::fprintf(stderr, "crossview calibrate: warning: %s; the rig keeps camera %s's frame (y down, not the floor)\n",
                 floor_warning.c_str(), world.camera.c_str());
  }
  if (!out_path.empty()) {
    io::Rig result;
    result.length_unit = "m";
    result.cameras = rig_cameras;
    result.world = world;
    files.stage(out_path, out_toml ? io::format_pose2sim_toml(result) : io::format_rig_json(result));
    files.commit();
    if (!metric) {
      // The rig formats hold "m" or "mm" only: say it aloud rather than let the file pass for metric.
      std::fprintf(stderr,
                   "crossview calibrate: warning: the scale of %s is arbitrary (no height prior for skeleton %s; "
                   "give a skeleton with height segments and --height), although the file says \"m\"\n",
                   out_path.c_str(), resolved.skeleton.model_name().c_str());
    }
  }
  const double metres_per_unit = io::metres_per_unit(rig.length_unit);
  if (out.json) {
    Json cams = Json::array();
    for (std::size_t i = 0; i < rig_cameras.size(); ++i) {
      const Eigen::Quaterniond q = rig_cameras[i].cam_from_world.rotation;
      const Eigen::Vector3d t = rig_cameras[i].cam_from_world.translation;
      Json cam = {{"name", rig_cameras[i].name()},
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
    Json world_json = {{"frame", world.frame}, {"camera", world.camera}, {"origin", world.origin},
                       {"estimated_by", world.estimated_by}, {"evidence", world.evidence}};
    if (!world.up.empty()) world_json["up"] = world.up;
    if (!world.x_axis.empty()) world_json["x"] = world.x_axis;
    if (!std::isnan(world.tilt_uncertainty_deg)) world_json["tilt_uncertainty_deg"] = world.tilt_uncertainty_deg;
    Json floor_json = nullptr;
    if (floor_run) {
      const temporal::FloorResult& fl = floor_run->floor;
      floor_json = {{"status", temporal::to_string(fl.status)},
                    {"message", fl.message},
                    {"applied", fl.ok()},
                    {"rate_hz", rate_hz},
                    {"rate_origin", rate_origin},
                    {"people", floor_run->people},
                    {"poses", floor_run->poses},
                    {"still_foot_points", fl.num_candidates},
                    {"inliers", fl.num_inliers},
                    {"rms_residual_m", fl.rms_residual_m},
                    {"footprint_m", {fl.footprint_major_m, fl.footprint_minor_m}},
                    {"tilt_uncertainty_deg", fl.tilt_uncertainty_deg}};
      if (fl.has_frame()) {
        // The up axis in camera 1's frame (what the rig's world was before).
        floor_json["up_in_camera"] = {fl.up_in_old.x(), fl.up_in_old.y(), fl.up_in_old.z()};
      }
      if (!unrecognised_feet.empty()) {
        std::string names;
        for (const auto& n : unrecognised_feet) names += (names.empty() ? "" : ", ") + n;
        floor_json["feet_of_unknown_height"] = names;
      }
    }
    print_json({{"status", calibration::to_string(r.status)},
                {"message", r.message},
                {"length_unit", metric ? "m" : "arbitrary"},
                {"cameras", std::move(cams)},
                {"reprojection_rms_px", r.reprojection_rms_px},
                {"observations", r.num_observations_used},
                {"estimated_height_m", r.estimated_height_m},
                {"height_origin", height_origin},
                {"scale", metric ? scale_note : std::string("arbitrary")},
                {"skeleton", resolved.skeleton.model_name()},
                {"skeleton_origin", resolved.origin},
                {"frames", keypoints.num_frames()},
                {"frames_used", people_run.frames_selected},
                {"frames_checked", people_run.frames_checked},
                {"frames_consistent", people_run.frames_consistent},
                {"main_person_views", people_run.main_person_views},
                {"selection", selection_note},
                {"verification", people_run.verification_message},
                {"keypoints_outside_image", std::move(outside_json)},
                {"world", std::move(world_json)},
                {"floor", std::move(floor_json)}});
  } else if (!out.quiet) {
    std::printf("rig of %zu cameras from %d frames: %s\n", r.cameras.size(), keypoints.num_frames(),
                calibration::to_string(r.status));
    if (degenerate) std::printf("  warning: %s\n", r.message.c_str());
    std::printf("  skeleton %s (%s); %d of %d frames used: %s\n", resolved.skeleton.model_name().c_str(),
                resolved.origin.c_str(), people_run.frames_selected, keypoints.num_frames(), selection_note.c_str());
    if (!people_run.main_person_views.empty()) {
      std::string v;
      for (const auto& n : people_run.main_person_views) v += (v.empty() ? "" : ", ") + n;
      std::printf("  warning: %s rarely see one person alone: their most confident person is used\n", v.c_str());
    }
    if (!outside_note.empty()) {
      std::printf("  note: keypoints outside their camera's image treated as not detected: %s\n", outside_note.c_str());
    }
    std::printf("  verification: %s\n", people_run.verification_message.c_str());
    std::printf("  %d observations in the bundle adjustment, reprojection RMS %.2f px (noise sigma %.2f px)\n",
                r.num_observations_used, r.reprojection_rms_px, r.noise_sigma_px);
    std::printf("  scale: %s\n", metric ? (scale_note + ", height " + height_origin).c_str()
                                        : "arbitrary (no height prior for this skeleton); the rig file says \"m\"");
    if (world.frame == "floor") {
      const temporal::FloorResult& fl = floor_run->floor;
      std::printf("  world: the floor (z up, floor at z = 0, x = camera %s's view on the floor), from the feet of %d "
                  "tracked %s at %g Hz (%s): %s\n",
                  world.camera.c_str(), floor_run->people, floor_run->people == 1 ? "person" : "people", rate_hz,
                  rate_origin.c_str(), fl.message.c_str());
    } else {
      std::printf("  world: camera %s's frame (x right, y down, z forward): %s\n", world.camera.c_str(),
                  world.evidence.c_str());
    }
    if (!unrecognised_feet.empty() && floor_run) {
      std::string names;
      for (const auto& n : unrecognised_feet) names += (names.empty() ? "" : ", ") + n;
      std::printf("  note: feet joints of unknown kind taken 0.05 m above the floor: %s\n", names.c_str());
    }
    for (std::size_t i = 0; i < rig_cameras.size(); ++i) {
      const Eigen::Vector3d c = rig_cameras[i].center_in_world();
      std::printf("  %-10s centre [%8.3f %8.3f %8.3f]%s, %5d observations, RMS %.2f px", rig_cameras[i].name().c_str(),
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
  // Every input and output named before any work (outputs.hpp).
  RunOutputs files("calibrate-relative");
  files.input(args.require("intrinsics"));
  for (const auto& k : folders) files.input_folder(k);
  if (args.has("out")) files.file("out", args.get("out"), {".json", ".toml"});
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");

  const io::Rig rig = read_any_rig(args.require("intrinsics"));
  const std::vector<camera::Camera> cameras = cameras_for_folders(rig, args.list("cameras"), 2, "calibrate-relative", true);
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
    files.stage(args.get("out"), lower_extension(args.get("out")) == ".toml" ? io::format_pose2sim_toml(pair)
                                                                            : io::format_rig_json(pair));
    files.commit();
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
