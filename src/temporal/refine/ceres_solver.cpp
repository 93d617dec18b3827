// The Ceres solver of refine_sequence (the reference the structured solver is
// tested against): the same cost, as Ceres residual blocks. The only
// translation unit of the library that includes Ceres' solver headers.
#include "problem.hpp"

#include <ceres/ceres.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace crossview::temporal::detail {

namespace {

/// Reprojection of one detection through a fixed camera (pose and intrinsics
/// baked in): residual = weight (project(R X + t) - observed).
template <typename Model>
struct ReprojectionCost {
  double R[9];
  double t[3];
  double params[Model::kNumParams];
  double observed[2];
  double weight;

  template <typename T>
  bool operator()(const T* X, T* residual) const {
    T p[3];
    for (int i = 0; i < 3; ++i) {
      p[i] = T(R[3 * i]) * X[0] + T(R[3 * i + 1]) * X[1] + T(R[3 * i + 2]) * X[2] + T(t[i]);
    }
    if (!(p[2] > T(1e-9))) return false;  // behind the camera: the step is rejected
    T k[Model::kNumParams];
    for (int i = 0; i < Model::kNumParams; ++i) k[i] = T(params[i]);
    T px[2];
    camera::project_point<Model>(k, p, px);
    residual[0] = (px[0] - T(observed[0])) * T(weight);
    residual[1] = (px[1] - T(observed[1])) * T(weight);
    return true;
  }
};

template <typename Model>
ceres::CostFunction* make_reprojection(const camera::Camera& cam, const Eigen::Vector2d& observed, double weight) {
  auto* f = new ReprojectionCost<Model>;
  const Eigen::Matrix3d R = cam.cam_from_world.rotation_matrix();
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) f->R[3 * r + c] = R(r, c);
    f->t[r] = cam.cam_from_world.translation[r];
  }
  for (int i = 0; i < Model::kNumParams; ++i) f->params[i] = cam.params()[i];
  f->observed[0] = observed.x();
  f->observed[1] = observed.y();
  f->weight = weight;
  return new ceres::AutoDiffCostFunction<ReprojectionCost<Model>, 2, 3>(f);
}

/// w (X_a - 2 X_b + X_c): linear, constant Jacobians.
class AccelerationCost final : public ceres::SizedCostFunction<3, 3, 3, 3> {
 public:
  explicit AccelerationCost(double w) : w_(w) {}
  bool Evaluate(double const* const* x, double* residuals, double** jacobians) const override {
    for (int i = 0; i < 3; ++i) residuals[i] = w_ * (x[0][i] - 2.0 * x[1][i] + x[2][i]);
    if (jacobians != nullptr) {
      const double c[3] = {w_, -2.0 * w_, w_};
      for (int b = 0; b < 3; ++b) {
        if (jacobians[b] == nullptr) continue;
        std::fill(jacobians[b], jacobians[b] + 9, 0.0);
        for (int i = 0; i < 3; ++i) jacobians[b][4 * i] = c[b];
      }
    }
    return true;
  }

 private:
  double w_;
};

/// w (X_b - X_a).
class VelocityCost final : public ceres::SizedCostFunction<3, 3, 3> {
 public:
  explicit VelocityCost(double w) : w_(w) {}
  bool Evaluate(double const* const* x, double* residuals, double** jacobians) const override {
    for (int i = 0; i < 3; ++i) residuals[i] = w_ * (x[1][i] - x[0][i]);
    if (jacobians != nullptr) {
      const double c[2] = {-w_, w_};
      for (int b = 0; b < 2; ++b) {
        if (jacobians[b] == nullptr) continue;
        std::fill(jacobians[b], jacobians[b] + 9, 0.0);
        for (int i = 0; i < 3; ++i) jacobians[b][4 * i] = c[b];
      }
    }
    return true;
  }

 private:
  double w_;
};

/// w (|X_child - X_parent| - L).
class BoneCost final : public ceres::SizedCostFunction<1, 3, 3, 1> {
 public:
  explicit BoneCost(double w) : w_(w) {}
  bool Evaluate(double const* const* x, double* residuals, double** jacobians) const override {
    const Eigen::Map<const Eigen::Vector3d> parent(x[0]), child(x[1]);
    const Eigen::Vector3d d = child - parent;
    const double len = d.norm();
    if (!(len > 0.0)) return false;
    residuals[0] = w_ * (len - x[2][0]);
    if (jacobians != nullptr) {
      const Eigen::Vector3d u = d / len;
      if (jacobians[0] != nullptr) Eigen::Map<Eigen::Vector3d>{jacobians[0]} = -w_ * u;
      if (jacobians[1] != nullptr) Eigen::Map<Eigen::Vector3d>{jacobians[1]} = w_ * u;
      if (jacobians[2] != nullptr) jacobians[2][0] = -w_;
    }
    return true;
  }

 private:
  double w_;
};

}  // namespace

SolveSummary solve_ceres(RefineProblem* p, const RefineOptions& options) {
  // The problem owns nothing: the cost functions (shared by every block where
  // they carry no per-residual data) and the loss live here, declared before
  // it so that they outlive it.
  std::vector<std::unique_ptr<ceres::CostFunction>> costs;
  std::unique_ptr<ceres::LossFunction> loss;
  if (p->loss == RobustLoss::kHuber) loss = std::make_unique<ceres::HuberLoss>(p->loss_scale);
  if (p->loss == RobustLoss::kCauchy) loss = std::make_unique<ceres::CauchyLoss>(p->loss_scale);
  ceres::Problem::Options po;
  po.loss_function_ownership = ceres::DO_NOT_TAKE_OWNERSHIP;
  po.cost_function_ownership = ceres::DO_NOT_TAKE_OWNERSHIP;
  ceres::Problem problem(po);
  for (std::size_t i = 0; i < p->active.size(); ++i) {
    if (p->active[i]) problem.AddParameterBlock(p->X.col(static_cast<Eigen::Index>(i)).data(), 3);
  }
  for (const auto& ob : p->observations) {
    const camera::Camera& cam = (*p->cameras)[static_cast<std::size_t>(ob.view)];
    costs.emplace_back(camera::dispatch_model(
        cam.model(), [&](auto m) { return make_reprojection<decltype(m)>(cam, ob.pixel, ob.weight); }));
    problem.AddResidualBlock(costs.back().get(), loss.get(), p->X.col(ob.sample).data());
  }
  if (!p->smooth_terms.empty()) {
    if (p->smoothness_order == 2) {
      costs.push_back(std::make_unique<AccelerationCost>(p->smooth_weight));
    } else {
      costs.push_back(std::make_unique<VelocityCost>(p->smooth_weight));
    }
    ceres::CostFunction* smooth = costs.back().get();
    for (const auto& t : p->smooth_terms) {
      if (p->smoothness_order == 2) {
        problem.AddResidualBlock(smooth, nullptr, p->X.col(t[0]).data(), p->X.col(t[1]).data(), p->X.col(t[2]).data());
      } else {
        problem.AddResidualBlock(smooth, nullptr, p->X.col(t[0]).data(), p->X.col(t[1]).data());
      }
    }
  }
  std::vector<ceres::CostFunction*> bone_cost(p->lengths.size(), nullptr);
  for (std::size_t b = 0; b < p->lengths.size(); ++b) {
    costs.push_back(std::make_unique<BoneCost>(p->bone_weight[b]));
    bone_cost[b] = costs.back().get();
  }
  for (const auto& bt : p->bone_terms) {
    problem.AddResidualBlock(bone_cost[static_cast<std::size_t>(bt.bone)], nullptr, p->X.col(bt.parent).data(),
                             p->X.col(bt.child).data(), &p->lengths[static_cast<std::size_t>(bt.bone)]);
  }

  ceres::Solver::Options so;
  switch (options.solver) {
    case RefineSolver::kCeresSparseSchur: so.linear_solver_type = ceres::SPARSE_SCHUR; break;
    case RefineSolver::kCeresIterativeSchur:
      so.linear_solver_type = ceres::ITERATIVE_SCHUR;
      so.preconditioner_type = ceres::SCHUR_JACOBI;
      break;
    case RefineSolver::kCeresCgnr:
      so.linear_solver_type = ceres::CGNR;
      so.preconditioner_type = ceres::JACOBI;
      break;
    default: so.linear_solver_type = ceres::SPARSE_NORMAL_CHOLESKY; break;
  }
  so.max_num_iterations = options.max_iterations;
  so.function_tolerance = options.function_tolerance;
  so.num_threads = options.num_threads;
  so.logging_type = ceres::SILENT;
  so.minimizer_progress_to_stdout = false;
  ceres::Solver::Summary summary;
  ceres::Solve(so, &problem, &summary);
  SolveSummary s;
  s.iterations = static_cast<int>(summary.iterations.size()) - 1;
  s.initial_cost = summary.initial_cost;
  s.final_cost = summary.final_cost;
  s.usable = summary.IsSolutionUsable() && std::isfinite(summary.final_cost);
  s.converged = summary.termination_type == ceres::CONVERGENCE;
  s.message = std::string("Ceres: ") + summary.BriefReport();
  return s;
}

}  // namespace crossview::temporal::detail
