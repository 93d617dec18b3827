// crossview Python bindings: skeletons, heatmaps and the RPSM (estimate /
// refine on numpy heatmaps), GIL released around the inference.
#include "common.hpp"
#include "cameras.hpp"

#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/rpsm/rpsm.hpp>

#include <cstring>

namespace crossview::python {

namespace {

using pose::Skeleton;

std::vector<pose::LimbPrior> priors_arg(const py::object& obj, int num_joints, const char* what) {
  std::vector<pose::LimbPrior> out;
  if (obj.is_none()) return out;
  const PointsArg p = points_arg(obj, 2, what, "(J, 2) rows (mean, tolerance)");
  if (p.cols != num_joints) {
    throw py::value_error(std::string(what) + " must have one row (mean, tolerance) per joint (" +
                          std::to_string(num_joints) + "), got " + shape_string(p.shape));
  }
  const PointsMap m = p.map();
  for (Eigen::Index j = 0; j < m.cols(); ++j) out.push_back({m(0, j), m(1, j)});
  return out;
}

py::array_t<double> priors_to_numpy(const std::vector<pose::LimbPrior>& priors) {
  py::array_t<double> out({static_cast<py::ssize_t>(priors.size()), py::ssize_t{2}});
  double* o = out.mutable_data();
  for (std::size_t j = 0; j < priors.size(); ++j) {
    o[2 * j] = priors[j].mean;
    o[2 * j + 1] = priors[j].tolerance;
  }
  return out;
}

pose::Affine2d affine_arg(const py::object& obj, const char* what) {
  return matrix_arg(obj, 2, 3, what);
}

// Heatmaps (V, J, H, W) (any real dtype, converted to float32 once) + one
// image_from_heatmap per view ((V, 2, 3), or (2, 3) shared; None = identity)
// + cameras -> HeatmapViews.
std::vector<pose::HeatmapView> heatmap_views(const py::object& cameras_obj, const py::object& heatmaps,
                                             const py::object& image_from_heatmap, const char* fn) {
  const std::vector<camera::Camera> cameras = cameras_arg(cameras_obj);
  auto h = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(heatmaps);
  if (!h) {
    PyErr_Clear();
    throw py::type_error(std::string(fn) + ": heatmaps must be an array of numbers");
  }
  const std::vector<py::ssize_t> shape(h.shape(), h.shape() + h.ndim());
  if (h.ndim() != 4 || shape[0] != static_cast<py::ssize_t>(cameras.size())) {
    throw py::value_error(std::string(fn) + ": heatmaps must have shape (V, J, H, W) with V = " +
                          std::to_string(cameras.size()) + " cameras, got " + shape_string(shape));
  }
  const int V = static_cast<int>(shape[0]), J = static_cast<int>(shape[1]), H = static_cast<int>(shape[2]),
            W = static_cast<int>(shape[3]);
  std::vector<pose::Affine2d> affines(static_cast<std::size_t>(V), pose::Affine2d::Identity());
  if (!image_from_heatmap.is_none()) {
    auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(image_from_heatmap);
    if (!a) {
      PyErr_Clear();
      throw py::type_error(std::string(fn) + ": image_from_heatmap must be an array of numbers");
    }
    const std::vector<py::ssize_t> as(a.shape(), a.shape() + a.ndim());
    const bool shared = a.ndim() == 2 && as[0] == 2 && as[1] == 3;
    const bool per_view = a.ndim() == 3 && as[0] == V && as[1] == 2 && as[2] == 3;
    if (!shared && !per_view) {
      throw py::value_error(std::string(fn) + ": image_from_heatmap must have shape (V, 2, 3) or (2, 3), got " +
                            shape_string(as));
    }
    for (int v = 0; v < V; ++v) {
      const double* d = a.data() + (per_view ? 6 * v : 0);
      for (int r = 0; r < 2; ++r) {
        for (int c = 0; c < 3; ++c) affines[static_cast<std::size_t>(v)](r, c) = d[3 * r + c];
      }
    }
  }
  std::vector<pose::HeatmapView> views;
  views.reserve(static_cast<std::size_t>(V));
  const std::size_t per_view = static_cast<std::size_t>(J) * H * W;
  for (int v = 0; v < V; ++v) {
    pose::ViewHeatmaps hm(J, H, W, affines[static_cast<std::size_t>(v)]);
    std::memcpy(hm.data().data(), h.data() + per_view * v, per_view * sizeof(float));
    views.push_back({cameras[static_cast<std::size_t>(v)], std::move(hm)});
  }
  return views;
}

}  // namespace

void init_pose_rpsm(py::module_& m) {
  py::class_<Skeleton>(m, "Skeleton",
                       "A kinematic tree: joint names, parents (-1 for the root), optional limb priors (J, 2) rows\n"
                       "(mean, tolerance) indexed by the limb's child joint, left/right pairs.")
      .def(py::init([](std::vector<std::string> names, std::vector<int> parents, const py::object& limb_priors,
                       std::vector<std::pair<int, int>> left_right_pairs) {
             const int J = static_cast<int>(names.size());
             return Skeleton(std::move(names), std::move(parents), priors_arg(limb_priors, J, "Skeleton: limb_priors"),
                             std::move(left_right_pairs));
           }),
           py::arg("names"), py::arg("parents"), py::arg("limb_priors") = py::none(),
           py::arg("left_right_pairs") = std::vector<std::pair<int, int>>{},
           "Raises ValueError on an invalid tree or priors.")
      .def_static("human36m_17", &pose::human36m_17, py::arg("with_priors") = true,
                  "The 17-joint Human3.6M skeleton (priors in millimetres).")
      .def_static("coco_17", &pose::coco_17, "The 17 COCO keypoints (no priors).")
      .def_static("openpose_body25b", &pose::openpose_body25b, "OpenPose BODY_25B (no priors).")
      .def_property_readonly("num_joints", &Skeleton::num_joints)
      .def_property_readonly("names", &Skeleton::names)
      .def_property_readonly("parents", &Skeleton::parents)
      .def_property_readonly("root", &Skeleton::root)
      .def_property_readonly("limbs", &Skeleton::limbs, "(parent, child) pairs in topological order.")
      .def_property_readonly("left_right_pairs", &Skeleton::left_right_pairs)
      .def_property_readonly(
          "limb_priors", [](const Skeleton& s) { return priors_to_numpy(s.limb_priors()); },
          "(J, 2) rows (mean, tolerance); the root's row is unused.")
      .def_property_readonly("has_limb_priors", &Skeleton::has_limb_priors)
      .def("joint_index", &Skeleton::joint_index, py::arg("name"), "Index of a joint name, or -1.")
      .def(
          "with_limb_priors",
          [](const Skeleton& s, const py::object& priors) {
            return pose::with_limb_priors(s, priors_arg(priors, s.num_joints(), "with_limb_priors: priors"));
          },
          py::arg("priors"), "A copy with the given priors (J, 2).")
      .def("__repr__", [](const Skeleton& s) { return "Skeleton(" + std::to_string(s.num_joints()) + " joints)"; });

  m.def(
      "estimate_limb_lengths",
      [](const Skeleton& s, const py::object& poses, double tolerance) {
        const PointsArg p = points_arg(poses, 3, "estimate_limb_lengths: poses", "(F, J, 3)", 2, 3);
        std::vector<pose::LimbPrior> r;
        {
          py::gil_scoped_release release;
          r = pose::estimate_limb_lengths(s, p.map(), tolerance);
        }
        return priors_to_numpy(r);
      },
      py::arg("skeleton"), py::arg("poses"), py::arg("tolerance"),
      "Median limb lengths over poses (F, J, 3) -> priors (J, 2) (mean, tolerance).");

  m.def(
      "image_from_heatmap_for_box",
      [](double x_min, double y_min, double box_width, double box_height, int heatmap_width, int heatmap_height) {
        return matrix_to_numpy(
            pose::image_from_heatmap_for_box(x_min, y_min, box_width, box_height, heatmap_width, heatmap_height));
      },
      py::arg("x_min"), py::arg("y_min"), py::arg("box_width"), py::arg("box_height"), py::arg("heatmap_width"),
      py::arg("heatmap_height"), "The (2, 3) affine map from heatmap pixels to image pixels of a crop box.");

  m.def(
      "render_gaussian_heatmaps",
      [](const py::object& keypoints, const py::object& confidences, int height, int width,
         const py::object& image_from_heatmap, double sigma) {
        const PointsArg kp = points_arg(keypoints, 2, "render_gaussian_heatmaps: keypoints_px", "(J, 2)");
        const ScoresArg c = scores_arg(confidences, "render_gaussian_heatmaps: confidences", kp.cols);
        const pose::Affine2d a = image_from_heatmap.is_none()
                                     ? pose::Affine2d(pose::Affine2d::Identity())
                                     : affine_arg(image_from_heatmap, "render_gaussian_heatmaps: image_from_heatmap");
        pose::ViewHeatmaps hm;
        {
          py::gil_scoped_release release;
          hm = pose::render_gaussian_heatmaps(kp.map(), c.map(), height, width, a, sigma);
        }
        py::array_t<float> out({static_cast<py::ssize_t>(hm.num_joints()), static_cast<py::ssize_t>(height),
                                static_cast<py::ssize_t>(width)});
        std::memcpy(out.mutable_data(), hm.data().data(), hm.data().size() * sizeof(float));
        return out;
      },
      py::arg("keypoints_px"), py::arg("confidences"), py::arg("height"), py::arg("width"),
      py::arg("image_from_heatmap") = py::none(), py::arg("sigma_heatmap_px") = 2.0,
      "Gaussian heatmaps (J, H, W) float32 of keypoints (J, 2) with confidences (J,).");

  py::module_ r = m.def_submodule("rpsm", "Recursive Pictorial Structure Model: 3D pose from multi-view heatmaps.");
  py::enum_<rpsm::ViewCombination> vc(r, "ViewCombination");
  vc.value("SUM", rpsm::ViewCombination::kSum).value("MEAN_LOG", rpsm::ViewCombination::kMeanLog);
  add_enum_message<rpsm::ViewCombination>(vc);
  py::enum_<rpsm::PairwiseModel> pm(r, "PairwiseModel");
  pm.value("HARD_INDICATOR", rpsm::PairwiseModel::kHardIndicator).value("GAUSSIAN", rpsm::PairwiseModel::kGaussian);
  add_enum_message<rpsm::PairwiseModel>(pm);
  py::enum_<rpsm::GridPlacement> gp(r, "GridPlacement");
  gp.value("CENTRED", rpsm::GridPlacement::kCentred).value("LINSPACE_ENDPOINTS", rpsm::GridPlacement::kLinspaceEndpoints);
  add_enum_message<rpsm::GridPlacement>(gp);
  py::enum_<rpsm::OutsideHeatmap> oh(r, "OutsideHeatmap");
  oh.value("NEAREST_PIXEL", rpsm::OutsideHeatmap::kNearestPixel).value("ZERO", rpsm::OutsideHeatmap::kZero);
  add_enum_message<rpsm::OutsideHeatmap>(oh);
  py::enum_<rpsm::Status> st(r, "Status", "Outcome of rpsm.estimate / rpsm.refine.");
  st.value("SUCCESS", rpsm::Status::kSuccess)
      .value("NO_VIEWS", rpsm::Status::kNoViews)
      .value("INVALID_HEATMAPS", rpsm::Status::kInvalidHeatmaps)
      .value("EMPTY_HEATMAPS", rpsm::Status::kEmptyHeatmaps)
      .value("NO_SUPPORT", rpsm::Status::kNoSupport)
      .value("INVALID_INITIAL_POSE", rpsm::Status::kInvalidInitialPose)
      .value("ROOT_NOT_VISIBLE", rpsm::Status::kRootNotVisible)
      .value("NO_FEASIBLE_POSE", rpsm::Status::kNoFeasiblePose);
  add_enum_message<rpsm::Status>(st);

  py::class_<rpsm::RpsmOptions> ro(r, "RpsmOptions", "RPSM options (C++ field names and defaults, docs/rpsm.md).");
  add_options_init(ro, "RpsmOptions");
  ro.def_readwrite("cube_side", &rpsm::RpsmOptions::cube_side)
      .def_readwrite("num_bins", &rpsm::RpsmOptions::num_bins)
      .def_readwrite("grid", &rpsm::RpsmOptions::grid)
      .def_readwrite("num_levels", &rpsm::RpsmOptions::num_levels)
      .def_readwrite("recursion_bins", &rpsm::RpsmOptions::recursion_bins)
      .def_readwrite("refine_initial_side", &rpsm::RpsmOptions::refine_initial_side)
      .def_readwrite("combination", &rpsm::RpsmOptions::combination)
      .def_readwrite("outside_heatmap", &rpsm::RpsmOptions::outside_heatmap)
      .def_readwrite("log_epsilon", &rpsm::RpsmOptions::log_epsilon)
      .def_readwrite("pairwise", &rpsm::RpsmOptions::pairwise)
      .def_readwrite("gaussian_sigma_fraction", &rpsm::RpsmOptions::gaussian_sigma_fraction)
      .def_readwrite("limb_tolerance", &rpsm::RpsmOptions::limb_tolerance)
      .def_readwrite("num_threads", &rpsm::RpsmOptions::num_threads)
      .def_readwrite("polish_iterations", &rpsm::RpsmOptions::polish_iterations)
      .def_readwrite("polish_gaussian_limbs", &rpsm::RpsmOptions::polish_gaussian_limbs)
      .def("validate", &rpsm::RpsmOptions::validate, "Raises ValueError naming the first out-of-range option.");

  py::class_<rpsm::RpsmResult>(r, "RpsmResult", "Result of rpsm.estimate / rpsm.refine.")
      .def_readonly("status", &rpsm::RpsmResult::status)
      .def_readonly("message", &rpsm::RpsmResult::message)
      .def_property_readonly(
          "joints_in_world", [](const rpsm::RpsmResult& x) { return points_to_numpy(x.joints_in_world); },
          "(J, 3) joint positions (finite only on success).")
      .def_property_readonly(
          "psm_joints_in_world", [](const rpsm::RpsmResult& x) { return points_to_numpy(x.psm_joints_in_world); },
          "(J, 3) pose after the PSM level (estimate only; (0, 3) for refine).")
      .def_property_readonly(
          "joint_scores", [](const rpsm::RpsmResult& x) { return vector_to_numpy(x.joint_scores); },
          "(J,) combined heatmap response at the final position.")
      .def_readonly("levels_completed", &rpsm::RpsmResult::levels_completed)
      .def_readonly("polish_steps", &rpsm::RpsmResult::polish_steps)
      .def_readonly("psm_completed", &rpsm::RpsmResult::psm_completed)
      .def_readonly("workspace_bytes", &rpsm::RpsmResult::workspace_bytes)
      .def_property_readonly("success", &rpsm::RpsmResult::success);

  r.def(
      "estimate",
      [](const py::object& cameras, const py::object& heatmaps, const Skeleton& skeleton, const py::object& root,
         const py::object& image_from_heatmap, const py::object& options, const py::kwargs& kwargs) {
        const auto views = heatmap_views(cameras, heatmaps, image_from_heatmap, "rpsm.estimate");
        const Eigen::Vector3d root_position = matrix_arg(root, 3, 1, "rpsm.estimate: root_position_in_world");
        const auto opt = make_options<rpsm::RpsmOptions>(options, kwargs, "RpsmOptions");
        py::gil_scoped_release release;
        return rpsm::estimate(views, skeleton, root_position, opt);
      },
      py::arg("cameras"), py::arg("heatmaps"), py::arg("skeleton"), py::arg("root_position_in_world"),
      py::arg("image_from_heatmap") = py::none(), py::arg("options") = py::none(),
      "rpsm.estimate(cameras, heatmaps, skeleton, root_position_in_world, image_from_heatmap=None,\n"
      "options=None, **option_overrides) -> RpsmResult\n\n"
      "heatmaps (V, J, H, W) (copied once to float32), image_from_heatmap (V, 2, 3) or (2, 3) (None =\n"
      "identity: heatmap pixels are image pixels). PSM grid around the root, then the recursive levels\n"
      "and the polish. GIL released.");
  r.def(
      "refine",
      [](const py::object& cameras, const py::object& heatmaps, const Skeleton& skeleton, const py::object& initial,
         const py::object& image_from_heatmap, const py::object& options, const py::kwargs& kwargs) {
        const auto views = heatmap_views(cameras, heatmaps, image_from_heatmap, "rpsm.refine");
        const PointsArg pose = points_arg(initial, 3, "rpsm.refine: initial_pose_in_world", "(J, 3)");
        const auto opt = make_options<rpsm::RpsmOptions>(options, kwargs, "RpsmOptions");
        py::gil_scoped_release release;
        return rpsm::refine(views, skeleton, pose.map(), opt);
      },
      py::arg("cameras"), py::arg("heatmaps"), py::arg("skeleton"), py::arg("initial_pose_in_world"),
      py::arg("image_from_heatmap") = py::none(), py::arg("options") = py::none(),
      "rpsm.refine(cameras, heatmaps, skeleton, initial_pose_in_world, image_from_heatmap=None,\n"
      "options=None, **option_overrides) -> RpsmResult\n\n"
      "The recursive levels only, from an initial pose (J, 3) (e.g. a triangulation). GIL released.");
}

}  // namespace crossview::python
