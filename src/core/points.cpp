#include <crossview/core/points.hpp>

#include <stdexcept>

namespace crossview {

namespace {
std::string shape(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}
}  // namespace

void require_points(const ConstPointsRef& points, int dim, const std::string& what,
                    Eigen::Index count) {
  const std::string d = std::to_string(dim);
  if (points.rows() != dim) {
    std::string msg = what + ": expected " + d + " x N points (one column per point; numpy (N, " +
                      d + ")), got " + shape(points.rows(), points.cols());
    if (points.cols() == dim) msg += " (transposed? pass the " + d + " x N matrix, e.g. .transpose())";
    throw std::invalid_argument(msg);
  }
  if (count >= 0 && points.cols() != count) {
    throw std::invalid_argument(what + ": expected " + d + " x " + std::to_string(count) +
                                " points, got " + shape(points.rows(), points.cols()));
  }
}

void require_scores(const ConstScoresRef& scores, Eigen::Index count, const std::string& what,
                    bool allow_empty) {
  if (allow_empty && scores.size() == 0) return;
  if (scores.size() != count) {
    throw std::invalid_argument(what + ": expected " + std::to_string(count) +
                                " scores (one per point)" + (allow_empty ? " or none" : "") +
                                ", got " + std::to_string(scores.size()));
  }
}

}  // namespace crossview
