#include "poses_file.hpp"

#include "json_output.hpp"
#include "outputs.hpp"

#include <crossview/io/files.hpp>

#include <crossview/io/trc.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>

namespace crossview::cli {

namespace {

void check_consistent(const PoseSequence& p) {
  const Eigen::Index n = static_cast<Eigen::Index>(p.num_frames()) * p.num_joints();
  if (p.poses.cols() != n) {
    throw std::invalid_argument("PoseSequence: poses must be 3 x (frames * joints) = 3 x " + std::to_string(n) +
                                ", got 3 x " + std::to_string(p.poses.cols()));
  }
  if (p.reprojection_error_px.size() != 0 && p.reprojection_error_px.size() != n) {
    throw std::invalid_argument("PoseSequence: reprojection errors for some joints only");
  }
  if (p.views_used.size() != 0 && p.views_used.size() != n) {
    throw std::invalid_argument("PoseSequence: used-view counts for some joints only");
  }
}

}  // namespace

std::string format_poses_json(const PoseSequence& p) {
  check_consistent(p);
  Json doc = {{"format", "crossview.poses"}, {"version", 1},       {"unit", p.unit},
              {"frame", "world"},            {"method", p.method}, {"rate_hz", p.rate_hz},
              {"joint_names", p.joint_names}};
  Json frames = Json::array();
  for (int f = 0; f < p.num_frames(); ++f) {
    Json joints = Json::array();
    for (int j = 0; j < p.num_joints(); ++j) {
      const Eigen::Vector3d x = p.pose(f).col(j);
      joints.push_back(x.allFinite() ? Json::array({x[0], x[1], x[2]}) : Json());
    }
    Json frame = {{"frame", p.frame_numbers[f]}, {"joints", std::move(joints)}};
    const Eigen::Index first = static_cast<Eigen::Index>(f) * p.num_joints();
    if (p.reprojection_error_px.size() != 0) {
      Json errors = Json::array();
      for (int j = 0; j < p.num_joints(); ++j) errors.push_back(p.reprojection_error_px(first + j));
      frame["reprojection_error_px"] = std::move(errors);
    }
    if (p.views_used.size() != 0) {
      Json views = Json::array();
      for (int j = 0; j < p.num_joints(); ++j) views.push_back(p.views_used(first + j));
      frame["views_used"] = std::move(views);
    }
    frames.push_back(std::move(frame));
  }
  doc["frames"] = std::move(frames);
  // One line per frame: the document and its frame list broken, each frame inline.
  return format_json(doc, 2) + "\n";
}

std::string format_poses_trc(const PoseSequence& p, const std::string& file_name) {
  check_consistent(p);
  io::TrcData trc;
  const double rate = p.rate_hz > 0.0 ? p.rate_hz : 1.0;
  trc.data_rate_hz = rate;
  trc.camera_rate_hz = rate;
  trc.orig_data_rate_hz = rate;
  trc.units = p.unit;
  trc.path_file_name = file_name;
  trc.marker_names = p.joint_names;
  trc.orig_data_start_frame = p.frame_numbers.empty() ? 0 : static_cast<int>(p.frame_numbers.front());
  trc.orig_num_frames = p.num_frames();
  trc.positions.resize(3, static_cast<Eigen::Index>(p.num_frames()) * p.num_joints());
  for (int f = 0; f < p.num_frames(); ++f) {
    trc.frame_numbers.push_back(static_cast<int>(p.frame_numbers[f]));
    trc.times_s.push_back(static_cast<double>(p.frame_numbers[f]) / rate);
    auto m = trc.frame(f);
    for (int j = 0; j < p.num_joints(); ++j) {
      const Eigen::Vector3d x = p.pose(f).col(j);
      if (x.allFinite()) {
        m.col(j) = io::world_to_trc(x);
      } else {
        m.col(j).setConstant(std::numeric_limits<double>::quiet_NaN());
      }
    }
  }
  return io::format_trc(trc);
}

std::string format_poses(const PoseSequence& poses, const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".json") return format_poses_json(poses);
  if (ext == ".trc") {
    const std::size_t slash = path.find_last_of('/');
    return format_poses_trc(poses, slash == std::string::npos ? path : path.substr(slash + 1));
  }
  throw std::runtime_error("output '" + path + "': unknown format (use a .json or .trc file name)");
}

namespace {

/// A frame number: a JSON integer in [0, kMaxFrameNumber] (no float, no boolean).
long long frame_number(const nlohmann::json& v, const std::function<std::runtime_error(const std::string&)>& fail) {
  if (v.is_number_unsigned()) {
    const auto n = v.get<std::uint64_t>();
    if (n <= static_cast<std::uint64_t>(kMaxFrameNumber)) return static_cast<long long>(n);
  } else if (v.is_number_integer()) {
    const auto n = v.get<std::int64_t>();
    if (n >= 0 && n <= kMaxFrameNumber) return n;
  } else {
    throw fail("\"frame\" must be an integer, got " + v.dump());
  }
  throw fail("\"frame\" must be in [0, " + std::to_string(kMaxFrameNumber) + "], got " + v.dump());
}

}  // namespace

PoseSequence parse_poses_json(const std::string& text, const std::string& name) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("'" + name + "' is not valid JSON: " + e.what());
  }
  const std::function<std::runtime_error(const std::string&)> fail = [&](const std::string& what) {
    return std::runtime_error("'" + name + "': " + what);
  };
  if (!doc.is_object() || !doc.contains("format") || doc["format"] != "crossview.poses") {
    throw fail("not a crossview poses file (\"format\": \"crossview.poses\" missing)");
  }
  PoseSequence p;
  try {
    if (!doc.at("unit").is_string()) throw fail("\"unit\" must be a string");
    p.unit = doc.at("unit").get<std::string>();
    if (p.unit != "m" && p.unit != "mm") throw fail("unit must be \"m\" or \"mm\", got \"" + p.unit + "\"");
    if (doc.contains("method") && doc["method"].is_string()) p.method = doc["method"].get<std::string>();
    if (doc.contains("rate_hz") && !doc["rate_hz"].is_null()) {
      const auto& rate = doc["rate_hz"];
      if (!rate.is_number() || !(rate.get<double>() >= 0.0) || !std::isfinite(rate.get<double>())) {
        throw fail("\"rate_hz\" must be a finite number >= 0, got " + rate.dump());
      }
      p.rate_hz = rate.get<double>();
    }
    const auto& names = doc.at("joint_names");
    if (!names.is_array()) throw fail("\"joint_names\" must be an array of strings");
    for (const auto& n : names) {
      if (!n.is_string() || n.get<std::string>().empty()) throw fail("\"joint_names\" must hold non-empty strings");
      const std::string joint = n.get<std::string>();
      if (std::find(p.joint_names.begin(), p.joint_names.end(), joint) != p.joint_names.end()) {
        throw fail("joint name \"" + joint + "\" appears twice in \"joint_names\"");
      }
      p.joint_names.push_back(joint);
    }
    const int J = p.num_joints();
    if (J == 0) throw fail("joint_names is empty");
    const auto& frames = doc.at("frames");
    if (!frames.is_array()) throw fail("\"frames\" must be an array");
    // Coordinates gathered as read (memory proportional to the joints present,
    // not to frames x joint_names before the frames are checked).
    std::vector<double> coordinates;
    for (const auto& frame : frames) {
      if (!frame.is_object()) throw fail("every entry of \"frames\" must be an object");
      const long long number = frame_number(frame.at("frame"), fail);
      if (!p.frame_numbers.empty() && number <= p.frame_numbers.back()) {
        throw fail("frame numbers must increase strictly: " + std::to_string(number) + " follows " +
                   std::to_string(p.frame_numbers.back()) + (number == p.frame_numbers.back() ? " (a duplicate)" : ""));
      }
      p.frame_numbers.push_back(number);
      const auto& joints = frame.at("joints");
      if (!joints.is_array() || static_cast<int>(joints.size()) != J) {
        throw fail("frame " + std::to_string(number) + " has " + std::to_string(joints.is_array() ? joints.size() : 0) +
                   " joints, joint_names has " + std::to_string(J));
      }
      for (int j = 0; j < J; ++j) {
        const auto& x = joints[static_cast<std::size_t>(j)];
        if (x.is_null()) {
          coordinates.insert(coordinates.end(), 3, std::numeric_limits<double>::quiet_NaN());
          continue;
        }
        if (!x.is_array() || x.size() != 3 || !x[0].is_number() || !x[1].is_number() || !x[2].is_number()) {
          throw fail("frame " + std::to_string(number) + ": joint " + std::to_string(j) +
                     " is not null or [x, y, z] of numbers");
        }
        for (int k = 0; k < 3; ++k) {
          const double v = x[static_cast<std::size_t>(k)].get<double>();
          if (!std::isfinite(v)) throw fail("frame " + std::to_string(number) + ": a coordinate is not finite");
          coordinates.push_back(v);
        }
      }
    }
    p.poses = Eigen::Map<const Points3d>(coordinates.data(), 3, static_cast<Eigen::Index>(coordinates.size() / 3));
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("malformed poses file: ") + e.what());
  }
  return p;
}

namespace {

PoseSequence read_poses_trc(const std::string& path) {
  const io::TrcData trc = io::read_trc(path);
  PoseSequence p;
  p.unit = trc.units;
  if (p.unit != "m" && p.unit != "mm") {
    throw std::runtime_error("'" + path + "': TRC units must be m or mm, got '" + p.unit + "'");
  }
  p.method = "trc";
  p.rate_hz = trc.data_rate_hz;
  p.joint_names = trc.marker_names;
  p.poses.resize(3, trc.positions.cols());
  for (int f = 0; f < trc.num_frames(); ++f) {
    p.frame_numbers.push_back(trc.frame_numbers[f]);
    for (int j = 0; j < trc.num_markers(); ++j) {
      const Eigen::Vector3d x = trc.frame(f).col(j);
      p.pose(f).col(j) =
          x.allFinite() ? io::trc_to_world(x) : Eigen::Vector3d::Constant(std::numeric_limits<double>::quiet_NaN());
    }
  }
  return p;
}

}  // namespace

PoseSequence read_poses(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".json") return parse_poses_json(io::read_file(path, io::FileKind::kSequence), path);
  if (ext == ".trc") return read_poses_trc(path);
  throw std::runtime_error("'" + path + "': unknown format (expected .json poses or .trc)");
}

}  // namespace crossview::cli
