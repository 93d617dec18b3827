// crossview eval: the metrics table of predicted 3D poses against reference poses.
#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "json_output.hpp"
#include "poses_file.hpp"

#include <crossview/io/rig.hpp>
#include <crossview/metrics/pose_metrics.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace crossview::cli {

namespace {

constexpr const char* kHelp =
    "usage: crossview eval --pred FILE --gt FILE [options]\n"
    "\n"
    "Compares predicted 3D poses with reference poses. Each file is a crossview poses\n"
    "JSON (from `crossview triangulate`) or a .trc; joints are matched by name and frames\n"
    "by frame number (a TRC's Frame# 1 is frame 0, as Pose2Sim numbers them; --frame-offset\n"
    "shifts the prediction's numbers), lengths are converted to millimetres. Prints MPJPE (absolute),\n"
    "PA-MPJPE (similarity Procrustes), N-MPJPE (scale-aligned about the root joint),\n"
    "PCK and AUC (absolute, 0..threshold), and the per-joint MPJPE.\n"
    "\n"
    "options:\n"
    "  --pred FILE        predicted poses (.json or .trc)\n"
    "  --gt FILE          reference poses (.json or .trc)\n"
    "  --pck MM           PCK threshold in millimetres (default 150)\n"
    "  --root NAME        root joint for N-MPJPE (default: the first matched joint)\n"
    "  --person ID        the person of a multi-person --pred file (default: its only person)\n"
    "  --gt-person ID     the person of a multi-person --gt file\n"
    "  --frame-offset N   compare prediction frame n with reference frame n + N (default 0)\n"
    "  --quiet, --json    print nothing but errors / a JSON object\n";

/// The selected frames and joints in mm, packed 3 x (frames * joints) (the metrics' batch layout).
Points3d select(const PoseSequence& s, const std::vector<int>& joints, const std::vector<int>& frames, double to_mm) {
  const Eigen::Index J = static_cast<Eigen::Index>(joints.size());
  Points3d out(3, static_cast<Eigen::Index>(frames.size()) * J);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    for (Eigen::Index j = 0; j < J; ++j) {
      out.col(static_cast<Eigen::Index>(i) * J + j) = s.pose(frames[i]).col(joints[static_cast<std::size_t>(j)]) * to_mm;
    }
  }
  return out;
}

}  // namespace

int run_eval(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const Args args("eval", argc, argv, {"quiet", "json"}, {"pred", "gt", "pck", "root", "person", "gt-person", "frame-offset"});
  const std::string pred_path = args.require("pred");
  const std::string gt_path = args.require("gt");
  const double pck_mm = args.get_double("pck", 150.0, 1e-6, 1e6);
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");

  const PoseSequence pred = read_poses(pred_path, static_cast<int>(args.get_int("person", -1, 0, 1L << 30)));
  const PoseSequence gt = read_poses(gt_path, static_cast<int>(args.get_int("gt-person", -1, 0, 1L << 30)));
  const long long frame_offset = args.get_int("frame-offset", 0, -(1L << 40), 1L << 40);
  if (pred.num_frames() == 0) throw std::runtime_error("'" + pred_path + "' holds no frame");
  if (gt.num_frames() == 0) throw std::runtime_error("'" + gt_path + "' holds no frame");
  if (!pred.skeleton.empty() && !gt.skeleton.empty() && pred.skeleton != gt.skeleton) {
    // Same names can mean different points (e.g. COCO's and Human3.6M's hips).
    std::fprintf(stderr, "crossview eval: warning: '%s' records skeleton %s and '%s' %s: joints are matched by name\n",
                 pred_path.c_str(), pred.skeleton.c_str(), gt_path.c_str(), gt.skeleton.c_str());
  }
  std::vector<int> pj, gj;
  std::vector<std::string> names;
  for (int j = 0; j < gt.num_joints(); ++j) {
    for (int k = 0; k < pred.num_joints(); ++k) {
      if (pred.joint_names[k] == gt.joint_names[j]) {
        pj.push_back(k);
        gj.push_back(j);
        names.push_back(gt.joint_names[j]);
        break;
      }
    }
  }
  if (names.empty()) {
    throw std::runtime_error("'" + pred_path + "' and '" + gt_path + "' have no joint name in common");
  }
  std::map<long long, int> gt_frame;
  for (int f = 0; f < gt.num_frames(); ++f) gt_frame[gt.frame_numbers[f]] = f;
  std::vector<int> pf, gf;
  for (int f = 0; f < pred.num_frames(); ++f) {
    const auto it = gt_frame.find(pred.frame_numbers[f] + frame_offset);
    if (it == gt_frame.end()) continue;
    pf.push_back(f);
    gf.push_back(it->second);
  }
  if (pf.empty()) {
    throw std::runtime_error("'" + pred_path + "' (frames " + std::to_string(pred.frame_numbers.front()) + ".." +
                             std::to_string(pred.frame_numbers.back()) + ") and '" + gt_path + "' (frames " +
                             std::to_string(gt.frame_numbers.front()) + ".." + std::to_string(gt.frame_numbers.back()) +
                             ") have no frame number in common" +
                             (frame_offset != 0 ? " with --frame-offset " + std::to_string(frame_offset) : "") +
                             " (see --frame-offset)");
  }
  const int pred_only = pred.num_frames() - static_cast<int>(pf.size());
  const int gt_only = gt.num_frames() - static_cast<int>(gf.size());
  int root = 0;
  if (args.has("root")) {
    root = -1;
    for (std::size_t j = 0; j < names.size(); ++j) {
      if (names[j] == args.get("root")) root = static_cast<int>(j);
    }
    if (root < 0) throw UsageError("eval: --root '" + args.get("root") + "' is not a joint of both files");
  }
  const Points3d P = select(pred, pj, pf, 1000.0 * io::metres_per_unit(pred.unit));
  const Points3d G = select(gt, gj, gf, 1000.0 * io::metres_per_unit(gt.unit));
  const int J = static_cast<int>(names.size());

  metrics::ErrorOptions absolute;
  absolute.alignment = metrics::Alignment::kNone;
  const metrics::ErrorSummary e = metrics::mpjpe(P, G, J, absolute);
  if (!e.ok()) throw std::runtime_error("no joint can be compared: " + e.message);
  const metrics::ErrorSummary pa = metrics::pa_mpjpe(P, G, J);
  const metrics::ErrorSummary n = metrics::n_mpjpe(P, G, J, root);
  metrics::PckOptions pck_options;
  pck_options.alignment = metrics::Alignment::kNone;
  pck_options.threshold = pck_mm;
  const metrics::RateSummary pck = metrics::pck_3d(P, G, J, pck_options);
  metrics::AucOptions auc_options;
  auc_options.alignment = metrics::Alignment::kNone;
  auc_options.max_threshold = pck_mm;
  const metrics::AucResult auc = metrics::auc_3d(P, G, J, auc_options);
  const auto value = [](const metrics::ErrorSummary& s) { return s.ok() ? s.mean : std::nan(""); };

  if (out.json) {
    Json per_joint = Json::object();
    for (std::size_t j = 0; j < names.size(); ++j) {
      per_joint[names[j]] = e.per_joint[static_cast<Eigen::Index>(j)];
    }
    print_json({{"frames", pf.size()},
                {"frames_only_in_pred", pred_only},
                {"frames_only_in_gt", gt_only},
                {"frame_offset", frame_offset},
                {"joints", names.size()},
                {"evaluated", e.counts.evaluated},
                {"missing_prediction", e.counts.missing_prediction},
                {"mpjpe_mm", e.mean},
                {"pa_mpjpe_mm", value(pa)},
                {"n_mpjpe_mm", value(n)},
                {"pck", pck.ok() ? pck.rate : std::nan("")},
                {"pck_threshold_mm", pck_mm},
                {"auc", auc.ok() ? auc.auc : std::nan("")},
                {"per_joint_mpjpe_mm", std::move(per_joint)}});
  } else if (!out.quiet) {
    std::printf("%zu frames compared (%d only in --pred, %d only in --gt, frame offset %lld), %zu joints matched by "
                "name (%d entries evaluated, %d predictions missing)\n\n",
                pf.size(), pred_only, gt_only, frame_offset, names.size(), e.counts.evaluated,
                e.counts.missing_prediction);
    std::printf("  MPJPE     %8.1f mm\n  PA-MPJPE  %8.1f mm\n  N-MPJPE   %8.1f mm (root %s)\n", e.mean, value(pa),
                value(n), names[static_cast<std::size_t>(root)].c_str());
    std::printf("  PCK@%.0f   %8.1f %%\n  AUC       %8.1f %% (0..%.0f mm)\n\n", pck_mm,
                pck.ok() ? 100.0 * pck.rate : std::nan(""), auc.ok() ? 100.0 * auc.auc : std::nan(""), pck_mm);
    std::printf("  per-joint MPJPE [mm]:\n");
    for (std::size_t j = 0; j < names.size(); ++j) {
      std::printf("    %-12s %8.1f\n", names[j].c_str(), e.per_joint[static_cast<Eigen::Index>(j)]);
    }
  }
  return 0;
}

}  // namespace crossview::cli
