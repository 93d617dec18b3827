// JSON (de)serialization of pss::Model; format documented in
// include/crossview/io/pss_model.hpp.
#include <crossview/io/files.hpp>
#include <crossview/io/pss_model.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace crossview::io {
namespace {

constexpr const char* kFormat = "crossview.pss_model";
constexpr int kVersion = 1;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("load_pss_model: " + path + ": " + what);
}

const nlohmann::json& field(const nlohmann::json& obj, const char* name, const std::string& path,
                            const std::string& prefix = {}) {
  const auto it = obj.find(name);
  if (it == obj.end()) fail(path, "missing field \"" + prefix + name + "\"");
  return *it;
}

long long get_int(const nlohmann::json& v, const std::string& name, const std::string& path) {
  if (!v.is_number_integer()) fail(path, "field \"" + name + "\" must be an integer");
  return v.get<long long>();
}

std::string get_string(const nlohmann::json& v, const std::string& name, const std::string& path) {
  if (!v.is_string()) fail(path, "field \"" + name + "\" must be a string");
  return v.get<std::string>();
}

}  // namespace

void save_pss_model(const pss::Model& model, const std::string& path) {
  if (model.num_joints < 1 || model.centres.rows() < 1 || model.centres.cols() != 3 * model.num_joints) {
    throw std::runtime_error("save_pss_model: " + path +
                             ": model is empty or its centres are not k x 3*num_joints");
  }
  if (!model.centres.allFinite()) {
    throw std::runtime_error("save_pss_model: " + path + ": centres contain NaN or Inf");
  }
  nlohmann::json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["num_joints"] = model.num_joints;
  j["normalization"] = {{"centering", pss::to_string(model.normalization.centering)},
                        {"root_joint", model.normalization.root_joint},
                        {"scaling", pss::to_string(model.normalization.scaling)}};
  j["k"] = model.k();
  nlohmann::json centres = nlohmann::json::array();
  for (Eigen::Index c = 0; c < model.centres.rows(); ++c) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index t = 0; t < model.centres.cols(); ++t) row.push_back(model.centres(c, t));
    centres.push_back(std::move(row));
  }
  j["centres"] = std::move(centres);
  if (model.cluster_sizes.size() == model.centres.rows()) {
    nlohmann::json sizes = nlohmann::json::array();
    for (Eigen::Index c = 0; c < model.cluster_sizes.size(); ++c) sizes.push_back(model.cluster_sizes(c));
    j["cluster_sizes"] = std::move(sizes);
  }
  j["inertia"] = model.inertia;
  j["iterations"] = model.iterations;
  j["converged"] = model.converged;
  j["seed"] = model.seed;
  write_file(path, j.dump(1) + "\n");
}

pss::Model load_pss_model(const std::string& path) {
  const std::string text = read_file(path, FileKind::kModel);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range on 1e999
    fail(path, std::string("invalid JSON: ") + e.what());
  }
  if (!j.is_object()) fail(path, "top level must be a JSON object");
  if (get_string(field(j, "format", path), "format", path) != kFormat) {
    fail(path, std::string("field \"format\" must be \"") + kFormat + "\"");
  }
  const long long version = get_int(field(j, "version", path), "version", path);
  if (version != kVersion) fail(path, "unsupported \"version\" " + std::to_string(version));

  pss::Model m;
  const long long num_joints = get_int(field(j, "num_joints", path), "num_joints", path);
  if (num_joints < 1 || num_joints > 100000) fail(path, "field \"num_joints\" must be in [1, 100000]");
  m.num_joints = static_cast<int>(num_joints);

  const nlohmann::json& norm = field(j, "normalization", path);
  if (!norm.is_object()) fail(path, "field \"normalization\" must be an object");
  const std::string centering =
      get_string(field(norm, "centering", path, "normalization."), "normalization.centering", path);
  if (centering == "root") {
    m.normalization.centering = pss::Centering::kRoot;
  } else if (centering == "centroid") {
    m.normalization.centering = pss::Centering::kCentroid;
  } else {
    fail(path, "field \"normalization.centering\" must be \"root\" or \"centroid\"");
  }
  const long long root =
      get_int(field(norm, "root_joint", path, "normalization."), "normalization.root_joint", path);
  if (root < 0 || root >= num_joints) fail(path, "field \"normalization.root_joint\" out of range");
  m.normalization.root_joint = static_cast<int>(root);
  const std::string scaling =
      get_string(field(norm, "scaling", path, "normalization."), "normalization.scaling", path);
  if (scaling == "frobenius") {
    m.normalization.scaling = pss::Scaling::kFrobenius;
  } else if (scaling == "none") {
    m.normalization.scaling = pss::Scaling::kNone;
  } else {
    fail(path, "field \"normalization.scaling\" must be \"frobenius\" or \"none\"");
  }

  const long long k = get_int(field(j, "k", path), "k", path);
  if (k < 1) fail(path, "field \"k\" must be >= 1");
  const nlohmann::json& centres = field(j, "centres", path);
  if (!centres.is_array() || static_cast<long long>(centres.size()) != k) {
    fail(path, "field \"centres\" must be an array of k = " + std::to_string(k) + " rows");
  }
  const Eigen::Index d = 3 * m.num_joints;
  m.centres.resize(static_cast<Eigen::Index>(k), d);
  for (Eigen::Index c = 0; c < k; ++c) {
    const nlohmann::json& row = centres[static_cast<std::size_t>(c)];
    const std::string name = "centres[" + std::to_string(c) + "]";
    if (!row.is_array() || static_cast<Eigen::Index>(row.size()) != d) {
      fail(path, "field \"" + name + "\" must be an array of 3 * num_joints = " + std::to_string(d) + " numbers");
    }
    for (Eigen::Index t = 0; t < d; ++t) {
      const nlohmann::json& v = row[static_cast<std::size_t>(t)];
      if (!v.is_number() || !std::isfinite(v.get<double>())) {
        fail(path, "field \"" + name + "[" + std::to_string(t) + "]\" must be a finite number");
      }
      m.centres(c, t) = v.get<double>();
    }
  }
  if (const auto it = j.find("cluster_sizes"); it != j.end()) {
    if (!it->is_array() || static_cast<long long>(it->size()) != k) {
      fail(path, "field \"cluster_sizes\" must be an array of k integers");
    }
    m.cluster_sizes.resize(static_cast<Eigen::Index>(k));
    for (Eigen::Index c = 0; c < k; ++c) {
      m.cluster_sizes(c) = static_cast<int>(
          get_int((*it)[static_cast<std::size_t>(c)], "cluster_sizes[" + std::to_string(c) + "]", path));
    }
  }
  if (const auto it = j.find("inertia"); it != j.end()) {
    if (!it->is_number()) fail(path, "field \"inertia\" must be a number");
    m.inertia = it->get<double>();
  }
  if (const auto it = j.find("iterations"); it != j.end()) {
    m.iterations = static_cast<int>(get_int(*it, "iterations", path));
  }
  if (const auto it = j.find("converged"); it != j.end()) {
    if (!it->is_boolean()) fail(path, "field \"converged\" must be true or false");
    m.converged = it->get<bool>();
  }
  if (const auto it = j.find("seed"); it != j.end()) {
    if (!it->is_number_unsigned()) fail(path, "field \"seed\" must be a non-negative integer");
    m.seed = it->get<std::uint64_t>();
  }
  return m;
}

}  // namespace crossview::io
