// crossview report, internal: the page's files, embedded at build time from
// src/report/assets/ (and three.js from Debian's libjs-three when it was found
// at configure time) by cmake/.. embed_assets.cmake into report_assets.cpp.
#pragma once

#include <string_view>

namespace crossview::report::detail {

std::string_view asset_template_html();
std::string_view asset_report_css();
std::string_view asset_report_js();
/// three.min.js as embedded at build time; empty when it was not.
std::string_view embedded_three_js();
/// The three.min.js found at configure time (may be empty).
const char* configured_three_js_path();

}  // namespace crossview::report::detail
