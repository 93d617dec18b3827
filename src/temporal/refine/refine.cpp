// crossview::temporal::refine_sequence (include/crossview/temporal/refine.hpp):
// inputs, the per-frame start, the tracks and the weights; the problem is
// solved by structured_solver.cpp (default) or ceres_solver.cpp.
#include <crossview/temporal/refine.hpp>

#include "problem.hpp"

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::temporal {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return kNaN;
  const std::size_t n = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), v.end());
  return v[n];
}

// ---------------------------------------------------------------------------
// The per-frame start: one triangulate_skeleton call per frame on the frame's
// packed 2 x (V*J) block (scores <= 0: missing).

void triangulate_frames(const std::vector<camera::Camera>& cameras, const ConstPointsRef& keypoints_px,
                        const std::vector<double>& score, int F, int J,
                        const triangulation::TriangulationOptions& options, Points3d* initial) {
  const int V = static_cast<int>(cameras.size());
  const Eigen::Index VJ = static_cast<Eigen::Index>(V) * J;
  initial->setConstant(3, static_cast<Eigen::Index>(F) * J, kNaN);
  Points2d px(2, VJ);
  Eigen::VectorXd conf(VJ);
  for (int f = 0; f < F; ++f) {
    for (Eigen::Index k = 0; k < VJ; ++k) {
      const Eigen::Index i = static_cast<Eigen::Index>(f) * VJ + k;
      const bool usable = score[static_cast<std::size_t>(i)] > 0.0;
      px.col(k) = usable ? Eigen::Vector2d(keypoints_px.col(i)) : Eigen::Vector2d(kNaN, kNaN);
      conf[k] = usable ? score[static_cast<std::size_t>(i)] : 0.0;
    }
    const triangulation::SkeletonResult r = triangulation::triangulate_skeleton(cameras, px, conf, options);
    initial->middleCols(static_cast<Eigen::Index>(f) * J, J) = r.points_in_world;
  }
}

/// The per-frame triangulation without its spikes: a point farther from the
/// median of its joint's 7-frame window (coordinate-wise, over the finite
/// points) than 6 robust deviations of the joint (1.4826 x the median of
/// those distances) is dropped (NaN), so that the start interpolates over it.
/// Wrong two-view consensus (two bad detections that agree) makes such
/// isolated 3D outliers, metres away; starting from them costs iterations.
Points3d without_spikes(const Points3d& points, int F, int J) {
  Points3d out = points;
  std::vector<double> dist(static_cast<std::size_t>(F));
  std::vector<double> window[3];
  for (int j = 0; j < J; ++j) {
    std::vector<double> finite_d;
    for (int f = 0; f < F; ++f) {
      dist[static_cast<std::size_t>(f)] = kNaN;
      const Eigen::Vector3d x = points.col(static_cast<Eigen::Index>(f) * J + j);
      if (!x.allFinite()) continue;
      for (auto& w : window) w.clear();
      for (int k = std::max(0, f - 3); k <= std::min(F - 1, f + 3); ++k) {
        const Eigen::Vector3d y = points.col(static_cast<Eigen::Index>(k) * J + j);
        if (!y.allFinite()) continue;
        for (int c = 0; c < 3; ++c) window[c].push_back(y[c]);
      }
      if (window[0].size() < 3) continue;  // too isolated to judge
      Eigen::Vector3d m;
      for (int c = 0; c < 3; ++c) m[c] = median(window[c]);
      dist[static_cast<std::size_t>(f)] = (x - m).norm();
      finite_d.push_back(dist[static_cast<std::size_t>(f)]);
    }
    if (finite_d.size() < 5) continue;
    const double threshold = 6.0 * 1.4826 * median(finite_d);
    for (int f = 0; f < F; ++f) {
      if (dist[static_cast<std::size_t>(f)] > threshold) {
        out.col(static_cast<Eigen::Index>(f) * J + j).setConstant(kNaN);
      }
    }
  }
  return out;
}

}  // namespace

void RefineOptions::validate() const {
  const auto bad = [](const std::string& m) { throw std::invalid_argument("RefineOptions: " + m); };
  if (!(rate_hz > 0.0) || !std::isfinite(rate_hz)) bad("rate_hz must be finite and > 0 (the frame rate), got " + num(rate_hz));
  if (!(min_confidence >= 0.0) || !(min_confidence < 1.0)) bad("min_confidence must be in [0, 1), got " + num(min_confidence));
  if (!(keypoint_noise_px > 0.0) || !std::isfinite(keypoint_noise_px)) {
    bad("keypoint_noise_px must be finite and > 0, got " + num(keypoint_noise_px));
  }
  if (loss != RobustLoss::kNone && loss != RobustLoss::kHuber && loss != RobustLoss::kCauchy) bad("unknown loss");
  if (!(robust_scale > 0.0) || !std::isfinite(robust_scale)) bad("robust_scale must be finite and > 0, got " + num(robust_scale));
  if (smoothness != SmoothnessOrder::kVelocity && smoothness != SmoothnessOrder::kAcceleration) bad("unknown smoothness order");
  if (!(smoothness_cutoff_hz >= 0.0) || !(smoothness_cutoff_hz < 0.5 * rate_hz)) {
    bad("smoothness_cutoff_hz must be in [0, rate_hz / 2) = [0, " + num(0.5 * rate_hz) + "), got " +
        num(smoothness_cutoff_hz));
  }
  if (!(bone_length_sigma > 0.0) || !std::isfinite(bone_length_sigma)) {
    bad("bone_length_sigma must be finite and > 0, got " + num(bone_length_sigma));
  }
  if (max_gap_frames < 0) bad("max_gap_frames must be >= 0, got " + std::to_string(max_gap_frames));
  if (smoothness_cutoff_hz == 0.0 && max_gap_frames > 0) {
    bad("max_gap_frames must be 0 when the smoothness is off (smoothness_cutoff_hz = 0): nothing would bridge gaps");
  }
  if (max_iterations < 1) bad("max_iterations must be >= 1, got " + std::to_string(max_iterations));
  if (!(function_tolerance > 0.0) || !(function_tolerance < 1.0)) {
    bad("function_tolerance must be in (0, 1), got " + num(function_tolerance));
  }
  if (num_threads < 1) bad("num_threads must be >= 1, got " + std::to_string(num_threads));
  initial.validate();
}

RefineResult refine_sequence(const std::vector<camera::Camera>& cameras, const ConstPointsRef& keypoints_px,
                             const ConstScoresRef& scores, int num_joints, const RefineOptions& options) {
  const std::string what = "refine_sequence";
  options.validate();
  const int V = static_cast<int>(cameras.size());
  if (V < 1) throw std::invalid_argument(what + ": need at least one camera");
  if (num_joints < 1) throw std::invalid_argument(what + ": num_joints must be >= 1, got " + std::to_string(num_joints));
  require_points(keypoints_px, 2, what + ": keypoints_px");
  const Eigen::Index per_frame = static_cast<Eigen::Index>(V) * num_joints;
  if (keypoints_px.cols() == 0 || keypoints_px.cols() % per_frame != 0) {
    throw std::invalid_argument(what + ": keypoints_px has " + std::to_string(keypoints_px.cols()) +
                                " columns, expected F * V * J = F * " + std::to_string(V) + " * " +
                                std::to_string(num_joints) + " (packed 2 x (F*V*J), column (f*V + v)*J + j)");
  }
  require_scores(scores, keypoints_px.cols(), what + ": scores");
  const int J = num_joints;
  const int F = static_cast<int>(keypoints_px.cols() / per_frame);
  for (std::size_t b = 0; b < options.bones.size(); ++b) {
    const auto [p, c] = options.bones[b];
    if (p < 0 || p >= J || c < 0 || c >= J || p == c) {
      throw std::invalid_argument(what + ": bone " + std::to_string(b) + " (" + std::to_string(p) + ", " +
                                  std::to_string(c) + ") must join two different joints in [0, " + std::to_string(J) + ")");
    }
  }

  RefineResult out;
  out.num_frames = F;
  out.num_joints = J;
  const Eigen::Index N = static_cast<Eigen::Index>(F) * J;
  out.points_in_world.setConstant(3, N, kNaN);
  out.states.assign(static_cast<std::size_t>(N), SampleState::kMissing);
  out.bone_lengths.setConstant(static_cast<Eigen::Index>(options.bones.size()), kNaN);

  // Usable detections: finite pixel, score > min_confidence (weight = score).
  std::vector<double> score(static_cast<std::size_t>(keypoints_px.cols()), 0.0);
  for (Eigen::Index i = 0; i < keypoints_px.cols(); ++i) {
    const double s = scores.size() == 0 ? 1.0 : scores[i];
    if (keypoints_px.col(i).allFinite() && std::isfinite(s) && s > options.min_confidence) {
      score[static_cast<std::size_t>(i)] = s;
    }
  }

  const auto t_start = std::chrono::steady_clock::now();
  triangulate_frames(cameras, keypoints_px, score, F, J, options.initial, &out.initial_points_in_world);
  out.triangulation_seconds = seconds_since(t_start);
  const auto t_solve = std::chrono::steady_clock::now();

  // Tracks: observed frames (>= 1 usable detection) joined across gaps of at
  // most max_gap_frames; the start inside a track interpolates the per-frame
  // triangulation linearly (nearest value before the first / after the last
  // triangulated frame); a track without any triangulated frame is dropped.
  std::vector<int> views(static_cast<std::size_t>(N), 0);
  for (int f = 0; f < F; ++f) {
    for (int v = 0; v < V; ++v) {
      for (int j = 0; j < J; ++j) {
        views[static_cast<std::size_t>(f) * J + j] += score[(static_cast<std::size_t>(f) * V + v) * J + j] > 0.0;
      }
    }
  }
  const Points3d start = without_spikes(out.initial_points_in_world, F, J);
  Points3d X = Points3d::Constant(3, N, kNaN);
  std::vector<char> in_track(static_cast<std::size_t>(N), 0);
  for (int j = 0; j < J; ++j) {
    int f = 0;
    while (f < F) {
      while (f < F && views[static_cast<std::size_t>(f) * J + j] == 0) ++f;
      if (f == F) break;
      const int b = f;
      int e = f;  // one past the last observed frame of the track
      while (f < F) {
        if (views[static_cast<std::size_t>(f) * J + j] > 0) {
          e = ++f;
          continue;
        }
        int g = f;
        while (g < F && views[static_cast<std::size_t>(g) * J + j] == 0) ++g;
        if (g == F || g - f > options.max_gap_frames) break;
        f = g;
      }
      f = std::max(f, e);
      std::vector<int> known;
      for (int k = b; k < e; ++k) {
        if (start.col(static_cast<Eigen::Index>(k) * J + j).allFinite()) known.push_back(k);
      }
      if (known.empty()) continue;
      std::size_t q = 0;
      for (int k = b; k < e; ++k) {
        while (q + 1 < known.size() && known[q + 1] <= k) ++q;
        const Eigen::Index col = static_cast<Eigen::Index>(k) * J + j;
        const int k0 = known[q];
        if (k <= k0 || q + 1 == known.size()) {
          X.col(col) = start.col(static_cast<Eigen::Index>(k0) * J + j);
        } else {
          const int k1 = known[q + 1];
          const double a = static_cast<double>(k - k0) / (k1 - k0);
          X.col(col) = (1.0 - a) * start.col(static_cast<Eigen::Index>(k0) * J + j) +
                       a * start.col(static_cast<Eigen::Index>(k1) * J + j);
        }
        in_track[static_cast<std::size_t>(col)] = 1;
      }
    }
  }
  int num_in_track = 0;
  for (char c : in_track) num_in_track += c;
  if (num_in_track == 0) {
    out.status = RefineStatus::kNothingToRefine;
    out.message = what + ": no joint could be triangulated in any frame (" + std::to_string(F) + " frames, " +
                  std::to_string(V) + " views, " + std::to_string(J) + " joints)";
    out.solve_seconds = seconds_since(t_solve);
    return out;
  }

  // Weights, all in units of the detection noise. Pixels per unit at the
  // person: per camera the median of fx / depth over the start, then the
  // median over cameras.
  const double inv_sigma = 1.0 / options.keypoint_noise_px;
  std::vector<double> px_per_unit;
  for (int v = 0; v < V; ++v) {
    std::vector<double> s;
    for (Eigen::Index i = 0; i < N; i += std::max<Eigen::Index>(1, N / 2000)) {
      if (!in_track[static_cast<std::size_t>(i)]) continue;
      const double z = (cameras[static_cast<std::size_t>(v)].cam_from_world * Eigen::Vector3d(X.col(i))).z();
      if (z > 0.0) s.push_back(cameras[static_cast<std::size_t>(v)].fx() / z);
    }
    if (!s.empty()) px_per_unit.push_back(median(s));
  }
  const double s_px = px_per_unit.empty() ? 1.0 : median(px_per_unit);
  // Data weight per coordinate of an observed sample: each view constrains
  // ~2 of the 3 coordinates, with weight (w s_px / sigma)^2.
  double sum_w2 = 0.0;
  int observed = 0;
  for (int f = 0; f < F; ++f) {
    for (int j = 0; j < J; ++j) {
      if (!in_track[static_cast<std::size_t>(f) * J + j] || views[static_cast<std::size_t>(f) * J + j] == 0) continue;
      ++observed;
      for (int v = 0; v < V; ++v) {
        const double w = options.weight_by_confidence ? score[(static_cast<std::size_t>(f) * V + v) * J + j]
                                                      : (score[(static_cast<std::size_t>(f) * V + v) * J + j] > 0.0);
        sum_w2 += w * w;
      }
    }
  }
  const double data_weight = (2.0 / 3.0) * (observed > 0 ? sum_w2 / observed : 1.0) * (s_px * inv_sigma) * (s_px * inv_sigma);
  const int order = static_cast<int>(options.smoothness);
  double smooth_weight = 0.0;
  if (options.smoothness_cutoff_hz > 0.0) {
    const double g = 2.0 * std::sin(kPi * options.smoothness_cutoff_hz / options.rate_hz);
    smooth_weight = std::sqrt(data_weight) / std::pow(g, order);
  }

  // The problem.
  detail::RefineProblem problem;
  problem.num_frames = F;
  problem.num_joints = J;
  problem.cameras = &cameras;
  problem.active = in_track;
  problem.X = X;
  problem.loss = options.loss;
  problem.loss_scale = options.robust_scale;  // residuals are in noise units
  struct Obs {
    Eigen::Index sample;
    std::size_t detection;
    int view;
  };
  std::vector<Obs> obs;
  for (int f = 0; f < F; ++f) {
    for (int v = 0; v < V; ++v) {
      for (int j = 0; j < J; ++j) {
        const std::size_t d = (static_cast<std::size_t>(f) * V + v) * J + j;
        const Eigen::Index i = static_cast<Eigen::Index>(f) * J + j;
        if (!(score[d] > 0.0) || !in_track[static_cast<std::size_t>(i)]) continue;
        const double w = (options.weight_by_confidence ? score[d] : 1.0) * inv_sigma;
        problem.observations.push_back({static_cast<int>(i), v, keypoints_px.col(static_cast<Eigen::Index>(d)), w});
        obs.push_back({i, d, v});
      }
    }
  }
  out.num_observations = static_cast<int>(obs.size());
  problem.smoothness_order = order;
  problem.smooth_weight = smooth_weight;
  if (smooth_weight > 0.0) {
    for (int j = 0; j < J; ++j) {
      for (int f = order; f < F; ++f) {
        bool all = true;
        for (int k = f - order; k <= f; ++k) all = all && in_track[static_cast<std::size_t>(k) * J + j];
        if (!all) continue;
        if (order == 2) {
          problem.smooth_terms.push_back({(f - 2) * J + j, (f - 1) * J + j, f * J + j});
        } else {
          problem.smooth_terms.push_back({(f - 1) * J + j, f * J + j, -1});
        }
      }
    }
  }
  problem.lengths.assign(options.bones.size(), kNaN);
  problem.bone_weight.assign(options.bones.size(), 0.0);
  for (std::size_t b = 0; b < options.bones.size(); ++b) {
    const auto [p, c] = options.bones[b];
    std::vector<double> init;
    for (int f = 0; f < F; ++f) {
      const Eigen::Index ip = static_cast<Eigen::Index>(f) * J + p, ic = static_cast<Eigen::Index>(f) * J + c;
      if (in_track[static_cast<std::size_t>(ip)] && in_track[static_cast<std::size_t>(ic)]) {
        const double l = (X.col(ic) - X.col(ip)).norm();
        if (l > 0.0) init.push_back(l);
      }
    }
    if (init.empty()) continue;
    problem.lengths[b] = median(init);
    problem.bone_weight[b] = 1.0 / (options.bone_length_sigma * problem.lengths[b]);
    for (int f = 0; f < F; ++f) {
      const int ip = f * J + p, ic = f * J + c;
      if (!in_track[static_cast<std::size_t>(ip)] || !in_track[static_cast<std::size_t>(ic)]) continue;
      if (!((X.col(ic) - X.col(ip)).norm() > 0.0)) continue;
      problem.bone_terms.push_back({ip, ic, static_cast<int>(b)});
    }
  }

  // Reprojection RMS of a set of points over the detections (distorted px).
  const auto errors = [&](const Points3d& P, std::vector<double>* e) {
    e->assign(obs.size(), kNaN);
    for (std::size_t k = 0; k < obs.size(); ++k) {
      const Eigen::Vector3d x = P.col(obs[k].sample);
      Eigen::Vector2d px;
      if (x.allFinite() && cameras[static_cast<std::size_t>(obs[k].view)].project(x, &px) ==
                               camera::ProjectionStatus::kSuccess) {
        (*e)[k] = (px - Eigen::Vector2d(keypoints_px.col(static_cast<Eigen::Index>(obs[k].detection)))).norm();
      }
    }
  };
  std::vector<double> e0;
  errors(out.initial_points_in_world, &e0);

  const detail::SolveSummary summary = options.solver == RefineSolver::kStructured
                                            ? detail::solve_structured(&problem, options)
                                            : detail::solve_ceres(&problem, options);
  out.iterations = summary.iterations;
  out.initial_cost = summary.initial_cost;
  out.final_cost = summary.final_cost;
  out.solve_seconds = seconds_since(t_solve);
  const bool usable = summary.usable && problem.X.array().isFinite().count() == 3 * num_in_track;
  if (!usable) {
    out.status = RefineStatus::kSolverFailed;
    out.message = what + ": the solver failed (" + summary.message + "); points_in_world is the per-frame start";
    out.points_in_world = out.initial_points_in_world;
    for (Eigen::Index i = 0; i < N; ++i) {
      out.states[static_cast<std::size_t>(i)] =
          out.points_in_world.col(i).allFinite() ? SampleState::kRaw : SampleState::kMissing;
    }
    return out;
  }
  X = problem.X;
  const std::vector<double>& lengths = problem.lengths;
  for (Eigen::Index i = 0; i < N; ++i) {
    if (!in_track[static_cast<std::size_t>(i)]) continue;
    out.points_in_world.col(i) = X.col(i);
    out.states[static_cast<std::size_t>(i)] = views[static_cast<std::size_t>(i)] > 0 ? SampleState::kFiltered : SampleState::kFilled;
  }
  for (std::size_t b = 0; b < lengths.size(); ++b) out.bone_lengths[static_cast<Eigen::Index>(b)] = lengths[b];

  std::vector<double> e1;
  errors(out.points_in_world, &e1);
  const double outlier_px = 3.0 * options.robust_scale * options.keypoint_noise_px;
  double ss0 = 0.0, ss1 = 0.0;
  int n0 = 0, n1 = 0;
  for (std::size_t k = 0; k < obs.size(); ++k) {
    if (!(e1[k] <= outlier_px)) {
      ++out.num_outliers;
      continue;
    }
    ss1 += e1[k] * e1[k];
    ++n1;
    if (std::isfinite(e0[k])) {
      ss0 += e0[k] * e0[k];
      ++n0;
    }
  }
  out.initial_rms_px = n0 > 0 ? std::sqrt(ss0 / n0) : kNaN;
  out.final_rms_px = n1 > 0 ? std::sqrt(ss1 / n1) : kNaN;
  const std::string stats = std::to_string(num_in_track) + " samples, " + std::to_string(obs.size()) +
                            " detections (" + std::to_string(out.num_outliers) + " outliers beyond " + num(outlier_px) +
                            " px), RMS " + num(out.initial_rms_px) + " -> " + num(out.final_rms_px) + " px, " +
                            std::to_string(out.iterations) + " iterations (" + summary.message + ")";
  if (summary.converged) {
    out.status = RefineStatus::kSuccess;
    out.message = what + ": " + stats;
  } else {
    out.status = RefineStatus::kNotConverged;
    out.message = what + ": stopped by the iteration limit (" + std::to_string(options.max_iterations) + "): " + stats;
  }
  return out;
}

}  // namespace crossview::temporal
