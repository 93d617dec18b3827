// Calibration readers: Qualisys .qca.txt, OpenCV/EasyMocap YAML, COLMAP text,
// and the detection of a calibration's format by content (read_rig).
#include <crossview/io/rig.hpp>

#include "io_common.hpp"
#include "rig_common.hpp"
#include "toml_json.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace crossview::io {

using camera::Camera;
using camera::CameraModel;
using camera::Rigid3d;
using detail::format_double;
using detail::index_field;
using detail::member_field;

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool parse_double(std::string_view s, double* v) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// ---------------------------------------------------------------------------
// A minimal XML reader: elements, attributes (with the five predefined
// entities), comments, processing instructions; text content is skipped.

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<XmlElement> children;
  int line = 0;
  const std::string* attribute(const std::string& key) const {
    for (const auto& [k, v] : attributes) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  std::vector<const XmlElement*> all(const std::string& child) const {
    std::vector<const XmlElement*> out;
    for (const auto& c : children) {
      if (c.name == child) out.push_back(&c);
    }
    return out;
  }
};

class XmlParser {
 public:
  XmlParser(std::string_view text, std::string file) : s_(text), file_(std::move(file)) {}

  XmlElement parse_document() {
    skip_misc();
    if (pos_ >= s_.size() || s_[pos_] != '<') fail("", "expected an XML element");
    XmlElement root = element(0);
    skip_misc();
    if (pos_ < s_.size()) fail("", "unexpected content after the root element </" + root.name + ">");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw IoError(file_, field, what + " (line " + std::to_string(line_at(pos_)) + ")");
  }
  int line_at(std::size_t p) const {
    return 1 + static_cast<int>(std::count(s_.begin(), s_.begin() + static_cast<std::ptrdiff_t>(std::min(p, s_.size())), '\n'));
  }
  bool starts(std::string_view t) const { return s_.substr(pos_, t.size()) == t; }
  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }
  void skip_until(std::string_view end, const char* what) {
    const std::size_t p = s_.find(end, pos_);
    if (p == std::string_view::npos) fail("", std::string("unterminated ") + what + " (truncated?)");
    pos_ = p + end.size();
  }
  /// Whitespace, comments, <?...?> and <!DOCTYPE ...>.
  void skip_misc() {
    for (;;) {
      skip_space();
      if (starts("<?")) {
        skip_until("?>", "processing instruction");
      } else if (starts("<!--")) {
        skip_until("-->", "comment");
      } else if (starts("<!")) {
        skip_until(">", "declaration");
      } else {
        return;
      }
    }
  }
  std::string name() {
    const std::size_t b = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
                                s_[pos_] == '-' || s_[pos_] == '.' || s_[pos_] == ':')) {
      ++pos_;
    }
    if (pos_ == b) fail("", "expected a name");
    return std::string(s_.substr(b, pos_ - b));
  }
  std::string unescape(std::string_view v, const std::string& field) const {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] != '&') {
        out += v[i];
        continue;
      }
      const std::size_t semi = v.find(';', i);
      if (semi == std::string_view::npos) throw IoError(file_, field, "unterminated entity '&'");
      const std::string_view ent = v.substr(i + 1, semi - i - 1);
      if (ent == "amp") out += '&';
      else if (ent == "lt") out += '<';
      else if (ent == "gt") out += '>';
      else if (ent == "quot") out += '"';
      else if (ent == "apos") out += '\'';
      else throw IoError(file_, field, "unsupported entity '&" + std::string(ent) + ";'");
      i = semi;
    }
    return out;
  }
  XmlElement element(int depth) {
    if (depth > 64) fail("", "elements nested more than 64 deep");
    XmlElement e;
    e.line = line_at(pos_);
    ++pos_;  // '<'
    e.name = name();
    for (;;) {
      skip_space();
      if (pos_ >= s_.size()) fail(e.name, "unterminated start tag <" + e.name + "> (truncated?)");
      if (starts("/>")) {
        pos_ += 2;
        return e;
      }
      if (s_[pos_] == '>') {
        ++pos_;
        break;
      }
      const std::string key = name();
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != '=') fail(e.name + "." + key, "expected '=' after the attribute name");
      ++pos_;
      skip_space();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) fail(e.name + "." + key, "expected a quoted value");
      const char q = s_[pos_++];
      const std::size_t end = s_.find(q, pos_);
      if (end == std::string_view::npos) fail(e.name + "." + key, "unterminated attribute value (truncated?)");
      if (e.attribute(key) != nullptr) fail(e.name + "." + key, "attribute given twice");
      e.attributes.emplace_back(key, unescape(s_.substr(pos_, end - pos_), e.name + "." + key));
      pos_ = end + 1;
    }
    // Content: children, text (ignored), comments, until </name>.
    for (;;) {
      const std::size_t lt = s_.find('<', pos_);
      if (lt == std::string_view::npos) fail(e.name, "missing </" + e.name + "> (truncated?)");
      pos_ = lt;
      if (starts("</")) {
        pos_ += 2;
        const std::string close = name();
        if (close != e.name) fail(e.name, "expected </" + e.name + ">, got </" + close + ">");
        skip_space();
        if (pos_ >= s_.size() || s_[pos_] != '>') fail(e.name, "malformed end tag </" + close);
        ++pos_;
        return e;
      }
      if (starts("<!--")) {
        skip_until("-->", "comment");
      } else if (starts("<![CDATA[")) {
        skip_until("]]>", "CDATA section");
      } else if (starts("<?")) {
        skip_until("?>", "processing instruction");
      } else {
        e.children.push_back(element(depth + 1));
      }
    }
  }

  std::string_view s_;
  std::string file_;
  std::size_t pos_ = 0;
};

/// Natural order of strings ("cam2" < "cam10"), case-insensitive for letters.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      std::string_view na(a.data() + i, ie - i), nb(b.data() + j, je - j);
      while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
    } else {
      const int ca = std::tolower(static_cast<unsigned char>(a[i]));
      const int cb = std::tolower(static_cast<unsigned char>(b[j]));
      if (ca != cb) return ca < cb;
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string read_file_or_throw(const std::string& path) { return detail::read_text_file(path, FileKind::kCalibration); }

}  // namespace

// ---------------------------------------------------------------------------
// Qualisys

void QualisysReadOptions::validate() const {
  if (binning_factor < 1) {
    throw std::invalid_argument("QualisysReadOptions::binning_factor must be >= 1, got " + std::to_string(binning_factor));
  }
}

Rig parse_qualisys_qca(std::string_view text, const std::string& source_name, const QualisysReadOptions& options) {
  options.validate();
  const XmlElement root = XmlParser(text, source_name).parse_document();
  if (root.name != "calibration") {
    throw IoError(source_name, root.name, "expected a Qualisys <calibration> root element, got <" + root.name + ">");
  }
  const auto cams_el = root.all("cameras");
  if (cams_el.size() != 1) {
    throw IoError(source_name, "calibration.cameras", "expected one <cameras> element, got " + std::to_string(cams_el.size()));
  }
  const double bin = options.binning_factor;
  struct Entry {
    std::string serial;
    Camera camera;
  };
  std::vector<Entry> entries;
  std::set<std::string> seen;
  const auto cams = cams_el.front()->all("camera");
  for (std::size_t i = 0; i < cams.size(); ++i) {
    const XmlElement& c = *cams[i];
    const std::string f = index_field("cameras.camera", i);
    const auto attr = [&](const XmlElement& e, const std::string& key, const std::string& field) -> const std::string& {
      const std::string* v = e.attribute(key);
      if (v == nullptr) throw IoError(source_name, field + "." + key, "missing attribute (line " + std::to_string(e.line) + ")");
      return *v;
    };
    const auto num = [&](const XmlElement& e, const std::string& key, const std::string& field) {
      const std::string& v = attr(e, key, field);
      double d = 0.0;
      if (!parse_double(v, &d) || !std::isfinite(d)) {
        throw IoError(source_name, field + "." + key, "expected a finite number, got '" + v + "' (line " + std::to_string(e.line) + ")");
      }
      return d;
    };
    std::string fc = f;  // "camera <serial>" once the serial is known
    const auto child = [&](const std::string& name) -> const XmlElement& {
      const auto v = c.all(name);
      if (v.size() != 1) {
        throw IoError(source_name, fc + "." + name, "expected one <" + name + "> element, got " + std::to_string(v.size()) +
                                                       " (line " + std::to_string(c.line) + ")");
      }
      return *v.front();
    };
    const std::string model = c.attribute("model") != nullptr ? *c.attribute("model") : std::string();
    if (model != "Miqus Video" && model != "Miqus Video UnderWater" && model != "none") continue;  // marker camera
    const std::string serial = attr(c, "serial", f);
    fc = "camera " + serial;
    if (!seen.insert(serial).second) throw IoError(source_name, fc, "duplicate camera serial '" + serial + "'");
    if (const std::string* vr = c.attribute("viewrotation"); vr != nullptr && trim(*vr) != "0" && !options.ignore_view_rotation) {
      throw IoError(source_name, fc + ".viewrotation",
                    "expected 0, got " + *vr + ": a rotated video view is not converted (Pose2Sim ignores it too; "
                    "set QualisysReadOptions::ignore_view_rotation to read it as Pose2Sim does)");
    }
    double res = 1080.0;
    if (const std::string* vr = c.attribute("video_resolution")) {
      std::string v(trim(*vr));
      if (!v.empty() && (v.back() == 'p' || v.back() == 'P')) v.pop_back();
      if (!parse_double(v, &res) || !(res > 0.0) || res != std::floor(res)) {
        throw IoError(source_name, fc + ".video_resolution", "expected a resolution such as 1080p, 720p or 540p, got '" + *vr + "'");
      }
    }
    const double scale = res / 1080.0;
    const XmlElement& fov = child("fov_video");
    const std::string ffov = fc + ".fov_video";
    const double left = num(fov, "left", ffov), right = num(fov, "right", ffov);
    const double top = num(fov, "top", ffov), bottom = num(fov, "bottom", ffov);
    const double w = (right - left + 1.0) / bin * scale;
    const double h = (bottom - top + 1.0) / bin * scale;
    if (!(w >= 1.0) || !(h >= 1.0) || w != std::floor(w) || h != std::floor(h) || w > 1e6 || h > 1e6) {
      throw IoError(source_name, ffov, "expected a positive whole image size, got " + format_double(w) + " x " + format_double(h));
    }
    const XmlElement& in = child("intrinsic");
    const std::string fin = fc + ".intrinsic";
    const double fx = num(in, "focalLengthU", fin) / 64.0 / bin * scale;
    const double fy = num(in, "focalLengthV", fin) / 64.0 / bin * scale;
    const double cx = (num(in, "centerPointU", fin) / 64.0 / bin - left) * scale;
    const double cy = (num(in, "centerPointV", fin) / 64.0 / bin - top) * scale;
    if (const std::string* sk = in.attribute("skew"); sk != nullptr) {
      double skew = 0.0;
      if (!parse_double(*sk, &skew) || skew != 0.0) throw IoError(source_name, fin + ".skew", "expected 0 (skew is not supported), got '" + *sk + "'");
    }
    Eigen::VectorXd params(9);
    params << fx, fy, cx, cy, num(in, "radialDistortion1", fin) / 64.0 / bin, num(in, "radialDistortion2", fin) / 64.0 / bin,
        num(in, "tangentalDistortion1", fin) / 64.0 / bin, num(in, "tangentalDistortion2", fin) / 64.0 / bin, 0.0;
    if (in.attribute("radialDistortion3") != nullptr) params[8] = num(in, "radialDistortion3", fin) / 64.0 / bin;
    const XmlElement& tr = child("transform");
    const std::string ftr = fc + ".transform";
    Eigen::Matrix3d M;
    static const char* kR[3][3] = {{"r11", "r12", "r13"}, {"r21", "r22", "r23"}, {"r31", "r32", "r33"}};
    for (int r = 0; r < 3; ++r) {
      for (int k = 0; k < 3; ++k) M(r, k) = num(tr, kR[r][k], ftr);
    }
    detail::check_rotation_matrix(M, source_name, ftr);
    const Eigen::Vector3d position_m(num(tr, "x", ftr) / 1000.0, num(tr, "y", ftr) / 1000.0, num(tr, "z", ftr) / 1000.0);
    const Eigen::Matrix3d R = Eigen::Vector3d(1.0, -1.0, -1.0).asDiagonal() * M;
    const Eigen::Vector3d t = -R * position_m;
    entries.push_back({serial, detail::make_camera(CameraModel::kOpenCV, params, static_cast<int>(w), static_cast<int>(h),
                                                   Rigid3d::from_matrix(R, t), serial, source_name, fc)});
  }
  if (entries.empty()) {
    throw IoError(source_name, "calibration.cameras",
                  "expected at least one video camera (model \"Miqus Video\", \"Miqus Video UnderWater\" or \"none\"), found " +
                      std::to_string(cams.size()) + " camera(s) and no video camera");
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return natural_less(a.serial, b.serial); });
  Rig rig;
  rig.length_unit = "m";
  for (auto& e : entries) rig.cameras.push_back(std::move(e.camera));
  return rig;
}

Rig read_qualisys_qca(const std::string& path, const QualisysReadOptions& options) {
  options.validate();
  return parse_qualisys_qca(read_file_or_throw(path), path, options);
}

// ---------------------------------------------------------------------------
// OpenCV FileStorage YAML (the subset EasyMocap and OpenCV write)

namespace {

struct YamlValue {
  enum class Kind { kScalar, kSequence, kMatrix } kind = Kind::kScalar;
  std::string scalar;
  std::vector<std::string> sequence;
  int rows = 0, cols = 0;
  std::vector<double> data;
  int line = 0;
};

std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\''))) {
    return std::string(v.substr(1, v.size() - 2));
  }
  return std::string(v);
}

/// Strips a trailing comment (a '#' outside quotes preceded by a blank).
std::string_view strip_comment(std::string_view l) {
  char quote = 0;
  for (std::size_t i = 0; i < l.size(); ++i) {
    const char c = l[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || is_space(l[i - 1]))) {
      return l.substr(0, i);
    }
  }
  return l;
}

std::vector<std::string> split_flow(std::string_view inner) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (const char c : inner) {
    if (quote) {
      cur += c;
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
      cur += c;
    } else if (c == ',') {
      out.push_back(unquote(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!trim(cur).empty() || !out.empty()) out.push_back(unquote(cur));
  return out;
}

class YamlReader {
 public:
  YamlReader(std::string_view text, std::string file) : file_(std::move(file)) {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      lines_.push_back(text.substr(start, end - start));
      if (end == text.size()) break;
      start = end + 1;
    }
  }

  std::map<std::string, YamlValue> parse() {
    std::size_t i = 0;
    // Header: %YAML:1.0 (OpenCV) or %YAML 1.0, then an optional '---'.
    while (i < lines_.size() && trim(strip_comment(lines_[i])).empty()) ++i;
    if (i >= lines_.size() || trim(lines_[i]).substr(0, 5) != "%YAML") {
      throw IoError(file_, "header", "expected an OpenCV FileStorage YAML file starting with %YAML:1.0");
    }
    ++i;
    std::map<std::string, YamlValue> out;
    while (i < lines_.size()) {
      const std::string_view raw = strip_comment(lines_[i]);
      const std::string_view l = trim(raw);
      if (l.empty() || l == "---" || l == "...") {
        ++i;
        continue;
      }
      if (is_space(raw.front())) fail(i, "", "unexpected indented line outside a key");
      const std::size_t colon = find_key_colon(l);
      if (colon == std::string_view::npos) fail(i, "", "expected 'key: value'");
      const std::string key = unquote(l.substr(0, colon));
      if (key.empty()) fail(i, "", "empty key");
      if (out.count(key)) fail(i, key, "key given twice");
      std::string_view rest = trim(l.substr(colon + 1));
      YamlValue v;
      v.line = static_cast<int>(i) + 1;
      ++i;
      if (rest.substr(0, 16) == "!!opencv-matrix") {
        read_matrix(&i, key, &v);
      } else if (!rest.empty() && rest.front() == '[') {
        std::string flow(rest);
        while (flow.find(']') == std::string::npos) {
          if (i >= lines_.size()) fail(i, key, "unterminated '[' sequence (truncated?)");
          flow += " ";
          flow += std::string(trim(strip_comment(lines_[i++])));
        }
        const std::size_t close = flow.find(']');
        if (!trim(std::string_view(flow).substr(close + 1)).empty()) fail(i - 1, key, "unexpected text after ']'");
        v.kind = YamlValue::Kind::kSequence;
        v.sequence = split_flow(std::string_view(flow).substr(1, close - 1));
      } else if (!rest.empty() && (rest.front() == '{' || rest.front() == '&' || rest.front() == '*' || rest.front() == '!')) {
        fail(i - 1, key, "unsupported YAML construct '" + std::string(rest.substr(0, 16)) +
                             "' (only scalars, sequences and !!opencv-matrix are read)");
      } else if (rest.empty()) {
        // A block sequence ("  - item" lines) or an indented mapping (unsupported).
        v.kind = YamlValue::Kind::kSequence;
        while (i < lines_.size()) {
          const std::string_view r = strip_comment(lines_[i]);
          const std::string_view t = trim(r);
          if (t.empty()) {
            ++i;
            continue;
          }
          if (!is_space(r.front()) && t.front() != '-') break;
          if (t.front() != '-') fail(i, key, "unsupported nested mapping (only sequences of scalars are read)");
          v.sequence.push_back(unquote(t.substr(1)));
          ++i;
        }
      } else {
        v.scalar = unquote(rest);
      }
      out[key] = std::move(v);
    }
    return out;
  }

 private:
  [[noreturn]] void fail(std::size_t line_index, const std::string& field, const std::string& what) const {
    throw IoError(file_, field, what + " (line " + std::to_string(line_index + 1) + ")");
  }
  static std::size_t find_key_colon(std::string_view l) {
    char quote = 0;
    for (std::size_t i = 0; i < l.size(); ++i) {
      const char c = l[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == ':' && (i + 1 == l.size() || is_space(l[i + 1]))) {
        return i;
      }
    }
    return std::string_view::npos;
  }
  void read_matrix(std::size_t* i, const std::string& key, YamlValue* v) {
    v->kind = YamlValue::Kind::kMatrix;
    bool has_rows = false, has_cols = false, has_data = false;
    std::string dt;
    while (*i < lines_.size()) {
      const std::string_view r = strip_comment(lines_[*i]);
      const std::string_view t = trim(r);
      if (t.empty()) {
        ++*i;
        continue;
      }
      if (!is_space(r.front())) break;  // next top-level key
      const std::size_t colon = find_key_colon(t);
      if (colon == std::string_view::npos) fail(*i, key, "expected rows, cols, dt or data");
      const std::string k(trim(t.substr(0, colon)));
      const std::string_view val = trim(t.substr(colon + 1));
      const std::string f = key + "." + k;
      if (k == "rows" || k == "cols") {
        double d = 0;
        if (!parse_double(val, &d) || d < 0 || d != std::floor(d) || d > 1e6) fail(*i, f, "expected a whole number >= 0");
        (k == "rows" ? v->rows : v->cols) = static_cast<int>(d);
        (k == "rows" ? has_rows : has_cols) = true;
        ++*i;
      } else if (k == "dt") {
        dt = unquote(val);
        ++*i;
      } else if (k == "data") {
        std::string flow(val);
        ++*i;
        if (flow.empty() || flow.front() != '[') fail(*i - 1, f, "expected a '[' list of numbers");
        while (flow.find(']') == std::string::npos) {
          if (*i >= lines_.size()) fail(*i, f, "unterminated '[' list (truncated?)");
          flow += " ";
          flow += std::string(trim(strip_comment(lines_[(*i)++])));
        }
        const std::size_t close = flow.find(']');
        const auto items = split_flow(std::string_view(flow).substr(1, close - 1));
        for (std::size_t n = 0; n < items.size(); ++n) {
          double d = 0;
          std::string item = items[n];
          if (item == ".Nan" || item == ".nan" || item == ".Inf" || item == "-.Inf" || !parse_double(item, &d)) {
            fail(*i - 1, index_field(f, n), "expected a finite number, got '" + item + "'");
          }
          if (!std::isfinite(d)) fail(*i - 1, index_field(f, n), "expected a finite number, got '" + item + "'");
          v->data.push_back(d);
        }
        has_data = true;
      } else {
        fail(*i, f, "unknown matrix field (expected rows, cols, dt, data)");
      }
    }
    if (!has_rows || !has_cols || !has_data) {
      throw IoError(file_, key, std::string("!!opencv-matrix without ") + (!has_rows ? "rows" : !has_cols ? "cols" : "data") +
                                    " (line " + std::to_string(v->line) + ")");
    }
    if (dt != "d" && dt != "f" && dt != "i" && dt != "u" && dt != "s" && dt != "w" && dt != "c") {
      throw IoError(file_, key + ".dt", "expected an OpenCV element type (d, f, i, ...), got '" + dt + "'");
    }
    if (static_cast<std::size_t>(v->rows) * static_cast<std::size_t>(v->cols) != v->data.size()) {
      throw IoError(file_, key + ".data", "expected rows x cols = " + std::to_string(v->rows) + " x " + std::to_string(v->cols) +
                                              " values, got " + std::to_string(v->data.size()));
    }
  }

  std::string file_;
  std::vector<std::string_view> lines_;
};

const YamlValue& yaml_get(const std::map<std::string, YamlValue>& m, const std::string& key, const std::string& file) {
  const auto it = m.find(key);
  if (it == m.end()) throw IoError(file, key, "missing field");
  return it->second;
}

Eigen::MatrixXd yaml_matrix(const YamlValue& v, const std::string& key, const std::string& file) {
  if (v.kind != YamlValue::Kind::kMatrix) throw IoError(file, key, "expected an !!opencv-matrix (line " + std::to_string(v.line) + ")");
  Eigen::MatrixXd m(v.rows, v.cols);
  for (int r = 0; r < v.rows; ++r) {
    for (int c = 0; c < v.cols; ++c) m(r, c) = v.data[static_cast<std::size_t>(r * v.cols + c)];
  }
  return m;
}

std::vector<std::string> yaml_names(const std::map<std::string, YamlValue>& m, const std::string& file) {
  const YamlValue& v = yaml_get(m, "names", file);
  if (v.kind != YamlValue::Kind::kSequence) throw IoError(file, "names", "expected a sequence of camera names (line " + std::to_string(v.line) + ")");
  if (v.sequence.empty()) throw IoError(file, "names", "expected at least one camera name, got an empty sequence");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < v.sequence.size(); ++i) {
    if (v.sequence[i].empty()) throw IoError(file, index_field("names", i), "expected a non-empty camera name");
    if (!seen.insert(v.sequence[i]).second) throw IoError(file, index_field("names", i), "duplicate camera name '" + v.sequence[i] + "'");
  }
  return v.sequence;
}

std::map<std::string, YamlValue> parse_yaml_file(const std::string& path) {
  return YamlReader(read_file_or_throw(path), path).parse();
}

int yaml_int_or(const std::map<std::string, YamlValue>& m, const std::string& key, const std::string& file, int fallback) {
  const auto it = m.find(key);
  if (it == m.end()) return fallback;
  double d = 0;
  std::string s = it->second.scalar;
  if (it->second.kind == YamlValue::Kind::kMatrix && it->second.data.size() == 1) {
    d = it->second.data[0];
  } else if (it->second.kind != YamlValue::Kind::kScalar || !parse_double(s, &d)) {
    throw IoError(file, key, "expected a whole number of pixels (line " + std::to_string(it->second.line) + ")");
  }
  if (!(d >= 1.0) || d != std::floor(d) || d > 1e6) throw IoError(file, key, "expected a positive whole number of pixels, got " + format_double(d));
  return static_cast<int>(d);
}

}  // namespace

namespace {
/// EasyMocap writes matrices with 6 decimals ('{:.6f}').
constexpr double kYamlRotationTolerance = 1e-5;
}  // namespace

void EasyMocapReadOptions::validate() const {
  if (width < 0 || height < 0) throw std::invalid_argument("EasyMocapReadOptions: width and height must be >= 0 (0 = estimate)");
  metres_per_unit(length_unit);
}

Rig read_easymocap_yml(const std::string& intri_path, const std::string& extri_path, const EasyMocapReadOptions& options) {
  options.validate();
  const auto intri = parse_yaml_file(intri_path);
  const auto extri = parse_yaml_file(extri_path);
  const std::vector<std::string> names = yaml_names(intri, intri_path);
  const std::vector<std::string> extri_names = yaml_names(extri, extri_path);
  Rig rig;
  rig.length_unit = options.length_unit;
  for (const std::string& name : names) {
    if (std::find(extri_names.begin(), extri_names.end(), name) == extri_names.end()) {
      throw IoError(extri_path, "names", "camera '" + name + "' of " + intri_path + " is missing");
    }
    const std::string kK = "K_" + name, kD = "dist_" + name;
    const Eigen::MatrixXd K = yaml_matrix(yaml_get(intri, kK, intri_path), kK, intri_path);
    if (K.rows() != 3 || K.cols() != 3) throw IoError(intri_path, kK, "expected a 3x3 matrix, got " + std::to_string(K.rows()) + "x" + std::to_string(K.cols()));
    detail::check_calibration_matrix(K, intri_path, kK);
    const Eigen::MatrixXd D = yaml_matrix(yaml_get(intri, kD, intri_path), kD, intri_path);
    if (std::min(D.rows(), D.cols()) != 1 || (D.size() != 4 && D.size() != 5)) {
      throw IoError(intri_path, kD, "expected 1x5, 5x1, 1x4 or 4x1 coefficients k1 k2 p1 p2 [k3], got " +
                                        std::to_string(D.rows()) + "x" + std::to_string(D.cols()));
    }
    Eigen::VectorXd params = Eigen::VectorXd::Zero(9);
    params.head<4>() << K(0, 0), K(1, 1), K(0, 2), K(1, 2);
    for (Eigen::Index i = 0; i < D.size(); ++i) params[4 + i] = D(i);
    int width = yaml_int_or(intri, "W_" + name, intri_path, options.width);
    int height = yaml_int_or(intri, "H_" + name, intri_path, options.height);
    if (width == 0) width = std::max(1, static_cast<int>(std::lround(2.0 * K(0, 2) + 1.0)));
    if (height == 0) height = std::max(1, static_cast<int>(std::lround(2.0 * K(1, 2) + 1.0)));

    const std::string kR = "R_" + name, kRot = "Rot_" + name, kT = "T_" + name;
    Eigen::Matrix3d R;
    const bool has_rvec = extri.count(kR) != 0, has_rot = extri.count(kRot) != 0;
    if (!has_rvec && !has_rot) throw IoError(extri_path, kR, "missing field (neither R_" + name + " nor Rot_" + name + ")");
    if (has_rot) {
      const Eigen::MatrixXd m = yaml_matrix(extri.at(kRot), kRot, extri_path);
      if (m.rows() != 3 || m.cols() != 3) throw IoError(extri_path, kRot, "expected a 3x3 matrix");
      R = m;
      // EasyMocap writes 6 decimals: a rotation is orthonormal to ~1e-6 only.
      if (!camera::is_rotation_matrix(R, kYamlRotationTolerance)) {
        throw IoError(extri_path, kRot, "expected a rotation matrix (max |R^T R - I| and |det R - 1| <= 1e-5), got max |R^T R - I| = " +
                                            format_double((R.transpose() * R - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff()));
      }
    }
    if (has_rvec) {
      const Eigen::MatrixXd m = yaml_matrix(extri.at(kR), kR, extri_path);
      if (m.size() != 3) throw IoError(extri_path, kR, "expected a 3x1 Rodrigues vector, got " + std::to_string(m.rows()) + "x" + std::to_string(m.cols()));
      const Eigen::Vector3d rvec(m(0), m(1), m(2));
      const Eigen::Matrix3d Rv = Rigid3d::from_angle_axis(rvec, Eigen::Vector3d::Zero()).rotation.toRotationMatrix();
      if (has_rot && (Rv - R).cwiseAbs().maxCoeff() > kYamlRotationTolerance) {
        throw IoError(extri_path, kR, "disagrees with " + kRot + " (max difference " + format_double((Rv - R).cwiseAbs().maxCoeff()) + ")");
      }
      R = Rv;  // exact rotation; Rot_ (6 decimals) only checked
    }
    const Eigen::MatrixXd T = yaml_matrix(yaml_get(extri, kT, extri_path), kT, extri_path);
    if (T.size() != 3) throw IoError(extri_path, kT, "expected a 3x1 translation, got " + std::to_string(T.rows()) + "x" + std::to_string(T.cols()));
    rig.cameras.push_back(detail::make_camera(CameraModel::kOpenCV, params, width, height,
                                              Rigid3d::from_matrix(R, Eigen::Vector3d(T(0), T(1), T(2))), name, intri_path, kK));
  }
  return rig;
}

// ---------------------------------------------------------------------------
// COLMAP text model

void ColmapReadOptions::validate() const { metres_per_unit(length_unit); }

namespace {

std::vector<std::string_view> tokens(std::string_view l) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < l.size()) {
    while (i < l.size() && is_space(l[i])) ++i;
    const std::size_t b = i;
    while (i < l.size() && !is_space(l[i])) ++i;
    if (i > b) out.push_back(l.substr(b, i - b));
  }
  return out;
}

struct ColmapModel {
  const char* name;
  int num_params;
};
constexpr ColmapModel kColmapModels[] = {{"SIMPLE_PINHOLE", 3}, {"PINHOLE", 4}, {"SIMPLE_RADIAL", 4}, {"RADIAL", 5},
                                         {"OPENCV", 8},         {"FULL_OPENCV", 12}, {"OPENCV_FISHEYE", 8}};
constexpr const char* kColmapUnsupported[] = {"SIMPLE_RADIAL_FISHEYE", "RADIAL_FISHEYE", "FOV", "THIN_PRISM_FISHEYE",
                                              "RAD_TAN_THIN_PRISM_FISHEYE"};

bool is_colmap_model_name(std::string_view n) {
  for (const auto& m : kColmapModels) {
    if (n == m.name) return true;
  }
  for (const char* m : kColmapUnsupported) {
    if (n == m) return true;
  }
  return false;
}

struct ColmapCamera {
  CameraModel model;
  Eigen::VectorXd params;
  int width, height;
};

/// Whole-number token as a long long, or IoError.
long long parse_id(std::string_view t, const std::string& file, const std::string& field) {
  double d = 0;
  if (!parse_double(t, &d) || d != std::floor(d) || std::abs(d) > 9e15) {
    throw IoError(file, field, "expected a whole number, got '" + std::string(t) + "'");
  }
  return static_cast<long long>(d);
}

double parse_finite(std::string_view t, const std::string& file, const std::string& field) {
  double d = 0;
  if (!parse_double(t, &d) || !std::isfinite(d)) throw IoError(file, field, "expected a finite number, got '" + std::string(t) + "'");
  return d;
}

std::map<long long, ColmapCamera> read_colmap_cameras(const std::string& path) {
  const std::string text = read_file_or_throw(path);
  std::map<long long, ColmapCamera> out;
  std::size_t start = 0;
  int line_no = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view l = trim(std::string_view(text).substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (l.empty() || l.front() == '#') continue;
    const auto tk = tokens(l);
    const std::string f = "line " + std::to_string(line_no);
    if (tk.size() < 4) throw IoError(path, f, "expected CAMERA_ID MODEL WIDTH HEIGHT PARAMS..., got " + std::to_string(tk.size()) + " fields");
    const long long id = parse_id(tk[0], path, f + ".CAMERA_ID");
    if (out.count(id)) throw IoError(path, f + ".CAMERA_ID", "camera " + std::to_string(id) + " is defined twice");
    const std::string model(tk[1]);
    const ColmapModel* m = nullptr;
    for (const auto& cm : kColmapModels) {
      if (model == cm.name) m = &cm;
    }
    if (m == nullptr) {
      throw IoError(path, f + ".MODEL", "unsupported camera model '" + model +
                                            "' (crossview reads SIMPLE_PINHOLE, PINHOLE, SIMPLE_RADIAL, RADIAL, OPENCV, "
                                            "FULL_OPENCV, OPENCV_FISHEYE)");
    }
    const long long w = parse_id(tk[2], path, f + ".WIDTH"), h = parse_id(tk[3], path, f + ".HEIGHT");
    if (w < 1 || h < 1 || w > 1000000 || h > 1000000) throw IoError(path, f, "expected a positive image size, got " + std::to_string(w) + " x " + std::to_string(h));
    if (static_cast<int>(tk.size()) != 4 + m->num_params) {
      throw IoError(path, f + ".PARAMS", std::string("model ") + m->name + " expects " + std::to_string(m->num_params) +
                                             " parameters, got " + std::to_string(tk.size() - 4));
    }
    std::vector<double> p;
    for (std::size_t i = 4; i < tk.size(); ++i) p.push_back(parse_finite(tk[i], path, index_field(f + ".PARAMS", i - 4)));
    ColmapCamera c;
    c.width = static_cast<int>(w);
    c.height = static_cast<int>(h);
    // (fx, fy, cx, cy) in COLMAP's pixel convention, then the distortion.
    double fx, fy, cx, cy;
    std::vector<double> dist;
    const std::string mn = m->name;
    if (mn == "SIMPLE_PINHOLE" || mn == "SIMPLE_RADIAL" || mn == "RADIAL") {
      fx = fy = p[0];
      cx = p[1];
      cy = p[2];
      dist.assign(p.begin() + 3, p.end());
    } else {
      fx = p[0];
      fy = p[1];
      cx = p[2];
      cy = p[3];
      dist.assign(p.begin() + 4, p.end());
    }
    cx -= 0.5;  // COLMAP: centre of the top-left pixel at (0.5, 0.5); crossview: (0, 0)
    cy -= 0.5;
    if (mn == "SIMPLE_PINHOLE" || mn == "PINHOLE") {
      c.model = CameraModel::kPinhole;
      c.params = Eigen::Vector4d(fx, fy, cx, cy);
    } else if (mn == "FULL_OPENCV") {
      c.model = CameraModel::kOpenCVRational;
      c.params.resize(12);
      c.params << fx, fy, cx, cy, dist[0], dist[1], dist[2], dist[3], dist[4], dist[5], dist[6], dist[7];
    } else if (mn == "OPENCV_FISHEYE") {
      c.model = CameraModel::kFisheye;
      c.params.resize(8);
      c.params << fx, fy, cx, cy, dist[0], dist[1], dist[2], dist[3];
    } else {
      c.model = CameraModel::kOpenCV;
      c.params = Eigen::VectorXd::Zero(9);
      c.params.head<4>() << fx, fy, cx, cy;
      if (mn == "SIMPLE_RADIAL") {
        c.params[4] = dist[0];
      } else if (mn == "RADIAL") {
        c.params[4] = dist[0];
        c.params[5] = dist[1];
      } else {  // OPENCV
        for (int i = 0; i < 4; ++i) c.params[4 + i] = dist[static_cast<std::size_t>(i)];
      }
    }
    // Validate through the Camera constructor (positive focal lengths, ...).
    detail::make_camera(c.model, c.params, c.width, c.height, Rigid3d(), "", path, f);
    out[id] = std::move(c);
  }
  if (out.empty()) throw IoError(path, "", "expected at least one camera line (CAMERA_ID MODEL WIDTH HEIGHT PARAMS...)");
  return out;
}

}  // namespace

Rig read_colmap_text(const std::string& cameras_txt, const std::string& images_txt, const ColmapReadOptions& options) {
  options.validate();
  const auto cams = read_colmap_cameras(cameras_txt);
  const std::string text = read_file_or_throw(images_txt);
  std::vector<std::string_view> lines;
  {
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      lines.push_back(std::string_view(text).substr(start, end - start));
      start = end + 1;
    }
  }
  Rig rig;
  rig.length_unit = options.length_unit;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view l = trim(lines[i]);
    if (l.empty() || l.front() == '#') continue;
    const std::string f = "line " + std::to_string(i + 1);
    const auto tk = tokens(l);
    if (tk.size() < 10) {
      throw IoError(images_txt, f, "expected IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME, got " + std::to_string(tk.size()) + " fields");
    }
    parse_id(tk[0], images_txt, f + ".IMAGE_ID");
    Eigen::Vector4d q;
    static const char* kQ[4] = {"QW", "QX", "QY", "QZ"};
    for (int k = 0; k < 4; ++k) q[k] = parse_finite(tk[static_cast<std::size_t>(1 + k)], images_txt, f + "." + kQ[k]);
    Eigen::Vector3d t;
    static const char* kT[3] = {"TX", "TY", "TZ"};
    for (int k = 0; k < 3; ++k) t[k] = parse_finite(tk[static_cast<std::size_t>(5 + k)], images_txt, f + "." + kT[k]);
    const long long cam_id = parse_id(tk[8], images_txt, f + ".CAMERA_ID");
    // NAME: the rest of the line (COLMAP image names may not hold spaces, but be lenient).
    const std::size_t name_pos = static_cast<std::size_t>(tk[9].data() - l.data());
    const std::string name(trim(l.substr(name_pos)));
    const double qn = q.norm();
    if (!(std::abs(qn - 1.0) <= 1e-6)) {
      throw IoError(images_txt, f + ".QW", "expected a unit quaternion (| |q| - 1 | <= 1e-6), got |q| = " + format_double(qn));
    }
    const auto it = cams.find(cam_id);
    if (it == cams.end()) throw IoError(images_txt, f + ".CAMERA_ID", "camera " + std::to_string(cam_id) + " is not in " + cameras_txt);
    if (!seen.insert(name).second) throw IoError(images_txt, f + ".NAME", "duplicate image name '" + name + "'");
    Eigen::Quaterniond rotation(q[0], q[1], q[2], q[3]);
    rotation.normalize();
    const ColmapCamera& c = it->second;
    rig.cameras.push_back(detail::make_camera(c.model, c.params, c.width, c.height, Rigid3d(rotation, t), name, images_txt, f));
    ++i;  // the POINTS2D line that follows (possibly empty)
  }
  if (rig.cameras.empty()) throw IoError(images_txt, "", "expected at least one image line (IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME)");
  return rig;
}

// ---------------------------------------------------------------------------
// Detection

const char* to_string(RigFormat format) {
  switch (format) {
    case RigFormat::kPose2SimToml: return "Pose2Sim/anipose TOML";
    case RigFormat::kCrossviewJson: return "crossview JSON";
    case RigFormat::kH36mJson: return "Human3.6M JSON";
    case RigFormat::kQualisysQca: return "Qualisys .qca.txt XML";
    case RigFormat::kEasyMocapYml: return "OpenCV/EasyMocap YAML (intri.yml + extri.yml)";
    case RigFormat::kColmapText: return "COLMAP text model (cameras.txt + images.txt)";
  }
  return "unknown";
}

namespace {

namespace fs = std::filesystem;

struct Pair {
  std::string first, second;
};

/// For a file of a two-file format: the pair (looked for beside it).
bool sibling_pair(const std::string& path, const char* a, const char* b, Pair* out) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) {
    out->first = (p / a).string();
    out->second = (p / b).string();
    return fs::exists(out->first, ec) && fs::exists(out->second, ec);
  }
  const fs::path dir = p.parent_path();
  out->first = (dir / a).string();
  out->second = (dir / b).string();
  return fs::exists(out->first, ec) && fs::exists(out->second, ec);
}

std::string first_meaningful_line(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view l = trim(text.substr(start, end - start));
    if (!l.empty() && l.front() != '#') return std::string(l);
    start = end + 1;
  }
  return {};
}

bool looks_like_colmap_cameras(std::string_view text) {
  const std::string line = first_meaningful_line(text);
  const auto tk = tokens(line);
  return tk.size() >= 4 && is_colmap_model_name(tk[1]);
}
bool looks_like_colmap_images(std::string_view text) {
  const std::string line = first_meaningful_line(text);
  const auto tk = tokens(line);
  double d;
  return tk.size() >= 10 && parse_double(tk[1], &d) && parse_double(tk[7], &d) && parse_double(tk[8], &d);
}

}  // namespace

RigFormat detect_rig_format(const std::string& path) {
  std::error_code ec;
  std::vector<std::string> tried;
  if (fs::is_directory(path, ec)) {
    Pair p;
    if (sibling_pair(path, "cameras.txt", "images.txt", &p)) return RigFormat::kColmapText;
    if (sibling_pair(path, "intri.yml", "extri.yml", &p)) return RigFormat::kEasyMocapYml;
    if (fs::exists(fs::path(path) / "cameras.bin", ec)) {
      throw IoError(path, "", "a binary COLMAP model (cameras.bin): convert it with `colmap model_converter --output_type TXT`");
    }
    throw IoError(path, "", "a folder without a calibration crossview can read: tried COLMAP text model (no cameras.txt + "
                            "images.txt) and OpenCV/EasyMocap YAML (no intri.yml + extri.yml); other formats are single files");
  }
  const std::string text = detail::read_text_file(path, FileKind::kCalibration);
  const std::string_view head = trim(text);
  // JSON
  if (!head.empty() && head.front() == '{') {
    detail::Json j;
    try {
      j = detail::Json::parse(text);
    } catch (const detail::Json::exception& e) {
      throw IoError(path, "", std::string("looks like JSON but is malformed or truncated (") + e.what() + ")");
    }
    if (j.is_object() && j.contains("format") && j["format"] == "crossview.rig") return RigFormat::kCrossviewJson;
    if (j.is_object() && j.contains("intrinsics") && j.contains("extrinsics")) return RigFormat::kH36mJson;
    tried.push_back("crossview JSON: no \"format\": \"crossview.rig\"");
    tried.push_back("Human3.6M JSON: no \"intrinsics\" and \"extrinsics\" objects");
  } else {
    tried.push_back("crossview JSON / Human3.6M JSON: not a JSON object");
  }
  // XML
  if (head.substr(0, 5) == "<?xml" || head.substr(0, 12) == "<calibration") {
    if (text.find("<calibration") != std::string::npos) return RigFormat::kQualisysQca;
    tried.push_back("Qualisys .qca.txt XML: XML without a <calibration> element");
  } else {
    tried.push_back("Qualisys .qca.txt XML: not XML (no <?xml or <calibration> at the start)");
  }
  // YAML
  if (head.substr(0, 5) == "%YAML") return RigFormat::kEasyMocapYml;
  tried.push_back("OpenCV/EasyMocap YAML: no %YAML:1.0 header");
  // COLMAP
  if (looks_like_colmap_cameras(text) || looks_like_colmap_images(text)) return RigFormat::kColmapText;
  tried.push_back("COLMAP text model: no 'CAMERA_ID MODEL WIDTH HEIGHT PARAMS' or 'IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME' line");
  // TOML
  std::string toml_problem;
  try {
    const toml::table t = toml::parse(text, path);
    for (const auto& [k, node] : t) {
      if (const toml::table* tt = node.as_table(); tt != nullptr && tt->contains("matrix")) return RigFormat::kPose2SimToml;
    }
    toml_problem = "TOML without a camera table (a table with `matrix`)";
  } catch (const toml::parse_error& e) {
    toml_problem = "not TOML (" + std::string(e.description()) + " at line " + std::to_string(e.source().begin.line) + ")";
  }
  tried.insert(tried.begin(), "Pose2Sim/anipose TOML: " + toml_problem);
  std::string list;
  for (const auto& t : tried) list += "\n  - " + t;
  throw IoError(path, "", "not a calibration crossview can read; tried:" + list);
}

Rig read_rig(const std::string& path, const RigReadOptions& options) {
  const RigFormat format = detect_rig_format(path);
  switch (format) {
    case RigFormat::kPose2SimToml: return read_pose2sim_toml(path);
    case RigFormat::kCrossviewJson: return read_rig_json(path);
    case RigFormat::kH36mJson: {
      std::string subject = options.h36m_subject;
      if (subject.empty()) {
        const detail::Json j = detail::Json::parse(detail::read_text_file(path, FileKind::kCalibration));
        const auto& ex = j["extrinsics"];
        if (!ex.is_object() || ex.size() != 1) {
          std::string list;
          if (ex.is_object()) {
            for (const auto& [k, v] : ex.items()) list += (list.empty() ? "" : ", ") + k;
          }
          throw IoError(path, "extrinsics", "a Human3.6M file with several subjects (" + list +
                                                "): choose one (RigReadOptions::h36m_subject)");
        }
        subject = ex.begin().key();
      }
      return read_h36m_json(path, subject, options.h36m);
    }
    case RigFormat::kQualisysQca: return read_qualisys_qca(path, options.qualisys);
    case RigFormat::kEasyMocapYml: {
      Pair p;
      if (!sibling_pair(path, "intri.yml", "extri.yml", &p)) {
        throw IoError(path, "", "an OpenCV/EasyMocap YAML file needs intri.yml and extri.yml side by side (looked for " +
                                    p.first + " and " + p.second + ")");
      }
      return read_easymocap_yml(p.first, p.second, options.easymocap);
    }
    case RigFormat::kColmapText: {
      Pair p;
      if (!sibling_pair(path, "cameras.txt", "images.txt", &p)) {
        throw IoError(path, "", "a COLMAP text model needs cameras.txt and images.txt side by side (looked for " + p.first +
                                    " and " + p.second + ")");
      }
      return read_colmap_text(p.first, p.second, options.colmap);
    }
  }
  throw std::logic_error("read_rig: unhandled format");
}

}  // namespace crossview::io
