// BVH reader, forward kinematics and the Human3.6M 17-joint mapping.
#include <crossview/io/bvh.hpp>

#include "io_common.hpp"

#include <Eigen/Geometry>

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace crossview::io {

using detail::format_double;
using detail::index_field;

const char* to_string(BvhChannel channel) {
  switch (channel) {
    case BvhChannel::kXposition: return "Xposition";
    case BvhChannel::kYposition: return "Yposition";
    case BvhChannel::kZposition: return "Zposition";
    case BvhChannel::kXrotation: return "Xrotation";
    case BvhChannel::kYrotation: return "Yrotation";
    case BvhChannel::kZrotation: return "Zrotation";
  }
  return "unknown";
}

int BvhMotion::find_joint(std::string_view name) const {
  for (std::size_t i = 0; i < joints.size(); ++i) {
    if (joints[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

const double* BvhMotion::frame(int f) const {
  if (f < 0 || f >= num_frames) {
    throw std::out_of_range("BvhMotion::frame: frame " + std::to_string(f) + " outside [0, " +
                            std::to_string(num_frames) + ")");
  }
  return values.data() + static_cast<std::size_t>(f) * static_cast<std::size_t>(num_channels);
}

namespace {

constexpr int kMaxDepth = 512;
/// Largest |offset| or |position channel| accepted: far beyond any physical unit
/// (1e15 mm is 7000 astronomical units), small enough that forward kinematics
/// over kMaxDepth joints, scaled to millimetres, stays finite.
constexpr double kMaxLength = 1e15;

struct Token {
  std::string_view text;
  int line = 0;
};

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  int line = 1;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else {
      const std::size_t start = i;
      while (i < s.size() && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == '\f' || s[i] == '\v')) ++i;
      out.push_back({s.substr(start, i - start), line});
    }
  }
  return out;
}

class BvhParser {
 public:
  BvhParser(std::string_view text, std::string file) : tokens_(tokenize(text)), file_(std::move(file)) {}

  BvhMotion parse() {
    BvhMotion m;
    expect("HIERARCHY", "HIERARCHY");
    const Token& root = next("ROOT", "the ROOT keyword");
    if (root.text != "ROOT") fail("ROOT", "expected ROOT", root);
    parse_joint(&m, -1, 0);
    // Motion section.
    const Token& kw = next("MOTION", "MOTION (a single ROOT hierarchy)");
    if (kw.text != "MOTION") fail("MOTION", "expected MOTION (a single ROOT hierarchy is supported)", kw);
    expect("Frames:", "MOTION.Frames");
    const double frames = number("MOTION.Frames");
    if (frames < 0.0 || frames != std::floor(frames) || frames > 1e8) {
      throw IoError(file_, "MOTION.Frames", "expected a non-negative integer, got " + format_double(frames));
    }
    m.num_frames = static_cast<int>(frames);
    expect("Frame", "MOTION.Frame Time");
    expect("Time:", "MOTION.Frame Time");
    m.frame_time_s = number("MOTION.Frame Time");
    if (!(m.frame_time_s > 0.0)) {
      throw IoError(file_, "MOTION.Frame Time", "expected a positive duration in seconds, got " + format_double(m.frame_time_s));
    }
    m.num_channels = num_channels_;
    if (num_channels_ == 0 && m.num_frames > 1) {
      // Without channels every Frames count "matches" the (empty) data: a still
      // rest pose is one frame, not 1e8 frames made of nothing.
      throw IoError(file_, "HIERARCHY", "expected at least one CHANNELS entry for " +
                                            std::to_string(m.num_frames) +
                                            " frames of motion (a hierarchy without channels is one rest pose)");
    }
    const std::size_t needed = static_cast<std::size_t>(m.num_frames) * static_cast<std::size_t>(num_channels_);
    const std::size_t available = tokens_.size() - pos_;
    if (available != needed) {
      const std::size_t complete = num_channels_ > 0 ? available / static_cast<std::size_t>(num_channels_) : 0;
      throw IoError(file_, "MOTION",
                    "expected " + std::to_string(m.num_frames) + " frames of " + std::to_string(num_channels_) +
                        " values (Frames: " + std::to_string(m.num_frames) + "), got " + std::to_string(available) +
                        " values (" + std::to_string(complete) + " complete frames)" +
                        (available < needed ? ": file truncated" : ": extra values"));
    }
    // Column -> "joint.channel" for messages.
    std::vector<std::pair<int, int>> column(static_cast<std::size_t>(num_channels_));
    for (std::size_t j = 0; j < m.joints.size(); ++j) {
      for (std::size_t c = 0; c < m.joints[j].channels.size(); ++c) {
        column[static_cast<std::size_t>(m.joints[j].first_channel) + c] = {static_cast<int>(j), static_cast<int>(c)};
      }
    }
    m.values.resize(needed);
    for (std::size_t k = 0; k < needed; ++k) {
      const Token& t = tokens_[pos_++];
      double v = 0.0;
      const auto [j, c] = column[k % static_cast<std::size_t>(num_channels_)];
      const BvhJoint& joint = m.joints[static_cast<std::size_t>(j)];
      const BvhChannel channel = joint.channels[static_cast<std::size_t>(c)];
      const bool position = channel == BvhChannel::kXposition || channel == BvhChannel::kYposition ||
                            channel == BvhChannel::kZposition;
      if (!to_double(t.text, &v) || !std::isfinite(v) || (position && std::abs(v) > kMaxLength)) {
        const std::size_t f = k / static_cast<std::size_t>(num_channels_);
        throw IoError(file_, "MOTION.frame " + std::to_string(f) + "." + joint.name + "." + to_string(channel),
                      std::string(position ? "expected a finite position with |value| <= 1e15"
                                           : "expected a finite number") +
                          ", got '" + std::string(t.text) + "' (line " + std::to_string(t.line) + ")");
      }
      m.values[k] = v;
    }
    return m;
  }

 private:
  static bool to_double(std::string_view s, double* v) {
    const char* b = s.data();
    const char* e = s.data() + s.size();
    if (b != e && *b == '+') ++b;
    const auto res = std::from_chars(b, e, *v);
    return res.ec == std::errc() && res.ptr == e;
  }

  [[noreturn]] void fail(const std::string& field, const std::string& expected, const Token& got) const {
    throw IoError(file_, field, expected + ", got '" + std::string(got.text) + "' (line " + std::to_string(got.line) + ")");
  }

  const Token& next(const std::string& field, const std::string& what) {
    if (pos_ >= tokens_.size()) {
      throw IoError(file_, field, "expected " + what + ", got the end of the file (truncated)");
    }
    return tokens_[pos_++];
  }

  void expect(std::string_view keyword, const std::string& field) {
    const Token& t = next(field, std::string(keyword));
    if (t.text != keyword) fail(field, "expected '" + std::string(keyword) + "'", t);
  }

  double number(const std::string& field) {
    const Token& t = next(field, "a number");
    double v = 0.0;
    if (!to_double(t.text, &v)) fail(field, "expected a number", t);
    if (!std::isfinite(v)) fail(field, "expected a finite number", t);
    return v;
  }

  Eigen::Vector3d offset(const std::string& joint) {
    const std::string f = joint + ".OFFSET";
    expect("OFFSET", f);
    Eigen::Vector3d o;
    for (int i = 0; i < 3; ++i) {
      const std::string fi = index_field(f, static_cast<std::size_t>(i));
      o[i] = number(fi);
      if (std::abs(o[i]) > kMaxLength) {
        throw IoError(file_, fi, "expected |offset| <= 1e15, got " + format_double(o[i]));
      }
    }
    return o;
  }

  void parse_joint(BvhMotion* m, int parent, int depth) {
    if (depth > kMaxDepth) throw IoError(file_, "HIERARCHY", "expected at most 512 nested joints");
    const Token& name_tok = next("HIERARCHY", "a joint name");
    BvhJoint joint;
    joint.name = std::string(name_tok.text);
    joint.parent = parent;
    if (joint.name == "{" || joint.name == "}") fail("HIERARCHY", "expected a joint name", name_tok);
    if (m->find_joint(joint.name) >= 0) fail(joint.name, "expected a unique joint name", name_tok);
    expect("{", joint.name);
    joint.offset = offset(joint.name);
    const std::string f_ch = joint.name + ".CHANNELS";
    expect("CHANNELS", f_ch);
    const double n = number(f_ch);
    if (n < 0.0 || n > 6.0 || n != std::floor(n)) {
      throw IoError(file_, f_ch, "expected a channel count between 0 and 6, got " + format_double(n));
    }
    for (int i = 0; i < static_cast<int>(n); ++i) {
      const std::string f = index_field(f_ch, static_cast<std::size_t>(i));
      const Token& t = next(f, "a channel name");
      static constexpr BvhChannel kAll[] = {BvhChannel::kXposition, BvhChannel::kYposition, BvhChannel::kZposition,
                                            BvhChannel::kXrotation, BvhChannel::kYrotation, BvhChannel::kZrotation};
      bool found = false;
      for (BvhChannel c : kAll) {
        if (t.text == to_string(c)) {
          joint.channels.push_back(c);
          found = true;
        }
      }
      if (!found) fail(f, "expected one of Xposition Yposition Zposition Xrotation Yrotation Zrotation", t);
    }
    joint.first_channel = num_channels_;
    num_channels_ += static_cast<int>(joint.channels.size());
    const int index = static_cast<int>(m->joints.size());
    const std::string name = joint.name;
    m->joints.push_back(std::move(joint));
    for (;;) {
      const Token& t = next(name, "JOINT, End Site or '}'");
      if (t.text == "}") return;
      if (t.text == "JOINT") {
        parse_joint(m, index, depth + 1);
      } else if (t.text == "End") {
        expect("Site", name + ".End Site");
        BvhJoint end;
        end.name = name + "_End";
        end.parent = index;
        end.is_end_site = true;
        end.first_channel = num_channels_;
        expect("{", end.name);
        end.offset = offset(end.name);
        expect("}", end.name);
        m->joints.push_back(std::move(end));
      } else {
        fail(name, "expected JOINT, End Site or '}'", t);
      }
    }
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::string file_;
  int num_channels_ = 0;
};

Eigen::Matrix3d axis_rotation(BvhChannel c, double degrees) {
  const double a = degrees * (3.14159265358979323846 / 180.0);
  switch (c) {
    case BvhChannel::kXrotation: return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitX()).toRotationMatrix();
    case BvhChannel::kYrotation: return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitY()).toRotationMatrix();
    case BvhChannel::kZrotation: return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitZ()).toRotationMatrix();
    default: return Eigen::Matrix3d::Identity();
  }
}

}  // namespace

BvhMotion parse_bvh(std::string_view text, const std::string& source_name) {
  return BvhParser(text, source_name).parse();
}

BvhMotion read_bvh(const std::string& path) { return parse_bvh(detail::read_text_file(path, FileKind::kSequence), path); }

Points3d forward_kinematics(const BvhMotion& motion, int frame, double scale) {
  const double* v = motion.frame(frame);
  const std::size_t n = motion.joints.size();
  std::vector<Eigen::Matrix3d> world_R(n);
  Eigen::Matrix3Xd pos(3, static_cast<Eigen::Index>(n));
  for (std::size_t j = 0; j < n; ++j) {
    const BvhJoint& joint = motion.joints[j];
    Eigen::Vector3d t = joint.offset;
    Eigen::Matrix3d R = Eigen::Matrix3d::Identity();
    for (std::size_t c = 0; c < joint.channels.size(); ++c) {
      const double value = v[static_cast<std::size_t>(joint.first_channel) + c];
      switch (joint.channels[c]) {
        case BvhChannel::kXposition: t.x() += value; break;
        case BvhChannel::kYposition: t.y() += value; break;
        case BvhChannel::kZposition: t.z() += value; break;
        default: R = R * axis_rotation(joint.channels[c], value); break;
      }
    }
    const auto col = static_cast<Eigen::Index>(j);
    if (joint.parent < 0) {
      world_R[j] = R;
      pos.col(col) = t;
    } else {
      const auto p = static_cast<std::size_t>(joint.parent);
      world_R[j] = world_R[p] * R;
      pos.col(col) = pos.col(static_cast<Eigen::Index>(p)) + world_R[p] * t;
    }
  }
  return pos * scale;
}

// ---------------------------------------------------------------------------
// Human3.6M mapping

BvhH36mMapping cmu_h36m_mapping() {
  return {"Hips",
          "RightUpLeg|RightHip",
          "RightLeg|RightKnee",
          "RightFoot|RightAnkle",
          "LeftUpLeg|LeftHip",
          "LeftLeg|LeftKnee",
          "LeftFoot|LeftAnkle",
          "Chest+Chest2|Spine1",
          "Neck",
          "Head",
          "Head_End",
          "LeftArm|LeftShoulder",
          "LeftForeArm|LeftElbow",
          "LeftHand|LeftWrist",
          "RightArm|RightShoulder",
          "RightForeArm|RightElbow",
          "RightHand|RightWrist"};
}

void BvhToH36mOptions::validate() const {
  if (!(mm_per_unit > 0.0) || !(mm_per_unit <= 1e6)) {
    throw std::invalid_argument("BvhToH36mOptions::mm_per_unit must be in (0, 1e6], got " + format_double(mm_per_unit));
  }
  for (int i = 0; i < pose::h36m::kNumJoints; ++i) {
    if (mapping[static_cast<std::size_t>(i)].empty()) {
      throw std::invalid_argument(std::string("BvhToH36mOptions::mapping[") + pose::h36m::kJointNames[static_cast<std::size_t>(i)] +
                                  "] must not be empty");
    }
  }
}

namespace {
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}
}  // namespace

std::array<std::vector<int>, pose::h36m::kNumJoints> resolve_h36m_mapping(const BvhMotion& motion,
                                                                          const BvhH36mMapping& mapping) {
  std::array<std::vector<int>, pose::h36m::kNumJoints> out;
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (const std::string& alternative : split(mapping[i], '|')) {
      std::vector<int> idx;
      for (const std::string& name : split(alternative, '+')) {
        const int j = motion.find_joint(name);
        if (j < 0) {
          idx.clear();
          break;
        }
        idx.push_back(j);
      }
      if (!idx.empty()) {
        out[i] = std::move(idx);
        break;
      }
    }
    if (out[i].empty()) {
      throw std::invalid_argument(std::string("resolve_h36m_mapping: no BVH joint matches H36M joint '") +
                                  pose::h36m::kJointNames[i] + "' (spec \"" + mapping[i] + "\")");
    }
  }
  return out;
}

namespace {
/// Writes the 17 H36M joints of one frame into out (3 x 17 columns).
template <typename Out>
void pose_from_fk(const Eigen::Matrix3Xd& fk, const std::array<std::vector<int>, pose::h36m::kNumJoints>& idx, bool z_up,
                  Out&& out) {
  for (std::size_t i = 0; i < idx.size(); ++i) {
    Eigen::Vector3d p = Eigen::Vector3d::Zero();
    for (int j : idx[i]) p += fk.col(j);
    p /= static_cast<double>(idx[i].size());
    if (z_up) p = Eigen::Vector3d(p.x(), -p.z(), p.y());
    out.col(static_cast<Eigen::Index>(i)) = p;
  }
}
}  // namespace

Points3d to_h36m_17(const BvhMotion& motion, const BvhToH36mOptions& options) {
  options.validate();
  const auto idx = resolve_h36m_mapping(motion, options.mapping);
  constexpr Eigen::Index J = pose::h36m::kNumJoints;
  Points3d out(3, J * motion.num_frames);
  for (int f = 0; f < motion.num_frames; ++f) {
    pose_from_fk(forward_kinematics(motion, f, options.mm_per_unit), idx, options.z_up, out.middleCols(f * J, J));
  }
  return out;
}

Points3d to_h36m_17(const BvhMotion& motion, int frame, const BvhToH36mOptions& options) {
  options.validate();
  const auto idx = resolve_h36m_mapping(motion, options.mapping);
  Points3d out(3, pose::h36m::kNumJoints);
  pose_from_fk(forward_kinematics(motion, frame, options.mm_per_unit), idx, options.z_up, out);
  return out;
}

}  // namespace crossview::io
