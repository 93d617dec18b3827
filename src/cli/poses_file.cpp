#include "poses_file.hpp"

#include "common.hpp"
#include "json_output.hpp"

#include <crossview/io/trc.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <stdexcept>

namespace crossview::cli {

namespace {

std::string lower_extension(const std::string& path) {
  const std::size_t dot = path.find_last_of('.');
  const std::size_t slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
  std::string ext = path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

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

namespace {

Json header(const PoseSequence& p, int version) {
  Json doc = {{"format", "crossview.poses"}, {"version", version},  {"unit", p.unit},
              {"frame", "world"},            {"method", p.method},  {"rate_hz", p.rate_hz}};
  if (!p.skeleton.empty()) doc["skeleton"] = p.skeleton;
  doc["joint_names"] = p.joint_names;
  return doc;
}

Json frame_json(const PoseSequence& p, int f) {
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
  return frame;
}

}  // namespace

std::string format_poses_json(const PoseSequence& p) {
  check_consistent(p);
  Json doc = header(p, 1);
  Json frames = Json::array();
  for (int f = 0; f < p.num_frames(); ++f) frames.push_back(frame_json(p, f));
  doc["frames"] = std::move(frames);
  // One line per frame: the document and its frame list broken, each frame inline.
  return format_json(doc, 2) + "\n";
}

std::string format_people_json(const std::vector<PoseSequence>& people) {
  if (people.empty()) throw std::invalid_argument("format_people_json: no person");
  for (const auto& p : people) {
    check_consistent(p);
    if (p.joint_names != people.front().joint_names || p.frame_numbers != people.front().frame_numbers) {
      throw std::invalid_argument("format_people_json: people with different joints or frames");
    }
  }
  Json doc = header(people.front(), 2);
  Json list = Json::array();
  for (const auto& p : people) {
    Json frames = Json::array();
    for (int f = 0; f < p.num_frames(); ++f) {
      if (!p.pose(f).array().isFinite().any()) continue;  // not reconstructed in this frame
      frames.push_back(frame_json(p, f));
    }
    list.push_back(Json{{"id", p.person_id}, {"frames", std::move(frames)}});
  }
  doc["people"] = std::move(list);
  return format_json(doc, 3) + "\n";
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
    // Pose2Sim's numbering: Frame# = frame number + 1, time = Frame# / rate.
    trc.frame_numbers.push_back(static_cast<int>(p.frame_numbers[f]) + 1);
    trc.times_s.push_back(static_cast<double>(p.frame_numbers[f] + 1) / rate);
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

void write_poses(const PoseSequence& poses, const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".json") {
    write_file_atomic(path, format_poses_json(poses));
  } else if (ext == ".trc") {
    const std::size_t slash = path.find_last_of('/');
    write_file_atomic(path, format_poses_trc(poses, slash == std::string::npos ? path : path.substr(slash + 1)));
  } else {
    throw std::runtime_error("output '" + path + "': unknown format (use a .json or .trc file name)");
  }
}

namespace {

std::vector<PoseSequence> read_people_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("'" + path + "' is not valid JSON: " + e.what());
  }
  const auto fail = [&](const std::string& what) { return std::runtime_error("'" + path + "': " + what); };
  if (!doc.is_object() || doc.value("format", std::string()) != "crossview.poses") {
    throw fail("not a crossview poses file (\"format\": \"crossview.poses\" missing)");
  }
  std::vector<PoseSequence> people;
  try {
    PoseSequence base;
    const int version = doc.contains("version") ? doc.at("version").get<int>() : 1;
    if (version != 1 && version != 2) throw fail("version must be 1 or 2, got " + std::to_string(version));
    base.unit = doc.at("unit").get<std::string>();
    if (base.unit != "m" && base.unit != "mm") throw fail("unit must be \"m\" or \"mm\", got \"" + base.unit + "\"");
    base.method = doc.value("method", std::string());
    base.skeleton = doc.value("skeleton", std::string());
    if (doc.contains("rate_hz") && doc["rate_hz"].is_number()) base.rate_hz = doc["rate_hz"].get<double>();
    base.joint_names = doc.at("joint_names").get<std::vector<std::string>>();
    const int J = base.num_joints();
    if (J == 0) throw fail("joint_names is empty");
    // (person id, frame list) of every person.
    std::vector<std::pair<int, const nlohmann::json*>> lists;
    if (version == 1) {
      lists.emplace_back(-1, &doc.at("frames"));
    } else {
      for (const auto& person : doc.at("people")) {
        const int id = person.at("id").get<int>();
        for (const auto& l : lists) {
          if (l.first == id) throw fail("person id " + std::to_string(id) + " appears twice");
        }
        lists.emplace_back(id, &person.at("frames"));
      }
    }
    // Every person over the union of the frame numbers (NaN where absent).
    std::map<long long, int> frame_index;
    for (const auto& l : lists) {
      if (!l.second->is_array()) throw fail("\"frames\" is not an array");
      for (const auto& frame : *l.second) frame_index.emplace(frame.at("frame").get<long long>(), 0);
    }
    int index = 0;
    for (auto& [number, i] : frame_index) {
      i = index++;
      base.frame_numbers.push_back(number);
    }
    base.poses.setConstant(3, static_cast<Eigen::Index>(base.num_frames()) * J, std::numeric_limits<double>::quiet_NaN());
    for (const auto& l : lists) {
      PoseSequence p = base;
      p.person_id = l.first;
      std::vector<bool> seen(static_cast<std::size_t>(p.num_frames()), false);
      for (const auto& frame : *l.second) {
        const long long number = frame.at("frame").get<long long>();
        const int f = frame_index.at(number);
        if (seen[static_cast<std::size_t>(f)]) throw fail("frame " + std::to_string(number) + " appears twice");
        seen[static_cast<std::size_t>(f)] = true;
        const auto& joints = frame.at("joints");
        if (!joints.is_array() || static_cast<int>(joints.size()) != J) {
          throw fail("frame " + std::to_string(number) + " has " + std::to_string(joints.size()) +
                     " joints, joint_names has " + std::to_string(J));
        }
        auto pose = p.pose(f);
        for (int j = 0; j < J; ++j) {
          if (joints[j].is_null()) continue;
          const auto xyz = joints[j].get<std::vector<double>>();
          if (xyz.size() != 3) throw fail("frame " + std::to_string(number) + ": a joint is not [x, y, z]");
          pose.col(j) << xyz[0], xyz[1], xyz[2];
        }
      }
      people.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("malformed poses file: ") + e.what());
  }
  return people;
}

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
    p.frame_numbers.push_back(static_cast<long long>(trc.frame_numbers[f]) - 1);  // Frame# 1 = frame 0
    for (int j = 0; j < trc.num_markers(); ++j) {
      const Eigen::Vector3d x = trc.frame(f).col(j);
      p.pose(f).col(j) =
          x.allFinite() ? io::trc_to_world(x) : Eigen::Vector3d::Constant(std::numeric_limits<double>::quiet_NaN());
    }
  }
  return p;
}

}  // namespace

std::vector<PoseSequence> read_people(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".json") return read_people_json(path);
  if (ext == ".trc") return {read_poses_trc(path)};
  throw std::runtime_error("'" + path + "': unknown format (expected .json poses or .trc)");
}

PoseSequence read_poses(const std::string& path, int person_id) {
  std::vector<PoseSequence> people = read_people(path);
  if (person_id >= 0) {
    for (auto& p : people) {
      if (p.person_id == person_id) return std::move(p);
    }
  } else if (people.size() == 1) {
    return std::move(people.front());
  }
  std::string ids;
  for (const auto& p : people) ids += (ids.empty() ? "" : ", ") + std::to_string(p.person_id);
  if (person_id >= 0) {
    throw std::runtime_error("'" + path + "' has no person " + std::to_string(person_id) + " (it has " + ids + ")");
  }
  throw std::runtime_error("'" + path + "' holds " + std::to_string(people.size()) + " people (ids " + ids +
                           "): choose one (--person ID)");
}

std::vector<std::string> write_people(const std::vector<PoseSequence>& people, const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".json") {
    write_file_atomic(path, format_people_json(people));
    return {path};
  }
  if (ext != ".trc") throw std::runtime_error("output '" + path + "': unknown format (use a .json or .trc file name)");
  std::vector<std::string> written;
  const std::string stem = path.substr(0, path.size() - 4);
  for (const auto& p : people) {
    const std::string file = stem + "_P" + std::to_string(p.person_id) + path.substr(path.size() - 4);
    write_poses(p, file);
    written.push_back(file);
  }
  return written;
}

}  // namespace crossview::cli
