// crossview CLI: NumPy .npy arrays of float32 / float64 (C order, little
// endian), the heatmap exchange format of `crossview rpsm`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace crossview::cli {

struct NpyArray {
  std::vector<std::int64_t> shape;
  std::vector<float> values;  ///< C order; float64 files are converted.
  std::int64_t size() const {
    std::int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
};

/// Reads a .npy file (format versions 1-3, dtype '<f4' or '<f8', C order).
/// Throws std::runtime_error naming the file and the problem (bad magic,
/// unsupported dtype, Fortran order, truncated data, > 4 GiB).
NpyArray read_npy(const std::string& path);

/// Writes a float32 .npy (version 1.0), atomically.
void write_npy(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<float>& values);

}  // namespace crossview::cli
