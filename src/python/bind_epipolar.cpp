// crossview Python bindings: epipolar geometry (minimal solvers, robust
// estimation of F and E, relative pose), GIL released around every solver.
#include "common.hpp"

#include <crossview/epipolar/essential.hpp>
#include <crossview/epipolar/estimate.hpp>
#include <crossview/epipolar/fundamental.hpp>
#include <crossview/epipolar/pose.hpp>
#include <crossview/epipolar/residuals.hpp>

namespace crossview::python {

namespace {

using namespace crossview::epipolar;

Eigen::Matrix3d mat3(const py::object& obj, const char* what) { return matrix_arg(obj, 3, 3, what); }

py::list matrices(const std::vector<Eigen::Matrix3d>& ms) {
  py::list out;
  for (const Eigen::Matrix3d& m : ms) out.append(matrix_to_numpy(m));
  return out;
}

// Two correspondence sets (N, D) with the same N.
std::pair<PointsArg, PointsArg> pair_args(const py::object& a, const py::object& b, int dim, const char* fn,
                                          const char* name_a, const char* name_b) {
  const std::string wa = std::string(fn) + ": " + name_a, wb = std::string(fn) + ": " + name_b;
  const char* shape = dim == 2 ? "(N, 2)" : "(N, 3)";
  PointsArg pa = points_arg(a, dim, wa.c_str(), shape);
  PointsArg pb = points_arg(b, dim, wb.c_str(), shape);
  if (pa.cols != pb.cols) {
    throw py::value_error(wb + " must have as many rows as " + name_a + " (" + std::to_string(pa.cols) + "), got " +
                          shape_string(pb.shape));
  }
  return {std::move(pa), std::move(pb)};
}

template <class C>
void pose_properties(C& cls, camera::Rigid3d C::type::*member, const char* doc_prefix) {
  cls.def_property_readonly(
      "R", [member](const typename C::type& r) { return matrix_to_numpy((r.*member).rotation_matrix()); },
      (std::string(doc_prefix) + " rotation (3, 3).").c_str());
  cls.def_property_readonly(
      "t", [member](const typename C::type& r) { return vector_to_numpy((r.*member).translation); },
      (std::string(doc_prefix) + " translation (3,), |t| = 1.").c_str());
}

}  // namespace

void init_epipolar(py::module_& m) {
  py::enum_<EstimateStatus> est(m, "EstimateStatus", "Outcome of estimate_fundamental / estimate_essential.");
  est.value("SUCCESS", EstimateStatus::kSuccess)
      .value("TOO_FEW_POINTS", EstimateStatus::kTooFewPoints)
      .value("DEGENERATE", EstimateStatus::kDegenerate)
      .value("NO_CONSENSUS", EstimateStatus::kNoConsensus)
      .value("PURE_ROTATION", EstimateStatus::kPureRotation)
      .value("AMBIGUOUS_POSE", EstimateStatus::kAmbiguousPose);
  add_enum_message<EstimateStatus>(est);

  py::enum_<RecoverPoseStatus> rps(m, "RecoverPoseStatus", "Outcome of recover_pose.");
  rps.value("SUCCESS", RecoverPoseStatus::kSuccess)
      .value("INVALID_INPUT", RecoverPoseStatus::kInvalidInput)
      .value("DEGENERATE_ESSENTIAL", RecoverPoseStatus::kDegenerateEssential)
      .value("LOW_PARALLAX", RecoverPoseStatus::kLowParallax)
      .value("TOO_FEW_IN_FRONT", RecoverPoseStatus::kTooFewInFront)
      .value("AMBIGUOUS", RecoverPoseStatus::kAmbiguous);
  add_enum_message<RecoverPoseStatus>(rps);

  py::enum_<robust::Status> rs(m, "RansacStatus", "Outcome of the RANSAC engine (RansacReport.status).");
  rs.value("SUCCESS", robust::Status::kSuccess)
      .value("TOO_FEW_POINTS", robust::Status::kTooFewPoints)
      .value("NO_CONSENSUS", robust::Status::kNoConsensus)
      .value("DEGENERATE", robust::Status::kDegenerate)
      .value("INVALID_INPUT", robust::Status::kInvalidInput);
  add_enum_message<robust::Status>(rs);

  py::enum_<RefineLoss> loss(m, "RefineLoss", "Robust loss of the epipolar LM refinement.");
  loss.value("TRIVIAL", RefineLoss::kTrivial).value("HUBER", RefineLoss::kHuber).value("CAUCHY", RefineLoss::kCauchy);
  add_enum_message<RefineLoss>(loss);

  py::class_<robust::RansacOptions> ro(m, "RansacOptions", "LO-MSAC options (C++ field names and defaults).");
  add_options_init(ro, "RansacOptions");
  ro.def_readwrite("max_residual", &robust::RansacOptions::max_residual)
      .def_readwrite("confidence", &robust::RansacOptions::confidence)
      .def_readwrite("min_iterations", &robust::RansacOptions::min_iterations)
      .def_readwrite("max_iterations", &robust::RansacOptions::max_iterations)
      .def_readwrite("num_trials_multiplier", &robust::RansacOptions::num_trials_multiplier)
      .def_readwrite("min_num_inliers", &robust::RansacOptions::min_num_inliers)
      .def_readwrite("min_inlier_ratio", &robust::RansacOptions::min_inlier_ratio)
      .def_readwrite("local_optimization", &robust::RansacOptions::local_optimization)
      .def_readwrite("lo_max_iterations", &robust::RansacOptions::lo_max_iterations)
      .def_readwrite("sprt", &robust::RansacOptions::sprt)
      .def_readwrite("sprt_delta", &robust::RansacOptions::sprt_delta)
      .def_readwrite("sprt_threshold", &robust::RansacOptions::sprt_threshold)
      .def_readwrite("seed", &robust::RansacOptions::seed)
      .def("validate", &robust::RansacOptions::validate, "Raises ValueError naming the first out-of-range option.");

  py::class_<robust::Report>(m, "RansacReport", "What RANSAC did.")
      .def_readonly("status", &robust::Report::status)
      .def_readonly("num_iterations", &robust::Report::num_iterations)
      .def_readonly("num_models", &robust::Report::num_models)
      .def_readonly("num_lo_runs", &robust::Report::num_lo_runs)
      .def_readonly("num_inliers", &robust::Report::num_inliers)
      .def_readonly("score", &robust::Report::score)
      .def_readonly("message", &robust::Report::message);

  py::class_<RefineOptions> rfo(m, "RefineOptions", "LM refinement of F / (R, t) (C++ defaults).");
  add_options_init(rfo, "RefineOptions");
  rfo.def_readwrite("max_iterations", &RefineOptions::max_iterations)
      .def_readwrite("loss", &RefineOptions::loss)
      .def_readwrite("loss_scale", &RefineOptions::loss_scale)
      .def_readwrite("function_tolerance", &RefineOptions::function_tolerance)
      .def_readwrite("initial_lambda", &RefineOptions::initial_lambda)
      .def("validate", &RefineOptions::validate, "Raises ValueError naming the first out-of-range option.");

  py::class_<RefineSummary>(m, "RefineSummary", "What the final LM did.")
      .def_readonly("success", &RefineSummary::success)
      .def_readonly("num_iterations", &RefineSummary::num_iterations)
      .def_readonly("num_residuals", &RefineSummary::num_residuals)
      .def_readonly("initial_cost", &RefineSummary::initial_cost)
      .def_readonly("final_cost", &RefineSummary::final_cost)
      .def_readonly("message", &RefineSummary::message);

  py::class_<RecoverPoseOptions> rpo(m, "RecoverPoseOptions", "Cheirality / pose selection (C++ defaults).");
  add_options_init(rpo, "RecoverPoseOptions");
  rpo.def_readwrite("max_depth_in_baselines", &RecoverPoseOptions::max_depth_in_baselines)
      .def_readwrite("min_triangulation_angle_deg", &RecoverPoseOptions::min_triangulation_angle_deg)
      .def_readwrite("max_low_parallax_fraction", &RecoverPoseOptions::max_low_parallax_fraction)
      .def_readwrite("min_in_front_fraction", &RecoverPoseOptions::min_in_front_fraction)
      .def_readwrite("ambiguity_ratio", &RecoverPoseOptions::ambiguity_ratio)
      .def_readwrite("rank_tolerance", &RecoverPoseOptions::rank_tolerance)
      .def_readwrite("equal_singular_values_tolerance", &RecoverPoseOptions::equal_singular_values_tolerance)
      .def("validate", &RecoverPoseOptions::validate, "Raises ValueError naming the first out-of-range option.");

  py::class_<RecoverPoseResult> rpr(m, "RecoverPoseResult", "Relative pose cam2_from_cam1 chosen by cheirality.");
  rpr.def_readonly("status", &RecoverPoseResult::status)
      .def_readonly("message", &RecoverPoseResult::message)
      .def_property_readonly(
          "in_front_mask", [](const RecoverPoseResult& r) { return chars_to_bool(r.in_front_mask); },
          "(N,) bool: in front of both cameras.")
      .def_readonly("num_in_front", &RecoverPoseResult::num_in_front)
      .def_readonly("second_best_in_front", &RecoverPoseResult::second_best_in_front)
      .def_readonly("best_candidate", &RecoverPoseResult::best_candidate)
      .def_readonly("median_triangulation_angle_deg", &RecoverPoseResult::median_triangulation_angle_deg)
      .def_property_readonly("success", &RecoverPoseResult::success);
  pose_properties(rpr, &RecoverPoseResult::cam2_from_cam1, "cam2_from_cam1");

  py::class_<FundamentalOptions> fo(m, "FundamentalOptions", "estimate_fundamental options (C++ defaults).");
  add_options_init(fo, "FundamentalOptions");
  fo.def_readwrite("max_error_px", &FundamentalOptions::max_error_px)
      .def_readwrite("ransac", &FundamentalOptions::ransac)
      .def_readwrite("oriented_constraint", &FundamentalOptions::oriented_constraint)
      .def_readwrite("check_dominant_plane", &FundamentalOptions::check_dominant_plane)
      .def_readwrite("dominant_plane_ratio", &FundamentalOptions::dominant_plane_ratio)
      .def_readwrite("min_off_plane_inliers", &FundamentalOptions::min_off_plane_inliers)
      .def_readwrite("refine", &FundamentalOptions::refine)
      .def_readwrite("refine_options", &FundamentalOptions::refine_options)
      .def("validate", &FundamentalOptions::validate, "Raises ValueError naming the first out-of-range option.");

  py::class_<FundamentalResult>(m, "FundamentalResult", "Robust fundamental matrix (x2^T F x1 = 0, pixels).")
      .def_readonly("status", &FundamentalResult::status)
      .def_readonly("message", &FundamentalResult::message)
      .def_property_readonly("F", [](const FundamentalResult& r) { return matrix_to_numpy(r.F); }, "(3, 3), unit norm.")
      .def_property_readonly(
          "inlier_mask", [](const FundamentalResult& r) { return chars_to_bool(r.inlier_mask); }, "(N,) bool.")
      .def_readonly("num_inliers", &FundamentalResult::num_inliers)
      .def_readonly("num_dropped_non_finite", &FundamentalResult::num_dropped_non_finite)
      .def_readonly("dominant_plane", &FundamentalResult::dominant_plane)
      .def_readonly("report", &FundamentalResult::report)
      .def_readonly("refinement", &FundamentalResult::refinement)
      .def_property_readonly("success", &FundamentalResult::success);

  py::class_<EssentialOptions> eo(m, "EssentialOptions", "estimate_essential options (C++ defaults).");
  add_options_init(eo, "EssentialOptions");
  eo.def_readwrite("max_error_px", &EssentialOptions::max_error_px)
      .def_readwrite("ransac", &EssentialOptions::ransac)
      .def_readwrite("recover_pose", &EssentialOptions::recover_pose)
      .def_readwrite("refine", &EssentialOptions::refine)
      .def_readwrite("refine_options", &EssentialOptions::refine_options)
      .def("validate", &EssentialOptions::validate, "Raises ValueError naming the first out-of-range option.");

  py::class_<EssentialResult> er(m, "EssentialResult", "Robust essential matrix and relative pose.");
  er.def_readonly("status", &EssentialResult::status)
      .def_readonly("message", &EssentialResult::message)
      .def_property_readonly("E", [](const EssentialResult& r) { return matrix_to_numpy(r.E); }, "(3, 3), unit norm.")
      .def_property_readonly(
          "inlier_mask", [](const EssentialResult& r) { return chars_to_bool(r.inlier_mask); },
          "(N,) bool: Sampson inliers of E.")
      .def_property_readonly(
          "cheirality_mask", [](const EssentialResult& r) { return chars_to_bool(r.cheirality_mask); },
          "(N,) bool: inlier and in front of both cameras.")
      .def_readonly("num_inliers", &EssentialResult::num_inliers)
      .def_readonly("num_in_front", &EssentialResult::num_in_front)
      .def_readonly("num_dropped_non_finite", &EssentialResult::num_dropped_non_finite)
      .def_readonly("num_dropped_unprojection", &EssentialResult::num_dropped_unprojection)
      .def_readonly("max_error_normalized", &EssentialResult::max_error_normalized)
      .def_readonly("report", &EssentialResult::report)
      .def_readonly("recover_pose_status", &EssentialResult::recover_pose_status)
      .def_readonly("recover_pose_message", &EssentialResult::recover_pose_message)
      .def_readonly("refinement", &EssentialResult::refinement)
      .def_property_readonly("success", &EssentialResult::success);
  pose_properties(er, &EssentialResult::cam2_from_cam1, "cam2_from_cam1");

  m.def(
      "essential_5point",
      [](const py::object& rays1, const py::object& rays2) {
        auto [a, b] = pair_args(rays1, rays2, 3, "essential_5point", "rays1", "rays2");
        std::vector<Eigen::Matrix3d> es;
        {
          py::gil_scoped_release release;
          essential_5point(a.map(), b.map(), &es);
        }
        return matrices(es);
      },
      py::arg("rays1"), py::arg("rays2"),
      "Nister's 5-point solver: rays (5, 3) in each camera (bearings or (x, y, 1)) -> list of up to 10\n"
      "essential matrices (3, 3), unit norm, x2^T E x1 = 0. Empty for degenerate input.");
  m.def(
      "fundamental_8point",
      [](const py::object& p1, const py::object& p2, const py::object& weights) -> py::object {
        auto [a, b] = pair_args(p1, p2, 2, "fundamental_8point", "points1", "points2");
        const ScoresArg w = scores_arg(weights, "fundamental_8point: weights", a.cols);
        Eigen::Matrix3d F;
        int n;
        {
          py::gil_scoped_release release;
          n = fundamental_8point(a.map(), b.map(), &F, w.map());
        }
        if (n == 0) return py::none();
        return matrix_to_numpy(F);
      },
      py::arg("points1"), py::arg("points2"), py::arg("weights") = py::none(),
      "Normalized 8-point algorithm: points (N, 2) each, N >= 8 -> F (3, 3) (rank 2, unit norm), or None\n"
      "when N < 8, NaN input or a rank-deficient system.");
  m.def(
      "fundamental_7point",
      [](const py::object& p1, const py::object& p2) {
        auto [a, b] = pair_args(p1, p2, 2, "fundamental_7point", "points1", "points2");
        std::vector<Eigen::Matrix3d> fs;
        {
          py::gil_scoped_release release;
          fundamental_7point(a.map(), b.map(), &fs);
        }
        return matrices(fs);
      },
      py::arg("points1"), py::arg("points2"), "7-point algorithm: points (7, 2) each -> list of 1 or 3 F (3, 3).");
  m.def(
      "sampson_errors_squared",
      [](const py::object& F, const py::object& p1, const py::object& p2) {
        const Eigen::Matrix3d f = mat3(F, "sampson_errors_squared: F");
        auto [a, b] = pair_args(p1, p2, 2, "sampson_errors_squared", "points1", "points2");
        Eigen::VectorXd e;
        {
          py::gil_scoped_release release;
          e = sampson_errors_squared(f, a.map(), b.map());
        }
        return vector_to_numpy(e);
      },
      py::arg("F"), py::arg("points1"), py::arg("points2"), "Squared Sampson errors (N,) of correspondences under F.");
  m.def(
      "recover_pose",
      [](const py::object& E, const py::object& n1, const py::object& n2, const py::object& options,
         const py::kwargs& kwargs) {
        const Eigen::Matrix3d e = mat3(E, "recover_pose: E");
        auto [a, b] = pair_args(n1, n2, 2, "recover_pose", "normalized1", "normalized2");
        const auto opt = make_options<RecoverPoseOptions>(options, kwargs, "RecoverPoseOptions");
        py::gil_scoped_release release;
        return recover_pose(e, a.map(), b.map(), opt);
      },
      py::arg("E"), py::arg("normalized1"), py::arg("normalized2"), py::arg("options") = py::none(),
      "recover_pose(E, normalized1, normalized2, options=None, **option_overrides) -> RecoverPoseResult\n\n"
      "The (R, t) of E with the most points in front of both cameras; normalized points (N, 2) = (x/z, y/z).");
  m.def(
      "closest_essential", [](const py::object& E) { return matrix_to_numpy(closest_essential(mat3(E, "E"))); },
      py::arg("E"), "Closest essential matrix in Frobenius norm, unit norm.");
  m.def(
      "estimate_fundamental",
      [](const py::object& p1, const py::object& p2, const py::object& match_scores, const py::object& options,
         const py::kwargs& kwargs) {
        auto [a, b] = pair_args(p1, p2, 2, "estimate_fundamental", "points1_px", "points2_px");
        const ScoresArg s = scores_arg(match_scores, "estimate_fundamental: match_scores", a.cols);
        const auto opt = make_options<FundamentalOptions>(options, kwargs, "FundamentalOptions");
        py::gil_scoped_release release;
        return estimate_fundamental(a.map(), b.map(), opt, s.map());
      },
      py::arg("points1_px"), py::arg("points2_px"), py::arg("match_scores") = py::none(),
      py::arg("options") = py::none(),
      "estimate_fundamental(points1_px, points2_px, match_scores=None, options=None, **option_overrides)\n"
      "-> FundamentalResult. LO-MSAC (+SPRT, PROSAC with match_scores) with the 7-point solver,\n"
      "dominant-plane check, LM refinement. Correspondences (N, 2) each; threshold max_error_px (Sampson).");
  m.def(
      "estimate_essential",
      [](const py::object& p1, const py::object& p2, const camera::Camera& c1, const camera::Camera& c2,
         const py::object& options, const py::kwargs& kwargs) {
        auto [a, b] = pair_args(p1, p2, 2, "estimate_essential", "points1_px", "points2_px");
        const auto opt = make_options<EssentialOptions>(options, kwargs, "EssentialOptions");
        py::gil_scoped_release release;
        return estimate_essential(a.map(), b.map(), c1, c2, opt);
      },
      py::arg("points1_px"), py::arg("points2_px"), py::arg("camera1"), py::arg("camera2"),
      py::arg("options") = py::none(),
      "estimate_essential(points1_px, points2_px, camera1, camera2, options=None, **option_overrides)\n"
      "-> EssentialResult. Pixels (N, 2) undistorted through each camera's model, LO-MSAC with the\n"
      "5-point solver, cheirality, LM on (R, unit t). R, t = cam2_from_cam1 (|t| = 1).");
  m.def(
      "estimate_essential_normalized",
      [](const py::object& n1, const py::object& n2, double focal_px, const py::object& options,
         const py::kwargs& kwargs) {
        auto [a, b] = pair_args(n1, n2, 2, "estimate_essential_normalized", "normalized1", "normalized2");
        const auto opt = make_options<EssentialOptions>(options, kwargs, "EssentialOptions");
        py::gil_scoped_release release;
        return estimate_essential_normalized(a.map(), b.map(), focal_px, opt);
      },
      py::arg("normalized1"), py::arg("normalized2"), py::arg("focal_px"), py::arg("options") = py::none(),
      "Like estimate_essential on normalized points (N, 2); focal_px converts max_error_px.");
}

}  // namespace crossview::python
