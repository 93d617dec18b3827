// The skeleton registry (BODY_25, BODY_25B, HALPE_26, COCO_17, COCO_133,
// H36M_17), lookup by name and joint count, and non-tree limb sets.
#include <crossview/pose/skeletons.hpp>

#include <catch2/catch.hpp>

#include <set>

using namespace crossview;

namespace {
void check_valid_tree(const pose::Skeleton& s) {
  REQUIRE(s.is_tree());
  std::vector<int> pos(s.num_joints(), -1);
  const auto& order = s.topological_order();
  REQUIRE(static_cast<int>(order.size()) == s.num_joints());
  for (int i = 0; i < s.num_joints(); ++i) pos[order[i]] = i;
  for (int j = 0; j < s.num_joints(); ++j) {
    CHECK(pos[j] >= 0);
    if (s.parent(j) >= 0) CHECK(pos[s.parent(j)] < pos[j]);
  }
  CHECK(s.num_limbs() == s.num_joints() - 1);
}
}  // namespace

TEST_CASE("BODY_25 has OpenPose's output order and pairs", "[pose][skeletons]") {
  const pose::Skeleton s = pose::openpose_body25();
  const std::vector<std::string> expected = {
      "Nose",   "Neck",   "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow",  "LWrist",    "MidHip",
      "RHip",   "RKnee",  "RAnkle",    "LHip",   "LKnee",  "LAnkle",    "REye",    "LEye",      "REar",
      "LEar",   "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel"};
  CHECK(s.names() == expected);
  check_valid_tree(s);
  CHECK(s.name(s.root()) == "MidHip");
  CHECK(s.parent(1) == 8);    // Neck <- MidHip
  CHECK(s.parent(0) == 1);    // Nose <- Neck
  CHECK(s.parent(20) == 19);  // LSmallToe <- LBigToe (OpenPose's pair 19-20)
  CHECK(s.parent(21) == 14);  // LHeel <- LAnkle
  CHECK(s.parent(24) == 11);  // RHeel <- RAnkle
  CHECK(s.parent(17) == 15);  // REar <- REye
  // Not BODY_25B: joint 1 is the neck here, the left eye there.
  CHECK(pose::openpose_body25b().name(1) == "LEye");
  CHECK(s.left_right_pairs().size() == 11);
  for (const auto& [l, r] : s.left_right_pairs()) CHECK(s.name(l).substr(1) == s.name(r).substr(1));
}

TEST_CASE("HALPE_26 and COCO_133 have their datasets' orders", "[pose][skeletons]") {
  const pose::Skeleton h = pose::halpe_26();
  check_valid_tree(h);
  CHECK(h.num_joints() == 26);
  CHECK(h.name(17) == "Head");
  CHECK(h.name(18) == "Neck");
  CHECK(h.name(19) == "Hip");
  CHECK(h.name(20) == "LBigToe");
  CHECK(h.name(21) == "RBigToe");
  CHECK(h.name(24) == "LHeel");
  CHECK(h.name(25) == "RHeel");
  CHECK(h.name(h.root()) == "Hip");
  CHECK(h.parent(0) == 17);  // Nose <- Head (Pose2Sim)

  const pose::Skeleton w = pose::coco_wholebody_133();
  check_valid_tree(w);
  CHECK(w.num_joints() == 133);
  const std::vector<std::pair<int, std::string>> at = {
      {0, "Nose"},       {16, "RAnkle"},   {17, "LBigToe"}, {19, "LHeel"},   {22, "RHeel"},
      {23, "Jaw1"},      {39, "Jaw17"},    {40, "EyebrowR1"}, {45, "EyebrowL1"}, {50, "Nose1"},
      {59, "REye1"},     {65, "LEye1"},    {71, "Mouth1"},  {90, "Mouth20"}, {91, "LHandRoot"},
      {92, "LThumb1"},   {93, "LThumb"},   {96, "LIndex"},  {108, "LPinky"}, {111, "LPinky4"},
      {112, "RHandRoot"}, {114, "RThumb"}, {117, "RIndex"}, {129, "RPinky"}, {132, "RPinky4"}};
  for (const auto& [j, n] : at) CHECK(w.name(j) == n);
  CHECK(w.parent(91) == 9);    // left hand root <- LWrist
  CHECK(w.parent(112) == 10);  // right hand root <- RWrist
  // The body part is COCO_17's order.
  const pose::Skeleton coco = pose::coco_17();
  for (int j = 0; j < 17; ++j) CHECK(w.parent(j) == coco.parent(j));
}

TEST_CASE("every built-in is complete: tree, pairs, height segments, feet, id", "[pose][skeletons]") {
  const auto& ids = pose::builtin_skeleton_names();
  CHECK(ids.size() == 6);
  for (const auto& id : ids) {
    INFO(id);
    const pose::Skeleton s = pose::builtin_skeleton(id);
    check_valid_tree(s);
    CHECK(s.model_name() == id);
    CHECK(s.height_segments().size() == 8);
    CHECK(s.feet().size() >= 2);
    CHECK(!s.left_right_pairs().empty());
    // Height segments are limbs of the tree (hip-knee, knee-ankle, ...).
    for (const auto& seg : s.height_segments()) {
      const bool limb = s.parent(seg.joint_a) == seg.joint_b || s.parent(seg.joint_b) == seg.joint_a;
      CHECK(limb);
    }
    // The registry's joint counts agree with the skeletons.
    const auto with = pose::builtin_skeletons_with_joints(s.num_joints());
    CHECK(std::find(with.begin(), with.end(), id) != with.end());
  }
  CHECK(pose::builtin_skeleton("H36M_17").has_limb_priors());
  CHECK(pose::builtin_skeleton("H36M_17").limb_prior_unit() == "mm");
  CHECK_FALSE(pose::builtin_skeleton("BODY_25").has_limb_priors());
}

TEST_CASE("lookup by name is case-insensitive, knows Pose2Sim's names, and refuses ambiguity", "[pose][skeletons]") {
  CHECK(pose::builtin_skeleton("body_25").model_name() == "BODY_25");
  CHECK(pose::builtin_skeleton("BODY_25").model_name() == "BODY_25");
  CHECK(pose::builtin_skeleton("Body25").model_name() == "BODY_25");
  CHECK(pose::builtin_skeleton("body_25b").model_name() == "BODY_25B");
  CHECK(pose::builtin_skeleton("halpe_26").model_name() == "HALPE_26");
  CHECK(pose::builtin_skeleton("coco17").model_name() == "COCO_17");
  CHECK(pose::builtin_skeleton("COCO_133_WRIST").model_name() == "COCO_133");
  CHECK(pose::builtin_skeleton("coco-wholebody").model_name() == "COCO_133");
  CHECK(pose::builtin_skeleton("h36m").model_name() == "H36M_17");
  CHECK(pose::builtin_skeleton("Human3.6M").model_name() == "H36M_17");
  CHECK(pose::canonical_skeleton_name("nope").empty());
  CHECK_FALSE(pose::find_builtin_skeleton("nope").has_value());
  CHECK_THROWS_WITH(pose::builtin_skeleton("COCO"), Catch::Contains("ambiguous") && Catch::Contains("COCO_17"));
  CHECK_THROWS_WITH(pose::builtin_skeleton("BLAZEPOSE"), Catch::Contains("skeleton file"));
  CHECK_THROWS_WITH(pose::builtin_skeleton("foo"),
                    Catch::Contains("BODY_25") && Catch::Contains("HALPE_26") && Catch::Contains("H36M_17"));
}

TEST_CASE("candidates by joint count", "[pose][skeletons]") {
  CHECK(pose::builtin_skeletons_with_joints(17) == std::vector<std::string>{"COCO_17", "H36M_17"});
  CHECK(pose::builtin_skeletons_with_joints(25) == std::vector<std::string>{"BODY_25", "BODY_25B"});
  CHECK(pose::builtin_skeletons_with_joints(26) == std::vector<std::string>{"HALPE_26"});
  CHECK(pose::builtin_skeletons_with_joints(133) == std::vector<std::string>{"COCO_133"});
  CHECK(pose::builtin_skeletons_with_joints(12).empty());
}

TEST_CASE("limb lists: spanning trees are oriented, other sets are kept as limbs", "[pose][skeletons]") {
  using pose::Skeleton;
  // A path 0-1-2-3 given out of order and reversed, rooted at 2.
  const Skeleton t = Skeleton::from_limbs({"a", "b", "c", "d"}, {{1, 0}, {3, 2}, {2, 1}},
                                          {{10, 1}, {30, 3}, {20, 2}}, {}, 2);
  REQUIRE(t.is_tree());
  CHECK(t.root() == 2);
  CHECK(t.parent(1) == 2);
  CHECK(t.parent(0) == 1);
  CHECK(t.parent(3) == 2);
  CHECK(t.limb_prior(0).mean == 10);  // limb a-b
  CHECK(t.limb_prior(3).mean == 30);  // limb c-d
  CHECK(t.limb_prior(1).mean == 20);  // limb b-c
  CHECK(t.has_limb_priors());
  for (std::size_t i = 0; i < t.limbs().size(); ++i) {
    CHECK(t.limb_length_priors()[i].mean == t.limb_prior(t.limbs()[i].second).mean);
  }

  // A triangle (a cycle) and a disconnected pair: not trees.
  const Skeleton tri = Skeleton::from_limbs({"snout", "ear_l", "ear_r", "tail"}, {{0, 1}, {1, 2}, {2, 0}},
                                            {{5, 1}, {6, 1}, {7, 1}});
  CHECK_FALSE(tri.is_tree());
  CHECK(tri.num_limbs() == 3);
  CHECK(tri.limbs()[2] == std::make_pair(2, 0));
  CHECK(tri.limb_length_priors()[1].mean == 6);
  CHECK(tri.has_limb_priors());
  CHECK_THROWS_WITH(tri.parents(), Catch::Contains("not a tree"));
  CHECK_THROWS_AS(tri.root(), std::invalid_argument);
  CHECK_THROWS_AS(tri.topological_order(), std::invalid_argument);
  CHECK_THROWS_AS(tri.limb_prior(1), std::invalid_argument);
  const Skeleton two = Skeleton::from_limbs({"a", "b", "c", "d"}, {{0, 1}, {2, 3}});
  CHECK_FALSE(two.is_tree());
  CHECK_FALSE(two.has_limb_priors());

  // Bad limb lists.
  CHECK_THROWS_WITH(Skeleton::from_limbs({"a", "b"}, {{0, 0}}), Catch::Contains("to itself"));
  CHECK_THROWS_WITH(Skeleton::from_limbs({"a", "b"}, {{0, 2}}), Catch::Contains("outside"));
  CHECK_THROWS_WITH(Skeleton::from_limbs({"a", "b", "c"}, {{0, 1}, {1, 0}}), Catch::Contains("twice"));
  CHECK_THROWS_WITH(Skeleton::from_limbs({"a", "a"}, {}), Catch::Contains("twice"));
  CHECK_THROWS_WITH(Skeleton::from_limbs({"a", "b"}, {{0, 1}}, {{1, 1}, {1, 1}}), Catch::Contains("one per limb"));
  CHECK_THROWS_WITH(Skeleton::from_limbs({"a", "b"}, {{0, 1}}, {{-1, 1}}), Catch::Contains("finite mean"));
  CHECK_THROWS_AS(Skeleton::from_limbs({"a", "b"}, {{0, 1}}, {}, {}, 5), std::invalid_argument);
}

TEST_CASE("unnamed skeletons, metadata setters and with_limb_priors", "[pose][skeletons]") {
  const pose::Skeleton u = pose::unnamed_skeleton(3);
  CHECK(u.names() == std::vector<std::string>{"0", "1", "2"});
  CHECK(u.num_limbs() == 0);
  CHECK_FALSE(u.is_tree());
  CHECK(pose::unnamed_skeleton({"snout"}).is_tree());  // one joint: a trivial tree
  CHECK_THROWS_AS(pose::unnamed_skeleton(0), std::invalid_argument);

  pose::Skeleton s = pose::builtin_skeleton("BODY_25");
  CHECK_THROWS_WITH(s.set_height_segments({{1, 1, 0.2}}), Catch::Contains("distinct"));
  CHECK_THROWS_WITH(s.set_height_segments({{1, 2, 1.5}}), Catch::Contains("(0, 1]"));
  CHECK_THROWS_WITH(s.set_feet({3, 3}), Catch::Contains("twice"));
  CHECK_THROWS_WITH(s.set_feet({25}), Catch::Contains("outside"));
  std::vector<pose::LimbPrior> priors(25, {300.0, 50.0});
  const pose::Skeleton p = pose::with_limb_priors(s, priors);
  CHECK(p.has_limb_priors());
  CHECK(p.model_name() == "BODY_25");
  CHECK(p.height_segments().size() == 8);
  CHECK(p.feet() == s.feet());
}
