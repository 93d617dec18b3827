// crossview::io: the settings crossview needs from a Pose2Sim Config.toml.
//
// Pose2Sim reads Config.toml at the session, participant and trial levels; a
// key missing at a level is taken from the level above. read_pose2sim_config
// reads one file; find_pose2sim_config(trial_dir) merges Config.toml of the
// trial folder and of up to `max_levels_up` parent folders the same way (the
// deepest file wins per key). Keys read (all optional):
//   [project] frame_rate      = 60 | "auto"          -> frame_rate_hz / frame_rate_auto
//   [project] frame_range     = [] | [start, end] | "all" | "auto" -> frame_range
//   [project] multi_person    = true | false
//   [project] participant_height = 1.72 | [1.21, 1.72] | "auto"
//   [markerAugmentation] participant_height, participant_mass (older Pose2Sim)
//   [project] participant_mass = 70.0 | [25.0, 70.0]
//   [pose] pose_model         = "BODY_25B" | "HALPE_26" | ... -> pose_model
// Units: heights in metres, masses in kg, rates in Hz; frame_range is
// [start, end) in video frames as Pose2Sim uses it.
//
// Failure modes: IoError naming the file and the key (e.g.
// `project.frame_rate`) for malformed TOML or a value of the wrong type / out
// of range (frame rate <= 0, heights outside (0.3, 3) m, a range with end <=
// start); a folder without any Config.toml.
#pragma once

#include <crossview/io/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crossview::io {

struct Pose2SimConfig {
  std::optional<double> frame_rate_hz;  ///< project.frame_rate when a number.
  bool frame_rate_auto = false;         ///< project.frame_rate = "auto" (from the videos).
  std::optional<std::pair<int, int>> frame_range;  ///< [start, end) when given.
  std::optional<bool> multi_person;
  std::string pose_model;                    ///< pose.pose_model as written ("" when absent).
  std::vector<double> participant_heights_m; ///< One per participant (empty when absent / "auto").
  bool participant_height_auto = false;
  std::vector<double> participant_masses_kg;
  /// Files read, deepest (trial) first; with find_pose2sim_config, every level.
  std::vector<std::string> sources;
  /// Where pose_model came from (for messages), e.g. ".../Config.toml pose.pose_model".
  std::string pose_model_origin;
};

Pose2SimConfig read_pose2sim_config(const std::string& path);
Pose2SimConfig parse_pose2sim_config(std::string_view text, const std::string& source_name = "<string>");

/// Merges Config.toml of `trial_dir` and of its parents (at most
/// `max_levels_up` above it), the deepest file winning per key. Throws IoError
/// when none exists.
Pose2SimConfig find_pose2sim_config(const std::string& trial_dir, int max_levels_up = 2);

}  // namespace crossview::io
