// Kalman filter / Rauch-Tung-Striebel smoother of crossview::temporal (see
// include/crossview/temporal/filters.hpp).
//
// The state is kept in scaled units (position, velocity * dt, acceleration *
// dt^2), so the transition matrix is free of dt and the diffuse prior is
// 1e6 R * identity: far better conditioned than the raw state for the
// smoother's (P^-)^-1. The three coordinates share the model and the missing
// pattern, so one covariance recursion serves them (the state is m x 3).
#include <crossview/temporal/filters.hpp>

#include "internal.hpp"

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::temporal {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDiffuse = 1e6;

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

/// Solves A X = B for a small symmetric positive definite A (M x M) by an
/// explicit Cholesky factorisation (Eigen's blocked solvers cost more than the
/// arithmetic at this size). Accurate where the covariance is ill-conditioned
/// (the diffuse start), unlike the cofactor inverse.
template <int M>
Eigen::Matrix<double, M, M> spd_solve(const Eigen::Matrix<double, M, M>& A, const Eigen::Matrix<double, M, M>& B) {
  double L[M][M] = {};
  for (int j = 0; j < M; ++j) {
    double d = A(j, j);
    for (int k = 0; k < j; ++k) d -= L[j][k] * L[j][k];
    L[j][j] = std::sqrt(d);
    for (int i = j + 1; i < M; ++i) {
      double v = A(i, j);
      for (int k = 0; k < j; ++k) v -= L[i][k] * L[j][k];
      L[i][j] = v / L[j][j];
    }
  }
  Eigen::Matrix<double, M, M> X;
  for (int c = 0; c < M; ++c) {
    double y[M];
    for (int i = 0; i < M; ++i) {
      double v = B(i, c);
      for (int k = 0; k < i; ++k) v -= L[i][k] * y[k];
      y[i] = v / L[i][i];
    }
    for (int i = M - 1; i >= 0; --i) {
      double v = y[i];
      for (int k = i + 1; k < M; ++k) v -= L[k][i] * X(k, c);
      X(i, c) = v / L[i][i];
    }
  }
  return X;
}

/// The gains of the covariance recursion depend only on the pattern of
/// measured / missing frames since the start of a track, and every track of
/// a call shares the model. GainTree memoises them: a node is the covariance
/// after some pattern, its two edges (next frame missing / measured) carry
/// the gains of that frame, K_k and C_{k-1} = P_{k-1} F^T (P^-_k)^-1. Along a
/// measured run the covariance reaches a fixed point (bitwise, ~100 frames at
/// the default cut-off); that edge loops back to its node, so steady frames and
/// repeated transients (track starts, gaps of the same length) cost a lookup.
/// Results are bitwise those of the direct recursion.
template <int M>
class GainTree {
 public:
  using Mat = Eigen::Matrix<double, M, M>;
  using Vec = Eigen::Matrix<double, M, 1>;

  GainTree(const Mat& Fm, const Mat& Q, double R) : Fm_(Fm), Q_(Q), R_(R) {
    nodes_.reserve(256);
    nodes_.push_back(Node{Mat::Identity() * (kDiffuse * R), {}});  // 0: before a track's first frame
  }

  /// Gains of a track with missing pattern `has` (has[0] true).
  void gains(const std::vector<char>& has, std::vector<Vec>* K, std::vector<Mat>* C) {
    const int L = static_cast<int>(has.size());
    K->resize(static_cast<std::size_t>(L));
    C->resize(static_cast<std::size_t>(L));
    int node = 0;  // -1: detached (the tree is full), state in P
    Mat P;
    for (int k = 0; k < L; ++k) {
      const int h = has[static_cast<std::size_t>(k)] ? 1 : 0;
      if (node >= 0) {
        if (nodes_[static_cast<std::size_t>(node)].edge[h].target < 0) {
          Edge e;
          P = step(nodes_[static_cast<std::size_t>(node)].P, h, k == 0, &e);
          if (k > 0 && (P - nodes_[static_cast<std::size_t>(node)].P).cwiseAbs().maxCoeff() == 0.0) {
            e.target = node;  // fixed point
            if (fixed_point_ < 0) fixed_point_ = node;
          } else if (nodes_.size() < kMaxNodes) {
            e.target = static_cast<int>(nodes_.size());
            nodes_.push_back(Node{P, {}});
          }
          nodes_[static_cast<std::size_t>(node)].edge[h] = e;
          if (e.target < 0) {  // no room: go on without memoising
            (*K)[static_cast<std::size_t>(k)] = e.K;
            if (k > 0) (*C)[static_cast<std::size_t>(k - 1)] = e.C;
            nodes_[static_cast<std::size_t>(node)].edge[h] = Edge{};
            node = -1;
            continue;
          }
        }
        const Edge& e = nodes_[static_cast<std::size_t>(node)].edge[h];
        (*K)[static_cast<std::size_t>(k)] = e.K;
        if (k > 0) (*C)[static_cast<std::size_t>(k - 1)] = e.C;
        node = e.target;
      } else {
        Edge e;
        P = step(P, h, false, &e);
        (*K)[static_cast<std::size_t>(k)] = e.K;
        (*C)[static_cast<std::size_t>(k - 1)] = e.C;
        // Back on the tree at the steady state.
        if (h && fixed_point_ >= 0 && (P - nodes_[static_cast<std::size_t>(fixed_point_)].P).cwiseAbs().maxCoeff() == 0.0) {
          node = fixed_point_;
        }
      }
    }
  }

 private:
  static constexpr std::size_t kMaxNodes = 4096;  // ~1.2 MB

  struct Edge {
    int target = -1;
    Vec K = Vec::Zero();
    Mat C = Mat::Zero();
  };
  struct Node {
    Mat P;
    Edge edge[2];
  };

  /// One frame of the covariance recursion from P0 (the first frame of a
  /// track has no prediction): its gains in *e, the new covariance returned.
  Mat step(const Mat& P0, int h, bool first, Edge* e) const {
    Mat P = P0;
    if (!first) {
      const Mat Pp = Fm_ * P0 * Fm_.transpose() + Q_;
      e->C = spd_solve<M>(Pp, Fm_ * P0).transpose();  // C^T = (P^-)^-1 F P_{k-1}
      P = Pp;
    }
    if (h) {
      e->K = P.col(0) / (P(0, 0) + R_);
      P -= e->K * P.row(0);
      P = 0.5 * (P + P.transpose());
    } else {
      e->K.setZero();
    }
    return P;
  }

  Mat Fm_, Q_;
  double R_;
  std::vector<Node> nodes_;
  int fixed_point_ = -1;  ///< a node whose measured edge loops (the steady state)
};

using StridedConst = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>>;
using Strided = Eigen::Map<Eigen::MatrixXd, 0, Eigen::OuterStride<>>;

/// The means of NC channels (Eigen::Dynamic or a fixed count) through one
/// track: z(c, k) measured where has[k] (z(c, 0) always); out(c, k) = filtered
/// or smoothed position. `states` is scratch (M x nc per frame). No heap
/// allocation inside the loops.
template <int M, int NC>
void track_means(const Eigen::Matrix<double, M, M>& Fm, const std::vector<char>& has,
                 const std::vector<Eigen::Matrix<double, M, 1>>& K, const std::vector<Eigen::Matrix<double, M, M>>& C,
                 bool smooth, const StridedConst& z, Strided* out, std::vector<double>* states) {
  using Block = Eigen::Matrix<double, M, NC>;
  using Row = Eigen::Matrix<double, 1, NC>;
  const int L = static_cast<int>(has.size());
  const Eigen::Index nc = z.rows();
  states->resize(static_cast<std::size_t>(L) * M * static_cast<std::size_t>(nc));
  Block x = Block::Zero(M, nc), tmp(M, nc);
  Row innovation(1, nc);
  x.row(0) = z.col(0).transpose();
  for (int k = 0; k < L; ++k) {
    if (k > 0) {
      tmp.noalias() = Fm * x;
      x.swap(tmp);
    }
    if (has[static_cast<std::size_t>(k)]) {
      innovation = z.col(k).transpose() - x.row(0);
      x.noalias() += K[static_cast<std::size_t>(k)] * innovation;
    }
    Eigen::Map<Block>(states->data() + static_cast<std::size_t>(k) * M * nc, M, nc) = x;
    out->col(k) = x.row(0).transpose();
  }
  if (!smooth) return;
  Block& sm = x;  // smoothed state of the last frame = filtered
  for (int k = L - 2; k >= 0; --k) {
    const Eigen::Map<const Block> xk(states->data() + static_cast<std::size_t>(k) * M * nc, M, nc);
    tmp.noalias() = Fm * xk;
    tmp = sm - tmp;
    sm = xk;
    sm.noalias() += C[static_cast<std::size_t>(k)] * tmp;
    out->col(k) = sm.row(0).transpose();
  }
}

/// track_means for one joint (3 channels) in plain scalars: Eigen's small
/// fixed-size temporaries made the recursion wait on store-forwarding stalls.
template <int M>
void track_means3(const Eigen::Matrix<double, M, M>& Fm, const std::vector<char>& has,
                  const std::vector<Eigen::Matrix<double, M, 1>>& K, const std::vector<Eigen::Matrix<double, M, M>>& C,
                  bool smooth, const StridedConst& z, Strided* out, std::vector<double>* states) {
  const int L = static_cast<int>(has.size());
  states->resize(static_cast<std::size_t>(L) * M * 3);
  double f[M][M];
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < M; ++j) f[i][j] = Fm(i, j);
  }
  double x[M][3] = {};
  for (int c = 0; c < 3; ++c) x[0][c] = z(c, 0);
  for (int k = 0; k < L; ++k) {
    if (k > 0) {
      double y[M][3];
      for (int i = 0; i < M; ++i) {
        for (int c = 0; c < 3; ++c) {
          double v = 0.0;
          for (int j = 0; j < M; ++j) v += f[i][j] * x[j][c];
          y[i][c] = v;
        }
      }
      for (int i = 0; i < M; ++i) {
        for (int c = 0; c < 3; ++c) x[i][c] = y[i][c];
      }
    }
    if (has[static_cast<std::size_t>(k)]) {
      const auto& Kk = K[static_cast<std::size_t>(k)];
      double innovation[3];
      for (int c = 0; c < 3; ++c) innovation[c] = z(c, k) - x[0][c];
      for (int i = 0; i < M; ++i) {
        for (int c = 0; c < 3; ++c) x[i][c] += Kk[i] * innovation[c];
      }
    }
    double* st = states->data() + static_cast<std::size_t>(k) * M * 3;
    for (int i = 0; i < M; ++i) {
      for (int c = 0; c < 3; ++c) st[i * 3 + c] = x[i][c];
    }
    for (int c = 0; c < 3; ++c) (*out)(c, k) = x[0][c];
  }
  if (!smooth) return;
  // x holds the last filtered state = the last smoothed state.
  for (int k = L - 2; k >= 0; --k) {
    const double* xk = states->data() + static_cast<std::size_t>(k) * M * 3;
    const auto& Ck = C[static_cast<std::size_t>(k)];
    double d[M][3];
    for (int i = 0; i < M; ++i) {
      for (int c = 0; c < 3; ++c) {
        double v = 0.0;
        for (int j = 0; j < M; ++j) v += f[i][j] * xk[j * 3 + c];
        d[i][c] = x[i][c] - v;
      }
    }
    for (int i = 0; i < M; ++i) {
      for (int c = 0; c < 3; ++c) {
        double v = xk[i * 3 + c];
        for (int j = 0; j < M; ++j) v += Ck(i, j) * d[j][c];
        x[i][c] = v;
      }
    }
    for (int c = 0; c < 3; ++c) (*out)(c, k) = x[0][c];
  }
}

template <int M>
void smooth_all(const Eigen::Matrix<double, M, M>& Fm, const Eigen::Matrix<double, M, M>& Q, double R,
                const KalmanOptions& options, const double* in, const std::vector<char>& valid, int F, int J,
                SequenceResult* r) {
  GainTree<M> tree(Fm, Q, R);
  std::vector<Eigen::Matrix<double, M, 1>> K;
  std::vector<Eigen::Matrix<double, M, M>> C;
  std::vector<char> has;
  // The smoother keeps every filtered state (M x channels per frame): a
  // per-thread buffer reused across calls.
  thread_local std::vector<double> states;
  // Joints with the same segments share every gain: their coordinates go
  // through one track at once.
  for (const internal::JointGroup& g : internal::group_joints(valid, F, J)) {
    const std::vector<internal::Segment>& segs = g.segments;
    const int nc = 3 * g.num_joints;
    std::size_t s0 = 0;
    while (s0 < segs.size()) {
      // A track: segments joined across gaps of at most max_gap_frames.
      std::size_t s1 = s0 + 1;
      while (s1 < segs.size() && segs[s1].begin - segs[s1 - 1].end <= options.max_gap_frames) ++s1;
      const int b = segs[s0].begin, e = segs[s1 - 1].end;
      const int L = e - b;
      has.assign(static_cast<std::size_t>(L), 0);
      for (int k = 0; k < L; ++k) {
        has[static_cast<std::size_t>(k)] = valid[static_cast<std::size_t>(b + k) * J + g.first_joint];
      }
      tree.gains(has, &K, &C);
      const long col0 = static_cast<long>(b) * J + g.first_joint;
      const StridedConst z(in + 3 * col0, nc, L, Eigen::OuterStride<>(3L * J));
      Strided est(r->points.data() + 3 * col0, nc, L, Eigen::OuterStride<>(3L * J));
      if (nc == 3) {
        thread_local Eigen::Matrix3Xd zc, ec;
        zc = z;
        ec.resize(3, L);
        const StridedConst zmap(zc.data(), 3, L, Eigen::OuterStride<>(3));
        Strided emap(ec.data(), 3, L, Eigen::OuterStride<>(3));
        track_means3<M>(Fm, has, K, C, options.smooth, zmap, &emap, &states);
        est = ec;
      } else {
        track_means<M, Eigen::Dynamic>(Fm, has, K, C, options.smooth, z, &est, &states);
      }
      for (int k = 0; k < L; ++k) {
        const bool measured = has[static_cast<std::size_t>(k)];
        if (!measured && !options.fill_gaps) {
          est.col(k).setConstant(std::numeric_limits<double>::quiet_NaN());
          continue;
        }
        for (int jj = 0; jj < g.num_joints; ++jj) {
          r->states[static_cast<std::size_t>(col0 + static_cast<long>(k) * J + jj)] =
              measured ? SampleState::kFiltered : SampleState::kFilled;
        }
        if (!measured) r->num_filled += g.num_joints;
      }
      r->num_segments += static_cast<int>(s1 - s0) * g.num_joints;
      s0 = s1;
    }
  }
}

}  // namespace

void KalmanOptions::validate() const {
  if (!(measurement_noise > 0.0) || !std::isfinite(measurement_noise)) {
    throw std::invalid_argument("KalmanOptions: measurement_noise must be finite and > 0, got " +
                                num(measurement_noise));
  }
  if (!(process_noise >= 0.0) || !std::isfinite(process_noise)) {
    throw std::invalid_argument("KalmanOptions: process_noise must be finite and >= 0 (0 = from cutoff_hz), got " +
                                num(process_noise));
  }
  if (process_noise == 0.0 && (!(cutoff_hz > 0.0) || !std::isfinite(cutoff_hz))) {
    throw std::invalid_argument("KalmanOptions: cutoff_hz must be finite and > 0 when process_noise is 0, got " +
                                num(cutoff_hz));
  }
  if (max_gap_frames < 0) {
    throw std::invalid_argument("KalmanOptions: max_gap_frames must be >= 0, got " + std::to_string(max_gap_frames));
  }
}

SequenceResult kalman_smoother(const ConstPointsRef& sequence, int num_joints, double rate_hz,
                               const KalmanOptions& options, const ConstScoresRef& validity) {
  const std::string what = "kalman_smoother";
  const int F = require_sequence(sequence, num_joints, validity, what);
  options.validate();
  if (!(rate_hz > 0.0) || !std::isfinite(rate_hz)) {
    throw std::invalid_argument(what + ": rate_hz must be finite and > 0 (the frame rate), got " + num(rate_hz));
  }
  if (options.process_noise == 0.0 && !(options.cutoff_hz < 0.5 * rate_hz)) {
    throw std::invalid_argument(what + ": KalmanOptions::cutoff_hz must be below rate_hz / 2 = " + num(0.5 * rate_hz) +
                                ", got " + num(options.cutoff_hz));
  }
  const int J = num_joints;
  const double dt = 1.0 / rate_hz;
  const int m = options.model == MotionModel::kConstantVelocity ? 2 : 3;
  // Scaled state (p, v dt, a dt^2): Q_scaled = q dt^(2m-1) * N.
  double R = options.measurement_noise * options.measurement_noise;
  double q_scaled;  // q dt^(2m - 1)
  if (options.process_noise > 0.0) {
    q_scaled = options.process_noise * options.process_noise * std::pow(dt, 2 * m - 1);
  } else {
    q_scaled = R * std::pow(2.0 * kPi * options.cutoff_hz * dt, 2 * m);
  }
  SequenceResult r = internal::make_result(F, J);
  const internal::ContiguousSequence in(sequence);
  const std::vector<char> valid = valid_samples(sequence, validity);
  if (m == 2) {
    Eigen::Matrix2d F2, Q2;
    F2 << 1, 1, 0, 1;
    Q2 << 1.0 / 3, 0.5, 0.5, 1.0;
    smooth_all<2>(F2, Q2 * q_scaled, R, options, in.data(), valid, F, J, &r);
  } else {
    Eigen::Matrix3d F3, Q3;
    F3 << 1, 1, 0.5, 0, 1, 1, 0, 0, 1;
    Q3 << 1.0 / 20, 1.0 / 8, 1.0 / 6, 1.0 / 8, 1.0 / 3, 0.5, 1.0 / 6, 0.5, 1.0;
    smooth_all<3>(F3, Q3 * q_scaled, R, options, in.data(), valid, F, J, &r);
  }
  internal::finish(&r, what);
  return r;
}

}  // namespace crossview::temporal
