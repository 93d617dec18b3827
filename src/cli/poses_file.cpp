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
#include <map>
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

using Fail = std::function<std::runtime_error(const std::string&)>;

/// A frame number: a JSON integer in [0, kMaxFrameNumber] (no float, no boolean).
long long frame_number(const nlohmann::json& v, const Fail& fail) {
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

/// The 3 x J joints of one frame entry into `pose` (null = missing, else
/// three finite numbers).
template <typename Block>
void read_joints(const nlohmann::json& joints, int J, long long number, Block pose, const Fail& fail) {
  if (!joints.is_array() || static_cast<int>(joints.size()) != J) {
    throw fail("frame " + std::to_string(number) + " has " + std::to_string(joints.is_array() ? joints.size() : 0) +
               " joints, joint_names has " + std::to_string(J));
  }
  for (int j = 0; j < J; ++j) {
    const auto& x = joints[static_cast<std::size_t>(j)];
    if (x.is_null()) continue;
    if (!x.is_array() || x.size() != 3 || !x[0].is_number() || !x[1].is_number() || !x[2].is_number()) {
      throw fail("frame " + std::to_string(number) + ": joint " + std::to_string(j) +
                 " is not null or [x, y, z] of numbers");
    }
    for (int k = 0; k < 3; ++k) {
      const double v = x[static_cast<std::size_t>(k)].get<double>();
      if (!std::isfinite(v)) throw fail("frame " + std::to_string(number) + ": a coordinate is not finite");
      pose(k, j) = v;
    }
  }
}

}  // namespace

std::vector<PoseSequence> parse_people_json(const std::string& text, const std::string& name) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("'" + name + "' is not valid JSON: " + e.what());
  }
  const Fail fail = [&](const std::string& what) { return std::runtime_error("'" + name + "': " + what); };
  if (!doc.is_object() || !doc.contains("format") || doc["format"] != "crossview.poses") {
    throw fail("not a crossview poses file (\"format\": \"crossview.poses\" missing)");
  }
  std::vector<PoseSequence> people;
  try {
    PoseSequence base;
    int version = 1;
    if (doc.contains("version")) {
      if (!doc["version"].is_number_integer()) throw fail("\"version\" must be 1 or 2, got " + doc["version"].dump());
      version = doc["version"].get<int>();
    }
    if (version != 1 && version != 2) throw fail("\"version\" must be 1 or 2, got " + std::to_string(version));
    if (!doc.at("unit").is_string()) throw fail("\"unit\" must be a string");
    base.unit = doc.at("unit").get<std::string>();
    if (base.unit != "m" && base.unit != "mm") throw fail("unit must be \"m\" or \"mm\", got \"" + base.unit + "\"");
    if (doc.contains("method") && doc["method"].is_string()) base.method = doc["method"].get<std::string>();
    if (doc.contains("skeleton") && doc["skeleton"].is_string()) base.skeleton = doc["skeleton"].get<std::string>();
    if (doc.contains("rate_hz") && !doc["rate_hz"].is_null()) {
      const auto& rate = doc["rate_hz"];
      if (!rate.is_number() || !(rate.get<double>() >= 0.0) || !std::isfinite(rate.get<double>())) {
        throw fail("\"rate_hz\" must be a finite number >= 0, got " + rate.dump());
      }
      base.rate_hz = rate.get<double>();
    }
    const auto& names = doc.at("joint_names");
    if (!names.is_array()) throw fail("\"joint_names\" must be an array of strings");
    for (const auto& n : names) {
      if (!n.is_string() || n.get<std::string>().empty()) throw fail("\"joint_names\" must hold non-empty strings");
      const std::string joint = n.get<std::string>();
      if (std::find(base.joint_names.begin(), base.joint_names.end(), joint) != base.joint_names.end()) {
        throw fail("joint name \"" + joint + "\" appears twice in \"joint_names\"");
      }
      base.joint_names.push_back(joint);
    }
    const int J = base.num_joints();
    if (J == 0) throw fail("joint_names is empty");
    // (person id, frame list) of every person.
    std::vector<std::pair<int, const nlohmann::json*>> lists;
    if (version == 1) {
      lists.emplace_back(-1, &doc.at("frames"));
    } else {
      const auto& list = doc.at("people");
      if (!list.is_array()) throw fail("\"people\" must be an array");
      for (const auto& person : list) {
        if (!person.is_object() || !person.contains("id") || !person["id"].is_number_integer() ||
            person["id"].get<std::int64_t>() < 0 || person["id"].get<std::int64_t>() > 1000000000) {
          throw fail("every person needs an integer \"id\" in [0, 1e9]");
        }
        const int id = person["id"].get<int>();
        for (const auto& l : lists) {
          if (l.first == id) throw fail("person id " + std::to_string(id) + " appears twice");
        }
        lists.emplace_back(id, &person.at("frames"));
      }
      if (lists.empty()) throw fail("\"people\" is empty");
    }
    // Version 1: frame numbers increase strictly. Every person over the union
    // of the frame numbers (NaN where absent); a frame listed twice for one
    // person is an error.
    std::map<long long, int> frame_index;
    for (const auto& l : lists) {
      if (!l.second->is_array()) throw fail("\"frames\" must be an array");
      long long previous = -1;
      for (const auto& frame : *l.second) {
        if (!frame.is_object()) throw fail("every entry of \"frames\" must be an object");
        const long long number = frame_number(frame.at("frame"), fail);
        if (version == 1 && number <= previous) {
          throw fail("frame numbers must increase strictly: " + std::to_string(number) + " follows " +
                     std::to_string(previous) + (number == previous ? " (a duplicate)" : ""));
        }
        previous = number;
        frame_index.emplace(number, 0);
      }
    }
    int index = 0;
    for (auto& [number, i] : frame_index) {
      i = index++;
      base.frame_numbers.push_back(number);
    }
    // Memory proportional to the frames listed (each holds J joints, checked as read).
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
        read_joints(frame.at("joints"), J, number, p.pose(f), fail);
      }
      people.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("malformed poses file: ") + e.what());
  }
  return people;
}

PoseSequence parse_poses_json(const std::string& text, const std::string& name) {
  std::vector<PoseSequence> people = parse_people_json(text, name);
  if (people.size() != 1) {
    throw std::runtime_error("'" + name + "' holds " + std::to_string(people.size()) + " people; one was expected");
  }
  return std::move(people.front());
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
  if (ext == ".json") return parse_people_json(io::read_file(path, io::FileKind::kSequence), path);
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

std::vector<std::pair<std::string, std::string>> format_people(const std::vector<PoseSequence>& people,
                                                               const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".json") return {{path, format_people_json(people)}};
  if (ext != ".trc") throw std::runtime_error("output '" + path + "': unknown format (use a .json or .trc file name)");
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& p : people) {
    const std::string file = people_trc_name(path, p.person_id);
    files.emplace_back(file, format_poses(p, file));
  }
  return files;
}

std::string people_trc_name(const std::string& path, int person_id) {
  return path.substr(0, path.size() - 4) + "_P" + std::to_string(person_id) + path.substr(path.size() - 4);
}

}  // namespace crossview::cli
