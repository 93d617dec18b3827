// crossview::association: hypotheses from agreeing pairs of detections and
// their greedy, conflict-aware selection (see associate.hpp, step 2-4).
#include "internal.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace crossview::association::detail {

namespace {

constexpr int kRefineIterations = 6;
/// A pair of detections seeds a hypothesis only when each is among the other's
/// best kSeedPartners partners in that view (by agreeing weight): in a crowd
/// the rays of one person agree with several others by chance, and the
/// hypothesis seeded by the true pair, or by a third view, reaches them anyway.
constexpr int kSeedPartners = 2;

struct Seed {
  int g = -1, h = -1;
  Fit fit;
};

/// A hypothesis seeded by the pair (g, h) with the pair test's inlier flags.
bool seed_group(const FrameGeometry& geom, const AssociationOptions& options,
                const std::vector<char>& available, const Seed& s, const std::vector<char>& pair_flags,
                Group* group) {
  const int J = geom.num_joints;
  group->reset(geom.num_views, J);
  const int v = geom.det_view[s.g], w = geom.det_view[s.h];
  group->member[v] = s.g;
  group->member[w] = s.h;
  group->swap_mask[w] = s.fit.swap_mask;
  std::copy(pair_flags.begin(), pair_flags.end(), group->inlier.begin() + static_cast<std::ptrdiff_t>(v) * J);
  std::copy(pair_flags.begin(), pair_flags.end(), group->inlier.begin() + static_cast<std::ptrdiff_t>(w) * J);
  group->seed_a = s.g;
  group->seed_b = s.h;
  return refine_group(geom, options, available, kRefineIterations, group);
}

bool contains_both(const Group& group, const FrameGeometry& geom, int g, int h) {
  return group.member[geom.det_view[g]] == g && group.member[geom.det_view[h]] == h;
}

}  // namespace

PoolOutcome associate_pool(const FrameGeometry& geom, const AssociationOptions& options,
                           const std::vector<char>& available) {
  const int V = geom.num_views;
  const int J = geom.num_joints;
  const int N = geom.num_detections();
  const bool swaps = geom.num_pairs > 0;
  PoolOutcome out;
  out.reason.assign(N, UnmatchedReason::kNoPartner);
  for (int g = 0; g < N; ++g) {
    if (!geom.usable_det[g]) out.reason[g] = UnmatchedReason::kTooFewJoints;
  }

  // 1. Agreeing pairs (mutually among the best kSeedPartners of each other).
  std::vector<Seed> seeds;
  std::vector<std::vector<int>> partners(N);  // every agreeing detection of another view
  std::vector<Seed> view_pairs;
  auto better = [](const Seed& a, const Seed& b) {
    if (a.fit.evidence() != b.fit.evidence()) return a.fit.evidence() > b.fit.evidence();
    if (a.fit.sum_err != b.fit.sum_err) return a.fit.sum_err < b.fit.sum_err;
    if (a.g != b.g) return a.g < b.g;
    return a.h < b.h;
  };
  for (int v = 0; v < V; ++v) {
    for (int w = v + 1; w < V; ++w) {
      if (!geom.pair_ok[static_cast<std::size_t>(v) * V + w]) continue;
      view_pairs.clear();
      for (int g = geom.view_offset[v]; g < geom.view_offset[v + 1]; ++g) {
        if (!available[g] || !geom.usable_det[g]) continue;
        for (int h = geom.view_offset[w]; h < geom.view_offset[w + 1]; ++h) {
          if (!available[h] || !geom.usable_det[h]) continue;
          const Fit f = fit_pair(geom, g, h, swaps, nullptr);
          if (!f.qualifies(options)) continue;
          view_pairs.push_back({g, h, f});
          partners[g].push_back(h);
          partners[h].push_back(g);
        }
      }
      std::sort(view_pairs.begin(), view_pairs.end(), better);
      std::vector<int> rank_g(geom.view_offset[v + 1] - geom.view_offset[v], 0);
      std::vector<int> rank_h(geom.view_offset[w + 1] - geom.view_offset[w], 0);
      std::vector<int> pos_g(view_pairs.size()), pos_h(view_pairs.size());
      for (std::size_t i = 0; i < view_pairs.size(); ++i) {
        pos_g[i] = rank_g[view_pairs[i].g - geom.view_offset[v]]++;
        pos_h[i] = rank_h[view_pairs[i].h - geom.view_offset[w]]++;
      }
      for (std::size_t i = 0; i < view_pairs.size(); ++i) {
        if (pos_g[i] < kSeedPartners && pos_h[i] < kSeedPartners) seeds.push_back(view_pairs[i]);
      }
    }
  }
  std::sort(seeds.begin(), seeds.end(), [](const Seed& a, const Seed& b) {
    if (a.fit.evidence() != b.fit.evidence()) return a.fit.evidence() > b.fit.evidence();
    if (a.fit.sum_err != b.fit.sum_err) return a.fit.sum_err < b.fit.sum_err;
    if (a.g != b.g) return a.g < b.g;
    return a.h < b.h;
  });

  // 2. Hypotheses: one per seed pair not already inside a hypothesis.
  std::vector<Group> hyps;
  std::vector<char> pair_flags(J);
  for (const Seed& s : seeds) {
    bool covered = false;
    for (const Group& h : hyps) {
      if (contains_both(h, geom, s.g, s.h)) {
        covered = true;
        break;
      }
    }
    if (covered) continue;
    fit_pair(geom, s.g, s.h, swaps, pair_flags.data());
    Group grp;
    if (seed_group(geom, options, available, s, pair_flags, &grp)) {
      hyps.push_back(std::move(grp));
    } else {
      // The pair agreed but no consistent 3D hypothesis came out of it.
      for (int d : {s.g, s.h}) {
        if (out.reason[d] == UnmatchedReason::kNoPartner) out.reason[d] = UnmatchedReason::kRejected;
      }
    }
  }

  // 3. Greedy selection by support; a hypothesis that lost a member to an
  // accepted person is rebuilt from its remaining members.
  std::vector<char> claimed(N, 0);
  std::vector<char> alive(hyps.size(), 1);
  std::vector<char> avail_now = available;
  const int min_views = std::max(2, options.min_views);
  for (;;) {
    int best = -1;
    for (std::size_t i = 0; i < hyps.size(); ++i) {
      if (!alive[i]) continue;
      if (best < 0 || hyps[i].support > hyps[best].support) best = static_cast<int>(i);
    }
    if (best < 0) break;
    Group& h = hyps[best];
    bool conflict = false;
    for (int m : h.member) conflict = conflict || (m >= 0 && claimed[m]);
    if (conflict) {
      int remaining = 0;
      for (int v = 0; v < V; ++v) {
        if (h.member[v] >= 0 && claimed[h.member[v]]) {
          h.member[v] = -1;
          h.swap_mask[v] = 0;
          std::fill(h.inlier.begin() + static_cast<std::ptrdiff_t>(v) * J,
                    h.inlier.begin() + static_cast<std::ptrdiff_t>(v + 1) * J, 0);
        }
        remaining += h.member[v] >= 0 ? 1 : 0;
      }
      if (remaining < 2 || !refine_group(geom, options, avail_now, kRefineIterations, &h)) alive[best] = 0;
      continue;
    }
    alive[best] = 0;
    // Final look at every view with the best hypothesis so far (a view that
    // its seed's early, partial skeleton could not admit may join now).
    if (!refine_group(geom, options, avail_now, kRefineIterations, &h)) continue;
    bool lost = false;
    for (int m : h.member) lost = lost || (m >= 0 && claimed[m]);
    if (lost) continue;
    if (h.num_members() < min_views) {
      for (int m : h.member) {
        if (m >= 0) out.reason[m] = UnmatchedReason::kTooFewViews;
      }
      continue;
    }
    for (int m : h.member) {
      if (m >= 0) {
        claimed[m] = 1;
        avail_now[m] = 0;
      }
    }
    out.groups.push_back(h);
  }

  // Reasons of the detections left over (the caller overrides kDuplicate).
  for (int g = 0; g < N; ++g) {
    if (!geom.usable_det[g] || claimed[g] || !available[g]) continue;
    if (partners[g].empty()) {
      out.reason[g] = UnmatchedReason::kNoPartner;
      continue;
    }
    if (out.reason[g] == UnmatchedReason::kTooFewViews) continue;
    bool free_partner = false;
    for (int other : partners[g]) free_partner = free_partner || !claimed[other];
    out.reason[g] = free_partner ? UnmatchedReason::kRejected : UnmatchedReason::kConflict;
  }
  return out;
}

}  // namespace crossview::association::detail
