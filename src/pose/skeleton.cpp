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
  root_ = static_cast<int>(std::find(parents_.begin(), parents_.end(), -1) - parents_.begin());
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
