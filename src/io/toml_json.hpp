// Private: TOML text -> nlohmann::json (so one field-checked reader serves
// both syntaxes), with TOML parse errors as IoError (line, column).
#pragma once

#include "io_common.hpp"

#include <toml++/toml.h>

#include <string>
#include <string_view>

namespace crossview::io::detail {

inline Json toml_node_to_json(const toml::node& n) {
  if (const auto* t = n.as_table()) {
    Json out = Json::object();
    for (const auto& [k, v] : *t) out[std::string(k.str())] = toml_node_to_json(v);
    return out;
  }
  if (const auto* a = n.as_array()) {
    Json out = Json::array();
    for (const auto& v : *a) out.push_back(toml_node_to_json(v));
    return out;
  }
  if (const auto* s = n.as_string()) return Json(s->get());
  if (const auto* i = n.as_integer()) return Json(i->get());
  if (const auto* f = n.as_floating_point()) return Json(f->get());
  if (const auto* b = n.as_boolean()) return Json(b->get());
  return Json();  // dates and times: null (no field of ours takes them)
}

inline toml::table parse_toml_or_throw(std::string_view text, const std::string& source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw IoError(source_name, "line " + std::to_string(b.line) + " column " + std::to_string(b.column),
                  "malformed or truncated TOML: " + std::string(e.description()));
  }
}

inline Json parse_toml_as_json(std::string_view text, const std::string& source_name) {
  return toml_node_to_json(parse_toml_or_throw(text, source_name));
}

}  // namespace crossview::io::detail
