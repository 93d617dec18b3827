// crossview Python bindings: camera models, Camera (project / unproject
// vectorised over N points, GIL released), rigid transforms.
#include "common.hpp"

#include <crossview/camera/camera.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

namespace crossview::python {

namespace {

using camera::Camera;
using camera::CameraModel;
using camera::ProjectionStatus;
using camera::Rigid3d;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

CameraModel model_arg(const py::object& model) {
  if (py::isinstance<py::str>(model)) {
    CameraModel m;
    const std::string name = model.cast<std::string>();
    if (!camera::camera_model_from_string(name, &m)) {
      throw py::value_error("Camera: unknown model '" + name +
                            "' (expected PINHOLE, OPENCV, OPENCV_RATIONAL or FISHEYE)");
    }
    return m;
  }
  return model.cast<CameraModel>();
}

// cam_from_world from exactly one of R (3x3), rvec (3,), quaternion_wxyz (4,)
// plus t (3,); identity / zero when absent.
Rigid3d pose_arg(const py::object& R, const py::object& t, const py::object& rvec, const py::object& quaternion_wxyz) {
  const int given = static_cast<int>(!R.is_none()) + static_cast<int>(!rvec.is_none()) +
                    static_cast<int>(!quaternion_wxyz.is_none());
  if (given > 1) throw py::value_error("Camera: give the rotation once (R, rvec or quaternion_wxyz)");
  Rigid3d pose;
  if (!t.is_none()) pose.translation = matrix_arg(t, 3, 1, "Camera: t");
  if (!R.is_none()) {
    const Eigen::Matrix3d rot = matrix_arg(R, 3, 3, "Camera: R");
    if (!camera::is_rotation_matrix(rot, 1e-6)) {
      throw py::value_error("Camera: R must be a rotation matrix (orthonormal, det +1, to 1e-6)");
    }
    pose = Rigid3d::from_matrix(rot, pose.translation);
  } else if (!rvec.is_none()) {
    const Eigen::Vector3d w = matrix_arg(rvec, 3, 1, "Camera: rvec");
    if (!w.allFinite()) throw py::value_error("Camera: rvec contains NaN or Inf");
    pose = Rigid3d::from_angle_axis(w, pose.translation);
  } else if (!quaternion_wxyz.is_none()) {
    const Eigen::Vector4d q = matrix_arg(quaternion_wxyz, 4, 1, "Camera: quaternion_wxyz");
    pose.rotation = Eigen::Quaterniond(q[0], q[1], q[2], q[3]);
  }
  return pose;
}

// Vectorised per-point call: input numpy (N, Din) or (Din,), output (N, Dout)
// or (Dout,) + (N,) uint8 statuses (or a scalar enum for one point). NaN rows
// where the status is not SUCCESS.
template <int Din, int Dout, class F>
py::tuple map_points(const py::object& input, const char* what, const char* expected, F&& f) {
  const PointsArg in = points_arg(input, Din, what, expected, 1, 2);
  const Eigen::Index n = in.cols;
  py::array_t<double> out(std::vector<py::ssize_t>{static_cast<py::ssize_t>(n), Dout});
  py::array_t<std::uint8_t> status(static_cast<py::ssize_t>(n));
  double* o = out.mutable_data();
  std::uint8_t* s = status.mutable_data();
  {
    py::gil_scoped_release release;
    const PointsMap map = in.map();
    for (Eigen::Index i = 0; i < n; ++i) {
      Eigen::Matrix<double, Dout, 1> r;
      const ProjectionStatus st = f(Eigen::Matrix<double, Din, 1>(map.col(i)), &r);
      s[i] = static_cast<std::uint8_t>(st);
      for (int d = 0; d < Dout; ++d) o[i * Dout + d] = st == ProjectionStatus::kSuccess ? r[d] : kNaN;
    }
  }
  if (in.ndim() == 1) {
    return py::make_tuple(out.attr("reshape")(Dout), py::cast(static_cast<ProjectionStatus>(s[0])));
  }
  return py::make_tuple(out, status);
}

}  // namespace

void init_camera(py::module_& m) {
  py::enum_<CameraModel> model(m, "CameraModel",
                               "Intrinsic model; params layouts: PINHOLE fx fy cx cy; OPENCV fx fy cx cy k1 k2 p1 p2 k3;\n"
                               "OPENCV_RATIONAL + k4 k5 k6; FISHEYE fx fy cx cy k1 k2 k3 k4 (Kannala-Brandt).");
  model.value("PINHOLE", CameraModel::kPinhole)
      .value("OPENCV", CameraModel::kOpenCV)
      .value("OPENCV_RATIONAL", CameraModel::kOpenCVRational)
      .value("FISHEYE", CameraModel::kFisheye);
  add_enum_message<CameraModel>(model);
  model.def_property_readonly(
      "num_params", [](CameraModel c) { return camera::num_params(c); }, "Number of parameters of the model.");

  py::enum_<ProjectionStatus> status(m, "ProjectionStatus",
                                     "Outcome of projecting / unprojecting one point (arrays hold the integer values).");
  status.value("SUCCESS", ProjectionStatus::kSuccess)
      .value("BEHIND_CAMERA", ProjectionStatus::kBehindCamera)
      .value("OUTSIDE_VALID_RANGE", ProjectionStatus::kOutsideValidRange)
      .value("NOT_CONVERGED", ProjectionStatus::kNotConverged)
      .value("INVALID_INPUT", ProjectionStatus::kInvalidInput);
  add_enum_message<ProjectionStatus>(status);

  py::class_<Camera> cam(m, "Camera",
                         "A calibrated camera: intrinsic model + image size + cam_from_world (x_cam = R X + t,\n"
                         "OpenCV convention; pixel centres at integers, top-left pixel (0, 0)). Lengths are in the\n"
                         "unit of t. Invalid parameters (wrong count, NaN, fx or fy <= 0, size <= 0, R not a\n"
                         "rotation) raise ValueError with the C++ message.");
  cam.def(py::init([](const py::object& model_obj, const py::object& params, int width, int height,
                      const py::object& R, const py::object& t, const py::object& rvec,
                      const py::object& quaternion_wxyz, std::string name) {
            const CameraModel mdl = model_arg(model_obj);
            const ScoresArg p = scores_arg(params, "Camera: params");
            return Camera(mdl, Eigen::VectorXd(p.map()), width, height, pose_arg(R, t, rvec, quaternion_wxyz),
                          std::move(name));
          }),
          py::arg("model"), py::arg("params"), py::arg("width"), py::arg("height"), py::kw_only(),
          py::arg("R") = py::none(), py::arg("t") = py::none(), py::arg("rvec") = py::none(),
          py::arg("quaternion_wxyz") = py::none(), py::arg("name") = "",
          "Camera(model, params, width, height, *, R=None | rvec=None | quaternion_wxyz=None, t=None, name='').\n"
          "model: CameraModel or its name ('OPENCV'); params in the model's layout; the rotation of\n"
          "cam_from_world as a 3x3 matrix R, a Rodrigues vector rvec (OpenCV's) or a unit quaternion\n"
          "(w, x, y, z); t the translation. Default pose: identity.");
  cam.def_static(
         "pinhole",
         [](double fx, double fy, double cx, double cy, int width, int height, const py::object& R,
            const py::object& t, const py::object& rvec, std::string name) {
           return Camera::pinhole(fx, fy, cx, cy, width, height, pose_arg(R, t, rvec, py::none()), std::move(name));
         },
         py::arg("fx"), py::arg("fy"), py::arg("cx"), py::arg("cy"), py::arg("width"), py::arg("height"), py::kw_only(),
         py::arg("R") = py::none(), py::arg("t") = py::none(), py::arg("rvec") = py::none(), py::arg("name") = "",
         "A pinhole camera from K's entries.")
      .def_property_readonly("model", &Camera::model, "The intrinsic model.")
      .def_property_readonly(
          "params", [](const Camera& c) { return vector_to_numpy(c.params()); }, "Parameters (a copy), model layout.")
      .def_property_readonly("width", &Camera::width, "Image width in pixels.")
      .def_property_readonly("height", &Camera::height, "Image height in pixels.")
      .def_property("name", &Camera::name, &Camera::set_name, "Camera name (free text).")
      .def_property_readonly(
          "K", [](const Camera& c) { return matrix_to_numpy(c.calibration_matrix()); }, "Calibration matrix (3, 3).")
      .def_property_readonly(
          "P", [](const Camera& c) { return matrix_to_numpy(c.projection_matrix()); },
          "P = K [R | t] (3, 4); maps to undistorted pixels for distorted models.")
      .def_property_readonly(
          "distortion", [](const Camera& c) { return vector_to_numpy(c.distortion()); },
          "Distortion coefficients (params[4:]).")
      .def_property_readonly("max_valid_radius", &Camera::max_valid_radius,
                             "Largest normalized radius where the distortion is invertible (inf if everywhere).")
      .def_property(
          "R", [](const Camera& c) { return matrix_to_numpy(c.cam_from_world.rotation_matrix()); },
          [](Camera& c, const py::object& R) {
            c.cam_from_world = Rigid3d(pose_arg(R, py::none(), py::none(), py::none()).rotation,
                                       c.cam_from_world.translation);
          },
          "Rotation of cam_from_world (3, 3); assigning checks it is a rotation.")
      .def_property(
          "t", [](const Camera& c) { return vector_to_numpy(c.cam_from_world.translation); },
          [](Camera& c, const py::object& t) {
            const Eigen::Vector3d v = matrix_arg(t, 3, 1, "Camera.t");
            if (!v.allFinite()) throw py::value_error("Camera.t contains NaN or Inf");
            c.cam_from_world.translation = v;
          },
          "Translation of cam_from_world (3,).")
      .def_property_readonly(
          "rvec", [](const Camera& c) { return vector_to_numpy(c.cam_from_world.angle_axis()); },
          "Rodrigues vector of the rotation (OpenCV's rvec).")
      .def_property_readonly(
          "quaternion_wxyz",
          [](const Camera& c) {
            const Eigen::Quaterniond& q = c.cam_from_world.rotation;
            return vector_to_numpy(Eigen::Vector4d(q.w(), q.x(), q.y(), q.z()));
          },
          "Unit quaternion (w, x, y, z) of the rotation.")
      .def_property_readonly(
          "center_in_world", [](const Camera& c) { return vector_to_numpy(c.center_in_world()); },
          "Camera centre in world coordinates, -R^T t.")
      .def(
          "project",
          [](const Camera& c, const py::object& points_in_world) {
            return map_points<3, 2>(points_in_world, "Camera.project: points_in_world", "(N, 3) or (3,)",
                                    [&c](const Eigen::Vector3d& x, Eigen::Vector2d* px) { return c.project(x, px); });
          },
          py::arg("points_in_world"),
          "Projects world points (N, 3) -> (pixels (N, 2), status (N,) uint8 ProjectionStatus values);\n"
          "a failed point is a NaN row. A single point (3,) gives ((2,), ProjectionStatus). Distortion\n"
          "included (cv2.projectPoints' convention). GIL released.")
      .def(
          "project_from_cam",
          [](const Camera& c, const py::object& points_in_cam) {
            return map_points<3, 2>(points_in_cam, "Camera.project_from_cam: points_in_cam", "(N, 3) or (3,)",
                                    [&c](const Eigen::Vector3d& x, Eigen::Vector2d* px) {
                                      return c.project_from_cam(x, px);
                                    });
          },
          py::arg("points_in_cam"), "Like project() for camera-frame points.")
      .def(
          "unproject",
          [](const Camera& c, const py::object& pixels) {
            return map_points<2, 3>(pixels, "Camera.unproject: pixels_px", "(N, 2) or (2,)",
                                    [&c](const Eigen::Vector2d& px, Eigen::Vector3d* ray) { return c.unproject(px, ray); });
          },
          py::arg("pixels_px"),
          "Rays (x, y, 1) in the camera frame through distorted pixels (N, 2) -> (rays (N, 3), status (N,)).\n"
          "Newton on the distortion (at most 50 steps); failures are NaN rows with their status.")
      .def(
          "unproject_to_normalized",
          [](const Camera& c, const py::object& pixels) {
            return map_points<2, 2>(pixels, "Camera.unproject_to_normalized: pixels_px", "(N, 2) or (2,)",
                                    [&c](const Eigen::Vector2d& px, Eigen::Vector2d* n) {
                                      return c.unproject_to_normalized(px, n);
                                    });
          },
          py::arg("pixels_px"), "Normalized image points (X/Z, Y/Z) (N, 2) of distorted pixels, with statuses.")
      .def(
          "undistort_pixels",
          [](const Camera& c, const py::object& pixels) {
            return map_points<2, 2>(pixels, "Camera.undistort_pixels: pixels_px", "(N, 2) or (2,)",
                                    [&c](const Eigen::Vector2d& px, Eigen::Vector2d* u) {
                                      return c.undistort_pixel(px, u);
                                    });
          },
          py::arg("pixels_px"), "The pixels a pinhole camera with the same K would see: K (x, y, 1), with statuses.")
      .def(
          "is_in_image",
          [](const Camera& c, const py::object& pixels) {
            const PointsArg in = points_arg(pixels, 2, "Camera.is_in_image: pixels_px", "(N, 2)", 2, 2);
            py::array_t<bool> out(static_cast<py::ssize_t>(in.cols));
            const PointsMap map = in.map();
            for (Eigen::Index i = 0; i < in.cols; ++i) out.mutable_data()[i] = c.is_in_image(map.col(i));
            return out;
          },
          py::arg("pixels_px"), "(N,) bool: inside [-0.5, width - 0.5) x [-0.5, height - 0.5).")
      .def("__repr__",
           [](const Camera& c) {
             return "Camera(" + std::string(camera::to_string(c.model())) + ", " + std::to_string(c.width()) + "x" +
                    std::to_string(c.height()) + (c.name().empty() ? std::string() : ", name='" + c.name() + "'") +
                    ")";
           })
      .def(py::pickle(
          [](const Camera& c) {
            const Eigen::Quaterniond& q = c.cam_from_world.rotation;
            return py::make_tuple(static_cast<int>(c.model()), vector_to_numpy(c.params()), c.width(), c.height(),
                                  vector_to_numpy(Eigen::Vector4d(q.w(), q.x(), q.y(), q.z())),
                                  vector_to_numpy(c.cam_from_world.translation), c.name());
          },
          [](const py::tuple& s) {
            if (s.size() != 7) throw py::value_error("Camera: invalid pickled state");
            const Eigen::VectorXd params = scores_arg(s[1], "params").map();
            const Eigen::Vector4d q = matrix_arg(s[4], 4, 1, "quaternion");
            const Eigen::Vector3d t = matrix_arg(s[5], 3, 1, "t");
            return Camera(static_cast<CameraModel>(s[0].cast<int>()), params, s[2].cast<int>(), s[3].cast<int>(),
                          Rigid3d(Eigen::Quaterniond(q[0], q[1], q[2], q[3]), t), s[6].cast<std::string>());
          }));
}

}  // namespace crossview::python
