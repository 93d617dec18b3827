// crossview rpsm: 3D poses from multi-view 2D heatmaps with the Recursive
// Pictorial Structure Model.
#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "json_output.hpp"
#include "poses_file.hpp"

#include <crossview/io/npy.hpp>
#include <crossview/pose/heatmaps.hpp>
#include <crossview/rpsm/rpsm.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace crossview::cli {

namespace {

constexpr const char* kHelp =
    "usage: crossview rpsm --calib FILE --heatmaps FILE... --out FILE... [options]\n"
    "\n"
    "Estimates the 3D pose of every frame from per-camera 2D heatmaps with the\n"
    "Recursive Pictorial Structure Model, starting from the triangulated heatmap maxima\n"
    "(or from --init poses). Writes poses in millimetres (world frame) as .json/.trc.\n"
    "\n"
    "Heatmap layout: one NumPy .npy file per camera, float32 or float64, C order, shape\n"
    "(F, J, H, W) for F frames (or (J, H, W) for one frame). Each H x W map covers the\n"
    "camera's whole image: heatmap pixel (u, v) covers image pixels\n"
    "[u W_img/W, (u+1) W_img/W) x [v H_img/H, (v+1) H_img/H).\n"
    "\n"
    "options:\n"
    "  --calib FILE          calibration: Pose2Sim/anipose .toml or crossview .json rig\n"
    "  --heatmaps FILE...    one .npy per camera\n"
    "  --cameras NAME...     calibration camera of each file (default: the first N)\n"
    "  --out FILE...         output files, .json and/or .trc\n"
    "  --init FILE           initial poses to refine (.json or .trc, frames in order)\n"
    "  --skeleton S          body25b | coco17 | h36m17 (default: from the joint count)\n"
    "  --limb-tolerance MM   limb length tolerance in mm (default 150); limb lengths come\n"
    "                        from the skeleton's priors or, if it has none, are measured\n"
    "                        (median) on the initial poses\n"
    "  --levels N            recursive levels (default 10; 0 with --polish 0: the PSM\n"
    "                        grid alone, 125 mm bins)\n"
    "  --polish N            continuous polish iterations after the levels (default 20;\n"
    "                        0 = off, the estimate stays on the last level's grid)\n"
    "  --threads N           worker threads over frames (default 1; 0 = all cores)\n"
    "  --quiet, --json       print nothing but errors / a JSON summary\n"
    "\n"
    "An initial pose that cannot be refined (a joint without heatmap support near it,\n"
    "limbs the first level cannot bring within tolerance) is replaced by the PSM search\n"
    "in a cube around its root (counted as re-estimated). A frame RPSM cannot estimate\n"
    "(e.g. an --init in the wrong unit or frame) is written as NaN and reported with its\n"
    "reason on stderr (with --json: in \"failures\"); when every frame fails nothing is\n"
    "written and the exit status is 1.\n";

}  // namespace

int run_rpsm(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const Args args("rpsm", argc, argv, {"quiet", "json"},
                  {"calib", "init", "skeleton", "limb-tolerance", "levels", "polish", "threads"},
                  {"heatmaps", "cameras", "out"});
  const std::vector<std::string> files = args.list("heatmaps");
  const std::vector<std::string> outputs = args.list("out");
  if (files.size() < 2) throw UsageError("rpsm: --heatmaps needs at least 2 files (one per camera)");
  if (outputs.empty()) throw UsageError("rpsm: missing required option --out (a .json and/or .trc file)");
  const std::string calib_path = args.require("calib");
  rpsm::RpsmOptions options;
  options.num_levels = static_cast<int>(args.get_int("levels", options.num_levels, 0, 40));
  options.polish_iterations = static_cast<int>(args.get_int("polish", options.polish_iterations, 0, 100));
  const double tolerance_mm = args.get_double("limb-tolerance", 150.0, 1.0, 2000.0);
  const int threads = thread_count(args);
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");

  const io::Rig rig = load_rig(calib_path).with_length_unit("mm");
  const std::vector<camera::Camera> cameras = cameras_for_folders(rig, args.list("cameras"), files.size(), "rpsm");
  const int V = static_cast<int>(files.size());
  std::vector<io::NpyArray> maps;
  int F = -1, J = -1;
  for (int v = 0; v < V; ++v) {
    maps.push_back(io::read_npy(files[v]));
    io::NpyArray& a = maps.back();
    if (a.shape.size() == 3) a.shape.insert(a.shape.begin(), 1);
    if (a.shape.size() != 4 || a.size() == 0) {
      throw std::runtime_error("heatmap file '" + files[v] + "': expected shape (F, J, H, W) or (J, H, W)");
    }
    if (F < 0) {
      F = static_cast<int>(a.shape[0]);
      J = static_cast<int>(a.shape[1]);
    } else if (a.shape[0] != F || a.shape[1] != J) {
      throw std::runtime_error("heatmap file '" + files[v] + "' has " + std::to_string(a.shape[0]) + " frames x " +
                               std::to_string(a.shape[1]) + " joints, '" + files[0] + "' has " + std::to_string(F) +
                               " x " + std::to_string(J));
    }
  }
  pose::Skeleton skeleton = skeleton_for(args.get("skeleton"), J);
  const auto make_views = [&](int f) {
    std::vector<pose::HeatmapView> views;
    for (int v = 0; v < V; ++v) {
      const io::NpyArray& a = maps[v];
      const int H = static_cast<int>(a.shape[2]), W = static_cast<int>(a.shape[3]);
      const camera::Camera& cam = cameras[v];
      pose::ViewHeatmaps h(J, H, W,
                           pose::image_from_heatmap_for_box(-0.5, -0.5, cam.width(), cam.height(), W, H));
      const std::size_t n = static_cast<std::size_t>(J) * H * W;
      std::copy(a.values.begin() + static_cast<std::ptrdiff_t>(n * f),
                a.values.begin() + static_cast<std::ptrdiff_t>(n * (f + 1)), h.data().begin());
      views.push_back({cam, std::move(h)});
    }
    return views;
  };

  // 1. Initial poses: given, or the heatmap maxima triangulated robustly.
  Points3d initial(3, static_cast<Eigen::Index>(F) * J);  // packed, column f*J + j
  const auto initial_pose = [&initial, J](int f) { return initial.middleCols(static_cast<Eigen::Index>(f) * J, J); };
  if (args.has("init")) {
    const PoseSequence init = read_poses(args.get("init"));
    if (init.num_frames() != F) {
      throw std::runtime_error("--init has " + std::to_string(init.num_frames()) + " frames, the heatmaps " +
                               std::to_string(F));
    }
    const double to_mm = 1000.0 * io::metres_per_unit(init.unit);
    initial.setConstant(std::nan(""));
    for (int f = 0; f < F; ++f) {
      for (int j = 0; j < J; ++j) {
        for (int k = 0; k < init.num_joints(); ++k) {
          if (init.joint_names[k] == skeleton.name(j)) initial_pose(f).col(j) = init.pose(f).col(k) * to_mm;
        }
      }
    }
  } else {
    parallel_for(F, threads, [&](int f) {
      const std::vector<pose::HeatmapView> views = make_views(f);
      Points2d px(2, V * J);  // heatmap maxima, column v*J + j
      Eigen::VectorXd conf(V * J);
      for (int v = 0; v < V; ++v) {
        for (int j = 0; j < J; ++j) {
          Eigen::Vector2d hm;
          const float peak = views[v].heatmaps.argmax(j, &hm);
          px.col(v * J + j) = views[v].heatmaps.to_image(hm);
          conf(v * J + j) = std::isfinite(peak) && peak > 0.0f ? peak : 0.0;
        }
      }
      triangulation::TriangulationOptions t;
      t.method = triangulation::Method::kRobust;
      initial_pose(f) = triangulation::triangulate_skeleton(cameras, px, conf, t).points_in_world;
    });
  }
  if (!skeleton.has_limb_priors()) {
    try {
      skeleton = pose::Skeleton(skeleton.names(), skeleton.parents(),
                                pose::estimate_limb_lengths(skeleton, initial, tolerance_mm),
                                skeleton.left_right_pairs());
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("cannot measure the limb lengths on the initial poses: ") + e.what());
    }
  } else {
    options.limb_tolerance = tolerance_mm;
  }

  // 2. RPSM on every frame.
  PoseSequence result;
  result.joint_names = skeleton.names();
  result.unit = "mm";
  result.method = "rpsm";
  result.frame_numbers.resize(static_cast<std::size_t>(F));
  result.poses.setConstant(3, static_cast<Eigen::Index>(F) * J, std::nan(""));
  // Per frame the failure's status and message (empty status: success), and
  // whether the PSM search replaced a refinement that could not start.
  std::vector<std::string> failure_status(static_cast<std::size_t>(F)), failures(static_cast<std::size_t>(F));
  std::vector<char> reestimated(static_cast<std::size_t>(F), 0);
  Progress progress(out.quiet || out.json, F);
  parallel_for(F, threads, [&](int f) {
    result.frame_numbers[f] = f;
    const std::vector<pose::HeatmapView> views = make_views(f);
    const Eigen::Matrix3Xd init = initial_pose(f);
    // The PSM search (a cube around the initial root, or the mean of the
    // finite initial joints) where the initial pose is incomplete, or where
    // it cannot be refined: a joint without heatmap support near it, or limbs
    // the first level cannot bring within their tolerance (e.g. an outlier
    // joint of the triangulation).
    Eigen::Vector3d centre = init.col(skeleton.root());
    if (!centre.allFinite()) {
      Eigen::Vector3d sum = Eigen::Vector3d::Zero();
      int n = 0;
      for (int j = 0; j < J; ++j) {
        if (init.col(j).allFinite()) {
          sum += init.col(j);
          ++n;
        }
      }
      centre = n > 0 ? Eigen::Vector3d(sum / n) : Eigen::Vector3d::Constant(std::nan(""));
    }
    rpsm::RpsmResult r;
    // --levels 0 --polish 0: nothing would refine; the PSM level alone.
    const bool can_refine = options.num_levels > 0 || options.polish_iterations > 0;
    if (init.allFinite() && can_refine) {
      r = rpsm::refine(views, skeleton, init, options);
      if (r.status == rpsm::Status::kNoSupport || r.status == rpsm::Status::kNoFeasiblePose) {
        const std::string why = r.message;
        r = rpsm::estimate(views, skeleton, centre, options);
        reestimated[f] = 1;
        if (!r.success()) r.message += " (after refine: " + why + ")";
      }
    } else if (centre.allFinite()) {
      r = rpsm::estimate(views, skeleton, centre, options);
    } else {
      failure_status[f] = "no initial pose";
      failures[f] = "no joint of the initial pose is finite";
      progress.tick();
      return;
    }
    if (r.success()) {
      result.pose(f) = r.joints_in_world;
    } else {
      failure_status[f] = rpsm::to_string(r.status);
      failures[f] = r.message.empty() ? std::string("(no message)") : r.message;
    }
    progress.tick();
  });
  progress.done();
  // Failed frames keep NaN poses in the outputs; each is reported (stderr, or
  // the JSON summary), and a run in which every frame failed writes nothing
  // and exits non-zero.
  int failed = 0, num_reestimated = 0;
  for (int f = 0; f < F; ++f) num_reestimated += reestimated[f] && failure_status[f].empty();
  std::string first_failure, failure_lines;
  for (int f = 0; f < F; ++f) {
    if (failure_status[f].empty()) continue;
    const std::string line = "frame " + std::to_string(f) + ": " + failure_status[f] + ": " + failures[f];
    if (failed++ == 0) first_failure = line;
    failure_lines += "rpsm: " + line + "\n";
  }
  if (failed == F) {
    throw std::runtime_error("RPSM failed on every frame (" + std::to_string(F) + "); first: " + first_failure);
  }
  for (const auto& o : outputs) write_poses(result, o);
  if (out.json) {
    Json failures_json = Json::array();
    for (int f = 0; f < F; ++f) {
      if (failure_status[f].empty()) continue;
      failures_json.push_back({{"frame", f}, {"status", failure_status[f]}, {"message", failures[f]}});
    }
    print_json({{"frames", F},
                {"joints", J},
                {"cameras", V},
                {"failed_frames", failed},
                {"failures", failures_json},
                {"reestimated_frames", num_reestimated},
                {"outputs", static_cast<int>(outputs.size())}});
  } else {
    std::fputs(failure_lines.c_str(), stderr);
    if (!out.quiet) {
      std::printf("RPSM on %d frames x %d joints from %d cameras: %d of %d frames failed%s\n", F, J, V, failed, F,
                  failed > 0 ? " (NaN in the outputs; reasons above, on stderr)" : "");
      if (num_reestimated > 0) {
        std::printf("%d frames estimated by the PSM search around the initial root (their initial pose could not "
                    "be refined)\n",
                    num_reestimated);
      }
      for (const auto& o : outputs) std::printf("wrote %s\n", o.c_str());
    }
  }
  return 0;
}

}  // namespace crossview::cli
