#include "report/run.hpp"

#include <cctype>
#include <cmath>
#include <set>
#include <stdexcept>

namespace crossview::report {

const char* to_string(LayerKind kind) {
  switch (kind) {
    case LayerKind::kGroundTruth: return "ground_truth";
    case LayerKind::kReference: return "reference";
    case LayerKind::kDlt: return "dlt";
    case LayerKind::kRobust: return "robust";
    case LayerKind::kRpsm: return "rpsm";
    case LayerKind::kFiltered: return "filtered";
    case LayerKind::kOther: return "other";
  }
  return "unknown";
}

const char* to_string(WarningKind kind) {
  switch (kind) {
    case WarningKind::kCameraLowInlierRate: return "camera_low_inlier_rate";
    case WarningKind::kCameraHighError: return "camera_high_error";
    case WarningKind::kCamerasSwapped: return "cameras_swapped";
    case WarningKind::kKeptStart: return "kept_start";
    case WarningKind::kSkeletonGuessed: return "skeleton_guessed";
    case WarningKind::kUnitGuessed: return "unit_guessed";
    case WarningKind::kUnitImplausible: return "unit_implausible";
    case WarningKind::kFewTriangulated: return "few_triangulated";
    case WarningKind::kOther: return "other";
  }
  return "unknown";
}

std::string Run::joint_name(int j) const {
  if (j >= 0 && static_cast<std::size_t>(j) < skeleton.joint_names.size() &&
      !skeleton.joint_names[static_cast<std::size_t>(j)].empty()) {
    return skeleton.joint_names[static_cast<std::size_t>(j)];
  }
  return "joint " + std::to_string(j);
}

const Person* Run::find_person(int id) const {
  for (const Person& p : persons) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("report::Run: " + what); }

std::string shape(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}

}  // namespace

void Run::validate() const {
  const int F = num_frames, J = num_joints, V = num_views();
  if (F <= 0) fail("num_frames must be > 0, got " + std::to_string(F));
  if (J <= 0) fail("num_joints must be > 0, got " + std::to_string(J));
  if (!(fps >= 0.0) || !std::isfinite(fps)) fail("fps must be finite and >= 0 (0 = unknown)");
  if (up_axis < 0 || up_axis > 2) fail("up_axis must be 0, 1 or 2, got " + std::to_string(up_axis));
  if (length_unit.empty()) fail("length_unit is empty");
  if (V > 32) fail("at most 32 cameras, got " + std::to_string(V));
  if (!frame_numbers.empty() && static_cast<int>(frame_numbers.size()) != F) {
    fail("frame_numbers has " + std::to_string(frame_numbers.size()) + " entries for " + std::to_string(F) +
         " frames");
  }
  if (!skeleton.joint_names.empty() && static_cast<int>(skeleton.joint_names.size()) != J) {
    fail("skeleton.joint_names has " + std::to_string(skeleton.joint_names.size()) + " names for " +
         std::to_string(J) + " joints");
  }
  for (std::size_t l = 0; l < skeleton.limbs.size(); ++l) {
    const auto [a, b] = skeleton.limbs[l];
    if (a < 0 || b < 0 || a >= J || b >= J || a == b) {
      fail("skeleton.limbs[" + std::to_string(l) + "] = (" + std::to_string(a) + ", " + std::to_string(b) +
           ") is not a pair of distinct joints in [0, " + std::to_string(J) + ")");
    }
  }
  std::set<int> ids;
  for (std::size_t p = 0; p < persons.size(); ++p) {
    const Person& person = persons[p];
    const std::string where = "persons[" + std::to_string(p) + "]";
    if (!ids.insert(person.id).second) fail(where + ".id " + std::to_string(person.id) + " is used twice");
    if (person.id < 0) fail(where + ".id must be >= 0 (-1 marks unassigned detections)");
    if (!person.color.empty()) {
      const std::string& c = person.color;
      bool ok = c.size() == 7 && c[0] == '#';
      for (std::size_t i = 1; ok && i < c.size(); ++i) ok = std::isxdigit(static_cast<unsigned char>(c[i])) != 0;
      if (!ok) fail(where + ".color must be empty or \"#rrggbb\", got \"" + c + "\"");
    }
    if (person.layers.empty()) fail(where + " has no layer");
    for (std::size_t l = 0; l < person.layers.size(); ++l) {
      const Layer& layer = person.layers[l];
      const std::string lw = where + ".layers[" + std::to_string(l) + "]";
      if (layer.method.empty()) fail(lw + ".method is empty");
      if (layer.joints_in_world.cols() != static_cast<Eigen::Index>(F) * J) {
        fail(lw + ".joints_in_world is " + shape(layer.joints_in_world.rows(), layer.joints_in_world.cols()) +
             ", expected 3 x " + std::to_string(static_cast<long long>(F) * J) + " (3 x F*J packed)");
      }
      if (!layer.kept_start.empty() && static_cast<int>(layer.kept_start.size()) != F) {
        fail(lw + ".kept_start has " + std::to_string(layer.kept_start.size()) + " entries for " +
             std::to_string(F) + " frames");
      }
      if (layer.fit) {
        const TriangulationFit& fit = *layer.fit;
        if (static_cast<long long>(fit.used_views.size()) != static_cast<long long>(F) * J) {
          fail(lw + ".fit.used_views has " + std::to_string(fit.used_views.size()) + " entries, expected F*J = " +
               std::to_string(static_cast<long long>(F) * J));
        }
        if (fit.reprojection_error_px.rows() != V || fit.reprojection_error_px.cols() != static_cast<Eigen::Index>(F) * J) {
          fail(lw + ".fit.reprojection_error_px is " +
               shape(fit.reprojection_error_px.rows(), fit.reprojection_error_px.cols()) + ", expected " +
               shape(V, static_cast<Eigen::Index>(F) * J) + " (V x F*J)");
        }
        const std::uint32_t allowed = V >= 32 ? 0xffffffffu : ((1u << V) - 1u);
        for (std::size_t i = 0; i < fit.used_views.size(); ++i) {
          if ((fit.used_views[i] & ~allowed) != 0) {
            fail(lw + ".fit.used_views[" + std::to_string(i) + "] names a view >= " + std::to_string(V));
          }
        }
      }
    }
  }
  if (!detections.empty()) {
    if (static_cast<int>(detections.size()) != F) {
      fail("detections has " + std::to_string(detections.size()) + " frames, expected " + std::to_string(F));
    }
    for (int f = 0; f < F; ++f) {
      const auto& frame = detections[static_cast<std::size_t>(f)];
      if (static_cast<int>(frame.size()) != V) {
        fail("detections[" + std::to_string(f) + "] has " + std::to_string(frame.size()) + " views, expected " +
             std::to_string(V));
      }
      for (int v = 0; v < V; ++v) {
        const ViewDetections& d = frame[static_cast<std::size_t>(v)];
        const std::string dw = "detections[" + std::to_string(f) + "][" + std::to_string(v) + "]";
        const Eigen::Index n = static_cast<Eigen::Index>(d.person_ids.size()) * J;
        if (d.pixels_px.cols() != n || d.scores.size() != n) {
          fail(dw + ": pixels_px is " + shape(d.pixels_px.rows(), d.pixels_px.cols()) + " and scores has " +
               std::to_string(d.scores.size()) + " entries for " + std::to_string(d.person_ids.size()) +
               " people (expected 2 x " + std::to_string(n) + " and " + std::to_string(n) + ")");
        }
        if (d.person_ids.size() > 255) fail(dw + " has more than 255 people");
        for (std::size_t k = 0; k < d.person_ids.size(); ++k) {
          const int id = d.person_ids[k];
          if (id != -1 && ids.count(id) == 0) {
            fail(dw + ".person_ids[" + std::to_string(k) + "] = " + std::to_string(id) + " is not a person's id");
          }
        }
        for (Eigen::Index i = 0; i < n; ++i) {
          const double s = d.scores[i];
          if (!(s >= 0.0 && s <= 1.0) && !std::isnan(s)) {
            fail(dw + ".scores[" + std::to_string(i) + "] = " + std::to_string(s) + " is outside [0, 1]");
          }
          if (std::isinf(d.pixels_px(0, i)) || std::isinf(d.pixels_px(1, i))) {
            fail(dw + ".pixels_px column " + std::to_string(i) + " is infinite (NaN marks a missing joint)");
          }
        }
      }
    }
  }
  for (std::size_t w = 0; w < warnings.size(); ++w) {
    const Warning& warning = warnings[w];
    const std::string ww = "warnings[" + std::to_string(w) + "]";
    if (warning.message.empty()) fail(ww + ".message is empty");
    for (int c : warning.cameras) {
      if (c < 0 || c >= V) fail(ww + ".cameras names camera " + std::to_string(c) + " of " + std::to_string(V));
    }
    for (int f : warning.frames) {
      if (f < 0 || f >= F) fail(ww + ".frames names frame " + std::to_string(f) + " of " + std::to_string(F));
    }
  }
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const Table& table = tables[t];
    const std::string tw = "tables[" + std::to_string(t) + "]";
    if (table.basis.empty()) {
      fail(tw + " (\"" + table.title + "\") has no basis: say which frames, joints and views every row is "
                                        "computed on");
    }
    if (table.columns.empty()) fail(tw + " has no columns");
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      if (table.rows[r].size() != table.columns.size()) {
        fail(tw + ".rows[" + std::to_string(r) + "] has " + std::to_string(table.rows[r].size()) + " cells for " +
             std::to_string(table.columns.size()) + " columns");
      }
    }
  }
}

}  // namespace crossview::report
