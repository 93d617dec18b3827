// crossview: the messages of the shape checks in core/points.hpp.
#include <crossview/core/points.hpp>

#include <stdexcept>
#include <string>

namespace crossview::detail {

namespace {
std::string shape(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}

std::string transposed_hint(Eigen::Index rows, Eigen::Index cols, int dim) {
  if (cols != dim || rows == dim) return {};
  const std::string d = std::to_string(dim);
  return " (transposed? pass the " + d + " x N matrix, e.g. .transpose())";
}
}  // namespace

void throw_points_shape(Eigen::Index rows, Eigen::Index cols, int dim, std::string_view what,
                        Eigen::Index count) {
  const std::string d = std::to_string(dim);
  std::string msg(what);
  if (rows != dim) {
    msg += ": expected " + d + " x " + (count >= 0 ? std::to_string(count) : std::string("N")) +
           " points (one column per point; numpy (" +
           (count >= 0 ? std::to_string(count) : std::string("N")) + ", " + d + ")), got " +
           shape(rows, cols) + transposed_hint(rows, cols, dim);
  } else {
    msg += ": expected " + d + " x " + std::to_string(count) + " points, got " + shape(rows, cols);
  }
  throw std::invalid_argument(msg);
}

void throw_packed_shape(Eigen::Index rows, Eigen::Index cols, int dim, std::string_view what,
                        Eigen::Index block) {
  const std::string d = std::to_string(dim);
  std::string msg(what);
  if (block < 1) {
    msg += ": the block size (joints per pose / points per group) must be >= 1, got " +
           std::to_string(block);
  } else if (rows != dim) {
    msg += ": expected " + d + " x (n * " + std::to_string(block) +
           ") points (packed, one column per point), got " + shape(rows, cols) +
           transposed_hint(rows, cols, dim);
  } else {
    msg += ": expected " + d + " x (n * " + std::to_string(block) + ") points (packed blocks of " +
           std::to_string(block) + " columns), got " + shape(rows, cols) + ": " + std::to_string(cols) +
           " is not a multiple of " + std::to_string(block);
  }
  throw std::invalid_argument(msg);
}

void throw_scores_size(Eigen::Index size, Eigen::Index count, std::string_view what, bool allow_empty) {
  throw std::invalid_argument(std::string(what) + ": expected " + std::to_string(count) +
                              " scores (one per point)" + (allow_empty ? " or none" : "") + ", got " +
                              std::to_string(size));
}

}  // namespace crossview::detail
