// crossview::io: NumPy `.npy` arrays of float32 / float64, the heatmap
// exchange format (`crossview rpsm --heatmaps`, `crossview demo --export`).
//
// Reading: format versions 1.0, 2.0 and 3.0; dtype '<f4' (float32) or '<f8'
// (float64, converted to float: values beyond float's range become +-Inf,
// NaN stays NaN); C order only; any number of dimensions (a 0-d array has one
// value); at most 2^30 values. Values are copied as stored (NaN / Inf / negative
// heatmap values are the consumer's to reject: rpsm reports kInvalidHeatmaps).
//
// Writing: float32, version 1.0, C order, header padded to 64 bytes; the file
// is written to `<path>.partial` and renamed (never a half-written file).
//
// Failure modes: IoError naming the file, the field (`magic`, `version`,
// `header`, `header.descr`, `header.fortran_order`, `header.shape`, `data`;
// empty for "cannot open") and what was expected: bad magic, unsupported
// version, truncated header or data, missing / malformed dictionary entries,
// another dtype (including big-endian and integer types), Fortran order, a shape
// with negative entries or more than 2^30 values. write_npy throws IoError when
// the file cannot be written and std::invalid_argument when the shape does not
// match values.size() (or has a negative entry).
#pragma once

#include <crossview/io/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crossview::io {

struct NpyArray {
  std::vector<std::int64_t> shape;  ///< Dimensions, outermost first (empty = 0-d, one value).
  std::vector<float> values;        ///< C order (last index fastest); float64 files are converted.
  /// Product of the shape (1 for a 0-d array). Arrays from read_npy / parse_npy
  /// have size() == values.size() <= 2^30.
  std::int64_t size() const {
    std::int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
};

/// Maximum number of values read_npy / parse_npy accept (2^30, 4 GiB of float).
inline constexpr std::int64_t kMaxNpyValues = std::int64_t{1} << 30;

/// Reads a .npy file. Throws IoError (see the file comment). O(file size).
NpyArray read_npy(const std::string& path);

/// Parses the bytes of a .npy file; `source_name` names it in errors.
NpyArray parse_npy(std::string_view bytes, const std::string& source_name = "<bytes>");

/// The bytes of a float32 .npy (version 1.0) holding `values` with `shape`.
/// Throws std::invalid_argument when the shape's product differs from values.size().
std::string format_npy(const std::vector<std::int64_t>& shape, const std::vector<float>& values);

/// Writes format_npy(shape, values) to `path` atomically (temporary + rename).
void write_npy(const std::string& path, const std::vector<std::int64_t>& shape,
               const std::vector<float>& values);

}  // namespace crossview::io
