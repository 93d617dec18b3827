// Pose2Sim interop: Config.toml (levels merged as Pose2Sim does), TRC written
// with Pose2Sim's frame numbering and a recorded skeleton, read back.
#include <crossview/io/pose2sim_config.hpp>
#include <crossview/io/trc.hpp>

#include "io_test_util.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace crossview;
using io_test::require_io_error;
using io_test::TempFile;

TEST_CASE("Pose2Sim Config.toml: rate, model, heights, range, levels merged", "[io][pose2sim]") {
  const io::Pose2SimConfig c = io::parse_pose2sim_config(
      "[project]\nmulti_person = true\nframe_rate = 60 # FPS\nframe_range = [10, 300]\nparticipant_height = [1.21, 1.72]\n"
      "participant_mass = [25.0, 70.0]\n[pose]\npose_model = 'HALPE_26'\n",
      "Config.toml");
  REQUIRE(c.frame_rate_hz.has_value());
  CHECK(*c.frame_rate_hz == 60.0);
  REQUIRE(c.frame_range.has_value());
  CHECK(c.frame_range->first == 10);
  CHECK(c.frame_range->second == 300);
  CHECK(c.multi_person.value_or(false));
  CHECK(c.participant_heights_m == std::vector<double>{1.21, 1.72});
  CHECK(c.participant_masses_kg == std::vector<double>{25.0, 70.0});
  CHECK(c.pose_model == "HALPE_26");
  CHECK(c.pose_model_origin == "Config.toml pose.pose_model");
  const io::Pose2SimConfig old = io::parse_pose2sim_config(
      "[project]\nframe_rate = 'auto'\nframe_range = []\n[markerAugmentation]\nparticipant_height = 1.72\n", "c");
  CHECK(old.frame_rate_auto);
  CHECK_FALSE(old.frame_rate_hz.has_value());
  CHECK_FALSE(old.frame_range.has_value());
  CHECK(old.participant_heights_m == std::vector<double>{1.72});

  const auto err = [](const std::string& text, const std::string& field, const std::string& what) {
    require_io_error([&] { io::parse_pose2sim_config(text, "Config.toml"); }, "Config.toml", field, what);
  };
  err("[project]\nframe_rate = -5\n", "project.frame_rate", "> 0");
  err("[project]\nframe_range = [300, 10]\n", "project.frame_range", "start < end");
  err("[project]\nframe_range = [1.5, 10]\n", "project.frame_range", "integers");
  err("[project]\nparticipant_height = [1.7, 17.0]\n", "project.participant_height[1]", "height in m");
  err("[pose]\npose_model = 3\n", "pose.pose_model", "expected a string");
  err("[project\n", "line 1 column 9", "malformed");

  // Session / participant / trial levels: the deepest key wins, others inherit.
  const TempFile session("Config.toml", "[project]\nframe_rate = 30\nparticipant_height = 1.80\n[pose]\npose_model = 'BODY_25B'\n");
  namespace fs = std::filesystem;
  const fs::path trial = fs::path(session.dir()) / "P01" / "T01";
  fs::create_directories(trial);
  std::ofstream((trial / "Config.toml").string()) << "[project]\nframe_rate = 60\n";
  const io::Pose2SimConfig m = io::find_pose2sim_config(trial.string());
  CHECK(*m.frame_rate_hz == 60.0);                         // trial
  CHECK(m.pose_model == "BODY_25B");                       // session
  CHECK(m.participant_heights_m == std::vector<double>{1.80});
  CHECK(m.sources.size() == 2);
  CHECK_THAT(m.pose_model_origin, Catch::Contains(session.path()));
  const TempFile empty("x", "");
  require_io_error([&] { io::find_pose2sim_config(empty.dir(), 0); }, empty.dir(), "", "no Config.toml");
}

TEST_CASE("Pose2Sim's own configs of the demo captures", "[io][pose2sim]") {
  const std::string data = CROSSVIEW_SHARED_DATA_DIR;
  if (!std::filesystem::exists(data + "/pose2sim_multi/Config_participants.toml")) return;
  const io::Pose2SimConfig p = io::read_pose2sim_config(data + "/pose2sim_multi/Config_participants.toml");
  CHECK(p.participant_heights_m.empty());  // commented out at this level
  const io::Pose2SimConfig t = io::read_pose2sim_config(data + "/pose2sim_multi/Config_trial.toml");
  CHECK(t.participant_heights_m == std::vector<double>{1.21, 1.72});  // [markerAugmentation]
  CHECK(t.participant_masses_kg == std::vector<double>{25.0, 70.0});
  CHECK(t.multi_person.value_or(false));
  CHECK(t.pose_model.empty());  // commented out at the trial level: inherited from above in Pose2Sim
}

TEST_CASE("TRC with Pose2Sim's numbering and a recorded skeleton round-trips", "[io][trc][pose2sim]") {
  Eigen::Matrix3Xd pts(3, 6);  // 3 frames x 2 markers, column f*2 + m
  for (int c = 0; c < 6; ++c) pts.col(c) << 0.1 * c, 1.0 + c, 2.0 - c;
  pts.col(3).setConstant(std::nan(""));
  io::TrcWriteOptions o;
  o.rate_hz = 60;
  o.skeleton = "BODY_25";
  const io::TrcData trc = io::make_trc({"Neck", "MidHip"}, pts, o);
  CHECK(trc.frame_numbers == std::vector<int>{1, 2, 3});   // Pose2Sim: from 1
  CHECK(trc.times_s[0] == 1.0 / 60);                        // Time = Frame# / rate
  CHECK(trc.frame(1).col(0) == io::world_to_trc(pts.col(2)));
  const std::string text = io::format_trc(trc);
  CHECK_THAT(text, Catch::Contains("OrigNumFrames\tSkeleton\n"));
  const io::TrcData back = io::parse_trc(text, "t.trc");
  CHECK(back.skeleton == "BODY_25");
  CHECK(back.units == "m");
  CHECK(back.frame_numbers == trc.frame_numbers);
  CHECK(std::isnan(back.frame(1)(0, 1)));
  // Without a skeleton the header is exactly Pose2Sim's.
  o.skeleton.clear();
  CHECK_THAT(io::format_trc(io::make_trc({"Neck", "MidHip"}, pts, o)), Catch::Contains("OrigNumFrames\n"));
  // Bad shapes and options.
  CHECK_THROWS_AS(io::make_trc({"a", "b", "c", "d"}, pts, o), std::invalid_argument);
  CHECK_THROWS_AS(io::make_trc({"a", "b"}, Eigen::MatrixXd::Zero(6, 3), o), std::invalid_argument);
  o.rate_hz = 0;
  CHECK_THROWS_AS(io::make_trc({"a", "b"}, pts, o), std::invalid_argument);
}

TEST_CASE("Pose2Sim's demo TRC reads with its frame numbers from 1", "[io][trc][pose2sim]") {
  const std::string path = std::string(CROSSVIEW_SHARED_DATA_DIR) + "/pose2sim_demo/BalancingTrial_0-100.trc";
  if (!std::filesystem::exists(path)) return;
  const io::TrcData t = io::read_trc(path);
  CHECK(t.frame_numbers.front() == 1);
  CHECK(t.frame_numbers.back() == 100);
  CHECK(t.times_s.front() == Approx(1.0 / 60));
  CHECK(t.skeleton.empty());
}
