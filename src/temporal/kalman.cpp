// Kalman filter / Rauch-Tung-Striebel smoother of crossview::temporal (see
// include/crossview/temporal/filters.hpp).
//
// The state is kept in scaled units (position, velocity * dt, acceleration *
// dt^2), so the transition matrix is free of dt and the diffuse prior is
// 1e6 R * identity: far better conditioned than the raw state for the
// smoother's (P^-)^-1. The three coordinates share the model and the missing
// pattern, so one covariance recursion serves them (the state is m x 3), and
// the gains are memoised along the missing pattern (GainTree) for all joints.
#include <crossview/temporal/filters.hpp>

#include "internal.hpp"

#include <Eigen/Core>

#include <cmath>
#include <deque>
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
/// After a gap the covariance converges back geometrically but may settle on a
/// neighbouring bitwise pattern, so a measured step that comes within kSnap
/// (1e-11 of the largest entry) of the steady state is mapped to it: the gains
/// after equal gaps are shared (10 % missing in gaps of 1-20 frames: 1.4x
/// faster). Results differ from the direct recursion by that rounding only
/// (positions ~1e-11 relative; the dense-solve test holds them to 1e-8).
template <int M>
class GainTree {
 public:
  using Mat = Eigen::Matrix<double, M, M>;
  using Vec = Eigen::Matrix<double, M, 1>;

  GainTree(const Mat& Fm, const Mat& Q, double R) : Fm_(Fm), Q_(Q), R_(R) {
    nodes_.reserve(256);
    nodes_.push_back(Node{Mat::Identity() * (kDiffuse * R), {}});  // 0: before a track's first frame
  }

  struct Edge {
    int target = -1;
    Vec K = Vec::Zero();
    Mat C = Mat::Zero();
  };

  /// The edges (gains) of a track with missing pattern `has` (has[0] true):
  /// ids[k] identifies the edge taken at frame k, which carries K_k and
  /// C_{k-1}; read them with edge(id).
  void edges(const std::vector<char>& has, int* ids) {
    const int L = static_cast<int>(has.size());
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
          } else if (h && near_fixed_point(P)) {
            e.target = fixed_point_;  // back at the steady state (to rounding)
          } else if (nodes_.size() < kMaxNodes) {
            e.target = static_cast<int>(nodes_.size());
            nodes_.push_back(Node{P, {}});
          }
          if (e.target < 0) {  // no room: go on without memoising
            ids[k] = overflow(e);
            node = -1;
            continue;
          }
          nodes_[static_cast<std::size_t>(node)].edge[h] = e;
        }
        ids[k] = 2 * node + h;
        node = nodes_[static_cast<std::size_t>(node)].edge[h].target;
      } else {
        Edge e;
        P = step(P, h, false, &e);
        ids[k] = overflow(e);
        // Back on the tree at the steady state.
        if (h && near_fixed_point(P)) {
          node = fixed_point_;
        }
      }
    }
  }

  const Edge& edge(int id) const {
    return id >= 0 ? nodes_[static_cast<std::size_t>(id >> 1)].edge[id & 1]
                   : overflow_[static_cast<std::size_t>(-id - 1)];
  }

 private:
  static constexpr std::size_t kMaxNodes = 4096;  // ~1.2 MB

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

  /// True when P equals the steady-state covariance to within kSnap of its
  /// largest entry: the recursion converges there geometrically but may settle
  /// on a neighbouring bitwise pattern, so every return after a gap is mapped
  /// to the one steady state and the gains after equal gaps are shared.
  bool near_fixed_point(const Mat& P) const {
    if (fixed_point_ < 0) return false;
    const Mat& S = nodes_[static_cast<std::size_t>(fixed_point_)].P;
    return (P - S).cwiseAbs().maxCoeff() <= kSnap * S.cwiseAbs().maxCoeff();
  }
  static constexpr double kSnap = 1e-11;

  Mat Fm_, Q_;
  double R_;
  int overflow(const Edge& e) {
    overflow_.push_back(e);
    return -static_cast<int>(overflow_.size());
  }

  std::vector<Node> nodes_;
  std::deque<Edge> overflow_;  ///< gains computed while the tree was full (grows without copies)
  int fixed_point_ = -1;  ///< a node whose measured edge loops (the steady state)
};

/// Every track of every joint: gains from the tree (one traversal per track
/// along its missing pattern), then the means of all joints together, frame
/// by frame (memory in the sequence's own order), forward (filter) and, with
/// options.smooth, backward (Rauch-Tung-Striebel).
template <int M>
void smooth_all(const Eigen::Matrix<double, M, M>& Fm, const Eigen::Matrix<double, M, M>& Q, double R,
                const KalmanOptions& options, const double* in, const std::vector<char>& valid, int F, int J,
                SequenceResult* r) {
  constexpr int kNone = std::numeric_limits<int>::min();
  const std::size_t N = static_cast<std::size_t>(F) * J;
  GainTree<M> tree(Fm, Q, R);
  std::vector<int> edge_id(N, kNone);
  std::vector<char> first(N, 0), last(N, 0), has;
  std::vector<int> ids;
  for (int j = 0; j < J; ++j) {
    const std::vector<internal::Segment> segs = internal::segments_of(valid, F, J, j);
    std::size_t s0 = 0;
    while (s0 < segs.size()) {
      // A track: segments joined across gaps of at most max_gap_frames.
      std::size_t s1 = s0 + 1;
      while (s1 < segs.size() && segs[s1].begin - segs[s1 - 1].end <= options.max_gap_frames) ++s1;
      const int b = segs[s0].begin, e = segs[s1 - 1].end;
      const int L = e - b;
      has.assign(static_cast<std::size_t>(L), 0);
      for (int k = 0; k < L; ++k) has[static_cast<std::size_t>(k)] = valid[static_cast<std::size_t>(b + k) * J + j];
      ids.resize(static_cast<std::size_t>(L));
      tree.edges(has, ids.data());
      for (int k = 0; k < L; ++k) edge_id[static_cast<std::size_t>(b + k) * J + j] = ids[static_cast<std::size_t>(k)];
      first[static_cast<std::size_t>(b) * J + j] = 1;
      last[static_cast<std::size_t>(e - 1) * J + j] = 1;
      r->num_segments += static_cast<int>(s1 - s0);
      s0 = s1;
    }
  }
  double f_[M][M];
  for (int a = 0; a < M; ++a) {
    for (int b = 0; b < M; ++b) f_[a][b] = Fm(a, b);
  }
  // Filtered states, M x 3 per sample: a per-thread buffer reused across calls.
  thread_local std::vector<double> states;
  states.resize(N * M * 3);
  std::vector<double> x(static_cast<std::size_t>(J) * M * 3, 0.0);
  double* out = r->points.data();
  for (std::size_t i = 0; i < N; ++i) {
    const int id = edge_id[i];
    if (id == kNone) continue;
    double* xj = x.data() + (i % static_cast<std::size_t>(J)) * M * 3;
    const double* z = in + 3 * i;
    if (first[i]) {
      for (int a = 0; a < M * 3; ++a) xj[a] = 0.0;
      for (int c = 0; c < 3; ++c) xj[c] = z[c];
    } else {
      double y[M * 3];
      for (int a = 0; a < M; ++a) {
        for (int c = 0; c < 3; ++c) {
          double v = 0.0;
          for (int b = 0; b < M; ++b) v += f_[a][b] * xj[b * 3 + c];
          y[a * 3 + c] = v;
        }
      }
      for (int a = 0; a < M * 3; ++a) xj[a] = y[a];
    }
    if (valid[i]) {
      const auto& K = tree.edge(id).K;
      double innovation[3];
      for (int c = 0; c < 3; ++c) innovation[c] = z[c] - xj[c];
      for (int a = 0; a < M; ++a) {
        for (int c = 0; c < 3; ++c) xj[a * 3 + c] += K[a] * innovation[c];
      }
    }
    double* st = states.data() + i * M * 3;
    for (int a = 0; a < M * 3; ++a) st[a] = xj[a];
    for (int c = 0; c < 3; ++c) out[3 * i + c] = xj[c];
  }
  if (options.smooth) {
    // x now holds, per joint, whatever the last frame left: reset per track end.
    for (std::size_t ii = N; ii-- > 0;) {
      if (edge_id[ii] == kNone) continue;
      double* sm = x.data() + (ii % static_cast<std::size_t>(J)) * M * 3;
      const double* xk = states.data() + ii * M * 3;
      if (last[ii]) {
        for (int a = 0; a < M * 3; ++a) sm[a] = xk[a];
      } else {
        const auto& C = tree.edge(edge_id[ii + static_cast<std::size_t>(J)]).C;  // C_k sits on frame k+1's edge
        double d[M * 3];
        for (int a = 0; a < M; ++a) {
          for (int c = 0; c < 3; ++c) {
            double v = 0.0;
            for (int b = 0; b < M; ++b) v += f_[a][b] * xk[b * 3 + c];
            d[a * 3 + c] = sm[a * 3 + c] - v;
          }
        }
        for (int a = 0; a < M; ++a) {
          for (int c = 0; c < 3; ++c) {
            double v = xk[a * 3 + c];
            for (int b = 0; b < M; ++b) v += C(a, b) * d[b * 3 + c];
            sm[a * 3 + c] = v;
          }
        }
      }
      for (int c = 0; c < 3; ++c) out[3 * ii + c] = sm[c];
    }
  }
  for (std::size_t i = 0; i < N; ++i) {
    if (edge_id[i] == kNone) continue;
    if (valid[i]) {
      r->states[i] = SampleState::kFiltered;
    } else if (options.fill_gaps) {
      r->states[i] = SampleState::kFilled;
      ++r->num_filled;
    } else {
      for (int c = 0; c < 3; ++c) out[3 * i + c] = std::numeric_limits<double>::quiet_NaN();
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
