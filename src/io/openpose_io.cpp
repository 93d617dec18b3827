// OpenPose JSON reader, folder reader and main-person selection.
#include <crossview/io/openpose.hpp>

#include "io_common.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <utility>

namespace crossview::io {

using detail::index_field;
using detail::member_field;

const std::array<const char*, kNumBody25bJoints>& body25b_joint_names() {
  static const std::array<const char*, kNumBody25bJoints> kNames = {
      "Nose",      "LEye",   "REye",   "LEar",   "REar",    "LShoulder", "RShoulder", "LElbow",    "RElbow",
      "LWrist",    "RWrist", "LHip",   "RHip",   "LKnee",   "RKnee",     "LAnkle",    "RAnkle",    "Neck",
      "Head",      "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel"};
  return kNames;
}

int body25b_index(std::string_view name) {
  const auto& names = body25b_joint_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (name == names[i]) return static_cast<int>(i);
  }
  return -1;
}

int OpenPosePerson::num_detected() const {
  int n = 0;
  for (int j = 0; j < num_joints(); ++j) n += is_detected(j) ? 1 : 0;
  return n;
}

double OpenPosePerson::mean_detected_score() const {
  double sum = 0.0;
  int n = 0;
  for (int j = 0; j < num_joints(); ++j) {
    if (is_detected(j)) {
      sum += scores[j];
      ++n;
    }
  }
  return n > 0 ? sum / n : 0.0;
}

OpenPoseFrame parse_openpose_json(const std::string& text, const std::string& source_name, int expected_joints) {
  if (expected_joints < 0) throw std::invalid_argument("parse_openpose_json: expected_joints must be >= 0");
  const detail::JsonReader rd{source_name};
  const detail::Json root = rd.parse(text);
  rd.object(root, "");
  const detail::Json& people = rd.array(rd.member(root, "people", ""), "people");
  OpenPoseFrame frame;
  frame.path = source_name;
  int joints = expected_joints;
  std::vector<std::size_t> empty_people;  // filled once the joint count is known
  for (std::size_t i = 0; i < people.size(); ++i) {
    const std::string f = index_field("people", i);
    const detail::Json& jp = rd.object(people[i], f);
    OpenPosePerson person;
    if (const auto it = jp.find("person_id"); it != jp.end()) {
      const std::string fid = member_field(f, "person_id");
      if (it->is_array()) {
        if (!it->empty()) person.person_id = rd.integer((*it)[0], index_field(fid, 0));
      } else {
        person.person_id = rd.integer(*it, fid);
      }
    }
    const std::string fk = member_field(f, "pose_keypoints_2d");
    const detail::Json& kp = rd.array(rd.member(jp, "pose_keypoints_2d", f), fk);
    if (kp.size() % 3 != 0) {
      throw IoError(source_name, fk, "expected a multiple of 3 values (x y score triplets), got " + std::to_string(kp.size()));
    }
    if (kp.empty()) {
      // A person without body keypoints (Pose2Sim's association writes such
      // placeholders; OpenPose writes [] when body keypoints were not
      // computed): every joint missing. It does not set the joint count (an
      // empty first person once reset the count for the next one, found by
      // fuzz_io_openpose_json); its joints are filled in after the loop.
      empty_people.push_back(frame.people.size());
      frame.people.push_back(std::move(person));
      continue;
    }
    const int n = static_cast<int>(kp.size() / 3);
    if (joints == 0) joints = n;
    if (n != joints) {
      throw IoError(source_name, fk, "expected " + std::to_string(joints) + " joints (" + std::to_string(3 * joints) +
                                         " values" + (expected_joints > 0 ? "" : ", as the first person") + "), got " +
                                         std::to_string(n) + " joints");
    }
    person.keypoints_px.resize(2, n);
    person.scores.resize(n);
    for (int j = 0; j < n; ++j) {
      const auto k = static_cast<std::size_t>(3 * j);
      const double x = rd.number(kp[k], index_field(fk, k));
      const double y = rd.number(kp[k + 1], index_field(fk, k + 1));
      const double s = rd.number(kp[k + 2], index_field(fk, k + 2));
      if (s < 0.0) throw IoError(source_name, index_field(fk, k + 2), "expected a score >= 0, got " + detail::format_double(s));
      if (s > 0.0) {
        person.keypoints_px.col(j) << x, y;
        person.scores[j] = s;
      } else {
        person.keypoints_px.col(j).setConstant(std::numeric_limits<double>::quiet_NaN());
        person.scores[j] = 0.0;
      }
    }
    frame.people.push_back(std::move(person));
  }
  for (std::size_t i : empty_people) {
    OpenPosePerson& person = frame.people[i];
    person.keypoints_px.setConstant(2, joints, std::numeric_limits<double>::quiet_NaN());
    person.scores.setZero(joints);
  }
  return frame;
}

OpenPoseFrame read_openpose_json(const std::string& path, int expected_joints) {
  return parse_openpose_json(detail::read_text_file(path, FileKind::kKeypoints), path, expected_joints);
}

long long frame_number_from_filename(const std::string& filename) {
  const std::string stem = std::filesystem::path(filename).stem().string();
  std::size_t end = stem.size();
  while (end > 0 && !(stem[end - 1] >= '0' && stem[end - 1] <= '9')) --end;
  if (end == 0) return -1;
  std::size_t begin = end;
  while (begin > 0 && stem[begin - 1] >= '0' && stem[begin - 1] <= '9') --begin;
  // Strip leading zeros, then guard against overflow (at most 18 digits).
  std::size_t first = begin;
  while (first + 1 < end && stem[first] == '0') ++first;
  if (end - first > 18) return -1;
  return std::stoll(stem.substr(first, end - first));
}

std::vector<OpenPoseFrame> read_openpose_folder(const std::string& folder, int expected_joints) {
  namespace fs = std::filesystem;
  std::vector<std::pair<long long, std::string>> files;
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) throw IoError(folder, "", "cannot list folder (" + ec.message() + ")");
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) throw IoError(folder, "", "cannot list folder (" + ec.message() + ")");
    const fs::path& p = it->path();
    if (p.extension() != ".json" || !it->is_regular_file(ec)) continue;
    const long long n = frame_number_from_filename(p.filename().string());
    if (n < 0) throw IoError(p.string(), "", "expected a frame number in the file name");
    files.emplace_back(n, p.string());
  }
  std::sort(files.begin(), files.end());
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].first == files[i - 1].first) {
      throw IoError(files[i].second, "", "expected a unique frame number, " + std::to_string(files[i].first) +
                                             " is also the number of " + files[i - 1].second);
    }
  }
  std::vector<OpenPoseFrame> frames;
  frames.reserve(files.size());
  for (const auto& [n, path] : files) {
    OpenPoseFrame f = read_openpose_json(path, expected_joints);
    if (n > std::numeric_limits<int>::max()) throw IoError(path, "", "expected a frame number below 2^31");
    f.frame_number = static_cast<int>(n);
    frames.push_back(std::move(f));
  }
  return frames;
}

void MainPersonOptions::validate() const {
  if (min_detected_joints < 1) {
    throw std::invalid_argument("MainPersonOptions::min_detected_joints must be >= 1, got " + std::to_string(min_detected_joints));
  }
  if (!(max_jump_px > 0.0) || !std::isfinite(max_jump_px)) {
    throw std::invalid_argument("MainPersonOptions::max_jump_px must be finite and > 0");
  }
}

namespace {
/// Mean distance over joints detected in both; +inf when none is shared.
double mean_distance_px(const OpenPosePerson& a, const OpenPosePerson& b) {
  if (a.num_joints() != b.num_joints()) return std::numeric_limits<double>::infinity();
  double sum = 0.0;
  int n = 0;
  for (int j = 0; j < a.num_joints(); ++j) {
    if (a.is_detected(j) && b.is_detected(j)) {
      sum += (a.keypoints_px.col(j) - b.keypoints_px.col(j)).norm();
      ++n;
    }
  }
  return n > 0 ? sum / n : std::numeric_limits<double>::infinity();
}
}  // namespace

std::vector<int> select_main_person(const std::vector<OpenPoseFrame>& frames, const MainPersonOptions& options) {
  options.validate();
  std::vector<int> chosen(frames.size(), -1);
  const OpenPosePerson* previous = nullptr;
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const auto& people = frames[f].people;
    int best = -1;
    if (options.prefer_previous && previous != nullptr) {
      double best_d = options.max_jump_px;
      for (std::size_t i = 0; i < people.size(); ++i) {
        if (people[i].num_detected() < options.min_detected_joints) continue;
        const double d = mean_distance_px(people[i], *previous);
        if (d <= best_d && (best < 0 || d < best_d)) {
          best = static_cast<int>(i);
          best_d = d;
        }
      }
    }
    if (best < 0) {
      double best_score = -1.0;
      for (std::size_t i = 0; i < people.size(); ++i) {
        if (people[i].num_detected() < options.min_detected_joints) continue;
        const double s = people[i].mean_detected_score();
        if (s > best_score) {
          best = static_cast<int>(i);
          best_score = s;
        }
      }
    }
    chosen[f] = best;
    if (best >= 0) previous = &people[static_cast<std::size_t>(best)];
  }
  return chosen;
}

}  // namespace crossview::io
