#include "json_output.hpp"

#include <cmath>
#include <cstdio>

namespace crossview::cli {
namespace {

std::string scalar_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void append(const Json& value, int depth, int break_depth, std::string* out) {
  if (!value.is_structured()) {
    *out += scalar_text(value);
    return;
  }
  const bool object = value.is_object();
  bool nested = false;
  for (const Json& element : value) nested = nested || element.is_structured();
  const bool broken = depth < break_depth && nested;
  *out += object ? '{' : '[';
  bool first = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!first) *out += broken ? "," : ", ";
    first = false;
    if (broken) {
      *out += '\n';
      out->append(static_cast<std::size_t>(2 * (depth + 1)), ' ');
    }
    if (object) {
      *out += scalar_text(Json(it.key()));
      *out += ": ";
    }
    append(it.value(), depth + 1, break_depth, out);
  }
  if (broken) {
    *out += '\n';
    out->append(static_cast<std::size_t>(2 * depth), ' ');
  }
  *out += object ? '}' : ']';
}

}  // namespace

std::string format_json(const Json& value, int break_depth) {
  std::string out;
  append(value, 0, break_depth, &out);
  return out;
}

void print_json(const Json& value) {
  const std::string text = format_json(value);
  std::printf("%s\n", text.c_str());
}

double round_to(double v, int decimals) {
  if (!std::isfinite(v)) return v;
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

}  // namespace crossview::cli
