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
// (reprojection + smoothness + the diagonal part of the bones, 3x3 blocks with
// two off-diagonal block bands) exactly in O(F) per joint; only the coupling
// of joints by the bones is left to the conjugate gradients. Everything is
// linear in frames.
//
// Robust loss: iteratively reweighted Gauss-Newton (the weight of an
// observation is rho'(s) at the current point), the usual LM gain-ratio step
// control (Nielsen's update of the damping), diagonal (Marquardt) damping.
#include "problem.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace crossview::temporal::detail {

namespace {

using Mat3 = Eigen::Matrix3d;
using Vec3 = Eigen::Vector3d;

/// The Gauss-Newton system at the current point, stored by structure.
struct System {
  int N = 0, J = 0, F = 0, B = 0;
  std::vector<Mat3> diag;       ///< per sample: data + bone diagonal blocks (no smoothness)
  std::vector<double> t0, t1, t2;  ///< smoothness: diagonal, lag-1 and lag-2 couplings (times I)
  std::vector<Mat3> bone_block;    ///< per bone term: coupling parent-child (symmetric)
  std::vector<Vec3> bone_pl, bone_cl;  ///< per bone term: parent-L and child-L couplings
  std::vector<double> ll;           ///< per bone: L-L
  Eigen::VectorXd g;                ///< gradient, 3N + B
};

/// The per-joint block-banded Cholesky factors of (diag + smoothness) with
/// damping: L_kk (lower), L_{k,k-1}, L_{k,k-2} for every frame k.
struct TrajectoryFactor {
  std::vector<Mat3> Lkk, Lk1, Lk2;
  std::vector<Mat3> Lkk_inv;  ///< inverse of L_kk (3x3 lower triangular)
  std::vector<double> lll;    ///< per bone: 1 / damped L-L
};

Mat3 lower_cholesky(const Mat3& A, bool* ok) {
  Mat3 L = Mat3::Zero();
  for (int j = 0; j < 3; ++j) {
    double d = A(j, j);
    for (int k = 0; k < j; ++k) d -= L(j, k) * L(j, k);
    if (!(d > 0.0)) {
      *ok = false;
      d = std::max(d, 1e-300);
    }
    L(j, j) = std::sqrt(d);
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
    sys_.J = p_.num_joints;
    sys_.F = p_.num_frames;
    sys_.N = sys_.J * sys_.F;
    sys_.B = static_cast<int>(p_.lengths.size());
    const int N = sys_.N;
    sys_.diag.assign(static_cast<std::size_t>(N), Mat3::Zero());
    sys_.t0.assign(static_cast<std::size_t>(N), 0.0);
    sys_.t1.assign(static_cast<std::size_t>(N), 0.0);
    sys_.t2.assign(static_cast<std::size_t>(N), 0.0);
    // The smoothness part of the Hessian is constant.
    const double w2 = p_.smooth_weight * p_.smooth_weight;
    const int J = sys_.J;
    for (const auto& t : p_.smooth_terms) {
      if (p_.smoothness_order == 2) {
        const int a = t[0], b = t[1], c = t[2];
        sys_.t0[static_cast<std::size_t>(a)] += w2;
        sys_.t0[static_cast<std::size_t>(b)] += 4.0 * w2;
        sys_.t0[static_cast<std::size_t>(c)] += w2;
        sys_.t1[static_cast<std::size_t>(a)] += -2.0 * w2;  // (a, b = a + J)
        sys_.t1[static_cast<std::size_t>(b)] += -2.0 * w2;  // (b, c = b + J)
        sys_.t2[static_cast<std::size_t>(a)] += w2;         // (a, c = a + 2J)
      } else {
        const int a = t[0], b = t[1];
        sys_.t0[static_cast<std::size_t>(a)] += w2;
        sys_.t0[static_cast<std::size_t>(b)] += w2;
        sys_.t1[static_cast<std::size_t>(a)] += -w2;
      }
      (void)J;
    }
    sys_.bone_block.resize(p_.bone_terms.size());
    sys_.bone_pl.resize(p_.bone_terms.size());
    sys_.bone_cl.resize(p_.bone_terms.size());
    // Joint order for the Gauss-Seidel sweeps: breadth first over the bones
    // from the joints that are nobody's child (then any joint left).
    {
      std::vector<std::vector<int>> children(static_cast<std::size_t>(J));
      std::vector<char> is_child(static_cast<std::size_t>(J), 0), seen(static_cast<std::size_t>(J), 0);
      std::vector<std::pair<int, int>> edges;
      for (const auto& bt : p_.bone_terms) edges.emplace_back(bt.parent % J, bt.child % J);
      std::sort(edges.begin(), edges.end());
      edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
      for (const auto& [a, b] : edges) {
        children[static_cast<std::size_t>(a)].push_back(b);
        is_child[static_cast<std::size_t>(b)] = 1;
      }
      for (int pass = 0; pass < 2; ++pass) {
        for (int root = 0; root < J; ++root) {
          if (seen[static_cast<std::size_t>(root)] || (pass == 0 && is_child[static_cast<std::size_t>(root)])) continue;
          std::vector<int> queue{root};
          seen[static_cast<std::size_t>(root)] = 1;
          for (std::size_t q = 0; q < queue.size(); ++q) {
            order_.push_back(queue[q]);
            for (int c : children[static_cast<std::size_t>(queue[q])]) {
              if (!seen[static_cast<std::size_t>(c)]) {
                seen[static_cast<std::size_t>(c)] = 1;
                queue.push_back(c);
              }
            }
          }
        }
      }
      rank_.assign(static_cast<std::size_t>(J), 0);
      for (std::size_t k = 0; k < order_.size(); ++k) rank_[static_cast<std::size_t>(order_[k])] = static_cast<int>(k);
      terms_of_.assign(static_cast<std::size_t>(J), {});
      for (std::size_t k = 0; k < p_.bone_terms.size(); ++k) {
        terms_of_[static_cast<std::size_t>(p_.bone_terms[k].parent % J)].push_back(static_cast<int>(k));
        terms_of_[static_cast<std::size_t>(p_.bone_terms[k].child % J)].push_back(static_cast<int>(k));
      }
    }
    fac_.Lkk.resize(static_cast<std::size_t>(N));
    fac_.Lk1.resize(static_cast<std::size_t>(N));
    fac_.Lk2.resize(static_cast<std::size_t>(N));
    fac_.Lkk_inv.resize(static_cast<std::size_t>(N));
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
    const int n = 3 * sys_.N + sys_.B;
    Eigen::VectorXd step(n), x_backup(3 * sys_.N);
    std::vector<double> len_backup;
    bool converged = false;
    int it = 0;
    for (; it < o_.max_iterations; ++it) {
      linearise();
      // Gradient tolerance (relative to the cost): nothing left to gain.
      if (sys_.g.lpNorm<Eigen::Infinity>() <= 1e-10 * std::max(1.0, cost)) {
        converged = true;
        break;
      }
      bool accepted = false;
      while (!accepted) {
        factor(mu);
        last_cg_ = pcg(mu, &step);
        s.linear_iterations += last_cg_;
        if (debug_ && (it == 0 || it == 5 || it == 10)) {
          const Eigen::VectorXd xb = Eigen::Map<const Eigen::VectorXd>(p_.X.data(), 3 * sys_.N);
          const std::vector<double> lb = p_.lengths;
          const double gd = sys_.g.dot(step), hd = step.dot(apply(step, 0.0));
          for (double eps : {1e-4, 1e-3, 1e-2, 1e-1, 1.0}) {
            add_step(eps * step);
            double c2;
            p_.cost(&c2);
            std::fprintf(stderr, "  eps %g actual %.6g model %.6g\n", eps, cost - c2, -eps * gd - 0.5 * eps * eps * hd);
            Eigen::Map<Eigen::VectorXd>(p_.X.data(), 3 * sys_.N) = xb;
            p_.lengths = lb;
          }
        }
        // Predicted decrease of the (reweighted) quadratic model.
        const double predicted = -sys_.g.dot(step) - 0.5 * step.dot(apply(step, 0.0));
        x_backup = Eigen::Map<const Eigen::VectorXd>(p_.X.data(), 3 * sys_.N);
        len_backup = p_.lengths;
        add_step(step);
        double new_cost;
        const bool ok = p_.cost(&new_cost);
        const double rho = ok && predicted > 0.0 ? (cost - new_cost) / predicted : -1.0;
        if (debug_) {
          std::fprintf(stderr, "it %d mu %.3g cost %.6g -> %.6g predicted %.3g rho %.3f cg %d\n", it, mu, cost, new_cost,
                       predicted, rho, last_cg_);
        }
        if (ok && new_cost < cost && rho > 1e-3) {
          const double relative = (cost - new_cost) / cost;
          cost = new_cost;
          mu *= std::max(1.0 / 3.0, 1.0 - std::pow(2.0 * rho - 1.0, 3));
          nu = 2.0;
          accepted = true;
          if (relative < o_.function_tolerance) converged = true;
        } else {
          Eigen::Map<Eigen::VectorXd>(p_.X.data(), 3 * sys_.N) = x_backup;
          p_.lengths = len_backup;
          mu *= nu;
          nu *= 2.0;
          if (mu > 1e16) {  // no decrease possible: at a minimum up to rounding
            converged = true;
            break;
          }
        }
      }
      if (converged) {
        ++it;
        break;
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
  void add_step(const Eigen::VectorXd& step) {
    for (int i = 0; i < sys_.N; ++i) {
      if (p_.active[static_cast<std::size_t>(i)]) p_.X.col(i) += step.segment<3>(3 * i);
    }
    for (int b = 0; b < sys_.B; ++b) {
      if (std::isfinite(p_.lengths[static_cast<std::size_t>(b)])) p_.lengths[static_cast<std::size_t>(b)] += step[3 * sys_.N + b];
    }
  }

  /// Jacobians and gradient at the current point (IRLS weights).
  void linearise() {
    const int N = sys_.N;
    std::fill(sys_.diag.begin(), sys_.diag.end(), Mat3::Zero());
    sys_.g.setZero(3 * N + sys_.B);
    sys_.ll.assign(static_cast<std::size_t>(sys_.B), 0.0);
    const auto& cams = *p_.cameras;
    for (const auto& ob : p_.observations) {
      Eigen::Vector2d px;
      Eigen::Matrix<double, 2, 3> Jp;
      const Vec3 X = p_.X.col(ob.sample);
      if (cams[static_cast<std::size_t>(ob.view)].project(X, &px, &Jp) != camera::ProjectionStatus::kSuccess) continue;
      const Eigen::Vector2d r = ob.weight * (px - ob.pixel);
      const Eigen::Matrix<double, 2, 3> Jw = ob.weight * Jp;
      const double w = p_.rho_prime(r.squaredNorm());
      sys_.diag[static_cast<std::size_t>(ob.sample)].noalias() += w * Jw.transpose() * Jw;
      sys_.g.segment<3>(3 * ob.sample).noalias() += w * Jw.transpose() * r;
    }
    const double ws = p_.smooth_weight;
    for (const auto& t : p_.smooth_terms) {
      if (p_.smoothness_order == 2) {
        const Vec3 r = ws * (p_.X.col(t[0]) - 2.0 * p_.X.col(t[1]) + p_.X.col(t[2]));
        sys_.g.segment<3>(3 * t[0]) += ws * r;
        sys_.g.segment<3>(3 * t[1]) += -2.0 * ws * r;
        sys_.g.segment<3>(3 * t[2]) += ws * r;
      } else {
        const Vec3 r = ws * (p_.X.col(t[1]) - p_.X.col(t[0]));
        sys_.g.segment<3>(3 * t[0]) += -ws * r;
        sys_.g.segment<3>(3 * t[1]) += ws * r;
      }
    }
    for (std::size_t k = 0; k < p_.bone_terms.size(); ++k) {
      const auto& bt = p_.bone_terms[k];
      const double w = p_.bone_weight[static_cast<std::size_t>(bt.bone)];
      const Vec3 d = p_.X.col(bt.child) - p_.X.col(bt.parent);
      const double len = d.norm();
      if (!(len > 0.0)) {
        sys_.bone_block[k].setZero();
        sys_.bone_pl[k].setZero();
        sys_.bone_cl[k].setZero();
        continue;
      }
      const Vec3 u = d / len;
      const double r = w * (len - p_.lengths[static_cast<std::size_t>(bt.bone)]);
      // Gauss-Newton w^2 u u^T, plus the curvature of |d| when the bone is
      // stretched (r > 0: w r (I - u u^T) / |d|, positive semi-definite): a
      // sideways move of a joint lengthens its bones to second order, which
      // Gauss-Newton alone does not see (the model then promises far more
      // than a step gives).
      Mat3 uu = (w * w) * (u * u.transpose());
      if (curvature_ && r > 0.0) uu += (w * r / len) * (Mat3::Identity() - u * u.transpose());
      sys_.diag[static_cast<std::size_t>(bt.parent)] += uu;
      sys_.diag[static_cast<std::size_t>(bt.child)] += uu;
      sys_.bone_block[k] = -uu;
      sys_.bone_pl[k] = (w * w) * u;
      sys_.bone_cl[k] = -(w * w) * u;
      sys_.ll[static_cast<std::size_t>(bt.bone)] += w * w * (std::getenv("FIXL") ? 1e9 : 1.0);
      sys_.g.segment<3>(3 * bt.parent) += -w * r * u;
      sys_.g.segment<3>(3 * bt.child) += w * r * u;
      sys_.g[3 * N + bt.bone] += -w * r;
    }
  }

  /// y = (H + mu diag(H)) x.
  Eigen::VectorXd apply(const Eigen::VectorXd& x, double mu) const {
    const int N = sys_.N, J = sys_.J;
    Eigen::VectorXd y(x.size());
    for (int i = 0; i < N; ++i) {
      if (!p_.active[static_cast<std::size_t>(i)]) {
        y.segment<3>(3 * i).setZero();
        continue;
      }
      const Mat3& D = sys_.diag[static_cast<std::size_t>(i)];
      Vec3 v = D * x.segment<3>(3 * i) + sys_.t0[static_cast<std::size_t>(i)] * x.segment<3>(3 * i);
      if (mu > 0.0) {
        v += mu * (D.diagonal() + Vec3::Constant(sys_.t0[static_cast<std::size_t>(i)])).cwiseProduct(x.segment<3>(3 * i));
      }
      if (i + J < N) v += sys_.t1[static_cast<std::size_t>(i)] * x.segment<3>(3 * (i + J));
      if (i - J >= 0) v += sys_.t1[static_cast<std::size_t>(i - J)] * x.segment<3>(3 * (i - J));
      if (i + 2 * J < N) v += sys_.t2[static_cast<std::size_t>(i)] * x.segment<3>(3 * (i + 2 * J));
      if (i - 2 * J >= 0) v += sys_.t2[static_cast<std::size_t>(i - 2 * J)] * x.segment<3>(3 * (i - 2 * J));
      y.segment<3>(3 * i) = v;
    }
    for (int b = 0; b < sys_.B; ++b) y[3 * N + b] = sys_.ll[static_cast<std::size_t>(b)] * (1.0 + mu) * x[3 * N + b];
    for (std::size_t k = 0; k < p_.bone_terms.size(); ++k) {
      const auto& bt = p_.bone_terms[k];
      const Vec3 xp = x.segment<3>(3 * bt.parent), xc = x.segment<3>(3 * bt.child);
      const double xl = x[3 * N + bt.bone];
      y.segment<3>(3 * bt.parent) += sys_.bone_block[k] * xc + sys_.bone_pl[k] * xl;
      y.segment<3>(3 * bt.child) += sys_.bone_block[k] * xp + sys_.bone_cl[k] * xl;
      y[3 * N + bt.bone] += sys_.bone_pl[k].dot(xp) + sys_.bone_cl[k].dot(xc);
    }
    return y;
  }

  /// Block-banded Cholesky of every joint's trajectory (damped).
  void factor(double mu) {
    const int N = sys_.N, J = sys_.J, F = sys_.F;
    for (int j = 0; j < J; ++j) {
      for (int f = 0; f < F; ++f) {
        const int i = f * J + j;
        const std::size_t u = static_cast<std::size_t>(i);
        if (!p_.active[u]) {
          fac_.Lkk[u].setIdentity();
          fac_.Lkk_inv[u].setIdentity();
          fac_.Lk1[u].setZero();
          fac_.Lk2[u].setZero();
          continue;
        }
        const Mat3& D = sys_.diag[u];
        Mat3 A = D;
        A.diagonal().array() += sys_.t0[u];
        A.diagonal() += mu * (D.diagonal() + Vec3::Constant(sys_.t0[u]));
        // Couplings to the previous two frames (scalars times I).
        const double a2 = f >= 2 ? sys_.t2[static_cast<std::size_t>(i - 2 * J)] : 0.0;
        const double a1 = f >= 1 ? sys_.t1[static_cast<std::size_t>(i - J)] : 0.0;
        Mat3 L2 = Mat3::Zero(), L1 = Mat3::Zero();
        if (a2 != 0.0) L2 = a2 * fac_.Lkk_inv[static_cast<std::size_t>(i - 2 * J)].transpose();
        if (a1 != 0.0 || a2 != 0.0) {
          Mat3 rhs = Mat3::Identity() * a1;
          if (a2 != 0.0) rhs -= L2 * fac_.Lk1[static_cast<std::size_t>(i - J)].transpose();
          L1 = rhs * fac_.Lkk_inv[static_cast<std::size_t>(i - J)].transpose();
        }
        A -= L2 * L2.transpose() + L1 * L1.transpose();
        bool ok = true;
        fac_.Lkk[u] = lower_cholesky(A, &ok);
        fac_.Lkk_inv[u] = lower_inverse(fac_.Lkk[u]);
        fac_.Lk1[u] = L1;
        fac_.Lk2[u] = L2;
      }
    }
    fac_.lll.assign(static_cast<std::size_t>(sys_.B), 0.0);
    for (int b = 0; b < sys_.B; ++b) {
      const double d = sys_.ll[static_cast<std::size_t>(b)] * (1.0 + mu);
      fac_.lll[static_cast<std::size_t>(b)] = d > 0.0 ? 1.0 / d : 0.0;
    }
    (void)N;
  }

  /// z = M^-1 r (trajectory factors; Jacobi on the lengths).
  /// Solves joint j's trajectory system: z_j = T_j^-1 r_j (both read and
  /// written in the full vectors; r and z may alias).
  void solve_trajectory(int j, const Eigen::VectorXd& r, Eigen::VectorXd* z) const {
    const int J = sys_.J, F = sys_.F;
    for (int f = 0; f < F; ++f) {  // forward: L y = r
      const int i = f * J + j;
      const std::size_t u = static_cast<std::size_t>(i);
      Vec3 v = r.segment<3>(3 * i);
      if (f >= 1) v -= fac_.Lk1[u] * z->segment<3>(3 * (i - J));
      if (f >= 2) v -= fac_.Lk2[u] * z->segment<3>(3 * (i - 2 * J));
      z->segment<3>(3 * i) = fac_.Lkk_inv[u] * v;
    }
    for (int f = F - 1; f >= 0; --f) {  // backward: L^T x = y
      const int i = f * J + j;
      Vec3 v = z->segment<3>(3 * i);
      if (f + 1 < F) v -= fac_.Lk1[static_cast<std::size_t>(i + J)].transpose() * z->segment<3>(3 * (i + J));
      if (f + 2 < F) v -= fac_.Lk2[static_cast<std::size_t>(i + 2 * J)].transpose() * z->segment<3>(3 * (i + 2 * J));
      z->segment<3>(3 * i) = fac_.Lkk_inv[static_cast<std::size_t>(i)].transpose() * v;
    }
    for (int f = 0; f < F; ++f) {
      if (!p_.active[static_cast<std::size_t>(f * J + j)]) z->segment<3>(3 * (f * J + j)).setZero();
    }
  }

  /// z = M^-1 r: symmetric block Gauss-Seidel over the joints in tree order
  /// (parents first), the bone lengths last; each block is a joint's
  /// trajectory, solved exactly (solve_trajectory). M = (D + L) D^-1 (D + L^T)
  /// is symmetric positive definite, and a sweep carries the bone couplings
  /// that a block-diagonal (Jacobi) preconditioner ignores.
  void precondition(const Eigen::VectorXd& r, Eigen::VectorXd* z) const {
    const int N = sys_.N;
    if (!sgs_) {
      for (int j = 0; j < sys_.J; ++j) solve_trajectory(j, r, z);
      for (int b = 0; b < sys_.B; ++b) (*z)[3 * N + b] = fac_.lll[static_cast<std::size_t>(b)] * r[3 * N + b];
      return;
    }
    Eigen::VectorXd& rhs = scratch_;
    rhs = r;
    // Forward sweep: (D + L) y = r, y in z.
    for (int j : order_) {
      for (int k : terms_of_[static_cast<std::size_t>(j)]) {
        const auto& bt = p_.bone_terms[static_cast<std::size_t>(k)];
        const bool parent = bt.parent % sys_.J == j;
        const int other = parent ? bt.child : bt.parent;
        if (rank_[static_cast<std::size_t>(other % sys_.J)] < rank_[static_cast<std::size_t>(j)]) {
          const int self = parent ? bt.parent : bt.child;
          rhs.segment<3>(3 * self) -= sys_.bone_block[static_cast<std::size_t>(k)] * z->segment<3>(3 * other);
        }
      }
      solve_trajectory(j, rhs, z);
    }
    for (int b = 0; b < sys_.B; ++b) rhs[3 * N + b] = r[3 * N + b];
    for (std::size_t k = 0; k < p_.bone_terms.size(); ++k) {
      const auto& bt = p_.bone_terms[k];
      rhs[3 * N + bt.bone] -= sys_.bone_pl[k].dot(z->segment<3>(3 * bt.parent)) + sys_.bone_cl[k].dot(z->segment<3>(3 * bt.child));
    }
    for (int b = 0; b < sys_.B; ++b) (*z)[3 * N + b] = fac_.lll[static_cast<std::size_t>(b)] * rhs[3 * N + b];
    // Backward sweep: (D + L^T) z = D y, i.e. z_j = y_j - D_j^-1 (couplings to later blocks).
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      const int j = *it;
      bool any = false;
      rhs.setZero();  // only joint j's entries are read by solve_trajectory
      for (int k : terms_of_[static_cast<std::size_t>(j)]) {
        const auto& bt = p_.bone_terms[static_cast<std::size_t>(k)];
        const bool parent = bt.parent % sys_.J == j;
        const int other = parent ? bt.child : bt.parent;
        const int self = parent ? bt.parent : bt.child;
        if (rank_[static_cast<std::size_t>(other % sys_.J)] > rank_[static_cast<std::size_t>(j)]) {
          rhs.segment<3>(3 * self) += sys_.bone_block[static_cast<std::size_t>(k)] * z->segment<3>(3 * other);
        }
        rhs.segment<3>(3 * self) += (parent ? sys_.bone_pl : sys_.bone_cl)[static_cast<std::size_t>(k)] * (*z)[3 * N + bt.bone];
        any = true;
      }
      if (!any) continue;
      correction_.resize(rhs.size());
      solve_trajectory(j, rhs, &correction_);
      for (int f = 0; f < sys_.F; ++f) {
        const int i = f * sys_.J + j;
        z->segment<3>(3 * i) -= correction_.segment<3>(3 * i);
      }
    }
  }

  /// Solves (H + mu diag H) step = -g by preconditioned conjugate gradients;
  /// returns the iteration count.
  int pcg(double mu, Eigen::VectorXd* x) {
    const Eigen::VectorXd b = -sys_.g;
    const int n = static_cast<int>(b.size());
    x->setZero(n);
    Eigen::VectorXd r = b, z(n), pdir(n), q(n);
    precondition(r, &z);
    pdir = z;
    double rz = r.dot(z);
    const double b_norm = b.norm();
    if (!(b_norm > 0.0)) return 0;
    int k = 0;
    for (; k < kMaxCg; ++k) {
      q = apply(pdir, mu);
      const double pq = pdir.dot(q);
      if (!(pq > 0.0)) break;
      const double alpha = rz / pq;
      *x += alpha * pdir;
      r -= alpha * q;
      if (r.norm() <= kCgTolerance * b_norm) {
        ++k;
        break;
      }
      precondition(r, &z);
      const double rz_new = r.dot(z);
      pdir = z + (rz_new / rz) * pdir;
      rz = rz_new;
    }
    return k;
  }

  static constexpr int kMaxCg = 200;
  const double kCgTolerance = std::getenv("CGTOL") ? std::atof(std::getenv("CGTOL")) : 1e-4;

  RefineProblem& p_;
  const RefineOptions& o_;
  std::vector<int> order_;                 ///< joints, parents before children
  std::vector<int> rank_;                  ///< position of each joint in order_
  std::vector<std::vector<int>> terms_of_; ///< bone terms of each joint
  mutable Eigen::VectorXd scratch_, correction_;
  bool debug_ = std::getenv("CROSSVIEW_REFINE_DEBUG") != nullptr;
  bool curvature_ = std::getenv("CURV") != nullptr;
  bool sgs_ = std::getenv("JACOBI") == nullptr;
  int last_cg_ = 0;
  System sys_;
  TrajectoryFactor fac_;
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
