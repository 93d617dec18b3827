// Private helpers shared by the crossview::io sources (not installed).
#pragma once

#include <crossview/io/error.hpp>
#include <crossview/io/files.hpp>

#include <nlohmann/json.hpp>

#include <Eigen/Core>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

namespace crossview::io::detail {

using Json = nlohmann::json;

/// The whole file, bounded (see io/files.hpp: regular files only, size limit of the kind).
inline std::string read_text_file(const std::string& path, FileKind kind) { return read_file(path, kind); }

/// Written through io::write_file (temporary + rename; only regular files replaced).
inline void write_text_file(const std::string& path, const std::string& text) { write_file(path, text); }

/// Shortest decimal text that parses back to exactly `v` (std::to_chars).
/// Always contains '.', 'e', "inf" or "nan" so TOML reads it as a float.
inline std::string format_double(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

inline std::string index_field(const std::string& field, std::size_t i) {
  return field + "[" + std::to_string(i) + "]";
}
inline std::string member_field(const std::string& field, const std::string& key) {
  return field.empty() ? key : field + "." + key;
}

inline const char* json_type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a number";
    case Json::value_t::binary: return "binary data";
    case Json::value_t::discarded: return "a discarded value";
  }
  return "an unknown value";
}

/// Field-checked access to parsed JSON; every failure throws IoError(file, field, ...).
struct JsonReader {
  std::string file;

  Json parse(std::string_view text) const {
    try {
      return Json::parse(text.begin(), text.end());
    } catch (const Json::exception& e) {  // parse_error, or out_of_range on number overflow
      throw IoError(file, "", std::string("malformed or truncated JSON (") + e.what() + ")");
    }
  }
  const Json& object(const Json& j, const std::string& field) const {
    if (!j.is_object()) throw IoError(file, field, std::string("expected an object, got ") + json_type_name(j));
    return j;
  }
  const Json& member(const Json& obj, const std::string& key, const std::string& field) const {
    object(obj, field);
    const auto it = obj.find(key);
    const std::string f = member_field(field, key);
    if (it == obj.end()) throw IoError(file, f, "missing field");
    return *it;
  }
  const Json& array(const Json& j, const std::string& field, std::size_t expected_size = 0) const {
    if (!j.is_array()) throw IoError(file, field, std::string("expected an array, got ") + json_type_name(j));
    if (expected_size != 0 && j.size() != expected_size) {
      throw IoError(file, field, "expected " + std::to_string(expected_size) + " elements, got " +
                                     std::to_string(j.size()));
    }
    return j;
  }
  double number(const Json& j, const std::string& field) const {
    if (!j.is_number()) throw IoError(file, field, std::string("expected a number, got ") + json_type_name(j));
    const double v = j.get<double>();
    if (!std::isfinite(v)) throw IoError(file, field, "expected a finite number, got " + std::to_string(v));
    return v;
  }
  int integer(const Json& j, const std::string& field) const {
    const double v = number(j, field);
    if (v != std::floor(v) || std::abs(v) > 2147483647.0) {
      throw IoError(file, field, "expected an integer, got " + format_double(v));
    }
    return static_cast<int>(v);
  }
  std::string string(const Json& j, const std::string& field) const {
    if (!j.is_string()) throw IoError(file, field, std::string("expected a string, got ") + json_type_name(j));
    return j.get<std::string>();
  }
  template <int N>
  Eigen::Matrix<double, N, 1> vector(const Json& j, const std::string& field) const {
    array(j, field, N);
    Eigen::Matrix<double, N, 1> v;
    for (int i = 0; i < N; ++i) v[i] = number(j[i], index_field(field, i));
    return v;
  }
  Eigen::VectorXd vector_any(const Json& j, const std::string& field) const {
    array(j, field);
    Eigen::VectorXd v(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) v[i] = number(j[i], index_field(field, i));
    return v;
  }
  template <int R, int C>
  Eigen::Matrix<double, R, C> matrix(const Json& j, const std::string& field) const {
    array(j, field, R);
    Eigen::Matrix<double, R, C> m;
    for (int r = 0; r < R; ++r) {
      const std::string fr = index_field(field, r);
      array(j[r], fr, C);
      for (int c = 0; c < C; ++c) m(r, c) = number(j[r][c], index_field(fr, c));
    }
    return m;
  }
};

}  // namespace crossview::io::detail
