// Custom skeleton files (TOML / JSON, the examples/skeletons files) and the
// resolution of a keypoint file's skeleton ("never guess between candidates").
#include <crossview/io/skeleton_file.hpp>
#include <crossview/pose/skeletons.hpp>

#include "io_test_util.hpp"

#include <catch2/catch.hpp>

using namespace crossview;
using io_test::require_io_error;
using io_test::TempFile;

#ifndef CROSSVIEW_SOURCE_DIR
#error "CROSSVIEW_SOURCE_DIR must be defined"
#endif

TEST_CASE("the example skeleton files load as documented", "[io][skeleton]") {
  const pose::Skeleton mouse = io::read_skeleton_file(CROSSVIEW_SOURCE_DIR "/examples/skeletons/mouse_dlc.toml");
  CHECK(mouse.model_name() == "mouse_dlc");
  CHECK(mouse.num_joints() == 8);
  CHECK(mouse.num_limbs() == 9);
  CHECK_FALSE(mouse.is_tree());  // the snout-ears triangle
  CHECK(mouse.has_limb_priors());
  CHECK(mouse.limb_prior_unit() == "mm");
  CHECK(mouse.limb_length_priors()[5].mean == 30.0);
  CHECK(mouse.limb_length_priors()[5].tolerance == 8.0);
  CHECK(mouse.limb_length_priors()[0].tolerance == 5.0);  // default_tolerance
  CHECK(mouse.left_right_pairs().size() == 2);
  CHECK(mouse.feet().size() == 2);

  const pose::Skeleton upper = io::read_skeleton_file(CROSSVIEW_SOURCE_DIR "/examples/skeletons/upper_body.json");
  REQUIRE(upper.is_tree());
  CHECK(upper.name(upper.root()) == "pelvis");
  CHECK(upper.parent(upper.joint_index("c7")) == upper.joint_index("pelvis"));
  CHECK(upper.height_segments().size() == 6);
  CHECK_FALSE(upper.has_limb_priors());
}

TEST_CASE("skeleton JSON round trip: built-ins and custom skeletons come back identical", "[io][skeleton]") {
  std::vector<pose::Skeleton> all;
  for (const auto& id : pose::builtin_skeleton_names()) all.push_back(pose::builtin_skeleton(id));
  all.push_back(io::read_skeleton_file(CROSSVIEW_SOURCE_DIR "/examples/skeletons/mouse_dlc.toml"));
  for (const auto& s : all) {
    INFO(s.model_name());
    const std::string text = io::format_skeleton_json(s);
    const pose::Skeleton b = io::parse_skeleton_json(text, "rt.json");
    CHECK(b.names() == s.names());
    CHECK(b.limbs() == s.limbs());
    CHECK(b.is_tree() == s.is_tree());
    if (s.is_tree()) CHECK(b.parents() == s.parents());
    REQUIRE(b.limb_length_priors().size() == s.limb_length_priors().size());
    for (std::size_t i = 0; i < s.limb_length_priors().size(); ++i) {
      CHECK(b.limb_length_priors()[i].mean == s.limb_length_priors()[i].mean);
      CHECK(b.limb_length_priors()[i].tolerance == s.limb_length_priors()[i].tolerance);
    }
    CHECK(b.left_right_pairs() == s.left_right_pairs());
    CHECK(b.feet() == s.feet());
    CHECK(b.model_name() == s.model_name());
    CHECK(b.limb_prior_unit() == s.limb_prior_unit());
    REQUIRE(b.height_segments().size() == s.height_segments().size());
    for (std::size_t i = 0; i < s.height_segments().size(); ++i) {
      CHECK(b.height_segments()[i].joint_a == s.height_segments()[i].joint_a);
      CHECK(b.height_segments()[i].fraction == s.height_segments()[i].fraction);
    }
  }
  pose::Skeleton no_unit = pose::Skeleton::from_limbs({"a", "b"}, {{0, 1}}, {{1.0, 0.1}});
  CHECK_THROWS_WITH(io::format_skeleton_json(no_unit), Catch::Contains("unit"));
}

TEST_CASE("malformed skeleton files name the file and the field", "[io][skeleton]") {
  const auto toml_error = [](const std::string& text, const std::string& field, const std::string& expected) {
    require_io_error([&] { io::parse_skeleton_toml(text, "sk.toml"); }, "sk.toml", field, expected);
  };
  toml_error("joints = [\"a\", \"b\"]\nlimbs = [[\"a\", \"c\"]]\n", "limbs[0][1]", "unknown joint 'c'");
  toml_error("joints = [\"a\", \"a\"]\n", "joints[1]", "twice");
  toml_error("joints = []\n", "joints", "at least one");
  toml_error("limbs = []\n", "joints", "missing field");
  toml_error("joints = [\"a\", \"b\"]\nlimb = [[\"a\", \"b\"]]\n", "limb", "unknown key");
  toml_error("joints = [\"a\", \"b\"]\nlimbs = [{joints = [\"a\", \"b\"], length = 3.0}]\n", "length_unit", "missing field");
  toml_error("joints = [\"a\", \"b\", \"c\"]\nlength_unit = \"mm\"\nlimbs = [{joints = [\"a\", \"b\"], length = 3.0}, [\"b\", \"c\"]]\n",
             "limbs", "every limb or for none");
  toml_error("joints = [\"a\", \"b\"]\nlength_unit = \"cm\"\n", "length_unit", "\"mm\" or \"m\"");
  toml_error("joints = [\"a\", \"b\"]\nlimbs = [[\"a\", \"a\"]]\n", "limbs[0]", "to itself");
  toml_error("joints = [\"a\", \"b\"]\nlimbs = [[\"a\", \"b\"], [\"b\", \"a\"]]\n", "limbs[1]", "twice");
  toml_error("joints = [\"a\", \"b\"]\nlimbs = [[\"a\"]]\n", "limbs[0]", "expected 2 elements");
  toml_error("joints = [\"a\", \"b\"]\nlength_unit = \"mm\"\nlimbs = [{joints = [\"a\", \"b\"], length = -1.0}]\n",
             "limbs[0].length", ">= 0");
  toml_error("joints = [\"a\", \"b\"]\nheight_segments = [{joints = [\"a\", \"b\"], fraction = 2.0}]\n",
             "height_segments[0].fraction", "(0, 1]");
  toml_error("joints = [\"a\", \"b\", \"c\"]\nlimbs = [[\"a\", \"b\"]]\nroot = \"a\"\n", "root", "one tree");
  toml_error("format = \"other\"\njoints = [\"a\"]\n", "format", "crossview.skeleton");
  toml_error("version = 2\njoints = [\"a\"]\n", "version", "expected 1");
  toml_error("joints = [\"a\", \"b\"]\nfeet = [\"a\", \"a\"]\n", "feet[1]", "twice");
  toml_error("joints = [\"a\", 3]\n", "joints[1]", "expected a string");
  toml_error("joints = [\"a\"\n", "line 1 column 15", "malformed");
  require_io_error([] { io::parse_skeleton_json("{\"joints\": [\"a\"], \"limbs\": 3}", "sk.json"); }, "sk.json", "limbs",
                   "expected an array");
  require_io_error([] { io::parse_skeleton_json("{\"joints\": [\"a\"", "sk.json"); }, "sk.json", "", "malformed");
  require_io_error([] { io::read_skeleton_file("/nonexistent/sk.toml"); }, "/nonexistent/sk.toml", "", "cannot open");
}

TEST_CASE("load_skeleton takes a built-in name or a file path", "[io][skeleton]") {
  CHECK(io::load_skeleton("body_25").model_name() == "BODY_25");
  CHECK(io::load_skeleton(CROSSVIEW_SOURCE_DIR "/examples/skeletons/mouse_dlc.toml").model_name() == "mouse_dlc");
  CHECK_THROWS_AS(io::load_skeleton("no_such_model"), std::invalid_argument);
  CHECK_THROWS_AS(io::load_skeleton("missing.toml"), io::IoError);
}

TEST_CASE("resolve_skeleton: explicit > metadata > names > unique count, ties are errors", "[io][skeleton]") {
  io::SkeletonQuery q;
  q.source = "kp.json";
  q.num_joints = 17;
  // 17 joints and nothing else: an error naming both candidates.
  require_io_error([&] { io::resolve_skeleton(q); }, "kp.json", "skeleton", "COCO_17 and H36M_17");
  q.allow_unnamed = true;  // never breaks a tie
  require_io_error([&] { io::resolve_skeleton(q); }, "kp.json", "skeleton", "candidates");
  q.allow_unnamed = false;
  // 25 joints: BODY_25 and BODY_25B.
  q.num_joints = 25;
  require_io_error([&] { io::resolve_skeleton(q); }, "kp.json", "skeleton", "BODY_25 and BODY_25B");
  // Metadata decides.
  q.metadata_skeleton = "BODY_25B";
  q.metadata_origin = "Config.toml pose.pose_model";
  io::ResolvedSkeleton r = io::resolve_skeleton(q);
  CHECK(r.skeleton.model_name() == "BODY_25B");
  CHECK_THAT(r.origin, Catch::Contains("Config.toml pose.pose_model = BODY_25B"));
  // Explicit beats metadata.
  q.explicit_skeleton = "body_25";
  r = io::resolve_skeleton(q);
  CHECK(r.skeleton.model_name() == "BODY_25");
  CHECK_THAT(r.origin, Catch::Contains("explicit"));
  // An explicit skeleton with the wrong joint count.
  q.explicit_skeleton = "halpe_26";
  require_io_error([&] { io::resolve_skeleton(q); }, "kp.json", "skeleton", "has 26 joints but the file has 25");
  // Metadata that is not a built-in.
  q.explicit_skeleton.clear();
  q.metadata_skeleton = "BLAZEPOSE";
  require_io_error([&] { io::resolve_skeleton(q); }, "kp.json", "skeleton", "BLAZEPOSE");
  q.metadata_skeleton.clear();
  // A unique joint count.
  q.num_joints = 26;
  r = io::resolve_skeleton(q);
  CHECK(r.skeleton.model_name() == "HALPE_26");
  CHECK_THAT(r.origin, Catch::Contains("only built-in"));
  // No candidate: an error, or an unnamed skeleton when allowed.
  q.num_joints = 12;
  require_io_error([&] { io::resolve_skeleton(q); }, "kp.json", "skeleton", "no built-in skeleton has 12 joints");
  q.allow_unnamed = true;
  r = io::resolve_skeleton(q);
  CHECK(r.skeleton.num_joints() == 12);
  CHECK(r.skeleton.num_limbs() == 0);
  // File joint names: a built-in's names pick it; other names make an unnamed skeleton.
  q.allow_unnamed = false;
  q.num_joints = 17;
  q.joint_names = pose::builtin_skeleton("H36M_17").names();
  r = io::resolve_skeleton(q);
  CHECK(r.skeleton.model_name() == "H36M_17");
  q.joint_names[3] = "snout";
  r = io::resolve_skeleton(q);
  CHECK(r.skeleton.names() == q.joint_names);
  CHECK(r.skeleton.num_limbs() == 0);
  // An explicit skeleton whose names differ from the file's is refused.
  q.explicit_skeleton = "h36m";
  require_io_error([&] { io::resolve_skeleton(q); }, "kp.json", "skeleton", "names joint 3 'rank'");
  q.num_joints = 0;
  CHECK_THROWS_AS(io::resolve_skeleton(q), std::invalid_argument);
}
