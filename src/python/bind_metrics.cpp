// crossview Python bindings: pose metrics (batched, numpy (F, J, 3) or (J, 3))
// and the Pose Structure Score.
#include "common.hpp"

#include <crossview/metrics/pose_metrics.hpp>
#include <crossview/metrics/pss.hpp>

#include <cstring>

namespace crossview::python {

namespace {

using namespace crossview::metrics;

// Two batches (F, J, D) or one pose each (J, D), same shape; J from the shape.
struct Batch {
  PointsArg predicted, ground_truth;
  int num_joints = 0;
  JointMask visible;
};

Batch batch_args(const py::object& predicted, const py::object& ground_truth, const py::object& visible, int dim,
                 const char* fn) {
  const char* shape = dim == 3 ? "(F, J, 3) or (J, 3)" : "(F, J, 2) or (J, 2)";
  Batch b{points_arg(predicted, dim, (std::string(fn) + ": predicted").c_str(), shape, 2, 3),
          points_arg(ground_truth, dim, (std::string(fn) + ": ground_truth").c_str(), shape, 2, 3), 0, {}};
  if (b.predicted.shape != b.ground_truth.shape) {
    throw py::value_error(std::string(fn) + ": predicted and ground_truth must have the same shape, got " +
                          shape_string(b.predicted.shape) + " and " + shape_string(b.ground_truth.shape));
  }
  b.num_joints = static_cast<int>(b.predicted.ndim() == 3 ? b.predicted.dim(1) : b.predicted.dim(0));
  b.visible = mask_arg(visible, (std::string(fn) + ": visible").c_str(), b.predicted.cols);
  return b;
}

template <class R, class Fn>
R run(const Batch& b, Fn&& fn) {
  py::gil_scoped_release release;
  return fn(b.predicted.map(), b.ground_truth.map(), b.num_joints, b.visible);
}


}  // namespace

void init_metrics(py::module_& m) {
  py::enum_<Status> st(m, "Status", "Outcome of a batched metric.");
  st.value("SUCCESS", Status::kSuccess).value("NO_VALID_JOINTS", Status::kNoValidJoints).value("OVERFLOW", Status::kOverflow)
      .value("DEGENERATE_REFERENCE", Status::kDegenerateReference);
  add_enum_message<Status>(st);
  py::enum_<JointState> js(m, "JointState", "What happened to one (frame, joint) entry (arrays hold the values).");
  js.value("EVALUATED", JointState::kEvaluated)
      .value("MISSING_GROUND_TRUTH", JointState::kMissingGroundTruth)
      .value("MISSING_PREDICTION", JointState::kMissingPrediction)
      .value("NOT_ALIGNED", JointState::kNotAligned)
      .value("DEGENERATE_REFERENCE", JointState::kDegenerateReference);
  add_enum_message<JointState>(js);
  py::enum_<Alignment> al(m, "Alignment", "Alignment of each predicted pose before measuring.");
  al.value("NONE", Alignment::kNone)
      .value("ROOT", Alignment::kRoot)
      .value("SCALE", Alignment::kScale)
      .value("PROCRUSTES", Alignment::kProcrustes);
  add_enum_message<Alignment>(al);

  py::class_<JointCounts>(m, "JointCounts", "Entries per JointState.")
      .def_readonly("evaluated", &JointCounts::evaluated)
      .def_readonly("missing_ground_truth", &JointCounts::missing_ground_truth)
      .def_readonly("missing_prediction", &JointCounts::missing_prediction)
      .def_readonly("not_aligned", &JointCounts::not_aligned)
      .def_readonly("degenerate_reference", &JointCounts::degenerate_reference);

  py::class_<ErrorSummary>(m, "ErrorSummary", "Mean-error metrics (MPJPE family).")
      .def_readonly("status", &ErrorSummary::status)
      .def_readonly("message", &ErrorSummary::message)
      .def_readonly("mean", &ErrorSummary::mean, "Mean error in the input unit (0 unless SUCCESS).")
      .def_property_readonly("per_joint", [](const ErrorSummary& s) { return vector_to_numpy(s.per_joint); }, "(J,)")
      .def_property_readonly("per_joint_count", [](const ErrorSummary& s) { return ivector_to_numpy(s.per_joint_count); })
      .def_property_readonly("per_frame", [](const ErrorSummary& s) { return vector_to_numpy(s.per_frame); }, "(F,)")
      .def_property_readonly("per_frame_count", [](const ErrorSummary& s) { return ivector_to_numpy(s.per_frame_count); })
      .def_readonly("counts", &ErrorSummary::counts)
      .def_property_readonly("ok", &ErrorSummary::ok);

  py::class_<RateSummary>(m, "RateSummary", "Rate metrics (PCK, JDR, PCP).")
      .def_readonly("status", &RateSummary::status)
      .def_readonly("message", &RateSummary::message)
      .def_readonly("rate", &RateSummary::rate)
      .def_readonly("num_correct", &RateSummary::num_correct)
      .def_readonly("num_scored", &RateSummary::num_scored)
      .def_property_readonly("per_item", [](const RateSummary& s) { return vector_to_numpy(s.per_item); })
      .def_property_readonly("per_item_count", [](const RateSummary& s) { return ivector_to_numpy(s.per_item_count); })
      .def_property_readonly("per_frame", [](const RateSummary& s) { return vector_to_numpy(s.per_frame); })
      .def_property_readonly("per_frame_count", [](const RateSummary& s) { return ivector_to_numpy(s.per_frame_count); })
      .def_readonly("counts", &RateSummary::counts)
      .def_property_readonly("ok", &RateSummary::ok);

  py::class_<AucResult>(m, "AucResult", "Area under the PCK curve.")
      .def_readonly("status", &AucResult::status)
      .def_readonly("message", &AucResult::message)
      .def_readonly("auc", &AucResult::auc)
      .def_property_readonly("thresholds", [](const AucResult& s) { return vector_to_numpy(s.thresholds); })
      .def_property_readonly("pck", [](const AucResult& s) { return vector_to_numpy(s.pck); })
      .def_readonly("counts", &AucResult::counts)
      .def_property_readonly("ok", &AucResult::ok);

  py::class_<JointErrors>(m, "JointErrors", "Per-entry errors of a batch (entry f*J + j).")
      .def_readonly("num_frames", &JointErrors::num_frames)
      .def_readonly("num_joints", &JointErrors::num_joints)
      .def_property_readonly(
          "error", [](const JointErrors& e) { return to_numpy_shaped(e.error.data(), {e.num_frames, e.num_joints}); },
          "(F, J) distances, NaN where not evaluated.")
      .def_property_readonly(
          "state",
          [](const JointErrors& e) {
            py::array_t<std::uint8_t> out({e.num_frames, e.num_joints});
            for (Eigen::Index i = 0; i < e.state.size(); ++i) out.mutable_data()[i] = static_cast<std::uint8_t>(e.state[i]);
            return out;
          },
          "(F, J) uint8 JointState values.")
      .def_readonly("counts", &JointErrors::counts);

  py::class_<ErrorOptions> eo(m, "ErrorOptions", "MPJPE options: alignment (default ROOT) and root_joint (0), C++ defaults.");
  add_options_init(eo, "ErrorOptions");
  eo.def_readwrite("alignment", &ErrorOptions::alignment).def_readwrite("root_joint", &ErrorOptions::root_joint);
  py::class_<PckOptions> po(m, "PckOptions", "PCK options: threshold (150, pose unit), alignment (ROOT), root_joint (0).");
  add_options_init(po, "PckOptions");
  po.def_readwrite("threshold", &PckOptions::threshold)
      .def_readwrite("alignment", &PckOptions::alignment)
      .def_readwrite("root_joint", &PckOptions::root_joint);
  py::class_<AucOptions> ao(m, "AucOptions", "AUC options: max_threshold (150), num_thresholds (31), alignment, root_joint.");
  add_options_init(ao, "AucOptions");
  ao.def_readwrite("max_threshold", &AucOptions::max_threshold)
      .def_readwrite("num_thresholds", &AucOptions::num_thresholds)
      .def_readwrite("alignment", &AucOptions::alignment)
      .def_readwrite("root_joint", &AucOptions::root_joint);
  py::class_<JdrOptions> jo(m, "JdrOptions", "JDR options: head_segment (joint pair), fraction (0.5), fixed_head_size_px (0 = use the segment).");
  add_options_init(jo, "JdrOptions");
  jo.def_readwrite("head_segment", &JdrOptions::head_segment)
      .def_readwrite("fraction", &JdrOptions::fraction)
      .def_readwrite("fixed_head_size_px", &JdrOptions::fixed_head_size_px);
  py::class_<PcpOptions> pco(m, "PcpOptions", "PCP options: parts (joint pairs, default the 10 H36M parts), alpha (0.5).");
  add_options_init(pco, "PcpOptions");
  pco.def_readwrite("parts", &PcpOptions::parts).def_readwrite("alpha", &PcpOptions::alpha);

  m.attr("H36M_PCP_PARTS") = py::cast(h36m::pcp_parts());
  m.attr("H36M_LIMBS") = py::cast(h36m::limbs());

  const char* batch_doc =
      "predicted, ground_truth: (F, J, 3) batches (or one pose (J, 3)), frame f with frame f; visible:\n"
      "optional (F, J) bool mask of annotated ground truth. A NaN row is a missing joint. Options as an\n"
      "options object and/or keyword arguments. GIL released.";
  m.def(
      "joint_errors",
      [](const py::object& p, const py::object& g, const py::object& visible, const py::object& options,
         const py::kwargs& kw) {
        const Batch b = batch_args(p, g, visible, 3, "joint_errors");
        const auto o = make_options<ErrorOptions>(options, kw, "ErrorOptions");
        return run<JointErrors>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return joint_errors(a, c, J, o, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("visible") = py::none(), py::arg("options") = py::none(),
      (std::string("Per-entry errors after options.alignment (ErrorOptions).\n") + batch_doc).c_str());
  m.def(
      "mpjpe",
      [](const py::object& p, const py::object& g, const py::object& visible, const py::object& options,
         const py::kwargs& kw) {
        const Batch b = batch_args(p, g, visible, 3, "mpjpe");
        const auto o = make_options<ErrorOptions>(options, kw, "ErrorOptions");
        return run<ErrorSummary>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return mpjpe(a, c, J, o, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("visible") = py::none(), py::arg("options") = py::none(),
      (std::string("MPJPE (root-aligned by default; ErrorOptions: alignment, root_joint).\n") + batch_doc).c_str());
  m.def(
      "pa_mpjpe",
      [](const py::object& p, const py::object& g, const py::object& visible) {
        const Batch b = batch_args(p, g, visible, 3, "pa_mpjpe");
        return run<ErrorSummary>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return pa_mpjpe(a, c, J, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("visible") = py::none(),
      (std::string("PA-MPJPE (per-frame similarity Procrustes, Umeyama).\n") + batch_doc).c_str());
  m.def(
      "n_mpjpe",
      [](const py::object& p, const py::object& g, int root_joint, const py::object& visible) {
        const Batch b = batch_args(p, g, visible, 3, "n_mpjpe");
        return run<ErrorSummary>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return n_mpjpe(a, c, J, root_joint, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("root_joint") = 0, py::arg("visible") = py::none(),
      (std::string("N-MPJPE (root-centred, prediction scaled by <p, q> / <p, p>).\n") + batch_doc).c_str());
  m.def(
      "pck_3d",
      [](const py::object& p, const py::object& g, const py::object& visible, const py::object& options,
         const py::kwargs& kw) {
        const Batch b = batch_args(p, g, visible, 3, "pck_3d");
        const auto o = make_options<PckOptions>(options, kw, "PckOptions");
        return run<RateSummary>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return pck_3d(a, c, J, o, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("visible") = py::none(), py::arg("options") = py::none(),
      (std::string("3D PCK: fraction of joints with error < threshold (PckOptions).\n") + batch_doc).c_str());
  m.def(
      "n_pck",
      [](const py::object& p, const py::object& g, const py::object& visible, const py::object& options,
         const py::kwargs& kw) {
        const Batch b = batch_args(p, g, visible, 3, "n_pck");
        const auto o = make_options<PckOptions>(options, kw, "PckOptions");
        return run<RateSummary>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return n_pck(a, c, J, o, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("visible") = py::none(), py::arg("options") = py::none(),
      (std::string("3D PCK after the N-MPJPE scale alignment.\n") + batch_doc).c_str());
  m.def(
      "auc_3d",
      [](const py::object& p, const py::object& g, const py::object& visible, const py::object& options,
         const py::kwargs& kw) {
        const Batch b = batch_args(p, g, visible, 3, "auc_3d");
        const auto o = make_options<AucOptions>(options, kw, "AucOptions");
        return run<AucResult>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return auc_3d(a, c, J, o, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("visible") = py::none(), py::arg("options") = py::none(),
      (std::string("AUC: mean 3D PCK over linspace(0, max_threshold, num_thresholds).\n") + batch_doc).c_str());
  m.def(
      "pck_2d",
      [](const py::object& p, const py::object& g, double threshold_px, const py::object& visible) {
        const Batch b = batch_args(p, g, visible, 2, "pck_2d");
        return run<RateSummary>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return pck_2d(a, c, J, threshold_px, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("threshold_px"), py::arg("visible") = py::none(),
      "2D PCK over (F, J, 2) batches: fraction of joints with pixel error < threshold_px.");
  m.def(
      "jdr",
      [](const py::object& p, const py::object& g, const py::object& visible, const py::object& options,
         const py::kwargs& kw) {
        const Batch b = batch_args(p, g, visible, 2, "jdr");
        const auto o = make_options<JdrOptions>(options, kw, "JdrOptions");
        return run<RateSummary>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return jdr(a, c, J, o, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("visible") = py::none(), py::arg("options") = py::none(),
      "JDR over (F, J, 2) batches: fraction of joints with error < fraction * head size (JdrOptions).");
  m.def(
      "pcp",
      [](const py::object& p, const py::object& g, const py::object& visible, const py::object& options,
         const py::kwargs& kw) {
        const Batch b = batch_args(p, g, visible, 3, "pcp");
        const auto o = make_options<PcpOptions>(options, kw, "PcpOptions");
        return run<RateSummary>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return pcp(a, c, J, o, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("visible") = py::none(), py::arg("options") = py::none(),
      (std::string("PCP over 3D poses (PcpOptions: parts, alpha).\n") + batch_doc).c_str());
  m.def(
      "pcp_2d",
      [](const py::object& p, const py::object& g, const py::object& visible, const py::object& options,
         const py::kwargs& kw) {
        const Batch b = batch_args(p, g, visible, 2, "pcp_2d");
        const auto o = make_options<PcpOptions>(options, kw, "PcpOptions");
        return run<RateSummary>(b, [&](const auto& a, const auto& c, int J, const JointMask& v) {
          return pcp_2d(a, c, J, o, v);
        });
      },
      py::arg("predicted"), py::arg("ground_truth"), py::arg("visible") = py::none(), py::arg("options") = py::none(),
      "PCP over 2D poses (F, J, 2).");

  // ---------------------------------------------------------------- PSS
  py::module_ p = m.def_submodule("pss", "Pose Structure Score (Kocabas et al., CVPR 2019).");
  py::enum_<pss::Centering> ce(p, "Centering");
  ce.value("ROOT", pss::Centering::kRoot).value("CENTROID", pss::Centering::kCentroid);
  add_enum_message<pss::Centering>(ce);
  py::enum_<pss::Scaling> sc(p, "Scaling");
  sc.value("FROBENIUS", pss::Scaling::kFrobenius).value("NONE", pss::Scaling::kNone);
  add_enum_message<pss::Scaling>(sc);
  py::class_<pss::NormalizationOptions> no(p, "NormalizationOptions", "PSS pose normalization: centering (ROOT), root_joint (0), scaling (FROBENIUS).");
  add_options_init(no, "NormalizationOptions");
  no.def_readwrite("centering", &pss::NormalizationOptions::centering)
      .def_readwrite("root_joint", &pss::NormalizationOptions::root_joint)
      .def_readwrite("scaling", &pss::NormalizationOptions::scaling);
  py::class_<KMeansOptions> ko(p, "KMeansOptions", "k-means options: num_restarts (1), max_iterations (300), seed (0), canonical_order, num_local_trials, tolerance.");
  add_options_init(ko, "KMeansOptions");
  ko.def_readwrite("num_restarts", &KMeansOptions::num_restarts)
      .def_readwrite("max_iterations", &KMeansOptions::max_iterations)
      .def_readwrite("seed", &KMeansOptions::seed)
      .def_readwrite("canonical_order", &KMeansOptions::canonical_order)
      .def_readwrite("num_local_trials", &KMeansOptions::num_local_trials)
      .def_readwrite("tolerance", &KMeansOptions::tolerance);
  py::class_<pss::FitOptions> fo(p, "FitOptions", "pss.fit options: normalization + kmeans.");
  add_options_init(fo, "FitOptions");
  fo.def_readwrite("normalization", &pss::FitOptions::normalization).def_readwrite("kmeans", &pss::FitOptions::kmeans);

  py::class_<pss::Model>(p, "Model", "k centres of normalized poses (save / load with crossview.io).")
      .def_readonly("num_joints", &pss::Model::num_joints)
      .def_readonly("normalization", &pss::Model::normalization)
      .def_property_readonly(
          "centres",
          [](const pss::Model& md) {
            return to_numpy_shaped(md.centres.data(), {md.centres.rows(), md.centres.cols()});
          },
          "(k, 3J) normalized centres, joint-major rows [x0, y0, z0, x1, ...].")
      .def(
          "centre", [](const pss::Model& md, int i) {
            if (i < 0 || i >= md.k()) throw py::index_error("pss.Model.centre: index out of range");
            return points_to_numpy(md.centre(i));
          },
          py::arg("i"), "Centre i as a (J, 3) pose.")
      .def_property_readonly("cluster_sizes", [](const pss::Model& md) { return ivector_to_numpy(md.cluster_sizes); })
      .def_readonly("inertia", &pss::Model::inertia)
      .def_readonly("iterations", &pss::Model::iterations)
      .def_readonly("converged", &pss::Model::converged)
      .def_readonly("seed", &pss::Model::seed)
      .def_property_readonly("k", &pss::Model::k);
  py::class_<pss::ScoreResult>(p, "ScoreResult", "PSS@k of a batch.")
      .def_readonly("pss", &pss::ScoreResult::pss)
      .def_property_readonly("per_frame", [](const pss::ScoreResult& s) { return ivector_to_numpy(s.per_frame); })
      .def_property_readonly("predicted_cluster", [](const pss::ScoreResult& s) { return ivector_to_numpy(s.predicted_cluster); })
      .def_property_readonly("ground_truth_cluster",
                             [](const pss::ScoreResult& s) { return ivector_to_numpy(s.ground_truth_cluster); })
      .def_readonly("num_frames", &pss::ScoreResult::num_frames);

  p.def(
      "normalize",
      [](const py::object& pose, const py::object& options, const py::kwargs& kw) {
        const PointsArg a = points_arg(pose, 3, "pss.normalize: pose", "(J, 3)");
        const auto o = make_options<pss::NormalizationOptions>(options, kw, "NormalizationOptions");
        Eigen::RowVectorXd r = pss::normalize(a.map(), o);
        return to_numpy_shaped(r.data(), {r.size()});
      },
      py::arg("pose"), py::arg("options") = py::none(), "Normalized flattened pose (3J,) of a (J, 3) pose.");
  p.def(
      "fit",
      [](const py::object& poses, int k, const py::object& options, const py::kwargs& kw) {
        const PointsArg a = points_arg(poses, 3, "pss.fit: ground_truth_poses", "(F, J, 3)", 3, 3);
        const auto o = make_options<pss::FitOptions>(options, kw, "FitOptions");
        const int J = static_cast<int>(a.dim(1));
        py::gil_scoped_release release;
        return pss::fit(a.map(), J, k, o);
      },
      py::arg("ground_truth_poses"), py::arg("k"), py::arg("options") = py::none(),
      "Fits a PSS model: k-means (k clusters) of the normalized poses (F, J, 3). GIL released.");
  p.def(
      "nearest_centre",
      [](const pss::Model& md, const py::object& pose) {
        const PointsArg a = points_arg(pose, 3, "pss.nearest_centre: pose", "(J, 3)");
        return pss::nearest_centre(md, a.map());
      },
      py::arg("model"), py::arg("pose"), "Index of the centre nearest to the normalized pose (J, 3).");
  p.def(
      "score",
      [](const pss::Model& md, const py::object& predicted, const py::object& ground_truth) {
        const PointsArg a = points_arg(predicted, 3, "pss.score: predicted", "(F, J, 3)", 2, 3);
        const PointsArg b = points_arg(ground_truth, 3, "pss.score: ground_truth", "(F, J, 3)", 2, 3);
        py::gil_scoped_release release;
        return pss::score(md, a.map(), b.map());
      },
      py::arg("model"), py::arg("predicted"), py::arg("ground_truth"),
      "PSS@k of predictions against ground truth, both (F, J, 3). GIL released.");
}

}  // namespace crossview::python
