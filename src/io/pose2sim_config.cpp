// Pose2Sim Config.toml (see pose2sim_config.hpp).
#include <crossview/io/pose2sim_config.hpp>

#include "io_common.hpp"
#include "toml_json.hpp"

#include <cmath>
#include <filesystem>

namespace crossview::io {

namespace {

using detail::Json;

struct Parsed {
  Pose2SimConfig c;
  bool has_rate = false, has_range = false, has_heights = false, has_masses = false;
};

std::vector<double> one_or_list(const Json& v, const std::string& file, const std::string& field, double lo, double hi,
                                const char* what) {
  std::vector<double> out;
  const auto check = [&](const Json& x, const std::string& f) {
    if (!x.is_number()) throw IoError(file, f, std::string("expected a number (") + what + "), got " + detail::json_type_name(x));
    const double d = x.get<double>();
    if (!(d > lo && d < hi)) {
      throw IoError(file, f, std::string("expected ") + what + " in (" + detail::format_double(lo) + ", " + detail::format_double(hi) +
                                 "), got " + detail::format_double(d));
    }
    out.push_back(d);
  };
  if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) check(v[i], detail::index_field(field, i));
  } else {
    check(v, field);
  }
  return out;
}

Parsed parse(std::string_view text, const std::string& file) {
  const Json root = detail::parse_toml_as_json(text, file);
  Parsed p;
  p.c.sources.push_back(file);
  const auto table = [&](const char* name) -> const Json* {
    const auto it = root.find(name);
    if (it == root.end()) return nullptr;
    if (!it->is_object()) throw IoError(file, name, std::string("expected a table, got ") + detail::json_type_name(*it));
    return &*it;
  };
  const Json* project = table("project");
  const Json* pose = table("pose");
  const Json* augment = table("markerAugmentation");
  if (project != nullptr) {
    if (const auto it = project->find("frame_rate"); it != project->end()) {
      p.has_rate = true;
      if (it->is_string() && it->get<std::string>() == "auto") {
        p.c.frame_rate_auto = true;
      } else if (it->is_number() && it->get<double>() > 0.0 && std::isfinite(it->get<double>())) {
        p.c.frame_rate_hz = it->get<double>();
      } else {
        throw IoError(file, "project.frame_rate", "expected a frame rate > 0 (Hz) or \"auto\"");
      }
    }
    if (const auto it = project->find("frame_range"); it != project->end()) {
      p.has_range = true;
      if (it->is_array() && it->empty()) {
        // [] = all frames
      } else if (it->is_string() && (it->get<std::string>() == "all" || it->get<std::string>() == "auto")) {
        // all frames / chosen by Pose2Sim
      } else if (it->is_array() && it->size() == 2 && (*it)[0].is_number_integer() && (*it)[1].is_number_integer()) {
        const long long a = (*it)[0].get<long long>(), b = (*it)[1].get<long long>();
        if (a < 0 || b <= a || b > 2000000000LL) {
          throw IoError(file, "project.frame_range", "expected [start, end] with 0 <= start < end, got [" + std::to_string(a) + ", " +
                                                         std::to_string(b) + "]");
        }
        p.c.frame_range = std::make_pair(static_cast<int>(a), static_cast<int>(b));
      } else {
        throw IoError(file, "project.frame_range", "expected [], [start, end] (integers), \"all\" or \"auto\"");
      }
    }
    if (const auto it = project->find("multi_person"); it != project->end()) {
      if (!it->is_boolean()) throw IoError(file, "project.multi_person", "expected true or false");
      p.c.multi_person = it->get<bool>();
    }
  }
  // Heights and masses: [project] (current Pose2Sim) or [markerAugmentation] (older).
  for (const auto& [tbl, name] : {std::make_pair(augment, "markerAugmentation"), std::make_pair(project, "project")}) {
    if (tbl == nullptr) continue;
    if (const auto it = tbl->find("participant_height"); it != tbl->end()) {
      p.has_heights = true;
      p.c.participant_heights_m.clear();
      p.c.participant_height_auto = false;
      if (it->is_string() && it->get<std::string>() == "auto") {
        p.c.participant_height_auto = true;
      } else {
        p.c.participant_heights_m = one_or_list(*it, file, std::string(name) + ".participant_height", 0.3, 3.0, "a height in m");
      }
    }
    if (const auto it = tbl->find("participant_mass"); it != tbl->end()) {
      p.has_masses = true;
      p.c.participant_masses_kg = one_or_list(*it, file, std::string(name) + ".participant_mass", 0.0, 1000.0, "a mass in kg");
    }
  }
  if (pose != nullptr) {
    if (const auto it = pose->find("pose_model"); it != pose->end()) {
      if (!it->is_string()) throw IoError(file, "pose.pose_model", std::string("expected a string, got ") + detail::json_type_name(*it));
      p.c.pose_model = it->get<std::string>();
      p.c.pose_model_origin = file + " pose.pose_model";
    }
  }
  return p;
}

}  // namespace

Pose2SimConfig parse_pose2sim_config(std::string_view text, const std::string& source_name) { return parse(text, source_name).c; }

Pose2SimConfig read_pose2sim_config(const std::string& path) { return parse(detail::read_text_file(path, FileKind::kConfig), path).c; }

Pose2SimConfig find_pose2sim_config(const std::string& trial_dir, int max_levels_up) {
  namespace fs = std::filesystem;
  if (max_levels_up < 0) throw std::invalid_argument("find_pose2sim_config: max_levels_up must be >= 0");
  std::vector<Parsed> levels;  // deepest first
  fs::path dir = fs::absolute(fs::path(trial_dir));
  std::error_code ec;
  for (int level = 0; level <= max_levels_up && !dir.empty(); ++level) {
    const fs::path cfg = dir / "Config.toml";
    if (fs::is_regular_file(cfg, ec)) {
      const std::string path = cfg.string();
      levels.push_back(parse(detail::read_text_file(path, FileKind::kConfig), path));
    }
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  if (levels.empty()) {
    throw IoError(trial_dir, "", "no Config.toml in this folder or the " + std::to_string(max_levels_up) + " above it");
  }
  Pose2SimConfig out;
  bool rate = false, range = false, heights = false, masses = false;
  for (const Parsed& p : levels) {  // deepest first: the first to set a key wins
    out.sources.push_back(p.c.sources.front());
    if (!rate && p.has_rate) {
      rate = true;
      out.frame_rate_hz = p.c.frame_rate_hz;
      out.frame_rate_auto = p.c.frame_rate_auto;
    }
    if (!range && p.has_range) {
      range = true;
      out.frame_range = p.c.frame_range;
    }
    if (!out.multi_person && p.c.multi_person) out.multi_person = p.c.multi_person;
    if (out.pose_model.empty() && !p.c.pose_model.empty()) {
      out.pose_model = p.c.pose_model;
      out.pose_model_origin = p.c.pose_model_origin;
    }
    if (!heights && p.has_heights) {
      heights = true;
      out.participant_heights_m = p.c.participant_heights_m;
      out.participant_height_auto = p.c.participant_height_auto;
    }
    if (!masses && p.has_masses) {
      masses = true;
      out.participant_masses_kg = p.c.participant_masses_kg;
    }
  }
  return out;
}

}  // namespace crossview::io
