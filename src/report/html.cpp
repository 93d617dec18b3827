#include "report/html.hpp"

#include "report/detail/assets.hpp"
#include "report/detail/encode.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace crossview::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A JSON string literal, safe inside a <script> element ('<' escaped).
std::string jstr(const std::string& s) {
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        else out += c;
    }
  }
  return out + "\"";
}

std::string jnum(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// The arrays of the page: each becomes a <script> element of base64 text;
/// the JSON refers to it by index.
struct Blobs {
  std::vector<std::string> text;
  std::size_t bytes = 0;
  std::string add(const std::string& encoding, std::size_t count, const std::vector<std::uint8_t>& bytes_in,
                  const std::string& extra = {}) {
    text.push_back(detail::base64_encode(bytes_in));
    bytes += text.back().size();
    return fmt::format("{{\"blob\": {}, \"enc\": {}, \"count\": {}{}}}", text.size() - 1, jstr(encoding), count, extra);
  }
};

struct Encoder {
  Storage storage;
  double length_step;
  double pixel_step;
  Blobs* blobs;

  /// A float array of lengths (stride = channels repeating each frame).
  std::string lengths(const double* values, std::size_t count, std::size_t stride) const {
    return floats(values, count, stride, length_step);
  }
  std::string floats(const double* values, std::size_t count, std::size_t stride, double step) const {
    if (storage == Storage::kQuantized) {
      std::vector<std::uint8_t> q;
      if (detail::encode_q(values, count, stride, step, &q)) {
        return blobs->add("q", count, q, fmt::format(", \"stride\": {}, \"step\": {}", stride, jnum(step)));
      }
    }
    return blobs->add("f32", count, detail::encode_f32(values, count));
  }
  std::string pixels_ragged(const std::vector<double>& values, const std::vector<std::uint8_t>& counts,
                            std::size_t per_slot) const {
    if (storage == Storage::kQuantized) {
      std::vector<std::uint8_t> q;
      if (detail::encode_q_ragged(values.data(), counts, per_slot, pixel_step, &q)) {
        return blobs->add("qr", values.size(), q,
                          fmt::format(", \"per_slot\": {}, \"step\": {}", per_slot, jnum(pixel_step)));
      }
    }
    return blobs->add("f32", values.size(), detail::encode_f32(values.data(), values.size()));
  }
  std::string scores(const std::vector<double>& values) const {
    if (storage == Storage::kQuantized) {
      std::vector<std::uint8_t> b(values.size());
      for (std::size_t i = 0; i < values.size(); ++i) {
        const double s = values[i];
        b[i] = (s > 0.0) ? static_cast<std::uint8_t>(std::clamp(std::lround(255.0 * s), 1L, 255L)) : 0;
      }
      return blobs->add("u8", values.size(), b, ", \"scale\": 255");
    }
    return blobs->add("f32", values.size(), detail::encode_f32(values.data(), values.size()));
  }
};

double default_length_step(const Run& run) {
  const double m = metres_per_unit_or_nan(run.length_unit);
  if (std::isfinite(m)) return 0.001 / m;
  // Unknown unit: 1e-4 of the rig's extent (camera centres), or of the data.
  double extent = 0.0;
  for (const auto& a : run.cameras) {
    for (const auto& b : run.cameras) extent = std::max(extent, (a.center_in_world() - b.center_in_world()).norm());
  }
  if (!(extent > 0.0)) {
    for (const Person& p : run.persons) {
      for (const Layer& l : p.layers) {
        for (Eigen::Index c = 0; c < l.joints_in_world.cols(); ++c) {
          if (l.joints_in_world.col(c).allFinite()) extent = std::max(extent, l.joints_in_world.col(c).norm());
        }
      }
    }
  }
  return extent > 0.0 ? 1e-4 * extent : 1e-3;
}

std::string camera_json(const camera::Camera& c) {
  const Eigen::Quaterniond& q = c.cam_from_world.rotation;
  const Eigen::Vector3d& t = c.cam_from_world.translation;
  const Eigen::Vector3d centre = c.center_in_world();
  std::string params;
  for (Eigen::Index i = 0; i < c.params().size(); ++i) params += (i ? ", " : "") + jnum(c.params()[i]);
  const double r = c.max_valid_radius();
  return fmt::format(
      "{{\"name\": {}, \"model\": {}, \"params\": [{}], \"width\": {}, \"height\": {}, \"q_wxyz\": [{}, {}, {}, {}], "
      "\"t\": [{}, {}, {}], \"center\": [{}, {}, {}], \"max_radius\": {}}}",
      jstr(c.name()), jstr(camera::to_string(c.model())), params, c.width(), c.height(), jnum(q.w()), jnum(q.x()),
      jnum(q.y()), jnum(q.z()), jnum(t.x()), jnum(t.y()), jnum(t.z()), jnum(centre.x()), jnum(centre.y()),
      jnum(centre.z()), std::isfinite(r) ? jnum(r) : "null");
}

std::string warning_json(const Warning& w, const char* source) {
  std::string cams, frames;
  for (std::size_t i = 0; i < w.cameras.size(); ++i) cams += (i ? "," : "") + std::to_string(w.cameras[i]);
  for (std::size_t i = 0; i < w.frames.size(); ++i) frames += (i ? "," : "") + std::to_string(w.frames[i]);
  return fmt::format("{{\"kind\": {}, \"message\": {}, \"cameras\": [{}], \"frames\": [{}], \"source\": {}}}",
                     jstr(to_string(w.kind)), jstr(w.message), cams, frames, jstr(source));
}

std::string table_json(const Table& t, const char* source) {
  std::string cols, rows;
  for (std::size_t i = 0; i < t.columns.size(); ++i) cols += (i ? ", " : "") + jstr(t.columns[i]);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    rows += r ? ", [" : "[";
    for (std::size_t i = 0; i < t.rows[r].size(); ++i) rows += (i ? ", " : "") + jstr(t.rows[r][i]);
    rows += "]";
  }
  return fmt::format("{{\"title\": {}, \"basis\": {}, \"columns\": [{}], \"rows\": [{}], \"source\": {}}}",
                     jstr(t.title), jstr(t.basis), cols, rows, jstr(source));
}

/// Bytes the float32 arrays would take as base64 (the kAuto decision).
std::size_t float32_estimate(const Run& run) {
  std::size_t values = 0;
  for (const Person& p : run.persons) {
    for (const Layer& l : p.layers) values += static_cast<std::size_t>(l.joints_in_world.size());
  }
  for (const auto& frame : run.detections) {
    for (const ViewDetections& d : frame) values += static_cast<std::size_t>(3 * d.scores.size());
  }
  return values * 4 * 4 / 3;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return in.bad() ? std::string() : s.str();
}

std::string replace_once(const std::string& text, const std::string& token, const std::string& with) {
  const std::size_t at = text.find(token);
  if (at == std::string::npos) throw std::logic_error("report template: placeholder " + token + " missing");
  return text.substr(0, at) + with + text.substr(at + token.size());
}

std::string replace_all(std::string text, const std::string& token, const std::string& with) {
  if (text.find(token) == std::string::npos) throw std::logic_error("report template: placeholder " + token + " missing");
  for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + with.size())) {
    text.replace(at, token.size(), with);
  }
  return text;
}

}  // namespace

const char* to_string(Storage storage) {
  switch (storage) {
    case Storage::kAuto: return "auto";
    case Storage::kFloat32: return "float32";
    case Storage::kQuantized: return "quantized";
  }
  return "unknown";
}

void WriteOptions::validate() const {
  if (!(length_step >= 0.0) || !std::isfinite(length_step)) {
    throw std::invalid_argument("report::WriteOptions: length_step must be finite and >= 0 (0 = automatic)");
  }
  if (!(pixel_step_px > 0.0) || !std::isfinite(pixel_step_px)) {
    throw std::invalid_argument("report::WriteOptions: pixel_step_px must be finite and > 0");
  }
}

std::string three_js_source(const std::string& path) {
  std::string chosen = path;
  if (chosen.empty()) {
    const std::string_view embedded = detail::embedded_three_js();
    if (!embedded.empty()) return std::string(embedded);
    const char* env = std::getenv("CROSSVIEW_THREE_JS");
    chosen = (env != nullptr && *env != '\0') ? env : detail::configured_three_js_path();
  }
  std::string text = read_file(chosen);
  if (text.empty()) {
    throw std::runtime_error("report: cannot read three.js from '" + chosen +
                             "' (install the Debian package libjs-three, or set CROSSVIEW_THREE_JS to three.min.js)");
  }
  std::string lower(text.size(), ' ');
  std::transform(text.begin(), text.end(), lower.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  if (lower.find("</script") != std::string::npos || text.find("THREE") == std::string::npos) {
    throw std::runtime_error("report: '" + chosen + "' does not look like three.min.js (no THREE, or a </script>)");
  }
  return text;
}

std::string render_html(const Run& run, const Diagnostics& diagnostics, const WriteOptions& options, PageInfo* info) {
  options.validate();
  run.validate();
  const int F = run.num_frames, J = run.num_joints, V = run.num_views();
  if (!diagnostics.frame_error_px.empty() && diagnostics.frame_error_px.size() != static_cast<std::size_t>(F) * V) {
    throw std::invalid_argument("report::render_html: the diagnostics are not of this run (" +
                                std::to_string(diagnostics.frame_error_px.size()) + " per-frame values for " +
                                std::to_string(F) + " frames x " + std::to_string(V) + " cameras)");
  }
  const std::string three = three_js_source(options.three_js_path);
  Storage storage = options.storage;
  const std::size_t estimate = float32_estimate(run);
  if (storage == Storage::kAuto) storage = estimate > options.float32_limit_bytes ? Storage::kQuantized : Storage::kFloat32;
  Blobs blobs;
  const double length_step = options.length_step > 0.0 ? options.length_step : default_length_step(run);
  const Encoder enc{storage, length_step, options.pixel_step_px, &blobs};

  std::string j = "{\"format\": \"crossview-report/1\"";
  j += ", \"title\": " + jstr(run.title);
  j += ", \"notes\": [";
  for (std::size_t i = 0; i < run.notes.size(); ++i) {
    j += (i ? ", [" : "[") + jstr(run.notes[i].first) + ", " + jstr(run.notes[i].second) + "]";
  }
  j += "]";
  j += fmt::format(", \"frames\": {}, \"joints\": {}, \"fps\": {}, \"unit\": {}, \"unit_guessed\": {}, \"up_axis\": {}",
                   F, J, jnum(run.fps), jstr(run.length_unit), run.length_unit_guessed ? "true" : "false", run.up_axis);
  j += ", \"frame_numbers\": ";
  if (run.frame_numbers.empty()) {
    j += "null";
  } else {
    j += "[";
    for (std::size_t i = 0; i < run.frame_numbers.size(); ++i) j += (i ? "," : "") + std::to_string(run.frame_numbers[i]);
    j += "]";
  }
  // Skeleton.
  j += ", \"skeleton\": {\"name\": " + jstr(run.skeleton.name) + ", \"joints\": [";
  for (int k = 0; k < J; ++k) j += (k ? ", " : "") + jstr(run.joint_name(k));
  j += "], \"limbs\": [";
  for (std::size_t l = 0; l < run.skeleton.limbs.size(); ++l) {
    j += fmt::format("{}[{}, {}]", l ? ", " : "", run.skeleton.limbs[l].first, run.skeleton.limbs[l].second);
  }
  j += fmt::format("], \"guessed\": {}}}", run.skeleton.guessed ? "true" : "false");
  // Cameras.
  j += ", \"cameras\": [";
  for (int v = 0; v < V; ++v) j += (v ? ", " : "") + camera_json(run.cameras[static_cast<std::size_t>(v)]);
  j += "]";
  // Persons and their layers.
  j += ", \"persons\": [";
  for (std::size_t p = 0; p < run.persons.size(); ++p) {
    const Person& person = run.persons[p];
    j += fmt::format("{}{{\"id\": {}, \"label\": {}, \"color\": {}, \"layers\": [", p ? ", " : "", person.id,
                     jstr(person.label.empty() ? "person " + std::to_string(person.id) : person.label),
                     jstr(person.color));
    for (std::size_t l = 0; l < person.layers.size(); ++l) {
      const Layer& layer = person.layers[l];
      std::string kept;
      for (std::size_t f = 0; f < layer.kept_start.size(); ++f) {
        if (layer.kept_start[f]) kept += (kept.empty() ? "" : ",") + std::to_string(f);
      }
      j += fmt::format("{}{{\"method\": {}, \"kind\": {}, \"start_label\": {}, \"kept_start\": [{}], \"joints\": {}",
                       l ? ", " : "", jstr(layer.method), jstr(to_string(layer.kind)), jstr(layer.start_label), kept,
                       enc.lengths(layer.joints_in_world.data(), static_cast<std::size_t>(layer.joints_in_world.size()),
                                   static_cast<std::size_t>(3 * J)));
      if (layer.fit) {
        const std::vector<std::uint32_t>& m = layer.fit->used_views;
        std::vector<std::uint8_t> bytes;
        if (V <= 8) {
          bytes.reserve(m.size());
          for (std::uint32_t x : m) bytes.push_back(static_cast<std::uint8_t>(x));
          j += ", \"used_views\": " + blobs.add("u8", m.size(), bytes);
        } else {
          bytes.reserve(4 * m.size());
          for (std::uint32_t x : m) {
            for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<std::uint8_t>((x >> (8 * b)) & 0xffu));
          }
          j += ", \"used_views\": " + blobs.add("u32", m.size(), bytes);
        }
      } else {
        j += ", \"used_views\": null";
      }
      j += "}";
    }
    j += "]}";
  }
  j += "]";
  // Detections, per view: people per frame, then their pixels / scores / ids in frame order.
  j += ", \"detections\": ";
  if (run.detections.empty()) {
    j += "null";
  } else {
    j += "[";
    for (int v = 0; v < V; ++v) {
      std::vector<std::uint8_t> counts(static_cast<std::size_t>(F));
      std::vector<double> px, sc, ids;
      for (int f = 0; f < F; ++f) {
        const ViewDetections& d = run.detections[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
        counts[static_cast<std::size_t>(f)] = static_cast<std::uint8_t>(d.num_people());
        for (Eigen::Index i = 0; i < d.pixels_px.cols(); ++i) {
          const bool seen = d.scores[i] > 0.0 && d.pixels_px.col(i).allFinite();
          px.push_back(seen ? d.pixels_px(0, i) : kNaN);
          px.push_back(seen ? d.pixels_px(1, i) : kNaN);
          sc.push_back(seen ? d.scores[i] : 0.0);
        }
        for (int id : d.person_ids) ids.push_back(id);
      }
      std::vector<std::uint8_t> id_bytes;
      detail::encode_q_ragged(ids.data(), counts, 1, 1.0, &id_bytes);
      j += fmt::format("{}{{\"counts\": {}, \"pixels\": {}, \"scores\": {}, \"ids\": {}}}", v ? ", " : "",
                       blobs.add("u8", counts.size(), counts), enc.pixels_ragged(px, counts, static_cast<std::size_t>(2 * J)),
                       enc.scores(sc),
                       blobs.add("qr", ids.size(), id_bytes, ", \"per_slot\": 1, \"step\": 1"));
    }
    j += "]";
  }
  // Per-camera series and summary.
  j += ", \"series\": ";
  if (diagnostics.fit_method.empty()) {
    j += "null";
  } else {
    j += fmt::format("{{\"method\": {}, \"error_px\": {}, \"inlier_rate\": {}}}", jstr(diagnostics.fit_method),
                     blobs.add("f32", diagnostics.frame_error_px.size(),
                               detail::encode_f32(diagnostics.frame_error_px.data(), diagnostics.frame_error_px.size())),
                     blobs.add("f32", diagnostics.frame_inlier_rate.size(),
                               detail::encode_f32(diagnostics.frame_inlier_rate.data(),
                                                  diagnostics.frame_inlier_rate.size())));
  }
  j += ", \"camera_summary\": [";
  for (std::size_t v = 0; v < diagnostics.cameras.size(); ++v) {
    const CameraSummary& c = diagnostics.cameras[v];
    j += fmt::format("{}{{\"name\": {}, \"detections\": {}, \"used\": {}, \"inlier_rate\": {}, \"median_error_px\": {}, "
                     "\"median_error_all_px\": {}, \"median_offset_px\": [{}, {}]}}",
                     v ? ", " : "", jstr(c.name), c.observations, c.detections_used, jnum(c.inlier_rate),
                     jnum(c.median_error_px), jnum(c.median_error_all_px), jnum(c.median_offset_px.x()),
                     jnum(c.median_offset_px.y()));
  }
  j += "]";
  j += ", \"warnings\": [";
  bool first = true;
  for (const Warning& w : run.warnings) {
    j += (first ? "" : ", ") + warning_json(w, "run");
    first = false;
  }
  for (const Warning& w : diagnostics.warnings) {
    j += (first ? "" : ", ") + warning_json(w, "diagnostics");
    first = false;
  }
  j += "], \"tables\": [";
  first = true;
  for (const Table& t : run.tables) {
    j += (first ? "" : ", ") + table_json(t, "run");
    first = false;
  }
  for (const Table& t : diagnostics.tables) {
    j += (first ? "" : ", ") + table_json(t, "diagnostics");
    first = false;
  }
  j += "]";
  j += fmt::format(", \"storage\": {{\"mode\": {}, \"length_step\": {}, \"pixel_step_px\": {}, \"float32_bytes\": {}}}",
                   jstr(to_string(storage)), storage == Storage::kQuantized ? jnum(length_step) : "null",
                   storage == Storage::kQuantized ? jnum(options.pixel_step_px) : "null", estimate);
  // Self-check values: decoded samples and C++ projections.
  if (options.checks) {
    j += ", \"checks\": {\"samples\": [";
    bool any = false;
    for (std::size_t p = 0; p < run.persons.size(); ++p) {
      for (std::size_t l = 0; l < run.persons[p].layers.size(); ++l) {
        const Points3d& x = run.persons[p].layers[l].joints_in_world;
        const double tol = storage == Storage::kQuantized ? 0.51 * length_step : 0.0;
        for (Eigen::Index c : {Eigen::Index{0}, x.cols() / 3, x.cols() / 2, x.cols() - 1}) {
          for (int r = 0; r < 3; ++r) {
            const double value = x(r, c);
            j += fmt::format("{}[{}, {}, {}, {}, {}]", any ? ", " : "", p, l, 3 * c + r, jnum(value),
                             jnum(tol + 1e-6 * std::abs(value)));
            any = true;
          }
        }
      }
    }
    j += "], \"projections\": [";
    any = false;
    for (int v = 0; v < V; ++v) {
      int taken = 0;
      for (const Person& person : run.persons) {
        const Points3d& x = person.layers.front().joints_in_world;
        for (Eigen::Index c = 0; c < x.cols() && taken < 3; c += std::max<Eigen::Index>(1, x.cols() / 7)) {
          Eigen::Vector2d px;
          if (!x.col(c).allFinite() ||
              run.cameras[static_cast<std::size_t>(v)].project(x.col(c), &px) != camera::ProjectionStatus::kSuccess) {
            continue;
          }
          j += fmt::format("{}[{}, {}, {}, {}, {}, {}]", any ? ", " : "", v, jnum(x(0, c)), jnum(x(1, c)), jnum(x(2, c)),
                           jnum(px.x()), jnum(px.y()));
          any = true;
          ++taken;
        }
      }
    }
    j += "]}";
  } else {
    j += ", \"checks\": null";
  }
  j += "}";

  std::string data = "<script type=\"application/json\" id=\"cv-run\">" + j + "</script>\n";
  for (std::size_t i = 0; i < blobs.text.size(); ++i) {
    data += fmt::format("<script type=\"application/x-crossview-base64\" id=\"cv-blob-{}\">", i);
    data += blobs.text[i];
    data += "</script>\n";
  }
  std::string page = std::string(detail::asset_template_html());
  page = replace_all(page, "{{TITLE}}", html_escape(run.title));
  page = replace_once(page, "/*{{CSS}}*/", std::string(detail::asset_report_css()));
  page = replace_once(page, "{{DATA}}", data);
  page = replace_once(page, "/*{{THREE}}*/", three);
  page = replace_once(page, "/*{{JS}}*/", std::string(detail::asset_report_js()));
  if (info != nullptr) {
    info->bytes = page.size();
    info->data_bytes = blobs.bytes;
    info->three_js_bytes = three.size();
    info->storage = storage;
  }
  return page;
}

PageInfo write_html(const Run& run, const Diagnostics& diagnostics, const std::string& path,
                    const WriteOptions& options) {
  PageInfo info;
  const std::string page = render_html(run, diagnostics, options, &info);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("report: cannot write '" + path + "' (cannot create '" + tmp + "')");
    out.write(page.data(), static_cast<std::streamsize>(page.size()));
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      throw std::runtime_error("report: cannot write '" + path + "'");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("report: cannot write '" + path + "' (rename failed)");
  }
  return info;
}

}  // namespace crossview::report
