// The shape checks of the one array layout (core/points.hpp).
#include <crossview/core/points.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <stdexcept>
#include <string>

using crossview::ConstPointsRef;
using crossview::require_packed_points;
using crossview::require_points;
using crossview::require_scores;

namespace {
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}
}  // namespace

TEST_CASE("require_points accepts D x N and binds maps and column blocks without a copy") {
  const crossview::Points3d p = crossview::Points3d::Random(3, 17);
  CHECK_NOTHROW(require_points(p, 3, "p"));
  CHECK_NOTHROW(require_points(p, 3, "p", 17));
  const ConstPointsRef ref(p);
  CHECK(ref.data() == p.data());
  const ConstPointsRef block(p.middleCols(2, 5));
  CHECK(block.data() == p.col(2).data());
  // A C-order numpy (N, 3) buffer is this layout: row n of numpy = column n.
  const double numpy_c_order[6] = {1, 2, 3, 4, 5, 6};  // numpy [[1, 2, 3], [4, 5, 6]]
  const Eigen::Map<const Eigen::Matrix3Xd> m(numpy_c_order, 3, 2);
  CHECK(m(0, 1) == 4.0);
  CHECK_NOTHROW(require_points(m, 3, "m", 2));
}

TEST_CASE("require_points rejects a transposed input and names the argument") {
  const Eigen::MatrixXd transposed = Eigen::MatrixXd::Zero(17, 3);
  const std::string msg = message_of([&] { require_points(transposed, 3, "f: points_in_world"); });
  CHECK(msg.find("f: points_in_world") != std::string::npos);
  CHECK(msg.find("3 x N") != std::string::npos);
  CHECK(msg.find("17 x 3") != std::string::npos);
  CHECK(msg.find("transposed") != std::string::npos);
  const std::string count = message_of([&] { require_points(Eigen::Matrix2Xd::Zero(2, 4), 2, "g: x", 5); });
  CHECK(count.find("g: x") != std::string::npos);
  CHECK(count.find("2 x 5") != std::string::npos);
  CHECK(count.find("2 x 4") != std::string::npos);
  // 2 x 3 where 3 x N is expected: wrong dimension, not a transposition hint.
  const std::string dim = message_of([&] { require_points(Eigen::MatrixXd::Zero(2, 3), 3, "h"); });
  CHECK(dim.find("transposed") != std::string::npos);
  CHECK(message_of([&] { require_points(Eigen::MatrixXd::Zero(2, 5), 3, "h"); }).find("transposed") ==
        std::string::npos);
}

TEST_CASE("require_packed_points counts blocks and rejects partial blocks") {
  CHECK(require_packed_points(Eigen::Matrix3Xd::Zero(3, 34), 3, 17, "seq") == 2);
  CHECK(require_packed_points(Eigen::Matrix3Xd::Zero(3, 0), 3, 17, "seq") == 0);
  const std::string partial = message_of([] { require_packed_points(Eigen::Matrix3Xd::Zero(3, 35), 3, 17, "seq"); });
  CHECK(partial.find("seq") != std::string::npos);
  CHECK(partial.find("not a multiple of 17") != std::string::npos);
  const std::string transposed = message_of([] { require_packed_points(Eigen::MatrixXd::Zero(34, 3), 3, 17, "seq"); });
  CHECK(transposed.find("transposed") != std::string::npos);
  CHECK_THROWS_AS(require_packed_points(Eigen::Matrix3Xd::Zero(3, 0), 3, 0, "seq"), std::invalid_argument);
}

TEST_CASE("require_scores checks the count, empty allowed on request") {
  CHECK_NOTHROW(require_scores(Eigen::VectorXd::Zero(4), 4, "s"));
  CHECK_NOTHROW(require_scores(Eigen::VectorXd(), 4, "s"));
  CHECK_THROWS_AS(require_scores(Eigen::VectorXd(), 4, "s", false), std::invalid_argument);
  const std::string msg = message_of([] { require_scores(Eigen::VectorXd::Zero(3), 4, "f: scores"); });
  CHECK(msg.find("f: scores") != std::string::npos);
  CHECK(msg.find("expected 4") != std::string::npos);
}
