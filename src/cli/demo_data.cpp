// crossview demo --data DIR: the pipeline on a real capture in Pose2Sim layout
// (a calibration .toml and one OpenPose JSON folder per camera under pose/).
#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "json_output.hpp"
#include "outputs.hpp"
#include "poses_file.hpp"
#include "run_report.hpp"
#include "inputs.hpp"
#include "rig_calibration.hpp"

#include <crossview/io/rig.hpp>
#include <crossview/metrics/pose_metrics.hpp>
#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/rpsm/rpsm.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace crossview::cli {

namespace {

namespace fs = std::filesystem;

struct Pose2SimLayout {
  std::string calibration;
  std::vector<std::string> keypoint_folders;
  std::string reference_trc;  ///< Pose2Sim's own triangulation, if present.
};

Pose2SimLayout find_layout(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error("--data '" + dir + "' is not a directory");
  Pose2SimLayout layout;
  std::vector<std::string> tomls, trcs;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && e.path().extension() == ".toml" && name.rfind("Calib", 0) == 0) tomls.push_back(e.path().string());
    if (e.is_regular_file() && e.path().extension() == ".trc") trcs.push_back(e.path().string());
  }
  if (tomls.empty()) throw std::runtime_error("--data '" + dir + "' has no calibration file Calib*.toml (Pose2Sim layout)");
  std::sort(tomls.begin(), tomls.end());
  std::sort(trcs.begin(), trcs.end());
  layout.calibration = tomls.front();
  if (trcs.size() == 1) layout.reference_trc = trcs.front();
  const fs::path pose_dir = fs::path(dir) / "pose";
  if (!fs::is_directory(pose_dir, ec)) {
    throw std::runtime_error("--data '" + dir + "' has no pose/ folder of OpenPose JSON folders (Pose2Sim layout)");
  }
  for (const auto& e : fs::directory_iterator(pose_dir, ec)) {
    if (e.is_directory()) layout.keypoint_folders.push_back(e.path().string());
  }
  // Natural order (cam8 < cam9 < cam10), the order of the calibration's cameras.
  std::sort(layout.keypoint_folders.begin(), layout.keypoint_folders.end(), natural_less);
  if (layout.keypoint_folders.size() < 2) {
    throw std::runtime_error("--data '" + dir + "': pose/ must hold one keypoint folder per camera (found " +
                             std::to_string(layout.keypoint_folders.size()) + ")");
  }
  return layout;
}

}  // namespace

int run_demo_data(const std::string& dir, int threads, std::uint64_t seed, const std::string& report_path,
                  const Output& out, RunOutputs& files) {
  const Pose2SimLayout layout = find_layout(dir);
  files.input(layout.calibration);
  files.input(layout.reference_trc);
  for (const auto& k : layout.keypoint_folders) files.input_folder(k);
  // Millimetres throughout (RPSM's limb tolerances and the metrics are in mm).
  const io::Rig rig = read_any_rig(layout.calibration).with_length_unit("mm");
  if (rig.size() != layout.keypoint_folders.size()) {
    throw std::runtime_error("the calibration " + layout.calibration + " has " + std::to_string(rig.size()) +
                             " cameras for " + std::to_string(layout.keypoint_folders.size()) +
                             " keypoint folders in pose/: they must pair one to one (folders in natural order)");
  }
  const std::vector<camera::Camera> cameras(rig.cameras.begin(),
                                            rig.cameras.begin() + static_cast<std::ptrdiff_t>(layout.keypoint_folders.size()));
  const MultiViewKeypoints keypoints = load_openpose_views(layout.keypoint_folders);
  const pose::Skeleton skeleton = skeleton_for("", keypoints.num_joints);
  const int F = keypoints.num_frames();
  const int V = keypoints.num_views;
  const int J = keypoints.num_joints;
  constexpr double kMinConfidence = 0.3;  // OpenPose scores below this are mostly wrong parts

  // 1. Self-calibration of the whole rig from body joints (no calibration object),
  //    compared with the calibration file. The pipeline below uses the file's rig.
  calibration::CalibrationOptions calib_options = calibration_options_for(keypoints.num_joints);
  calib_options.seed = seed;
  const RigCalibrationRun self_calibration = calibrate_from_keypoints(cameras, keypoints, calib_options);
  const calibration::CalibrationResult& calib = self_calibration.result;
  const std::string calib_summary =
      self_calibration.comparison
          ? describe_comparison(cameras, *self_calibration.comparison, "mm")
          : std::string("not calibrated (") + calibration::to_string(calib.status) + "): " + calib.message;

  // 2. Triangulation (DLT, robust), 3. RPSM from heatmaps rendered from the detections.
  // Every method's poses packed 3 x (F*J), column f*J + j.
  const Eigen::Index columns = static_cast<Eigen::Index>(F) * J;
  Points3d dlt(3, columns), robust(3, columns), rpsm_poses(3, columns);
  const auto frame_of = [J](auto& poses, int f) { return poses.middleCols(static_cast<Eigen::Index>(f) * J, J); };
  std::vector<double> dlt_err(F, 0.0), robust_err(F, 0.0);
  std::vector<int> dlt_n(F, 0), robust_n(F, 0);
  std::vector<triangulation::SkeletonResult> dlt_fits(static_cast<std::size_t>(F)), robust_fits(dlt_fits.size());
  Progress progress(out.quiet || out.json, 2 * F);
  parallel_for(F, threads, [&](int f) {
    // The frame is packed view-major (2 x (V*J)), triangulate_skeleton's input.
    const Points2d& px = keypoints.keypoints_px[static_cast<std::size_t>(f)];
    const Eigen::VectorXd& conf = keypoints.scores[static_cast<std::size_t>(f)];
    triangulation::TriangulationOptions o;
    o.min_confidence = kMinConfidence;
    o.method = triangulation::Method::kDlt;
    o.refine = false;
    const triangulation::SkeletonResult d = triangulation::triangulate_skeleton(cameras, px, conf, o);
    o.method = triangulation::Method::kRobust;
    o.refine = true;
    o.robust.seed = seed;
    const triangulation::SkeletonResult r = triangulation::triangulate_skeleton(cameras, px, conf, o);
    dlt_fits[static_cast<std::size_t>(f)] = d;  // for the report and diagnostics
    robust_fits[static_cast<std::size_t>(f)] = r;
    frame_of(dlt, f) = d.points_in_world;
    frame_of(robust, f) = r.points_in_world;
    for (int j = 0; j < J; ++j) {
      if (d.joints[j].ok()) {
        dlt_err[f] += d.joints[j].mean_reprojection_error_px;
        ++dlt_n[f];
      }
      if (r.joints[j].ok()) {
        robust_err[f] += r.joints[j].mean_reprojection_error_px;
        ++robust_n[f];
      }
    }
    progress.tick();
  });
  // Limb lengths of this person, measured on the robust triangulation.
  const Points3d& measured = robust;
  pose::Skeleton rpsm_skeleton = skeleton;
  std::string rpsm_note;
  try {
    rpsm_skeleton = pose::Skeleton(skeleton.names(), skeleton.parents(),
                                   pose::estimate_limb_lengths(skeleton, measured, 150.0), skeleton.left_right_pairs());
  } catch (const std::invalid_argument& e) {
    rpsm_note = std::string("RPSM skipped: ") + e.what();
  }
  std::vector<std::string> rpsm_failure(F);
  parallel_for(F, threads, [&](int f) {
    frame_of(rpsm_poses, f).setConstant(std::nan(""));
    const Points3d robust_pose = frame_of(robust, f);
    Eigen::Vector3d centre = Eigen::Vector3d::Zero();
    int valid = 0;
    for (int j = 0; j < J; ++j) {
      if (robust_pose.col(j).allFinite()) {
        centre += robust_pose.col(j);
        ++valid;
      }
    }
    if (!rpsm_note.empty() || valid == 0) {
      rpsm_failure[f] = rpsm_note.empty() ? "nothing triangulated" : rpsm_note;
      progress.tick();
      return;
    }
    std::vector<pose::HeatmapView> views;
    for (int v = 0; v < V; ++v) {
      const auto kp = keypoints.view(f, v);  // 2 x J
      Eigen::Vector2d lo(1e300, 1e300), hi(-1e300, -1e300);
      Eigen::VectorXd c = keypoints.view_scores(f, v);
      for (int j = 0; j < J; ++j) {
        if (!(c[j] > kMinConfidence)) {
          c[j] = 0.0;
          continue;
        }
        lo = lo.cwiseMin(kp.col(j));
        hi = hi.cwiseMax(kp.col(j));
      }
      if (!(hi.x() > lo.x())) continue;
      constexpr int kSize = 64;
      const double side = 1.2 * std::max(hi.x() - lo.x(), hi.y() - lo.y()) + 40.0;
      const Eigen::Vector2d centre = 0.5 * (lo + hi);
      const pose::Affine2d affine =
          pose::image_from_heatmap_for_box(centre.x() - 0.5 * side, centre.y() - 0.5 * side, side, side, kSize, kSize);
      views.push_back({cameras[v], pose::render_gaussian_heatmaps(kp, c, kSize, kSize, affine, 2.0)});
    }
    // A complete triangulation is refined; otherwise the PSM grid searches
    // around the centre of the joints that were triangulated.
    const rpsm::RpsmResult r = valid == J ? rpsm::refine(views, rpsm_skeleton, robust_pose)
                                          : rpsm::estimate(views, rpsm_skeleton, centre / valid);
    if (r.success()) {
      frame_of(rpsm_poses, f) = r.joints_in_world;
    } else {
      rpsm_failure[f] = r.message;
    }
    progress.tick();
  });
  progress.done();

  // 4. Agreement with Pose2Sim's own triangulation (a reference, not ground truth).
  Points3d reference;  // Pose2Sim's poses, packed like ours (empty when there is none)
  double reference_rate_hz = 0.0;  // the capture's frame rate as the .trc states it (0 = unknown)
  std::vector<int> ref_joint(J, -1);
  if (!layout.reference_trc.empty()) {
    const PoseSequence trc = read_poses(layout.reference_trc);
    const double to_mm = 1000.0 * io::metres_per_unit(trc.unit);
    reference_rate_hz = trc.rate_hz > 0.0 && std::isfinite(trc.rate_hz) ? trc.rate_hz : 0.0;
    for (int j = 0; j < J; ++j) {
      for (int k = 0; k < trc.num_joints(); ++k) {
        if (trc.joint_names[k] == skeleton.name(j)) ref_joint[j] = k;
      }
    }
    if (trc.num_frames() == F) {
      reference.setConstant(3, columns, std::nan(""));
      for (int f = 0; f < F; ++f) {
        for (int j = 0; j < J; ++j) {
          if (ref_joint[j] >= 0) frame_of(reference, f).col(j) = trc.pose(f).col(ref_joint[j]) * to_mm;
        }
      }
    }
  }
  const auto reproj = [](const std::vector<double>& sum, const std::vector<int>& n) {
    double s = 0.0;
    int c = 0;
    for (std::size_t i = 0; i < sum.size(); ++i) {
      s += sum[i];
      c += n[i];
    }
    return std::make_pair(c > 0 ? s / c : std::nan(""), c);
  };
  const auto [dlt_reproj, dlt_count] = reproj(dlt_err, dlt_n);
  const auto [robust_reproj, robust_count] = reproj(robust_err, robust_n);
  int rpsm_ok = 0;
  for (const auto& s : rpsm_failure) rpsm_ok += s.empty() ? 1 : 0;

  report::Table table;
  table.title = "Summary";
  table.basis = "Each method on the joints it produced (count in the last column). Reprojection: the mean over "
                "the views each method used (DLT: every detection above 0.3; robust: its inlier views), so the "
                "two are not comparable; the diagnostics' reprojection table compares every method against "
                "every detection on the same joint instances. vs Pose2Sim: distance to Pose2Sim's own "
                "triangulation (a reference, not ground truth), no alignment.";
  table.columns = {"method", "reprojection [px]", "vs Pose2Sim MPJPE [mm]", "joints"};
  metrics::ErrorOptions absolute;
  absolute.alignment = metrics::Alignment::kNone;
  struct Row {
    std::string name;
    const Points3d* poses;
    double reproj;
    int count;
  };
  const std::vector<Row> rows = {{"DLT", &dlt, dlt_reproj, dlt_count},
                                 {"robust triangulation", &robust, robust_reproj, robust_count},
                                 {"RPSM (refined)", &rpsm_poses, std::nan(""), rpsm_ok * J}};
  Json json_rows = Json::array();
  for (const Row& row : rows) {
    double vs = std::nan("");
    if (reference.cols() > 0) {
      const metrics::ErrorSummary e = metrics::mpjpe(*row.poses, reference, J, absolute);
      if (e.ok()) vs = e.mean;
    }
    table.rows.push_back({row.name, std::isfinite(row.reproj) ? fmt::format("{:.2f}", row.reproj) : "n/a",
                          std::isfinite(vs) ? fmt::format("{:.1f}", vs) : "n/a", fmt::format("{}/{}", row.count, F * J)});
    json_rows.push_back(
        {{"method", row.name}, {"reprojection_px", row.reproj}, {"vs_pose2sim_mpjpe_mm", vs}, {"joints", row.count}});
  }
  // The run of the interactive report: cameras, detections, layers robust / DLT
  // (with their fits), RPSM (kept nothing where it failed) and Pose2Sim's .trc.
  report::Run run;
  run.title = "crossview demo: " + fs::path(dir).filename().string();
  run.skeleton = report_skeleton(skeleton, "chosen by the joint count (" + std::to_string(J) + ")");
  run.num_joints = J;
  run.num_frames = F;
  run.length_unit = "mm";
  run.fps = reference_rate_hz;
  run.frame_numbers = keypoints.frame_numbers;
  run.up_axis = 2;
  run.cameras = cameras;
  run.detections = single_person_detections(keypoints.keypoints_px, keypoints.scores, V, J);
  report::Person person;
  person.id = 0;
  person.label = "main person";
  person.layers.push_back(
      report::layer_from_triangulation("robust triangulation", report::LayerKind::kRobust, robust_fits, J, V));
  person.layers.push_back(report::layer_from_triangulation("DLT", report::LayerKind::kDlt, dlt_fits, J, V));
  if (rpsm_ok > 0) person.layers.push_back(poses_layer("RPSM", report::LayerKind::kRpsm, rpsm_poses, J));
  if (reference.cols() > 0) {
    person.layers.push_back(poses_layer("Pose2Sim (.trc)", report::LayerKind::kReference, reference, J));
  }
  run.persons.push_back(std::move(person));
  run.tables.push_back(table);
  run.notes.push_back(
      {"Self-calibration from body joints",
       "The rig's extrinsics recovered from the detected joints alone (crossview::calibration: pairwise essential "
       "matrices, rotation averaging, bundle adjustment, metric scale from a 1.70 m person), compared with the "
       "calibration file after removing the similarity gauge: " +
           calib_summary +
           (calib.ok() ? fmt::format(". Reprojection RMS {:.2f} px on {} observations.", calib.reprojection_rms_px,
                                     calib.num_observations_used)
                       : std::string("."))});
  run.notes.push_back(
      {"Pipeline",
       "Main person per view (highest confidence, continuity with the previous frame); detections scored <= 0.3 "
       "ignored. DLT: confidence-weighted linear triangulation. Robust: RANSAC over view pairs, then "
       "Levenberg-Marquardt through the distortion model. RPSM: Gaussian heatmaps rendered from the detections, "
       "limb lengths measured (median) on the robust triangulation, recursive refinement and continuous "
       "polish. The reference is "
       "Pose2Sim's own triangulation of the same detections, not ground truth." +
           (rpsm_note.empty() ? std::string() : " " + rpsm_note)});
  const report::Diagnostics diagnostics = diagnose_run(
      run, "robust triangulation", kMinConfidence, triangulation::TriangulationOptions{}.robust.inlier_threshold_px, seed);
  report::PageInfo page;
  files.stage(report_path, render_report(run, diagnostics, &page));
  files.commit();

  if (out.json) {
    Json calib_json = {{"status", calibration::to_string(calib.status)},
                       {"reprojection_rms_px", calib.reprojection_rms_px}};
    if (self_calibration.comparison) {
      calib_json["rotation_error_deg"] = self_calibration.comparison->rotation_error_deg;
      calib_json["position_error_mm"] = self_calibration.comparison->position_error;
    }
    print_json({{"data", dir},
                {"frames", F},
                {"cameras", V},
                {"self_calibration", std::move(calib_json)},
                {"methods", std::move(json_rows)},
                {"report", report_path},
                {"report_bytes", page.bytes},
                {"diagnostics", diagnostics_to_json(run, diagnostics)}});
  } else if (!out.quiet) {
    std::printf("crossview demo on %s: %d cameras, %d frames, %d joints\n\n", dir.c_str(), V, F, J);
    std::printf("self-calibration of the rig from body joints (%s, reprojection RMS %.2f px), vs the calibration "
                "file:\n",
                calibration::to_string(calib.status), calib.reprojection_rms_px);
    if (self_calibration.comparison) {
      const calibration::RigComparison& c = *self_calibration.comparison;
      for (std::size_t i = 0; i < cameras.size(); ++i) {
        std::printf("  %-8s rotation error %5.2f deg, position error %5.0f mm (%.2f %% of the %.2f m rig)\n",
                    cameras[i].name().c_str(), c.rotation_error_deg[i], c.position_error[i],
                    100.0 * c.position_error[i] / c.rig_size, c.rig_size / 1000.0);
      }
    } else {
      std::printf("  FAILED  %s\n", calib.message.c_str());
    }
    std::printf("\n%-22s %18s %24s %10s\n", "method", "reprojection [px]", "vs Pose2Sim MPJPE [mm]", "joints");
    for (const auto& r : table.rows) {
      std::printf("%-22s %18s %24s %10s\n", r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].c_str());
    }
    if (F - rpsm_ok > 0) std::printf("(RPSM did not run or failed on %d frames)\n", F - rpsm_ok);
    std::printf("\n%s", diagnostics_text(run, diagnostics).c_str());
    std::printf("\nreport written to %s (%.1f MB)\n", report_path.c_str(), static_cast<double>(page.bytes) / 1e6);
  }
  return 0;
}

}  // namespace crossview::cli
