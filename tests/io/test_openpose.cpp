// crossview::io OpenPose JSON: parsing, missing joints, folder ordering,
// main-person selection and every error class.
#include <crossview/io/openpose.hpp>

#include "io_test_util.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using crossview::io::OpenPoseFrame;
using io_test::replace_once;
using io_test::require_io_error;
using io_test::TempFile;

namespace {

const char* kFrame = R"({"version":1.3,"people":[
 {"person_id":[-1],"pose_keypoints_2d":[10.5,20.25,0.5, 0,0,0, 30,40,0.9],"face_keypoints_2d":[]},
 {"person_id":[7],"pose_keypoints_2d":[100,200,0.2, 110,210,0.4, 0,0,0]}]})";

std::string person_json(double x0, double score) {
  return "{\"pose_keypoints_2d\":[" + std::to_string(x0) + ",10," + std::to_string(score) + "," + std::to_string(x0 + 5) +
         ",20," + std::to_string(score) + "]}";
}

OpenPoseFrame frame_of(std::initializer_list<std::pair<double, double>> people) {
  std::string s = "{\"people\":[";
  bool first = true;
  for (const auto& [x, score] : people) {
    s += (first ? "" : ",") + person_json(x, score);
    first = false;
  }
  return crossview::io::parse_openpose_json(s + "]}");
}

}  // namespace

TEST_CASE("io openpose: people, triplets and missing joints", "[io][openpose]") {
  const OpenPoseFrame f = crossview::io::parse_openpose_json(kFrame, "mem.json", 3);
  REQUIRE(f.people.size() == 2);
  const auto& p = f.people[0];
  CHECK(p.person_id == -1);
  CHECK(f.people[1].person_id == 7);
  CHECK(p.num_joints() == 3);
  CHECK(p.keypoints_px(0, 0) == 10.5);
  CHECK(p.keypoints_px(1, 0) == 20.25);
  CHECK(p.scores[0] == 0.5);
  CHECK_FALSE(p.is_detected(1));
  CHECK(std::isnan(p.keypoints_px(0, 1)));
  CHECK(std::isnan(p.keypoints_px(1, 1)));
  CHECK(p.scores[1] == 0.0);
  CHECK(p.num_detected() == 2);
  CHECK(p.mean_detected_score() == Approx(0.7));
  CHECK(f.people[1].mean_detected_score() == Approx(0.3));
  CHECK(crossview::io::parse_openpose_json(R"({"people":[]})").people.empty());
}

TEST_CASE("io openpose: a person with empty keypoints is kept with every joint missing", "[io][openpose]") {
  // Pose2Sim's pose2sim_multi files hold such placeholders.
  const char* text = R"({"people":[{"pose_keypoints_2d":[]},{"pose_keypoints_2d":[1,2,0.5,3,4,0]}]})";
  const OpenPoseFrame f = crossview::io::parse_openpose_json(text);
  REQUIRE(f.people.size() == 2);
  CHECK(f.people[0].num_joints() == 2);
  CHECK(f.people[0].num_detected() == 0);
  CHECK(f.people[0].keypoints_px.array().isNaN().all());
  CHECK(f.people[1].num_detected() == 1);
  CHECK(crossview::io::parse_openpose_json(text, "mem.json", 2).people[0].num_joints() == 2);
  CHECK(crossview::io::parse_openpose_json(R"({"people":[{"pose_keypoints_2d":[]}]})", "m", 25).people[0].num_joints() == 25);
  CHECK(crossview::io::parse_openpose_json(R"({"people":[{"pose_keypoints_2d":[]}]})").people[0].num_joints() == 0);
}

TEST_CASE("io openpose: errors name file, field and expectation", "[io][openpose][errors]") {
  const std::string ok = kFrame;
  struct Case {
    const char* what;
    std::string text;
    int expected_joints;
    std::string field;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"truncated", ok.substr(0, 60), 0, "", "malformed or truncated JSON"},
      {"not multiple of 3", replace_once(ok, "30,40,0.9]", "30,40]"), 0, "people[0].pose_keypoints_2d",
       "expected a multiple of 3 values (x y score triplets), got 8"},
      {"joint count differs", replace_once(ok, ", 0,0,0]}]}", "]}]}"), 0, "people[1].pose_keypoints_2d",
       "expected 3 joints (9 values, as the first person), got 2 joints"},
      {"expected joints", ok, 25, "people[0].pose_keypoints_2d", "expected 25 joints (75 values), got 3 joints"},
      {"negative score", replace_once(ok, "0.2,", "-0.2,"), 0, "people[1].pose_keypoints_2d[2]", "expected a score >= 0"},
      {"wrong type", replace_once(ok, "110,210", "\"110\",210"), 0, "people[1].pose_keypoints_2d[3]",
       "expected a number, got a string"},
      {"overflow", replace_once(ok, "110,210", "1e400,210"), 0, "", "number overflow"},
      {"missing people", R"({"version":1.3})", 0, "people", "missing field"},
      {"people not array", R"({"people":{}})", 0, "people", "expected an array, got an object"},
      {"person not object", R"({"people":[3]})", 0, "people[0]", "expected an object, got an integer"},
      {"missing keypoints", R"({"people":[{"person_id":[1]}]})", 0, "people[0].pose_keypoints_2d", "missing field"},
      // fuzz_io_openpose_json: an empty first person made the next one's count the reference.
      {"empty first person does not set the count",
       R"({"people":[{"pose_keypoints_2d":[]},{"pose_keypoints_2d":[1,2,0.5]},{"pose_keypoints_2d":[1,2,0.5,3,4,0.5]}]})",
       0, "people[2].pose_keypoints_2d", "expected 1 joints"},
      {"bad person_id", replace_once(ok, "[7]", "[\"a\"]"), 0, "people[1].person_id[0]", "expected a number, got a string"},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.what);
    const TempFile f("cam01.0001.json", c.text);
    require_io_error([&] { (void)crossview::io::read_openpose_json(f.path(), c.expected_joints); }, f.path(), c.field,
                     c.expected);
  }
}

TEST_CASE("io openpose: folder reader sorts by frame number", "[io][openpose]") {
  CHECK(crossview::io::frame_number_from_filename("cam01.0042.json") == 42);
  CHECK(crossview::io::frame_number_from_filename("/a/b7/run_000000000017_keypoints.json") == 17);
  CHECK(crossview::io::frame_number_from_filename("none.json") == -1);
  CHECK(crossview::io::frame_number_from_filename("x0000.json") == 0);

  const TempFile dir_holder("readme.txt", "not json");
  const std::string dir = dir_holder.dir();
  const auto write = [&](const std::string& name, const std::string& text) { std::ofstream(dir + "/" + name) << text; };
  for (int n : {10, 9, 1, 100}) write("f" + std::to_string(n) + ".json", "{\"people\":[" + person_json(n, 0.5) + "]}");
  const auto frames = crossview::io::read_openpose_folder(dir, 2);
  REQUIRE(frames.size() == 4);
  CHECK(frames[0].frame_number == 1);
  CHECK(frames[1].frame_number == 9);
  CHECK(frames[2].frame_number == 10);
  CHECK(frames[3].frame_number == 100);
  CHECK(frames[2].people[0].keypoints_px(0, 0) == 10.0);

  write("g0009.json", "{\"people\":[]}");
  require_io_error([&] { (void)crossview::io::read_openpose_folder(dir); }, dir + "/g0009.json", "",
                   "expected a unique frame number, 9 is also the number of");
  std::filesystem::remove(dir + "/g0009.json");
  write("nonumber.json", "{\"people\":[]}");
  require_io_error([&] { (void)crossview::io::read_openpose_folder(dir); }, dir + "/nonumber.json", "",
                   "expected a frame number in the file name");
  std::filesystem::remove(dir + "/nonumber.json");
  write("f11.json", "{\"people\":[");
  require_io_error([&] { (void)crossview::io::read_openpose_folder(dir); }, dir + "/f11.json", "", "malformed or truncated");
  require_io_error([] { (void)crossview::io::read_openpose_folder("/nonexistent/dir"); }, "/nonexistent/dir", "",
                   "cannot list folder");
}

TEST_CASE("io openpose: main person selection", "[io][openpose]") {
  std::vector<OpenPoseFrame> frames = {
      frame_of({{100, 0.5}, {500, 0.9}}),  // 500 is more confident
      frame_of({{102, 0.9}, {505, 0.6}}),  // 102 is more confident; 505 is near the previous choice
      frame_of({{900, 0.3}, {104, 0.2}}),  // nobody near 505 (jump > 50 px) -> best score (900)
      frame_of({}),
      frame_of({{903, 0.1}, {0, 0.0}}),    // the second person has no detected joint
  };
  using crossview::io::select_main_person;
  CHECK(select_main_person(frames) == std::vector<int>{1, 0, 0, -1, 0});
  crossview::io::MainPersonOptions o;
  o.prefer_previous = true;
  CHECK(select_main_person(frames, o) == std::vector<int>{1, 1, 0, -1, 0});
  o.max_jump_px = 1.0;  // 505 is 5 px away from 500: too far now
  CHECK(select_main_person(frames, o) == std::vector<int>{1, 0, 0, -1, 0});
  o.min_detected_joints = 3;  // nobody has 3 joints
  CHECK(select_main_person(frames, o) == std::vector<int>{-1, -1, -1, -1, -1});
  o.min_detected_joints = 0;
  CHECK_THROWS_AS(o.validate(), std::invalid_argument);
}
