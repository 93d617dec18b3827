// crossview Python bindings: filters for 3D tracks with gaps (sequences
// (F, J, 3)), gap filling, the spatio-temporal refinement of a sequence from
// its 2D detections (Ceres, crossview::temporal_refine), and the world frame
// from people's feet and balance (estimate_floor).
#include "common.hpp"
#include "cameras.hpp"

#include <crossview/temporal/filters.hpp>
#include <crossview/temporal/gap_filling.hpp>
#include <crossview/temporal/refine.hpp>
#include <crossview/temporal/sequence.hpp>
#include <crossview/temporal/world_frame.hpp>

#include <mutex>

namespace crossview::python {

namespace {

using namespace crossview::temporal;

struct SeqArg {
  PointsArg points;
  ScoresArg validity;
  int num_joints = 0;
};

SeqArg sequence_arg(const py::object& sequence, const py::object& validity, const char* fn) {
  SeqArg s;
  s.points = points_arg(sequence, 3, (std::string(fn) + ": sequence").c_str(), "(F, J, 3)", 3, 3);
  s.num_joints = static_cast<int>(s.points.dim(1));
  s.validity = scores_arg(validity, (std::string(fn) + ": validity").c_str(), s.points.cols);
  return s;
}

py::array_t<std::uint8_t> states_to_numpy(const std::vector<SampleState>& states, int F, int J) {
  py::array_t<std::uint8_t> out({F, J});
  for (std::size_t i = 0; i < states.size() && i < static_cast<std::size_t>(F) * J; ++i) {
    out.mutable_data()[i] = static_cast<std::uint8_t>(states[i]);
  }
  return out;
}

template <class Fn>
SequenceResult run(const SeqArg& s, Fn&& fn) {
  py::gil_scoped_release release;
  return fn(s.points.map(), s.num_joints, s.validity.map());
}

}  // namespace

void init_temporal(py::module_& m) {
  py::enum_<SampleState> ss(m, "SampleState", "What happened to one (frame, joint) sample.");
  ss.value("MISSING", SampleState::kMissing)
      .value("FILTERED", SampleState::kFiltered)
      .value("RAW", SampleState::kRaw)
      .value("FILLED", SampleState::kFilled);
  add_enum_message<SampleState>(ss);
  py::enum_<Status> st(m, "Status", "Outcome of a filter / gap filling.");
  st.value("SUCCESS", Status::kSuccess).value("PARTIAL", Status::kPartial).value("NO_VALID_SAMPLES", Status::kNoValidSamples);
  add_enum_message<Status>(st);
  py::enum_<BoundaryMode> bm(m, "BoundaryMode", "Segment-end extension of the median and Gaussian filters (scipy.ndimage's).");
  bm.value("REFLECT", BoundaryMode::kReflect).value("MIRROR", BoundaryMode::kMirror).value("NEAREST", BoundaryMode::kNearest);
  add_enum_message<BoundaryMode>(bm);
  py::enum_<MotionModel> mm(m, "MotionModel", "Kalman smoother motion model.");
  mm.value("CONSTANT_VELOCITY", MotionModel::kConstantVelocity)
      .value("CONSTANT_ACCELERATION", MotionModel::kConstantAcceleration);
  add_enum_message<MotionModel>(mm);
  py::enum_<FilterType> ft(m, "FilterType", "Filter of filter_sequence.");
  ft.value("BUTTERWORTH", FilterType::kButterworth)
      .value("KALMAN", FilterType::kKalman)
      .value("ONE_EURO", FilterType::kOneEuro)
      .value("MEDIAN", FilterType::kMedian)
      .value("GAUSSIAN", FilterType::kGaussian);
  add_enum_message<FilterType>(ft);
  py::enum_<GapFillMethod> gm(m, "GapFillMethod", "Interpolation of fill_gaps.");
  gm.value("LINEAR", GapFillMethod::kLinear).value("CUBIC_SPLINE", GapFillMethod::kCubicSpline).value("PCHIP", GapFillMethod::kPchip);
  add_enum_message<GapFillMethod>(gm);

  py::class_<ButterworthOptions> bo(m, "ButterworthOptions", "order (4), cutoff_hz (6): Pose2Sim's defaults.");
  add_options_init(bo, "ButterworthOptions");
  bo.def_readwrite("order", &ButterworthOptions::order)
      .def_readwrite("cutoff_hz", &ButterworthOptions::cutoff_hz)
      .def("validate", &ButterworthOptions::validate, "Raises ValueError naming the first invalid option.");
  py::class_<MedianOptions> mo(m, "MedianOptions", "window (9 frames, odd), mode (REFLECT).");
  add_options_init(mo, "MedianOptions");
  mo.def_readwrite("window", &MedianOptions::window)
      .def_readwrite("mode", &MedianOptions::mode)
      .def("validate", &MedianOptions::validate, "Raises ValueError naming the first invalid option.");
  py::class_<GaussianOptions> go(m, "GaussianOptions", "sigma_frames (2), truncate (4), mode (REFLECT).");
  add_options_init(go, "GaussianOptions");
  go.def_readwrite("sigma_frames", &GaussianOptions::sigma_frames)
      .def_readwrite("truncate", &GaussianOptions::truncate)
      .def_readwrite("mode", &GaussianOptions::mode)
      .def("validate", &GaussianOptions::validate, "Raises ValueError naming the first invalid option.");
  py::class_<KalmanOptions> ko(m, "KalmanOptions", "Kalman (RTS) smoother options (C++ defaults).");
  add_options_init(ko, "KalmanOptions");
  ko.def_readwrite("model", &KalmanOptions::model)
      .def_readwrite("measurement_noise", &KalmanOptions::measurement_noise)
      .def_readwrite("process_noise", &KalmanOptions::process_noise)
      .def_readwrite("cutoff_hz", &KalmanOptions::cutoff_hz)
      .def_readwrite("smooth", &KalmanOptions::smooth)
      .def_readwrite("max_gap_frames", &KalmanOptions::max_gap_frames)
      .def_readwrite("fill_gaps", &KalmanOptions::fill_gaps)
      .def("validate", &KalmanOptions::validate, "Raises ValueError naming the first invalid option.");
  py::class_<OneEuroOptions> oo(m, "OneEuroOptions", "One Euro filter options (Casiez et al.): min_cutoff_hz, beta, derivative_cutoff_hz.");
  add_options_init(oo, "OneEuroOptions");
  oo.def_readwrite("min_cutoff_hz", &OneEuroOptions::min_cutoff_hz)
      .def_readwrite("beta", &OneEuroOptions::beta)
      .def_readwrite("derivative_cutoff_hz", &OneEuroOptions::derivative_cutoff_hz)
      .def("validate", &OneEuroOptions::validate, "Raises ValueError naming the first invalid option.");
  py::class_<FilterOptions> fo(m, "FilterOptions", "filter_sequence options: type, rate_hz and each filter's options.");
  add_options_init(fo, "FilterOptions");
  fo.def_readwrite("type", &FilterOptions::type)
      .def_readwrite("rate_hz", &FilterOptions::rate_hz)
      .def_readwrite("butterworth", &FilterOptions::butterworth)
      .def_readwrite("kalman", &FilterOptions::kalman)
      .def_readwrite("one_euro", &FilterOptions::one_euro)
      .def_readwrite("median", &FilterOptions::median)
      .def_readwrite("gaussian", &FilterOptions::gaussian)
      .def("validate", &FilterOptions::validate, "Raises ValueError naming the first invalid option.");
  py::class_<GapFillOptions> gfo(m, "GapFillOptions", "fill_gaps options: method (CUBIC_SPLINE), max_gap_frames (10).");
  add_options_init(gfo, "GapFillOptions");
  gfo.def_readwrite("method", &GapFillOptions::method)
      .def_readwrite("max_gap_frames", &GapFillOptions::max_gap_frames)
      .def("validate", &GapFillOptions::validate, "Raises ValueError naming the first invalid option.");

  py::class_<SequenceResult>(m, "SequenceResult", "A filtered / filled sequence with a state per sample.")
      .def_readonly("status", &SequenceResult::status)
      .def_readonly("message", &SequenceResult::message)
      .def_property_readonly(
          "points",
          [](const SequenceResult& r) { return to_numpy_shaped(r.points.data(), {r.num_frames, r.num_joints, 3}); },
          "(F, J, 3), NaN where the state is MISSING.")
      .def_property_readonly(
          "states", [](const SequenceResult& r) { return states_to_numpy(r.states, r.num_frames, r.num_joints); },
          "(F, J) uint8 SampleState values.")
      .def_readonly("num_frames", &SequenceResult::num_frames)
      .def_readonly("num_joints", &SequenceResult::num_joints)
      .def_readonly("num_segments", &SequenceResult::num_segments)
      .def_readonly("num_raw_segments", &SequenceResult::num_raw_segments)
      .def_readonly("num_filled", &SequenceResult::num_filled)
      .def_readonly("num_gaps_filled", &SequenceResult::num_gaps_filled)
      .def_readonly("num_gaps_left", &SequenceResult::num_gaps_left)
      .def_property_readonly("ok", &SequenceResult::ok);

  const char* seq_doc =
      "sequence (F, J, 3) (NaN row = missing), validity optional (F, J) (<= 0 = missing). Each joint's\n"
      "contiguous segments are filtered on their own; segments too short are left RAW (status PARTIAL).\n"
      "GIL released.";
  m.def(
      "butterworth_filter",
      [](const py::object& seq, double rate_hz, const py::object& validity, const py::object& options,
         const py::kwargs& kw) {
        const SeqArg s = sequence_arg(seq, validity, "butterworth_filter");
        const auto o = make_options<ButterworthOptions>(options, kw, "ButterworthOptions");
        return run(s, [&](const auto& p, int J, const auto& v) { return butterworth_filter(p, J, rate_hz, o, v); });
      },
      py::arg("sequence"), py::arg("rate_hz"), py::arg("validity") = py::none(), py::arg("options") = py::none(),
      (std::string("Zero-phase Butterworth low-pass, = scipy.signal.filtfilt(*butter(order, cutoff, fs=rate), x)\n"
                   "per segment. ") + seq_doc).c_str());
  m.def(
      "median_filter",
      [](const py::object& seq, const py::object& validity, const py::object& options, const py::kwargs& kw) {
        const SeqArg s = sequence_arg(seq, validity, "median_filter");
        const auto o = make_options<MedianOptions>(options, kw, "MedianOptions");
        return run(s, [&](const auto& p, int J, const auto& v) { return median_filter(p, J, o, v); });
      },
      py::arg("sequence"), py::arg("validity") = py::none(), py::arg("options") = py::none(),
      (std::string("= scipy.ndimage.median_filter(x, size=window, mode=...) per segment. ") + seq_doc).c_str());
  m.def(
      "gaussian_filter",
      [](const py::object& seq, const py::object& validity, const py::object& options, const py::kwargs& kw) {
        const SeqArg s = sequence_arg(seq, validity, "gaussian_filter");
        const auto o = make_options<GaussianOptions>(options, kw, "GaussianOptions");
        return run(s, [&](const auto& p, int J, const auto& v) { return gaussian_filter(p, J, o, v); });
      },
      py::arg("sequence"), py::arg("validity") = py::none(), py::arg("options") = py::none(),
      (std::string("= scipy.ndimage.gaussian_filter1d(x, sigma, mode=..., truncate=...) per segment. ") + seq_doc)
          .c_str());
  m.def(
      "kalman_smoother",
      [](const py::object& seq, double rate_hz, const py::object& validity, const py::object& options,
         const py::kwargs& kw) {
        const SeqArg s = sequence_arg(seq, validity, "kalman_smoother");
        const auto o = make_options<KalmanOptions>(options, kw, "KalmanOptions");
        return run(s, [&](const auto& p, int J, const auto& v) { return kalman_smoother(p, J, rate_hz, o, v); });
      },
      py::arg("sequence"), py::arg("rate_hz"), py::arg("validity") = py::none(), py::arg("options") = py::none(),
      (std::string("Kalman filter + Rauch-Tung-Striebel smoother per coordinate. ") + seq_doc).c_str());
  m.def(
      "one_euro_filter",
      [](const py::object& seq, double rate_hz, const py::object& validity, const py::object& options,
         const py::kwargs& kw) {
        const SeqArg s = sequence_arg(seq, validity, "one_euro_filter");
        const auto o = make_options<OneEuroOptions>(options, kw, "OneEuroOptions");
        return run(s, [&](const auto& p, int J, const auto& v) { return one_euro_filter(p, J, rate_hz, o, v); });
      },
      py::arg("sequence"), py::arg("rate_hz"), py::arg("validity") = py::none(), py::arg("options") = py::none(),
      (std::string("One Euro filter (Casiez et al., CHI 2012) over a whole sequence. ") + seq_doc).c_str());
  m.def(
      "filter_sequence",
      [](const py::object& seq, const py::object& validity, const py::object& options, const py::kwargs& kw) {
        const SeqArg s = sequence_arg(seq, validity, "filter_sequence");
        const auto o = make_options<FilterOptions>(options, kw, "FilterOptions");
        return run(s, [&](const auto& p, int J, const auto& v) { return filter_sequence(p, J, o, v); });
      },
      py::arg("sequence"), py::arg("validity") = py::none(), py::arg("options") = py::none(),
      (std::string("The filter options.type names, with its options. ") + seq_doc).c_str());
  m.def(
      "fill_gaps",
      [](const py::object& seq, const py::object& validity, const py::object& options, const py::kwargs& kw) {
        const SeqArg s = sequence_arg(seq, validity, "fill_gaps");
        const auto o = make_options<GapFillOptions>(options, kw, "GapFillOptions");
        return run(s, [&](const auto& p, int J, const auto& v) { return fill_gaps(p, J, o, v); });
      },
      py::arg("sequence"), py::arg("validity") = py::none(), py::arg("options") = py::none(),
      "Interpolates gaps of at most max_gap_frames inside each joint's track (LINEAR, CUBIC_SPLINE,\n"
      "PCHIP); filled samples are FILLED, longer gaps stay MISSING. GIL released.");
  m.def(
      "butterworth_lowpass",
      [](int order, double cutoff_hz, double rate_hz) {
        const IirCoefficients c = butterworth_lowpass(order, cutoff_hz, rate_hz);
        return py::make_tuple(vector_to_numpy(c.b), vector_to_numpy(c.a));
      },
      py::arg("order"), py::arg("cutoff_hz"), py::arg("rate_hz"),
      "(b, a) of a digital Butterworth low-pass, = scipy.signal.butter(order, cutoff_hz, fs=rate_hz).");

  py::class_<OneEuroFilter>(m, "OneEuroFilter", "Online One Euro filter of one pose stream (J joints).")
      .def(py::init([](int num_joints, const py::object& options, const py::kwargs& kw) {
             return OneEuroFilter(num_joints, make_options<OneEuroOptions>(options, kw, "OneEuroOptions"));
           }),
           py::arg("num_joints"), py::arg("options") = py::none())
      .def(
          "update",
          [](OneEuroFilter& f, const py::object& pose, double time_s, const py::object& validity) {
            const PointsArg p = points_arg(pose, 3, "OneEuroFilter.update: pose", "(J, 3)");
            const ScoresArg v = scores_arg(validity, "OneEuroFilter.update: validity", p.cols);
            return points_to_numpy(f.update(p.map(), time_s, v.map()));
          },
          py::arg("pose"), py::arg("time_s"), py::arg("validity") = py::none(),
          "Filters the pose (J, 3) observed at time_s (s, increasing) -> (J, 3).")
      .def("reset", &OneEuroFilter::reset, "Forgets the state.")
      .def_property_readonly("num_joints", &OneEuroFilter::num_joints);

  // ------------------------------------------------------ refine_sequence
  py::enum_<SmoothnessOrder> so(m, "SmoothnessOrder", "Smoothness prior of refine_sequence.");
  so.value("VELOCITY", SmoothnessOrder::kVelocity).value("ACCELERATION", SmoothnessOrder::kAcceleration);
  add_enum_message<SmoothnessOrder>(so);
  py::enum_<RobustLoss> rl(m, "RobustLoss", "Robust loss on the reprojection residuals of refine_sequence.");
  rl.value("NONE", RobustLoss::kNone).value("HUBER", RobustLoss::kHuber).value("CAUCHY", RobustLoss::kCauchy);
  add_enum_message<RobustLoss>(rl);
  py::enum_<RefineSolver> rs(m, "RefineSolver", "Linear solver of refine_sequence.");
  rs.value("STRUCTURED", RefineSolver::kStructured)
      .value("CERES_SPARSE_NORMAL_CHOLESKY", RefineSolver::kCeresSparseNormalCholesky)
      .value("CERES_SPARSE_SCHUR", RefineSolver::kCeresSparseSchur)
      .value("CERES_ITERATIVE_SCHUR", RefineSolver::kCeresIterativeSchur)
      .value("CERES_CGNR", RefineSolver::kCeresCgnr);
  add_enum_message<RefineSolver>(rs);
  py::enum_<RefineStatus> rst(m, "RefineStatus", "Outcome of refine_sequence.");
  rst.value("SUCCESS", RefineStatus::kSuccess)
      .value("NOT_CONVERGED", RefineStatus::kNotConverged)
      .value("NOTHING_TO_REFINE", RefineStatus::kNothingToRefine)
      .value("SOLVER_FAILED", RefineStatus::kSolverFailed);
  add_enum_message<RefineStatus>(rst);

  py::class_<RefineOptions> ro(m, "RefineOptions", "refine_sequence options (C++ field names and defaults; rate_hz required).");
  add_options_init(ro, "RefineOptions");
  ro.def_readwrite("rate_hz", &RefineOptions::rate_hz)
      .def_readwrite("bones", &RefineOptions::bones)
      .def_readwrite("min_confidence", &RefineOptions::min_confidence)
      .def_readwrite("weight_by_confidence", &RefineOptions::weight_by_confidence)
      .def_readwrite("keypoint_noise_px", &RefineOptions::keypoint_noise_px)
      .def_readwrite("loss", &RefineOptions::loss)
      .def_readwrite("robust_scale", &RefineOptions::robust_scale)
      .def_readwrite("smoothness", &RefineOptions::smoothness)
      .def_readwrite("smoothness_cutoff_hz", &RefineOptions::smoothness_cutoff_hz)
      .def_readwrite("bone_length_sigma", &RefineOptions::bone_length_sigma)
      .def_readwrite("max_gap_frames", &RefineOptions::max_gap_frames)
      .def_readwrite("initial", &RefineOptions::initial)
      .def_readwrite("max_iterations", &RefineOptions::max_iterations)
      .def_readwrite("function_tolerance", &RefineOptions::function_tolerance)
      .def_readwrite("solver", &RefineOptions::solver)
      .def_readwrite("num_threads", &RefineOptions::num_threads)
      .def("validate", &RefineOptions::validate, "Raises ValueError naming the first invalid option.");

  py::class_<RefineResult>(m, "RefineResult", "A refined sequence (F, J, 3) with diagnostics.")
      .def_readonly("status", &RefineResult::status)
      .def_readonly("message", &RefineResult::message)
      .def_readonly("num_frames", &RefineResult::num_frames)
      .def_readonly("num_joints", &RefineResult::num_joints)
      .def_property_readonly(
          "points_in_world",
          [](const RefineResult& r) { return to_numpy_shaped(r.points_in_world.data(), {r.num_frames, r.num_joints, 3}); },
          "(F, J, 3) refined joints (NaN where MISSING).")
      .def_property_readonly(
          "initial_points_in_world",
          [](const RefineResult& r) {
            return to_numpy_shaped(r.initial_points_in_world.data(), {r.num_frames, r.num_joints, 3});
          },
          "(F, J, 3) per-frame triangulation the solve started from.")
      .def_property_readonly(
          "states", [](const RefineResult& r) { return states_to_numpy(r.states, r.num_frames, r.num_joints); },
          "(F, J) uint8 SampleState values.")
      .def_property_readonly("bone_lengths", [](const RefineResult& r) { return vector_to_numpy(r.bone_lengths); })
      .def_readonly("num_observations", &RefineResult::num_observations)
      .def_readonly("num_outliers", &RefineResult::num_outliers)
      .def_readonly("initial_rms_px", &RefineResult::initial_rms_px)
      .def_readonly("final_rms_px", &RefineResult::final_rms_px)
      .def_readonly("initial_cost", &RefineResult::initial_cost)
      .def_readonly("final_cost", &RefineResult::final_cost)
      .def_readonly("iterations", &RefineResult::iterations)
      .def_readonly("triangulation_seconds", &RefineResult::triangulation_seconds)
      .def_readonly("solve_seconds", &RefineResult::solve_seconds)
      .def_property_readonly("ok", &RefineResult::ok)
      .def_property_readonly("usable", &RefineResult::usable);

  m.def(
      "refine_sequence",
      [](const py::object& cameras_obj, const py::object& keypoints, const py::object& scores,
         const py::object& options, const py::kwargs& kw) {
        const auto cameras = cameras_arg(cameras_obj);
        const PointsArg kp = points_arg(keypoints, 2, "refine_sequence: keypoints_px", "(F, V, J, 2)", 4, 4);
        if (kp.dim(1) != static_cast<py::ssize_t>(cameras.size())) {
          throw py::value_error("refine_sequence: keypoints_px must have shape (F, V, J, 2) with V = " +
                                std::to_string(cameras.size()) + " cameras, got " + shape_string(kp.shape));
        }
        const int J = static_cast<int>(kp.dim(2));
        const ScoresArg sc = scores_arg(scores, "refine_sequence: scores", kp.cols);
        const auto o = make_options<RefineOptions>(options, kw, "RefineOptions");
        py::gil_scoped_release release;
        return refine_sequence(cameras, kp.map(), sc.map(), J, o);
      },
      py::arg("cameras"), py::arg("keypoints_px"), py::arg("scores") = py::none(), py::arg("options") = py::none(),
      "refine_sequence(cameras, keypoints_px, scores=None, options=None, **option_overrides) -> RefineResult\n\n"
      "One person's sequence from its detections (F, V, J, 2) + scores (F, V, J): robust reprojection\n"
      "error + smoothness + constant bone lengths, solved jointly (Ceres). rate_hz is required.\n"
      "GIL released.");

  // --- World frame from feet and balance --------------------------------------
  py::class_<FootKeypoint>(m, "FootKeypoint", "A foot keypoint and its typical height above the floor (m) when down.")
      .def(py::init([](int joint, double height_m) { return FootKeypoint{joint, height_m}; }), py::arg("joint"),
           py::arg("height_m"))
      .def_readwrite("joint", &FootKeypoint::joint)
      .def_readwrite("height_m", &FootKeypoint::height_m);
  py::class_<BodySegment>(m, "BodySegment",
                          "A segment of the centre-of-mass model: from the mean of `proximal` to the mean of `distal`\n"
                          "joints, its centre at com_fraction of the way, carrying mass_fraction of the body's mass.")
      .def(py::init([](std::vector<int> proximal, std::vector<int> distal, double mass_fraction, double com_fraction) {
             return BodySegment{std::move(proximal), std::move(distal), mass_fraction, com_fraction};
           }),
           py::arg("proximal"), py::arg("distal"), py::arg("mass_fraction"), py::arg("com_fraction") = 0.5)
      .def_readwrite("proximal", &BodySegment::proximal)
      .def_readwrite("distal", &BodySegment::distal)
      .def_readwrite("mass_fraction", &BodySegment::mass_fraction)
      .def_readwrite("com_fraction", &BodySegment::com_fraction);
  py::class_<FloorOptions> flo(m, "FloorOptions",
                               "estimate_floor options (C++ field names and defaults; presets body25b(), human36m_17()).");
  add_options_init(flo, "FloorOptions");
  flo.def_readwrite("feet", &FloorOptions::feet)
      .def_readwrite("length_unit_m", &FloorOptions::length_unit_m)
      .def_readwrite("max_foot_speed_m_s", &FloorOptions::max_foot_speed_m_s)
      .def_readwrite("inlier_threshold_m", &FloorOptions::inlier_threshold_m)
      .def_readwrite("ransac_iterations", &FloorOptions::ransac_iterations)
      .def_readwrite("seed", &FloorOptions::seed)
      .def_readwrite("min_inliers", &FloorOptions::min_inliers)
      .def_readwrite("max_tilt_uncertainty_deg", &FloorOptions::max_tilt_uncertainty_deg)
      .def_readwrite("body_segments", &FloorOptions::body_segments)
      .def_readwrite("min_body_mass_fraction", &FloorOptions::min_body_mass_fraction)
      .def_readwrite("balance_support_error_m", &FloorOptions::balance_support_error_m)
      .def_readwrite("min_balance_frames", &FloorOptions::min_balance_frames)
      .def_static("body25b", &FloorOptions::body25b, "OpenPose BODY_25B feet and de Leva body segments.")
      .def_static("human36m_17", &FloorOptions::human36m_17, "Human3.6M 17 joints: ankles and de Leva body segments.")
      .def("validate", &FloorOptions::validate, "Raises ValueError naming the first invalid option.");
  py::enum_<FloorStatus> fls(m, "FloorStatus", "Outcome of estimate_floor.");
  fls.value("SUCCESS", FloorStatus::kSuccess)
      .value("UNDERDETERMINED", FloorStatus::kUnderdetermined)
      .value("TOO_FEW_FOOT_POINTS", FloorStatus::kTooFewFootPoints)
      .value("NO_PLANE", FloorStatus::kNoPlane)
      .value("INCONSISTENT", FloorStatus::kInconsistent);
  add_enum_message<FloorStatus>(fls);
  py::class_<FloorResult>(m, "FloorResult", "The floor, the new world frame and the evidence (see estimate_floor).")
      .def_readonly("status", &FloorResult::status)
      .def_readonly("message", &FloorResult::message)
      .def_property_readonly(
          "world_from_old_R", [](const FloorResult& r) { return matrix_to_numpy(r.world_from_old.rotation_matrix()); },
          "(3, 3) rotation of the new world from the old (x_new = R x_old + t).")
      .def_property_readonly(
          "world_from_old_t", [](const FloorResult& r) { return vector_to_numpy(r.world_from_old.translation); },
          "(3,) translation of the new world from the old (data units).")
      .def_property_readonly("up_in_old", [](const FloorResult& r) { return vector_to_numpy(r.up_in_old); },
                             "(3,) unit up axis in the old frame (zero unless a plane was found).")
      .def_readonly("floor_offset", &FloorResult::floor_offset, "up_in_old . x + floor_offset = 0 on the floor.")
      .def_readonly("num_candidates", &FloorResult::num_candidates)
      .def_readonly("num_inliers", &FloorResult::num_inliers)
      .def_readonly("rms_residual_m", &FloorResult::rms_residual_m)
      .def_readonly("footprint_major_m", &FloorResult::footprint_major_m)
      .def_readonly("footprint_minor_m", &FloorResult::footprint_minor_m)
      .def_readonly("tilt_uncertainty_deg", &FloorResult::tilt_uncertainty_deg)
      .def_readonly("feet_tilt_uncertainty_deg", &FloorResult::feet_tilt_uncertainty_deg)
      .def_readonly("balance_frames", &FloorResult::balance_frames)
      .def_readonly("balance_uncertainty_deg", &FloorResult::balance_uncertainty_deg)
      .def_readonly("balance_angle_to_feet_deg", &FloorResult::balance_angle_to_feet_deg)
      .def_readonly("balance_disagreement_sigma", &FloorResult::balance_disagreement_sigma)
      .def_property_readonly("ok", &FloorResult::ok)
      .def_property_readonly("has_frame", &FloorResult::has_frame);
  m.def(
      "estimate_floor",
      [](const py::object& cameras_obj, const py::object& seq, double rate_hz, const py::object& validity,
         const py::object& options, const py::kwargs& kw) {
        const auto cameras = cameras_obj.is_none() ? std::vector<camera::Camera>{} : cameras_arg(cameras_obj);
        const SeqArg s = sequence_arg(seq, validity, "estimate_floor");
        const auto o = make_options<FloorOptions>(options, kw, "FloorOptions");
        py::gil_scoped_release release;
        return estimate_floor(cameras, s.points.map(), s.num_joints, rate_hz, o, s.validity.map());
      },
      py::arg("cameras"), py::arg("sequence"), py::arg("rate_hz"), py::arg("validity") = py::none(),
      py::arg("options") = py::none(),
      "estimate_floor(cameras, sequence, rate_hz, validity=None, options=None, **option_overrides) -> FloorResult\n\n"
      "The floor and up axis from people's still feet and their balance (centre of mass over the support),\n"
      "sequence (F, J, 3) in the cameras' world (several people: concatenate with a NaN frame between),\n"
      "cameras (list or None) give the heading (x = camera 0's view on the floor). Pass\n"
      "options=FloorOptions.body25b() (or human36m_17(), or your own feet / body_segments). Statuses:\n"
      "SUCCESS, UNDERDETERMINED (a frame, with the warning), TOO_FEW_FOOT_POINTS, NO_PLANE, INCONSISTENT.\n"
      "GIL released.");
  m.def(
      "apply_world_frame",
      [](const FloorResult& floor, const py::object& cameras_obj) {
        std::vector<camera::Camera> cameras = cameras_arg(cameras_obj);
        apply_world_frame(floor.world_from_old, &cameras);
        return cameras;
      },
      py::arg("floor"), py::arg("cameras"),
      "The cameras moved into the floor's world (a new list; cam_from_world <- cam_from_world * old_from_world).");
  m.def(
      "transform_points",
      [](const FloorResult& floor, const py::object& points) {
        const PointsArg p = points_arg(points, 3, "transform_points: points", "(..., 3)", 1, 4);
        Points3d out;
        {
          py::gil_scoped_release release;
          out = transform_points(floor.world_from_old, p.map());
        }
        return to_numpy_shaped(out.data(), p.shape);
      },
      py::arg("floor"), py::arg("points"), "Points (..., 3) of the old world in the floor's world.");
  m.def("body_segments_from_names", &body_segments_from_names, py::arg("joint_names"),
        "de Leva's body segments for a skeleton given by its joint names (empty when shoulders, hips, knees\n"
        "or ankles are missing).");
}

}  // namespace crossview::python
