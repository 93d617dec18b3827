// crossview Python bindings: multi-person association across views (one
// frame) and tracking over time. A frame is a list of V views, each a pair
// (keypoints_px (P, J, 2), scores (P, J)) of the P people detected in it.
#include "common.hpp"
#include "cameras.hpp"

#include <crossview/association/associate.hpp>
#include <crossview/association/tracker.hpp>

#include <mutex>

namespace crossview::python {

namespace {

using namespace crossview::association;

// One view: (keypoints (P, J, 2), scores (P, J)) or an object with
// keypoints_px / scores attributes. P may be 0 ((0, J, 2) or an empty list).
ViewDetections view_arg(const py::handle& obj, int num_joints, std::size_t v) {
  py::object kp, sc;
  if (py::isinstance<py::tuple>(obj) || py::isinstance<py::list>(obj)) {
    py::sequence s = py::reinterpret_borrow<py::sequence>(obj);
    if (s.size() != 2) {
      throw py::value_error("views[" + std::to_string(v) + "] must be a pair (keypoints_px (P, J, 2), scores (P, J))");
    }
    kp = s[0];
    sc = s[1];
  } else {
    kp = obj.attr("keypoints_px");
    sc = obj.attr("scores");
  }
  const std::string what = "views[" + std::to_string(v) + "]";
  ViewDetections out;
  const py::array probe = py::array::ensure(kp);
  if (probe && probe.size() == 0) {
    out.keypoints_px.resize(2, 0);
    return out;
  }
  const PointsArg p = points_arg(kp, 2, (what + ".keypoints_px").c_str(), "(P, J, 2)", 3, 3);
  if (num_joints > 0 && p.dim(1) != num_joints) {
    throw py::value_error(what + ".keypoints_px must have J = " + std::to_string(num_joints) + " joints, got " +
                          shape_string(p.shape));
  }
  const ScoresArg s = scores_arg(sc, (what + ".scores").c_str(), p.cols);
  out.keypoints_px = p.map();
  out.scores = s.map();
  return out;
}

int infer_joints(const py::sequence& views) {
  for (const py::handle& obj : views) {
    py::object kp;
    if (py::isinstance<py::tuple>(obj) || py::isinstance<py::list>(obj)) {
      kp = py::reinterpret_borrow<py::sequence>(obj)[0];
    } else {
      kp = obj.attr("keypoints_px");
    }
    const py::array a = py::array::ensure(kp);
    if (a && a.ndim() == 3 && a.shape(0) > 0) return static_cast<int>(a.shape(1));
  }
  return 0;
}

std::vector<ViewDetections> views_arg(const py::object& views, int* num_joints) {
  if (!py::isinstance<py::sequence>(views)) {
    throw py::type_error("views: expected a list with one (keypoints_px (P, J, 2), scores (P, J)) pair per camera");
  }
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(views);
  if (*num_joints <= 0) *num_joints = infer_joints(seq);
  if (*num_joints <= 0) throw py::value_error("views: no detection to infer the joint count from: pass num_joints");
  std::vector<ViewDetections> out;
  for (std::size_t v = 0; v < seq.size(); ++v) out.push_back(view_arg(seq[v], *num_joints, v));
  return out;
}

// The tracker with a lock: update() mutates it and runs with the GIL released.
struct PyTracker {
  Tracker tracker;
  int num_joints;
  std::mutex mutex;
  PyTracker(std::vector<camera::Camera> cameras, int joints, const TrackerOptions& options)
      : tracker(std::move(cameras), joints, options), num_joints(joints) {}
};

}  // namespace

void init_association(py::module_& m) {
  py::enum_<UnmatchedReason> ur(m, "UnmatchedReason", "Why a detection is in no reported person.");
  ur.value("TOO_FEW_JOINTS", UnmatchedReason::kTooFewJoints)
      .value("NO_PARTNER", UnmatchedReason::kNoPartner)
      .value("DUPLICATE", UnmatchedReason::kDuplicate)
      .value("CONFLICT", UnmatchedReason::kConflict)
      .value("TOO_FEW_VIEWS", UnmatchedReason::kTooFewViews)
      .value("REJECTED", UnmatchedReason::kRejected)
      .value("TENTATIVE", UnmatchedReason::kTentative);
  add_enum_message<UnmatchedReason>(ur);
  py::enum_<TrackEvent> te(m, "TrackEvent", "What happened to a person's track in this frame.");
  te.value("NONE", TrackEvent::kNone)
      .value("NEW", TrackEvent::kNew)
      .value("CONTINUED", TrackEvent::kContinued)
      .value("RESUMED", TrackEvent::kResumed);
  add_enum_message<TrackEvent>(te);
  py::enum_<FrameStatus> fs(m, "FrameStatus", "Outcome of associating one frame.");
  fs.value("SUCCESS", FrameStatus::kSuccess)
      .value("NO_DETECTIONS", FrameStatus::kNoDetections)
      .value("NO_PEOPLE", FrameStatus::kNoPeople);
  add_enum_message<FrameStatus>(fs);

  py::class_<AssociationOptions> ao(m, "AssociationOptions",
                                    "associate() options (C++ field names and defaults, docs/association.md).");
  add_options_init(ao, "AssociationOptions");
  ao.def_readwrite("min_joint_score", &AssociationOptions::min_joint_score)
      .def_readwrite("min_detection_joints", &AssociationOptions::min_detection_joints)
      .def_readwrite("threshold_px", &AssociationOptions::threshold_px)
      .def_readwrite("threshold_relative", &AssociationOptions::threshold_relative)
      .def_readwrite("threshold_max_image_fraction", &AssociationOptions::threshold_max_image_fraction)
      .def_readwrite("min_common_joints", &AssociationOptions::min_common_joints)
      .def_readwrite("min_view_inlier_rate", &AssociationOptions::min_view_inlier_rate)
      .def_readwrite("min_views", &AssociationOptions::min_views)
      .def_readwrite("min_score", &AssociationOptions::min_score)
      .def_readwrite("min_person_joints", &AssociationOptions::min_person_joints)
      .def_readwrite("left_right_pairs", &AssociationOptions::left_right_pairs)
      .def_readwrite("triangulation", &AssociationOptions::triangulation)
      .def("validate", &AssociationOptions::validate, py::arg("num_joints") = 0,
           "Raises ValueError naming the first out-of-range option.");

  py::class_<TrackerOptions> to(m, "TrackerOptions", "Tracker options (C++ field names and defaults).");
  add_options_init(to, "TrackerOptions");
  to.def_readwrite("association", &TrackerOptions::association)
      .def_readwrite("max_missed_frames", &TrackerOptions::max_missed_frames)
      .def_readwrite("prediction_threshold_scale", &TrackerOptions::prediction_threshold_scale)
      .def_readwrite("prediction_threshold_growth", &TrackerOptions::prediction_threshold_growth)
      .def_readwrite("constant_velocity", &TrackerOptions::constant_velocity)
      .def_readwrite("velocity_smoothing", &TrackerOptions::velocity_smoothing)
      .def_readwrite("confirm_frames", &TrackerOptions::confirm_frames)
      .def_readwrite("confirm_views", &TrackerOptions::confirm_views)
      .def("validate", &TrackerOptions::validate, py::arg("num_joints") = 0,
           "Raises ValueError naming the first out-of-range option.");

  py::class_<PersonView>(m, "PersonView", "One view of a reported person: which detection and how well it agrees.")
      .def_property_readonly("view", [](const PersonView& p) { return p.ref.view; })
      .def_property_readonly("detection", [](const PersonView& p) { return p.ref.detection; })
      .def_readonly("association_score", &PersonView::association_score)
      .def_readonly("inlier_rate", &PersonView::inlier_rate)
      .def_readonly("median_reprojection_error_px", &PersonView::median_reprojection_error_px)
      .def_readonly("mean_reprojection_error_px", &PersonView::mean_reprojection_error_px)
      .def_readonly("num_joints_used", &PersonView::num_joints_used)
      .def_readonly("num_swapped_pairs", &PersonView::num_swapped_pairs);

  py::class_<Person>(m, "Person", "A reconstructed person: 3D joints, views, evidence, track.")
      .def_readonly("track_id", &Person::track_id)
      .def_readonly("track_event", &Person::track_event)
      .def_readonly("track_age_frames", &Person::track_age_frames)
      .def_readonly("frames_missed", &Person::frames_missed)
      .def_readonly("views", &Person::views)
      .def_property_readonly(
          "points_in_world", [](const Person& p) { return points_to_numpy(p.points_in_world); },
          "(J, 3), NaN rows for joints not triangulated.")
      .def_property_readonly(
          "joint_status",
          [](const Person& p) {
            py::array_t<std::uint8_t> out(static_cast<py::ssize_t>(p.joint_status.size()));
            for (std::size_t j = 0; j < p.joint_status.size(); ++j) out.mutable_data()[j] = static_cast<std::uint8_t>(p.joint_status[j]);
            return out;
          },
          "(J,) uint8 crossview.triangulation.Status values.")
      .def_property_readonly("joint_num_views", [](const Person& p) { return ivector_to_numpy(p.joint_num_views); })
      .def_property_readonly("joint_reprojection_error_px",
                             [](const Person& p) { return vector_to_numpy(p.joint_reprojection_error_px); })
      .def_readonly("num_valid_joints", &Person::num_valid_joints)
      .def_readonly("score", &Person::score)
      .def_readonly("num_unexplained_views", &Person::num_unexplained_views)
      .def_readonly("median_reprojection_error_px", &Person::median_reprojection_error_px)
      .def_readonly("mean_reprojection_error_px", &Person::mean_reprojection_error_px)
      .def_readonly("inlier_rate", &Person::inlier_rate)
      .def_property_readonly("num_views", &Person::num_views);

  py::class_<UnmatchedDetection>(m, "UnmatchedDetection", "A detection left out of every person, with the reason.")
      .def_property_readonly("view", [](const UnmatchedDetection& u) { return u.ref.view; })
      .def_property_readonly("detection", [](const UnmatchedDetection& u) { return u.ref.detection; })
      .def_readonly("reason", &UnmatchedDetection::reason)
      .def_readonly("person", &UnmatchedDetection::person)
      .def_readonly("message", &UnmatchedDetection::message);

  py::class_<AssociationResult>(m, "AssociationResult", "People of one frame, and every detection left out.")
      .def_readonly("status", &AssociationResult::status)
      .def_readonly("message", &AssociationResult::message)
      .def_readonly("people", &AssociationResult::people)
      .def_readonly("unmatched", &AssociationResult::unmatched)
      .def_readonly("person_of_detection", &AssociationResult::person_of_detection,
                    "[view][detection] -> index into people, or -1.")
      .def_readonly("ended_track_ids", &AssociationResult::ended_track_ids)
      .def_property_readonly("ok", &AssociationResult::ok);

  py::class_<TrackSummary>(m, "TrackSummary", "One track over a sequence.")
      .def_readonly("track_id", &TrackSummary::track_id)
      .def_readonly("first_frame", &TrackSummary::first_frame)
      .def_readonly("last_frame", &TrackSummary::last_frame)
      .def_readonly("num_frames_seen", &TrackSummary::num_frames_seen)
      .def_readonly("ended", &TrackSummary::ended)
      .def_readonly("median_num_views", &TrackSummary::median_num_views)
      .def_readonly("max_num_views", &TrackSummary::max_num_views)
      .def_readonly("median_score", &TrackSummary::median_score)
      .def_readonly("median_reprojection_error_px", &TrackSummary::median_reprojection_error_px);

  m.def(
      "associate",
      [](const py::object& cameras_obj, const py::object& views, int num_joints, const py::object& options,
         const py::kwargs& kw) {
        const auto cameras = cameras_arg(cameras_obj);
        const auto v = views_arg(views, &num_joints);
        const auto o = make_options<AssociationOptions>(options, kw, "AssociationOptions");
        py::gil_scoped_release release;
        return associate(cameras, v, num_joints, o);
      },
      py::arg("cameras"), py::arg("views"), py::arg("num_joints") = 0, py::arg("options") = py::none(),
      "associate(cameras, views, num_joints=0, options=None, **option_overrides) -> AssociationResult\n\n"
      "People across views in one frame: views[v] = (keypoints_px (P, J, 2), scores (P, J)) of camera v\n"
      "(P may differ per view; (0, J, 2) = nobody). num_joints = 0 infers J from the arrays. Every\n"
      "reported person agrees with one 3D skeleton; every other detection has a reason. GIL released.");

  py::class_<PyTracker>(m, "Tracker", "Multi-person tracking over time (identities kept across frames).")
      .def(py::init([](const py::object& cameras, int num_joints, const py::object& options, const py::kwargs& kw) {
             return std::make_unique<PyTracker>(cameras_arg(cameras), num_joints,
                                                make_options<TrackerOptions>(options, kw, "TrackerOptions"));
           }),
           py::arg("cameras"), py::arg("num_joints"), py::arg("options") = py::none(),
           "Tracker(cameras, num_joints, options=None, **option_overrides).")
      .def(
          "update",
          [](PyTracker& t, const py::object& views) {
            int J = t.num_joints;
            auto v = views_arg(views, &J);
            py::gil_scoped_release release;
            std::lock_guard<std::mutex> lock(t.mutex);
            return t.tracker.update(v);
          },
          py::arg("views"),
          "The people of the next frame with their track ids (views as in associate). GIL released;\n"
          "calls on one Tracker are serialised.")
      .def_property_readonly(
          "num_frames",
          [](PyTracker& t) {
            std::lock_guard<std::mutex> lock(t.mutex);
            return t.tracker.num_frames();
          },
          "Frames given to update() so far.")
      .def(
          "tracks",
          [](PyTracker& t) {
            std::lock_guard<std::mutex> lock(t.mutex);
            return t.tracker.tracks();
          },
          "Summaries of every track so far.")
      .def(
          "reset",
          [](PyTracker& t) {
            std::lock_guard<std::mutex> lock(t.mutex);
            t.tracker.reset();
          },
          "Forgets every track (ids restart).");

  m.def(
      "track_sequence",
      [](const py::object& cameras_obj, const py::object& frames, int num_joints, const py::object& options,
         const py::kwargs& kw) {
        const auto cameras = cameras_arg(cameras_obj);
        if (!py::isinstance<py::sequence>(frames)) throw py::type_error("frames: expected a list of frames (lists of views)");
        std::vector<std::vector<ViewDetections>> fr;
        for (const py::handle& f : py::reinterpret_borrow<py::sequence>(frames)) {
          int J = num_joints;
          fr.push_back(views_arg(py::reinterpret_borrow<py::object>(f), &J));
          if (num_joints <= 0) num_joints = J;
        }
        const auto o = make_options<TrackerOptions>(options, kw, "TrackerOptions");
        SequenceResult r;
        {
          py::gil_scoped_release release;
          r = track_sequence(cameras, fr, num_joints, o);
        }
        return py::make_tuple(r.frames, r.tracks);
      },
      py::arg("cameras"), py::arg("frames"), py::arg("num_joints") = 0, py::arg("options") = py::none(),
      "track_sequence(cameras, frames, num_joints=0, options=None, **option_overrides)\n"
      "-> (list of AssociationResult, list of TrackSummary). frames[f] = views of frame f.");
}

}  // namespace crossview::python
