// crossview: the registry of built-in skeletons (see skeletons.hpp).
#include <crossview/pose/skeletons.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace crossview::pose {

namespace {

using Pairs = std::vector<std::pair<int, int>>;

/// Index of `name` in `s`; throws std::logic_error (a registry bug) when absent.
int idx(const Skeleton& s, const std::string& name) {
  const int j = s.joint_index(name);
  if (j < 0) throw std::logic_error("skeleton registry: no joint '" + name + "' in " + s.model_name());
  return j;
}

/// Height segments from joint names: (hip, knee), (knee, ankle), (shoulder,
/// elbow), (elbow, wrist) for each side.
void add_height_and_feet(Skeleton* s, const std::vector<std::string>& hip, const std::vector<std::string>& knee,
                         const std::vector<std::string>& ankle, const std::vector<std::string>& shoulder,
                         const std::vector<std::string>& elbow, const std::vector<std::string>& wrist,
                         const std::vector<std::string>& feet) {
  std::vector<HeightSegment> seg;
  for (int side = 0; side < 2; ++side) {
    seg.push_back({idx(*s, hip[side]), idx(*s, knee[side]), kThighFraction});
    seg.push_back({idx(*s, knee[side]), idx(*s, ankle[side]), kShankFraction});
    seg.push_back({idx(*s, shoulder[side]), idx(*s, elbow[side]), kUpperArmFraction});
    seg.push_back({idx(*s, elbow[side]), idx(*s, wrist[side]), kForearmFraction});
  }
  s->set_height_segments(std::move(seg));
  std::vector<int> f;
  for (const auto& n : feet) f.push_back(idx(*s, n));
  s->set_feet(std::move(f));
}

/// For skeletons named L*/R* (OpenPose / Pose2Sim style).
void add_lr_metadata(Skeleton* s, const std::vector<std::string>& feet) {
  add_height_and_feet(s, {"LHip", "RHip"}, {"LKnee", "RKnee"}, {"LAnkle", "RAnkle"}, {"LShoulder", "RShoulder"},
                      {"LElbow", "RElbow"}, {"LWrist", "RWrist"}, feet);
}

/// (left, right) pairs of every joint named "L<x>" with a joint "R<x>".
Pairs lr_pairs_by_name(const std::vector<std::string>& names) {
  Pairs out;
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (names[j].size() < 2 || names[j][0] != 'L') continue;
    const std::string right = "R" + names[j].substr(1);
    const auto it = std::find(names.begin(), names.end(), right);
    if (it != names.end()) out.emplace_back(static_cast<int>(j), static_cast<int>(it - names.begin()));
  }
  return out;
}

/// Builds a tree from (parent name, child name) edges over `names`.
std::vector<int> parents_from_edges(const std::vector<std::string>& names,
                                    const std::vector<std::pair<std::string, std::string>>& edges) {
  std::vector<int> parents(names.size(), -1);
  const auto find = [&](const std::string& n) {
    const auto it = std::find(names.begin(), names.end(), n);
    if (it == names.end()) throw std::logic_error("skeleton registry: unknown joint '" + n + "'");
    return static_cast<int>(it - names.begin());
  };
  for (const auto& [p, c] : edges) parents[static_cast<std::size_t>(find(c))] = find(p);
  return parents;
}

std::string normalize(std::string_view name) {
  std::string out;
  for (const char ch : name) {
    if (ch == '_' || ch == '-' || ch == '.' || ch == ' ') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

struct Alias {
  const char* normalized;
  const char* id;
};
constexpr Alias kAliases[] = {
    {"BODY25", "BODY_25"},       {"OPENPOSEBODY25", "BODY_25"},
    {"BODY25B", "BODY_25B"},     {"OPENPOSEBODY25B", "BODY_25B"},
    {"HALPE26", "HALPE_26"},
    {"COCO17", "COCO_17"},
    {"COCO133", "COCO_133"},     {"COCOWHOLEBODY", "COCO_133"}, {"COCOWHOLEBODY133", "COCO_133"},
    {"WHOLEBODY", "COCO_133"},   {"COCO133WRIST", "COCO_133"},
    {"H36M17", "H36M_17"},       {"H36M", "H36M_17"},           {"HUMAN36M", "H36M_17"},
    {"HUMAN36M17", "H36M_17"},
};

/// Pose2Sim / common models that are not built in.
constexpr const char* kNotBuiltIn[] = {"BODY135", "BLAZEPOSE", "HALPE68", "HALPE136", "MPII", "HAND", "HAND21",
                                       "FACE", "FACE106", "ANIMAL", "ANIMAL2D17", "CUSTOM", "COCO18", "HALPE26LOWER"};

}  // namespace

Skeleton openpose_body25() {
  std::vector<std::string> names = {"Nose",   "Neck",   "RShoulder", "RElbow",  "RWrist",    "LShoulder", "LElbow",
                                    "LWrist", "MidHip", "RHip",      "RKnee",   "RAnkle",    "LHip",      "LKnee",
                                    "LAnkle", "REye",   "LEye",      "REar",    "LEar",      "LBigToe",   "LSmallToe",
                                    "LHeel",  "RBigToe", "RSmallToe", "RHeel"};
  // OpenPose's BODY_25 pose pairs (poseParameters.cpp), all 24, as a tree from MidHip.
  const Pairs pairs = {{1, 8},  {1, 2},   {1, 5},   {2, 3},   {3, 4},   {5, 6},   {6, 7},   {8, 9},
                       {9, 10}, {10, 11}, {8, 12},  {12, 13}, {13, 14}, {1, 0},   {0, 15},  {15, 17},
                       {0, 16}, {16, 18}, {14, 19}, {19, 20}, {14, 21}, {11, 22}, {22, 23}, {11, 24}};
  const Pairs lr = lr_pairs_by_name(names);
  Skeleton s = Skeleton::from_limbs(std::move(names), pairs, {}, lr, /*root=*/8);
  s.set_model_name("BODY_25");
  add_lr_metadata(&s, {"LAnkle", "RAnkle", "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel"});
  return s;
}

Skeleton halpe_26() {
  std::vector<std::string> names = {"Nose",   "LEye",   "REye",   "LEar",    "REar",    "LShoulder", "RShoulder",
                                    "LElbow", "RElbow", "LWrist", "RWrist",  "LHip",    "RHip",      "LKnee",
                                    "RKnee",  "LAnkle", "RAnkle", "Head",    "Neck",    "Hip",       "LBigToe",
                                    "RBigToe", "LSmallToe", "RSmallToe", "LHeel", "RHeel"};
  const std::vector<std::pair<std::string, std::string>> edges = {
      {"Hip", "LHip"},         {"Hip", "RHip"},          {"Hip", "Neck"},        {"LHip", "LKnee"},
      {"RHip", "RKnee"},       {"LKnee", "LAnkle"},      {"RKnee", "RAnkle"},    {"LAnkle", "LBigToe"},
      {"RAnkle", "RBigToe"},   {"LBigToe", "LSmallToe"}, {"RBigToe", "RSmallToe"}, {"LAnkle", "LHeel"},
      {"RAnkle", "RHeel"},     {"Neck", "Head"},         {"Head", "Nose"},       {"Nose", "LEye"},
      {"Nose", "REye"},        {"LEye", "LEar"},         {"REye", "REar"},       {"Neck", "LShoulder"},
      {"Neck", "RShoulder"},   {"LShoulder", "LElbow"},  {"RShoulder", "RElbow"}, {"LElbow", "LWrist"},
      {"RElbow", "RWrist"}};
  std::vector<int> parents = parents_from_edges(names, edges);
  const Pairs lr = lr_pairs_by_name(names);
  Skeleton s(std::move(names), std::move(parents), {}, lr);
  s.set_model_name("HALPE_26");
  add_lr_metadata(&s, {"LAnkle", "RAnkle", "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel"});
  return s;
}

Skeleton coco_wholebody_133() {
  std::vector<std::string> names = {"Nose",      "LEye",    "REye",      "LEar",      "REar",     "LShoulder",
                                    "RShoulder", "LElbow",  "RElbow",    "LWrist",    "RWrist",   "LHip",
                                    "RHip",      "LKnee",   "RKnee",     "LAnkle",    "RAnkle",   "LBigToe",
                                    "LSmallToe", "LHeel",   "RBigToe",   "RSmallToe", "RHeel"};
  std::vector<std::pair<std::string, std::string>> edges = {
      {"Nose", "LEye"},         {"Nose", "REye"},         {"LEye", "LEar"},         {"REye", "REar"},
      {"Nose", "LShoulder"},    {"Nose", "RShoulder"},    {"LShoulder", "LElbow"},  {"RShoulder", "RElbow"},
      {"LElbow", "LWrist"},     {"RElbow", "RWrist"},     {"LShoulder", "LHip"},    {"RShoulder", "RHip"},
      {"LHip", "LKnee"},        {"RHip", "RKnee"},        {"LKnee", "LAnkle"},      {"RKnee", "RAnkle"},
      {"LAnkle", "LBigToe"},    {"LBigToe", "LSmallToe"}, {"LAnkle", "LHeel"},      {"RAnkle", "RBigToe"},
      {"RBigToe", "RSmallToe"}, {"RAnkle", "RHeel"}};
  // Face (68, iBUG order): each contour a chain hanging off the Nose.
  const auto chain = [&](const std::string& parent, const std::string& prefix, int first, int count) {
    std::string prev = parent;
    for (int i = first; i < first + count; ++i) {
      const std::string n = prefix + std::to_string(i);
      names.push_back(n);
      edges.emplace_back(prev, n);
      prev = n;
    }
  };
  chain("Nose", "Jaw", 1, 17);
  chain("Nose", "EyebrowR", 1, 5);
  chain("Nose", "EyebrowL", 1, 5);
  chain("Nose", "Nose", 1, 9);
  chain("Nose", "REye", 1, 6);
  chain("Nose", "LEye", 1, 6);
  chain("Nose", "Mouth", 1, 20);
  // Hands (21 each): root, then 4 points per finger (Pose2Sim's names).
  for (const char* side : {"L", "R"}) {
    const std::string s = side;
    const std::string root = s + "HandRoot";
    names.push_back(root);
    edges.emplace_back(s + "Wrist", root);
    const std::vector<std::vector<std::string>> fingers = {
        {s + "Thumb1", s + "Thumb", s + "Thumb3", s + "Thumb4"},
        {s + "Index", s + "Index2", s + "Index3", s + "Index4"},
        {s + "Middle1", s + "Middle2", s + "Middle3", s + "Middle4"},
        {s + "Ring1", s + "Ring2", s + "Ring3", s + "Ring4"},
        {s + "Pinky", s + "Pinky2", s + "Pinky3", s + "Pinky4"}};
    for (const auto& f : fingers) {
      std::string prev = root;
      for (const auto& n : f) {
        names.push_back(n);
        edges.emplace_back(prev, n);
        prev = n;
      }
    }
  }
  if (names.size() != 133) throw std::logic_error("skeleton registry: COCO_133 has " + std::to_string(names.size()));
  std::vector<int> parents = parents_from_edges(names, edges);
  // Left/right pairs: the body's L*/R* names plus the face's left/right contours.
  Pairs lr;
  const auto find = [&](const std::string& n) {
    return static_cast<int>(std::find(names.begin(), names.end(), n) - names.begin());
  };
  for (const char* base : {"Eye", "Ear", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "BigToe", "SmallToe",
                           "Heel", "HandRoot", "Thumb1", "Thumb", "Thumb3", "Thumb4", "Index", "Index2", "Index3",
                           "Index4", "Middle1", "Middle2", "Middle3", "Middle4", "Ring1", "Ring2", "Ring3", "Ring4",
                           "Pinky", "Pinky2", "Pinky3", "Pinky4"}) {
    lr.emplace_back(find(std::string("L") + base), find(std::string("R") + base));
  }
  Skeleton s(std::move(names), std::move(parents), {}, lr);
  s.set_model_name("COCO_133");
  add_lr_metadata(&s, {"LAnkle", "RAnkle", "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel"});
  return s;
}

const std::vector<std::string>& builtin_skeleton_names() {
  static const std::vector<std::string> kNames = {"BODY_25", "BODY_25B", "HALPE_26", "COCO_17", "COCO_133", "H36M_17"};
  return kNames;
}

std::string canonical_skeleton_name(std::string_view name) {
  const std::string n = normalize(name);
  for (const auto& id : builtin_skeleton_names()) {
    if (normalize(id) == n) return id;
  }
  for (const auto& a : kAliases) {
    if (n == a.normalized) return a.id;
  }
  return {};
}

std::optional<Skeleton> find_builtin_skeleton(std::string_view name) {
  const std::string id = canonical_skeleton_name(name);
  if (id.empty()) return std::nullopt;
  Skeleton s;
  if (id == "BODY_25") return openpose_body25();
  if (id == "HALPE_26") return halpe_26();
  if (id == "COCO_133") return coco_wholebody_133();
  if (id == "BODY_25B") {
    s = openpose_body25b();
    add_lr_metadata(&s, {"LAnkle", "RAnkle", "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel"});
  } else if (id == "COCO_17") {
    s = coco_17();
    add_height_and_feet(&s, {"lhip", "rhip"}, {"lkne", "rkne"}, {"lank", "rank"}, {"lsho", "rsho"},
                        {"lelb", "relb"}, {"lwri", "rwri"}, {"lank", "rank"});
  } else {  // H36M_17
    s = human36m_17(true);
    s.set_limb_prior_unit("mm");
    add_height_and_feet(&s, {"lhip", "rhip"}, {"lkne", "rkne"}, {"lank", "rank"}, {"lsho", "rsho"},
                        {"lelb", "relb"}, {"lwri", "rwri"}, {"lank", "rank"});
  }
  s.set_model_name(id);
  return s;
}

Skeleton builtin_skeleton(std::string_view name) {
  if (auto s = find_builtin_skeleton(name)) return *std::move(s);
  std::string list;
  for (const auto& id : builtin_skeleton_names()) list += (list.empty() ? "" : ", ") + id;
  const std::string n = normalize(name);
  std::string why;
  if (n == "COCO") {
    why = " ('COCO' is ambiguous: COCO_17 is the 17 COCO keypoints; Pose2Sim's and OpenPose's COCO is an 18-joint "
          "model with a Neck, not built in: declare it in a skeleton file)";
  } else if (std::find_if(std::begin(kNotBuiltIn), std::end(kNotBuiltIn),
                          [&](const char* m) { return n == m; }) != std::end(kNotBuiltIn)) {
    why = " (" + std::string(name) +
          " is a Pose2Sim / detector model that crossview does not define: declare its joints and limbs in a "
          "skeleton file, see docs/pose.md)";
  }
  throw std::invalid_argument("unknown skeleton '" + std::string(name) + "'" + why + "; built-in skeletons: " + list +
                              ", or the path of a skeleton file (.toml / .json)");
}

std::vector<std::string> builtin_skeletons_with_joints(int num_joints) {
  std::vector<std::string> out;
  for (const auto& id : builtin_skeleton_names()) {
    const int j = id == "BODY_25" || id == "BODY_25B" ? 25
                  : id == "HALPE_26"                  ? 26
                  : id == "COCO_133"                  ? 133
                                                      : 17;
    if (j == num_joints) out.push_back(id);
  }
  return out;
}

Skeleton unnamed_skeleton(std::vector<std::string> names) {
  return Skeleton::from_limbs(std::move(names), {});
}

Skeleton unnamed_skeleton(int num_joints) {
  if (num_joints < 1) throw std::invalid_argument("unnamed_skeleton: num_joints must be >= 1, got " + std::to_string(num_joints));
  std::vector<std::string> names;
  for (int j = 0; j < num_joints; ++j) names.push_back(std::to_string(j));
  return unnamed_skeleton(std::move(names));
}

}  // namespace crossview::pose
