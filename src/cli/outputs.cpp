#include "outputs.hpp"

#include "args.hpp"

#include <crossview/io/error.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace crossview::cli {

namespace {

/// The longest file name (one path component) the output's folder accepts.
std::size_t max_name_length(const std::filesystem::path& folder) {
  errno = 0;
  const long n = ::pathconf(folder.empty() ? "." : folder.c_str(), _PC_NAME_MAX);
  return n > 0 ? static_cast<std::size_t>(n) : std::size_t{255};
}

}  // namespace

std::string lower_extension(const std::string& path) {
  const std::size_t dot = path.find_last_of('.');
  const std::size_t slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
  std::string ext = path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

void RunOutputs::input(const std::string& path) {
  if (!path.empty()) set_.protect_input(path);
}

void RunOutputs::input_folder(const std::string& folder) {
  if (folder.empty()) return;
  std::error_code ec;
  if (std::filesystem::is_directory(folder, ec)) {
    set_.protect_input_folder(folder);
  } else {
    set_.protect_input(folder);  // a keypoint source that is one file (MMPose JSON, .h5)
  }
}

void RunOutputs::file(const std::string& option, const std::string& path, const std::vector<std::string>& extensions) {
  check_file(option, path, extensions);
  set_.declare(path);
}

void RunOutputs::check_file(const std::string& option, const std::string& path,
                            const std::vector<std::string>& extensions) const {
  if (path.empty()) throw UsageError(command_ + ": --" + option + " needs a file name, got ''");
  const std::string ext = lower_extension(path);
  if (!extensions.empty() && std::find(extensions.begin(), extensions.end(), ext) == extensions.end()) {
    std::string list;
    for (std::size_t i = 0; i < extensions.size(); ++i) {
      list += (i == 0 ? "" : (i + 1 == extensions.size() ? " or " : ", ")) + extensions[i];
    }
    throw UsageError(command_ + ": --" + option + " '" + path + "' must end in " + list);
  }
  const std::filesystem::path p(path);
  const std::string name = p.filename().string();
  if (path.find_first_of("\n\r") != std::string::npos && ext == ".trc") {
    // The .trc header holds the file name on a line of its own.
    throw io::IoError(path, "", "a .trc file name must not contain a line break (it is written into the file)");
  }
  const std::filesystem::path folder = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  if (name.size() > max_name_length(folder)) {
    throw io::IoError(path, "", "the file name is " + std::to_string(name.size()) +
                                    " characters long; the folder accepts at most " +
                                    std::to_string(max_name_length(folder)));
  }
  // The folder, checked now also for names declared later (derived names).
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    throw io::IoError(path, "", "the output's folder '" + folder.string() + "' does not exist");
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    throw io::IoError(path, "", "the output's folder '" + folder.string() + "' is not writable");
  }
}

void RunOutputs::folder(const std::string& option, const std::string& path) {
  if (path.empty()) throw UsageError(command_ + ": --" + option + " needs a folder name, got ''");
  set_.declare_folder(path, /*replace=*/true);
}

void RunOutputs::stage(const std::string& path, std::string_view content) { set_.stage(path, content); }

void RunOutputs::stage_in_folder(const std::string& folder, const std::string& relative, std::string_view content) {
  set_.stage_in_folder(folder, relative, content);
}

void RunOutputs::commit() { set_.commit(); }

void check_stdout() {
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    const int err = errno;
    throw std::runtime_error(std::string("cannot write to standard output: ") +
                             (err != 0 ? std::strerror(err) : "write error"));
  }
}

}  // namespace crossview::cli
