// Writes the reports the browser test opens (tests/report/browser_check.py):
//   report_fixtures OUT_DIR [--data POSE2SIM_DEMO_DIR] [--large-frames N]
// synthetic.html (the built-in scene), pose2sim.html and pose2sim_swapped.html
// (the real capture, cameras 1 and 2 swapped) when --data is given, and
// large.html (N frames, default 10000, 2 people, 4 cameras, 25 joints) and
// minimal.html (3 frames, no skeleton, no detections, unknown frame rate).
// Prints one JSON line per report: {"file", "bytes", "storage", "warnings"}.
#include "fixtures.hpp"

#include "report/diagnostics.hpp"
#include "report/html.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace {

void write(const crossview::report::Run& run, const std::string& path) {
  using namespace crossview::report;
  const auto t0 = std::chrono::steady_clock::now();
  const Diagnostics d = diagnose(run);
  const auto t1 = std::chrono::steady_clock::now();
  const PageInfo info = write_html(run, d, path);
  const auto t2 = std::chrono::steady_clock::now();
  std::fprintf(stderr, "%s:\n%s\n", path.c_str(), format_diagnostics(run, d).c_str());
  std::string kinds;
  for (const Warning& w : d.warnings) kinds += (kinds.empty() ? "\"" : ", \"") + std::string(to_string(w.kind)) + "\"";
  std::printf("{\"file\": \"%s\", \"bytes\": %zu, \"data_bytes\": %zu, \"storage\": \"%s\", \"warnings\": [%s], "
              "\"diagnose_s\": %.3f, \"write_s\": %.3f}\n",
              path.c_str(), info.bytes, info.data_bytes, to_string(info.storage), kinds.c_str(),
              std::chrono::duration<double>(t1 - t0).count(), std::chrono::duration<double>(t2 - t1).count());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace crossview::report::test;
  if (argc < 2) {
    std::fprintf(stderr, "usage: report_fixtures OUT_DIR [--data POSE2SIM_DEMO_DIR] [--large-frames N]\n");
    return 2;
  }
  const std::string out = argv[1];
  std::string data;
  int large_frames = 10000;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--data") data = argv[i + 1];
    else if (a == "--large-frames") large_frames = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "report_fixtures: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  try {
    write(synthetic_run(), out + "/synthetic.html");
    if (!data.empty()) {
      Pose2SimRunOptions o;
      o.dir = data;
      write(pose2sim_run(o), out + "/pose2sim.html");
      o.swap_a = 0;
      o.swap_b = 1;
      write(pose2sim_run(o), out + "/pose2sim_swapped.html");
    }
    if (large_frames > 0) write(large_run(large_frames, 2, 4), out + "/large.html");
    write(minimal_run(), out + "/minimal.html");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "report_fixtures: %s\n", e.what());
    return 1;
  }
  return 0;
}
