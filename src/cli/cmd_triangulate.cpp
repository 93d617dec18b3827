// crossview triangulate: 3D poses of every frame from a calibration and one
// OpenPose JSON folder per camera; written as crossview JSON and/or .trc.
#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "json_output.hpp"
#include "outputs.hpp"
#include "poses_file.hpp"
#include "run_report.hpp"

#include "inputs.hpp"

#include <crossview/association/associate.hpp>
#include <crossview/association/tracker.hpp>
#include <crossview/temporal/filters.hpp>
#include <crossview/temporal/gap_filling.hpp>
#include <crossview/triangulation/triangulate.hpp>
#ifdef CROSSVIEW_CLI_HAVE_TEMPORAL_REFINE
#include <crossview/temporal/refine.hpp>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace crossview::cli {

namespace {

constexpr const char* kHelp =
    "usage: crossview triangulate --calib FILE --keypoints SRC... --out FILE... [options]\n"
    "\n"
    "Reconstructs every person of every frame from 2D keypoints: one source per camera\n"
    "(an OpenPose JSON folder, frames matched by the number in the file names; an\n"
    "MMPose / RTMPose prediction .json; a DeepLabCut or SLEAP analysis .h5). People are\n"
    "associated across views (association::associate) and tracked over frames with\n"
    "stable ids (association::Tracker); detections that belong to no consistent person\n"
    "are counted, never mixed into one. Writes the 3D poses in the calibration's world\n"
    "frame and length unit: crossview JSON (a person id per pose, per-joint\n"
    "reprojection errors) and/or Pose2Sim/OpenSim .trc, one file per person\n"
    "(<stem>_P<id>.trc, Y-up, Frame# from 1 as Pose2Sim). Prints the diagnostics: per\n"
    "camera the detections used, inlier rate and median reprojection error, and warnings\n"
    "(e.g. two cameras whose folders look swapped, naming both).\n"
    "\n"
    "options:\n"
    "  --calib FILE          calibration, any supported format told by content: Pose2Sim/anipose\n"
    "                        .toml, crossview .json, Human3.6M .json, Qualisys .qca.txt,\n"
    "                        EasyMocap intri/extri.yml, COLMAP cameras.txt/images.txt\n"
    "  --h36m-subject S      subject of a Human3.6M calibration (e.g. S9)\n"
    "  --keypoints SRC...    keypoint sources, one per camera\n"
    "  --cameras NAME...     calibration camera of each source (default: the first N\n"
    "                        cameras of the calibration, in file order)\n"
    "  --out FILE...         output files, .json and/or .trc\n"
    "  --skeleton S          a built-in skeleton (body_25, body_25b, halpe_26, coco_17,\n"
    "                        h36m_17, ...) or a skeleton file (.toml/.json). Default: the\n"
    "                        files' metadata, the session Config.toml's pose_model, or the\n"
    "                        only built-in with that many joints; an ambiguous count is an\n"
    "                        error listing the candidates; any other count = unnamed joints\n"
    "  --config FILE         Pose2Sim Config.toml (default: Config.toml of the trial folder\n"
    "                        above the keypoints, if any): frame rate and pose model\n"
    "  --rate HZ             frame rate (default: the Config.toml's frame_rate; required for\n"
    "                        .trc output and --filter/--optimize when nothing gives it)\n"
    "  --single-person       one person per frame: frames where several people are\n"
    "                        confidently present are refused (written empty) and counted\n"
    "  --max-people N        keep the N tracks seen in the most frames (default: all)\n"
    "  --min-views N         a person must be seen by N cameras (default 2)\n"
    "  --method M            auto | dlt | midpoint | robust | vector_median | robust_dlt\n"
    "                        (default robust_dlt: all-view weighted DLT, dropping only views\n"
    "                        that are clear outliers; never refuses a joint dlt triangulates)\n"
    "  --max-error PX        robust inlier threshold in pixels (default 10)\n"
    "  --min-confidence C    ignore detections scored <= C (default 0.3)\n"
    "  --fill-gaps N         fill gaps of at most N frames of each joint (cubic spline)\n"
    "  --filter F            butterworth | kalman | median | gaussian | one-euro (default none)\n"
    "  --cutoff HZ           cut-off of butterworth / kalman (default 6), min cut-off of one-euro (1)\n"
    "  --order N             butterworth order (default 4)\n"
    "  --window N            median window in frames (odd, default 9)\n"
    "  --sigma F             gaussian sigma in frames (default 2)\n"
    "  --optimize            spatio-temporal refinement of every person's sequence\n"
    "                        (reprojection + smoothness + constant bone lengths)\n"
    "  --seed S              random seed of the robust method (default 1)\n"
    "  --report FILE         also write the interactive HTML report (.html) of the run\n"
    "  --threads N           worker threads over frames with --single-person (default 1;\n"
    "                        0 = all cores); tracking several people is sequential\n"
    "  --quiet               print nothing but errors\n"
    "  --json                print a JSON summary on stdout\n";

triangulation::Method parse_method(const std::string& m) {
  if (m == "auto") return triangulation::Method::kAuto;
  if (m == "dlt") return triangulation::Method::kDlt;
  if (m == "midpoint") return triangulation::Method::kMidpoint;
  if (m == "robust") return triangulation::Method::kRobust;
  if (m == "vector_median") return triangulation::Method::kVectorMedian;
  if (m == "robust_dlt") return triangulation::Method::kRobustDlt;
  throw UsageError("triangulate: --method must be auto, dlt, midpoint, robust, vector_median or robust_dlt, got '" + m +
                   "'");
}

}  // namespace

std::vector<camera::Camera> cameras_for_folders(const io::Rig& rig, const std::vector<std::string>& names,
                                                std::size_t num_folders, const std::string& command,
                                                bool allow_first) {
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
    if (rig.size() < num_folders || (!allow_first && rig.size() != num_folders)) {
      throw std::runtime_error("the calibration has " + std::to_string(rig.size()) + " cameras for " +
                               std::to_string(num_folders) + " keypoint sources: name each source's camera with " +
                               "--cameras");
    }
    cameras.assign(rig.cameras.begin(), rig.cameras.begin() + static_cast<std::ptrdiff_t>(num_folders));
  }
  return cameras;
}

namespace {


/// One reconstructed person over the whole sequence.
struct PersonTrack {
  PoseSequence poses;
  /// detection[f * V + v]: index of its detection in view v of frame f, or -1.
  std::vector<int> detection;
  int frames_seen = 0;
  std::vector<double> num_views, scores, errors;
};

double median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Median over the skeleton's limbs of the coefficient of variation of the
/// limb's length over the frames where both joints exist (NaN without limbs).
double bone_length_cv(const PoseSequence& p, const pose::Skeleton& skeleton) {
  std::vector<double> cvs;
  for (const auto& [a, b] : skeleton.limbs()) {
    double sum = 0.0, sum2 = 0.0;
    int n = 0;
    for (int f = 0; f < p.num_frames(); ++f) {
      const Eigen::Vector3d xa = p.pose(f).col(a), xb = p.pose(f).col(b);
      if (!xa.allFinite() || !xb.allFinite()) continue;
      const double l = (xa - xb).norm();
      sum += l;
      sum2 += l * l;
      ++n;
    }
    if (n < 3 || !(sum > 0.0)) continue;
    const double mean = sum / n;
    cvs.push_back(std::sqrt(std::max(0.0, sum2 / n - mean * mean)) / mean);
  }
  return median(cvs);
}

/// Per camera: the fraction of its usable detections (>= min_common_joints
/// joints scored above the threshold) that associate() puts into a person, over
/// the sampled frames; `usable` receives the counts.
std::vector<double> association_rates(const std::vector<camera::Camera>& cameras,
                                      const std::vector<std::vector<association::ViewDetections>>& frames,
                                      const std::vector<int>& sample, int J,
                                      const association::AssociationOptions& aopt, std::vector<long long>* usable,
                                      double* total_rate) {
  const int V = static_cast<int>(cameras.size());
  std::vector<long long> n(static_cast<std::size_t>(V), 0), associated(static_cast<std::size_t>(V), 0);
  for (int f : sample) {
    const auto& views = frames[static_cast<std::size_t>(f)];
    std::vector<std::vector<char>> usable_det(static_cast<std::size_t>(V));
    for (int v = 0; v < V; ++v) {
      const association::ViewDetections& d = views[static_cast<std::size_t>(v)];
      const int P = static_cast<int>(d.keypoints_px.cols() / J);
      usable_det[static_cast<std::size_t>(v)].assign(static_cast<std::size_t>(P), 0);
      for (int p = 0; p < P; ++p) {
        int joints = 0;
        for (int j = 0; j < J; ++j) {
          const Eigen::Index c = static_cast<Eigen::Index>(p) * J + j;
          const double score = d.scores.size() == 0 ? 1.0 : d.scores(c);
          if (d.keypoints_px.col(c).allFinite() && score > aopt.min_joint_score) ++joints;
        }
        if (joints >= aopt.min_common_joints) {
          usable_det[static_cast<std::size_t>(v)][static_cast<std::size_t>(p)] = 1;
          ++n[static_cast<std::size_t>(v)];
        }
      }
    }
    const association::AssociationResult r = association::associate(cameras, views, J, aopt);
    for (const auto& person : r.people) {
      for (const auto& pv : person.views) {
        const auto& u = usable_det[static_cast<std::size_t>(pv.ref.view)];
        if (pv.ref.detection >= 0 && pv.ref.detection < static_cast<int>(u.size()) &&
            u[static_cast<std::size_t>(pv.ref.detection)] != 0) {
          ++associated[static_cast<std::size_t>(pv.ref.view)];
        }
      }
    }
  }
  std::vector<double> rates(static_cast<std::size_t>(V), std::nan(""));
  long long all = 0, all_associated = 0;
  for (int v = 0; v < V; ++v) {
    all += n[static_cast<std::size_t>(v)];
    all_associated += associated[static_cast<std::size_t>(v)];
    if (n[static_cast<std::size_t>(v)] > 0) {
      rates[static_cast<std::size_t>(v)] =
          static_cast<double>(associated[static_cast<std::size_t>(v)]) / static_cast<double>(n[static_cast<std::size_t>(v)]);
    }
  }
  *usable = n;
  *total_rate = all > 0 ? static_cast<double>(all_associated) / static_cast<double>(all) : std::nan("");
  return rates;
}

/// The swap test at the association level: with wrong cameras for two keypoint
/// sources the people of those views associate with nobody (the report's own
/// swap test, on the associated detections, then sees little of them). Over up
/// to 40 evenly sampled frames with detections, every exchange of two cameras'
/// calibrations (V <= 8: all pairs) is associated again; an exchange that
/// raises the association rate of both cameras by >= 0.1 and 30 % and the
/// whole rig's by 20 % is reported, naming both cameras.
std::vector<report::Warning> association_swap_test(const std::vector<camera::Camera>& cameras,
                                                   const std::vector<std::vector<association::ViewDetections>>& frames,
                                                   int J, const association::AssociationOptions& aopt) {
  const int V = static_cast<int>(cameras.size());
  const int F = static_cast<int>(frames.size());
  std::vector<report::Warning> out;
  if (V < 3 || V > 8 || F == 0) return out;
  std::vector<int> with_detections;
  for (int f = 0; f < F; ++f) {
    int views = 0;
    for (const auto& d : frames[static_cast<std::size_t>(f)]) views += d.keypoints_px.cols() > 0 ? 1 : 0;
    if (views >= 2) with_detections.push_back(f);
  }
  if (with_detections.empty()) return out;
  const int samples = std::min<int>(40, static_cast<int>(with_detections.size()));
  std::vector<int> sample;
  for (int i = 0; i < samples; ++i) {
    sample.push_back(with_detections[static_cast<std::size_t>(
        (static_cast<long long>(i) * static_cast<long long>(with_detections.size())) / samples)]);
  }
  std::vector<long long> usable;
  double given_total = 0.0;
  const std::vector<double> given = association_rates(cameras, frames, sample, J, aopt, &usable, &given_total);
  int best_a = -1, best_b = -1;
  double best_total = given_total;
  std::vector<double> best_rates;
  for (int a = 0; a < V; ++a) {
    for (int b = a + 1; b < V; ++b) {
      if (usable[static_cast<std::size_t>(a)] < 10 || usable[static_cast<std::size_t>(b)] < 10) continue;
      std::vector<camera::Camera> exchanged = cameras;
      std::swap(exchanged[static_cast<std::size_t>(a)], exchanged[static_cast<std::size_t>(b)]);
      std::vector<long long> n;
      double total = 0.0;
      const std::vector<double> r = association_rates(exchanged, frames, sample, J, aopt, &n, &total);
      const auto gains = [&](int v) {
        const double g = given[static_cast<std::size_t>(v)], x = r[static_cast<std::size_t>(v)];
        return x - g >= 0.1 && x >= 1.3 * g;
      };
      if (gains(a) && gains(b) && total >= 1.2 * given_total && total > best_total) {
        best_a = a;
        best_b = b;
        best_total = total;
        best_rates = r;
      }
    }
  }
  if (best_a < 0) return out;
  report::Warning w;
  w.kind = report::WarningKind::kCamerasSwapped;
  w.cameras = {best_a, best_b};
  const auto pct = [](double x) { return std::to_string(static_cast<int>(std::lround(100.0 * x))) + " %"; };
  w.message = "cameras " + cameras[static_cast<std::size_t>(best_a)].name() + " and " +
              cameras[static_cast<std::size_t>(best_b)].name() + " look swapped: with their keypoint sources " +
              "exchanged, " + pct(best_rates[static_cast<std::size_t>(best_a)]) + " and " +
              pct(best_rates[static_cast<std::size_t>(best_b)]) + " of their detections associate into people " +
              "instead of " + pct(given[static_cast<std::size_t>(best_a)]) + " and " +
              pct(given[static_cast<std::size_t>(best_b)]) + " (whole rig " + pct(best_total) + " instead of " +
              pct(given_total) + ", " + std::to_string(samples) +
              " sampled frames); check the order of --keypoints / --cameras";
  out.push_back(std::move(w));
  return out;
}

void record_person(PersonTrack* t, const association::Person& person, int f, int V, int J) {
  t->poses.pose(f) = person.points_in_world;
  for (int j = 0; j < J; ++j) {
    const Eigen::Index c = static_cast<Eigen::Index>(f) * J + j;
    const bool ok = person.joint_status[static_cast<std::size_t>(j)] == triangulation::Status::kSuccess &&
                    person.points_in_world.col(j).allFinite();
    t->poses.reprojection_error_px(c) = ok ? person.joint_reprojection_error_px(j) : std::nan("");
    t->poses.views_used(c) = ok ? person.joint_num_views(j) : 0;
    if (!ok) t->poses.pose(f).col(j).setConstant(std::nan(""));
  }
  for (const auto& view : person.views) {
    t->detection[static_cast<std::size_t>(f) * V + static_cast<std::size_t>(view.ref.view)] = view.ref.detection;
  }
  ++t->frames_seen;
  t->num_views.push_back(person.num_views());
  t->scores.push_back(person.score);
  t->errors.push_back(person.median_reprojection_error_px);
}

}  // namespace

int run_triangulate(int argc, char** argv) {
  if (wants_help(argc, argv)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const Args args("triangulate", argc, argv, {"quiet", "json", "single-person", "optimize"},
                  {"calib", "method", "max-error", "min-confidence", "skeleton", "rate", "seed", "threads", "config",
                   "h36m-subject", "max-people", "min-views", "fill-gaps", "filter", "cutoff", "order", "window",
                   "sigma", "report"},
                  {"keypoints", "cameras", "out"});
  const std::string calib_path = args.require("calib");
  const std::vector<std::string> sources = args.list("keypoints");
  const std::vector<std::string> outputs = args.list("out");
  if (sources.size() < 2) throw UsageError("triangulate: --keypoints needs at least 2 sources (one per camera)");
  if (outputs.empty()) throw UsageError("triangulate: missing required option --out (a .json and/or .trc file)");
  const bool single_person = args.flag("single-person");
  // Every input and output named before any work (outputs.hpp). Several
  // people write one .trc per person, <stem>_P<id>.trc: their names are
  // checked the same way once the ids are known, before anything is written.
  RunOutputs files("triangulate");
  files.input(calib_path);
  files.input(args.get("config"));
  for (const auto& k : sources) files.input_folder(k);
  bool wants_trc = false;
  for (const auto& o : outputs) {
    files.check_file("out", o, {".json", ".trc"});
    const bool trc = lower_extension(o) == ".trc";
    wants_trc = wants_trc || trc;
    if (!trc || single_person) files.file("out", o, {".json", ".trc"});
  }
  if (args.has("report")) files.file("report", args.get("report"), {".html", ".htm"});
  triangulation::TriangulationOptions options;
  options.method = parse_method(args.get("method", "robust_dlt"));
  options.robust.inlier_threshold_px = args.get_double("max-error", options.robust.inlier_threshold_px, 1e-3, 1e4);
  options.robust.seed = static_cast<std::uint64_t>(args.get_int("seed", 1, 0, 1L << 62));
  options.min_confidence = args.get_double("min-confidence", 0.3, 0.0, 1.0);
  const int max_people = static_cast<int>(args.get_int("max-people", 0, 1, 1000000));
  if (single_person && args.has("max-people")) throw UsageError("triangulate: --single-person and --max-people exclude each other");
  const int min_views = static_cast<int>(args.get_int("min-views", 2, 2, 1000));
  const int fill_gap_frames = static_cast<int>(args.get_int("fill-gaps", 0, 1, 1000000));
  const bool optimize = args.flag("optimize");
  std::string filter_name = args.get("filter");
  temporal::FilterOptions filter;
  if (!filter_name.empty()) {
    const std::string internal = filter_name == "one-euro" ? "one_euro" : filter_name;
    if (!temporal::filter_type_from_string(internal, &filter.type)) {
      throw UsageError("triangulate: --filter must be butterworth, kalman, median, gaussian or one-euro, got '" +
                       filter_name + "'");
    }
    filter.butterworth.cutoff_hz = args.get_double("cutoff", filter.butterworth.cutoff_hz, 1e-6, 1e6);
    filter.kalman.cutoff_hz = args.get_double("cutoff", filter.kalman.cutoff_hz, 1e-6, 1e6);
    filter.one_euro.min_cutoff_hz = args.get_double("cutoff", filter.one_euro.min_cutoff_hz, 1e-6, 1e6);
    filter.butterworth.order = static_cast<int>(args.get_int("order", filter.butterworth.order, 1, 12));
    filter.median.window = static_cast<int>(args.get_int("window", filter.median.window, 1, 100001));
    filter.gaussian.sigma_frames = args.get_double("sigma", filter.gaussian.sigma_frames, 1e-6, 1e6);
  } else if (args.has("cutoff") || args.has("order") || args.has("window") || args.has("sigma")) {
    throw UsageError("triangulate: --cutoff / --order / --window / --sigma need --filter");
  }
#ifndef CROSSVIEW_CLI_HAVE_TEMPORAL_REFINE
  if (optimize) {
    throw std::runtime_error("triangulate --optimize: this crossview was built without Ceres (the temporal_refine "
                             "component); rebuild with Ceres to use it");
  }
#endif
  const int threads = thread_count(args);
  Output out;
  out.quiet = args.flag("quiet");
  out.json = args.flag("json");

  const io::Rig rig = read_any_rig(calib_path, args.get("h36m-subject"));
  const std::vector<camera::Camera> cameras = cameras_for_folders(rig, args.list("cameras"), sources.size(), "triangulate");
  const PeopleKeypoints keypoints = load_people_views(sources);
  const std::optional<io::Pose2SimConfig> config = find_session_config(args.get("config"), sources);
  const io::ResolvedSkeleton resolved = resolve_cli_skeleton(args.get("skeleton"), keypoints, config, true);
  const pose::Skeleton& skeleton = resolved.skeleton;
  std::string rate_origin;
  const double rate = session_rate(args, config, &rate_origin);
  if (!(rate > 0.0) && (wants_trc || !filter_name.empty() || optimize)) {
    throw std::runtime_error(std::string("the frame rate is unknown (no --rate and no Config.toml "
                                         "project.frame_rate); ") +
                             (wants_trc ? ".trc output" : !filter_name.empty() ? "--filter" : "--optimize") +
                             " needs it: give --rate HZ");
  }
  filter.rate_hz = rate;
  if (!filter_name.empty()) {
    try {
      filter.validate();
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("triangulate: --filter ") + filter_name + " at " + std::to_string(rate) +
                       " Hz: " + e.what());
    }
  }
  const int F = keypoints.num_frames();
  const int J = keypoints.num_joints;
  const int V = static_cast<int>(cameras.size());

  association::TrackerOptions tracker_options;
  association::AssociationOptions& aopt = tracker_options.association;
  aopt.triangulation = options;
  aopt.min_joint_score = options.min_confidence;
  aopt.min_views = min_views;
  if (skeleton.left_right_pairs().size() <= 32) aopt.left_right_pairs = skeleton.left_right_pairs();
  tracker_options.validate(J);

  PoseSequence base;
  base.joint_names = skeleton.names();
  base.skeleton = skeleton.model_name();
  base.unit = rig.length_unit;
  base.method = to_string(options.method);
  base.rate_hz = rate;
  base.frame_numbers = keypoints.frame_numbers;
  const Eigen::Index columns = static_cast<Eigen::Index>(F) * J;
  base.poses.setConstant(3, columns, std::nan(""));
  base.reprojection_error_px.setConstant(columns, std::nan(""));
  base.views_used.setZero(columns);
  const auto new_track = [&](int id) {
    PersonTrack t;
    t.poses = base;
    t.poses.person_id = id;
    t.detection.assign(static_cast<std::size_t>(F) * V, -1);
    return t;
  };

  std::map<int, PersonTrack> tracks;  // by id
  std::vector<association::TrackSummary> summaries;
  std::map<std::string, int> unmatched_by_reason;
  int unmatched = 0, frames_with_people = 0, frames_without_detections = 0, refused_frames = 0;
  std::vector<long long> refused_frame_numbers;
  Progress progress(out.quiet || out.json, F);
  if (single_person) {
    // Per frame: one associated person, or nothing. Several people confidently
    // present (a second one seen by >= min(3, V) views, or several groups and
    // none of them confident) refuse the frame rather than pick or mix.
    std::vector<association::AssociationResult> results(static_cast<std::size_t>(F));
    parallel_for(F, threads, [&](int f) {
      results[static_cast<std::size_t>(f)] =
          association::associate(cameras, keypoints.frames[static_cast<std::size_t>(f)], J, aopt);
      progress.tick();
    });
    tracks.emplace(-1, new_track(-1));
    PersonTrack& t = tracks.at(-1);
    const int confident_views = std::min(3, V);
    for (int f = 0; f < F; ++f) {
      const association::AssociationResult& r = results[static_cast<std::size_t>(f)];
      if (r.status == association::FrameStatus::kNoDetections) ++frames_without_detections;
      for (const auto& u : r.unmatched) {
        ++unmatched;
        ++unmatched_by_reason[association::to_string(u.reason)];
      }
      int confident = 0, chosen = -1;
      for (std::size_t p = 0; p < r.people.size(); ++p) {
        if (r.people[p].num_views() >= confident_views) {
          ++confident;
          chosen = static_cast<int>(p);
        }
      }
      if (confident == 0 && r.people.size() == 1) chosen = 0;
      if (confident >= 2 || (confident == 0 && r.people.size() >= 2)) {
        ++refused_frames;
        refused_frame_numbers.push_back(keypoints.frame_numbers[static_cast<std::size_t>(f)]);
        continue;
      }
      if (chosen < 0) continue;
      record_person(&t, r.people[static_cast<std::size_t>(chosen)], f, V, J);
      ++frames_with_people;
    }
  } else {
    association::Tracker tracker(cameras, J, tracker_options);
    for (int f = 0; f < F; ++f) {
      const association::AssociationResult r = tracker.update(keypoints.frames[static_cast<std::size_t>(f)]);
      if (r.status == association::FrameStatus::kNoDetections) ++frames_without_detections;
      if (!r.people.empty()) ++frames_with_people;
      for (const auto& u : r.unmatched) {
        ++unmatched;
        ++unmatched_by_reason[association::to_string(u.reason)];
      }
      for (const auto& person : r.people) {
        auto it = tracks.find(person.track_id);
        if (it == tracks.end()) it = tracks.emplace(person.track_id, new_track(person.track_id)).first;
        record_person(&it->second, person, f, V, J);
      }
      progress.tick();
    }
    summaries = tracker.tracks();
  }
  progress.done();

  // --max-people: the tracks seen in the most frames (ties: lower id).
  std::vector<int> kept, dropped;
  for (const auto& [id, t] : tracks) {
    if (t.frames_seen > 0) kept.push_back(id);
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [&](int a, int b) { return tracks.at(a).frames_seen > tracks.at(b).frames_seen; });
  if (max_people > 0 && static_cast<int>(kept.size()) > max_people) {
    dropped.assign(kept.begin() + max_people, kept.end());
    kept.resize(static_cast<std::size_t>(max_people));
  }
  std::sort(kept.begin(), kept.end());

  // Temporal processing per person.
  std::string temporal_notes;
  for (int id : kept) {
    PoseSequence& p = tracks.at(id).poses;
    bool changed = false;
#ifdef CROSSVIEW_CLI_HAVE_TEMPORAL_REFINE
    if (optimize) {
      const PersonTrack& t = tracks.at(id);
      Points2d px = Points2d::Constant(2, static_cast<Eigen::Index>(F) * V * J, std::nan(""));
      Eigen::VectorXd sc = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(F) * V * J);
      for (int f = 0; f < F; ++f) {
        for (int v = 0; v < V; ++v) {
          const int d = t.detection[static_cast<std::size_t>(f) * V + static_cast<std::size_t>(v)];
          if (d < 0) continue;
          const association::ViewDetections& det = keypoints.frames[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
          const Eigen::Index dst = (static_cast<Eigen::Index>(f) * V + v) * J;
          px.middleCols(dst, J) = det.keypoints_px.middleCols(static_cast<Eigen::Index>(d) * J, J);
          sc.segment(dst, J) = det.scores.segment(static_cast<Eigen::Index>(d) * J, J);
        }
      }
      temporal::RefineOptions ro;
      ro.rate_hz = rate;
      ro.bones = skeleton.limbs();
      ro.min_confidence = options.min_confidence;
      ro.initial = options;
      const temporal::RefineResult rr = temporal::refine_sequence(cameras, px, sc, J, ro);
      if (!rr.usable()) {
        throw std::runtime_error("triangulate --optimize: person " + std::to_string(id) + ": " + rr.message);
      }
      p.poses = rr.points_in_world;
      changed = true;
      temporal_notes += "person " + std::to_string(id) + ": optimize " + to_string(rr.status) + ", rms " +
                        std::to_string(rr.initial_rms_px) + " -> " + std::to_string(rr.final_rms_px) + " px; ";
    }
#endif
    if (fill_gap_frames > 0) {
      temporal::GapFillOptions go;
      go.max_gap_frames = fill_gap_frames;
      const temporal::SequenceResult g = temporal::fill_gaps(p.poses, J, go);
      if (g.ok()) {
        p.poses = g.points;
        changed = changed || g.num_filled > 0;
        temporal_notes += "person " + std::to_string(id) + ": " + std::to_string(g.num_gaps_filled) + " gaps filled, " +
                          std::to_string(g.num_gaps_left) + " left; ";
      }
    }
    if (!filter_name.empty()) {
      const temporal::SequenceResult r = temporal::filter_sequence(p.poses, J, filter);
      if (r.status == temporal::Status::kSuccess || r.status == temporal::Status::kPartial) {
        p.poses = r.points;
        changed = true;
        if (r.status == temporal::Status::kPartial) {
          temporal_notes += "person " + std::to_string(id) + ": filter partial (" + r.message + "); ";
        }
      } else {
        temporal_notes += "person " + std::to_string(id) + ": filter not applied (" + r.message + "); ";
      }
    }
    // The per-frame reprojection errors describe the per-frame triangulation only.
    if (changed) p.reprojection_error_px.resize(0);
  }

  int triangulated = 0;
  double error_sum = 0.0;
  int error_count = 0;
  for (int id : kept) {
    const PoseSequence& p = tracks.at(id).poses;
    for (Eigen::Index c = 0; c < columns; ++c) {
      if (p.poses.col(c).allFinite()) ++triangulated;
    }
    for (double e : tracks.at(id).errors) {
      if (std::isfinite(e)) {
        error_sum += e;
        ++error_count;
      }
    }
  }
  if (triangulated == 0) {
    std::string why = std::to_string(F) + " frames, " + std::to_string(unmatched) + " detections not associated";
    if (refused_frames > 0) why += ", " + std::to_string(refused_frames) + " frames refused (several people)";
    throw std::runtime_error("nothing was triangulated (" + why +
                             "); check the calibration, --cameras order and --min-confidence");
  }

  std::vector<PoseSequence> people;
  for (int id : kept) people.push_back(tracks.at(id).poses);
  std::vector<std::string> written;
  for (const auto& o : outputs) {
    if (single_person) {
      files.stage(o, format_poses(people.front(), o));
      written.push_back(o);
      continue;
    }
    for (auto& [file, content] : format_people(people, o)) {
      if (file != o) files.file("out", file, {".trc"});  // a person's .trc, checked like --out
      files.stage(file, content);
      written.push_back(file);
    }
  }
  // The report and the diagnostics (per camera, swapped cameras) of the people kept.
  std::vector<ReportPerson> report_people;
  for (int id : kept) {
    ReportPerson rp;
    rp.id = id >= 0 ? id : 0;
    rp.label = id >= 0 ? "person " + std::to_string(id) : "the one person";
    rp.poses = tracks.at(id).poses.poses;
    rp.detection = tracks.at(id).detection;
    report_people.push_back(std::move(rp));
  }
  const RunReport report = people_triangulation_report(
      cameras, keypoints.frame_numbers, keypoints.frames, skeleton, rig.length_unit, rate, options, report_people,
      association_swap_test(cameras, keypoints.frames, J, aopt),
      single_person ? "One person per frame (--single-person), associated across views; frames with several "
                      "confident people refused."
                    : "Every person associated across views and tracked over frames (stable ids).");
  if (args.has("report")) files.stage(args.get("report"), render_report(report.run, report.diagnostics));
  files.commit();
  const double mean_error = error_count > 0 ? error_sum / error_count : std::nan("");

  Json people_json = Json::array();
  for (int id : kept) {
    const PersonTrack& t = tracks.at(id);
    Json pj = {{"id", id},
               {"frames", t.frames_seen},
               {"median_views", median(t.num_views)},
               {"median_score", round_to(median(t.scores), 4)},
               {"median_reprojection_error_px", round_to(median(t.errors), 3)},
               {"bone_length_cv", round_to(bone_length_cv(t.poses, skeleton), 4)}};
    people_json.push_back(std::move(pj));
  }
  Json dropped_json = Json::array();
  for (int id : dropped) {
    const PersonTrack& t = tracks.at(id);
    dropped_json.push_back(Json{{"id", id}, {"frames", t.frames_seen}, {"median_views", median(t.num_views)},
                                {"median_score", round_to(median(t.scores), 4)},
                                {"median_reprojection_error_px", round_to(median(t.errors), 3)}});
  }
  Json reasons = Json::object();
  for (const auto& [reason, n] : unmatched_by_reason) reasons[reason] = n;
  if (out.json) {
    Json summary = {{"mode", single_person ? "single-person" : "multi-person"},
                    {"frames", F},
                    {"joints", J},
                    {"cameras", V},
                    {"skeleton", skeleton.model_name()},
                    {"skeleton_origin", resolved.origin},
                    {"unit", rig.length_unit},
                    {"rate_hz", rate > 0.0 ? Json(rate) : Json()},
                    {"rate_origin", rate_origin},
                    {"people", std::move(people_json)},
                    {"dropped_people", std::move(dropped_json)},
                    {"frames_with_people", frames_with_people},
                    {"frames_without_detections", frames_without_detections},
                    {"refused_frames", refused_frames},
                    {"refused_frame_numbers", refused_frame_numbers},
                    {"unmatched_detections", unmatched},
                    {"unmatched_by_reason", std::move(reasons)},
                    {"triangulated", triangulated},
                    {"mean_reprojection_error_px", mean_error},
                    {"method", base.method},
                    {"fill_gaps", fill_gap_frames},
                    {"filter", filter_name.empty() ? Json() : Json(filter_name)},
                    {"optimize", optimize},
                    {"temporal", temporal_notes},
                    {"outputs", written},
                    {"report", args.has("report") ? Json(args.get("report")) : Json()},
                    {"diagnostics", diagnostics_to_json(report.run, report.diagnostics)}};
    print_json(summary);
  } else if (!out.quiet) {
    std::printf("%s: %d frames, %d cameras, %d joints (skeleton %s: %s), rate %s (%s)\n",
                single_person ? "single-person" : "multi-person", F, V, J,
                skeleton.model_name().empty() ? "unnamed" : skeleton.model_name().c_str(), resolved.origin.c_str(),
                rate > 0.0 ? (std::to_string(rate) + " Hz").c_str() : "unknown", rate_origin.c_str());
    std::printf("people: %zu kept", kept.size());
    if (!dropped.empty()) std::printf(", %zu dropped by --max-people", dropped.size());
    std::printf("; frames with a person %d of %d; detections not associated %d", frames_with_people, F, unmatched);
    if (refused_frames > 0) std::printf("; frames refused (several people) %d", refused_frames);
    std::printf("\n");
    for (const auto& [reason, n] : unmatched_by_reason) std::printf("  not associated: %d x %s\n", n, reason.c_str());
    for (int id : kept) {
      const PersonTrack& t = tracks.at(id);
      std::printf("  person%s: %d frames, median %.1f views, score %.2f, reprojection %.2f px, bone-length CV %.1f %%\n",
                  id >= 0 ? (" " + std::to_string(id)).c_str() : "", t.frames_seen, median(t.num_views), median(t.scores), median(t.errors),
                  100.0 * bone_length_cv(t.poses, skeleton));
    }
    for (int id : dropped) {
      const PersonTrack& t = tracks.at(id);
      std::printf("  dropped track %d: %d frames, median %.1f views, score %.2f, reprojection %.2f px\n", id,
                  t.frames_seen, median(t.num_views), median(t.scores), median(t.errors));
    }
    if (fill_gap_frames > 0 || !filter_name.empty() || optimize) {
      std::printf("temporal: fill-gaps %d, filter %s, optimize %s; %s\n", fill_gap_frames,
                  filter_name.empty() ? "none" : filter_name.c_str(), optimize ? "yes" : "no", temporal_notes.c_str());
    }
    std::printf("triangulated %d joints (%s), mean reprojection error %.2f px\n", triangulated, base.method.c_str(),
                mean_error);
    std::fputs(diagnostics_text(report.run, report.diagnostics).c_str(), stdout);
    for (const auto& o : written) std::printf("wrote %s\n", o.c_str());
    if (args.has("report")) std::printf("wrote %s\n", args.get("report").c_str());
  }
  return 0;
}

}  // namespace crossview::cli
