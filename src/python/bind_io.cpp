// crossview Python bindings: file formats (rigs, OpenPose JSON, TRC, PSS
// models). Readers raise crossview.IoError (a subclass of OSError) naming the
// file and field; the GIL is released while files are parsed.
#include "common.hpp"

#include <crossview/io/error.hpp>
#include <crossview/io/openpose.hpp>
#include <crossview/io/pss_model.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/io/trc.hpp>

#include <cstring>

namespace crossview::python {

namespace {

using namespace crossview::io;

template <class R, class Fn>
R released(Fn&& fn) {
  py::gil_scoped_release release;
  return fn();
}

// An os.PathLike or str as a path string.
std::string path_arg(const py::object& path) { return py::str(py::module_::import("os").attr("fspath")(path)); }

}  // namespace

void init_io(py::module_& m) {
  py::class_<RigWorld>(m, "RigWorld",
                       "The provenance of a rig's world frame: frame ('floor', 'camera', 'other' or ''), camera, up,\n"
                       "x_axis, origin, estimated_by, evidence, tilt_uncertainty_deg (NaN = not given).")
      .def(py::init<>())
      .def_readwrite("frame", &RigWorld::frame)
      .def_readwrite("camera", &RigWorld::camera)
      .def_readwrite("up", &RigWorld::up)
      .def_readwrite("x_axis", &RigWorld::x_axis)
      .def_readwrite("origin", &RigWorld::origin)
      .def_readwrite("estimated_by", &RigWorld::estimated_by)
      .def_readwrite("evidence", &RigWorld::evidence)
      .def_readwrite("tilt_uncertainty_deg", &RigWorld::tilt_uncertainty_deg)
      .def("empty", &RigWorld::empty)
      .def("validate", &RigWorld::validate, "Raises ValueError for an unknown frame or a bad uncertainty.");
  py::class_<Rig>(m, "Rig", "Cameras of one capture in file order, with the unit of their translations ('m' or 'mm').")
      .def(py::init([](std::vector<camera::Camera> cameras, std::string length_unit) {
             metres_per_unit(length_unit);  // validates the unit
             Rig r;
             r.cameras = std::move(cameras);
             r.length_unit = std::move(length_unit);
             return r;
           }),
           py::arg("cameras"), py::arg("length_unit") = "m")
      .def_readwrite("cameras", &Rig::cameras, "The cameras (a list; assign a new list to change it).")
      .def_readwrite("length_unit", &Rig::length_unit)
      .def_readwrite("world", &Rig::world, "Where the world frame comes from (RigWorld; empty when not recorded).")
      .def("names", &Rig::names, "Camera names in order.")
      .def("index_of", &Rig::index_of, py::arg("name"), "Index of a camera name, or -1.")
      .def(
          "at", [](const Rig& r, const std::string& name) { return r.at(name); }, py::arg("name"),
          "Camera by name; KeyError-like IndexError listing the names when absent.")
      .def("with_length_unit", &Rig::with_length_unit, py::arg("unit"), "The rig with translations in 'm' or 'mm'.")
      .def("__len__", &Rig::size)
      .def(
          "__getitem__",
          [](const Rig& r, long i) {
            const long n = static_cast<long>(r.size());
            if (i < 0) i += n;
            if (i < 0 || i >= n) throw py::index_error("Rig index out of range");
            return r.cameras[static_cast<std::size_t>(i)];
          },
          py::arg("index"))
      .def("__repr__", [](const Rig& r) {
        return "Rig(" + std::to_string(r.size()) + " cameras, length_unit='" + r.length_unit + "')";
      });
  m.def("metres_per_unit", &metres_per_unit, py::arg("unit"), "Metres per unit for 'm' and 'mm'.");

  m.def(
      "read_pose2sim_toml", [](const py::object& path) { return released<Rig>([p = path_arg(path)] { return read_pose2sim_toml(p); }); },
      py::arg("path"), "Reads a Pose2Sim / anipose calibration TOML (unit 'm'). Raises IoError.");
  m.def(
      "parse_pose2sim_toml",
      [](const std::string& text, const std::string& source_name) { return parse_pose2sim_toml(text, source_name); },
      py::arg("text"), py::arg("source_name") = "<string>", "Same from TOML text.");
  m.def(
      "write_pose2sim_toml",
      [](const Rig& rig, const py::object& path) {
        const std::string p = path_arg(path);
        py::gil_scoped_release release;
        write_pose2sim_toml(rig, p);
      },
      py::arg("rig"), py::arg("path"),
      "Writes a Pose2Sim TOML (metres; PINHOLE, OPENCV, FISHEYE; ValueError for OPENCV_RATIONAL).");
  m.def("format_pose2sim_toml", &format_pose2sim_toml, py::arg("rig"), "The Pose2Sim TOML text of a rig.");
  m.def(
      "read_rig_json", [](const py::object& path) { return released<Rig>([p = path_arg(path)] { return read_rig_json(p); }); },
      py::arg("path"), "Reads a crossview JSON rig (bit-exact round trip). Raises IoError.");
  m.def(
      "parse_rig_json",
      [](const std::string& text, const std::string& source_name) { return parse_rig_json(text, source_name); },
      py::arg("text"), py::arg("source_name") = "<string>", "Same from JSON text.");
  m.def(
      "write_rig_json",
      [](const Rig& rig, const py::object& path) {
        const std::string p = path_arg(path);
        py::gil_scoped_release release;
        write_rig_json(rig, p);
      },
      py::arg("rig"), py::arg("path"), "Writes a crossview JSON rig.");
  m.def("format_rig_json", &format_rig_json, py::arg("rig"), "The crossview JSON text of a rig.");
  m.def(
      "read_h36m_json",
      [](const py::object& path, const std::string& subject, int width, int height) {
        H36mReadOptions o;
        o.width = width;
        o.height = height;
        return released<Rig>([p = path_arg(path), &subject, &o] { return read_h36m_json(p, subject, o); });
      },
      py::arg("path"), py::arg("subject"), py::arg("width") = 1000, py::arg("height") = 1002,
      "Reads one subject's cameras from the Human3.6M camera-parameters.json (unit 'mm').");

  // ------------------------------------------------------------ OpenPose
  py::class_<OpenPosePerson>(m, "OpenPosePerson", "One detected person: keypoints (J, 2) (NaN = missing), scores (J,).")
      .def_readonly("person_id", &OpenPosePerson::person_id)
      .def_property_readonly("keypoints_px", [](const OpenPosePerson& p) { return points_to_numpy(p.keypoints_px); })
      .def_property_readonly("scores", [](const OpenPosePerson& p) { return vector_to_numpy(p.scores); })
      .def_property_readonly("num_joints", &OpenPosePerson::num_joints)
      .def_property_readonly("num_detected", &OpenPosePerson::num_detected)
      .def_property_readonly("mean_detected_score", &OpenPosePerson::mean_detected_score);
  py::class_<OpenPoseFrame>(m, "OpenPoseFrame", "One OpenPose JSON file.")
      .def_readonly("frame_number", &OpenPoseFrame::frame_number)
      .def_readonly("path", &OpenPoseFrame::path)
      .def_readonly("people", &OpenPoseFrame::people);
  m.def(
      "read_openpose_json",
      [](const py::object& path, int expected_joints) {
        return released<OpenPoseFrame>([p = path_arg(path), expected_joints] { return read_openpose_json(p, expected_joints); });
      },
      py::arg("path"), py::arg("expected_joints") = 0, "Reads one OpenPose JSON file. Raises IoError.");
  m.def(
      "read_openpose_folder",
      [](const py::object& folder, int expected_joints) {
        return released<std::vector<OpenPoseFrame>>(
            [p = path_arg(folder), expected_joints] { return read_openpose_folder(p, expected_joints); });
      },
      py::arg("folder"), py::arg("expected_joints") = 0,
      "Reads every *.json of a folder, sorted by the frame number in the file names. Raises IoError.");
  py::class_<MainPersonOptions> mpo(m, "MainPersonOptions", "select_main_person options: min_detected_joints (1), prefer_previous (False), max_jump_px (50).");
  add_options_init(mpo, "MainPersonOptions");
  mpo.def_readwrite("min_detected_joints", &MainPersonOptions::min_detected_joints)
      .def_readwrite("prefer_previous", &MainPersonOptions::prefer_previous)
      .def_readwrite("max_jump_px", &MainPersonOptions::max_jump_px);
  m.def(
      "select_main_person",
      [](const std::vector<OpenPoseFrame>& frames, const py::object& options, const py::kwargs& kw) {
        const auto o = make_options<MainPersonOptions>(options, kw, "MainPersonOptions");
        return select_main_person(frames, o);
      },
      py::arg("frames"), py::arg("options") = py::none(),
      "Index into frames[f].people of the main person of each frame (-1 when none qualifies).");
  m.def(
      "openpose_keypoints",
      [](const std::vector<OpenPoseFrame>& frames, const std::vector<int>& person, int num_joints) {
        if (person.size() != frames.size()) {
          throw py::value_error("openpose_keypoints: person must have one index per frame");
        }
        const auto F = static_cast<py::ssize_t>(frames.size());
        py::array_t<double> kp({F, static_cast<py::ssize_t>(num_joints), py::ssize_t{2}});
        py::array_t<double> sc({F, static_cast<py::ssize_t>(num_joints)});
        double* k = kp.mutable_data();
        double* s = sc.mutable_data();
        for (py::ssize_t f = 0; f < F; ++f) {
          const int i = person[static_cast<std::size_t>(f)];
          const auto& people = frames[static_cast<std::size_t>(f)].people;
          for (int j = 0; j < num_joints; ++j) {
            double* kj = k + (f * num_joints + j) * 2;
            double* sj = s + f * num_joints + j;
            if (i >= 0 && i < static_cast<int>(people.size()) && j < people[i].num_joints()) {
              kj[0] = people[i].keypoints_px(0, j);
              kj[1] = people[i].keypoints_px(1, j);
              *sj = people[i].scores[j];
            } else {
              kj[0] = kj[1] = std::numeric_limits<double>::quiet_NaN();
              *sj = 0.0;
            }
          }
        }
        return py::make_tuple(kp, sc);
      },
      py::arg("frames"), py::arg("person"), py::arg("num_joints"),
      "Keypoints (F, J, 2) and scores (F, J) of person[f] in each frame (NaN / 0 when absent): one\n"
      "camera's input to triangulate_batch after stacking cameras on axis 1.");

  // ------------------------------------------------------------ TRC
  py::class_<TrcData>(m, "TrcData", "TRC marker trajectories; positions (F, M, 3) in the file's axes, NaN = missing.")
      .def(py::init<>())
      .def_readwrite("data_rate_hz", &TrcData::data_rate_hz)
      .def_readwrite("camera_rate_hz", &TrcData::camera_rate_hz)
      .def_readwrite("units", &TrcData::units)
      .def_readwrite("orig_data_rate_hz", &TrcData::orig_data_rate_hz)
      .def_readwrite("orig_data_start_frame", &TrcData::orig_data_start_frame)
      .def_readwrite("orig_num_frames", &TrcData::orig_num_frames)
      .def_readwrite("path_file_name", &TrcData::path_file_name)
      .def_readwrite("marker_names", &TrcData::marker_names)
      .def_readwrite("frame_numbers", &TrcData::frame_numbers)
      .def_readwrite("times_s", &TrcData::times_s)
      .def_property(
          "positions",
          [](const TrcData& t) {
            return to_numpy_shaped(t.positions.data(), {t.num_frames(), t.num_markers(), 3});
          },
          [](TrcData& t, const py::object& positions) {
            const PointsArg p = points_arg(positions, 3, "TrcData.positions", "(F, M, 3)", 3, 3);
            t.positions = p.map();
          },
          "(F, M, 3) marker positions (a copy; assign a new array to change them).")
      .def_property_readonly("num_frames", &TrcData::num_frames)
      .def_property_readonly("num_markers", &TrcData::num_markers)
      .def("marker_index", &TrcData::marker_index, py::arg("name"));
  m.def(
      "read_trc", [](const py::object& path) { return released<TrcData>([p = path_arg(path)] { return read_trc(p); }); },
      py::arg("path"), "Reads a TRC file. Raises IoError.");
  m.def(
      "parse_trc", [](const std::string& text, const std::string& source_name) { return parse_trc(text, source_name); },
      py::arg("text"), py::arg("source_name") = "<string>", "Same from text.");
  m.def(
      "write_trc",
      [](const TrcData& t, const py::object& path) {
        const std::string p = path_arg(path);
        py::gil_scoped_release release;
        write_trc(t, p);
      },
      py::arg("trc"), py::arg("path"),
      "Writes a TRC file (bit-exact round trip); ValueError on inconsistent sizes, IoError if unwritable.");
  m.def("format_trc", &format_trc, py::arg("trc"), "The TRC text.");

  // ------------------------------------------------------------ PSS models
  m.def(
      "save_pss_model",
      [](const metrics::pss::Model& model, const py::object& path) {
        const std::string p = path_arg(path);
        py::gil_scoped_release release;
        save_pss_model(model, p);
      },
      py::arg("model"), py::arg("path"), "Saves a PSS model as JSON (bit-exact round trip).");
  m.def(
      "load_pss_model",
      [](const py::object& path) {
        return released<metrics::pss::Model>([p = path_arg(path)] { return load_pss_model(p); });
      },
      py::arg("path"), "Loads a PSS model saved by save_pss_model (RuntimeError / IoError naming the field).");
}

}  // namespace crossview::python
