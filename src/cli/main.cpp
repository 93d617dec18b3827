// crossview: command-line tool over the crossview library.
#include "args.hpp"
#include "commands.hpp"

#include <crossview/version.hpp>

#include <algorithm>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

namespace {

constexpr const char* kUsage =
    "usage: crossview <command> [options]\n"
    "\n"
    "commands:\n"
    "  demo                run the full pipeline on the built-in synthetic scene (or --data DIR)\n"
    "  triangulate         3D poses from a calibration and per-camera OpenPose JSON folders\n"
    "  calibrate           a whole rig's extrinsics from the people it sees, no calibration object\n"
    "  calibrate-relative  relative pose of a camera pair from body joints, no calibration object\n"
    "  rpsm                3D poses from per-camera 2D heatmaps (.npy) with RPSM\n"
    "  eval                metrics of predicted 3D poses against reference poses\n"
    "\n"
    "Run 'crossview <command> --help' for the options of a command.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("crossview %s\n", crossview::library_version());
    return 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "demo") return crossview::cli::run_demo(argc - 2, argv + 2);
    if (command == "triangulate") return crossview::cli::run_triangulate(argc - 2, argv + 2);
    if (command == "calibrate") return crossview::cli::run_calibrate(argc - 2, argv + 2);
    if (command == "calibrate-relative") return crossview::cli::run_calibrate_relative(argc - 2, argv + 2);
    if (command == "rpsm") return crossview::cli::run_rpsm(argc - 2, argv + 2);
    if (command == "eval") return crossview::cli::run_eval(argc - 2, argv + 2);
    std::fprintf(stderr, "crossview: unknown command '%s' (see crossview --help)\n", command.c_str());
    return 2;
  } catch (const crossview::cli::UsageError& e) {
    std::fprintf(stderr, "crossview %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::string message = e.what();  // one line, whatever the library put in it
    std::replace(message.begin(), message.end(), '\n', ' ');
    std::fprintf(stderr, "crossview %s: error: %s\n", command.c_str(), message.c_str());
    return 1;
  }
}
