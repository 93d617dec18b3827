// crossview Python bindings: triangulation (one point, one skeleton, a batch
// of frames looped in C++ with the GIL released, optionally over threads).
#include "common.hpp"
#include "cameras.hpp"

#include <crossview/triangulation/triangulate.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

namespace crossview::python {

namespace {

using namespace crossview::triangulation;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One frame's skeleton result as numpy arrays.
struct PySkeletonResult {
  py::array_t<double> points_in_world;             // (J, 3)
  py::array_t<std::uint8_t> status;                // (J,)
  py::array_t<bool> used_views;                    // (J, V)
  py::array_t<double> reprojection_error_px;       // (J, V)
  py::array_t<double> mean_reprojection_error_px;  // (J,)
  py::array_t<double> triangulation_angle_deg;     // (J,)
  int num_success = 0;
  std::vector<TriangulationResult> joints;
};

// F frames.
struct PyBatchResult {
  py::array_t<double> points_in_world;             // (F, J, 3)
  py::array_t<std::uint8_t> status;                // (F, J)
  py::array_t<bool> used_views;                    // (F, J, V)
  py::array_t<double> reprojection_error_px;       // (F, J, V)
  py::array_t<double> mean_reprojection_error_px;  // (F, J)
  py::array_t<double> triangulation_angle_deg;     // (F, J)
  py::array_t<int> num_success;                    // (F,)
};

// Writes joint j's diagnostics into the flat output rows.
void write_joint(const TriangulationResult& r, int num_views, double* point, std::uint8_t* status, bool* used,
                 double* errors, double* mean_error, double* angle) {
  for (int d = 0; d < 3; ++d) point[d] = r.point_in_world[d];
  *status = static_cast<std::uint8_t>(r.status);
  std::fill(used, used + num_views, false);
  for (int v : r.used_views) {
    if (v >= 0 && v < num_views) used[v] = true;
  }
  for (int v = 0; v < num_views; ++v) {
    errors[v] = static_cast<std::size_t>(v) < r.reprojection_error_px.size() ? r.reprojection_error_px[v] : kNaN;
  }
  *mean_error = r.mean_reprojection_error_px;
  *angle = r.triangulation_angle_deg;
}

TriangulationOptions options_from(const py::object& options, const py::kwargs& kwargs) {
  return make_options<TriangulationOptions>(options, kwargs, "TriangulationOptions");
}

py::array_t<double> arr(std::vector<py::ssize_t> shape) { return py::array_t<double>(shape); }

}  // namespace

void init_triangulation(py::module_& m) {
  py::enum_<Status> status(m, "Status", "Outcome of one triangulation (arrays hold the integer values).");
  status.value("SUCCESS", Status::kSuccess)
      .value("INVALID_INPUT", Status::kInvalidInput)
      .value("TOO_FEW_VIEWS", Status::kTooFewViews)
      .value("DEGENERATE", Status::kDegenerate)
      .value("POINT_AT_INFINITY", Status::kPointAtInfinity)
      .value("BEHIND_CAMERA", Status::kBehindCamera)
      .value("NOT_CONVERGED", Status::kNotConverged)
      .value("NO_CONSENSUS", Status::kNoConsensus);
  add_enum_message<Status>(status);

  py::enum_<Method> method(m, "Method", "Initial estimator of triangulate() (docs/triangulation.md).");
  method.value("AUTO", Method::kAuto)
      .value("DLT", Method::kDlt)
      .value("MIDPOINT", Method::kMidpoint)
      .value("OPTIMAL_TWO_VIEW", Method::kOptimalTwoView)
      .value("NITER2", Method::kNiter2)
      .value("ROBUST", Method::kRobust)
      .value("VECTOR_MEDIAN", Method::kVectorMedian)
      .value("ROBUST_DLT", Method::kRobustDlt);
  add_enum_message<Method>(method);

  py::enum_<ViewSelection> selection(m, "ViewSelection", "Which views determined a point (TriangulationResult.view_selection).");
  selection.value("ALL_VIEWS", ViewSelection::kAllViews)
      .value("SUBSET", ViewSelection::kSubset)
      .value("DROPPED_OUTLIERS", ViewSelection::kDroppedOutliers)
      .value("FELL_BACK_TO_ALL_VIEWS", ViewSelection::kFellBackToAllViews);
  add_enum_message<ViewSelection>(selection);

  py::enum_<Loss> loss(m, "Loss", "Robust loss of the refinement.");
  loss.value("TRIVIAL", Loss::kTrivial).value("HUBER", Loss::kHuber).value("SOFT_L1", Loss::kSoftL1);
  add_enum_message<Loss>(loss);

  py::class_<RefineOptions> refine(m, "RefineOptions", "Levenberg-Marquardt refinement of a point (C++ defaults).");
  add_options_init(refine, "RefineOptions");
  refine.def_readwrite("loss", &RefineOptions::loss)
      .def_readwrite("loss_scale_px", &RefineOptions::loss_scale_px)
      .def_readwrite("max_iterations", &RefineOptions::max_iterations)
      .def_readwrite("step_tolerance", &RefineOptions::step_tolerance)
      .def_readwrite("function_tolerance", &RefineOptions::function_tolerance)
      .def("validate", &RefineOptions::validate, "Raises ValueError naming the first out-of-range option.");

  py::class_<RobustOptions> robust(m, "RobustOptions", "Options of Method.ROBUST, Method.VECTOR_MEDIAN and Method.ROBUST_DLT.");
  add_options_init(robust, "RobustOptions");
  robust.def_readwrite("inlier_threshold_px", &RobustOptions::inlier_threshold_px)
      .def_readwrite("min_pair_angle_deg", &RobustOptions::min_pair_angle_deg)
      .def_readwrite("min_inlier_views", &RobustOptions::min_inlier_views)
      .def_readwrite("max_hypotheses", &RobustOptions::max_hypotheses)
      .def_readwrite("seed", &RobustOptions::seed)
      .def_readwrite("outlier_floor_px", &RobustOptions::outlier_floor_px)
      .def_readwrite("outlier_scale_factor", &RobustOptions::outlier_scale_factor)
      .def_readwrite("max_median_iterations", &RobustOptions::max_median_iterations)
      .def("validate", &RobustOptions::validate, "Raises ValueError naming the first out-of-range option.");

  py::class_<TriangulationOptions> topt(m, "TriangulationOptions",
                                        "Options of triangulate / triangulate_skeleton / triangulate_batch (C++ "
                                        "field names and defaults). Functions also take them as keyword arguments.");
  add_options_init(topt, "TriangulationOptions");
  topt.def_readwrite("method", &TriangulationOptions::method)
      .def_readwrite("refine", &TriangulationOptions::refine)
      .def_readwrite("refinement", &TriangulationOptions::refinement)
      .def_readwrite("robust", &TriangulationOptions::robust)
      .def_readwrite("min_confidence", &TriangulationOptions::min_confidence)
      .def_readwrite("weight_by_confidence", &TriangulationOptions::weight_by_confidence)
      .def_readwrite("min_triangulation_angle_deg", &TriangulationOptions::min_triangulation_angle_deg)
      .def("validate", &TriangulationOptions::validate, "Raises ValueError naming the first out-of-range option.");

  py::class_<TriangulationResult>(m, "TriangulationResult", "Result of triangulating one point.")
      .def_readonly("status", &TriangulationResult::status)
      .def_readonly("message", &TriangulationResult::message)
      .def_property_readonly(
          "point_in_world", [](const TriangulationResult& r) { return vector_to_numpy(r.point_in_world); },
          "(3,) point, finite only when status is SUCCESS.")
      .def_property_readonly(
          "reprojection_error_px",
          [](const TriangulationResult& r) {
            return to_numpy_shaped(r.reprojection_error_px.data(),
                                   {static_cast<py::ssize_t>(r.reprojection_error_px.size())});
          },
          "(V,) pixel error per view (NaN where unusable).")
      .def_readonly("used_views", &TriangulationResult::used_views, "Indices of the views that determined the point.")
      .def_readonly("num_usable_views", &TriangulationResult::num_usable_views,
                    "Views with a usable observation (finite pixel, confidence above min_confidence).")
      .def_readonly("view_selection", &TriangulationResult::view_selection,
                    "Which views determined the point (all, a subset, outliers dropped, fell back).")
      .def_readonly("mean_reprojection_error_px", &TriangulationResult::mean_reprojection_error_px)
      .def_readonly("triangulation_angle_deg", &TriangulationResult::triangulation_angle_deg)
      .def_readonly("refine_iterations", &TriangulationResult::refine_iterations)
      .def_property_readonly("ok", &TriangulationResult::ok)
      .def("__repr__", [](const TriangulationResult& r) {
        return "TriangulationResult(" + std::string(to_string(r.status)) + ")";
      });

  py::class_<PySkeletonResult>(m, "SkeletonResult", "Result of triangulate_skeleton (one frame, J joints, V views).")
      .def_readonly("points_in_world", &PySkeletonResult::points_in_world, "(J, 3), NaN rows for failed joints.")
      .def_readonly("status", &PySkeletonResult::status, "(J,) uint8 Status values.")
      .def_readonly("used_views", &PySkeletonResult::used_views, "(J, V) bool: view v determined joint j.")
      .def_readonly("reprojection_error_px", &PySkeletonResult::reprojection_error_px, "(J, V) pixels.")
      .def_readonly("mean_reprojection_error_px", &PySkeletonResult::mean_reprojection_error_px, "(J,) pixels.")
      .def_readonly("triangulation_angle_deg", &PySkeletonResult::triangulation_angle_deg, "(J,) degrees.")
      .def_readonly("num_success", &PySkeletonResult::num_success)
      .def_readonly("joints", &PySkeletonResult::joints, "Per-joint TriangulationResult (with messages).");

  py::class_<PyBatchResult>(m, "BatchResult", "Result of triangulate_batch (F frames, J joints, V views).")
      .def_readonly("points_in_world", &PyBatchResult::points_in_world, "(F, J, 3), NaN rows for failed joints.")
      .def_readonly("status", &PyBatchResult::status, "(F, J) uint8 Status values.")
      .def_readonly("used_views", &PyBatchResult::used_views, "(F, J, V) bool.")
      .def_readonly("reprojection_error_px", &PyBatchResult::reprojection_error_px, "(F, J, V) pixels.")
      .def_readonly("mean_reprojection_error_px", &PyBatchResult::mean_reprojection_error_px, "(F, J) pixels.")
      .def_readonly("triangulation_angle_deg", &PyBatchResult::triangulation_angle_deg, "(F, J) degrees.")
      .def_readonly("num_success", &PyBatchResult::num_success, "(F,) successful joints per frame.");

  m.def(
      "triangulate",
      [](const py::object& cameras_obj, const py::object& pixels, const py::object& scores, const py::object& options,
         const py::kwargs& kwargs) {
        const std::vector<camera::Camera> cameras = cameras_arg(cameras_obj);
        const auto V = static_cast<py::ssize_t>(cameras.size());
        const PointsArg px = points_arg(pixels, 2, "triangulate: pixels_px", "(V, 2)");
        if (px.dim(0) != V) {
          throw py::value_error("triangulate: pixels_px must have shape (V, 2) with V = " + std::to_string(V) +
                                " cameras, got " + shape_string(px.shape));
        }
        const ScoresArg sc = scores_arg(scores, "triangulate: scores", V);
        const TriangulationOptions opt = options_from(options, kwargs);
        py::gil_scoped_release release;
        return triangulate(cameras, px.map(), sc.map(), opt);
      },
      py::arg("cameras"), py::arg("pixels_px"), py::arg("scores") = py::none(), py::arg("options") = py::none(),
      "triangulate(cameras, pixels_px, scores=None, options=None, **option_overrides) -> TriangulationResult\n\n"
      "One 3D point from V views: pixels_px (V, 2) distorted pixels (NaN row = not seen), scores (V,)\n"
      "(<= min_confidence or NaN = ignored). Options: a TriangulationOptions and/or its fields as\n"
      "keyword arguments (method=Method.DLT, refine=False, ...). Failures are a status + message with a\n"
      "NaN point; wrong shapes or options raise ValueError. GIL released.");

  m.def(
      "triangulate_skeleton",
      [](const py::object& cameras_obj, const py::object& keypoints, const py::object& scores,
         const py::object& options, const py::kwargs& kwargs) {
        const std::vector<camera::Camera> cameras = cameras_arg(cameras_obj);
        const int V = static_cast<int>(cameras.size());
        const PointsArg kp = points_arg(keypoints, 2, "triangulate_skeleton: keypoints_px", "(V, J, 2)", 3, 3);
        if (kp.dim(0) != V) {
          throw py::value_error("triangulate_skeleton: keypoints_px must have shape (V, J, 2) with V = " +
                                std::to_string(V) + " cameras, got " + shape_string(kp.shape));
        }
        const int J = static_cast<int>(kp.dim(1));
        const ScoresArg sc = scores_arg(scores, "triangulate_skeleton: scores", static_cast<Eigen::Index>(V) * J);
        if (!scores.is_none() && sc.shape.size() != 2) {
          throw py::value_error("triangulate_skeleton: scores must have shape (V, J), got " + shape_string(sc.shape));
        }
        const TriangulationOptions opt = options_from(options, kwargs);
        PySkeletonResult out;
        out.points_in_world = arr({J, 3});
        out.status = py::array_t<std::uint8_t>(J);
        out.used_views = py::array_t<bool>({J, V});
        out.reprojection_error_px = arr({J, V});
        out.mean_reprojection_error_px = arr({J});
        out.triangulation_angle_deg = arr({J});
        double* p = out.points_in_world.mutable_data();
        std::uint8_t* s = out.status.mutable_data();
        bool* u = out.used_views.mutable_data();
        double* e = out.reprojection_error_px.mutable_data();
        double* me = out.mean_reprojection_error_px.mutable_data();
        double* a = out.triangulation_angle_deg.mutable_data();
        {
          py::gil_scoped_release release;
          SkeletonResult r = triangulate_skeleton(cameras, kp.map(), sc.map(), opt);
          for (int j = 0; j < J; ++j) {
            write_joint(r.joints[static_cast<std::size_t>(j)], V, p + 3 * j, s + j, u + j * V, e + j * V, me + j,
                        a + j);
          }
          out.num_success = r.num_success;
          out.joints = std::move(r.joints);
        }
        return out;
      },
      py::arg("cameras"), py::arg("keypoints_px"), py::arg("scores") = py::none(), py::arg("options") = py::none(),
      "triangulate_skeleton(cameras, keypoints_px, scores=None, options=None, **option_overrides) -> SkeletonResult\n\n"
      "Every joint of one frame: keypoints_px (V, J, 2) (view-major, the C++ packed 2 x (V*J)),\n"
      "scores (V, J). Returns points_in_world (J, 3) and per-joint status, used views (J, V),\n"
      "reprojection errors (J, V). Inputs in float64 C-order are read in place. GIL released.");

  m.def(
      "triangulate_batch",
      [](const py::object& cameras_obj, const py::object& keypoints, const py::object& scores,
         const py::object& options, int num_threads, const py::kwargs& kwargs) {
        const std::vector<camera::Camera> cameras = cameras_arg(cameras_obj);
        const int V = static_cast<int>(cameras.size());
        const PointsArg kp = points_arg(keypoints, 2, "triangulate_batch: keypoints_px", "(F, V, J, 2)", 4, 4);
        if (kp.dim(1) != V) {
          throw py::value_error("triangulate_batch: keypoints_px must have shape (F, V, J, 2) with V = " +
                                std::to_string(V) + " cameras, got " + shape_string(kp.shape));
        }
        const int F = static_cast<int>(kp.dim(0));
        const int J = static_cast<int>(kp.dim(2));
        const Eigen::Index per_frame = static_cast<Eigen::Index>(V) * J;
        const ScoresArg sc = scores_arg(scores, "triangulate_batch: scores", per_frame * F);
        if (!scores.is_none() && sc.shape.size() != 3) {
          throw py::value_error("triangulate_batch: scores must have shape (F, V, J), got " + shape_string(sc.shape));
        }
        if (num_threads < 0) throw py::value_error("triangulate_batch: num_threads must be >= 0 (0 = all cores)");
        const TriangulationOptions opt = options_from(options, kwargs);
        opt.validate();
        PyBatchResult out;
        out.points_in_world = arr({F, J, 3});
        out.status = py::array_t<std::uint8_t>({F, J});
        out.used_views = py::array_t<bool>({F, J, V});
        out.reprojection_error_px = arr({F, J, V});
        out.mean_reprojection_error_px = arr({F, J});
        out.triangulation_angle_deg = arr({F, J});
        out.num_success = py::array_t<int>(F);
        double* p = out.points_in_world.mutable_data();
        std::uint8_t* s = out.status.mutable_data();
        bool* u = out.used_views.mutable_data();
        double* e = out.reprojection_error_px.mutable_data();
        double* me = out.mean_reprojection_error_px.mutable_data();
        double* a = out.triangulation_angle_deg.mutable_data();
        int* ns = out.num_success.mutable_data();
        {
          py::gil_scoped_release release;
          const PointsMap all = kp.map();
          const bool has_scores = sc.size > 0;
          // Frames are independent and each writes only its own rows, so the
          // result does not depend on the thread count.
          auto run_frame = [&](int f) {
            const Eigen::Index c0 = static_cast<Eigen::Index>(f) * per_frame;
            const SkeletonResult r =
                has_scores ? triangulate_skeleton(cameras, all.middleCols(c0, per_frame),
                                                  Eigen::Map<const Eigen::VectorXd>(sc.data + c0, per_frame), opt)
                           : triangulate_skeleton(cameras, all.middleCols(c0, per_frame), opt);
            const std::size_t fj = static_cast<std::size_t>(f) * J;
            for (int j = 0; j < J; ++j) {
              const std::size_t i = fj + j;
              write_joint(r.joints[static_cast<std::size_t>(j)], V, p + 3 * i, s + i, u + i * V, e + i * V, me + i,
                          a + i);
            }
            ns[f] = r.num_success;
          };
          int threads = num_threads == 0 ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))
                                         : num_threads;
          threads = std::min(threads, std::max(F, 1));
          if (threads <= 1) {
            for (int f = 0; f < F; ++f) run_frame(f);
          } else {
            std::atomic<int> next{0};
            std::exception_ptr error;
            std::mutex error_mutex;
            std::vector<std::thread> pool;
            for (int t = 0; t < threads; ++t) {
              pool.emplace_back([&] {
                for (int f = next.fetch_add(1); f < F; f = next.fetch_add(1)) {
                  try {
                    run_frame(f);
                  } catch (...) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    if (!error) error = std::current_exception();
                  }
                }
              });
            }
            for (std::thread& t : pool) t.join();
            if (error) std::rethrow_exception(error);
          }
        }
        return out;
      },
      py::arg("cameras"), py::arg("keypoints_px"), py::arg("scores") = py::none(), py::arg("options") = py::none(),
      py::arg("num_threads") = 1,
      "triangulate_batch(cameras, keypoints_px, scores=None, options=None, num_threads=1, **option_overrides)\n"
      "-> BatchResult\n\n"
      "F frames at once: keypoints_px (F, V, J, 2), scores (F, V, J). The loop over frames runs in C++\n"
      "with the GIL released, over num_threads threads (0 = all cores); frames are independent so the\n"
      "results are identical for any thread count. Returns points_in_world (F, J, 3), status (F, J),\n"
      "used_views (F, J, V), reprojection_error_px (F, J, V), num_success (F,).");

  m.def(
      "geometric_median",
      [](const py::object& points, int max_iterations) {
        const PointsArg pts = points_arg(points, 3, "geometric_median: points", "(N, 3)");
        Eigen::Vector3d r;
        {
          py::gil_scoped_release release;
          r = geometric_median(pts.map(), max_iterations);
        }
        return vector_to_numpy(r);
      },
      py::arg("points"), py::arg("max_iterations") = 100,
      "Geometric median (3,) of points (N, 3) (Weiszfeld with Vardi-Zhang); NaN for an empty set.");
}

}  // namespace crossview::python
