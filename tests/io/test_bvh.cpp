// crossview::io BVH: parsing, forward kinematics (rotation orders, offsets,
// end sites), the H36M mapping, and every error class; real CMU clip at the end.
#include <crossview/io/bvh.hpp>

#include "io_test_util.hpp"
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <Eigen/Geometry>

using crossview::io::BvhChannel;
using crossview::io::BvhMotion;
using crossview::Points3d;
using io_test::replace_once;
using io_test::require_io_error;
using io_test::TempFile;

namespace {

Eigen::Matrix3d rot(char axis, double deg) {
  const double a = deg * M_PI / 180.0;
  const Eigen::Vector3d ax = axis == 'X' ? Eigen::Vector3d::UnitX() : axis == 'Y' ? Eigen::Vector3d::UnitY() : Eigen::Vector3d::UnitZ();
  return Eigen::AngleAxisd(a, ax).toRotationMatrix();
}

// Root with 6 channels, a child with ZXY order and an end site; a second
// child with XYZ order and position channels.
const char* kBvh = R"(HIERARCHY
ROOT Hips
{
	OFFSET 0.5 0.0 0.0
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
	JOINT Leg
	{
		OFFSET -1.0 0.0 0.0
		CHANNELS 6 Xrotation Yrotation Zrotation Xposition Yposition Zposition
		End Site
		{
			OFFSET 0.0 -2.0 0.0
		}
	}
}
MOTION
Frames: 2
Frame Time: 0.0083333
1.0 2.0 3.0 10.0 20.0 30.0 40.0 50.0 60.0 15.0 25.0 35.0 0.1 0.2 0.3
-1.0 0.5 2.0 -90.0 5.0 0.0 0.0 0.0 90.0 0.0 0.0 0.0 0.0 0.0 0.0
)";

}  // namespace

TEST_CASE("io bvh: hierarchy, channels and forward kinematics match a hand computation", "[io][bvh]") {
  const BvhMotion m = crossview::io::parse_bvh(kBvh, "mem.bvh");
  REQUIRE(m.joints.size() == 5);
  CHECK(m.num_channels == 15);
  CHECK(m.num_frames == 2);
  CHECK(m.frame_rate_hz() == Approx(120.0).epsilon(1e-4));
  CHECK(m.joints[1].name == "Arm");
  CHECK(m.joints[2].name == "Arm_End");
  CHECK(m.joints[2].is_end_site);
  CHECK(m.joints[2].parent == 1);
  CHECK(m.joints[3].parent == 0);
  CHECK(m.joints[3].first_channel == 9);
  CHECK(m.joints[1].channels[1] == BvhChannel::kXrotation);
  CHECK(m.find_joint("Leg_End") == 4);
  CHECK(m.find_joint("Nope") == -1);
  CHECK_THROWS_AS(m.frame(2), std::out_of_range);

  constexpr double kTol = 1e-12;  // a few products of unit matrices on O(10) lengths
  const double scale = 2.0;
  const Eigen::Matrix3Xd p = crossview::io::forward_kinematics(m, 0, scale);
  // Independent computation with the documented conventions.
  const Eigen::Vector3d root_pos = Eigen::Vector3d(0.5, 0, 0) + Eigen::Vector3d(1, 2, 3);
  const Eigen::Matrix3d R_root = rot('Z', 10) * rot('Y', 20) * rot('X', 30);
  const Eigen::Matrix3d R_arm = rot('Z', 40) * rot('X', 50) * rot('Y', 60);
  const Eigen::Vector3d arm = root_pos + R_root * Eigen::Vector3d(1, 2, 3);
  const Eigen::Vector3d arm_end = arm + R_root * R_arm * Eigen::Vector3d(0, -4, 1);
  const Eigen::Matrix3d R_leg = rot('X', 15) * rot('Y', 25) * rot('Z', 35);
  const Eigen::Vector3d leg = root_pos + R_root * (Eigen::Vector3d(-1, 0, 0) + Eigen::Vector3d(0.1, 0.2, 0.3));
  const Eigen::Vector3d leg_end = leg + R_root * R_leg * Eigen::Vector3d(0, -2, 0);
  CHECK((p.col(0) - scale * root_pos).norm() < kTol);
  CHECK((p.col(1) - scale * arm).norm() < kTol);
  CHECK((p.col(2) - scale * arm_end).norm() < kTol);
  CHECK((p.col(3) - scale * leg).norm() < kTol);
  CHECK((p.col(4) - scale * leg_end).norm() < kTol);
  // A different rotation order would give a different answer (the test can fail).
  const Eigen::Vector3d arm_end_xyz = arm + R_root * (rot('X', 50) * rot('Y', 60) * rot('Z', 40)) * Eigen::Vector3d(0, -4, 1);
  CHECK((p.col(2) - scale * arm_end_xyz).norm() > 0.1);

  // Frame 1: root yawed -90 deg about Z: the Arm offset (1,2,3) becomes (2,-1,3)... then rotated by Y 5.
  const Eigen::Matrix3Xd q = crossview::io::forward_kinematics(m, 1);
  const Eigen::Vector3d root1(-0.5, 0.5, 2.0);
  const Eigen::Matrix3d R1 = rot('Z', -90) * rot('Y', 5);
  CHECK((q.col(1) - (root1 + R1 * Eigen::Vector3d(1, 2, 3))).norm() < kTol);
  CHECK((q.col(2) - q.col(1) - R1 * rot('Y', 90) * Eigen::Vector3d(0, -4, 1)).norm() < kTol);
}

TEST_CASE("io bvh: errors name file, field and expectation", "[io][bvh][errors]") {
  const std::string ok = kBvh;
  struct Case {
    const char* what;
    std::string text;
    std::string field;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"truncated hierarchy", ok.substr(0, ok.find("JOINT Leg")), "Hips", "got the end of the file (truncated)"},
      {"truncated motion", ok.substr(0, ok.size() - 20), "MOTION", "file truncated"},
      {"extra values", ok + "1.0\n", "MOTION", "extra values"},
      {"frame count", replace_once(ok, "Frames: 2", "Frames: 3"), "MOTION", "expected 3 frames of 15 values"},
      {"NaN in motion", replace_once(ok, "0.0 0.0 90.0", "0.0 nan 90.0"), "MOTION.frame 1.Arm.Xrotation",
       "expected a finite number, got 'nan' (line 29)"},
      {"garbage in motion", replace_once(ok, "25.0 35.0", "25.0 3x5"), "MOTION.frame 0.Leg.Zrotation", "got '3x5'"},
      {"bad channel", replace_once(ok, "Zrotation Xrotation Yrotation", "Zrotation Wrotation Yrotation"),
       "Arm.CHANNELS[1]", "expected one of Xposition"},
      {"bad channel count", replace_once(ok, "CHANNELS 3 Zrotation", "CHANNELS 7 Zrotation"), "Arm.CHANNELS",
       "expected a channel count between 0 and 6"},
      {"bad offset", replace_once(ok, "OFFSET 1.0 2.0 3.0", "OFFSET 1.0 two 3.0"), "Arm.OFFSET[1]",
       "expected a number, got 'two' (line 8)"},
      {"inf offset", replace_once(ok, "OFFSET 1.0 2.0 3.0", "OFFSET 1.0 inf 3.0"), "Arm.OFFSET[1]", "expected a finite number"},
      {"missing OFFSET", replace_once(ok, "OFFSET 1.0 2.0 3.0", ""), "Arm.OFFSET", "expected 'OFFSET', got 'CHANNELS'"},
      {"no HIERARCHY", replace_once(ok, "HIERARCHY", "HIERARCHX"), "HIERARCHY", "expected 'HIERARCHY'"},
      {"duplicate joint", replace_once(ok, "JOINT Leg", "JOINT Arm"), "Arm", "expected a unique joint name"},
      {"bad frame time", replace_once(ok, "0.0083333", "-1"), "MOTION.Frame Time", "expected a positive duration"},
      {"bad frames", replace_once(ok, "Frames: 2", "Frames: 2.5"), "MOTION.Frames", "expected a non-negative integer"},
      {"empty", "", "HIERARCHY", "got the end of the file"},
      // Bounded: 1e308 offsets or positions overflowed forward kinematics to Inf, and a
      // hierarchy without channels "matched" any Frames count (2 GB for 1e8 frames).
      {"huge offset", replace_once(ok, "OFFSET 1.0 2.0 3.0", "OFFSET 1.0 1e308 3.0"), "Arm.OFFSET[1]",
       "expected |offset| <= 1e15"},
      {"huge position", replace_once(ok, "-1.0 0.5 2.0", "-1.0 1e300 2.0"), "MOTION.frame 1.Hips.Yposition",
       "expected a finite position with |value| <= 1e15"},
      {"no channels",
       "HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 0\n End Site\n {\n OFFSET 0 1 0\n }\n}\n"
       "MOTION\nFrames: 100000000\nFrame Time: 0.01\n",
       "HIERARCHY", "expected at least one CHANNELS entry for 100000000 frames"},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.what);
    const TempFile f("bad.bvh", c.text);
    require_io_error([&] { (void)crossview::io::read_bvh(f.path()); }, f.path(), c.field, c.expected);
  }
  require_io_error([] { (void)crossview::io::read_bvh("/nonexistent/x.bvh"); }, "/nonexistent/x.bvh", "", "cannot open");
}

TEST_CASE("io bvh: H36M mapping resolution and options", "[io][bvh]") {
  const BvhMotion m = crossview::io::parse_bvh(kBvh);
  crossview::io::BvhToH36mOptions o;
  CHECK_THROWS_AS(crossview::io::to_h36m_17(m, o), std::invalid_argument);  // CMU names absent
  for (auto& s : o.mapping) s = "Nope|Arm+Leg";
  o.mapping[0] = "Hips";
  const Points3d p = crossview::io::to_h36m_17(m, 0, o);  // 3 x 17
  REQUIRE(p.cols() == 17);
  const Eigen::Matrix3Xd fk = crossview::io::forward_kinematics(m, 0, o.mm_per_unit);
  CHECK((p.col(0) - fk.col(0)).norm() < 1e-9);
  CHECK((p.col(5) - 0.5 * (fk.col(1) + fk.col(3))).norm() < 1e-9);
  // Every frame packed 3 x (F*17): frame 0's block is the single-frame result.
  const Points3d all = crossview::io::to_h36m_17(m, o);
  REQUIRE(all.cols() == 17 * m.num_frames);
  CHECK(all.leftCols(17) == p);
  o.z_up = true;
  const Points3d z = crossview::io::to_h36m_17(m, 0, o);
  CHECK(z(0, 0) == p(0, 0));
  CHECK(z(1, 0) == -p(2, 0));
  CHECK(z(2, 0) == p(1, 0));
  o.mm_per_unit = 0.0;
  CHECK_THROWS_AS(o.validate(), std::invalid_argument);
  o.mm_per_unit = 1e300;  // would overflow forward kinematics
  CHECK_THROWS_AS(o.validate(), std::invalid_argument);
  o.mm_per_unit = 1.0;
  o.mapping[3] = "";
  CHECK_THROWS_AS(o.validate(), std::invalid_argument);
  // The mapping is indexed in pose::h36m's joint order (its one definition).
  CHECK(crossview::pose::h36m::kJointNames[crossview::pose::h36m::kNeck] == std::string("neck"));
  CHECK(crossview::pose::h36m::kParents[crossview::pose::h36m::kRWrist] == crossview::pose::h36m::kRElbow);
}

TEST_CASE("io bvh: the CMU mapping resolves the cgspeed naming too", "[io][bvh]") {
  // A skeleton with cgspeed names, every joint a child of Hips at a distinct offset.
  const char* names[] = {"LHipJoint", "LeftUpLeg", "LeftLeg", "LeftFoot", "RHipJoint", "RightUpLeg", "RightLeg",
                         "RightFoot", "LowerBack", "Spine", "Spine1", "Neck", "Neck1", "Head", "LeftShoulder",
                         "LeftArm", "LeftForeArm", "LeftHand", "RightShoulder", "RightArm", "RightForeArm", "RightHand"};
  std::string text = "HIERARCHY\nROOT Hips\n{\nOFFSET 0 0 0\nCHANNELS 0\n";
  int k = 1;
  for (const char* n : names) {
    text += std::string("JOINT ") + n + "\n{\nOFFSET " + std::to_string(k++) + " 0 0\nCHANNELS 0\n";
    if (std::string(n) == "Head") text += "End Site\n{\nOFFSET 0 1 0\n}\n";
    text += "}\n";
  }
  text += "}\nMOTION\nFrames: 1\nFrame Time: 0.01\n\n";
  const BvhMotion m = crossview::io::parse_bvh(text);
  const auto idx = crossview::io::resolve_h36m_mapping(m, crossview::io::cmu_h36m_mapping());
  const auto name_of = [&](int h) { return m.joints[static_cast<std::size_t>(idx[static_cast<std::size_t>(h)][0])].name; };
  CHECK(name_of(1) == "RightUpLeg");
  CHECK(name_of(6) == "LeftFoot");
  CHECK(name_of(7) == "Spine1");
  CHECK(idx[7].size() == 1);
  CHECK(name_of(8) == "Neck");
  CHECK(name_of(10) == "Head_End");
  CHECK(name_of(11) == "LeftArm");  // not the clavicle "LeftShoulder"
  CHECK(name_of(16) == "RightHand");
  const Points3d p = crossview::io::to_h36m_17(m, 0);
  CHECK(p(0, 11) == Approx(16.0 * crossview::io::kCmuBvhUnitMm));  // LeftArm is the 16th joint
}
