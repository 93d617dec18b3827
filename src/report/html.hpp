// crossview report: the interactive, self-contained HTML page of a run.
//
// One file, no network needed to view it: the page's own script and style
// (src/report/assets/, embedded in the binary at build time), three.js
// (Debian's libjs-three, embedded at build time when it was found at configure
// time, else read at run time from WriteOptions::three_js_path, the
// CROSSVIEW_THREE_JS environment variable or the path found at configure
// time), the run's metadata as JSON and its numeric arrays as base64 typed
// arrays (detail/encode.hpp; docs/report.md describes the format and the
// size budget).
//
// Storage: kFloat32 stores 3D joints and pixels as float32 (~7 significant
// digits); kQuantized stores them quantized (length_step, pixel_step_px) and
// delta-coded over time (about 1-2 bytes a value instead of 4); kAuto uses
// float32 unless its arrays would exceed float32_limit_bytes. The page says
// which was used.
//
// Failure modes: std::invalid_argument for an invalid run (Run::validate) or
// options; std::runtime_error naming the file when three.js cannot be read
// (and saying which Debian package provides it) or the page cannot be written
// (write_html writes a temporary file and renames it: no partial page).
#pragma once

#include "report/diagnostics.hpp"
#include "report/run.hpp"

#include <cstddef>
#include <string>

namespace crossview::report {

enum class Storage : std::uint8_t { kAuto = 0, kFloat32, kQuantized };
const char* to_string(Storage storage);

struct WriteOptions {
  Storage storage = Storage::kAuto;
  /// kAuto: float32 when the arrays' base64 text stays below this (bytes).
  std::size_t float32_limit_bytes = std::size_t{8} << 20;
  /// Quantization step of lengths in the run's unit (> 0); 0 = 1 mm in a
  /// metric unit ("m", "cm", "mm"), else 1e-4 of the rig's extent.
  double length_step = 0.0;
  /// Quantization step of pixels (> 0).
  double pixel_step_px = 0.25;
  /// three.min.js to inline; empty = the copy embedded at build time, or the
  /// CROSSVIEW_THREE_JS environment variable, or the path found at configure time.
  std::string three_js_path;
  /// Self-check values for the page's test mode (decoded samples, projections
  /// computed in C++); a few kB.
  bool checks = true;

  /// Throws std::invalid_argument naming the first invalid option.
  void validate() const;
};

/// What render_html produced.
struct PageInfo {
  std::size_t bytes = 0;           ///< The whole page.
  std::size_t data_bytes = 0;      ///< Base64 text of the arrays.
  std::size_t three_js_bytes = 0;  ///< Inlined three.js.
  Storage storage = Storage::kAuto;  ///< kFloat32 or kQuantized (what kAuto chose).
};

/// The whole page. `diagnostics` as returned by diagnose(run) (its warnings
/// and tables are shown after the run's own).
std::string render_html(const Run& run, const Diagnostics& diagnostics, const WriteOptions& options = {},
                        PageInfo* info = nullptr);

/// Writes the page atomically (temporary file + rename).
PageInfo write_html(const Run& run, const Diagnostics& diagnostics, const std::string& path,
                    const WriteOptions& options = {});

/// The three.js source the page inlines (see WriteOptions::three_js_path).
/// Throws std::runtime_error naming the path and the Debian package
/// (libjs-three) when it cannot be read.
std::string three_js_source(const std::string& path = {});

}  // namespace crossview::report
