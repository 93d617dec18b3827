// crossview Python bindings: the format-agnostic io layer (any calibration
// by content, keypoint files of OpenPose / MMPose / DeepLabCut / SLEAP,
// skeleton registry and files, Pose2Sim configs, TRC from points).
#include "common.hpp"

#include <crossview/io/keypoints.hpp>
#include <crossview/io/pose2sim_config.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/io/skeleton_file.hpp>
#include <crossview/io/trc.hpp>
#include <crossview/pose/skeletons.hpp>

namespace crossview::python {

namespace {

using namespace crossview::io;

std::string path_arg(const py::object& path) { return py::str(py::module_::import("os").attr("fspath")(path)); }

template <class R, class Fn>
R released(Fn&& fn) {
  py::gil_scoped_release release;
  return fn();
}

}  // namespace

void init_io_formats(py::module_& m, py::module_& root) {
  py::enum_<RigFormat> rf(m, "RigFormat", "Calibration formats read_rig recognises by content.");
  rf.value("POSE2SIM_TOML", RigFormat::kPose2SimToml)
      .value("CROSSVIEW_JSON", RigFormat::kCrossviewJson)
      .value("H36M_JSON", RigFormat::kH36mJson)
      .value("QUALISYS_QCA", RigFormat::kQualisysQca)
      .value("EASYMOCAP_YML", RigFormat::kEasyMocapYml)
      .value("COLMAP_TEXT", RigFormat::kColmapText);
  add_enum_message<RigFormat>(rf);
  m.def(
      "detect_rig_format",
      [](const py::object& path) { return released<RigFormat>([p = path_arg(path)] { return detect_rig_format(p); }); },
      py::arg("path"), "The calibration format of a file or folder, told by content. Raises IoError listing the tries.");
  m.def(
      "read_rig",
      [](const py::object& path, const std::string& h36m_subject) {
        RigReadOptions o;
        o.h36m_subject = h36m_subject;
        return released<Rig>([p = path_arg(path), &o] { return read_rig(p, o); });
      },
      py::arg("path"), py::arg("h36m_subject") = "",
      "Reads any supported calibration (Pose2Sim / anipose TOML, crossview JSON, Human3.6M JSON,\n"
      "Qualisys .qca.txt, EasyMocap intri/extri.yml, COLMAP cameras/images.txt), detected by content.\n"
      "Raises IoError.");

  // ------------------------------------------------------------ keypoints
  py::class_<KeypointPerson>(m, "KeypointPerson", "One person of a keypoint file: keypoints (J, 2), scores (J,).")
      .def_readonly("track_id", &KeypointPerson::track_id)
      .def_readonly("track_name", &KeypointPerson::track_name)
      .def_property_readonly("keypoints_px", [](const KeypointPerson& p) { return points_to_numpy(p.keypoints_px); })
      .def_property_readonly("scores", [](const KeypointPerson& p) { return vector_to_numpy(p.scores); })
      .def_property_readonly("num_joints", &KeypointPerson::num_joints);
  py::class_<KeypointFrame>(m, "KeypointFrame", "The people of one frame of a keypoint file.")
      .def_readonly("frame_number", &KeypointFrame::frame_number)
      .def_readonly("people", &KeypointFrame::people);
  py::class_<KeypointSequence>(m, "KeypointSequence", "The content of one keypoint file (one camera view).")
      .def_readonly("source", &KeypointSequence::source)
      .def_readonly("format", &KeypointSequence::format)
      .def_readonly("num_joints", &KeypointSequence::num_joints)
      .def_readonly("joint_names", &KeypointSequence::joint_names)
      .def_readonly("file_limbs", &KeypointSequence::file_limbs)
      .def_readonly("skeleton_name", &KeypointSequence::skeleton_name)
      .def_readonly("skeleton_name_origin", &KeypointSequence::skeleton_name_origin)
      .def_readonly("frames", &KeypointSequence::frames)
      .def_readonly("notes", &KeypointSequence::notes);
  m.def(
      "read_mmpose_json",
      [](const py::object& path) { return released<KeypointSequence>([p = path_arg(path)] { return read_mmpose_json(p); }); },
      py::arg("path"), "Reads an MMPose / RTMPose prediction JSON. Raises IoError.");
  m.def(
      "read_deeplabcut_h5",
      [](const py::object& path) {
        return released<KeypointSequence>([p = path_arg(path)] { return read_deeplabcut_h5(p); });
      },
      py::arg("path"), "Reads a DeepLabCut .h5 (needs HDF5 support: has_hdf5_support()). Raises IoError.");
  m.def(
      "read_sleap_analysis_h5",
      [](const py::object& path) {
        return released<KeypointSequence>([p = path_arg(path)] { return read_sleap_analysis_h5(p); });
      },
      py::arg("path"), "Reads a SLEAP analysis HDF5 (needs HDF5 support). Raises IoError.");
  m.def("has_hdf5_support", &has_hdf5_support, "True when crossview.io was built with HDF5 (DeepLabCut / SLEAP).");
  m.def(
      "to_keypoint_sequence",
      [](const std::vector<OpenPoseFrame>& frames, const std::string& source) { return to_keypoint_sequence(frames, source); },
      py::arg("frames"), py::arg("source"), "OpenPose frames (read_openpose_folder) as a KeypointSequence.");

  // ------------------------------------------------------------ skeletons
  root.def("builtin_skeleton_names", &pose::builtin_skeleton_names, "Ids of the built-in skeletons.");
  root.def(
      "builtin_skeleton", [](const std::string& name) { return pose::builtin_skeleton(name); }, py::arg("name"),
      "A built-in skeleton by id or alias, case-insensitive (BODY_25, BODY_25B, HALPE_26, COCO_17,\n"
      "COCO_133, H36M_17); ValueError listing them otherwise.");
  root.def("builtin_skeletons_with_joints", &pose::builtin_skeletons_with_joints, py::arg("num_joints"),
           "Ids of the built-ins with exactly num_joints joints.");
  m.def(
      "load_skeleton", [](const std::string& name_or_path) { return load_skeleton(name_or_path); },
      py::arg("name_or_path"), "A built-in name or a skeleton file (.toml / .json). Raises ValueError / IoError.");
  m.def(
      "read_skeleton_file",
      [](const py::object& path) { return released<pose::Skeleton>([p = path_arg(path)] { return read_skeleton_file(p); }); },
      py::arg("path"), "Reads a skeleton file (TOML or JSON, docs/io.md). Raises IoError.");
  m.def(
      "write_skeleton_file",
      [](const pose::Skeleton& s, const py::object& path) {
        const std::string p = path_arg(path);
        py::gil_scoped_release release;
        write_skeleton_file(s, p);
      },
      py::arg("skeleton"), py::arg("path"), "Writes a skeleton file (JSON).");

  // ------------------------------------------------------------ Pose2Sim config
  py::class_<Pose2SimConfig>(m, "Pose2SimConfig", "What crossview reads from Pose2Sim Config.toml files.")
      .def_readonly("frame_rate_hz", &Pose2SimConfig::frame_rate_hz)
      .def_readonly("frame_rate_auto", &Pose2SimConfig::frame_rate_auto)
      .def_readonly("frame_range", &Pose2SimConfig::frame_range)
      .def_readonly("multi_person", &Pose2SimConfig::multi_person)
      .def_readonly("pose_model", &Pose2SimConfig::pose_model)
      .def_readonly("participant_heights_m", &Pose2SimConfig::participant_heights_m)
      .def_readonly("participant_height_auto", &Pose2SimConfig::participant_height_auto)
      .def_readonly("participant_masses_kg", &Pose2SimConfig::participant_masses_kg)
      .def_readonly("sources", &Pose2SimConfig::sources)
      .def_readonly("pose_model_origin", &Pose2SimConfig::pose_model_origin);
  m.def(
      "read_pose2sim_config",
      [](const py::object& path) {
        return released<Pose2SimConfig>([p = path_arg(path)] { return read_pose2sim_config(p); });
      },
      py::arg("path"), "Reads a Pose2Sim Config.toml. Raises IoError.");
  m.def(
      "find_pose2sim_config",
      [](const py::object& trial_dir, int max_levels_up) {
        return released<Pose2SimConfig>(
            [p = path_arg(trial_dir), max_levels_up] { return find_pose2sim_config(p, max_levels_up); });
      },
      py::arg("trial_dir"), py::arg("max_levels_up") = 2,
      "Merges the Config.toml files of a trial and its parents (trial values win). Raises IoError.");

  // ------------------------------------------------------------ TRC from points
  py::class_<TrcWriteOptions> two(m, "TrcWriteOptions", "make_trc options (rate_hz required; Pose2Sim's conventions).");
  add_options_init(two, "TrcWriteOptions");
  two.def_readwrite("rate_hz", &TrcWriteOptions::rate_hz)
      .def_readwrite("units", &TrcWriteOptions::units)
      .def_readwrite("skeleton", &TrcWriteOptions::skeleton)
      .def_readwrite("first_frame_number", &TrcWriteOptions::first_frame_number)
      .def_readwrite("orig_data_start_frame", &TrcWriteOptions::orig_data_start_frame)
      .def_readwrite("to_pose2sim_axes", &TrcWriteOptions::to_pose2sim_axes)
      .def_readwrite("file_name", &TrcWriteOptions::file_name)
      .def("validate", &TrcWriteOptions::validate, "Raises ValueError naming the first invalid option.");
  m.def(
      "make_trc",
      [](const std::vector<std::string>& marker_names, const py::object& points, const py::object& options,
         const py::kwargs& kw) {
        const PointsArg p = points_arg(points, 3, "make_trc: points_in_world", "(F, M, 3)", 3, 3);
        const auto o = make_options<TrcWriteOptions>(options, kw, "TrcWriteOptions");
        return make_trc(marker_names, p.map(), o);
      },
      py::arg("marker_names"), py::arg("points_in_world"), py::arg("options") = py::none(),
      "A TrcData of F frames of M markers from points (F, M, 3) (NaN = empty cells), Frame# and Time\n"
      "as Pose2Sim writes them; write it with write_trc.");
}

}  // namespace crossview::python
