// crossview Python bindings: rig calibration from the people the cameras see
// (crossview::calibration, Ceres bundle adjustment).
#include "common.hpp"
#include "cameras.hpp"

#include <crossview/calibration/calibrate.hpp>

namespace crossview::python {

namespace {

using namespace crossview::calibration;

// detections[c][f] = (keypoints_px (P, J, 2), scores (P, J)) -> RigDetections.
RigDetections detections_arg(const py::object& detections) {
  if (!py::isinstance<py::sequence>(detections)) {
    throw py::type_error("calibrate_rig: detections must be a list (cameras) of lists (frames) of "
                         "(keypoints_px (P, J, 2), scores (P, J)) pairs");
  }
  RigDetections out;
  const py::sequence cams = py::reinterpret_borrow<py::sequence>(detections);
  for (std::size_t c = 0; c < cams.size(); ++c) {
    const py::sequence frames = py::reinterpret_borrow<py::sequence>(cams[c]);
    std::vector<std::vector<PersonDetection>> per_frame;
    per_frame.reserve(frames.size());
    for (std::size_t f = 0; f < frames.size(); ++f) {
      const std::string what = "calibrate_rig: detections[" + std::to_string(c) + "][" + std::to_string(f) + "]";
      const py::sequence pair = py::reinterpret_borrow<py::sequence>(frames[f]);
      if (pair.size() != 2) throw py::value_error(what + " must be a pair (keypoints_px (P, J, 2), scores (P, J))");
      std::vector<PersonDetection> people;
      const py::array probe = py::array::ensure(pair[0]);
      if (!(probe && probe.size() == 0)) {
        const PointsArg kp = points_arg(pair[0], 2, (what + ".keypoints_px").c_str(), "(P, J, 2)", 3, 3);
        const ScoresArg sc = scores_arg(pair[1], (what + ".scores").c_str(), kp.cols);
        const Eigen::Index P = kp.dim(0), J = kp.dim(1);
        for (Eigen::Index p = 0; p < P; ++p) {
          PersonDetection d;
          d.keypoints_px = kp.map().middleCols(p * J, J);
          d.scores = sc.map().segment(p * J, J);
          people.push_back(std::move(d));
        }
      }
      per_frame.push_back(std::move(people));
    }
    out.push_back(std::move(per_frame));
  }
  return out;
}

}  // namespace

void init_calibration(py::module_& m) {
  py::enum_<Status> st(m, "Status", "Outcome of calibrate_rig.");
  st.value("SUCCESS", Status::kSuccess)
      .value("INVALID_INPUT", Status::kInvalidInput)
      .value("TOO_FEW_CAMERAS", Status::kTooFewCameras)
      .value("NO_DETECTIONS", Status::kNoDetections)
      .value("CAMERA_NOT_SEEN", Status::kCameraNotSeen)
      .value("DISCONNECTED", Status::kDisconnected)
      .value("WEAK_GRAPH", Status::kWeakGraph)
      .value("DEGENERATE_MOTION", Status::kDegenerateMotion)
      .value("OPTIMIZATION_FAILED", Status::kOptimizationFailed);
  st.def_property_readonly("message", [](Status s) { return std::string(to_string(s)); },
                           "The C++ to_string() text of this value.");
  py::enum_<KeypointLayout> kl(m, "KeypointLayout", "Limbs / height segments of the detections' joints.");
  kl.value("OPENPOSE_BODY25B", KeypointLayout::kOpenPoseBody25b)
      .value("HUMAN36M_17", KeypointLayout::kHuman36m17)
      .value("CUSTOM", KeypointLayout::kCustom);
  py::enum_<ScaleOptions::Source> ss(m, "ScaleSource", "Where the metric scale comes from.");
  ss.value("PERSON_HEIGHT", ScaleOptions::Source::kPersonHeight)
      .value("LIMB_LENGTH", ScaleOptions::Source::kLimbLength)
      .value("NONE", ScaleOptions::Source::kNone);

  py::class_<ScaleOptions> sco(m, "ScaleOptions", "Metric scale: source, person_height_m (1.70), limb_joint_a/b, limb_length_m.");
  add_options_init(sco, "ScaleOptions");
  sco.def_readwrite("source", &ScaleOptions::source)
      .def_readwrite("person_height_m", &ScaleOptions::person_height_m)
      .def_readwrite("limb_joint_a", &ScaleOptions::limb_joint_a)
      .def_readwrite("limb_joint_b", &ScaleOptions::limb_joint_b)
      .def_readwrite("limb_length_m", &ScaleOptions::limb_length_m);
  py::class_<CalibrationOptions> co(m, "CalibrationOptions",
                                    "calibrate_rig options (C++ field names and defaults; the rotation-averaging\n"
                                    "options keep their C++ defaults).");
  add_options_init(co, "CalibrationOptions");
  co.def_readwrite("min_confidence", &CalibrationOptions::min_confidence)
      .def_readwrite("min_detected_joints", &CalibrationOptions::min_detected_joints)
      .def_readwrite("prefer_previous", &CalibrationOptions::prefer_previous)
      .def_readwrite("max_jump_px", &CalibrationOptions::max_jump_px)
      .def_readwrite("layout", &CalibrationOptions::layout)
      .def_readwrite("custom_limbs", &CalibrationOptions::custom_limbs)
      .def_readwrite("keypoint_noise_px", &CalibrationOptions::keypoint_noise_px)
      .def_readwrite("min_pair_correspondences", &CalibrationOptions::min_pair_correspondences)
      .def_readwrite("min_pair_inliers", &CalibrationOptions::min_pair_inliers)
      .def_readwrite("max_ba_iterations", &CalibrationOptions::max_ba_iterations)
      .def_readwrite("refine_focal", &CalibrationOptions::refine_focal)
      .def_readwrite("refine_distortion", &CalibrationOptions::refine_distortion)
      .def_readwrite("bone_length_terms", &CalibrationOptions::bone_length_terms)
      .def_readwrite("bone_length_sigma", &CalibrationOptions::bone_length_sigma)
      .def_readwrite("min_moving_track_fraction", &CalibrationOptions::min_moving_track_fraction)
      .def_readwrite("scale", &CalibrationOptions::scale)
      .def_readwrite("seed", &CalibrationOptions::seed)
      .def("validate", &CalibrationOptions::validate, "Raises ValueError naming the first invalid option.");

  py::class_<CameraDiagnostics>(m, "CameraDiagnostics", "Per-camera result of the final bundle adjustment.")
      .def_readonly("num_observations", &CameraDiagnostics::num_observations)
      .def_readonly("num_outliers", &CameraDiagnostics::num_outliers)
      .def_readonly("reprojection_rms_px", &CameraDiagnostics::reprojection_rms_px);
  py::class_<PairDiagnostics>(m, "PairDiagnostics", "What one camera pair contributed.")
      .def_readonly("camera_a", &PairDiagnostics::camera_a)
      .def_readonly("camera_b", &PairDiagnostics::camera_b)
      .def_readonly("num_correspondences", &PairDiagnostics::num_correspondences)
      .def_readonly("num_inliers", &PairDiagnostics::num_inliers)
      .def_readonly("used", &PairDiagnostics::used)
      .def_readonly("message", &PairDiagnostics::message)
      .def_readonly("rotation_residual_deg", &PairDiagnostics::rotation_residual_deg)
      .def_readonly("direction_residual_deg", &PairDiagnostics::direction_residual_deg);
  py::class_<CalibrationResult>(m, "CalibrationResult", "The calibrated rig (metres, world = camera 0) with diagnostics.")
      .def_readonly("status", &CalibrationResult::status)
      .def_readonly("message", &CalibrationResult::message)
      .def_readonly("cameras", &CalibrationResult::cameras)
      .def_readonly("per_camera", &CalibrationResult::per_camera)
      .def_readonly("pairs", &CalibrationResult::pairs)
      .def_readonly("num_observations_used", &CalibrationResult::num_observations_used)
      .def_readonly("num_points", &CalibrationResult::num_points)
      .def_readonly("reprojection_rms_px", &CalibrationResult::reprojection_rms_px)
      .def_readonly("noise_sigma_px", &CalibrationResult::noise_sigma_px)
      .def_property_readonly(
          "points_in_world", [](const CalibrationResult& r) { return points_to_numpy(r.points_in_world); },
          "(F*J, 3) joints in metres (row f*J + j), NaN when not triangulated.")
      .def_readonly("metres_per_unit", &CalibrationResult::metres_per_unit)
      .def_readonly("estimated_height_m", &CalibrationResult::estimated_height_m)
      .def_readonly("scale_note", &CalibrationResult::scale_note)
      .def_readonly("moving_track_fraction", &CalibrationResult::moving_track_fraction)
      .def_readonly("ba_iterations", &CalibrationResult::ba_iterations)
      .def_property_readonly("ok", &CalibrationResult::ok);

  m.def(
      "calibrate_rig",
      [](const py::object& intrinsics, const py::object& detections, const py::object& options, const py::kwargs& kw) {
        const auto cams = cameras_arg(intrinsics);
        const RigDetections d = detections_arg(detections);
        const auto o = make_options<CalibrationOptions>(options, kw, "CalibrationOptions");
        py::gil_scoped_release release;
        return calibrate_rig(cams, d, o);
      },
      py::arg("intrinsics"), py::arg("detections"), py::arg("options") = py::none(),
      "calibrate_rig(intrinsics, detections, options=None, **option_overrides) -> CalibrationResult\n\n"
      "Extrinsics of a rig from the people it sees: intrinsics = one Camera per camera (extrinsics\n"
      "ignored), detections[c][f] = (keypoints_px (P, J, 2), scores (P, J)) of camera c at frame f.\n"
      "Pairwise essential matrices, rotation averaging, Ceres bundle adjustment, metric scale.\n"
      "GIL released.");
}

}  // namespace crossview::python
