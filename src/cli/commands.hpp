// crossview CLI: subcommands. Each is a thin layer over the public library API
// and returns the process exit status (0 success, 1 failure, 2 usage error).
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/io/rig.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace crossview::cli {

/// Output options common to every subcommand.
struct Output {
  bool quiet = false;  ///< No progress and no table, only errors.
  bool json = false;   ///< Machine-readable JSON on stdout instead of the table.
};

/// True when the arguments ask for --help / -h.
bool wants_help(int argc, char** argv);

/// The calibration cameras of `num_folders` keypoint folders: by name when
/// `names` is given, else the cameras in file order. Without names, a rig
/// with another number of cameras is an error, unless `allow_first` (then
/// the first num_folders cameras; calibrate-relative's documented default).
std::vector<camera::Camera> cameras_for_folders(const io::Rig& rig, const std::vector<std::string>& names,
                                                std::size_t num_folders, const std::string& command,
                                                bool allow_first = false);

int run_demo(int argc, char** argv);
int run_triangulate(int argc, char** argv);
int run_calibrate(int argc, char** argv);
int run_calibrate_relative(int argc, char** argv);
int run_rpsm(int argc, char** argv);
int run_eval(int argc, char** argv);

}  // namespace crossview::cli
