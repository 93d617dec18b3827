#include "report/diagnostics.hpp"

#include "report/pipeline.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace crossview::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename T>
double median_of(std::vector<T> v) {
  if (v.empty()) return kNaN;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double hi = static_cast<double>(v[mid]);
  if (v.size() % 2 == 1) return hi;
  const double lo = static_cast<double>(*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)));
  return 0.5 * (lo + hi);
}

double quantile_of(std::vector<double> v, double q) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(pos));
  const std::size_t k = std::min(i + 1, v.size() - 1);
  return v[i] + (pos - static_cast<double>(i)) * (v[k] - v[i]);
}

std::string pct(double rate) { return std::isfinite(rate) ? fmt::format("{:.1f} %", 100.0 * rate) : "n/a"; }
std::string num(double v, int digits) { return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "n/a"; }

std::string camera_name(const Run& run, int v) {
  const std::string& n = run.cameras[static_cast<std::size_t>(v)].name();
  return n.empty() ? "camera " + std::to_string(v) : n;
}

std::string person_label(const Person& p) { return p.label.empty() ? "person " + std::to_string(p.id) : p.label; }

/// The layer of `person` whose fit feeds the statistics, or nullptr.
const Layer* fit_layer(const Person& person, const std::string& method) {
  for (const Layer& l : person.layers) {
    if (l.fit && (method.empty() || l.method == method)) return &l;
  }
  return nullptr;
}

bool joint_finite(const Layer& l, Eigen::Index col) { return l.joints_in_world.col(col).allFinite(); }

/// Length unit of reports: millimetres for metric runs, else the run's unit.
struct DisplayLength {
  double scale = 1.0;
  std::string unit;
};
DisplayLength display_length(const Run& run) {
  const double m = metres_per_unit_or_nan(run.length_unit);
  if (std::isfinite(m)) return {m * 1000.0, "mm"};
  return {1.0, run.length_unit};
}

// --- per-camera statistics from the fits ---------------------------------------

void camera_statistics(const Run& run, const DiagnosticsOptions& options, Diagnostics* out) {
  const int F = run.num_frames, J = run.num_joints, V = run.num_views();
  out->cameras.assign(static_cast<std::size_t>(V), CameraSummary{});
  for (int v = 0; v < V; ++v) out->cameras[static_cast<std::size_t>(v)].name = camera_name(run, v);
  out->frame_error_px.assign(static_cast<std::size_t>(F) * V, std::numeric_limits<float>::quiet_NaN());
  out->frame_inlier_rate.assign(static_cast<std::size_t>(F) * V, std::numeric_limits<float>::quiet_NaN());
  std::vector<const Layer*> layers;
  std::set<std::string> methods;
  for (const Person& p : run.persons) {
    const Layer* l = fit_layer(p, options.fit_method);
    layers.push_back(l);
    if (l != nullptr) methods.insert(l->method);
  }
  for (const std::string& m : methods) out->fit_method += (out->fit_method.empty() ? "" : " / ") + m;
  if (methods.empty()) return;
  std::vector<std::vector<float>> used_errors(static_cast<std::size_t>(V)), all_errors(static_cast<std::size_t>(V));
  std::vector<std::vector<float>> frame_errors(static_cast<std::size_t>(V));
  std::vector<int> frame_obs(static_cast<std::size_t>(V)), frame_used(static_cast<std::size_t>(V));
  std::vector<std::vector<float>> offset_u(static_cast<std::size_t>(V)), offset_v(static_cast<std::size_t>(V));
  Points2d px;
  Eigen::VectorXd sc;
  for (int f = 0; f < F; ++f) {
    for (int v = 0; v < V; ++v) {
      frame_errors[static_cast<std::size_t>(v)].clear();
      frame_obs[static_cast<std::size_t>(v)] = frame_used[static_cast<std::size_t>(v)] = 0;
    }
    for (std::size_t p = 0; p < layers.size(); ++p) {
      const Layer* l = layers[p];
      if (l == nullptr) continue;
      const TriangulationFit& fit = *l->fit;
      const bool with_detections = !run.detections.empty();
      if (with_detections) person_detections(run, f, run.persons[p].id, &px, &sc);
      for (int j = 0; j < J; ++j) {
        const Eigen::Index col = static_cast<Eigen::Index>(f) * J + j;
        if (!joint_finite(*l, col)) continue;
        const std::uint32_t mask = fit.used_views[static_cast<std::size_t>(col)];
        for (int v = 0; v < V; ++v) {
          const float e = fit.reprojection_error_px(v, col);
          if (!std::isfinite(e)) continue;
          const auto sv = static_cast<std::size_t>(v);
          ++frame_obs[sv];
          all_errors[sv].push_back(e);
          const Eigen::Index i = static_cast<Eigen::Index>(v) * J + j;
          Eigen::Vector2d projected;
          if (with_detections && px.col(i).allFinite() &&
              run.cameras[sv].project(l->joints_in_world.col(col), &projected) == camera::ProjectionStatus::kSuccess) {
            offset_u[sv].push_back(static_cast<float>(px(0, i) - projected.x()));
            offset_v[sv].push_back(static_cast<float>(px(1, i) - projected.y()));
          }
          if ((mask >> v) & 1u) {
            ++frame_used[sv];
            used_errors[sv].push_back(e);
            frame_errors[sv].push_back(e);
          }
        }
      }
    }
    for (int v = 0; v < V; ++v) {
      const auto sv = static_cast<std::size_t>(v);
      CameraSummary& c = out->cameras[sv];
      c.observations += frame_obs[sv];
      c.detections_used += frame_used[sv];
      if (frame_obs[sv] > 0) {
        const std::size_t i = static_cast<std::size_t>(f) * V + sv;
        out->frame_inlier_rate[i] = static_cast<float>(static_cast<double>(frame_used[sv]) / frame_obs[sv]);
        out->frame_error_px[i] = static_cast<float>(median_of(frame_errors[sv]));
      }
    }
  }
  for (int v = 0; v < V; ++v) {
    const auto sv = static_cast<std::size_t>(v);
    CameraSummary& c = out->cameras[sv];
    if (c.observations > 0) c.inlier_rate = static_cast<double>(c.detections_used) / static_cast<double>(c.observations);
    c.median_error_px = median_of(used_errors[sv]);
    c.median_error_all_px = median_of(all_errors[sv]);
    if (!offset_u[sv].empty()) c.median_offset_px = Eigen::Vector2d(median_of(offset_u[sv]), median_of(offset_v[sv]));
  }
}

// --- the swap test ---------------------------------------------------------------

struct HypothesisScore {
  std::vector<long long> used, usable;
  long long total_used = 0, total_usable = 0;
  double rate(int v) const {
    const auto sv = static_cast<std::size_t>(v);
    return usable[sv] > 0 ? static_cast<double>(used[sv]) / static_cast<double>(usable[sv]) : kNaN;
  }
  double total() const { return total_usable > 0 ? static_cast<double>(total_used) / static_cast<double>(total_usable) : kNaN; }
};

/// Robust triangulation of the sampled frames with the detections of views a
/// and b exchanged (a = b = -1: as given). Counts per camera the usable
/// detections it received and how many were inliers.
HypothesisScore score_hypothesis(const Run& run, const std::vector<int>& frames, int a, int b,
                                 const triangulation::TriangulationOptions& tri) {
  const int V = run.num_views(), J = run.num_joints;
  HypothesisScore s;
  s.used.assign(static_cast<std::size_t>(V), 0);
  s.usable.assign(static_cast<std::size_t>(V), 0);
  Points2d px;
  Eigen::VectorXd sc;
  for (int f : frames) {
    for (const Person& person : run.persons) {
      person_detections(run, f, person.id, &px, &sc);
      if (a >= 0) {
        const Eigen::Matrix2Xd block = px.middleCols(static_cast<Eigen::Index>(a) * J, J);
        px.middleCols(static_cast<Eigen::Index>(a) * J, J) = px.middleCols(static_cast<Eigen::Index>(b) * J, J);
        px.middleCols(static_cast<Eigen::Index>(b) * J, J) = block;
        const Eigen::VectorXd sblock = sc.segment(static_cast<Eigen::Index>(a) * J, J);
        sc.segment(static_cast<Eigen::Index>(a) * J, J) = sc.segment(static_cast<Eigen::Index>(b) * J, J);
        sc.segment(static_cast<Eigen::Index>(b) * J, J) = sblock;
      }
      int views_seen = 0;
      for (int v = 0; v < V; ++v) {
        bool any = false;
        for (int j = 0; j < J && !any; ++j) {
          const Eigen::Index i = static_cast<Eigen::Index>(v) * J + j;
          any = sc[i] > tri.min_confidence && px.col(i).allFinite();
        }
        views_seen += any ? 1 : 0;
      }
      if (views_seen < 2) continue;
      const triangulation::SkeletonResult r = triangulate_frame(run.cameras, px, sc, tri);
      for (int j = 0; j < J; ++j) {
        std::uint32_t used = 0;
        const triangulation::TriangulationResult& t = r.joints[static_cast<std::size_t>(j)];
        if (t.ok()) {
          for (int v : t.used_views) used |= 1u << v;
        }
        int usable_views = 0;
        for (int v = 0; v < V; ++v) {
          const Eigen::Index i = static_cast<Eigen::Index>(v) * J + j;
          usable_views += (sc[i] > tri.min_confidence && px.col(i).allFinite()) ? 1 : 0;
        }
        if (usable_views < 2) continue;  // nothing to triangulate under any hypothesis
        for (int v = 0; v < V; ++v) {
          const Eigen::Index i = static_cast<Eigen::Index>(v) * J + j;
          if (!(sc[i] > tri.min_confidence && px.col(i).allFinite())) continue;
          ++s.usable[static_cast<std::size_t>(v)];
          ++s.total_usable;
          if ((used >> v) & 1u) {
            ++s.used[static_cast<std::size_t>(v)];
            ++s.total_used;
          }
        }
      }
    }
  }
  return s;
}

double median_of_others(const std::vector<double>& rates, int v) {
  std::vector<double> others;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    if (static_cast<int>(i) != v && std::isfinite(rates[i])) others.push_back(rates[i]);
  }
  return median_of(others);
}

void swap_test(const Run& run, const DiagnosticsOptions& options, Diagnostics* out) {
  const int F = run.num_frames, V = run.num_views();
  if (options.swap_test_frames == 0 || run.detections.empty() || V < 2 || run.persons.empty()) return;
  // Frames where some person is detected in at least two views.
  std::vector<int> candidates;
  for (int f = 0; f < F; ++f) {
    std::map<int, int> views_per_person;
    for (const ViewDetections& d : run.detections[static_cast<std::size_t>(f)]) {
      std::set<int> here(d.person_ids.begin(), d.person_ids.end());
      for (int id : here) {
        if (id >= 0) ++views_per_person[id];
      }
    }
    for (const auto& [id, n] : views_per_person) {
      if (n >= 2) {
        candidates.push_back(f);
        break;
      }
    }
  }
  if (candidates.empty()) return;
  std::vector<int> frames;
  const int n = std::min<int>(options.swap_test_frames, static_cast<int>(candidates.size()));
  for (int i = 0; i < n; ++i) {
    frames.push_back(candidates[static_cast<std::size_t>(
        (static_cast<long long>(i) * static_cast<long long>(candidates.size())) / n)]);
  }
  triangulation::TriangulationOptions tri;
  tri.method = triangulation::Method::kRobust;
  tri.min_confidence = options.min_confidence;
  tri.robust.inlier_threshold_px = options.inlier_threshold_px;
  tri.robust.seed = options.seed;
  const HypothesisScore base = score_hypothesis(run, frames, -1, -1, tri);
  SwapTest& st = out->swap;
  st.ran = true;
  st.frames = static_cast<int>(frames.size());
  for (int v = 0; v < V; ++v) st.inlier_rate.push_back(base.rate(v));
  st.total_inlier_rate = base.total();
  // Cameras below the others (only they are tried in rigs of more than 8).
  std::vector<char> suspect(static_cast<std::size_t>(V), 0);
  for (int v = 0; v < V; ++v) {
    const double others = median_of_others(st.inlier_rate, v);
    suspect[static_cast<std::size_t>(v)] =
        !(st.inlier_rate[static_cast<std::size_t>(v)] >= others - options.low_inlier_gap) ? 1 : 0;
  }
  HypothesisScore best;
  double best_total = -1.0;
  for (int a = 0; a < V; ++a) {
    for (int b = a + 1; b < V; ++b) {
      if (V > 8 && !suspect[static_cast<std::size_t>(a)] && !suspect[static_cast<std::size_t>(b)]) continue;
      HypothesisScore s = score_hypothesis(run, frames, a, b, tri);
      if (s.total() > best_total) {
        best_total = s.total();
        best = std::move(s);
        st.camera_a = a;
        st.camera_b = b;
      }
    }
  }
  if (st.camera_a < 0) return;
  for (int v = 0; v < V; ++v) st.swapped_inlier_rate.push_back(best.rate(v));
  st.swapped_total_inlier_rate = best.total();
  const auto a = static_cast<std::size_t>(st.camera_a), b = static_cast<std::size_t>(st.camera_b);
  // The exchange must lift both cameras clearly and the whole rig's inlier
  // rate by a fifth. (After the exchange one of them may still be below the
  // others, e.g. a camera that also has a calibration shift: that is said.)
  auto lifted = [&](std::size_t v) {
    const double before = st.inlier_rate[v], after = st.swapped_inlier_rate[v];
    return std::isfinite(before) && std::isfinite(after) && after >= before + options.swap_min_gain &&
           after >= 1.3 * before;
  };
  st.detected = lifted(a) && lifted(b) && st.swapped_total_inlier_rate >= 1.2 * st.total_inlier_rate;
  if (st.detected) {
    Warning w;
    w.kind = WarningKind::kCamerasSwapped;
    w.cameras = {st.camera_a, st.camera_b};
    w.message = fmt::format(
        "cameras {} and {} look swapped: with their detections exchanged, their inlier rates go from {} and {} to "
        "{} and {} (all cameras: {} -> {}; robust triangulation of {} sampled frames, {:.0f} px gate). Check that "
        "the keypoint folders are in the calibration's camera order.",
        camera_name(run, st.camera_a), camera_name(run, st.camera_b), pct(st.inlier_rate[a]), pct(st.inlier_rate[b]),
        pct(st.swapped_inlier_rate[a]), pct(st.swapped_inlier_rate[b]), pct(st.total_inlier_rate),
        pct(st.swapped_total_inlier_rate), st.frames, options.inlier_threshold_px);
    for (std::size_t v : {a, b}) {
      const double others = median_of_others(st.swapped_inlier_rate, static_cast<int>(v));
      if (st.swapped_inlier_rate[v] < options.low_inlier_ratio * others &&
          others - st.swapped_inlier_rate[v] >= options.low_inlier_gap) {
        w.message += fmt::format(" Even exchanged, {} stays below the other cameras ({} against {}): check it again "
                                 "once the order is fixed.",
                                 camera_name(run, static_cast<int>(v)), pct(st.swapped_inlier_rate[v]), pct(others));
      }
    }
    out->warnings.push_back(std::move(w));
  }
}

void camera_warnings(const Run& run, const DiagnosticsOptions& options, Diagnostics* out) {
  const int V = run.num_views();
  std::vector<double> rates(static_cast<std::size_t>(V), kNaN), errors(static_cast<std::size_t>(V), kNaN);
  for (int v = 0; v < V; ++v) {
    const CameraSummary& c = out->cameras[static_cast<std::size_t>(v)];
    if (c.observations >= options.min_observations) {
      rates[static_cast<std::size_t>(v)] = c.inlier_rate;
      errors[static_cast<std::size_t>(v)] = c.median_error_all_px;
    }
  }
  // Without a fit, the swap test's rates (sampled frames) stand in.
  const bool from_fit = !out->fit_method.empty();
  if (!from_fit && out->swap.ran) rates = out->swap.inlier_rate;
  const std::string source = from_fit ? "the '" + out->fit_method + "' fit" : "the swap test's robust triangulation";
  for (int v = 0; v < V; ++v) {
    if (out->swap.detected && (v == out->swap.camera_a || v == out->swap.camera_b)) continue;  // explained
    const double rate = rates[static_cast<std::size_t>(v)];
    const double others = median_of_others(rates, v);
    if (std::isfinite(rate) && std::isfinite(others) && rate < options.low_inlier_ratio * others &&
        others - rate >= options.low_inlier_gap) {
      Warning w;
      w.kind = WarningKind::kCameraLowInlierRate;
      w.cameras = {v};
      const CameraSummary& c = out->cameras[static_cast<std::size_t>(v)];
      w.message = fmt::format("camera {}: inlier rate {} against a median of {} for the other cameras ({})", camera_name(run, v),
                              pct(rate), pct(others), source);
      if (std::isfinite(c.median_error_all_px)) {
        w.message += fmt::format("; median reprojection error {:.1f} px (other cameras {:.1f} px)", c.median_error_all_px,
                                 median_of_others(errors, v));
      }
      if (c.median_offset_px.allFinite()) {
        w.message += fmt::format("; its detections sit a median ({:+.1f}, {:+.1f}) px from the reprojected joints",
                                 c.median_offset_px.x(), c.median_offset_px.y());
      }
      w.message += ". A systematic shift points to a moved or miscalibrated camera, a scatter to poor detections in "
                   "this view or to detections of another camera";
      out->warnings.push_back(std::move(w));
      continue;
    }
    const double err = errors[static_cast<std::size_t>(v)];
    const double others_err = median_of_others(errors, v);
    if (std::isfinite(err) && std::isfinite(others_err) && err > options.high_error_ratio * others_err &&
        err > options.high_error_min_px) {
      Warning w;
      w.kind = WarningKind::kCameraHighError;
      w.cameras = {v};
      const CameraSummary& c = out->cameras[static_cast<std::size_t>(v)];
      w.message = fmt::format(
          "camera {}: median reprojection error {:.1f} px against {:.1f} px for the other cameras (all usable "
          "detections of triangulated joints, {}){}: check its calibration",
          camera_name(run, v), err, others_err, source,
          c.median_offset_px.allFinite() ? fmt::format("; median offset ({:+.1f}, {:+.1f}) px", c.median_offset_px.x(),
                                                       c.median_offset_px.y())
                                         : std::string());
      out->warnings.push_back(std::move(w));
    }
  }
}

void layer_warnings(const Run& run, const DiagnosticsOptions& options, Diagnostics* out) {
  const int F = run.num_frames, J = run.num_joints;
  for (const Person& person : run.persons) {
    for (const Layer& layer : person.layers) {
      std::vector<int> kept;
      for (int f = 0; f < static_cast<int>(layer.kept_start.size()); ++f) {
        if (layer.kept_start[static_cast<std::size_t>(f)] != 0) kept.push_back(f);
      }
      if (!kept.empty()) {
        Warning w;
        w.kind = WarningKind::kKeptStart;
        w.frames = kept;
        w.message = fmt::format("{} of {}: kept its start{} in {} of {} frames: {}", layer.method, person_label(person),
                                layer.start_label.empty() ? "" : " (" + layer.start_label + ")", kept.size(), F,
                                format_frames(run, kept));
        out->warnings.push_back(std::move(w));
      }
      if (layer.kind == LayerKind::kDlt || layer.kind == LayerKind::kRobust || layer.fit) {
        // Joint instances with >= 2 detections of the person (when known), else all.
        long long possible = 0, done = 0;
        std::vector<int> empty_frames;
        Points2d px;
        Eigen::VectorXd sc;
        for (int f = 0; f < F; ++f) {
          int frame_done = 0;
          if (!run.detections.empty()) person_detections(run, f, person.id, &px, &sc);
          for (int j = 0; j < J; ++j) {
            const Eigen::Index col = static_cast<Eigen::Index>(f) * J + j;
            const bool ok = joint_finite(layer, col);
            bool counts = true;
            if (!run.detections.empty()) {
              int seen = 0;
              for (int v = 0; v < run.num_views(); ++v) {
                const Eigen::Index i = static_cast<Eigen::Index>(v) * J + j;
                seen += (sc[i] > options.min_confidence && px.col(i).allFinite()) ? 1 : 0;
              }
              counts = seen >= 2;
            }
            if (counts) ++possible;
            if (counts && ok) ++done;
            frame_done += ok ? 1 : 0;
          }
          if (frame_done == 0) empty_frames.push_back(f);
        }
        const double frac = possible > 0 ? static_cast<double>(done) / static_cast<double>(possible) : kNaN;
        if (std::isfinite(frac) && frac < options.min_triangulated_fraction) {
          Warning w;
          w.kind = WarningKind::kFewTriangulated;
          w.frames = empty_frames;
          w.message = fmt::format(
              "{} of {}: only {} of the {} joint instances seen in two or more views have a 3D point{}",
              layer.method, person_label(person), pct(frac), possible,
              empty_frames.empty() ? std::string()
                                   : fmt::format("; no joint at all in {} frames: {}", empty_frames.size(),
                                                 format_frames(run, empty_frames)));
          out->warnings.push_back(std::move(w));
        }
      }
    }
  }
}

void guess_warnings(const Run& run, Diagnostics* out) {
  if (run.skeleton.guessed) {
    Warning w;
    w.kind = WarningKind::kSkeletonGuessed;
    w.message = "the skeleton " + (run.skeleton.name.empty() ? std::string("drawn") : "'" + run.skeleton.name + "'") +
                " was guessed" +
                (run.skeleton.guess_reason.empty() ? std::string(" (not given)") : ": " + run.skeleton.guess_reason) +
                "; give it explicitly if the limbs look wrong";
    out->warnings.push_back(std::move(w));
  }
  if (run.length_unit_guessed) {
    Warning w;
    w.kind = WarningKind::kUnitGuessed;
    w.message = "the length unit '" + run.length_unit + "' was assumed, not read from the data";
    out->warnings.push_back(std::move(w));
  }
  // Bone lengths against a human's: the median limb of an adult is ~0.1-0.5 m.
  const double m_per_unit = metres_per_unit_or_nan(run.length_unit);
  if (!std::isfinite(m_per_unit) || run.skeleton.limbs.empty()) return;
  std::vector<double> lengths;
  const int F = run.num_frames, J = run.num_joints;
  for (const Person& person : run.persons) {
    const Layer& layer = person.layers.front();
    for (const auto& [a, b] : run.skeleton.limbs) {
      std::vector<double> per_frame;
      for (int f = 0; f < F; ++f) {
        const Eigen::Index ca = static_cast<Eigen::Index>(f) * J + a, cb = static_cast<Eigen::Index>(f) * J + b;
        if (joint_finite(layer, ca) && joint_finite(layer, cb)) {
          per_frame.push_back((layer.joints_in_world.col(ca) - layer.joints_in_world.col(cb)).norm());
        }
      }
      if (!per_frame.empty()) lengths.push_back(median_of(per_frame));
    }
  }
  const double median_m = median_of(lengths) * m_per_unit;
  if (std::isfinite(median_m) && (median_m < 0.03 || median_m > 1.5)) {
    Warning w;
    w.kind = WarningKind::kUnitImplausible;
    w.message = fmt::format(
        "the median bone length is {} {} ({:.3g} m), a human's is 0.1-0.5 m: is the unit '{}' right?",
        num(median_m / m_per_unit, 3), run.length_unit, median_m, run.length_unit);
    out->warnings.push_back(std::move(w));
  }
}

// --- comparison tables -----------------------------------------------------------

/// (f, j) columns where every layer of the person has the joint.
std::vector<Eigen::Index> common_columns(const Run& run, const Person& person) {
  std::vector<Eigen::Index> cols;
  const Eigen::Index n = static_cast<Eigen::Index>(run.num_frames) * run.num_joints;
  for (Eigen::Index c = 0; c < n; ++c) {
    bool all = true;
    for (const Layer& l : person.layers) all = all && joint_finite(l, c);
    if (all) cols.push_back(c);
  }
  return cols;
}

std::string layer_list(const Person& person) {
  std::string s;
  for (std::size_t i = 0; i < person.layers.size(); ++i) {
    s += (i ? ", " : "") + person.layers[i].method;
  }
  return s;
}

void reprojection_table(const Run& run, const DiagnosticsOptions& options, const Person& person,
                        const std::vector<Eigen::Index>& cols, Diagnostics* out) {
  if (run.detections.empty() || cols.empty()) return;
  const int J = run.num_joints, V = run.num_views();
  Table t;
  t.title = "Reprojection error, " + person_label(person);
  t.columns = {"method", "mean [px]", "median [px]", "90th percentile [px]", "observations"};
  std::vector<std::vector<double>> errors(person.layers.size());
  std::set<int> frames;
  long long observations = 0;
  Points2d px;
  Eigen::VectorXd sc;
  int last_frame = -1;
  for (Eigen::Index c : cols) {
    const int f = static_cast<int>(c / J), j = static_cast<int>(c % J);
    if (f != last_frame) {
      person_detections(run, f, person.id, &px, &sc);
      last_frame = f;
    }
    for (int v = 0; v < V; ++v) {
      const Eigen::Index i = static_cast<Eigen::Index>(v) * J + j;
      if (!(sc[i] > options.min_confidence) || !px.col(i).allFinite()) continue;
      // Only observations every layer projects into.
      std::vector<double> e(person.layers.size());
      bool all = true;
      for (std::size_t l = 0; l < person.layers.size() && all; ++l) {
        Eigen::Vector2d p;
        all = run.cameras[static_cast<std::size_t>(v)].project(person.layers[l].joints_in_world.col(c), &p) ==
              camera::ProjectionStatus::kSuccess;
        if (all) e[l] = (p - px.col(i)).norm();
      }
      if (!all) continue;
      for (std::size_t l = 0; l < e.size(); ++l) errors[l].push_back(e[l]);
      ++observations;
      frames.insert(f);
    }
  }
  if (observations == 0) return;
  for (std::size_t l = 0; l < person.layers.size(); ++l) {
    double sum = 0.0;
    for (double e : errors[l]) sum += e;
    t.rows.push_back({person.layers[l].method, num(sum / static_cast<double>(errors[l].size()), 2),
                      num(median_of(errors[l]), 2), num(quantile_of(errors[l], 0.9), 2), std::to_string(observations)});
  }
  t.basis = fmt::format(
      "Every row on the same {} observations: the detections of {} scored > {} in every view, including those a "
      "robust method rejected, at the {} joint instances ({} frames) where every layer ({}) has the joint and "
      "projects into the view. A method that drops views is not measured on its kept views only.",
      observations, person_label(person), options.min_confidence, cols.size(), frames.size(), layer_list(person));
  out->tables.push_back(std::move(t));
}

void truth_table(const Run& run, const Person& person, const std::vector<Eigen::Index>& cols, Diagnostics* out) {
  const Layer* truth = nullptr;
  for (const Layer& l : person.layers) {
    if (l.kind == LayerKind::kGroundTruth) {
      truth = &l;
      break;
    }
  }
  const bool is_reference = truth == nullptr;
  if (truth == nullptr) {
    for (const Layer& l : person.layers) {
      if (l.kind == LayerKind::kReference) {
        truth = &l;
        break;
      }
    }
  }
  if (truth == nullptr || cols.empty() || person.layers.size() < 2) return;
  const DisplayLength d = display_length(run);
  Table t;
  t.title = (is_reference ? "Distance to " + truth->method + " (a reference, not ground truth), "
                          : std::string("Error against the ground truth, ")) +
            person_label(person);
  t.columns = {"method", "mean [" + d.unit + "]", "median [" + d.unit + "]", "90th percentile [" + d.unit + "]",
               "joint instances"};
  std::set<Eigen::Index> frames;
  for (Eigen::Index c : cols) frames.insert(c / run.num_joints);
  for (const Layer& l : person.layers) {
    if (&l == truth) continue;
    std::vector<double> e;
    e.reserve(cols.size());
    double sum = 0.0;
    for (Eigen::Index c : cols) {
      e.push_back(d.scale * (l.joints_in_world.col(c) - truth->joints_in_world.col(c)).norm());
      sum += e.back();
    }
    t.rows.push_back({l.method, num(sum / static_cast<double>(e.size()), 1), num(median_of(e), 1),
                      num(quantile_of(e, 0.9), 1), std::to_string(cols.size())});
  }
  t.basis = fmt::format(
      "Every row on the same {} joint instances ({} frames): those where every layer ({}) has the joint; no "
      "alignment (absolute positions in the world frame).",
      cols.size(), frames.size(), layer_list(person));
  out->tables.push_back(std::move(t));
}

void bone_table(const Run& run, const Person& person, Diagnostics* out) {
  if (run.skeleton.limbs.empty()) return;
  const int F = run.num_frames, J = run.num_joints;
  const DisplayLength d = display_length(run);
  std::vector<std::vector<double>> sds(person.layers.size());
  std::vector<std::vector<std::pair<double, std::string>>> worst(person.layers.size());
  long long instances = 0;
  int limbs_used = 0;
  for (const auto& [a, b] : run.skeleton.limbs) {
    std::vector<std::vector<double>> lengths(person.layers.size());
    for (int f = 0; f < F; ++f) {
      const Eigen::Index ca = static_cast<Eigen::Index>(f) * J + a, cb = static_cast<Eigen::Index>(f) * J + b;
      bool all = true;
      for (const Layer& l : person.layers) all = all && joint_finite(l, ca) && joint_finite(l, cb);
      if (!all) continue;
      for (std::size_t l = 0; l < person.layers.size(); ++l) {
        lengths[l].push_back(d.scale *
                             (person.layers[l].joints_in_world.col(ca) - person.layers[l].joints_in_world.col(cb)).norm());
      }
    }
    if (lengths.front().size() < 2) continue;
    ++limbs_used;
    instances += static_cast<long long>(lengths.front().size());
    for (std::size_t l = 0; l < person.layers.size(); ++l) {
      double mean = 0.0;
      for (double x : lengths[l]) mean += x;
      mean /= static_cast<double>(lengths[l].size());
      double var = 0.0;
      for (double x : lengths[l]) var += (x - mean) * (x - mean);
      const double sd = std::sqrt(var / static_cast<double>(lengths[l].size() - 1));
      sds[l].push_back(sd);
      worst[l].push_back({sd, run.joint_name(a) + "-" + run.joint_name(b)});
    }
  }
  if (limbs_used == 0) return;
  Table t;
  t.title = "Bone-length stability, " + person_label(person);
  t.columns = {"method", "median SD over limbs [" + d.unit + "]", "worst limb", "its SD [" + d.unit + "]"};
  for (std::size_t l = 0; l < person.layers.size(); ++l) {
    const auto w = *std::max_element(worst[l].begin(), worst[l].end());
    t.rows.push_back({person.layers[l].method, num(median_of(sds[l]), 1), w.second, num(w.first, 1)});
  }
  t.basis = fmt::format(
      "Standard deviation over time of each limb's length, every row on the same frames per limb (those where every "
      "layer has both joints): {} limbs, {} limb instances in all. A rigid limb has SD 0.",
      limbs_used, instances);
  out->tables.push_back(std::move(t));
}

void camera_table(const Run& run, Diagnostics* out) {
  if (out->fit_method.empty()) return;
  Table t;
  t.title = "Cameras";
  t.columns = {"camera", "detections", "used", "inlier rate", "median error, used [px]", "median error, all [px]",
               "median offset (u, v) [px]"};
  for (const CameraSummary& c : out->cameras) {
    t.rows.push_back({c.name, std::to_string(c.observations), std::to_string(c.detections_used), pct(c.inlier_rate),
                      num(c.median_error_px, 2), num(c.median_error_all_px, 2),
                      c.median_offset_px.allFinite()
                          ? fmt::format("({:+.1f}, {:+.1f})", c.median_offset_px.x(), c.median_offset_px.y())
                          : "n/a"});
  }
  t.basis = "The '" + out->fit_method + "' fit over all " + std::to_string(run.num_frames) +
            " frames: every usable detection of a joint it triangulated (detections), those it used (inliers), and "
            "the reprojection error of the used ones and of all of them; the offset is the median of detection minus "
            "reprojection over all of them.";
  out->tables.push_back(std::move(t));
}

std::string json_escape(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        else out += c;
    }
  }
  return out + "\"";
}

std::string json_num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }

}  // namespace

void DiagnosticsOptions::validate() const {
  auto bad = [](const std::string& what) { throw std::invalid_argument("report::DiagnosticsOptions: " + what); };
  if (!(min_confidence >= 0.0 && min_confidence < 1.0)) bad("min_confidence must be in [0, 1)");
  if (!(inlier_threshold_px > 0.0) || !std::isfinite(inlier_threshold_px)) bad("inlier_threshold_px must be > 0");
  if (swap_test_frames < 0) bad("swap_test_frames must be >= 0");
  if (!(low_inlier_ratio > 0.0 && low_inlier_ratio <= 1.0)) bad("low_inlier_ratio must be in (0, 1]");
  if (!(low_inlier_gap >= 0.0 && low_inlier_gap < 1.0)) bad("low_inlier_gap must be in [0, 1)");
  if (!(swap_min_gain >= 0.0 && swap_min_gain < 1.0)) bad("swap_min_gain must be in [0, 1)");
  if (!(high_error_ratio >= 1.0) || !std::isfinite(high_error_ratio)) bad("high_error_ratio must be >= 1");
  if (!(high_error_min_px >= 0.0) || !std::isfinite(high_error_min_px)) bad("high_error_min_px must be >= 0");
  if (min_observations < 1) bad("min_observations must be >= 1");
  if (!(min_triangulated_fraction >= 0.0 && min_triangulated_fraction <= 1.0)) {
    bad("min_triangulated_fraction must be in [0, 1]");
  }
}

Diagnostics diagnose(const Run& run, const DiagnosticsOptions& options) {
  options.validate();
  run.validate();
  Diagnostics out;
  camera_statistics(run, options, &out);
  swap_test(run, options, &out);
  camera_warnings(run, options, &out);
  layer_warnings(run, options, &out);
  guess_warnings(run, &out);
  if (options.tables) {
    camera_table(run, &out);
    for (const Person& person : run.persons) {
      const std::vector<Eigen::Index> cols = common_columns(run, person);
      reprojection_table(run, options, person, cols, &out);
      truth_table(run, person, cols, &out);
      bone_table(run, person, &out);
    }
  }
  return out;
}

double metres_per_unit_or_nan(const std::string& unit) {
  if (unit == "m") return 1.0;
  if (unit == "cm") return 0.01;
  if (unit == "mm") return 0.001;
  return kNaN;
}

std::string format_frames(const Run& run, const std::vector<int>& frames, int max_items) {
  auto number = [&run](int f) {
    return run.frame_numbers.empty() ? static_cast<long long>(f) : run.frame_numbers[static_cast<std::size_t>(f)];
  };
  std::string s;
  int items = 0;
  std::size_t i = 0;
  while (i < frames.size()) {
    std::size_t k = i;
    while (k + 1 < frames.size() && frames[k + 1] == frames[k] + 1) ++k;
    if (items == max_items) {
      s += fmt::format(", ... ({} frames)", frames.size());
      return s;
    }
    s += (items ? ", " : "") + (k == i ? fmt::format("{}", number(frames[i]))
                                       : fmt::format("{}-{}", number(frames[i]), number(frames[k])));
    ++items;
    i = k + 1;
  }
  return s;
}

std::string format_diagnostics(const Run& run, const Diagnostics& d) {
  std::string s;
  if (!d.fit_method.empty()) {
    s += "cameras (" + d.fit_method + ": usable detections of triangulated joints):\n";
    s += fmt::format("  {:<12} {:>10} {:>10} {:>12} {:>18} {:>18} {:>18}\n", "camera", "detections", "used",
                     "inlier rate", "median error [px]", "(all detections)", "median offset [px]");
    for (const CameraSummary& c : d.cameras) {
      s += fmt::format("  {:<12} {:>10} {:>10} {:>12} {:>18} {:>18} {:>18}\n", c.name, c.observations,
                       c.detections_used, pct(c.inlier_rate), num(c.median_error_px, 2), num(c.median_error_all_px, 2),
                       c.median_offset_px.allFinite()
                           ? fmt::format("({:+.1f}, {:+.1f})", c.median_offset_px.x(), c.median_offset_px.y())
                           : "n/a");
    }
  }
  if (d.swap.ran) {
    s += fmt::format("swap test ({} frames): inlier rate {} as given, {} with {} and {} exchanged{}\n", d.swap.frames,
                     pct(d.swap.total_inlier_rate), pct(d.swap.swapped_total_inlier_rate),
                     d.swap.camera_a >= 0 ? camera_name(run, d.swap.camera_a) : "-",
                     d.swap.camera_b >= 0 ? camera_name(run, d.swap.camera_b) : "-",
                     d.swap.detected ? " (SWAPPED)" : "");
  }
  std::vector<const Warning*> all;
  for (const Warning& w : run.warnings) all.push_back(&w);
  for (const Warning& w : d.warnings) all.push_back(&w);
  s += all.empty() ? "warnings: none\n" : fmt::format("warnings ({}):\n", all.size());
  for (const Warning* w : all) s += fmt::format("  [{}] {}\n", to_string(w->kind), w->message);
  return s;
}

std::string diagnostics_json(const Run& run, const Diagnostics& d) {
  std::string s = "{\"fit_method\": " + json_escape(d.fit_method) + ", \"cameras\": [";
  for (std::size_t v = 0; v < d.cameras.size(); ++v) {
    const CameraSummary& c = d.cameras[v];
    s += fmt::format("{}{{\"name\": {}, \"detections\": {}, \"used\": {}, \"inlier_rate\": {}, \"median_error_px\": {}, "
                     "\"median_error_all_px\": {}, \"median_offset_px\": [{}, {}]}}",
                     v ? ", " : "", json_escape(c.name), c.observations, c.detections_used, json_num(c.inlier_rate),
                     json_num(c.median_error_px), json_num(c.median_error_all_px), json_num(c.median_offset_px.x()),
                     json_num(c.median_offset_px.y()));
  }
  s += "], \"swap_test\": ";
  if (d.swap.ran) {
    s += fmt::format("{{\"frames\": {}, \"inlier_rate\": {}, \"best_exchange\": [{}, {}], \"exchanged_inlier_rate\": {}, "
                     "\"detected\": {}}}",
                     d.swap.frames, json_num(d.swap.total_inlier_rate),
                     d.swap.camera_a >= 0 ? json_escape(camera_name(run, d.swap.camera_a)) : "null",
                     d.swap.camera_b >= 0 ? json_escape(camera_name(run, d.swap.camera_b)) : "null",
                     json_num(d.swap.swapped_total_inlier_rate), d.swap.detected ? "true" : "false");
  } else {
    s += "null";
  }
  s += ", \"warnings\": [";
  bool first = true;
  auto add = [&](const Warning& w) {
    s += first ? "" : ", ";
    first = false;
    s += "{\"kind\": " + json_escape(to_string(w.kind)) + ", \"message\": " + json_escape(w.message) + ", \"cameras\": [";
    for (std::size_t i = 0; i < w.cameras.size(); ++i) s += (i ? ", " : "") + json_escape(camera_name(run, w.cameras[i]));
    s += "], \"frames\": [";
    for (std::size_t i = 0; i < w.frames.size(); ++i) {
      const int f = w.frames[i];
      s += (i ? ", " : "") +
           std::to_string(run.frame_numbers.empty() ? static_cast<long long>(f) : run.frame_numbers[static_cast<std::size_t>(f)]);
    }
    s += "]}";
  };
  for (const Warning& w : run.warnings) add(w);
  for (const Warning& w : d.warnings) add(w);
  return s + "]}";
}

}  // namespace crossview::report
