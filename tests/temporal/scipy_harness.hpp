// Runs tests/temporal/scipy_reference.py (Debian's /usr/bin/python3 with
// SciPy) on a sequence and reads back its output: the peer the temporal
// filters are compared with.
#pragma once

#include <crossview/temporal/sequence.hpp>

#include <Eigen/Core>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace crossview_test {

struct ScipyOutput {
  Eigen::Matrix3Xd points;
  std::vector<std::uint8_t> states;  ///< SampleState codes
};

inline std::filesystem::path scratch_dir() {
  static std::atomic<int> counter{0};
  const auto dir = std::filesystem::temp_directory_path() /
                   ("crossview_temporal_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write_raw(const std::filesystem::path& p, const void* data, std::size_t bytes) {
  std::ofstream f(p, std::ios::binary);
  f.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

inline std::vector<char> read_raw(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + p.string());
  return std::vector<char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

/// One case for the reference script: an op and its key=value arguments.
struct ScipyJob {
  std::string op;
  std::string args;
};

/// Runs every job of the reference script on (sequence, validity) in one
/// python process. Throws std::runtime_error when the script fails.
inline std::vector<ScipyOutput> run_scipy(const std::vector<ScipyJob>& jobs, const Eigen::Matrix3Xd& sequence,
                                          int num_joints, const std::vector<std::uint8_t>& validity) {
  const auto dir = scratch_dir();
  const int F = static_cast<int>(sequence.cols() / num_joints);
  write_raw(dir / "in.bin", sequence.data(), sizeof(double) * static_cast<std::size_t>(sequence.size()));
  write_raw(dir / "valid.bin", validity.data(), validity.size());
  std::string cmd = std::string(CROSSVIEW_PYTHON3) + " " + CROSSVIEW_TEMPORAL_SCIPY_SCRIPT + " " + std::to_string(F) +
                    " " + std::to_string(num_joints) + " " + (dir / "in.bin").string() + " " +
                    (dir / "valid.bin").string() + " " + (dir / "out").string() + " " + (dir / "states").string();
  for (std::size_t k = 0; k < jobs.size(); ++k) cmd += (k ? " -- " : " ") + jobs[k].op + " " + jobs[k].args;
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("scipy reference failed: " + cmd);
  std::vector<ScipyOutput> outs;
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    const std::string suffix = "." + std::to_string(k);
    const auto bytes = read_raw(dir / ("out" + suffix));
    ScipyOutput out;
    if (jobs[k].op == "butter_coeffs") {  // b then a, in points.row(0)
      out.points.setZero(3, static_cast<Eigen::Index>(bytes.size() / sizeof(double)));
      Eigen::VectorXd v(out.points.cols());
      std::memcpy(v.data(), bytes.data(), bytes.size());
      out.points.row(0) = v.transpose();
    } else {
      if (bytes.size() != sizeof(double) * static_cast<std::size_t>(sequence.size())) {
        throw std::runtime_error("scipy reference wrote " + std::to_string(bytes.size()) + " bytes");
      }
      out.points.resize(3, sequence.cols());
      std::memcpy(out.points.data(), bytes.data(), bytes.size());
      const auto st = read_raw(dir / ("states" + suffix));
      out.states.assign(st.begin(), st.end());
    }
    outs.push_back(std::move(out));
  }
  std::filesystem::remove_all(dir);
  return outs;
}

}  // namespace crossview_test
