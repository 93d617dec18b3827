// crossview: command-line tool over the crossview library.
#include "args.hpp"
#include "commands.hpp"
#include "outputs.hpp"

#include <crossview/io/files.hpp>

#include <crossview/version.hpp>

#include <algorithm>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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
    "\n"
    "option of every command:\n"
    "  --max-input-mb N    largest input file read, in MiB (default per kind of file:\n"
    "                      calibrations 64, settings 16, keypoints 1024, poses 4096,\n"
    "                      heatmaps 65536)\n"
    "\n"
    "Run 'crossview <command> --help' for the options of a command.\n";

/// Removes `--max-input-mb N` / `--max-input-mb=N` from the arguments and
/// applies it to every kind of input file. Returns false (usage error printed)
/// on a bad value.
bool take_max_input_mb(int* argc, char** argv) {
  int out = 0;
  for (int i = 0; i < *argc; ++i) {
    std::string a = argv[i];
    std::string value;
    if (a == "--max-input-mb") {
      if (i + 1 >= *argc) {
        std::fprintf(stderr, "crossview: option --max-input-mb needs a value\n");
        return false;
      }
      value = argv[++i];
    } else if (a.rfind("--max-input-mb=", 0) == 0) {
      value = a.substr(15);
    } else {
      argv[out++] = argv[i];
      continue;
    }
    char* end = nullptr;
    errno = 0;
    const double mb = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || errno != 0 || !(mb >= 1e-3 && mb <= 1e9)) {
      std::fprintf(stderr, "crossview: --max-input-mb expects a number of MiB in [0.001, 1e9], got '%s'\n",
                   value.c_str());
      return false;
    }
    const auto bytes = static_cast<std::uint64_t>(mb * 1048576.0);
    using crossview::io::FileKind;
    for (FileKind k : {FileKind::kCalibration, FileKind::kKeypoints, FileKind::kConfig, FileKind::kSequence,
                       FileKind::kArray, FileKind::kModel}) {
      crossview::io::set_max_file_bytes(k, bytes);
    }
  }
  argv[out] = nullptr;
  *argc = out;
  return true;
}

int dispatch(const std::string& command, int argc, char** argv) {
  if (command == "demo") return crossview::cli::run_demo(argc, argv);
  if (command == "triangulate") return crossview::cli::run_triangulate(argc, argv);
  if (command == "calibrate") return crossview::cli::run_calibrate(argc, argv);
  if (command == "calibrate-relative") return crossview::cli::run_calibrate_relative(argc, argv);
  if (command == "rpsm") return crossview::cli::run_rpsm(argc, argv);
  if (command == "eval") return crossview::cli::run_eval(argc, argv);
  std::fprintf(stderr, "crossview: unknown command '%s' (see crossview --help)\n", command.c_str());
  return 2;
}

/// Standard output flushed and closed with every error checked: a summary
/// that could not be written is a failure (exit 1), never a silent exit 0.
int finish(int status) {
  try {
    crossview::cli::check_stdout();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crossview: error: %s\n", e.what());
    return status == 0 ? 1 : status;
  }
  if (std::fclose(stdout) != 0) {
    std::fprintf(stderr, "crossview: error: cannot write to standard output: %s\n", std::strerror(errno));
    return status == 0 ? 1 : status;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (!take_max_input_mb(&argc, argv)) return 2;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return finish(argc < 2 ? 2 : 0);
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("crossview %s\n", crossview::library_version());
    return finish(0);
  }
  const std::string command = argv[1];
  try {
    return finish(dispatch(command, argc - 2, argv + 2));
  } catch (const crossview::cli::UsageError& e) {
    std::fprintf(stderr, "crossview %s\n", e.what());
    return finish(2);
  } catch (const std::exception& e) {
    std::string message = e.what();  // one line, whatever the library put in it
    std::replace(message.begin(), message.end(), '\n', ' ');
    std::fprintf(stderr, "crossview %s: error: %s\n", command.c_str(), message.c_str());
    return finish(1);
  }
}
