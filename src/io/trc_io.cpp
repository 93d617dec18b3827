// TRC reader and writer.
#include <crossview/io/trc.hpp>

#include <crossview/core/points.hpp>

#include "io_common.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace crossview::io {

using detail::format_double;

int TrcData::marker_index(std::string_view name) const {
  for (std::size_t i = 0; i < marker_names.size(); ++i) {
    if (marker_names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {

struct Line {
  std::string_view text;
  int number = 0;  // 1-based
};

std::vector<Line> split_lines(std::string_view s) {
  std::vector<Line> out;
  std::size_t start = 0;
  int n = 1;
  while (start <= s.size()) {
    std::size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view l = s.substr(start, end - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    out.push_back({l, n++});
    if (end == s.size()) break;
    start = end + 1;
  }
  while (!out.empty() && out.back().text.find_first_not_of(" \t") == std::string_view::npos) out.pop_back();
  return out;
}

std::vector<std::string_view> split_cells(std::string_view l) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  for (;;) {
    const std::size_t p = l.find('\t', start);
    cells.push_back(l.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) return cells;
    start = p + 1;
  }
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Marker names and units are written back verbatim, so control characters
// (a stray carriage return inside a cell, NUL, ...) are rejected on read.
bool has_control_char(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool parse_double(std::string_view s, double* v) {
  s = trim(s);
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (b != e && *b == '+') ++b;
  const auto r = std::from_chars(b, e, *v);
  return b != e && r.ec == std::errc() && r.ptr == e;
}

struct TrcParser {
  std::string file;

  const Line& line(const std::vector<Line>& lines, std::size_t i, const std::string& what) const {
    if (i >= lines.size()) throw IoError(file, "header", "expected " + what + ", got the end of the file (truncated)");
    return lines[i];
  }
  double number(std::string_view cell, const std::string& field, int line_number) const {
    double v = 0.0;
    if (!parse_double(cell, &v)) {
      throw IoError(file, field, "expected a number, got '" + std::string(cell) + "' (line " + std::to_string(line_number) + ")");
    }
    if (!std::isfinite(v)) {
      throw IoError(file, field, "expected a finite number, got '" + std::string(cell) + "' (line " + std::to_string(line_number) + ")");
    }
    return v;
  }
  int integer(std::string_view cell, const std::string& field, int line_number) const {
    const double v = number(cell, field, line_number);
    if (v != std::floor(v) || std::abs(v) > 2e9) {
      throw IoError(file, field, "expected an integer, got '" + std::string(cell) + "' (line " + std::to_string(line_number) + ")");
    }
    return static_cast<int>(v);
  }

  TrcData parse(std::string_view text) const {
    const std::vector<Line> lines = split_lines(text);
    TrcData trc;
    const Line& l1 = line(lines, 0, "the PathFileType line");
    const auto c1 = split_cells(l1.text);
    if (trim(c1[0]) != "PathFileType") {
      throw IoError(file, "header.PathFileType", "expected a TRC file starting with 'PathFileType', got '" + std::string(c1[0]) + "'");
    }
    if (c1.size() >= 4) trc.path_file_name = std::string(trim(c1[3]));
    const Line& l2 = line(lines, 1, "the DataRate header line");
    const Line& l3 = line(lines, 2, "the DataRate values line");
    const auto keys = split_cells(l2.text);
    const auto vals = split_cells(l3.text);
    const auto value_of = [&](std::string_view key) -> std::pair<std::string_view, bool> {
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (trim(keys[i]) == key) {
          if (i >= vals.size()) {
            throw IoError(file, "header." + std::string(key), "expected a value on line 3, the line has only " +
                                                                  std::to_string(vals.size()) + " cells");
          }
          return {trim(vals[i]), true};
        }
      }
      return {{}, false};
    };
    const auto required = [&](std::string_view key) {
      const auto [v, ok] = value_of(key);
      if (!ok) throw IoError(file, "header." + std::string(key), "missing field (line 2)");
      return v;
    };
    trc.data_rate_hz = number(required("DataRate"), "header.DataRate", 3);
    trc.camera_rate_hz = number(required("CameraRate"), "header.CameraRate", 3);
    const int num_frames = integer(required("NumFrames"), "header.NumFrames", 3);
    const int num_markers = integer(required("NumMarkers"), "header.NumMarkers", 3);
    if (num_frames < 0) throw IoError(file, "header.NumFrames", "expected >= 0, got " + std::to_string(num_frames));
    if (num_markers < 0) throw IoError(file, "header.NumMarkers", "expected >= 0, got " + std::to_string(num_markers));
    trc.units = std::string(required("Units"));
    if (trc.units.empty()) throw IoError(file, "header.Units", "expected a unit such as m or mm, got an empty cell");
    if (has_control_char(trc.units)) throw IoError(file, "header.Units", "the unit contains a control character");
    if (const auto [v, ok] = value_of("OrigDataRate"); ok) trc.orig_data_rate_hz = number(v, "header.OrigDataRate", 3);
    if (const auto [v, ok] = value_of("OrigDataStartFrame"); ok) trc.orig_data_start_frame = integer(v, "header.OrigDataStartFrame", 3);
    if (const auto [v, ok] = value_of("OrigNumFrames"); ok) trc.orig_num_frames = integer(v, "header.OrigNumFrames", 3);
    if (const auto [v, ok] = value_of("Skeleton"); ok) {
      if (has_control_char(v)) throw IoError(file, "header.Skeleton", "the skeleton name contains a control character");
      trc.skeleton = std::string(v);
    }

    const Line& l4 = line(lines, 3, "the marker names line");
    const auto c4 = split_cells(l4.text);
    if (c4.size() < 2 || trim(c4[0]) != "Frame#") {
      throw IoError(file, "header.markers", "expected 'Frame#' 'Time' then marker names on line 4");
    }
    for (std::size_t i = 2; i < c4.size(); ++i) {
      const std::string_view n = trim(c4[i]);
      if (n.empty()) continue;
      if (has_control_char(n)) {
        throw IoError(file, "header.markers", "marker name " + std::to_string(trc.marker_names.size() + 1) +
                                                  " on line 4 contains a control character");
      }
      trc.marker_names.emplace_back(n);
    }
    if (trc.num_markers() != num_markers) {
      throw IoError(file, "header.NumMarkers", "expected " + std::to_string(num_markers) + " marker names on line 4 (NumMarkers), got " +
                                                   std::to_string(trc.num_markers()));
    }
    line(lines, 4, "the X1 Y1 Z1 ... line");
    const std::size_t columns = 2 + 3 * static_cast<std::size_t>(num_markers);
    std::vector<Eigen::Matrix3Xd> frame_positions;  // packed into trc.positions at the end
    static const char* kAxis[3] = {"X", "Y", "Z"};
    for (std::size_t li = 5; li < lines.size(); ++li) {
      const Line& l = lines[li];
      if (trim(l.text).empty()) continue;  // blank separator lines
      const std::string row = "frame row " + std::to_string(trc.frame_numbers.size() + 1) + " (line " + std::to_string(l.number) + ")";
      auto cells = split_cells(l.text);
      // Tolerate trailing empty cells beyond the expected count.
      while (cells.size() > columns && trim(cells.back()).empty()) cells.pop_back();
      if (cells.size() != columns) {
        throw IoError(file, row, "expected " + std::to_string(columns) + " tab-separated cells (Frame#, Time, 3 x " +
                                     std::to_string(num_markers) + " coordinates), got " + std::to_string(cells.size()));
      }
      trc.frame_numbers.push_back(integer(cells[0], row + ".Frame#", l.number));
      trc.times_s.push_back(number(cells[1], row + ".Time", l.number));
      frame_positions.emplace_back(3, num_markers);
      Eigen::Matrix3Xd& p = frame_positions.back();
      for (int m = 0; m < num_markers; ++m) {
        for (int a = 0; a < 3; ++a) {
          const std::string_view cell = cells[2 + 3 * static_cast<std::size_t>(m) + static_cast<std::size_t>(a)];
          p(a, m) = trim(cell).empty() ? std::numeric_limits<double>::quiet_NaN()
                                       : number(cell, row + "." + trc.marker_names[static_cast<std::size_t>(m)] + "." + kAxis[a], l.number);
        }
      }
    }
    trc.positions.resize(3, static_cast<Eigen::Index>(frame_positions.size()) * num_markers);
    for (std::size_t f = 0; f < frame_positions.size(); ++f) {
      trc.positions.middleCols(static_cast<Eigen::Index>(f) * num_markers, num_markers) = frame_positions[f];
    }
    if (trc.num_frames() != num_frames) {
      throw IoError(file, "header.NumFrames", "expected " + std::to_string(num_frames) + " frame rows (NumFrames), got " +
                                                  std::to_string(trc.num_frames()) + (trc.num_frames() < num_frames ? " (truncated?)" : ""));
    }
    return trc;
  }
};

}  // namespace

TrcData parse_trc(std::string_view text, const std::string& source_name) { return TrcParser{source_name}.parse(text); }

TrcData read_trc(const std::string& path) { return parse_trc(detail::read_text_file(path, FileKind::kSequence), path); }

std::string format_trc(const TrcData& trc) {
  const std::size_t n = trc.times_s.size();
  if (trc.frame_numbers.size() != n) {
    throw std::invalid_argument("format_trc: frame_numbers (" + std::to_string(trc.frame_numbers.size()) + ") and times_s (" +
                                std::to_string(trc.times_s.size()) + ") must have one entry per frame");
  }
  if (trc.positions.cols() != static_cast<Eigen::Index>(n) * trc.num_markers()) {
    throw std::invalid_argument("format_trc: positions: expected 3 x (frames * markers) = 3 x " +
                                std::to_string(static_cast<Eigen::Index>(n) * trc.num_markers()) + " (" + std::to_string(n) +
                                " frames of " + std::to_string(trc.num_markers()) + " markers, column f*M + m), got 3 x " +
                                std::to_string(trc.positions.cols()));
  }
  for (std::size_t f = 0; f < n; ++f) {
    if (!std::isfinite(trc.times_s[f]) || (trc.frame(static_cast<int>(f)).array().isInf()).any()) {
      throw std::invalid_argument("format_trc: frame " + std::to_string(f) +
                                  " has an infinite coordinate or a non-finite time (only NaN = missing is allowed)");
    }
  }
  for (std::size_t m = 0; m < trc.marker_names.size(); ++m) {
    const std::string& name = trc.marker_names[m];
    if (trim(name).size() != name.size() || name.empty() || has_control_char(name)) {
      throw std::invalid_argument("format_trc: marker name " + std::to_string(m + 1) +
                                  " must be non-empty, without surrounding blanks and without control characters (tab, CR, LF, ...)");
    }
  }
  if (trim(trc.skeleton).size() != trc.skeleton.size() || has_control_char(trc.skeleton)) {
    throw std::invalid_argument("format_trc: skeleton must be without surrounding blanks and control characters");
  }
  if (trim(trc.units).size() != trc.units.size() || trc.units.empty() || has_control_char(trc.units)) {
    throw std::invalid_argument("format_trc: units must be non-empty, without surrounding blanks and without control characters");
  }
  std::ostringstream out;
  const auto num = [](double v) { return std::isnan(v) ? std::string() : format_double(v); };
  out << "PathFileType\t4\t(X/Y/Z)\t" << trc.path_file_name << "\n";
  const bool skeleton = !trc.skeleton.empty();
  out << "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames"
      << (skeleton ? "\tSkeleton" : "") << "\n";
  out << num(trc.data_rate_hz) << "\t" << num(trc.camera_rate_hz) << "\t" << n << "\t" << trc.num_markers() << "\t" << trc.units << "\t"
      << num(trc.orig_data_rate_hz) << "\t" << trc.orig_data_start_frame << "\t" << trc.orig_num_frames;
  if (skeleton) out << "\t" << trc.skeleton;
  out << "\n";
  out << "Frame#\tTime";
  for (const auto& name : trc.marker_names) out << "\t" << name << "\t\t";
  out << "\n\t";
  for (int m = 1; m <= trc.num_markers(); ++m) out << "\tX" << m << "\tY" << m << "\tZ" << m;
  out << "\n";
  for (std::size_t f = 0; f < n; ++f) {
    out << trc.frame_numbers[f] << "\t" << num(trc.times_s[f]);
    const auto p = trc.frame(static_cast<int>(f));
    for (Eigen::Index m = 0; m < p.cols(); ++m) {
      for (int a = 0; a < 3; ++a) out << "\t" << num(p(a, m));
    }
    out << "\n";
  }
  return out.str();
}

void TrcWriteOptions::validate() const {
  if (!(rate_hz > 0.0) || !std::isfinite(rate_hz)) throw std::invalid_argument("TrcWriteOptions::rate_hz must be finite and > 0");
  if (units != "m" && units != "mm") throw std::invalid_argument("TrcWriteOptions::units must be \"m\" or \"mm\", got \"" + units + "\"");
}

TrcData make_trc(const std::vector<std::string>& marker_names, const Eigen::Ref<const Eigen::MatrixXd>& points_in_world,
                 const TrcWriteOptions& options) {
  options.validate();
  const Eigen::Index M = static_cast<Eigen::Index>(marker_names.size());
  if (M == 0) throw std::invalid_argument("make_trc: marker_names is empty");
  require_points(points_in_world, 3, "make_trc: points_in_world");
  if (points_in_world.cols() % M != 0) {
    throw std::invalid_argument("make_trc: points_in_world has " + std::to_string(points_in_world.cols()) +
                                " columns, expected frames x " + std::to_string(M) + " markers (3 x (F*M), column f*M + m)");
  }
  TrcData trc;
  trc.data_rate_hz = trc.camera_rate_hz = trc.orig_data_rate_hz = options.rate_hz;
  trc.units = options.units;
  trc.skeleton = options.skeleton;
  trc.path_file_name = options.file_name;
  trc.marker_names = marker_names;
  trc.orig_data_start_frame = options.orig_data_start_frame;
  const Eigen::Index F = points_in_world.cols() / M;
  trc.orig_num_frames = static_cast<int>(F);
  trc.positions.resize(3, F * M);
  for (Eigen::Index f = 0; f < F; ++f) {
    const int number = options.first_frame_number + static_cast<int>(f);
    trc.frame_numbers.push_back(number);
    trc.times_s.push_back(static_cast<double>(number) / options.rate_hz);
    for (Eigen::Index m = 0; m < M; ++m) {
      const Eigen::Vector3d x = points_in_world.col(f * M + m);
      trc.positions.col(f * M + m) = !x.allFinite() ? Eigen::Vector3d::Constant(std::numeric_limits<double>::quiet_NaN())
                 : options.to_pose2sim_axes ? world_to_trc(x) : x;
    }
  }
  format_trc(trc);  // validates names and values (throws std::invalid_argument)
  return trc;
}

void write_trc(const TrcData& trc, const std::string& path) { detail::write_text_file(path, format_trc(trc)); }

}  // namespace crossview::io
