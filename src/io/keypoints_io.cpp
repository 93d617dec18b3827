// Keypoint files in the common layout: OpenPose conversion, MMPose JSON.
#include <crossview/io/keypoints.hpp>

#include <crossview/pose/skeletons.hpp>

#include "io_common.hpp"

#include <cmath>
#include <limits>
#include <map>

namespace crossview::io {

using detail::index_field;
using detail::Json;
using detail::member_field;

SkeletonQuery KeypointSequence::skeleton_query(const std::string& explicit_skeleton) const {
  SkeletonQuery q;
  q.explicit_skeleton = explicit_skeleton;
  q.metadata_skeleton = skeleton_name;
  q.metadata_origin = skeleton_name_origin;
  q.num_joints = num_joints;
  q.joint_names = joint_names;
  q.file_limbs = file_limbs;
  q.source = source;
  return q;
}

KeypointSequence to_keypoint_sequence(const std::vector<OpenPoseFrame>& frames, const std::string& source) {
  KeypointSequence seq;
  seq.source = source;
  seq.format = "openpose";
  for (const OpenPoseFrame& f : frames) {
    KeypointFrame kf;
    kf.frame_number = f.frame_number;
    for (const OpenPosePerson& p : f.people) {
      if (seq.num_joints == 0) seq.num_joints = p.num_joints();
      if (p.num_joints() != seq.num_joints) {
        throw IoError(f.path, "people.pose_keypoints_2d", "expected " + std::to_string(seq.num_joints) +
                                                              " joints as in the earlier frames, got " + std::to_string(p.num_joints()));
      }
      kf.people.push_back({p.person_id, "", p.keypoints_px, p.scores});
    }
    seq.frames.push_back(std::move(kf));
  }
  return seq;
}

namespace {

/// Dataset names of MMPose's dataset_meta -> crossview's built-in ids.
std::string skeleton_for_mmpose_dataset(const std::string& name) {
  static const std::map<std::string, std::string> kMap = {
      {"coco", "COCO_17"},         {"coco_wholebody", "COCO_133"}, {"cocowholebody", "COCO_133"},
      {"halpe26", "HALPE_26"},     {"body8_halpe26", "HALPE_26"},  {"h36m", "H36M_17"}};
  const auto it = kMap.find(name);
  return it == kMap.end() ? name : it->second;
}

struct MmposeParser {
  detail::JsonReader rd;
  KeypointSequence* seq;

  KeypointPerson instance(const Json& j, const std::string& f) {
    rd.object(j, f);
    const std::string fk = member_field(f, "keypoints");
    const Json& kp = rd.array(rd.member(j, "keypoints", f), fk);
    const int n = static_cast<int>(kp.size());
    if (n == 0) throw IoError(rd.file, fk, "expected [x, y] pairs, got an empty array");
    if (seq->num_joints == 0) seq->num_joints = n;
    if (n != seq->num_joints) {
      throw IoError(rd.file, fk, "expected " + std::to_string(seq->num_joints) + " keypoints as in the first instance, got " +
                                     std::to_string(n));
    }
    KeypointPerson p;
    p.keypoints_px.resize(2, n);
    p.scores.resize(n);
    const Json* scores = nullptr;
    if (const auto it = j.find("keypoint_scores"); it != j.end()) {
      scores = &rd.array(*it, member_field(f, "keypoint_scores"), static_cast<std::size_t>(n));
    }
    for (int k = 0; k < n; ++k) {
      const std::string fkk = index_field(fk, static_cast<std::size_t>(k));
      const Json& pt = rd.array(kp[static_cast<std::size_t>(k)], fkk);
      if (pt.size() != 2 && pt.size() != 3) throw IoError(rd.file, fkk, "expected [x, y] or [x, y, score], got " + std::to_string(pt.size()) + " values");
      double s = 0.0;
      if (scores != nullptr) {
        s = rd.number((*scores)[static_cast<std::size_t>(k)], index_field(member_field(f, "keypoint_scores"), static_cast<std::size_t>(k)));
      } else if (pt.size() == 3) {
        s = rd.number(pt[2], index_field(fkk, 2));
      } else {
        throw IoError(rd.file, member_field(f, "keypoint_scores"), "missing field (and the keypoints have no third value)");
      }
      if (s < 0.0) throw IoError(rd.file, fkk, "expected a score >= 0, got " + detail::format_double(s));
      const double x = rd.number(pt[0], index_field(fkk, 0));
      const double y = rd.number(pt[1], index_field(fkk, 1));
      if (s > 0.0) {
        p.keypoints_px.col(k) << x, y;
        p.scores[k] = s;
      } else {
        p.keypoints_px.col(k).setConstant(std::numeric_limits<double>::quiet_NaN());
        p.scores[k] = 0.0;
      }
    }
    if (const auto it = j.find("track_id"); it != j.end() && it->is_number()) {
      p.track_id = rd.integer(*it, member_field(f, "track_id"));
    }
    return p;
  }

  /// A list of frames ({frame_id, instances}) or of instances (one image).
  void list(const Json& a, const std::string& f) {
    rd.array(a, f);
    const bool frames = !a.empty() && a[0].is_object() && a[0].contains("instances");
    if (!frames) {
      KeypointFrame kf;
      kf.frame_number = 0;
      for (std::size_t i = 0; i < a.size(); ++i) kf.people.push_back(instance(a[i], index_field(f, i)));
      seq->frames.push_back(std::move(kf));
      return;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string fi = index_field(f, i);
      rd.object(a[i], fi);
      KeypointFrame kf;
      const Json& fid = rd.member(a[i], "frame_id", fi);
      const double id = rd.number(fid, member_field(fi, "frame_id"));
      if (id != std::floor(id) || std::abs(id) > 9e15) throw IoError(rd.file, member_field(fi, "frame_id"), "expected a whole frame number");
      kf.frame_number = static_cast<long long>(id);
      if (!seq->frames.empty() && kf.frame_number <= seq->frames.back().frame_number) {
        throw IoError(rd.file, member_field(fi, "frame_id"), "expected increasing frame ids, got " + std::to_string(kf.frame_number) +
                                                                 " after " + std::to_string(seq->frames.back().frame_number));
      }
      const std::string fin = member_field(fi, "instances");
      const Json& inst = rd.array(rd.member(a[i], "instances", fi), fin);
      for (std::size_t k = 0; k < inst.size(); ++k) kf.people.push_back(instance(inst[k], index_field(fin, k)));
      seq->frames.push_back(std::move(kf));
    }
  }
};

}  // namespace

KeypointSequence parse_mmpose_json(const std::string& text, const std::string& source_name) {
  const detail::JsonReader rd{source_name};
  const Json root = rd.parse(text);
  KeypointSequence seq;
  seq.source = source_name;
  seq.format = "mmpose";
  MmposeParser p{rd, &seq};
  if (root.is_array()) {
    p.list(root, "");
  } else {
    rd.object(root, "");
    if (!root.contains("instance_info")) {
      throw IoError(source_name, "instance_info", "missing field (expected MMPose predictions: {\"meta_info\", \"instance_info\"} or a list of instances)");
    }
    p.list(root["instance_info"], "instance_info");
    if (const auto it = root.find("meta_info"); it != root.end() && it->is_object()) {
      const Json& meta = *it;
      if (const auto d = meta.find("dataset_name"); d != meta.end() && d->is_string()) {
        seq.skeleton_name = skeleton_for_mmpose_dataset(d->get<std::string>());
        seq.skeleton_name_origin = "meta_info.dataset_name";
      }
      if (const auto names = meta.find("keypoint_id2name"); names != meta.end() && names->is_object() && !names->empty()) {
        std::vector<std::string> v(names->size());
        for (const auto& [k, n] : names->items()) {
          std::size_t idx = 0;
          try {
            idx = static_cast<std::size_t>(std::stoul(k));
          } catch (const std::exception&) {
            throw IoError(source_name, member_field("meta_info.keypoint_id2name", k), "expected an integer key");
          }
          if (idx >= v.size() || !n.is_string()) {
            throw IoError(source_name, member_field("meta_info.keypoint_id2name", k), "expected keys 0..N-1 with string names");
          }
          v[idx] = n.get<std::string>();
        }
        seq.joint_names = std::move(v);
      }
    }
  }
  if (seq.num_joints == 0) {
    // No instance at all: the joint count comes from the metadata, if any.
    seq.num_joints = static_cast<int>(seq.joint_names.size());
  }
  if (!seq.joint_names.empty() && static_cast<int>(seq.joint_names.size()) != seq.num_joints) {
    throw IoError(source_name, "meta_info.keypoint_id2name", "names " + std::to_string(seq.joint_names.size()) +
                                                                  " keypoints, the instances have " + std::to_string(seq.num_joints));
  }
  if (!seq.skeleton_name.empty() && !pose::canonical_skeleton_name(seq.skeleton_name).empty() && !seq.joint_names.empty()) {
    // The dataset fixes the order; MMPose's names ("left_shoulder") are not crossview's ("lsho" / "LShoulder").
    seq.notes.push_back("keypoint names of MMPose's " + seq.skeleton_name + " metadata not used: the built-in skeleton names them");
    seq.joint_names.clear();
  }
  return seq;
}

KeypointSequence read_mmpose_json(const std::string& path) { return parse_mmpose_json(detail::read_text_file(path, FileKind::kKeypoints), path); }

}  // namespace crossview::io
