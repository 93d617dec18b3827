// crossview CLI: JSON output through nlohmann-json. Every JSON text the tool
// prints or writes (the --json summaries, the poses file, the exported OpenPose
// files) is built as a Json value and written by format_json, so strings are
// escaped and NaN / Inf become null by construction.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace crossview::cli {

/// A JSON value; objects keep the order in which their keys were inserted.
using Json = nlohmann::ordered_json;

/// The text of `value` in the tool's style: ", " and ": " separators; an object
/// or array nested less than `break_depth` levels deep that holds objects or
/// arrays is written one element per line (2-space indent), everything else on
/// one line (break_depth 0: the whole value on one line). Numbers as nlohmann
/// writes them (shortest text that reads back to the same double), NaN and
/// +-Inf as null, strings escaped (invalid UTF-8 replaced by U+FFFD). No
/// trailing newline.
std::string format_json(const Json& value, int break_depth = 0);

/// Prints format_json(value) and a newline on stdout.
void print_json(const Json& value);

/// `v` rounded to `decimals` decimal places (NaN / Inf unchanged, so null in
/// the output): for summaries that print fewer digits than a double holds.
double round_to(double v, int decimals);

}  // namespace crossview::cli
