#include "inputs.hpp"

#include "args.hpp"

#include <crossview/io/error.hpp>
#include <crossview/io/keypoints.hpp>
#include <crossview/io/openpose.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>
#include <map>
#include <stdexcept>

namespace crossview::cli {

namespace fs = std::filesystem;

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie])) != 0) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je])) != 0) ++je;
      // Compare values without overflow: strip leading zeros, then by length, then by digits.
      std::size_t ia = i, jb = j;
      while (ia + 1 < ie && a[ia] == '0') ++ia;
      while (jb + 1 < je && b[jb] == '0') ++jb;
      if (ie - ia != je - jb) return ie - ia < je - jb;
      const int c = a.compare(ia, ie - ia, b, jb, je - jb);
      if (c != 0) return c < 0;
      if (ie - i != je - j) return ie - i < je - j;  // equal values: fewer digits first
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

io::Rig read_any_rig(const std::string& path, const std::string& h36m_subject) {
  io::RigReadOptions options;
  options.h36m_subject = h36m_subject;
  return io::read_rig(path, options);
}

int PeopleKeypoints::max_people_in_a_view() const {
  int n = 0;
  for (const auto& frame : frames) {
    for (const auto& view : frame) {
      n = std::max(n, num_joints > 0 ? static_cast<int>(view.keypoints_px.cols() / num_joints) : 0);
    }
  }
  return n;
}

std::vector<long long> drop_keypoints_outside_images(PeopleKeypoints* keypoints,
                                                     const std::vector<camera::Camera>& cameras, double min_score,
                                                     std::vector<long long>* confident) {
  const std::size_t V = cameras.size();
  std::vector<long long> dropped(V, 0);
  confident->assign(V, 0);
  for (auto& frame : keypoints->frames) {
    for (std::size_t v = 0; v < V && v < frame.size(); ++v) {
      const double w = cameras[v].width(), h = cameras[v].height();
      if (!(w > 0.0) || !(h > 0.0)) continue;
      association::ViewDetections& d = frame[v];
      for (Eigen::Index c = 0; c < d.keypoints_px.cols(); ++c) {
        const double score = d.scores.size() == 0 ? 1.0 : d.scores(c);
        const Eigen::Vector2d px = d.keypoints_px.col(c);
        if (!px.allFinite() || !(score > 0.0)) continue;
        if (score > min_score) ++(*confident)[v];
        if (px.x() >= -0.5 && px.x() <= w - 0.5 && px.y() >= -0.5 && px.y() <= h - 0.5) continue;
        d.keypoints_px.col(c).setConstant(std::numeric_limits<double>::quiet_NaN());
        if (d.scores.size() != 0) d.scores(c) = 0.0;
        ++dropped[v];
      }
    }
  }
  return dropped;
}

namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

io::KeypointSequence read_source(const std::string& source) {
  std::error_code ec;
  if (fs::is_directory(source, ec)) {
    const std::vector<io::OpenPoseFrame> frames = io::read_openpose_folder(source);
    if (frames.empty()) throw std::runtime_error("keypoint folder '" + source + "' holds no OpenPose .json file");
    return io::to_keypoint_sequence(frames, source);
  }
  if (!fs::exists(source, ec)) {
    throw std::runtime_error("keypoint source '" + source +
                             "' does not exist (expected an OpenPose JSON folder, an MMPose .json, or a "
                             "DeepLabCut / SLEAP .h5)");
  }
  const std::string ext = lower_extension(source);
  if (ext == ".json") return io::read_mmpose_json(source);
  if (ext == ".h5" || ext == ".hdf5") {
    std::string dlc_error;
    try {
      return io::read_deeplabcut_h5(source);
    } catch (const io::IoError& e) {
      dlc_error = e.what();
    }
    try {
      return io::read_sleap_analysis_h5(source);
    } catch (const io::IoError& e) {
      throw std::runtime_error("keypoint file '" + source + "' is neither a DeepLabCut table (" + dlc_error +
                               ") nor a SLEAP analysis file (" + e.what() + ")");
    }
  }
  throw std::runtime_error("keypoint source '" + source +
                           "': unknown format (expected an OpenPose JSON folder, an MMPose .json, or a "
                           "DeepLabCut / SLEAP .h5)");
}

}  // namespace

PeopleKeypoints load_people_views(const std::vector<std::string>& sources) {
  PeopleKeypoints out;
  out.num_views = static_cast<int>(sources.size());
  std::vector<io::KeypointSequence> views;
  views.reserve(sources.size());
  std::map<long long, int> frame_index;
  for (const auto& source : sources) {
    views.push_back(read_source(source));
    const io::KeypointSequence& s = views.back();
    if (s.num_joints > 0) {
      if (out.num_joints == 0) {
        out.num_joints = s.num_joints;
        out.format = s.format;
        out.skeleton_query = s.skeleton_query();
      } else if (s.num_joints != out.num_joints) {
        throw std::runtime_error("keypoint source '" + source + "' has " + std::to_string(s.num_joints) +
                                 " joints per person, '" + views.front().source + "' has " +
                                 std::to_string(out.num_joints));
      }
    }
    for (const auto& frame : s.frames) frame_index.emplace(frame.frame_number, 0);
  }
  if (out.num_joints == 0) throw std::runtime_error("no person is detected in any frame of any view");
  int index = 0;
  for (auto& [number, i] : frame_index) {
    i = index++;
    out.frame_numbers.push_back(number);
  }
  const Eigen::Index J = out.num_joints;
  out.frames.assign(frame_index.size(), std::vector<association::ViewDetections>(sources.size()));
  for (auto& frame : out.frames) {
    for (auto& view : frame) {
      view.keypoints_px.resize(2, 0);
      view.scores.resize(0);
    }
  }
  for (std::size_t v = 0; v < views.size(); ++v) {
    for (const auto& frame : views[v].frames) {
      association::ViewDetections& d = out.frames[static_cast<std::size_t>(frame_index[frame.frame_number])][v];
      const Eigen::Index P = static_cast<Eigen::Index>(frame.people.size());
      d.keypoints_px.setConstant(2, P * J, std::numeric_limits<double>::quiet_NaN());
      d.scores.setZero(P * J);
      for (Eigen::Index p = 0; p < P; ++p) {
        const io::KeypointPerson& person = frame.people[static_cast<std::size_t>(p)];
        d.keypoints_px.middleCols(p * J, J) = person.keypoints_px;
        d.scores.segment(p * J, J) = person.scores;
      }
    }
  }
  return out;
}

std::optional<io::Pose2SimConfig> find_session_config(const std::string& config_path,
                                                      const std::vector<std::string>& sources) {
  if (!config_path.empty()) return io::read_pose2sim_config(config_path);
  if (sources.empty()) return std::nullopt;
  // Pose2Sim's layout: <trial>/pose/<camNN_json>; a single file source sits in <trial>/pose/ too.
  const fs::path first = fs::absolute(fs::path(sources.front()).lexically_normal());
  fs::path trial = first.parent_path().parent_path();
  if (first.filename().empty()) trial = first.parent_path().parent_path().parent_path();
  std::error_code ec;
  if (trial.empty() || !fs::is_directory(trial, ec)) return std::nullopt;
  try {
    return io::find_pose2sim_config(trial.string(), 2);
  } catch (const io::IoError&) {
    return std::nullopt;  // no Config.toml: nothing to use
  }
}

io::ResolvedSkeleton resolve_cli_skeleton(const std::string& explicit_skeleton, const PeopleKeypoints& keypoints,
                                          const std::optional<io::Pose2SimConfig>& config, bool allow_unnamed) {
  io::SkeletonQuery query = keypoints.skeleton_query;
  query.num_joints = keypoints.num_joints;
  query.explicit_skeleton = explicit_skeleton;
  if (query.metadata_skeleton.empty() && config && !config->pose_model.empty()) {
    query.metadata_skeleton = config->pose_model;
    query.metadata_origin = config->pose_model_origin.empty() ? "Config.toml pose.pose_model" : config->pose_model_origin;
  }
  query.allow_unnamed = allow_unnamed;
  try {
    return io::resolve_skeleton(query);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--skeleton: ") + e.what());  // an unknown built-in name
  }
}

double session_rate(const Args& args, const std::optional<io::Pose2SimConfig>& config, std::string* origin) {
  if (args.has("rate")) {
    *origin = "--rate";
    return args.get_double("rate", 0.0, 1e-3, 1e6);
  }
  if (config && config->frame_rate_hz) {
    *origin = config->sources.empty() ? "Config.toml" : config->sources.front() + " project.frame_rate";
    return *config->frame_rate_hz;
  }
  *origin = "unknown";
  return 0.0;
}

}  // namespace crossview::cli
