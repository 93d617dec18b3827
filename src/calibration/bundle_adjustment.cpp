// The Ceres bundle adjustment of crossview::calibration (the one translation
// unit of the library that includes Ceres).
#include "bundle_adjustment.hpp"

#include <ceres/ceres.h>
#include <ceres/rotation.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace crossview::calibration::detail {
namespace {

/// point_in_cam = R(angle_axis) point + translation; false when it is not in
/// front of the camera (the solver then rejects the step).
template <typename T>
bool point_in_camera(const T *angle_axis, const T *translation, const T *point, T *p) {
  ceres::AngleAxisRotatePoint(angle_axis, point, p);
  p[0] += translation[0];
  p[1] += translation[1];
  p[2] += translation[2];
  return p[2] > T(1e-9);
}

/// Pixel residual of one observation through the full camera model.
template <typename Model> struct ReprojectionCost {
  Eigen::Vector2d observed;
  template <typename T>
  bool operator()(const T *angle_axis, const T *translation, const T *params,
                  const T *point, T *residual) const {
    T p[3];
    if (!point_in_camera(angle_axis, translation, point, p)) return false;
    T px[2];
    camera::project_point<Model>(params, p, px);
    residual[0] = px[0] - T(observed.x());
    residual[1] = px[1] - T(observed.y());
    return true;
  }
};

/// The same with the intrinsics held fixed (baked into the functor): 9-wide
/// Jets instead of 18 (twice as fast; the usual case).
template <typename Model> struct FixedIntrinsicsCost {
  Eigen::Vector2d observed;
  double params[Model::kNumParams];
  template <typename T>
  bool operator()(const T *angle_axis, const T *translation, const T *point,
                  T *residual) const {
    T p[3];
    if (!point_in_camera(angle_axis, translation, point, p)) return false;
    T k[Model::kNumParams];
    for (int i = 0; i < Model::kNumParams; ++i)
      k[i] = T(params[i]);
    T px[2];
    camera::project_point<Model>(k, p, px);
    residual[0] = px[0] - T(observed.x());
    residual[1] = px[1] - T(observed.y());
    return true;
  }
};

/// (|child - parent| - L) / (sigma * L0).
struct BoneCost {
  double inv_scale;
  template <typename T>
  bool operator()(const T *parent, const T *child, const T *length,
                  T *residual) const {
    using std::sqrt;
    const T dx = child[0] - parent[0], dy = child[1] - parent[1],
            dz = child[2] - parent[2];
    const T d2 = dx * dx + dy * dy + dz * dz;
    if (!(d2 > T(0)))
      return false;
    residual[0] = (sqrt(d2) - length[0]) * T(inv_scale);
    return true;
  }
};

template <typename Model>
ceres::CostFunction *make_fixed_cost(const Eigen::Vector2d &observed,
                                     const Eigen::VectorXd &params) {
  auto *f = new FixedIntrinsicsCost<Model>{observed, {}};
  for (int i = 0; i < Model::kNumParams; ++i)
    f->params[i] = params[i];
  return new ceres::AutoDiffCostFunction<FixedIntrinsicsCost<Model>, 2, 3, 3,
                                         3>(f);
}

template <typename Model>
ceres::CostFunction *make_cost(const Eigen::Vector2d &observed) {
  return new ceres::AutoDiffCostFunction<ReprojectionCost<Model>, 2, 3, 3,
                                         Model::kNumParams, 3>(
      new ReprojectionCost<Model>{observed});
}

/// The first sparse linear algebra library this Ceres build has (NO_SPARSE when
/// none: Ceres can be built without any).
ceres::SparseLinearAlgebraLibraryType available_sparse_library() {
  for (const ceres::SparseLinearAlgebraLibraryType lib :
       {ceres::SUITE_SPARSE, ceres::EIGEN_SPARSE, ceres::CX_SPARSE, ceres::ACCELERATE_SPARSE}) {
    if (ceres::IsSparseLinearAlgebraLibraryTypeAvailable(lib)) return lib;
  }
  return ceres::NO_SPARSE;
}

/// The linear solver, so that an iteration costs O(observations + bones), i.e.
/// linear in frames:
///  - without bone terms the points are independent (each residual has one), so
///    the Schur complement eliminates them all and leaves the 6 x cameras reduced
///    camera system: DENSE_SCHUR up to 20 cameras, SPARSE_SCHUR above;
///  - bone terms couple a frame's points (parent-child), so the points are no
///    longer an independent set: the Schur complement can only eliminate about
///    half of them, and DENSE_SCHUR then factors a dense matrix over the rest
///    (3 x ~J/2 x frames unknowns: cubic in frames; 120 frames took 15 s instead of
///    0.3 s). SPARSE_NORMAL_CHOLESKY factors the whole sparse normal matrix with a
///    fill-reducing ordering instead: each frame's points are eliminated into the
///    small block of the cameras and the shared limb lengths.
/// Without a sparse library in the Ceres build, ITERATIVE_SCHUR with the
/// SCHUR_JACOBI preconditioner (also linear per iteration, inexact steps).
void choose_linear_solver(int num_cameras, int num_bones, ceres::Solver::Options *so) {
  const ceres::SparseLinearAlgebraLibraryType lib = available_sparse_library();
  if (lib != ceres::NO_SPARSE) so->sparse_linear_algebra_library_type = lib;
  if (num_bones == 0 && num_cameras <= 20) {
    so->linear_solver_type = ceres::DENSE_SCHUR;
  } else if (lib == ceres::NO_SPARSE) {
    so->linear_solver_type = ceres::ITERATIVE_SCHUR;
    so->preconditioner_type = ceres::SCHUR_JACOBI;
  } else {
    so->linear_solver_type = num_bones == 0 ? ceres::SPARSE_SCHUR : ceres::SPARSE_NORMAL_CHOLESKY;
  }
}

} // namespace

BaSummary bundle_adjust(std::vector<camera::Camera> *cameras,
                        std::vector<Eigen::Vector3d> *points,
                        const std::vector<BaObservation> &observations,
                        const std::vector<BaBone> &bones,
                        std::vector<double> *limb_lengths,
                        const BaSettings &settings) {
  BaSummary out;
  const int nc = static_cast<int>(cameras->size());
  std::vector<Eigen::Vector3d> aa(nc), t(nc);
  std::vector<Eigen::VectorXd> params(nc);
  for (int c = 0; c < nc; ++c) {
    aa[c] = (*cameras)[c].cam_from_world.angle_axis();
    t[c] = (*cameras)[c].cam_from_world.translation;
    params[c] = (*cameras)[c].params();
  }
  ceres::Problem::Options po;
  po.loss_function_ownership =
      ceres::DO_NOT_TAKE_OWNERSHIP; // one loss, shared, deleted below
  // Declared before the problem so that it outlives it.
  std::unique_ptr<ceres::LossFunction> loss_owner;
  if (settings.loss == BaSettings::Loss::kHuber) loss_owner.reset(new ceres::HuberLoss(settings.loss_scale_px));
  if (settings.loss == BaSettings::Loss::kCauchy) loss_owner.reset(new ceres::CauchyLoss(settings.loss_scale_px));
  ceres::LossFunction *loss = loss_owner.get();
  ceres::Problem problem(po);
  std::vector<char> camera_used(nc, 0);
  const bool refine_intrinsics =
      settings.refine_focal || settings.refine_distortion;
  int num_residuals = 0;
  for (const BaObservation &o : observations) {
    Eigen::Vector3d &X = (*points)[o.point];
    if (!X.allFinite())
      continue;
    const camera::Camera &cam = (*cameras)[o.camera];
    if (refine_intrinsics) {
      ceres::CostFunction *cost =
          camera::dispatch_model(cam.model(), [&](auto m) {
            return make_cost<decltype(m)>(o.pixel_px);
          });
      problem.AddResidualBlock(cost, loss, aa[o.camera].data(),
                               t[o.camera].data(), params[o.camera].data(),
                               X.data());
    } else {
      ceres::CostFunction *cost =
          camera::dispatch_model(cam.model(), [&](auto m) {
            return make_fixed_cost<decltype(m)>(o.pixel_px, params[o.camera]);
          });
      problem.AddResidualBlock(cost, loss, aa[o.camera].data(),
                               t[o.camera].data(), X.data());
    }
    camera_used[o.camera] = 1;
    ++num_residuals;
  }
  if (num_residuals == 0) {
    out.message = "bundle adjustment: no observation of a finite point";
    return out;
  }
  int num_bones = 0;
  for (const BaBone &b : bones) {
    Eigen::Vector3d &P = (*points)[b.parent_point];
    Eigen::Vector3d &C = (*points)[b.child_point];
    double &L = (*limb_lengths)[b.limb];
    if (!P.allFinite() || !C.allFinite() || !(L > 0.0))
      continue;
    if (!problem.HasParameterBlock(P.data()) ||
        !problem.HasParameterBlock(C.data()))
      continue;
    problem.AddResidualBlock(
        new ceres::AutoDiffCostFunction<BoneCost, 1, 3, 3, 1>(
            new BoneCost{1.0 / (settings.bone_sigma * L)}),
        nullptr, P.data(), C.data(), &L);
    ++num_bones;
  }
  for (int c = 0; c < nc; ++c) {
    if (!camera_used[c])
      continue;
    if (refine_intrinsics) {
      const int np = static_cast<int>(params[c].size());
      std::vector<int> constant;
      for (int i = 0; i < np; ++i) {
        const bool focal = i < 2 && settings.refine_focal;
        const bool dist =
            (i == 4 || i == 5) && settings.refine_distortion &&
            (*cameras)[c].model() != camera::CameraModel::kPinhole;
        if (!focal && !dist)
          constant.push_back(i);
      }
      if (static_cast<int>(constant.size()) == np) {
        problem.SetParameterBlockConstant(params[c].data());
      } else {
        problem.SetManifold(params[c].data(),
                            new ceres::SubsetManifold(np, constant));
      }
    }
    if (c == 0) {
      problem.SetParameterBlockConstant(aa[c].data());
      problem.SetParameterBlockConstant(t[c].data());
    } else if (c == settings.gauge_scale_camera && t[c].norm() > 0.0) {
      problem.SetManifold(t[c].data(), new ceres::SphereManifold<3>());
    }
  }
  ceres::Solver::Options so;
  choose_linear_solver(nc, num_bones, &so);
  so.max_num_iterations = settings.max_iterations;
  so.num_threads = 1;
  so.minimizer_progress_to_stdout = false;
  so.logging_type = ceres::SILENT;
  so.function_tolerance = settings.function_tolerance;
  so.parameter_tolerance = 1e-10;
  ceres::Solver::Summary summary;
  const std::clock_t cpu_start = std::clock();
  ceres::Solve(so, &problem, &summary);
  out.cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  out.linear_solver = ceres::LinearSolverTypeToString(summary.linear_solver_type_used);
  out.iterations = static_cast<int>(summary.iterations.size());
  out.initial_cost = summary.initial_cost;
  out.final_cost = summary.final_cost;
  out.ok = summary.IsSolutionUsable() && std::isfinite(summary.final_cost);
  out.message = summary.BriefReport();
  if (!out.ok)
    return out;
  for (int c = 0; c < nc; ++c) {
    if (!aa[c].allFinite() || !t[c].allFinite() || !params[c].allFinite()) {
      out.ok = false;
      out.message = "bundle adjustment produced a non-finite camera";
      return out;
    }
    const camera::Camera &old = (*cameras)[c];
    (*cameras)[c] = camera::Camera(
        old.model(), params[c], old.width(), old.height(),
        camera::Rigid3d::from_angle_axis(aa[c], t[c]), old.name());
  }
  return out;
}

} // namespace crossview::calibration::detail
