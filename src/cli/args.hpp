// crossview CLI: a small, strict command-line parser. Unknown options, missing
// values, empty values ('') and malformed numbers are errors with one clear
// message.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::cli {

/// A usage error: printed as one line, exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  /// `flags` are options without a value (e.g. --quiet); `options` take one
  /// value (--frames 10 or --frames=10); `multi` may repeat or take several
  /// values up to the next option (--keypoints a b c).
  Args(const std::string& command, int argc, char** argv, const std::vector<std::string>& flags,
       const std::vector<std::string>& options, const std::vector<std::string>& multi = {})
      : command_(command) {
    for (int i = 0; i < argc; ++i) {
      std::string arg = argv[i];
      std::string value;
      bool has_value = false;
      if (arg.rfind("--", 0) != 0) throw UsageError(command + ": unexpected argument '" + arg + "'");
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_value = true;
      }
      const std::string name = arg.substr(2);
      if (contains(flags, name)) {
        if (has_value) throw UsageError(command + ": option --" + name + " takes no value");
        flags_[name] = true;
      } else if (contains(options, name)) {
        if (!has_value) {
          if (i + 1 >= argc) throw UsageError(command + ": option --" + name + " needs a value");
          value = argv[++i];
        }
        if (value.empty()) throw UsageError(command + ": option --" + name + " needs a value, got ''");
        values_[name] = {value};
      } else if (contains(multi, name)) {
        std::vector<std::string>& list = values_[name];
        if (has_value) list.push_back(value);
        while (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) list.emplace_back(argv[++i]);
        if (list.empty()) throw UsageError(command + ": option --" + name + " needs at least one value");
        for (const auto& v : list) {
          if (v.empty()) throw UsageError(command + ": option --" + name + " has an empty value ''");
        }
      } else {
        throw UsageError(command + ": unknown option '" + arg + "' (see " + command + " --help)");
      }
    }
  }

  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = {}) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second.front();
  }
  std::vector<std::string> list(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
  }
  std::string require(const std::string& name) const {
    if (!has(name)) throw UsageError(command_ + ": missing required option --" + name);
    return get(name);
  }
  long get_int(const std::string& name, long fallback, long min_value, long max_value) const {
    if (!has(name)) return fallback;
    const std::string text = get(name);
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || v < min_value || v > max_value) {
      throw UsageError(command_ + ": --" + name + " expects an integer in [" + std::to_string(min_value) +
                       ", " + std::to_string(max_value) + "], got '" + text + "'");
    }
    return v;
  }
  double get_double(const std::string& name, double fallback, double min_value, double max_value) const {
    if (!has(name)) return fallback;
    const std::string text = get(name);
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno != 0 || !(v >= min_value && v <= max_value)) {
      throw UsageError(command_ + ": --" + name + " expects a number in [" + std::to_string(min_value) +
                       ", " + std::to_string(max_value) + "], got '" + text + "'");
    }
    return v;
  }

 private:
  static bool contains(const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v) {
      if (x == s) return true;
    }
    return false;
  }
  std::string command_;
  std::map<std::string, bool> flags_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace crossview::cli
