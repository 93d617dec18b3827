// crossview: skeletons and the built-in joint sets (see skeleton.hpp).
#include <crossview/pose/skeleton.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace crossview::pose {

std::string validate_tree(const std::vector<std::string>& names,
                          const std::vector<int>& parents) {
  const int n = static_cast<int>(names.size());
  if (n == 0) return "skeleton has no joints";
  if (static_cast<int>(parents.size()) != n) {
    return "skeleton has " + std::to_string(n) + " names but " + std::to_string(parents.size()) +
           " parents";
  }
  for (int j = 0; j < n; ++j) {
    if (names[j].empty()) return "joint " + std::to_string(j) + " has an empty name";
    for (int k = 0; k < j; ++k) {
      if (names[k] == names[j]) return "joint name '" + names[j] + "' is used twice";
    }
  }
  int root = -1;
  for (int j = 0; j < n; ++j) {
    const int p = parents[j];
    if (p == -1) {
      if (root != -1) {
        return "skeleton has more than one root: '" + names[root] + "' and '" + names[j] + "'";
      }
      root = j;
    } else if (p < 0 || p >= n) {
      return "joint '" + names[j] + "' has parent index " + std::to_string(p) +
             " outside [0, " + std::to_string(n) + ") (use -1 for the root)";
    } else if (p == j) {
      return "joint '" + names[j] + "' is its own parent";
    }
  }
  if (root == -1) return "skeleton has no root (no joint with parent -1): the tree has a cycle";
  // Walk up from every joint; a walk longer than n steps means a cycle.
  for (int j = 0; j < n; ++j) {
    int k = j;
    int steps = 0;
    while (k != -1 && steps <= n) {
      k = parents[k];
      ++steps;
    }
    if (k != -1) return "joint '" + names[j] + "' is on a cycle of the parent graph";
  }
  return {};
}

void Skeleton::check_pairs() const {
  const int n = num_joints();
  std::vector<int> used(n, 0);
  for (const auto& [l, r] : pairs_) {
    if (l < 0 || l >= n || r < 0 || r >= n || l == r) {
      throw std::invalid_argument("Skeleton: left/right pair (" + std::to_string(l) + ", " +
                                  std::to_string(r) + ") is not two distinct joints in [0, " +
                                  std::to_string(n) + ")");
    }
    if (used[l]++ || used[r]++) {
      throw std::invalid_argument("Skeleton: joint in left/right pair (" + names_[l] + ", " +
                                  names_[r] + ") already belongs to another pair");
    }
  }
}

Skeleton::Skeleton(std::vector<std::string> names, std::vector<int> parents,
                   std::vector<LimbPrior> limb_priors,
                   std::vector<std::pair<int, int>> left_right_pairs)
    : names_(std::move(names)),
      parents_(std::move(parents)),
      priors_(std::move(limb_priors)),
      pairs_(std::move(left_right_pairs)) {
  const std::string error = validate_tree(names_, parents_);
  if (!error.empty()) throw std::invalid_argument("Skeleton: " + error);
  const int n = num_joints();
  if (priors_.empty()) priors_.assign(n, LimbPrior{});
  if (static_cast<int>(priors_.size()) != n) {
    throw std::invalid_argument("Skeleton: limb_priors has " + std::to_string(priors_.size()) +
                                " entries, expected one per joint (" + std::to_string(n) + ")");
  }
  for (int j = 0; j < n; ++j) check_prior(j, priors_[j]);
  check_pairs();
  root_ = static_cast<int>(std::find(parents_.begin(), parents_.end(), -1) - parents_.begin());
  priors_[root_] = LimbPrior{};
  children_.assign(n, {});
  for (int j = 0; j < n; ++j) {
    if (parents_[j] >= 0) children_[parents_[j]].push_back(j);
  }
  // Breadth-first order from the root: parents always before children.
  order_.clear();
  order_.push_back(root_);
  for (std::size_t i = 0; i < order_.size(); ++i) {
    for (int c : children_[order_[i]]) order_.push_back(c);
  }
  limb_of_child_.assign(n, -1);
  for (int j : order_) {
    if (parents_[j] < 0) continue;
    limb_of_child_[j] = static_cast<int>(limbs_.size());
    limbs_.emplace_back(parents_[j], j);
    limb_priors_.push_back(priors_[j]);
  }
}

Skeleton Skeleton::from_limbs(std::vector<std::string> names,
                              const std::vector<std::pair<int, int>>& limbs,
                              const std::vector<LimbPrior>& limb_priors,
                              std::vector<std::pair<int, int>> left_right_pairs, int root) {
  const int n = static_cast<int>(names.size());
  if (n == 0) throw std::invalid_argument("Skeleton: skeleton has no joints");
  for (int j = 0; j < n; ++j) {
    if (names[j].empty()) throw std::invalid_argument("Skeleton: joint " + std::to_string(j) + " has an empty name");
    for (int k = 0; k < j; ++k) {
      if (names[k] == names[j]) throw std::invalid_argument("Skeleton: joint name '" + names[j] + "' is used twice");
    }
  }
  if (!limb_priors.empty() && limb_priors.size() != limbs.size()) {
    throw std::invalid_argument("Skeleton: limb_priors has " + std::to_string(limb_priors.size()) +
                                " entries, expected one per limb (" + std::to_string(limbs.size()) + ")");
  }
  if (root < -1 || root >= n) {
    throw std::invalid_argument("Skeleton: root " + std::to_string(root) + " is not a joint index in [0, " +
                                std::to_string(n) + ")");
  }
  // Union-find over the limbs: a spanning tree has n - 1 limbs and no cycle.
  std::vector<int> comp(n);
  for (int j = 0; j < n; ++j) comp[j] = j;
  const auto find = [&](int j) {
    while (comp[j] != j) j = comp[j] = comp[comp[j]];
    return j;
  };
  bool acyclic = true;
  for (std::size_t i = 0; i < limbs.size(); ++i) {
    const auto [a, b] = limbs[i];
    const std::string what = "Skeleton: limb " + std::to_string(i) + " (" + std::to_string(a) + ", " +
                             std::to_string(b) + ")";
    if (a < 0 || a >= n || b < 0 || b >= n) {
      throw std::invalid_argument(what + " joins a joint outside [0, " + std::to_string(n) + ")");
    }
    if (a == b) throw std::invalid_argument(what + " joins joint '" + names[a] + "' to itself");
    for (std::size_t k = 0; k < i; ++k) {
      if ((limbs[k].first == a && limbs[k].second == b) || (limbs[k].first == b && limbs[k].second == a)) {
        throw std::invalid_argument(what + " ('" + names[a] + "' - '" + names[b] + "') is listed twice");
      }
    }
    if (!limb_priors.empty()) {
      const LimbPrior& p = limb_priors[i];
      if (!std::isfinite(p.mean) || !std::isfinite(p.tolerance) || p.mean < 0.0 || p.tolerance < 0.0) {
        throw std::invalid_argument(what + ": its prior must have finite mean >= 0 and tolerance >= 0");
      }
    }
    const int ra = find(a), rb = find(b);
    if (ra == rb) acyclic = false;
    comp[ra] = rb;
  }
  if (acyclic && static_cast<int>(limbs.size()) == n - 1) {
    // A spanning tree: orient it from the root (BFS).
    const int r = root < 0 ? 0 : root;
    std::vector<std::vector<std::pair<int, std::size_t>>> adj(n);
    for (std::size_t i = 0; i < limbs.size(); ++i) {
      adj[limbs[i].first].emplace_back(limbs[i].second, i);
      adj[limbs[i].second].emplace_back(limbs[i].first, i);
    }
    std::vector<int> parents(n, -2);
    std::vector<LimbPrior> priors(n);
    parents[r] = -1;
    std::vector<int> queue{r};
    for (std::size_t q = 0; q < queue.size(); ++q) {
      for (const auto& [k, li] : adj[queue[q]]) {
        if (parents[k] != -2) continue;
        parents[k] = queue[q];
        if (!limb_priors.empty()) priors[k] = limb_priors[li];
        queue.push_back(k);
      }
    }
    return Skeleton(std::move(names), std::move(parents), std::move(priors), std::move(left_right_pairs));
  }
  Skeleton s;
  s.names_ = std::move(names);
  s.pairs_ = std::move(left_right_pairs);
  s.check_pairs();
  s.limbs_ = limbs;
  s.limb_priors_ = limb_priors.empty() ? std::vector<LimbPrior>(limbs.size()) : limb_priors;
  return s;
}

void Skeleton::set_height_segments(std::vector<HeightSegment> segments) {
  const int n = num_joints();
  for (const auto& s : segments) {
    if (s.joint_a < 0 || s.joint_a >= n || s.joint_b < 0 || s.joint_b >= n || s.joint_a == s.joint_b) {
      throw std::invalid_argument("Skeleton::set_height_segments: segment (" + std::to_string(s.joint_a) + ", " +
                                  std::to_string(s.joint_b) + ") is not two distinct joints in [0, " +
                                  std::to_string(n) + ")");
    }
    if (!(s.fraction > 0.0 && s.fraction <= 1.0)) {
      throw std::invalid_argument("Skeleton::set_height_segments: segment '" + names_[s.joint_a] + "' - '" +
                                  names_[s.joint_b] + "' has fraction " + std::to_string(s.fraction) +
                                  ", expected a fraction of the height in (0, 1]");
    }
  }
  height_segments_ = std::move(segments);
}

void Skeleton::set_feet(std::vector<int> joints) {
  const int n = num_joints();
  for (std::size_t i = 0; i < joints.size(); ++i) {
    if (joints[i] < 0 || joints[i] >= n) {
      throw std::invalid_argument("Skeleton::set_feet: joint " + std::to_string(joints[i]) + " is outside [0, " +
                                  std::to_string(n) + ")");
    }
    if (std::find(joints.begin(), joints.begin() + static_cast<std::ptrdiff_t>(i), joints[i]) !=
        joints.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::invalid_argument("Skeleton::set_feet: joint '" + names_[joints[i]] + "' is listed twice");
    }
  }
  feet_ = std::move(joints);
}

Skeleton with_limb_priors(const Skeleton& skeleton, std::vector<LimbPrior> priors) {
  Skeleton out(skeleton.names(), skeleton.parents(), std::move(priors), skeleton.left_right_pairs());
  out.set_model_name(skeleton.model_name());
  out.set_limb_prior_unit(skeleton.limb_prior_unit());
  out.set_height_segments(skeleton.height_segments());
  out.set_feet(skeleton.feet());
  return out;
}

Skeleton human36m_17(bool with_priors) {
  std::vector<std::string> names(h36m::kJointNames.begin(), h36m::kJointNames.end());
  std::vector<int> parents(h36m::kParents.begin(), h36m::kParents.end());
  std::vector<LimbPrior> priors;
  if (with_priors) {
    const double tol = 150.0;
    const double mean_mm[17] = {0.0,   133.0, 454.0, 451.0, 133.0, 454.0, 451.0, 234.0, 257.0,
                                118.0, 115.0, 151.0, 279.0, 250.0, 151.0, 279.0, 250.0};
    for (double m : mean_mm) priors.push_back(LimbPrior{m, m > 0.0 ? tol : 0.0});
  }
  return Skeleton(std::move(names), std::move(parents), std::move(priors),
                  {{4, 1}, {5, 2}, {6, 3}, {11, 14}, {12, 15}, {13, 16}});
}

Skeleton coco_17() {
  std::vector<std::string> names = {"nose", "leye", "reye", "lear", "rear", "lsho",
                                    "rsho", "lelb", "relb", "lwri", "rwri", "lhip",
                                    "rhip", "lkne", "rkne", "lank", "rank"};
  std::vector<int> parents = {-1, 0, 0, 1, 2, 0, 0, 5, 6, 7, 8, 5, 6, 11, 12, 13, 14};
  return Skeleton(std::move(names), std::move(parents), {},
                  {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}, {11, 12}, {13, 14}, {15, 16}});
}

Skeleton openpose_body25b() {
  std::vector<std::string> names = {
      "Nose",   "LEye",   "REye",   "LEar",    "REar",     "LShoulder", "RShoulder",
      "LElbow", "RElbow", "LWrist", "RWrist",  "LHip",     "RHip",      "LKnee",
      "RKnee",  "LAnkle", "RAnkle", "Neck",    "Head",     "LBigToe",   "LSmallToe",
      "LHeel",  "RBigToe", "RSmallToe", "RHeel"};
  std::vector<int> parents = {17, 0,  0,  1,  2,  17, 17, 5,  6,  7,  8,  17, 17,
                              11, 12, 13, 14, -1, 17, 15, 15, 15, 16, 16, 16};
  return Skeleton(std::move(names), std::move(parents), {},
                  {{1, 2},
                   {3, 4},
                   {5, 6},
                   {7, 8},
                   {9, 10},
                   {11, 12},
                   {13, 14},
                   {15, 16},
                   {19, 22},
                   {20, 23},
                   {21, 24}});
}

std::vector<LimbPrior> estimate_limb_lengths(const Skeleton& skeleton, const ConstPointsRef& poses,
                                             double tolerance) {
  if (!(tolerance >= 0.0) || !std::isfinite(tolerance)) {
    throw std::invalid_argument("estimate_limb_lengths: tolerance must be finite and >= 0");
  }
  const int n = skeleton.num_joints();
  const Eigen::Index num_poses =
      require_packed_points(poses, 3, n, "estimate_limb_lengths: poses (3 x (F*J), J = skeleton joints)");
  std::vector<LimbPrior> out(n);
  std::vector<double> lengths;
  for (int j = 0; j < n; ++j) {
    const int p = skeleton.parent(j);
    if (p < 0) continue;
    lengths.clear();
    for (Eigen::Index f = 0; f < num_poses; ++f) {
      const auto child = poses.col(f * n + j);
      const auto parent = poses.col(f * n + p);
      if (child.allFinite() && parent.allFinite()) lengths.push_back((child - parent).norm());
    }
    if (lengths.empty()) {
      throw std::invalid_argument("estimate_limb_lengths: limb '" + skeleton.name(p) + "' -> '" +
                                  skeleton.name(j) + "' has no finite observation");
    }
    const std::size_t m = lengths.size() / 2;
    std::nth_element(lengths.begin(), lengths.begin() + m, lengths.end());
    double median = lengths[m];
    if (lengths.size() % 2 == 0) {
      median = 0.5 * (median + *std::max_element(lengths.begin(), lengths.begin() + m));
    }
    out[j] = LimbPrior{median, tolerance};
  }
  return out;
}

}  // namespace crossview::pose
