// Fuzzes the CLI's poses-JSON reader (src/cli/poses_file.hpp, parse_poses_json:
// what `crossview eval --pred/--gt` and `crossview rpsm --init` read). Any text
// either throws std::runtime_error, or yields a sequence that keeps the
// reader's promises (frame numbers integers in [0, kMaxFrameNumber], strictly
// increasing; joints finite or missing; unique non-empty joint names; unit m
// or mm; rate finite >= 0) and survives a format -> parse round trip unchanged.
#include "fuzz_common.hpp"

#include "cli/poses_file.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crossview;
  const std::string text(reinterpret_cast<const char*>(data), size);
  cli::PoseSequence p;
  try {
    p = cli::parse_poses_json(text, "fuzz.json");
  } catch (const std::runtime_error&) {
    return 0;
  }
  const int F = p.num_frames();
  const int J = p.num_joints();
  CROSSVIEW_FUZZ_CHECK(J > 0);
  CROSSVIEW_FUZZ_CHECK(p.unit == "m" || p.unit == "mm");
  CROSSVIEW_FUZZ_CHECK(std::isfinite(p.rate_hz) && p.rate_hz >= 0.0);
  CROSSVIEW_FUZZ_CHECK(p.poses.cols() == static_cast<Eigen::Index>(F) * J);
  for (int f = 0; f < F; ++f) {
    CROSSVIEW_FUZZ_CHECK(p.frame_numbers[f] >= 0 && p.frame_numbers[f] <= cli::kMaxFrameNumber);
    if (f > 0) CROSSVIEW_FUZZ_CHECK(p.frame_numbers[f] > p.frame_numbers[f - 1]);
    for (int j = 0; j < J; ++j) {
      const Eigen::Vector3d x = p.pose(f).col(j);
      CROSSVIEW_FUZZ_CHECK(x.allFinite() || x.array().isNaN().all());
    }
  }
  for (int a = 0; a < J; ++a) {
    CROSSVIEW_FUZZ_CHECK(!p.joint_names[a].empty());
    for (int b = a + 1; b < J; ++b) CROSSVIEW_FUZZ_CHECK(p.joint_names[a] != p.joint_names[b]);
  }
  const cli::PoseSequence again = cli::parse_poses_json(cli::format_poses_json(p), "roundtrip.json");
  CROSSVIEW_FUZZ_CHECK(again.unit == p.unit && again.joint_names == p.joint_names);
  CROSSVIEW_FUZZ_CHECK(again.frame_numbers == p.frame_numbers);
  CROSSVIEW_FUZZ_CHECK(again.rate_hz == p.rate_hz);
  CROSSVIEW_FUZZ_CHECK(again.poses.cols() == p.poses.cols());
  for (Eigen::Index c = 0; c < p.poses.cols(); ++c) {
    for (int k = 0; k < 3; ++k) {
      const double x = p.poses(k, c), y = again.poses(k, c);
      CROSSVIEW_FUZZ_CHECK((std::isnan(x) && std::isnan(y)) || x == y);
    }
  }
  // The .trc writer takes the same sequence (frame numbers fit its int); it
  // refuses (std::invalid_argument, documented) only joint names a TRC row
  // cannot hold: control characters or surrounding blanks.
  bool names_fit_trc = true;
  for (const std::string& n : p.joint_names) {
    const auto blank = [](unsigned char c) { return c == ' ' || c < 0x20 || c == 0x7f; };
    if (blank(static_cast<unsigned char>(n.front())) || blank(static_cast<unsigned char>(n.back()))) names_fit_trc = false;
    for (unsigned char c : n) {
      if (c < 0x20 || c == 0x7f) names_fit_trc = false;
    }
  }
  try {
    (void)cli::format_poses_trc(p, "fuzz.trc");
  } catch (const std::invalid_argument&) {
    CROSSVIEW_FUZZ_CHECK(!names_fit_trc);
  }
  return 0;
}
