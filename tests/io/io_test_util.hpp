// Helpers for the crossview::io tests: temp files and IoError checks.
#pragma once

#include <crossview/io/error.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace io_test {

/// A file in a fresh temp folder, deleted with the object.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content) {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("crossview_io_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / name).string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }
  std::string dir() const { return dir_.string(); }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

/// Runs `f`, which must throw crossview::io::IoError whose field() equals
/// `field` and whose message names `file` and contains `expected`.
template <typename F>
void require_io_error(F&& f, const std::string& file, const std::string& field, const std::string& expected) {
  bool thrown = false;
  try {
    f();
  } catch (const crossview::io::IoError& e) {
    thrown = true;
    const std::string msg = e.what();
    INFO("message: " << msg);
    CHECK(e.file() == file);
    CHECK(e.field() == field);
    CHECK(msg.find(file) != std::string::npos);
    CHECK(msg.find(expected) != std::string::npos);
  }
  INFO("expected an IoError on field '" << field << "' containing '" << expected << "'");
  CHECK(thrown);
}

/// Replaces the first occurrence of `from` in `s` (which must exist).
inline std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

}  // namespace io_test
