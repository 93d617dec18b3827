// Custom skeleton files (TOML / JSON) and skeleton resolution.
#include <crossview/io/skeleton_file.hpp>

#include <crossview/pose/skeletons.hpp>

#include "io_common.hpp"
#include "toml_json.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <utility>

namespace crossview::io {

using detail::index_field;
using detail::Json;
using detail::member_field;

namespace {

constexpr const char* kSkeletonFormat = "crossview.skeleton";

bool starts_with_brace(std::string_view text) {
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{';
  }
  return false;
}

pose::Skeleton skeleton_from_json(const Json& root, const std::string& file, const std::string& default_name) {
  const detail::JsonReader rd{file};
  rd.object(root, "");
  static const std::set<std::string> kKeys = {"format", "version",   "name", "joints",          "limbs",
                                              "root",   "length_unit", "default_tolerance", "left_right",
                                              "feet",   "height_segments"};
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!kKeys.count(it.key())) {
      throw IoError(file, it.key(), "unknown key (expected format, version, name, joints, limbs, root, length_unit, "
                                    "default_tolerance, left_right, feet, height_segments)");
    }
  }
  if (root.contains("format")) {
    const std::string f = rd.string(root["format"], "format");
    if (f != kSkeletonFormat) throw IoError(file, "format", std::string("expected \"") + kSkeletonFormat + "\", got \"" + f + "\"");
  }
  if (root.contains("version")) {
    const int v = rd.integer(root["version"], "version");
    if (v != 1) throw IoError(file, "version", "expected 1, got " + std::to_string(v));
  }
  std::string name = default_name;
  if (root.contains("name")) name = rd.string(root["name"], "name");

  // Joints.
  const Json& jj = rd.array(rd.member(root, "joints", ""), "joints");
  if (jj.empty()) throw IoError(file, "joints", "expected at least one joint name, got an empty array");
  std::vector<std::string> names;
  for (std::size_t i = 0; i < jj.size(); ++i) {
    const std::string f = index_field("joints", i);
    std::string n = rd.string(jj[i], f);
    if (n.empty()) throw IoError(file, f, "expected a non-empty joint name");
    if (std::find(names.begin(), names.end(), n) != names.end()) throw IoError(file, f, "joint '" + n + "' is listed twice");
    names.push_back(std::move(n));
  }
  const auto joint = [&](const Json& j, const std::string& field) {
    const std::string n = rd.string(j, field);
    const auto it = std::find(names.begin(), names.end(), n);
    if (it == names.end()) throw IoError(file, field, "unknown joint '" + n + "' (not in joints)");
    return static_cast<int>(it - names.begin());
  };
  const auto pair = [&](const Json& j, const std::string& field) {
    rd.array(j, field, 2);
    return std::make_pair(joint(j[0], index_field(field, 0)), joint(j[1], index_field(field, 1)));
  };

  // Units and tolerances.
  std::string unit;
  if (root.contains("length_unit")) {
    unit = rd.string(root["length_unit"], "length_unit");
    if (unit != "mm" && unit != "m") throw IoError(file, "length_unit", "expected \"mm\" or \"m\", got \"" + unit + "\"");
  }
  double default_tolerance = 0.0;
  if (root.contains("default_tolerance")) {
    default_tolerance = rd.number(root["default_tolerance"], "default_tolerance");
    if (default_tolerance < 0.0) throw IoError(file, "default_tolerance", "expected >= 0, got " + detail::format_double(default_tolerance));
  }

  // Limbs.
  std::vector<std::pair<int, int>> limbs;
  std::vector<pose::LimbPrior> priors;
  int with_length = 0;
  if (root.contains("limbs")) {
    const Json& jl = rd.array(root["limbs"], "limbs");
    for (std::size_t i = 0; i < jl.size(); ++i) {
      const std::string f = index_field("limbs", i);
      pose::LimbPrior p;
      if (jl[i].is_object()) {
        for (auto it = jl[i].begin(); it != jl[i].end(); ++it) {
          if (it.key() != "joints" && it.key() != "length" && it.key() != "tolerance") {
            throw IoError(file, member_field(f, it.key()), "unknown key (expected joints, length, tolerance)");
          }
        }
        limbs.push_back(pair(rd.member(jl[i], "joints", f), member_field(f, "joints")));
        if (jl[i].contains("length")) {
          p.mean = rd.number(jl[i]["length"], member_field(f, "length"));
          if (p.mean < 0.0) throw IoError(file, member_field(f, "length"), "expected a length >= 0, got " + detail::format_double(p.mean));
          p.tolerance = default_tolerance;
          ++with_length;
        }
        if (jl[i].contains("tolerance")) {
          p.tolerance = rd.number(jl[i]["tolerance"], member_field(f, "tolerance"));
          if (p.tolerance < 0.0) throw IoError(file, member_field(f, "tolerance"), "expected >= 0, got " + detail::format_double(p.tolerance));
        }
      } else {
        limbs.push_back(pair(jl[i], f));
      }
      priors.push_back(p);
      const auto [a, b] = limbs.back();
      if (a == b) throw IoError(file, f, "limb joins joint '" + names[a] + "' to itself");
      for (std::size_t k = 0; k + 1 < limbs.size(); ++k) {
        if ((limbs[k].first == a && limbs[k].second == b) || (limbs[k].first == b && limbs[k].second == a)) {
          throw IoError(file, f, "limb '" + names[a] + "' - '" + names[b] + "' is listed twice (also limbs[" + std::to_string(k) + "])");
        }
      }
    }
  }
  if (with_length > 0) {
    if (unit.empty()) throw IoError(file, "length_unit", "missing field (limbs have lengths: say \"mm\" or \"m\")");
    if (with_length != static_cast<int>(limbs.size())) {
      throw IoError(file, "limbs", "expected a length for every limb or for none, got " + std::to_string(with_length) +
                                       " of " + std::to_string(limbs.size()));
    }
  }
  int root_joint = -1;
  if (root.contains("root")) root_joint = joint(root["root"], "root");

  std::vector<std::pair<int, int>> lr;
  if (root.contains("left_right")) {
    const Json& a = rd.array(root["left_right"], "left_right");
    for (std::size_t i = 0; i < a.size(); ++i) lr.push_back(pair(a[i], index_field("left_right", i)));
  }
  pose::Skeleton s;
  try {
    s = pose::Skeleton::from_limbs(names, limbs, with_length > 0 ? priors : std::vector<pose::LimbPrior>{}, lr, root_joint);
  } catch (const std::invalid_argument& e) {
    throw IoError(file, "", e.what());
  }
  if (root_joint >= 0 && !s.is_tree()) {
    throw IoError(file, "root", "a root needs limbs that form one tree over all joints (" + std::to_string(names.size()) +
                                    " joints need " + std::to_string(names.size() - 1) + " limbs without a cycle, got " +
                                    std::to_string(limbs.size()) + ")");
  }
  s.set_model_name(name);
  s.set_limb_prior_unit(unit);
  if (root.contains("feet")) {
    const Json& a = rd.array(root["feet"], "feet");
    std::vector<int> feet;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const int j = joint(a[i], index_field("feet", i));
      if (std::find(feet.begin(), feet.end(), j) != feet.end()) throw IoError(file, index_field("feet", i), "joint '" + names[j] + "' is listed twice");
      feet.push_back(j);
    }
    s.set_feet(std::move(feet));
  }
  if (root.contains("height_segments")) {
    const Json& a = rd.array(root["height_segments"], "height_segments");
    std::vector<pose::HeightSegment> segs;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string f = index_field("height_segments", i);
      rd.object(a[i], f);
      const auto [ja, jb] = pair(rd.member(a[i], "joints", f), member_field(f, "joints"));
      const double fr = rd.number(rd.member(a[i], "fraction", f), member_field(f, "fraction"));
      if (ja == jb) throw IoError(file, member_field(f, "joints"), "expected two distinct joints");
      if (!(fr > 0.0 && fr <= 1.0)) throw IoError(file, member_field(f, "fraction"), "expected a fraction of the standing height in (0, 1], got " + detail::format_double(fr));
      segs.push_back({ja, jb, fr});
    }
    s.set_height_segments(std::move(segs));
  }
  return s;
}

std::string stem_of(const std::string& path) { return std::filesystem::path(path).stem().string(); }

}  // namespace

pose::Skeleton parse_skeleton_json(std::string_view text, const std::string& source_name) {
  const detail::JsonReader rd{source_name};
  return skeleton_from_json(rd.parse(text), source_name, stem_of(source_name));
}

pose::Skeleton parse_skeleton_toml(std::string_view text, const std::string& source_name) {
  return skeleton_from_json(detail::parse_toml_as_json(text, source_name), source_name, stem_of(source_name));
}

pose::Skeleton read_skeleton_file(const std::string& path) {
  const std::string text = detail::read_text_file(path, FileKind::kConfig);
  return starts_with_brace(text) ? parse_skeleton_json(text, path) : parse_skeleton_toml(text, path);
}

std::string format_skeleton_json(const pose::Skeleton& s) {
  using OJson = nlohmann::ordered_json;
  OJson root = OJson::object();
  root["format"] = kSkeletonFormat;
  root["version"] = 1;
  if (!s.model_name().empty()) root["name"] = s.model_name();
  root["joints"] = s.names();
  const bool lengths = s.has_limb_priors() || std::any_of(s.limb_length_priors().begin(), s.limb_length_priors().end(),
                                                         [](const pose::LimbPrior& p) { return p.mean > 0.0; });
  if (lengths) {
    if (s.limb_prior_unit() != "mm" && s.limb_prior_unit() != "m") {
      throw std::invalid_argument("format_skeleton_json: skeleton '" + s.model_name() +
                                  "' has limb priors without a unit (set_limb_prior_unit(\"mm\" or \"m\"))");
    }
    root["length_unit"] = s.limb_prior_unit();
  }
  OJson limbs = OJson::array();
  for (std::size_t i = 0; i < s.limbs().size(); ++i) {
    const auto [a, b] = s.limbs()[i];
    const OJson pair = {s.name(a), s.name(b)};
    if (lengths) {
      const pose::LimbPrior& p = s.limb_length_priors()[i];
      limbs.push_back({{"joints", pair}, {"length", p.mean}, {"tolerance", p.tolerance}});
    } else {
      limbs.push_back(pair);
    }
  }
  root["limbs"] = std::move(limbs);
  if (s.is_tree()) root["root"] = s.name(s.root());
  if (!s.left_right_pairs().empty()) {
    OJson lr = OJson::array();
    for (const auto& [l, r] : s.left_right_pairs()) lr.push_back({s.name(l), s.name(r)});
    root["left_right"] = std::move(lr);
  }
  if (!s.feet().empty()) {
    OJson feet = OJson::array();
    for (int j : s.feet()) feet.push_back(s.name(j));
    root["feet"] = std::move(feet);
  }
  if (!s.height_segments().empty()) {
    OJson segs = OJson::array();
    for (const auto& seg : s.height_segments()) {
      segs.push_back({{"joints", {s.name(seg.joint_a), s.name(seg.joint_b)}}, {"fraction", seg.fraction}});
    }
    root["height_segments"] = std::move(segs);
  }
  return root.dump(2) + "\n";
}

void write_skeleton_file(const pose::Skeleton& skeleton, const std::string& path) {
  detail::write_text_file(path, format_skeleton_json(skeleton));
}

pose::Skeleton load_skeleton(const std::string& name_or_path) {
  const auto ends_with = [&](const char* ext) {
    const std::string e(ext);
    return name_or_path.size() > e.size() && name_or_path.compare(name_or_path.size() - e.size(), e.size(), e) == 0;
  };
  if (name_or_path.find('/') != std::string::npos || ends_with(".toml") || ends_with(".json") ||
      ends_with(".TOML") || ends_with(".JSON")) {
    return read_skeleton_file(name_or_path);
  }
  return pose::builtin_skeleton(name_or_path);
}

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i == 0 ? "" : (i + 1 == v.size() ? " and " : ", ")) + v[i];
  return s;
}

/// Checks that `s` fits the query (joint count, names); throws IoError otherwise.
void check_fits(const pose::Skeleton& s, const SkeletonQuery& q, const std::string& origin) {
  const std::string who = "skeleton " + (s.model_name().empty() ? std::string("(unnamed)") : s.model_name()) + " (" + origin + ")";
  if (s.num_joints() != q.num_joints) {
    throw IoError(q.source, "skeleton", who + " has " + std::to_string(s.num_joints()) + " joints but the file has " +
                                            std::to_string(q.num_joints));
  }
  if (!q.joint_names.empty()) {
    for (int j = 0; j < q.num_joints; ++j) {
      if (q.joint_names[static_cast<std::size_t>(j)] != s.name(j)) {
        throw IoError(q.source, "skeleton", who + " names joint " + std::to_string(j) + " '" + s.name(j) +
                                                "' but the file names it '" + q.joint_names[static_cast<std::size_t>(j)] +
                                                "' (joint order or names differ)");
      }
    }
  }
}

}  // namespace

ResolvedSkeleton resolve_skeleton(const SkeletonQuery& q) {
  if (q.num_joints <= 0) throw std::invalid_argument("resolve_skeleton: num_joints must be > 0, got " + std::to_string(q.num_joints));
  if (!q.joint_names.empty() && static_cast<int>(q.joint_names.size()) != q.num_joints) {
    throw std::invalid_argument("resolve_skeleton: joint_names has " + std::to_string(q.joint_names.size()) +
                                " entries, num_joints is " + std::to_string(q.num_joints));
  }
  ResolvedSkeleton r;
  if (!q.explicit_skeleton.empty()) {
    r.skeleton = load_skeleton(q.explicit_skeleton);
    r.origin = "explicit (" + q.explicit_skeleton + ")";
    check_fits(r.skeleton, q, r.origin);
    return r;
  }
  if (!q.metadata_skeleton.empty()) {
    const auto s = pose::find_builtin_skeleton(q.metadata_skeleton);
    const std::string origin = "file metadata (" + (q.metadata_origin.empty() ? std::string("skeleton") : q.metadata_origin) +
                               " = " + q.metadata_skeleton + ")";
    if (!s) {
      try {
        pose::builtin_skeleton(q.metadata_skeleton);
      } catch (const std::invalid_argument& e) {
        throw IoError(q.source, "skeleton", origin + ": " + e.what());
      }
    }
    r.skeleton = *s;
    r.origin = origin;
    check_fits(r.skeleton, q, r.origin);
    return r;
  }
  if (!q.joint_names.empty()) {
    for (const auto& id : pose::builtin_skeletons_with_joints(q.num_joints)) {
      pose::Skeleton s = pose::builtin_skeleton(id);
      if (s.names() == q.joint_names) {
        r.skeleton = std::move(s);
        r.origin = "the file's joint names are " + id + "'s";
        return r;
      }
    }
  }
  const std::vector<std::string> candidates = pose::builtin_skeletons_with_joints(q.num_joints);
  if (candidates.size() == 1 && q.joint_names.empty()) {
    r.skeleton = pose::builtin_skeleton(candidates.front());
    r.origin = "the only built-in skeleton with " + std::to_string(q.num_joints) + " joints";
    return r;
  }
  if (!q.joint_names.empty()) {
    try {
      r.skeleton = pose::Skeleton::from_limbs(q.joint_names, q.file_limbs);
    } catch (const std::invalid_argument& e) {
      throw IoError(q.source, "skeleton", std::string("the file's joints cannot make a skeleton: ") + e.what());
    }
    r.origin = q.file_limbs.empty() ? "the file's joint names (no limbs)" : "the file's joint names and limbs";
    return r;
  }
  if (candidates.size() > 1) {
    throw IoError(q.source, "skeleton",
                  std::to_string(q.num_joints) + " joints and nothing names the skeleton: candidates " + join(candidates) +
                      "; name one explicitly (e.g. --skeleton " + candidates.front() +
                      ") or record it in the file's metadata (e.g. Pose2Sim's Config.toml [pose] pose_model)");
  }
  if (q.allow_unnamed) {
    r.skeleton = pose::unnamed_skeleton(q.num_joints);
    r.origin = "no skeleton (unnamed joints 0.." + std::to_string(q.num_joints - 1) + ")";
    return r;
  }
  std::vector<std::string> listed;
  for (const auto& id : pose::builtin_skeleton_names()) {
    listed.push_back(id + " (" + std::to_string(pose::builtin_skeleton(id).num_joints()) + ")");
  }
  throw IoError(q.source, "skeleton",
                "no built-in skeleton has " + std::to_string(q.num_joints) + " joints (built-ins: " + join(listed) +
                    "); declare the joints in a skeleton file (docs/pose.md)");
}

}  // namespace crossview::io
