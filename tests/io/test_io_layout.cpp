// The array layout of io's point sets (docs/conventions.md#array-layouts): TRC
// positions packed 3 x (F*M), BVH forward kinematics 3 x N, the H36M mapping
// 3 x 17 per frame and 3 x (F*17) per sequence; a partial frame is an error
// naming `positions`.
#include <crossview/io/bvh.hpp>
#include <crossview/io/trc.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using crossview::Points3d;

namespace {
const char* kBvh = R"(HIERARCHY
ROOT Hips
{
	OFFSET 0 0 0
	CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation
	JOINT Arm
	{
		OFFSET 1.0 2.0 3.0
		CHANNELS 3 Zrotation Xrotation Yrotation
		End Site
		{
			OFFSET 0.0 -4.0 1.0
		}
	}
}
MOTION
Frames: 3
Frame Time: 0.01
1.0 2.0 3.0 10.0 20.0 30.0 40.0 50.0 60.0
-1.0 0.5 2.0 -90.0 5.0 0.0 0.0 0.0 90.0
0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0
)";
}  // namespace

TEST_CASE("TRC positions are packed frame-major, a partial frame is refused", "[io][trc][layout]") {
  crossview::io::TrcData t;
  t.data_rate_hz = t.camera_rate_hz = 30.0;
  t.units = "m";
  t.marker_names = {"A", "B"};
  t.positions.resize(3, 3 * 2);  // 3 frames of 2 markers: column f*2 + m
  for (int f = 0; f < 3; ++f) {
    t.frame_numbers.push_back(f + 1);
    t.times_s.push_back(f / 30.0);
    for (int m = 0; m < 2; ++m) t.positions.col(f * 2 + m) = Eigen::Vector3d(f, m, 10.0 * f + m);
  }
  const crossview::io::TrcData back = crossview::io::parse_trc(crossview::io::format_trc(t));
  REQUIRE(back.num_frames() == 3);
  CHECK(back.positions == t.positions);
  CHECK(back.frame(2).col(1) == Eigen::Vector3d(2, 1, 21));
  // numpy (F, M, 3) C-order is the packed matrix's memory.
  CHECK(back.positions.data()[(2 * 2 + 1) * 3 + 2] == 21.0);
  t.positions.conservativeResize(3, 5);
  try {
    (void)crossview::io::format_trc(t);
    FAIL("no throw");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK(what.find("format_trc: positions") != std::string::npos);
    CHECK(what.find("3 x 6") != std::string::npos);
  }
}

TEST_CASE("BVH to H36M: 3 x 17 per frame, packed 3 x (F*17) per sequence", "[io][bvh][layout]") {
  const crossview::io::BvhMotion m = crossview::io::parse_bvh(kBvh);
  crossview::io::BvhToH36mOptions o;
  for (auto& s : o.mapping) s = "Arm_End";
  o.mapping[0] = "Hips";
  o.mapping[crossview::pose::h36m::kRWrist] = "Arm";
  const Points3d all = crossview::io::to_h36m_17(m, o);
  REQUIRE(all.cols() == 3 * 17);
  for (int f = 0; f < 3; ++f) {
    const Points3d one = crossview::io::to_h36m_17(m, f, o);
    REQUIRE(one.cols() == 17);
    CHECK(all.middleCols(f * 17, 17) == one);
    const Eigen::Matrix3Xd fk = crossview::io::forward_kinematics(m, f, o.mm_per_unit);
    CHECK(one.col(crossview::pose::h36m::kRoot) == fk.col(0));
    CHECK(one.col(crossview::pose::h36m::kRWrist) == fk.col(1));
    CHECK(one.col(crossview::pose::h36m::kHead) == fk.col(2));
  }
}
