// Conversions from lists of fixed-size vectors (how the scene generators build
// their points) to the library's point sets (docs/conventions.md#array-layouts),
// and the transposed-input check shared by the *_layout tests.
#pragma once

#include <crossview/core/points.hpp>

#include <catch2/catch.hpp>

#include <Eigen/Core>

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview_test {

/// D x N point set, column i = v[i].
template <int D>
Eigen::Matrix<double, D, Eigen::Dynamic> to_points(const std::vector<Eigen::Matrix<double, D, 1>>& v) {
  Eigen::Matrix<double, D, Eigen::Dynamic> p(D, static_cast<Eigen::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) p.col(static_cast<Eigen::Index>(i)) = v[i];
  return p;
}

/// 2 x N point set from a list of pixels, e.g. points2({{1, 2}, {3, kNaN}}).
inline crossview::Points2d points2(std::initializer_list<Eigen::Vector2d> columns) {
  return to_points(std::vector<Eigen::Vector2d>(columns));
}

/// 3 x N point set from a list of 3D points.
inline crossview::Points3d points3(std::initializer_list<Eigen::Vector3d> columns) {
  return to_points(std::vector<Eigen::Vector3d>(columns));
}

/// Per-point scalars (scores, weights) from a list.
inline Eigen::VectorXd scores(std::initializer_list<double> values) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double x : values) v(i++) = x;
  return v;
}

/// A list of D x J point sets (e.g. F poses) packed side by side: D x (F*J),
/// column f*J + j = column j of sets[f] (docs/conventions.md#array-layouts).
template <int D>
Eigen::Matrix<double, D, Eigen::Dynamic> pack(const std::vector<Eigen::Matrix<double, D, Eigen::Dynamic>>& sets) {
  Eigen::Index n = 0;
  for (const auto& s : sets) n += s.cols();
  Eigen::Matrix<double, D, Eigen::Dynamic> out(D, n);
  Eigen::Index c = 0;
  for (const auto& s : sets) {
    out.middleCols(c, s.cols()) = s;
    c += s.cols();
  }
  return out;
}

/// The columns of a D x N point set as a list.
template <typename Derived>
std::vector<Eigen::Matrix<double, Derived::RowsAtCompileTime, 1>> to_vectors(const Eigen::MatrixBase<Derived>& p) {
  std::vector<Eigen::Matrix<double, Derived::RowsAtCompileTime, 1>> v;
  for (Eigen::Index i = 0; i < p.cols(); ++i) v.emplace_back(p.col(i));
  return v;
}

/// A J x D matrix: the transpose of a D x J point set, what a caller passes by
/// mistake when they think of one point per row.
template <typename Derived>
Eigen::MatrixXd transposed(const Eigen::MatrixBase<Derived>& points) {
  return points.transpose();
}

/// Runs `call`, requires a std::invalid_argument whose message contains every
/// entry of `needles` (e.g. the function and argument names).
template <typename Call>
void require_invalid_argument(Call&& call, const std::vector<std::string>& needles) {
  std::string message;
  try {
    call();
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  INFO("message: " << message);
  REQUIRE_FALSE(message.empty());
  for (const std::string& n : needles) CHECK(message.find(n) != std::string::npos);
}

}  // namespace crossview_test
