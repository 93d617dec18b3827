// A per-process scratch folder for fuzz targets whose readers take paths.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace crossview::fuzz {

/// In memory (/dev/shm) when the machine has it: on ext4, truncating and
/// rewriting a file forces its data to disk on close (auto_da_alloc), which
/// made a target writing five files per input run at ~60 inputs/s.
/// Removed again when the process exits normally.
inline const std::string& scratch_dir() {
  struct Dir {
    std::string path;
    Dir() {
      std::error_code ec;
      const std::filesystem::path base =
          std::filesystem::is_directory("/dev/shm", ec) ? std::filesystem::path("/dev/shm")
                                                        : std::filesystem::temp_directory_path();
      const auto d = base / ("crossview_fuzz_" + std::to_string(::getpid()));
      std::filesystem::create_directories(d);
      path = d.string();
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

/// Writes `bytes` to scratch_dir()/name (a new file each time: the old one is
/// unlinked, never truncated) and returns the path.
inline std::string write_scratch(const std::string& name, std::string_view bytes) {
  const std::string path = scratch_dir() + "/" + name;
  std::remove(path.c_str());
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

}  // namespace crossview::fuzz
