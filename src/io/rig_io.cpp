// Camera rig readers and writers: Pose2Sim TOML, Human3.6M JSON, crossview JSON.
#include <crossview/io/rig.hpp>

#include "io_common.hpp"
#include "rig_common.hpp"
#include "toml_json.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace crossview::io {

using camera::Camera;
using camera::CameraModel;
using camera::Rigid3d;
using detail::format_double;
using detail::index_field;
using detail::member_field;
using detail::check_calibration_matrix;
using detail::check_rotation_matrix;
using detail::check_unique_name;
using detail::make_camera;
using detail::kRotationTolerance;

// ---------------------------------------------------------------------------
// Rig

const Camera* Rig::find(std::string_view name) const {
  const int i = index_of(name);
  return i < 0 ? nullptr : &cameras[static_cast<std::size_t>(i)];
}
Camera* Rig::find(std::string_view name) {
  const int i = index_of(name);
  return i < 0 ? nullptr : &cameras[static_cast<std::size_t>(i)];
}
int Rig::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < cameras.size(); ++i) {
    if (cameras[i].name() == name) return static_cast<int>(i);
  }
  return -1;
}
const Camera& Rig::at(std::string_view name) const {
  if (const Camera* c = find(name)) return *c;
  std::string list;
  for (const auto& c : cameras) list += (list.empty() ? "" : ", ") + c.name();
  throw std::out_of_range("Rig::at: no camera named '" + std::string(name) + "' (cameras: " +
                          list + ")");
}
std::vector<std::string> Rig::names() const {
  std::vector<std::string> out;
  out.reserve(cameras.size());
  for (const auto& c : cameras) out.push_back(c.name());
  return out;
}

double metres_per_unit(const std::string& unit) {
  if (unit == "m") return 1.0;
  if (unit == "mm") return 1e-3;
  throw std::invalid_argument("length unit must be \"m\" or \"mm\", got \"" + unit + "\"");
}

Rig Rig::with_length_unit(const std::string& unit) const {
  const double from = metres_per_unit(length_unit);
  const double to = metres_per_unit(unit);
  Rig out = *this;
  out.length_unit = unit;
  if (unit == length_unit) return out;
  // Exact factors 1000 / 0.001 applied as a multiplication or a division by 1000.
  for (auto& c : out.cameras) {
    if (from > to) {
      c.cam_from_world.translation *= 1000.0;
    } else {
      c.cam_from_world.translation /= 1000.0;
    }
    if (!c.cam_from_world.translation.allFinite()) {
      throw std::invalid_argument("Rig::with_length_unit: camera '" + c.name() + "': its translation in " +
                                  unit + " overflows double precision");
    }
  }
  return out;
}

void RigWorld::validate() const {
  if (!frame.empty() && frame != "floor" && frame != "camera" && frame != "other") {
    throw std::invalid_argument("RigWorld::frame must be \"floor\", \"camera\", \"other\" or empty, got \"" + frame +
                                "\"");
  }
  if (!std::isnan(tilt_uncertainty_deg) && !(std::isfinite(tilt_uncertainty_deg) && tilt_uncertainty_deg >= 0.0)) {
    throw std::invalid_argument("RigWorld::tilt_uncertainty_deg must be NaN (not given) or finite and >= 0, got " +
                                format_double(tilt_uncertainty_deg));
  }
}

namespace {

/// The "world" object (crossview JSON) or [metadata.world] table (TOML, as JSON).
RigWorld read_world(const detail::JsonReader& rd, const detail::Json& j, const std::string& field) {
  rd.object(j, field);
  RigWorld w;
  w.frame = rd.string(rd.member(j, "frame", field), member_field(field, "frame"));
  if (w.frame != "floor" && w.frame != "camera" && w.frame != "other") {
    throw IoError(rd.file, member_field(field, "frame"), "expected \"floor\", \"camera\" or \"other\", got \"" + w.frame + "\"");
  }
  const auto text = [&](const char* key, std::string* out) {
    if (j.contains(key)) *out = rd.string(j[key], member_field(field, key));
  };
  text("camera", &w.camera);
  text("up", &w.up);
  text("x", &w.x_axis);
  text("origin", &w.origin);
  text("estimated_by", &w.estimated_by);
  text("evidence", &w.evidence);
  if (j.contains("tilt_uncertainty_deg")) {
    const std::string f = member_field(field, "tilt_uncertainty_deg");
    w.tilt_uncertainty_deg = rd.number(j["tilt_uncertainty_deg"], f);
    if (!(w.tilt_uncertainty_deg >= 0.0)) throw IoError(rd.file, f, "expected a number >= 0, got " + format_double(w.tilt_uncertainty_deg));
  }
  return w;
}

/// (key, value) pairs of a world in file order ("frame" first; empty strings left out).
std::vector<std::pair<const char*, const std::string*>> world_text(const RigWorld& w) {
  std::vector<std::pair<const char*, const std::string*>> out = {{"frame", &w.frame}};
  const std::pair<const char*, const std::string*> optional[] = {{"camera", &w.camera}, {"up", &w.up},
                                                                 {"x", &w.x_axis},       {"origin", &w.origin},
                                                                 {"estimated_by", &w.estimated_by},
                                                                 {"evidence", &w.evidence}};
  for (const auto& kv : optional) {
    if (!kv.second->empty()) out.push_back(kv);
  }
  return out;
}

}  // namespace

void H36mReadOptions::validate() const {
  if (width <= 0) throw std::invalid_argument("H36mReadOptions::width must be > 0, got " + std::to_string(width));
  if (height <= 0) throw std::invalid_argument("H36mReadOptions::height must be > 0, got " + std::to_string(height));
}

namespace {

// TOML -------------------------------------------------------------------------

const char* toml_type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: return "nothing";
  }
  return "an unknown value";
}

struct TomlReader {
  std::string file;

  const toml::node& member(const toml::table& t, const std::string& key, const std::string& field) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) throw IoError(file, member_field(field, key), "missing field");
    return *n;
  }
  double number(const toml::node& n, const std::string& field) const {
    double v = 0.0;
    if (const auto* f = n.as_floating_point()) {
      v = f->get();
    } else if (const auto* i = n.as_integer()) {
      v = static_cast<double>(i->get());
    } else {
      throw IoError(file, field, std::string("expected a number, got ") + toml_type_name(n));
    }
    if (!std::isfinite(v)) throw IoError(file, field, "expected a finite number, got " + format_double(v));
    return v;
  }
  const toml::array& array(const toml::node& n, const std::string& field, std::size_t expected = 0) const {
    const toml::array* a = n.as_array();
    if (a == nullptr) throw IoError(file, field, std::string("expected an array, got ") + toml_type_name(n));
    if (expected != 0 && a->size() != expected) {
      throw IoError(file, field, "expected " + std::to_string(expected) + " elements, got " + std::to_string(a->size()));
    }
    return *a;
  }
  Eigen::VectorXd vector(const toml::node& n, const std::string& field, std::size_t expected = 0) const {
    const toml::array& a = array(n, field, expected);
    Eigen::VectorXd v(static_cast<Eigen::Index>(a.size()));
    for (std::size_t i = 0; i < a.size(); ++i) v[static_cast<Eigen::Index>(i)] = number(*a.get(i), index_field(field, i));
    return v;
  }
  Eigen::Matrix3d matrix3(const toml::node& n, const std::string& field) const {
    const toml::array& a = array(n, field, 3);
    Eigen::Matrix3d m;
    for (int r = 0; r < 3; ++r) {
      const Eigen::VectorXd row = vector(*a.get(static_cast<std::size_t>(r)), index_field(field, r), 3);
      m.row(r) = row.transpose();
    }
    return m;
  }
};

Camera read_toml_camera(const TomlReader& rd, const toml::table& t, const std::string& key) {
  const std::string& f = key;
  std::string name = key;
  if (const toml::node* n = t.get("name")) {
    const auto* s = n->as_string();
    if (s == nullptr) throw IoError(rd.file, member_field(f, "name"), std::string("expected a string, got ") + toml_type_name(*n));
    name = s->get();
  }
  bool fisheye = false;
  if (const toml::node* n = t.get("fisheye")) {
    const auto* b = n->as_boolean();
    if (b == nullptr) throw IoError(rd.file, member_field(f, "fisheye"), std::string("expected a boolean, got ") + toml_type_name(*n));
    fisheye = b->get();
  }
  const std::string f_size = member_field(f, "size");
  const Eigen::VectorXd size = rd.vector(rd.member(t, "size", f), f_size, 2);
  int wh[2];
  for (int i = 0; i < 2; ++i) {
    if (!(size[i] >= 1.0) || size[i] != std::floor(size[i]) || size[i] > 1e9) {
      throw IoError(rd.file, index_field(f_size, i), std::string("expected a positive whole number of pixels (") +
                                                        (i == 0 ? "width" : "height") + "), got " + format_double(size[i]));
    }
    wh[i] = static_cast<int>(size[i]);
  }
  const std::string f_K = member_field(f, "matrix");
  const Eigen::Matrix3d K = rd.matrix3(rd.member(t, "matrix", f), f_K);
  check_calibration_matrix(K, rd.file, f_K);

  const std::string f_d = member_field(f, "distortions");
  const Eigen::VectorXd d = rd.vector(rd.member(t, "distortions", f), f_d);
  CameraModel model;
  Eigen::VectorXd params;
  if (fisheye) {
    if (d.size() != 4) throw IoError(rd.file, f_d, "expected 4 fisheye coefficients [k1,k2,k3,k4], got " + std::to_string(d.size()));
    model = CameraModel::kFisheye;
    params.resize(8);
    params << K(0, 0), K(1, 1), K(0, 2), K(1, 2), d;
  } else {
    if (d.size() != 4 && d.size() != 5) {
      throw IoError(rd.file, f_d, "expected 4 or 5 OpenCV coefficients [k1,k2,p1,p2(,k3)], got " + std::to_string(d.size()));
    }
    model = CameraModel::kOpenCV;
    params.setZero(9);
    params.head<4>() << K(0, 0), K(1, 1), K(0, 2), K(1, 2);
    params.segment(4, d.size()) = d;
  }
  const Eigen::VectorXd rvec = rd.vector(rd.member(t, "rotation", f), member_field(f, "rotation"), 3);
  const Eigen::VectorXd tvec = rd.vector(rd.member(t, "translation", f), member_field(f, "translation"), 3);
  const Rigid3d cam_from_world = Rigid3d::from_angle_axis(Eigen::Vector3d(rvec), Eigen::Vector3d(tvec));
  return make_camera(model, params, wh[0], wh[1], cam_from_world, name, rd.file, f);
}

bool is_bare_key(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string toml_quote(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string toml_list(const double* v, int n) {
  std::string s = "[ ";
  for (int i = 0; i < n; ++i) s += (i ? ", " : "") + format_double(v[i]);
  return s + "]";
}

}  // namespace

Rig parse_pose2sim_toml(std::string_view text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw IoError(source_name, "line " + std::to_string(b.line) + " column " + std::to_string(b.column),
                  "malformed or truncated TOML: " + std::string(e.description()));
  }
  TomlReader rd{source_name};
  // File order: sort the camera tables by where they start.
  std::vector<std::pair<std::uint64_t, std::string>> keys;
  for (const auto& [k, node] : root) {
    const std::string key(k.str());
    const toml::table* t = node.as_table();
    if (t == nullptr) throw IoError(source_name, key, std::string("expected a camera table, got ") + toml_type_name(node));
    if (key == "metadata" && !t->contains("matrix")) continue;
    keys.emplace_back(static_cast<std::uint64_t>(node.source().begin.line), key);
  }
  std::sort(keys.begin(), keys.end());
  if (keys.empty()) throw IoError(source_name, "", "expected at least one camera table, found none");
  Rig rig;
  rig.length_unit = "m";
  std::set<std::string> seen;
  for (const auto& [line, key] : keys) {
    (void)line;
    Camera cam = read_toml_camera(rd, *root[key].as_table(), key);
    check_unique_name(&seen, cam.name(), source_name, member_field(key, "name"));
    rig.cameras.push_back(std::move(cam));
  }
  if (const toml::table* meta = root["metadata"].as_table(); meta != nullptr && !meta->contains("matrix")) {
    if (const toml::node* world = meta->get("world")) {
      rig.world = read_world(detail::JsonReader{source_name}, detail::toml_node_to_json(*world), "metadata.world");
    }
  }
  return rig;
}

Rig read_pose2sim_toml(const std::string& path) {
  return parse_pose2sim_toml(detail::read_text_file(path, FileKind::kCalibration), path);
}

std::string format_pose2sim_toml(const Rig& rig_in) {
  rig_in.world.validate();
  const Rig rig = rig_in.with_length_unit("m");
  std::ostringstream out;
  for (const Camera& c : rig.cameras) {
    const Eigen::VectorXd& p = c.params();
    std::vector<double> dist;
    switch (c.model()) {
      case CameraModel::kPinhole: dist = {0.0, 0.0, 0.0, 0.0}; break;
      case CameraModel::kOpenCV:
        dist.assign(p.data() + 4, p.data() + (p[8] == 0.0 ? 8 : 9));
        break;
      case CameraModel::kFisheye: dist.assign(p.data() + 4, p.data() + 8); break;
      case CameraModel::kOpenCVRational:
        throw std::invalid_argument("write_pose2sim_toml: camera '" + c.name() +
                                    "' uses the OPENCV_RATIONAL model, which the Pose2Sim format cannot hold");
    }
    const std::string key = is_bare_key(c.name()) ? c.name() : toml_quote(c.name());
    const double size[2] = {static_cast<double>(c.width()), static_cast<double>(c.height())};
    const Eigen::Vector3d rvec = c.cam_from_world.angle_axis();
    const Eigen::Vector3d& t = c.cam_from_world.translation;
    out << "[" << key << "]\n";
    out << "name = " << toml_quote(c.name()) << "\n";
    out << "size = " << toml_list(size, 2) << "\n";
    out << "matrix = [ [ " << format_double(c.fx()) << ", 0.0, " << format_double(c.cx()) << "], [ 0.0, "
        << format_double(c.fy()) << ", " << format_double(c.cy()) << "], [ 0.0, 0.0, 1.0]]\n";
    out << "distortions = " << toml_list(dist.data(), static_cast<int>(dist.size())) << "\n";
    out << "rotation = " << toml_list(rvec.data(), 3) << "\n";
    out << "translation = " << toml_list(t.data(), 3) << "\n";
    out << "fisheye = " << (c.model() == CameraModel::kFisheye ? "true" : "false") << "\n\n";
  }
  out << "[metadata]\nadjusted = false\nerror = 0.0\n";
  if (!rig.world.empty()) {
    out << "\n[metadata.world]\n";
    for (const auto& [key, value] : world_text(rig.world)) out << key << " = " << toml_quote(*value) << "\n";
    if (!std::isnan(rig.world.tilt_uncertainty_deg)) {
      out << "tilt_uncertainty_deg = " << format_double(rig.world.tilt_uncertainty_deg) << "\n";
    }
  }
  return out.str();
}

void write_pose2sim_toml(const Rig& rig, const std::string& path) {
  detail::write_text_file(path, format_pose2sim_toml(rig));
}

// ---------------------------------------------------------------------------
// Human3.6M JSON

Rig read_h36m_json(const std::string& path, const std::string& subject, const H36mReadOptions& options) {
  options.validate();
  const detail::JsonReader rd{path};
  const detail::Json root = rd.parse(detail::read_text_file(path, FileKind::kCalibration));
  rd.object(root, "");
  const detail::Json& intrinsics = rd.object(rd.member(root, "intrinsics", ""), "intrinsics");
  const detail::Json& extrinsics = rd.object(rd.member(root, "extrinsics", ""), "extrinsics");
  if (!extrinsics.contains(subject)) {
    std::string list;
    for (const auto& [k, v] : extrinsics.items()) list += (list.empty() ? "" : ", ") + k;
    throw IoError(path, member_field("extrinsics", subject), "no such subject (subjects present: " + list + ")");
  }
  const std::string f_subject = member_field("extrinsics", subject);
  const detail::Json& subject_extr = rd.object(extrinsics[subject], f_subject);
  if (intrinsics.empty()) throw IoError(path, "intrinsics", "expected at least one camera, found none");
  Rig rig;
  rig.length_unit = "mm";
  for (const auto& [id, intr] : intrinsics.items()) {
    const std::string f_intr = member_field("intrinsics", id);
    rd.object(intr, f_intr);
    const std::string f_K = member_field(f_intr, "calibration_matrix");
    const Eigen::Matrix3d K = rd.matrix<3, 3>(rd.member(intr, "calibration_matrix", f_intr), f_K);
    check_calibration_matrix(K, path, f_K);
    const std::string f_d = member_field(f_intr, "distortion");
    const Eigen::VectorXd d = rd.vector_any(rd.member(intr, "distortion", f_intr), f_d);
    if (d.size() != 4 && d.size() != 5) {
      throw IoError(path, f_d, "expected 5 coefficients [k1,k2,p1,p2,k3] (or 4), got " + std::to_string(d.size()));
    }
    const std::string f_extr = member_field(f_subject, id);
    const detail::Json& extr = rd.member(subject_extr, id, f_subject);
    rd.object(extr, f_extr);
    const std::string f_R = member_field(f_extr, "R");
    const Eigen::Matrix3d R = rd.matrix<3, 3>(rd.member(extr, "R", f_extr), f_R);
    check_rotation_matrix(R, path, f_R);
    const std::string f_t = member_field(f_extr, "t");
    const detail::Json& jt = rd.array(rd.member(extr, "t", f_extr), f_t, 3);
    Eigen::Vector3d t;
    if (jt[0].is_array()) {
      t = rd.matrix<3, 1>(jt, f_t);
    } else {
      t = rd.vector<3>(jt, f_t);
    }
    Eigen::VectorXd params = Eigen::VectorXd::Zero(9);
    params.head<4>() << K(0, 0), K(1, 1), K(0, 2), K(1, 2);
    params.segment(4, d.size()) = d;
    rig.cameras.push_back(make_camera(CameraModel::kOpenCV, params, options.width, options.height,
                                      Rigid3d::from_matrix(R, t), id, path, f_intr));
  }
  return rig;
}

// ---------------------------------------------------------------------------
// crossview JSON

namespace {
constexpr const char* kRigFormat = "crossview.rig";
constexpr int kRigVersion = 1;
}  // namespace

Rig parse_rig_json(std::string_view text, const std::string& source_name) {
  const detail::JsonReader rd{source_name};
  const detail::Json root = rd.parse(text);
  rd.object(root, "");
  const std::string format = rd.string(rd.member(root, "format", ""), "format");
  if (format != kRigFormat) throw IoError(source_name, "format", std::string("expected \"") + kRigFormat + "\", got \"" + format + "\"");
  const int version = rd.integer(rd.member(root, "version", ""), "version");
  if (version != kRigVersion) throw IoError(source_name, "version", "expected 1, got " + std::to_string(version));
  Rig rig;
  rig.length_unit = rd.string(rd.member(root, "length_unit", ""), "length_unit");
  if (rig.length_unit != "m" && rig.length_unit != "mm") {
    throw IoError(source_name, "length_unit", "expected \"m\" or \"mm\", got \"" + rig.length_unit + "\"");
  }
  const detail::Json& cams = rd.array(rd.member(root, "cameras", ""), "cameras");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < cams.size(); ++i) {
    const std::string f = index_field("cameras", i);
    const detail::Json& jc = rd.object(cams[i], f);
    const std::string name = rd.string(rd.member(jc, "name", f), member_field(f, "name"));
    check_unique_name(&seen, name, source_name, member_field(f, "name"));
    const std::string f_model = member_field(f, "model");
    const std::string model_name = rd.string(rd.member(jc, "model", f), f_model);
    CameraModel model;
    if (!camera::camera_model_from_string(model_name, &model)) {
      throw IoError(source_name, f_model, "expected one of PINHOLE, OPENCV, OPENCV_RATIONAL, FISHEYE, got \"" + model_name + "\"");
    }
    const int width = rd.integer(rd.member(jc, "width", f), member_field(f, "width"));
    const int height = rd.integer(rd.member(jc, "height", f), member_field(f, "height"));
    if (width <= 0) throw IoError(source_name, member_field(f, "width"), "expected a positive width, got " + std::to_string(width));
    if (height <= 0) throw IoError(source_name, member_field(f, "height"), "expected a positive height, got " + std::to_string(height));
    const std::string f_params = member_field(f, "params");
    const detail::Json& jp = rd.array(rd.member(jc, "params", f), f_params);
    if (static_cast<int>(jp.size()) != camera::num_params(model)) {
      throw IoError(source_name, f_params, "expected " + std::to_string(camera::num_params(model)) + " parameters for model " +
                                               model_name + ", got " + std::to_string(jp.size()));
    }
    const Eigen::VectorXd params = rd.vector_any(jp, f_params);
    if (!(params[0] > 0.0)) throw IoError(source_name, index_field(f_params, 0), "expected a positive focal length fx, got " + format_double(params[0]));
    if (!(params[1] > 0.0)) throw IoError(source_name, index_field(f_params, 1), "expected a positive focal length fy, got " + format_double(params[1]));
    const std::string f_pose = member_field(f, "cam_from_world");
    const detail::Json& jpose = rd.object(rd.member(jc, "cam_from_world", f), f_pose);
    const std::string f_q = member_field(f_pose, "quaternion_wxyz");
    const Eigen::Vector4d q = rd.vector<4>(rd.member(jpose, "quaternion_wxyz", f_pose), f_q);
    const Eigen::Vector3d t = rd.vector<3>(rd.member(jpose, "translation", f_pose), member_field(f_pose, "translation"));
    const double qn = q.norm();
    if (!(std::abs(qn - 1.0) <= kRotationTolerance)) {
      throw IoError(source_name, f_q, "expected a unit quaternion (| |q| - 1 | <= 1e-6), got |q| = " + format_double(qn));
    }
    Eigen::Quaterniond rotation(q[0], q[1], q[2], q[3]);
    if (std::abs(qn - 1.0) > 1e-12) rotation.normalize();  // keep exact values bit for bit otherwise
    rig.cameras.push_back(make_camera(model, params, width, height, Rigid3d(rotation, t), name, source_name, f));
  }
  if (root.contains("world")) rig.world = read_world(rd, root["world"], "world");
  return rig;
}

Rig read_rig_json(const std::string& path) { return parse_rig_json(detail::read_text_file(path, FileKind::kCalibration), path); }

std::string format_rig_json(const Rig& rig) {
  metres_per_unit(rig.length_unit);  // throws std::invalid_argument on an unknown unit
  rig.world.validate();
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  root["format"] = kRigFormat;
  root["version"] = kRigVersion;
  root["length_unit"] = rig.length_unit;
  nlohmann::ordered_json cams = nlohmann::ordered_json::array();
  for (const Camera& c : rig.cameras) {
    // JSON has no Inf / NaN (nlohmann writes null, which the reader rejects).
    if (!c.params().allFinite() || !c.cam_from_world.translation.allFinite() ||
        !c.cam_from_world.rotation.coeffs().allFinite()) {
      throw std::invalid_argument("format_rig_json: camera '" + c.name() +
                                  "' has a non-finite parameter, rotation or translation");
    }
    nlohmann::ordered_json jc = nlohmann::ordered_json::object();
    jc["name"] = c.name();
    jc["model"] = camera::to_string(c.model());
    jc["width"] = c.width();
    jc["height"] = c.height();
    jc["params"] = std::vector<double>(c.params().data(), c.params().data() + c.params().size());
    const Eigen::Quaterniond& q = c.cam_from_world.rotation;
    const Eigen::Vector3d& t = c.cam_from_world.translation;
    jc["cam_from_world"] = {{"quaternion_wxyz", {q.w(), q.x(), q.y(), q.z()}}, {"translation", {t.x(), t.y(), t.z()}}};
    cams.push_back(std::move(jc));
  }
  root["cameras"] = std::move(cams);
  if (!rig.world.empty()) {
    nlohmann::ordered_json w = nlohmann::ordered_json::object();
    for (const auto& [key, value] : world_text(rig.world)) w[key] = *value;
    if (!std::isnan(rig.world.tilt_uncertainty_deg)) w["tilt_uncertainty_deg"] = rig.world.tilt_uncertainty_deg;
    root["world"] = std::move(w);
  }
  return root.dump(2) + "\n";
}

void write_rig_json(const Rig& rig, const std::string& path) { detail::write_text_file(path, format_rig_json(rig)); }

}  // namespace crossview::io
