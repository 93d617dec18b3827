// crossview::io: the single exception type of the I/O layer.
//
// Every reader reports a malformed, truncated or inconsistent file by throwing
// IoError; it never returns a partially filled object and never crashes. The
// message always names the file, the field (a path such as
// `cam_02.matrix[1][2]` or `people[0].pose_keypoints_2d[7]`; empty for
// whole-file problems such as "cannot open") and what was expected:
//
//   /data/Calib.toml: cam_02.matrix[1][2]: expected a finite number, got nan
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace crossview::io {

class IoError : public std::runtime_error {
 public:
  IoError(std::string file, std::string field, const std::string& problem)
      : std::runtime_error(compose(file, field, problem)),
        file_(std::move(file)),
        field_(std::move(field)) {}

  /// The file (or source name) being read or written.
  const std::string& file() const { return file_; }
  /// Path of the offending field inside the file, empty for whole-file errors.
  const std::string& field() const { return field_; }

 private:
  static std::string compose(const std::string& file, const std::string& field,
                             const std::string& problem) {
    std::string s = file.empty() ? std::string("<unnamed>") : file;
    if (!field.empty()) s += ": " + field;
    s += ": " + problem;
    return s;
  }
  std::string file_;
  std::string field_;
};

}  // namespace crossview::io
