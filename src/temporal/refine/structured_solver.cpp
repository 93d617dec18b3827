// The structured solver of refine_sequence: Levenberg-Marquardt whose steps
// are solved by conjugate gradients preconditioned with one exact block-banded
// factorisation per joint trajectory.
//
// Why not a sparse direct factorisation (Ceres' SPARSE_NORMAL_CHOLESKY or a
// Schur elimination): the unknowns form a grid, joints x frames, coupled along
// frames by the smoothness and across joints by the bones. Every elimination
// order fills in a separator of all the joints of one or two frames
// (3 J order unknowns), so a factorisation costs O(F (3 J order)^3), ~1e8-1e9
// flops for 300 frames of 25 joints: ~110 ms per iteration measured with Ceres
// (bench_temporal_refine). Here the matrix is never formed: a product with it
// costs O(F J), and the preconditioner solves every joint's trajectory
// (reprojection + smoothness + the diagonal part of the bones: 3x3 blocks with
// two off-diagonal block bands) exactly in O(F) per joint; only the coupling
// of joints by the bones is left to the conjugate gradients (~10-20
// iterations per step on the test data). Everything is linear in frames.
//
// Internally the unknowns are ordered joint-major (q = j F + f) so that a
// trajectory is contiguous in memory.
//
// Robust loss: iteratively reweighted Gauss-Newton (the weight of an
// observation is rho'(s) at the current point: a majoriser of the concave
// Cauchy / Huber loss, so a step that lowers the model lowers the cost), the
// usual LM gain-ratio step control (Nielsen's update of the damping),
// Marquardt (diagonal) damping. Inexact steps: conjugate gradients stop at a
// relative residual of kCgTolerance.
#include "problem.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace crossview::temporal::detail {

namespace {

using Mat3 = Eigen::Matrix3d;
using Vec3 = Eigen::Vector3d;

constexpr int kMaxCg = 200;
constexpr double kCgTolerance = 1e-2;

Mat3 lower_cholesky(const Mat3& A) {
  Mat3 L = Mat3::Zero();
  for (int j = 0; j < 3; ++j) {
    double d = A(j, j);
    for (int k = 0; k < j; ++k) d -= L(j, k) * L(j, k);
    L(j, j) = std::sqrt(std::max(d, 1e-300));
    for (int i = j + 1; i < 3; ++i) {
      double v = A(i, j);
      for (int k = 0; k < j; ++k) v -= L(i, k) * L(j, k);
      L(i, j) = v / L(j, j);
    }
  }
  return L;
}

Mat3 lower_inverse(const Mat3& L) {
  Mat3 X = Mat3::Zero();
  for (int c = 0; c < 3; ++c) {
    for (int i = c; i < 3; ++i) {
      double v = i == c ? 1.0 : 0.0;
      for (int k = c; k < i; ++k) v -= L(i, k) * X(k, c);
      X(i, c) = v / L(i, i);
    }
  }
  return X;
}

class Solver {
 public:
  Solver(RefineProblem* p, const RefineOptions& o) : p_(*p), o_(o) {
    J_ = p_.num_joints;
    F_ = p_.num_frames;
    N_ = J_ * F_;
    B_ = static_cast<int>(p_.lengths.size());
    active_.assign(static_cast<std::size_t>(N_), 0);
    for (int i = 0; i < N_; ++i) active_[static_cast<std::size_t>(q_of(i))] = p_.active[static_cast<std::size_t>(i)];
    diag_.assign(static_cast<std::size_t>(N_), Mat3::Zero());
    t0_.assign(static_cast<std::size_t>(N_), 0.0);
    t1_.assign(static_cast<std::size_t>(N_), 0.0);
    t2_.assign(static_cast<std::size_t>(N_), 0.0);
    // The smoothness part of the Hessian is constant: a diagonal and the
    // couplings to the next frame (t1) and the one after (t2), times I.
    const double w2 = p_.smooth_weight * p_.smooth_weight;
    for (const auto& t : p_.smooth_terms) {
      const std::size_t a = static_cast<std::size_t>(q_of(t[0])), b = static_cast<std::size_t>(q_of(t[1]));
      if (p_.smoothness_order == 2) {
        const std::size_t c = static_cast<std::size_t>(q_of(t[2]));
        t0_[a] += w2;
        t0_[b] += 4.0 * w2;
        t0_[c] += w2;
        t1_[a] += -2.0 * w2;
        t1_[b] += -2.0 * w2;
        t2_[a] += w2;
      } else {
        t0_[a] += w2;
        t0_[b] += w2;
        t1_[a] += -w2;
      }
    }
    for (const auto& bt : p_.bone_terms) bones_.push_back({q_of(bt.parent), q_of(bt.child), bt.bone});
    const std::size_t nb = bones_.size();
    bone_block_.resize(nb);
    bone_pl_.resize(nb);
    bone_cl_.resize(nb);
    Lkk_inv_.resize(static_cast<std::size_t>(N_));
    Lk1_.resize(static_cast<std::size_t>(N_));
    Lk2_.resize(static_cast<std::size_t>(N_));
  }

  SolveSummary run() {
    SolveSummary s;
    double cost;
    if (!p_.cost(&cost)) {
      s.message = "the start does not project into every observing camera";
      return s;
    }
    s.initial_cost = cost;
    double mu = 1e-4;  // Marquardt damping (Ceres' default start: trust radius 1e4)
    double nu = 2.0;
    const int n = 3 * N_ + B_;
    Eigen::VectorXd step(n);
    Eigen::Matrix3Xd x_backup;
    std::vector<double> len_backup;
    bool converged = false;
    int it = 0;
    for (; it < o_.max_iterations && !converged; ++it) {
      linearise();
      if (g_.lpNorm<Eigen::Infinity>() <= 1e-12 * std::max(1.0, cost)) {  // stationary
        converged = true;
        break;
      }
      bool accepted = false;
      while (!accepted) {
        factor(mu);
        s.linear_iterations += pcg(mu, &step);
        // Decrease predicted by the reweighted quadratic model (undamped).
        apply(step, 0.0, &q_);
        const double predicted = -g_.dot(step) - 0.5 * step.dot(q_);
        x_backup = p_.X;
        len_backup = p_.lengths;
        add_step(step);
        double new_cost;
        const bool ok = p_.cost(&new_cost);
        const double rho = ok && predicted > 0.0 ? (cost - new_cost) / predicted : -1.0;
        if (ok && new_cost < cost && rho > 1e-3) {
          const double relative = (cost - new_cost) / cost;
          cost = new_cost;
          mu *= std::max(1.0 / 3.0, 1.0 - std::pow(2.0 * rho - 1.0, 3));
          nu = 2.0;
          accepted = true;
          if (relative < o_.function_tolerance) converged = true;
        } else {
          p_.X = x_backup;
          p_.lengths = len_backup;
          mu *= nu;
          nu *= 2.0;
          if (mu > 1e16) {  // no decrease possible: at a minimum up to rounding
            converged = true;
            break;
          }
        }
      }
    }
    s.iterations = it;
    s.final_cost = cost;
    s.converged = converged;
    s.usable = std::isfinite(cost) && cost <= s.initial_cost;
    s.message = "structured LM: " + std::to_string(it) + " iterations, " + std::to_string(s.linear_iterations) +
                " CG iterations";
    return s;
  }

 private:
  struct Bone {
    int parent, child, bone;  // q indices
  };

  int q_of(int sample) const { return (sample % J_) * F_ + sample / J_; }
  int sample_of(int q) const { return (q % F_) * J_ + q / F_; }

  void add_step(const Eigen::VectorXd& step) {
    for (int q = 0; q < N_; ++q) {
      if (active_[static_cast<std::size_t>(q)]) p_.X.col(sample_of(q)) += step.segment<3>(3 * q);
    }
    for (int b = 0; b < B_; ++b) {
      if (std::isfinite(p_.lengths[static_cast<std::size_t>(b)])) p_.lengths[static_cast<std::size_t>(b)] += step[3 * N_ + b];
    }
  }

  /// Gauss-Newton blocks and gradient at the current point (IRLS weights).
  void linearise() {
    std::fill(diag_.begin(), diag_.end(), Mat3::Zero());
    g_.setZero(3 * N_ + B_);
    ll_.assign(static_cast<std::size_t>(B_), 0.0);
    const auto& cams = *p_.cameras;
    for (const auto& ob : p_.observations) {
      Eigen::Vector2d px;
      Eigen::Matrix<double, 2, 3> Jp;
      if (cams[static_cast<std::size_t>(ob.view)].project(p_.X.col(ob.sample), &px, &Jp) !=
          camera::ProjectionStatus::kSuccess) {
        continue;
      }
      const int q = q_of(ob.sample);
      const Eigen::Vector2d r = ob.weight * (px - ob.pixel);
      const Eigen::Matrix<double, 2, 3> Jw = ob.weight * Jp;
      const double w = p_.rho_prime(r.squaredNorm());
      diag_[static_cast<std::size_t>(q)].noalias() += w * Jw.transpose() * Jw;
      g_.segment<3>(3 * q).noalias() += w * Jw.transpose() * r;
    }
    const double ws = p_.smooth_weight;
    for (const auto& t : p_.smooth_terms) {
      if (p_.smoothness_order == 2) {
        const Vec3 r = ws * (p_.X.col(t[0]) - 2.0 * p_.X.col(t[1]) + p_.X.col(t[2]));
        g_.segment<3>(3 * q_of(t[0])) += ws * r;
        g_.segment<3>(3 * q_of(t[1])) += -2.0 * ws * r;
        g_.segment<3>(3 * q_of(t[2])) += ws * r;
      } else {
        const Vec3 r = ws * (p_.X.col(t[1]) - p_.X.col(t[0]));
        g_.segment<3>(3 * q_of(t[0])) += -ws * r;
        g_.segment<3>(3 * q_of(t[1])) += ws * r;
      }
    }
    for (std::size_t k = 0; k < bones_.size(); ++k) {
      const Bone& bt = bones_[k];
      const double w = p_.bone_weight[static_cast<std::size_t>(bt.bone)];
      const Vec3 d = p_.X.col(sample_of(bt.child)) - p_.X.col(sample_of(bt.parent));
      const double len = d.norm();
      if (!(len > 0.0)) {
        bone_block_[k].setZero();
        bone_pl_[k].setZero();
        bone_cl_[k].setZero();
        continue;
      }
      const Vec3 u = d / len;
      const double r = w * (len - p_.lengths[static_cast<std::size_t>(bt.bone)]);
      const Mat3 uu = (w * w) * (u * u.transpose());
      diag_[static_cast<std::size_t>(bt.parent)] += uu;
      diag_[static_cast<std::size_t>(bt.child)] += uu;
      bone_block_[k] = -uu;
      bone_pl_[k] = (w * w) * u;
      bone_cl_[k] = -(w * w) * u;
      ll_[static_cast<std::size_t>(bt.bone)] += w * w;
      g_.segment<3>(3 * bt.parent) += -w * r * u;
      g_.segment<3>(3 * bt.child) += w * r * u;
      g_[3 * N_ + bt.bone] += -w * r;
    }
  }

  /// y = (H + mu diag(H)) x.
  void apply(const Eigen::VectorXd& x, double mu, Eigen::VectorXd* y) const {
    y->resize(x.size());
    const double* xd = x.data();
    double* yd = y->data();
    for (int q = 0; q < N_; ++q) {
      const std::size_t u = static_cast<std::size_t>(q);
      if (!active_[u]) {
        yd[3 * q] = yd[3 * q + 1] = yd[3 * q + 2] = 0.0;
        continue;
      }
      const Mat3& D = diag_[u];
      const Vec3 xq(xd[3 * q], xd[3 * q + 1], xd[3 * q + 2]);
      Vec3 v = D * xq + t0_[u] * xq;
      if (mu > 0.0) v += mu * (D.diagonal() + Vec3::Constant(t0_[u])).cwiseProduct(xq);
      // Smoothness couplings (zero across joints: no term spans two).
      double c = 0.0;
      Vec3 acc = Vec3::Zero();
      if (q + 1 < N_ && (c = t1_[u]) != 0.0) acc += c * Vec3(xd[3 * q + 3], xd[3 * q + 4], xd[3 * q + 5]);
      if (q >= 1 && (c = t1_[u - 1]) != 0.0) acc += c * Vec3(xd[3 * q - 3], xd[3 * q - 2], xd[3 * q - 1]);
      if (q + 2 < N_ && (c = t2_[u]) != 0.0) acc += c * Vec3(xd[3 * q + 6], xd[3 * q + 7], xd[3 * q + 8]);
      if (q >= 2 && (c = t2_[u - 2]) != 0.0) acc += c * Vec3(xd[3 * q - 6], xd[3 * q - 5], xd[3 * q - 4]);
      v += acc;
      yd[3 * q] = v[0];
      yd[3 * q + 1] = v[1];
      yd[3 * q + 2] = v[2];
    }
    for (int b = 0; b < B_; ++b) yd[3 * N_ + b] = ll_[static_cast<std::size_t>(b)] * (1.0 + mu) * xd[3 * N_ + b];
    for (std::size_t k = 0; k < bones_.size(); ++k) {
      const Bone& bt = bones_[k];
      const Vec3 xp = x.segment<3>(3 * bt.parent), xc = x.segment<3>(3 * bt.child);
      const double xl = xd[3 * N_ + bt.bone];
      y->segment<3>(3 * bt.parent) += bone_block_[k] * xc + bone_pl_[k] * xl;
      y->segment<3>(3 * bt.child) += bone_block_[k] * xp + bone_cl_[k] * xl;
      yd[3 * N_ + bt.bone] += bone_pl_[k].dot(xp) + bone_cl_[k].dot(xc);
    }
  }

  /// Block-banded Cholesky of every joint's trajectory (damped): for each
  /// frame L_kk^-1, L_{k,k-1} and L_{k,k-2}.
  void factor(double mu) {
    for (int q = 0; q < N_; ++q) {
      const std::size_t u = static_cast<std::size_t>(q);
      const int f = q % F_;
      if (!active_[u]) {
        Lkk_inv_[u].setIdentity();
        Lk1_[u].setZero();
        Lk2_[u].setZero();
        continue;
      }
      const Mat3& D = diag_[u];
      Mat3 A = D;
      A.diagonal().array() += t0_[u];
      A.diagonal() += mu * (D.diagonal() + Vec3::Constant(t0_[u]));
      const double a2 = f >= 2 ? t2_[u - 2] : 0.0;
      const double a1 = f >= 1 ? t1_[u - 1] : 0.0;
      Mat3 L2 = Mat3::Zero(), L1 = Mat3::Zero();
      if (a2 != 0.0) L2 = a2 * Lkk_inv_[u - 2].transpose();
      if (a1 != 0.0 || a2 != 0.0) {
        Mat3 rhs = Mat3::Identity() * a1;
        if (a2 != 0.0) rhs -= L2 * Lk1_[u - 1].transpose();
        L1 = rhs * Lkk_inv_[u - 1].transpose();
      }
      A -= L2 * L2.transpose() + L1 * L1.transpose();
      Lkk_inv_[u] = lower_inverse(lower_cholesky(A));
      Lk1_[u] = L1;
      Lk2_[u] = L2;
    }
    lll_.assign(static_cast<std::size_t>(B_), 0.0);
    for (int b = 0; b < B_; ++b) {
      const double d = ll_[static_cast<std::size_t>(b)] * (1.0 + mu);
      lll_[static_cast<std::size_t>(b)] = d > 0.0 ? 1.0 / d : 0.0;
    }
  }

  /// z = M^-1 r: every joint's trajectory solved exactly (block Jacobi over
  /// the joints), Jacobi on the bone lengths.
  void precondition(const Eigen::VectorXd& r, Eigen::VectorXd* z) const {
    z->resize(r.size());
    const double* rd = r.data();
    double* zd = z->data();
    for (int j = 0; j < J_; ++j) {
      const int q0 = j * F_;
      for (int f = 0; f < F_; ++f) {  // forward: L y = r
        const int q = q0 + f;
        const std::size_t u = static_cast<std::size_t>(q);
        Vec3 v(rd[3 * q], rd[3 * q + 1], rd[3 * q + 2]);
        if (f >= 1) v -= Lk1_[u] * Vec3(zd[3 * q - 3], zd[3 * q - 2], zd[3 * q - 1]);
        if (f >= 2) v -= Lk2_[u] * Vec3(zd[3 * q - 6], zd[3 * q - 5], zd[3 * q - 4]);
        const Vec3 y = Lkk_inv_[u] * v;
        zd[3 * q] = y[0];
        zd[3 * q + 1] = y[1];
        zd[3 * q + 2] = y[2];
      }
      for (int f = F_ - 1; f >= 0; --f) {  // backward: L^T x = y
        const int q = q0 + f;
        Vec3 v(zd[3 * q], zd[3 * q + 1], zd[3 * q + 2]);
        if (f + 1 < F_) v -= Lk1_[static_cast<std::size_t>(q + 1)].transpose() * Vec3(zd[3 * q + 3], zd[3 * q + 4], zd[3 * q + 5]);
        if (f + 2 < F_) v -= Lk2_[static_cast<std::size_t>(q + 2)].transpose() * Vec3(zd[3 * q + 6], zd[3 * q + 7], zd[3 * q + 8]);
        const Vec3 x = active_[static_cast<std::size_t>(q)] ? Vec3(Lkk_inv_[static_cast<std::size_t>(q)].transpose() * v)
                                                            : Vec3::Zero();
        zd[3 * q] = x[0];
        zd[3 * q + 1] = x[1];
        zd[3 * q + 2] = x[2];
      }
    }
    for (int b = 0; b < B_; ++b) zd[3 * N_ + b] = lll_[static_cast<std::size_t>(b)] * rd[3 * N_ + b];
  }

  /// Solves (H + mu diag H) x = -g by preconditioned conjugate gradients;
  /// returns the iteration count.
  int pcg(double mu, Eigen::VectorXd* x) {
    const int n = 3 * N_ + B_;
    x->setZero(n);
    r_ = -g_;
    const double b_norm = r_.norm();
    if (!(b_norm > 0.0)) return 0;
    precondition(r_, &z_);
    p_dir_ = z_;
    double rz = r_.dot(z_);
    int k = 0;
    while (k < kMaxCg) {
      apply(p_dir_, mu, &q_);
      const double pq = p_dir_.dot(q_);
      if (!(pq > 0.0)) break;
      const double alpha = rz / pq;
      *x += alpha * p_dir_;
      r_ -= alpha * q_;
      ++k;
      if (r_.norm() <= kCgTolerance * b_norm) break;
      precondition(r_, &z_);
      const double rz_new = r_.dot(z_);
      p_dir_ = z_ + (rz_new / rz) * p_dir_;
      rz = rz_new;
    }
    return k;
  }

  RefineProblem& p_;
  const RefineOptions& o_;
  int J_ = 0, F_ = 0, N_ = 0, B_ = 0;
  std::vector<char> active_;    ///< per q
  std::vector<Mat3> diag_;      ///< per q: data + bone diagonal blocks (no smoothness)
  std::vector<double> t0_, t1_, t2_;  ///< smoothness: diagonal, (q, q+1), (q, q+2), times I
  std::vector<Bone> bones_;
  std::vector<Mat3> bone_block_;  ///< per bone term: parent-child coupling (symmetric)
  std::vector<Vec3> bone_pl_, bone_cl_;  ///< per bone term: parent-L and child-L couplings
  std::vector<double> ll_;        ///< per bone: L-L
  Eigen::VectorXd g_;             ///< gradient (q order, then the lengths)
  std::vector<Mat3> Lkk_inv_, Lk1_, Lk2_;  ///< trajectory factors (q order)
  std::vector<double> lll_;       ///< 1 / damped L-L
  Eigen::VectorXd r_, z_, p_dir_, q_;  ///< CG work vectors
};

}  // namespace

double RefineProblem::rho(double s) const {
  const double b = loss_scale * loss_scale;
  switch (loss) {
    case RobustLoss::kNone: return s;
    case RobustLoss::kHuber: return s <= b ? s : 2.0 * std::sqrt(s * b) - b;
    case RobustLoss::kCauchy: return b * std::log1p(s / b);
  }
  return s;
}

double RefineProblem::rho_prime(double s) const {
  const double b = loss_scale * loss_scale;
  switch (loss) {
    case RobustLoss::kNone: return 1.0;
    case RobustLoss::kHuber: return s <= b ? 1.0 : std::sqrt(b / s);
    case RobustLoss::kCauchy: return 1.0 / (1.0 + s / b);
  }
  return 1.0;
}

bool RefineProblem::cost(double* out) const {
  double c = 0.0;
  for (const auto& ob : observations) {
    Eigen::Vector2d px;
    if ((*cameras)[static_cast<std::size_t>(ob.view)].project(X.col(ob.sample), &px) !=
        camera::ProjectionStatus::kSuccess) {
      *out = std::numeric_limits<double>::infinity();
      return false;
    }
    c += rho((ob.weight * (px - ob.pixel)).squaredNorm());
  }
  for (const auto& t : smooth_terms) {
    const Eigen::Vector3d r = smoothness_order == 2 ? Eigen::Vector3d(X.col(t[0]) - 2.0 * X.col(t[1]) + X.col(t[2]))
                                                    : Eigen::Vector3d(X.col(t[1]) - X.col(t[0]));
    c += smooth_weight * smooth_weight * r.squaredNorm();
  }
  for (const auto& bt : bone_terms) {
    const double r = bone_weight[static_cast<std::size_t>(bt.bone)] *
                     ((X.col(bt.child) - X.col(bt.parent)).norm() - lengths[static_cast<std::size_t>(bt.bone)]);
    c += r * r;
  }
  *out = 0.5 * c;
  return std::isfinite(*out);
}

SolveSummary solve_structured(RefineProblem* problem, const RefineOptions& options) {
  return Solver(problem, options).run();
}

}  // namespace crossview::temporal::detail
