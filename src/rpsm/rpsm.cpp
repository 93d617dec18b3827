// crossview::rpsm: implementation of rpsm::estimate / rpsm::refine (the model,
// grids and costs are documented in include/crossview/rpsm/rpsm.hpp). Compiled
// once into crossview::crossview; the internals below have internal linkage.
#include <crossview/rpsm/rpsm.hpp>

#include "level0_messages.hpp"
#include "unary_kernels.hpp"

#include <Eigen/Core>
#include <Eigen/Cholesky>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace crossview::rpsm {

namespace detail {
namespace {


constexpr float kNegInf = -std::numeric_limits<float>::infinity();

using Clock = std::chrono::steady_clock;
inline double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

/// Calls fn(begin, end, thread_index) on num_threads contiguous chunks of [0, n).
template <class F>
void parallel_chunks(int n, int num_threads, F&& fn) {
  const int t = std::max(1, std::min(num_threads, n));
  if (t == 1) {
    fn(0, n, 0);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(t - 1);
  for (int i = 1; i < t; ++i) {
    const int b = static_cast<int>(static_cast<long long>(n) * i / t);
    const int e = static_cast<int>(static_cast<long long>(n) * (i + 1) / t);
    pool.emplace_back([&fn, b, e, i] { fn(b, e, i); });
  }
  fn(0, static_cast<int>(static_cast<long long>(n) / t), 0);
  for (auto& th : pool) th.join();
}

/// Per-joint view statistics used by the unary.
struct Prep {
  int num_joints = 0;
  int num_views = 0;
  /// Per joint, eps of kMeanLog in the units of the scaled heatmaps:
  /// log_epsilon (normalised heatmaps) or log_epsilon x the joint's largest
  /// raw value over the views (HeatmapNormalization::kNone).
  std::vector<float> eps;
  /// [view * J + joint]: the heatmap is not uniform (a uniform or all-zero
  /// heatmap carries no information and is ignored).
  std::vector<unsigned char> informative;
  /// [view * J + joint]: the factor applied to the heatmap's values: 1 / its
  /// maximum (kPerViewJointMax), 1 (kNone), 0 when not informative.
  std::vector<double> scale;
  /// [view * J + joint]: scaled value from which a sample counts as heatmap
  /// support: log_epsilon x the heatmap's scaled maximum.
  std::vector<float> support_threshold;
  /// [view * J + joint]: the heatmap's largest raw value.
  std::vector<float> max_value;
  std::vector<float> inv_count;             ///< per joint: 1 / #informative views
  std::vector<int> informative_count;       ///< per joint: #informative views
  bool clamp = false;                       ///< OutsideHeatmap::kNearestPixel
  /// Per view the scaled heatmaps transposed pixel-major, [(v * W + u) * J + j],
  /// so that one bilinear footprint serves all joints from contiguous memory.
  std::vector<std::vector<float>> pixel_major;
};

/// Shape checks (throw) then value checks (status). Fills prep.
inline Status check_views(const std::vector<pose::HeatmapView>& views,
                          const pose::Skeleton& skeleton, const RpsmOptions& options, Prep* prep,
                          std::string* message) {
  const int nj = skeleton.num_joints();
  if (nj == 0) throw std::invalid_argument("rpsm: the skeleton has no joints");
  if (!skeleton.is_tree()) {
    throw std::invalid_argument("rpsm: skeleton '" + skeleton.model_name() +
                                "' is not a tree; RPSM's message passing needs a kinematic tree (one root, "
                                "num_joints - 1 limbs joining every joint)");
  }
  for (const auto& [p, c] : skeleton.limbs()) {
    const pose::LimbPrior& prior = skeleton.limb_prior(c);
    const double tol = options.limb_tolerance > 0.0 ? options.limb_tolerance : prior.tolerance;
    if (!(prior.mean > 0.0)) {
      throw std::invalid_argument("rpsm: limb '" + skeleton.name(p) + "' -> '" + skeleton.name(c) +
                                  "' has no length prior (mean 0); set the skeleton's limb "
                                  "priors (pose::estimate_limb_lengths)");
    }
    if (options.pairwise == PairwiseModel::kGaussian && !(tol > 0.0)) {
      throw std::invalid_argument("rpsm: limb '" + skeleton.name(p) + "' -> '" + skeleton.name(c) +
                                  "' has tolerance 0, the Gaussian pairwise needs > 0");
    }
  }
  if (views.empty()) {
    *message = "no views";
    return Status::kNoViews;
  }
  const int nv = static_cast<int>(views.size());
  for (int v = 0; v < nv; ++v) {
    const pose::ViewHeatmaps& h = views[v].heatmaps;
    if (h.num_joints() != nj) {
      throw std::invalid_argument("rpsm: view " + std::to_string(v) + " has heatmaps for " +
                                  std::to_string(h.num_joints()) + " joints, the skeleton has " +
                                  std::to_string(nj));
    }
    if (h.data().size() != static_cast<std::size_t>(nj) * h.height() * h.width()) {
      throw std::invalid_argument("rpsm: view " + std::to_string(v) + " heatmap buffer has " +
                                  std::to_string(h.data().size()) + " values, expected J*H*W = " +
                                  std::to_string(static_cast<std::size_t>(nj) * h.height() *
                                                 h.width()));
    }
  }
  prep->num_joints = nj;
  prep->num_views = nv;
  prep->clamp = options.outside_heatmap == OutsideHeatmap::kNearestPixel;
  const std::size_t nvj = static_cast<std::size_t>(nv) * nj;
  prep->eps.assign(nj, 0.0f);
  prep->informative.assign(nvj, 0);
  prep->scale.assign(nvj, 0.0);
  prep->support_threshold.assign(nvj, std::numeric_limits<float>::infinity());
  prep->inv_count.assign(nj, 0.0f);
  prep->informative_count.assign(nj, 0);
  std::vector<float> max_per_joint(nj, 0.0f);
  prep->max_value.assign(nvj, 0.0f);
  std::vector<float>& max_vj = prep->max_value;
  for (int v = 0; v < nv; ++v) {
    const pose::ViewHeatmaps& h = views[v].heatmaps;
    const std::size_t hw = static_cast<std::size_t>(h.height()) * h.width();
    if (hw == 0) throw std::invalid_argument("rpsm: view " + std::to_string(v) + " has empty heatmaps");
    for (int j = 0; j < nj; ++j) {
      const float* d = h.joint(j);
      // Largest and smallest value, and whether one is NaN; Inf shows in them.
      // The first value seeds both, so a uniform heatmap has mx == mn.
      float mx = d[0], mn = d[0];
      bool nan = std::isnan(d[0]);
      std::size_t i = 0;
#if defined(__SSE2__)
      // 16 values per step in independent chains (one accumulating add per
      // step was the loop's latency bound); a pairwise unordered compare
      // flags NaNs, which _mm_max_ps / _mm_min_ps drop in one operand order.
      __m128 vmx0 = _mm_set1_ps(mx), vmx1 = vmx0, vmn0 = vmx0, vmn1 = vmx0, vnan = _mm_setzero_ps();
      for (; i + 16 <= hw; i += 16) {
        const __m128 a = _mm_loadu_ps(d + i), b = _mm_loadu_ps(d + i + 4);
        const __m128 c = _mm_loadu_ps(d + i + 8), e = _mm_loadu_ps(d + i + 12);
        vmx0 = _mm_max_ps(vmx0, _mm_max_ps(a, b));
        vmx1 = _mm_max_ps(vmx1, _mm_max_ps(c, e));
        vmn0 = _mm_min_ps(vmn0, _mm_min_ps(a, b));
        vmn1 = _mm_min_ps(vmn1, _mm_min_ps(c, e));
        vnan = _mm_or_ps(vnan, _mm_or_ps(_mm_cmpunord_ps(a, b), _mm_cmpunord_ps(c, e)));
      }
      float buf[4];
      _mm_storeu_ps(buf, _mm_max_ps(vmx0, vmx1));
      mx = std::max(std::max(buf[0], buf[1]), std::max(buf[2], buf[3]));
      _mm_storeu_ps(buf, _mm_min_ps(vmn0, vmn1));
      mn = std::min(std::min(buf[0], buf[1]), std::min(buf[2], buf[3]));
      nan = nan || _mm_movemask_ps(vnan) != 0;
#endif
      for (; i < hw; ++i) {
        mx = std::max(mx, d[i]);
        mn = std::min(mn, d[i]);
        nan = nan || std::isnan(d[i]);
      }
      const bool finite = !nan && mx < std::numeric_limits<float>::infinity() &&
                          mn > -std::numeric_limits<float>::infinity();
      const bool negative = mn < 0.0f;
      if (!finite || negative) {
        *message = "view " + std::to_string(v) + " heatmap of joint '" + skeleton.name(j) +
                   "' has " + (finite ? "negative values" : "NaN or Inf values");
        return Status::kInvalidHeatmaps;
      }
      // Informative: not uniform, and a maximum in float's normal range (a
      // subnormal maximum leaves the map's shape a few bits of rounding noise;
      // its reciprocal would overflow a float).
      const std::size_t k = static_cast<std::size_t>(v) * nj + j;
      prep->informative[k] = mx > mn && mx >= std::numeric_limits<float>::min();
      max_vj[k] = mx;
      if (prep->informative[k]) max_per_joint[j] = std::max(max_per_joint[j], mx);
    }
  }
  const bool normalise = options.heatmap_normalization == HeatmapNormalization::kPerViewJointMax;
  for (int j = 0; j < nj; ++j) {
    int count = 0;
    for (int v = 0; v < nv; ++v) count += prep->informative[static_cast<std::size_t>(v) * nj + j];
    if (count == 0) {
      *message = "joint '" + skeleton.name(j) + "' has no informative heatmap: it is uniform (all zero or "
                 "constant) or below float's normal range in every view";
      return Status::kEmptyHeatmaps;
    }
    prep->informative_count[j] = count;
    prep->inv_count[j] = 1.0f / static_cast<float>(count);
    prep->eps[j] = static_cast<float>(options.log_epsilon) * (normalise ? 1.0f : max_per_joint[j]);
    for (int v = 0; v < nv; ++v) {
      const std::size_t k = static_cast<std::size_t>(v) * nj + j;
      if (!prep->informative[k]) continue;
      // 1 / max is exact up to one rounding and scales exactly with a power
      // of two, so normalised values do too.
      prep->scale[k] = normalise ? 1.0 / static_cast<double>(max_vj[k]) : 1.0;
      prep->support_threshold[k] =
          static_cast<float>(options.log_epsilon * static_cast<double>(max_vj[k]) * prep->scale[k]);
    }
  }
  return Status::kSuccess;
}

/// Views whose heatmaps are uninformative (uniform) for every joint.
inline std::vector<int> uninformative_views(const Prep& prep) {
  std::vector<int> out;
  for (int v = 0; v < prep.num_views; ++v) {
    bool any = false;
    for (int j = 0; j < prep.num_joints; ++j) {
      any = any || prep.informative[static_cast<std::size_t>(v) * prep.num_joints + j] != 0;
    }
    if (!any) out.push_back(v);
  }
  return out;
}

/// With OutsideHeatmap::kNearestPixel the unary reads a heatmap value below
/// kFlushBelow x the map's maximum as 0: far below kMeanLog's eps (eps +
/// value is unchanged, in float and in double, for log_epsilon >= 2^-11, the
/// default 1e-3 included; below that it moves by < 2^-64 of the maximum) and
/// the support threshold, it keeps the Gaussian tails' subnormal floats out
/// of the float arithmetic, where each costs a microcode assist (estimate on
/// synthetic Gaussian heatmaps: more than half of its time). kZero keeps
/// every value (the reference's sampler works in double).
constexpr float kFlushBelow = 0x1p-64f;

/// Fills prep->pixel_major with the scaled heatmaps (used by the level-0
/// unary, where every bin samples all joints at once). The scale is applied
/// in float: value * float(1 / max) scales exactly with a power of two, and
/// so does the flush threshold (kFlushBelow x max).
inline void make_pixel_major(const std::vector<pose::HeatmapView>& views, Prep* prep) {
  const int nv = prep->num_views, nj = prep->num_joints;
  prep->pixel_major.resize(nv);
  for (int v = 0; v < nv; ++v) {
    const pose::ViewHeatmaps& h = views[v].heatmaps;
    const std::size_t hw = static_cast<std::size_t>(h.height()) * h.width();
    std::vector<float>& t = prep->pixel_major[v];
    t.resize(hw * nj);
    for (int j = 0; j < nj; ++j) {
      const float* d = h.joint(j);
      const std::size_t k = static_cast<std::size_t>(v) * nj + j;
      const float s = static_cast<float>(prep->scale[k]);
      const float cut = prep->clamp ? prep->max_value[k] * kFlushBelow : 0.0f;
      if (s == 0.0f) {  // uninformative
        for (std::size_t i = 0; i < hw; ++i) t[i * nj + j] = 0.0f;
      } else if (s == 1.0f && cut == 0.0f) {
        for (std::size_t i = 0; i < hw; ++i) t[i * nj + j] = d[i];
      } else {
        // Select before multiplying: a subnormal operand costs an assist.
        for (std::size_t i = 0; i < hw; ++i) t[i * nj + j] = (d[i] < cut ? 0.0f : d[i]) * s;
      }
    }
  }
}

/// Points per block of the unary: projected together, one camera-model
/// dispatch per view and block.
constexpr int kBlock = 64;

/// Heatmap coordinates of points i0 .. i0 + n - 1 (n <= kBlock) in view v (see
/// project_to_heatmap); `point_in_cam(v, i)` gives point i in the camera frame.
template <class PointInCam>
void project_block(const pose::HeatmapView& view, int v, int i0, int n,
                   const PointInCam& point_in_cam, bool clamp, double* qx, double* qy) {
  double X[kBlock], Y[kBlock], Z[kBlock];
  for (int i = 0; i < n; ++i) {
    const Eigen::Vector3d p = point_in_cam(v, i0 + i);
    X[i] = p.x();
    Y[i] = p.y();
    Z[i] = p.z();
  }
  camera::dispatch_model(view.camera.model(), [&](auto model) {
    project_to_heatmap<decltype(model)>(view, n, X, Y, Z, qx, qy, clamp);
  });
}

// kSum accumulates the sum over the views; kMeanLog the product of (eps_j +
// h) over the views where joint j is informative (a factor 1 elsewhere),
// folded into a log every kFold views so that the product cannot underflow:
// one log per (joint, point) per kFold views instead of one per view.
constexpr int kFold = 8;

/// Combined unary (log domain) of joint j at m points (the recursive levels
/// and the final scores): out[i]. `point_in_cam(v, i)` gives point i in view
/// v's camera frame; it is projected through the view's camera model,
/// distortion included, sampled (bilinear on clamped coordinates for
/// kNearestPixel, the reference's sampler for kZero) and scaled
/// (Prep::scale). Per point the same operations in the same view order as a
/// loop over the views per point. `view_support` (optional, one flag per
/// view) is set for the views in which some point's scaled sample reaches
/// the heatmap's support threshold.
template <class PointInCam>
void eval_unary_joint(const std::vector<pose::HeatmapView>& views, const Prep& prep,
                      ViewCombination combination, int m, int j, const PointInCam& point_in_cam,
                      float* out, unsigned char* view_support = nullptr) {
  const bool sum = combination == ViewCombination::kSum;
  const int J = prep.num_joints;
  const double eps = prep.eps[j];
  for (int i0 = 0; i0 < m; i0 += kBlock) {
    const int n = std::min(kBlock, m - i0);
    double acc[kBlock], log_acc[kBlock];  // sum, or product since the last fold
    std::fill(acc, acc + n, sum ? 0.0 : 1.0);
    std::fill(log_acc, log_acc + n, 0.0);
    for (int v = 0; v < prep.num_views; ++v) {
      // A view whose heatmap of j is uniform carries no information: it is
      // skipped (as if the view did not exist for j).
      const std::size_t k = static_cast<std::size_t>(v) * J + j;
      if (!prep.informative[k]) continue;
      const pose::ViewHeatmaps& hm = views[v].heatmaps;
      double qx[kBlock], qy[kBlock];
      project_block(views[v], v, i0, n, point_in_cam, prep.clamp, qx, qy);
      double vals[kBlock];
      const double scale = prep.scale[k];
      if (prep.clamp) {
        float fv[kBlock];
        bilinear_samples(hm.joint(j), hm.width(), hm.height(), n, qx, qy, fv);
        const float cut = prep.max_value[k] * kFlushBelow;  // as in make_pixel_major
        for (int i = 0; i < n; ++i) vals[i] = fv[i] < cut ? 0.0 : static_cast<double>(fv[i]) * scale;
      } else {
        zero_samples(hm.joint(j), hm.width(), hm.height(), n, qx, qy, vals);
        if (scale != 1.0) {
          for (int i = 0; i < n; ++i) vals[i] *= scale;
        }
      }
      if (view_support != nullptr && !view_support[v]) {
        const double threshold = prep.support_threshold[k];
        for (int i = 0; i < n; ++i) {
          if (vals[i] >= threshold) {
            view_support[v] = 1;
            break;
          }
        }
      }
      if (sum) {
        for (int i = 0; i < n; ++i) acc[i] += vals[i];
      } else {
        for (int i = 0; i < n; ++i) acc[i] *= eps + vals[i];
        if ((v + 1) % kFold == 0) {
          for (int i = 0; i < n; ++i) {
            log_acc[i] += std::log(acc[i]);
            acc[i] = 1.0;
          }
        }
      }
    }
    for (int i = 0; i < n; ++i) {
      out[i0 + i] = sum ? (acc[i] > 0.0 ? static_cast<float>(std::log(acc[i])) : kNegInf)
                        : static_cast<float>(prep.inv_count[j] * (log_acc[i] + std::log(acc[i])));
    }
  }
}

/// Combined unary (log domain) of every joint at m points (level 0), from
/// the pixel-major scaled heatmaps (make_pixel_major): out[j * m + i];
/// point_in_cam as in eval_unary_joint. support[v * J + j] is set when view
/// v's scaled sample of joint j reaches its support threshold at some point.
template <class PointInCam>
void eval_unary(const std::vector<pose::HeatmapView>& views, const Prep& prep,
                ViewCombination combination, int m, const PointInCam& point_in_cam, float* out,
                unsigned char* support) {
  const bool sum = combination == ViewCombination::kSum;
  const int nj = prep.num_joints;
  double qx[kBlock], qy[kBlock];
  using ArrayXf = Eigen::ArrayXf;
  Eigen::ArrayXXf acc = Eigen::ArrayXXf::Constant(nj, m, sum ? 0.0f : 1.0f);
  Eigen::ArrayXXf log_acc = Eigen::ArrayXXf::Zero(sum ? 0 : nj, sum ? 0 : m);
  ArrayXf eps_v(nj), mask_v(nj);
  ArrayXf peak_val(nj);  // per view, the largest scaled sample per joint
  for (int v = 0; v < prep.num_views; ++v) {
    for (int j = 0; j < nj; ++j) {
      const bool inf = prep.informative[static_cast<std::size_t>(v) * nj + j] != 0;
      eps_v[j] = inf ? prep.eps[j] : 1.0f;
      mask_v[j] = inf ? 1.0f : 0.0f;
    }
    peak_val.setZero();
    const int W = views[v].heatmaps.width(), H = views[v].heatmaps.height();
    for (int i0 = 0; i0 < m; i0 += kBlock) {
      const int n = std::min(kBlock, m - i0);
      project_block(views[v], v, i0, n, point_in_cam, prep.clamp, qx, qy);
      {
        // All joints at once from contiguous memory: plain loops over the joints that
        // the compiler vectorises (Eigen's dynamic-size expressions here cost ~4x the
        // arithmetic in temporaries and size checks). An uninformative heatmap was
        // scaled to 0 (x = 0; mean-log multiplies by 1 + 0).
        const float* t = prep.pixel_major[v].data();
        const float* eps = eps_v.data();
        const float* mask = mask_v.data();
        float* peak = peak_val.data();
        for (int ib = 0; ib < n; ++ib) {
          float* a = acc.data() + static_cast<std::size_t>(i0 + ib) * nj;
          if (prep.clamp) {
            const Footprint f = footprint(W, H, qx[ib], qy[ib]);
            const float* t0 = t + static_cast<std::size_t>(f.idx[0]) * nj;
            const float* t1 = t + static_cast<std::size_t>(f.idx[1]) * nj;
            const float* t2 = t + static_cast<std::size_t>(f.idx[2]) * nj;
            const float* t3 = t + static_cast<std::size_t>(f.idx[3]) * nj;
            const float w0 = f.w[0], w1 = f.w[1], w2 = f.w[2], w3 = f.w[3];
            if (sum) {
              for (int jj = 0; jj < nj; ++jj) {
                const float x = w0 * t0[jj] + w1 * t1[jj] + w2 * t2[jj] + w3 * t3[jj];
                a[jj] += x;
                peak[jj] = peak[jj] < x ? x : peak[jj];
              }
            } else {
              for (int jj = 0; jj < nj; ++jj) {
                const float x = w0 * t0[jj] + w1 * t1[jj] + w2 * t2[jj] + w3 * t3[jj];
                a[jj] *= eps[jj] + mask[jj] * x;
                peak[jj] = peak[jj] < x ? x : peak[jj];
              }
            }
          } else {
            // The reference's sampler (zero_footprint): the sample in double, in
            // scipy's order, rounded once to the float accumulators.
            const ZeroFootprint f = zero_footprint(W, H, qx[ib], qy[ib]);
            if (f.w[0] == 0.0 && f.w[1] == 0.0 && f.w[2] == 0.0 && f.w[3] == 0.0) {
              if (!sum) {
                for (int jj = 0; jj < nj; ++jj) a[jj] *= eps[jj];
              }
              continue;
            }
            for (int jj = 0; jj < nj; ++jj) {
              const float x = static_cast<float>(zero_sample_pixel_major(t, nj, f, jj));
              if (sum) {
                a[jj] += x;
              } else {
                a[jj] *= eps[jj] + mask[jj] * x;
              }
              peak[jj] = peak[jj] < x ? x : peak[jj];
            }
          }
        }
      }
    }
    for (int jj = 0; jj < nj; ++jj) {
      const std::size_t k = static_cast<std::size_t>(v) * nj + jj;
      if (peak_val[jj] >= prep.support_threshold[k]) support[k] = 1;
    }
    if (!sum && ((v + 1) % kFold == 0 || v + 1 == prep.num_views)) {
      log_acc += acc.log();
      acc.setOnes();
    }
  }
  for (int jj = 0; jj < nj; ++jj) {
    float* o = out + static_cast<std::size_t>(jj) * m;
    if (sum) {
      for (int i = 0; i < m; ++i) o[i] = acc(jj, i) > 0.0f ? std::log(acc(jj, i)) : kNegInf;
    } else {
      const float s = prep.inv_count[jj];
      for (int i = 0; i < m; ++i) o[i] = s * log_acc(jj, i);
    }
  }
}

/// Linear-form score of a log-domain unary value.
inline double linear_score(float log_value) {
  return log_value == kNegInf ? 0.0 : std::exp(static_cast<double>(log_value));
}

struct LimbModel {
  double length = 0.0;
  double tolerance = 0.0;
  double sigma = 0.0;
};

/// Pairwise log-potential of a limb at distance d (kNegInf when forbidden).
inline float pairwise_log(const LimbModel& limb, PairwiseModel model, double d) {
  const double dev = d - limb.length;
  if (model == PairwiseModel::kHardIndicator) {
    return std::abs(dev) <= limb.tolerance ? 0.0f : kNegInf;
  }
  // In units of sigma first: with a tiny sigma (validated > 0, but it may be
  // subnormal) sigma^2 underflows to 0 and -dev^2 / (2 sigma^2) is 0/0 = NaN
  // at dev = 0 (found by fuzz_rpsm: a NaN weight broke the max-sum
  // backtracking). A log-weight below the float range is -inf, not an
  // out-of-range cast.
  if (dev == 0.0) return 0.0f;
  const double z = dev / limb.sigma;
  const double log_weight = -0.5 * z * z;
  return log_weight >= -static_cast<double>(std::numeric_limits<float>::max())
             ? static_cast<float>(log_weight)
             : kNegInf;
}

/// True when a bound proves that the hard-indicator table of a limb is all
/// zero: over the candidate pairs d = |centre_diff + e| with |e| <=
/// max_displacement, so |d - L| <= | |centre_diff| - L | + max_displacement
/// (triangle inequality). The margin, 1e-12 of the lengths involved, is ~10^4
/// times the rounding of the computed distances, so every entry that the
/// table would hold is exactly 0 when this returns true (false is always safe).
inline bool hard_table_all_zero(const LimbModel& limb, const Eigen::Vector3d& centre_diff,
                                double max_displacement) {
  const double centre = centre_diff.norm();
  const double margin = 1e-12 * (centre + max_displacement + limb.length);
  return std::abs(centre - limb.length) + max_displacement <= limb.tolerance - margin;
}

/// The limb model used between candidates `spacing` apart. The Gaussian
/// compares distances between grid points, each of which stands for the
/// continuous position it quantises (an offset uniform over a cell of side
/// `spacing`, variance spacing^2 / 12 per axis), so the distance between two
/// candidates deviates from the true limb length by an extra term of variance
/// ~ 2 spacing^2 / 12 = spacing^2 / 6 along the limb; its variance is added to
/// sigma^2. The prior is the user's sigma in the limit of fine grids; on the
/// 125 mm level-0 grid a tight sigma no longer excludes the true pose. The
/// hard indicator keeps its tolerance as given (the reference's semantics).
inline LimbModel at_spacing(const LimbModel& limb, double spacing) {
  LimbModel q = limb;
  q.sigma = std::sqrt(limb.sigma * limb.sigma + spacing * spacing / 6.0);
  return q;
}

inline OffsetSet limb_offsets(const LimbModel& limb, PairwiseModel model, double spacing,
                              int max_radius_bins) {
  OffsetSet o;
  const double reach = model == PairwiseModel::kHardIndicator ? limb.tolerance : 3.0 * limb.sigma;
  const double r_max = (limb.length + reach) / spacing;
  // Clamp in double before the cast: a huge finite tolerance (or a NaN) must not
  // reach static_cast<int> out of range (undefined behaviour; a wild loop bound).
  const double r_clamped = std::floor(r_max);
  const int r = r_clamped >= 0.0 ? static_cast<int>(std::min<double>(max_radius_bins, r_clamped)) : -1;
  for (int z = -r; z <= r; ++z) {
    for (int y = -r; y <= r; ++y) {
      for (int x = -r; x <= r; ++x) {
        const double d = spacing * std::sqrt(static_cast<double>(x * x + y * y + z * z));
        if (std::abs(d - limb.length) > reach) continue;
        const float w = pairwise_log(limb, model, d);
        if (w == kNegInf) continue;
        o.dz.push_back(z);
        o.dy.push_back(y);
        o.dx.push_back(x);
        o.weight.push_back(w);
        if (w != 0.0f) o.all_zero_weight = false;
      }
    }
  }
  make_runs(&o);
  return o;
}

struct Level0Grid {
  int n = 0;
  std::vector<double> offsets;  ///< per axis offset (world unit) of bin index i
  double spacing = 0.0;
};

inline Level0Grid make_level0_grid(const RpsmOptions& options) {
  Level0Grid g;
  g.n = options.num_bins;
  g.offsets.resize(g.n);
  if (options.grid == GridPlacement::kCentred) {
    g.spacing = options.cube_side / g.n;
    for (int i = 0; i < g.n; ++i) g.offsets[i] = (i - g.n / 2) * g.spacing;
  } else {
    g.spacing = options.cube_side / (g.n - 1);
    for (int i = 0; i < g.n; ++i) g.offsets[i] = -0.5 * options.cube_side + i * g.spacing;
  }
  return g;
}

struct Context {
  const std::vector<pose::HeatmapView>& views;
  const pose::Skeleton& skeleton;
  const RpsmOptions& options;
  Prep prep;
  std::vector<LimbModel> limbs;  ///< indexed by child joint
};

inline void build_limb_models(Context& ctx) {
  const int nj = ctx.skeleton.num_joints();
  ctx.limbs.assign(nj, LimbModel{});
  for (int j = 0; j < nj; ++j) {
    if (j == ctx.skeleton.root()) continue;
    const pose::LimbPrior& p = ctx.skeleton.limb_prior(j);
    LimbModel& l = ctx.limbs[j];
    l.length = p.mean;
    l.tolerance = ctx.options.limb_tolerance > 0.0 ? ctx.options.limb_tolerance : p.tolerance;
    l.sigma = ctx.options.gaussian_sigma_fraction * l.tolerance;
  }
}

/// A length for a message: 6 significant digits.
inline std::string format_length(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

/// Up to `max_names` joint names of `joints` quoted and joined, "and N more".
inline std::string joint_list(const pose::Skeleton& sk, const std::vector<int>& joints, std::size_t max_names = 4) {
  std::string s;
  for (std::size_t i = 0; i < joints.size() && i < max_names; ++i) {
    s += (i == 0 ? "'" : ", '") + sk.name(joints[i]) + "'";
  }
  if (joints.size() > max_names) s += " and " + std::to_string(joints.size() - max_names) + " more";
  return s;
}

/// Per joint the number of views with support (flags [j * V + v]); returns
/// the joints with support in fewer than min(2, #informative views) views
/// (one view's support only fixes a ray).
inline std::vector<int> count_support(const std::vector<unsigned char>& flags, const Prep& prep,
                                      Eigen::VectorXi* support_views) {
  const int nj = prep.num_joints, nv = prep.num_views;
  support_views->setZero(nj);
  std::vector<int> unsupported;
  for (int j = 0; j < nj; ++j) {
    for (int v = 0; v < nv; ++v) (*support_views)[j] += flags[static_cast<std::size_t>(j) * nv + v];
    if ((*support_views)[j] < std::min(2, prep.informative_count[j])) unsupported.push_back(j);
  }
  return unsupported;
}

/// The kNoSupport message for `joints` in `region`.
inline std::string no_support_message(const pose::Skeleton& sk, const std::vector<int>& joints,
                                      const Eigen::VectorXi& support_views, const std::string& region) {
  std::string counts;
  for (std::size_t i = 0; i < joints.size() && i < 4; ++i) {
    counts += (i == 0 ? "" : ", ") + std::to_string(support_views[joints[i]]);
  }
  return "joint" + std::string(joints.size() > 1 ? "s " : " ") + joint_list(sk, joints) +
         " without heatmap support (a value >= log_epsilon x the heatmap's maximum) in two views " + region +
         " (views with support: " + counts + "; one view alone only fixes a ray)";
}

/// Recursive levels 0 .. num_levels - 1 starting at side `side0` from `pose`
/// (3 x J, updated). *completed counts the levels run to completion.
/// With `support_views`, the first level's candidates (also when num_levels
/// is 0: then only their unary is evaluated) give per joint the number of
/// views with heatmap support, and a joint supported in fewer than two (or
/// its informative views) is kNoSupport.
/// A level without a feasible configuration is kNoFeasiblePose; *message
/// says which.
inline Status run_recursion(Context& ctx, double side0, int num_levels, Eigen::VectorXi* support_views,
                            Eigen::Matrix3Xd* pose, int* completed, std::string* message,
                            std::size_t* workspace_bytes) {
  const RpsmOptions& opt = ctx.options;
  const pose::Skeleton& sk = ctx.skeleton;
  const int nj = sk.num_joints();
  const int k = opt.recursion_bins;
  const int kk = k * k * k;
  const int nv = static_cast<int>(ctx.views.size());
  const int D = 2 * k - 1;  // index differences per axis
  std::vector<Eigen::Vector3d> lattice(kk);             // candidate offsets / step
  std::vector<Eigen::Vector3d> rot_offset(static_cast<std::size_t>(nv) * kk);  // R_v * offset
  std::vector<Eigen::Vector3d> base(static_cast<std::size_t>(nv) * nj);        // R_v c_j + t_v
  std::vector<int> diff_code(static_cast<std::size_t>(kk) * kk);
  std::vector<float> pw(static_cast<std::size_t>(D) * D * D);
  std::vector<float> unary(static_cast<std::size_t>(nj) * kk);
  std::vector<float> belief(static_cast<std::size_t>(nj) * kk);
  std::vector<int> arg(static_cast<std::size_t>(nj) * kk);  // child's best candidate per parent candidate
  std::vector<int> chosen(nj);
  std::vector<Eigen::Matrix3d> rotation(nv);
  for (int v = 0; v < nv; ++v) rotation[v] = ctx.views[v].camera.cam_from_world.rotation_matrix();
  for (int iz = 0; iz < k; ++iz) {
    for (int iy = 0; iy < k; ++iy) {
      for (int ix = 0; ix < k; ++ix) {
        lattice[(iz * k + iy) * k + ix] = Eigen::Vector3d(ix, iy, iz);
      }
    }
  }
  for (int a = 0; a < kk; ++a) {
    for (int b = 0; b < kk; ++b) {
      const Eigen::Vector3d d = lattice[a] - lattice[b];
      diff_code[static_cast<std::size_t>(a) * kk + b] =
          ((static_cast<int>(d.z()) + k - 1) * D + static_cast<int>(d.y()) + k - 1) * D +
          static_cast<int>(d.x()) + k - 1;
    }
  }
  *workspace_bytes =
      std::max(*workspace_bytes, (lattice.size() + rot_offset.size() + base.size()) * sizeof(Eigen::Vector3d) +
                                     (unary.size() + belief.size() + pw.size()) * sizeof(float) +
                                     (arg.size() + diff_code.size()) * sizeof(int));
  const std::vector<int>& order = sk.topological_order();
  std::vector<unsigned char> support_flags(support_views != nullptr ? static_cast<std::size_t>(nj) * nv : 0, 0);
  double side = side0;
  *completed = 0;
  for (int level = 0; level < std::max(num_levels, support_views != nullptr ? 1 : 0); ++level, side *= 0.5) {
    // Candidates of joint j: c_j + (-side/2 + i * step) per axis, i = 0..k-1.
    const double step = side / (k - 1);
    const Eigen::Vector3d corner = Eigen::Vector3d::Constant(-0.5 * side);
    // Largest |X_p - X_c| change over candidate pairs: index differences up
    // to k - 1 per axis.
    const double max_displacement = std::sqrt(3.0) * (k - 1) * step;
    for (int v = 0; v < nv; ++v) {
      const camera::Rigid3d& T = ctx.views[v].camera.cam_from_world;
      for (int i = 0; i < kk; ++i) {
        rot_offset[static_cast<std::size_t>(v) * kk + i] = rotation[v] * (corner + step * lattice[i]);
      }
      for (int j = 0; j < nj; ++j) {
        base[static_cast<std::size_t>(v) * nj + j] = T * Eigen::Vector3d(pose->col(j));
      }
    }
    auto unary_job = [&](int b, int e, int) {
      for (int j = b; j < e; ++j) {
        const auto point_in_cam = [&](int v, int i) -> Eigen::Vector3d {
          return base[static_cast<std::size_t>(v) * nj + j] + rot_offset[static_cast<std::size_t>(v) * kk + i];
        };
        eval_unary_joint(ctx.views, ctx.prep, opt.combination, kk, j, point_in_cam,
                         unary.data() + static_cast<std::size_t>(j) * kk,
                         level == 0 && support_views != nullptr
                             ? support_flags.data() + static_cast<std::size_t>(j) * nv
                             : nullptr);
      }
    };
    parallel_chunks(nj, opt.num_threads, unary_job);
    if (level == 0 && support_views != nullptr) {
      const std::vector<int> none = count_support(support_flags, ctx.prep, support_views);
      if (!none.empty()) {
        *message = no_support_message(sk, none, *support_views,
                                      "within +-" + format_length(0.5 * side0) + " of the initial position") +
                   ": the initial pose is not where the heatmaps see the person (wrong unit or frame?)";
        return Status::kNoSupport;
      }
      if (num_levels == 0) break;
    }
    belief = unary;
    // Leaves to root. The pairwise term depends only on the candidates' index
    // difference (a D^3 table per limb and level).
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const int c = *it;
      const int p = sk.parent(c);
      if (p < 0) continue;
      const Eigen::Vector3d centre_diff = pose->col(p) - pose->col(c);
      const LimbModel limb = at_spacing(ctx.limbs[c], step);
      // The table is only built when no bound proves it all zero.
      bool pw_all_zero = opt.pairwise == PairwiseModel::kHardIndicator &&
                         hard_table_all_zero(limb, centre_diff, max_displacement);
      if (!pw_all_zero) {
        pw_all_zero = true;
        for (int dz = 0; dz < D; ++dz) {
          for (int dy = 0; dy < D; ++dy) {
            for (int dx = 0; dx < D; ++dx) {
              const Eigen::Vector3d d =
                  centre_diff + step * Eigen::Vector3d(dx - (k - 1), dy - (k - 1), dz - (k - 1));
              const float w = pairwise_log(limb, opt.pairwise, d.norm());
              pw[(dz * D + dy) * D + dx] = w;
              pw_all_zero = pw_all_zero && w == 0.0f;
            }
          }
        }
      }
      const float* bc = belief.data() + static_cast<std::size_t>(c) * kk;
      float* bp = belief.data() + static_cast<std::size_t>(p) * kk;
      int* ac = arg.data() + static_cast<std::size_t>(c) * kk;
      if (pw_all_zero) {
        // Every pair of candidates is compatible with weight 0 (the usual case
        // once the cube is well inside the limb tolerance): the best child
        // candidate is the same for every parent candidate, namely the first
        // maximum of bc, which is what the scan below would find for each a.
        int best_b = 0;
        float best = bc[0] + 0.0f;
        for (int b = 1; b < kk; ++b) {
          const float s = bc[b] + 0.0f;
          if (s > best) {
            best = s;
            best_b = b;
          }
        }
        if (best == kNegInf) best_b = 0;
        for (int a = 0; a < kk; ++a) {
          ac[a] = best_b;
          bp[a] += best;
        }
        continue;
      }
      for (int a = 0; a < kk; ++a) {
        const int* code = diff_code.data() + static_cast<std::size_t>(a) * kk;
        float best = kNegInf;
        int best_b = 0;
        for (int b = 0; b < kk; ++b) {
          const float s = bc[b] + pw[code[b]];
          if (s > best) {
            best = s;
            best_b = b;
          }
        }
        ac[a] = best_b;
        bp[a] += best;
      }
    }
    const int root = sk.root();
    const float* br = belief.data() + static_cast<std::size_t>(root) * kk;
    const int best_root = static_cast<int>(std::max_element(br, br + kk) - br);
    if (br[best_root] == kNegInf) {
      *message = "recursive level " + std::to_string(level) + " (cube side " + format_length(side) +
                 ") has no configuration satisfying every hard limb constraint" +
                 (level == 0 ? std::string(": the starting pose violates a limb tolerance by more than the "
                                           "level can correct")
                             : std::string(" (level ") + std::to_string(level - 1) + " had one)");
      return Status::kNoFeasiblePose;
    }
    chosen[root] = best_root;
    for (int j : order) {
      const int p = sk.parent(j);
      if (p >= 0) chosen[j] = arg[static_cast<std::size_t>(j) * kk + chosen[p]];
    }
    for (int j = 0; j < nj; ++j) pose->col(j) += corner + step * lattice[chosen[j]];
    ++*completed;
  }
  return Status::kSuccess;
}

/// Final per-joint scores at `pose`.
inline Eigen::VectorXd final_scores(const Context& ctx, const Eigen::Matrix3Xd& pose) {
  const int nj = ctx.skeleton.num_joints();
  Eigen::VectorXd s(nj);
  for (int j = 0; j < nj; ++j) {
    const Eigen::Vector3d x = pose.col(j);
    float u = 0.0f;
    const auto point_in_cam = [&](int v, int) -> Eigen::Vector3d {
      return ctx.views[v].camera.cam_from_world * x;
    };
    eval_unary_joint(ctx.views, ctx.prep, ctx.options.combination, 1, j, point_in_cam, &u);
    s[j] = linear_score(u);
  }
  return s;
}

// ---- Continuous polish (RpsmOptions::polish_iterations).

/// log(eps + scale h) of pixel (u, v) of a W x H heatmap: outside it the
/// nearest pixel's (clamp) or h = 0.
inline double log_pixel(const float* h, int W, int H, int u, int v, double eps, double scale, bool clamp) {
  if (clamp) {
    u = std::min(std::max(u, 0), W - 1);
    v = std::min(std::max(v, 0), H - 1);
  } else if (u < 0 || v < 0 || u >= W || v >= H) {
    return std::log(eps);
  }
  return std::log(eps + scale * static_cast<double>(h[static_cast<std::size_t>(v) * W + u]));
}

/// Second-order model of l(q) = log(eps + scale h(q)) at heatmap point q: the
/// Taylor expansion at the nearest pixel centre from central differences of
/// the 3 x 3 pixels around it, evaluated at q. Exact for a Gaussian heatmap
/// (eps -> 0), whose log is quadratic. Returns l; *grad = dl/dq, *hess =
/// d2l/dq2. With `clamp` (OutsideHeatmap::kNearestPixel) q is first clamped
/// to the pixel centres' range, as in the levels, and the derivatives along a
/// clamped axis are 0; otherwise (kZero) l is log(eps) with zero derivatives
/// beyond the outer pixel centres, where the levels' sampler reads 0.
inline double log_model(const float* h, int W, int H, double eps, double scale, bool clamp, double qx,
                        double qy, Eigen::Vector2d* grad, Eigen::Matrix2d* hess) {
  grad->setZero();
  hess->setZero();
  bool fixed_x = false, fixed_y = false;
  if (clamp) {
    const double cx = clamp_to(qx, 0.0, W - 1.0), cy = clamp_to(qy, 0.0, H - 1.0);
    fixed_x = cx != qx;
    fixed_y = cy != qy;
    qx = cx;
    qy = cy;
  }
  if (!(qx >= 0.0 && qy >= 0.0 && qx <= W - 1.0 && qy <= H - 1.0)) return std::log(eps);
  const int u = static_cast<int>(std::floor(qx + 0.5)), v = static_cast<int>(std::floor(qy + 0.5));
  double l[3][3];
  for (int b = -1; b <= 1; ++b) {
    for (int a = -1; a <= 1; ++a) l[b + 1][a + 1] = log_pixel(h, W, H, u + a, v + b, eps, scale, clamp);
  }
  const double c = l[1][1];
  const double gx = 0.5 * (l[1][2] - l[1][0]), gy = 0.5 * (l[2][1] - l[0][1]);
  const double hxx = l[1][2] - 2.0 * c + l[1][0], hyy = l[2][1] - 2.0 * c + l[0][1];
  const double hxy = 0.25 * (l[2][2] - l[2][0] - l[0][2] + l[0][0]);
  const double dx = qx - u, dy = qy - v;
  (*hess) << hxx, hxy, hxy, hyy;
  (*grad) << gx + hxx * dx + hxy * dy, gy + hxy * dx + hyy * dy;
  if (fixed_x) {
    (*grad)[0] = 0.0;
    hess->row(0).setZero();
    hess->col(0).setZero();
  }
  if (fixed_y) {
    (*grad)[1] = 0.0;
    hess->row(1).setZero();
    hess->col(1).setZero();
  }
  return c + gx * dx + gy * dy + 0.5 * (hxx * dx * dx + 2.0 * hxy * dx * dy + hyy * dy * dy);
}

/// The positive semi-definite part of a symmetric 2 x 2 matrix (negative
/// eigenvalues set to 0).
inline Eigen::Matrix2d psd_part(const Eigen::Matrix2d& m) {
  const double a = m(0, 0), b = m(0, 1), c = m(1, 1);
  const double mean = 0.5 * (a + c), r = std::hypot(0.5 * (a - c), b);
  const double l1 = mean + r, l2 = mean - r;
  if (l2 >= 0.0) return m;
  if (l1 <= 0.0) return Eigen::Matrix2d::Zero();
  Eigen::Vector2d e1(b, l1 - a), e2(l1 - c, b);
  Eigen::Vector2d e = e1.squaredNorm() >= e2.squaredNorm() ? e1 : e2;
  const double n2 = e.squaredNorm();
  if (!(n2 > 0.0)) return Eigen::Matrix2d::Identity() * l1;  // a == c, b == 0
  return (l1 / n2) * e * e.transpose();
}

/// The polish's objective at a pose and its Gauss-Newton model: value F,
/// gradient g (3 x J) and the blocks of a positive semi-definite
/// approximation of -Hessian (per joint 3 x 3, per limb the 3 x 3 block
/// between parent and child, indexed by child).
struct PolishModel {
  double value = 0.0;
  Eigen::Matrix3Xd grad;
  std::vector<Eigen::Matrix3d> diag;
  std::vector<Eigen::Matrix3d> off;
};

/// Evaluates the polish objective at `pose`: for every joint the combined
/// (kMeanLog) unary of the local log models, plus the Gaussian limb terms
/// -(d - L)^2 / 2 sigma^2 with the user's sigma (no grid, so no quantisation
/// term) when the pairwise model is kGaussian or polish_gaussian_limbs is
/// set. The hard indicator's constraints are checked separately.
inline void polish_model(const Context& ctx, const Eigen::Matrix3Xd& pose, PolishModel* m) {
  const int nj = ctx.skeleton.num_joints();
  const int nv = static_cast<int>(ctx.views.size());
  m->value = 0.0;
  m->grad.setZero(3, nj);
  m->diag.assign(nj, Eigen::Matrix3d::Zero());
  m->off.assign(nj, Eigen::Matrix3d::Zero());
  for (int v = 0; v < nv; ++v) {
    const pose::HeatmapView& view = ctx.views[v];
    const pose::ViewHeatmaps& hm = view.heatmaps;
    const Eigen::Matrix3d R = view.camera.cam_from_world.rotation_matrix();
    const Eigen::Matrix2d A = hm.heatmap_from_image().leftCols<2>();
    for (int j = 0; j < nj; ++j) {
      if (!ctx.prep.informative[static_cast<std::size_t>(v) * nj + j]) continue;
      const double w = ctx.prep.inv_count[j];
      const double eps = ctx.prep.eps[j];
      Eigen::Vector2d px;
      camera::Camera::Matrix23d J_px;
      if (view.camera.project_from_cam(view.camera.cam_from_world * Eigen::Vector3d(pose.col(j)), &px,
                                       &J_px) != camera::ProjectionStatus::kSuccess) {
        m->value += w * std::log(eps);  // sampled as 0, as in the levels
        continue;
      }
      const Eigen::Vector2d q = hm.to_heatmap(px);
      Eigen::Vector2d g;
      Eigen::Matrix2d H;
      m->value += w * log_model(hm.joint(j), hm.width(), hm.height(), eps,
                                ctx.prep.scale[static_cast<std::size_t>(v) * nj + j], ctx.prep.clamp, q.x(),
                                q.y(), &g, &H);
      const Eigen::Matrix<double, 2, 3> J = A * J_px * R;
      m->grad.col(j) += w * (J.transpose() * g);
      m->diag[j] += w * (J.transpose() * psd_part(-H) * J);
    }
  }
  if (ctx.options.pairwise != PairwiseModel::kGaussian && !ctx.options.polish_gaussian_limbs) return;
  for (int c = 0; c < nj; ++c) {
    const int p = ctx.skeleton.parent(c);
    if (p < 0) continue;
    const LimbModel& limb = ctx.limbs[c];
    // A hard limb with tolerance 0 has no Gaussian term (its length is held
    // by the constraint); the Gaussian pairwise validated sigma > 0.
    if (!(limb.sigma > 0.0)) continue;
    const Eigen::Vector3d d = pose.col(p) - pose.col(c);
    const double len = d.norm();
    const double z = (len - limb.length) / limb.sigma;
    m->value -= 0.5 * z * z;
    if (!(len > 0.0)) continue;
    const Eigen::Vector3d n = d / len;
    const Eigen::Vector3d gp = -(z / limb.sigma) * n;
    m->grad.col(p) += gp;
    m->grad.col(c) -= gp;
    const Eigen::Matrix3d nn = (n * n.transpose()) / (limb.sigma * limb.sigma);
    m->diag[p] += nn;
    m->diag[c] += nn;
    m->off[c] = -nn;
  }
}

/// Every limb within its hard tolerance (always true for the Gaussian).
inline bool polish_feasible(const Context& ctx, const Eigen::Matrix3Xd& pose) {
  if (ctx.options.pairwise != PairwiseModel::kHardIndicator) return true;
  for (int c = 0; c < ctx.skeleton.num_joints(); ++c) {
    const int p = ctx.skeleton.parent(c);
    if (p < 0) continue;
    const LimbModel& limb = ctx.limbs[c];
    if (!(std::abs((pose.col(p) - pose.col(c)).norm() - limb.length) <= limb.tolerance)) return false;
  }
  return true;
}

/// Solves (A + lambda I) x = g for the tree-structured A of `m` (joint blocks
/// on the diagonal, limb blocks between parent and child) by eliminating the
/// leaves towards the root: O(J) 3 x 3 operations, no fill-in. False when a
/// pivot block is not positive definite.
inline bool solve_tree(const Context& ctx, const PolishModel& m, double lambda, Eigen::Matrix3Xd* x) {
  const pose::Skeleton& sk = ctx.skeleton;
  const int nj = sk.num_joints();
  std::vector<Eigen::Matrix3d> S(nj);
  Eigen::Matrix3Xd b = m.grad;
  for (int j = 0; j < nj; ++j) S[j] = m.diag[j] + lambda * Eigen::Matrix3d::Identity();
  std::vector<Eigen::LLT<Eigen::Matrix3d>> llt(nj);
  const std::vector<int>& order = sk.topological_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const int c = *it;
    llt[c].compute(S[c]);
    if (llt[c].info() != Eigen::Success) return false;
    const int p = sk.parent(c);
    if (p < 0) continue;
    const Eigen::Matrix3d& B = m.off[c];  // block (p, c); (c, p) is its transpose
    S[p] -= B * llt[c].solve(B.transpose());
    b.col(p) -= B * llt[c].solve(Eigen::Vector3d(b.col(c)));
  }
  x->resize(3, nj);
  for (int j : order) {
    const int p = sk.parent(j);
    Eigen::Vector3d r = b.col(j);
    if (p >= 0) r -= m.off[j].transpose() * x->col(p);
    x->col(j) = llt[j].solve(r);
  }
  return x->allFinite();
}

/// Levenberg-Marquardt ascent of the polish objective from `pose` (updated),
/// at most `max_iterations` solves; a step is kept only when it raises the
/// objective and keeps every hard limb constraint. Returns the steps kept.
inline int run_polish(const Context& ctx, int max_iterations, double step_tolerance,
                      Eigen::Matrix3Xd* pose) {
  if (max_iterations == 0 || ctx.options.combination != ViewCombination::kMeanLog) return 0;
  if (!polish_feasible(ctx, *pose)) return 0;
  PolishModel cur, trial;
  polish_model(ctx, *pose, &cur);
  if (!std::isfinite(cur.value)) return 0;
  double scale = 0.0;
  for (const auto& d : cur.diag) scale += d.trace();
  scale = scale > 0.0 ? scale / (3.0 * pose->cols()) : 1.0;
  double lambda = 1e-4 * scale;
  int kept = 0;
  Eigen::Matrix3Xd step, next;
  for (int it = 0; it < max_iterations; ++it) {
    if (!solve_tree(ctx, cur, lambda, &step)) {
      lambda *= 10.0;
      continue;
    }
    next = *pose + step;
    polish_model(ctx, next, &trial);
    if (std::isfinite(trial.value) && trial.value > cur.value && polish_feasible(ctx, next)) {
      const double gain = trial.value - cur.value;
      *pose = next;
      std::swap(cur, trial);
      ++kept;
      lambda = std::max(lambda * 0.3, 1e-12 * scale);
      if (step.cwiseAbs().maxCoeff() <= step_tolerance || gain <= 1e-9 * (1.0 + std::abs(cur.value))) break;
    } else {
      if (step.cwiseAbs().maxCoeff() <= step_tolerance) break;
      lambda *= 10.0;
    }
  }
  return kept;
}

/// The number of views into whose image `point_in_world` projects.
inline int views_seeing(const std::vector<pose::HeatmapView>& views, const Eigen::Vector3d& point_in_world) {
  int n = 0;
  for (const auto& v : views) {
    Eigen::Vector2d px;
    n += v.camera.project(point_in_world, &px) == camera::ProjectionStatus::kSuccess && v.camera.is_in_image(px);
  }
  return n;
}

/// Fills the result's view report; appends it to the success message.
inline void report_views(const Prep& prep, RpsmResult* result) {
  result->uninformative_views = uninformative_views(prep);
  if (result->uninformative_views.empty()) return;
  std::string list;
  for (const int v : result->uninformative_views) list += (list.empty() ? "" : ", ") + std::to_string(v);
  result->message += "; view" + std::string(result->uninformative_views.size() > 1 ? "s " : " ") + list +
                     " ignored (every heatmap uniform)";
}

}  // namespace
}  // namespace detail

// Documented in rpsm.hpp.
RpsmResult refine(const std::vector<pose::HeatmapView>& views, const pose::Skeleton& skeleton,
                  const ConstPointsRef& initial_pose_in_world, const RpsmOptions& options) {
  options.validate();
  RpsmResult result;
  const auto t0 = detail::Clock::now();
  require_points(initial_pose_in_world, 3, "rpsm::refine: initial_pose_in_world (3 x J, J = skeleton joints)",
                 skeleton.num_joints());
  const bool polish = options.polish_iterations > 0 && options.combination == ViewCombination::kMeanLog;
  if (options.num_levels == 0 && !polish) {
    throw std::invalid_argument(
        "rpsm::refine: num_levels = 0 and no polish (polish_iterations = 0 or kSum): nothing would refine "
        "the initial pose");
  }
  detail::Context ctx{views, skeleton, options, {}, {}};
  result.status = detail::check_views(views, skeleton, options, &ctx.prep, &result.message);
  result.timings.validation_ms = detail::ms_since(t0);
  if (result.status != Status::kSuccess) return result;
  if (!initial_pose_in_world.allFinite()) {
    result.status = Status::kInvalidInitialPose;
    result.message = "initial pose contains NaN or Inf";
    return result;
  }
  const Eigen::Vector3d root = initial_pose_in_world.col(skeleton.root());
  if (detail::views_seeing(views, root) == 0) {
    result.status = Status::kRootNotVisible;
    result.message = "the initial pose's root projects into none of the " + std::to_string(views.size()) +
                     " views' images (wrong unit or frame?)";
    return result;
  }
  detail::build_limb_models(ctx);
  const auto t1 = detail::Clock::now();
  Eigen::Matrix3Xd pose = initial_pose_in_world;
  const double side0 =
      options.refine_initial_side > 0.0 ? options.refine_initial_side : options.cube_side / options.num_bins;
  result.status = detail::run_recursion(ctx, side0, options.num_levels, &result.support_views, &pose,
                                        &result.levels_completed, &result.message, &result.workspace_bytes);
  result.timings.recursion_ms = detail::ms_since(t1);
  if (result.status != Status::kSuccess) return result;
  if (options.num_levels == 0 && options.pairwise == PairwiseModel::kHardIndicator &&
      !detail::polish_feasible(ctx, pose)) {
    result.status = Status::kNoFeasiblePose;
    result.message = "the initial pose violates a hard limb constraint, which the polish (num_levels = 0) keeps";
    return result;
  }
  const auto t2 = detail::Clock::now();
  result.polish_steps = detail::run_polish(ctx, options.polish_iterations, 1e-6 * side0, &pose);
  result.timings.polish_ms = detail::ms_since(t2);
  result.joints_in_world = pose;
  result.joint_scores = detail::final_scores(ctx, pose);
  result.status = Status::kSuccess;
  result.message = "refined " + std::to_string(result.levels_completed) + " levels, " +
                   std::to_string(result.polish_steps) + " polish steps";
  detail::report_views(ctx.prep, &result);
  return result;
}

// Documented in rpsm.hpp.
RpsmResult estimate(const std::vector<pose::HeatmapView>& views, const pose::Skeleton& skeleton,
                    const Eigen::Vector3d& root_position_in_world, const RpsmOptions& options) {
  using detail::kNegInf;
  options.validate();
  RpsmResult result;
  const auto t0 = detail::Clock::now();
  detail::Context ctx{views, skeleton, options, {}, {}};
  result.status = detail::check_views(views, skeleton, options, &ctx.prep, &result.message);
  if (result.status != Status::kSuccess) return result;
  if (!root_position_in_world.allFinite()) {
    result.status = Status::kInvalidInitialPose;
    result.message = "root position contains NaN or Inf";
    return result;
  }
  if (detail::views_seeing(views, root_position_in_world) == 0) {
    result.status = Status::kRootNotVisible;
    result.message = "the root position projects into none of the " +
                     std::to_string(views.size()) + " views' images";
    return result;
  }
  detail::build_limb_models(ctx);
  result.timings.validation_ms = detail::ms_since(t0);

  // ---- Unary on the level-0 grid (shared by all joints).
  const auto t1 = detail::Clock::now();
  const detail::Level0Grid grid = detail::make_level0_grid(options);
  const int n = grid.n;
  const int n3 = n * n * n;
  const int nj = skeleton.num_joints();
  // Bin (x, y, z) in camera v: (R root + t) + R_x off[x] + R_y off[y] + R_z off[z].
  const int nv = static_cast<int>(views.size());
  std::vector<Eigen::Vector3d> cam_base(nv);
  std::vector<Eigen::Vector3d> axis_offsets(static_cast<std::size_t>(nv) * 3 * n);
  for (int v = 0; v < nv; ++v) {
    const camera::Rigid3d& T = views[v].camera.cam_from_world;
    const Eigen::Matrix3d R = T.rotation_matrix();
    cam_base[v] = T * root_position_in_world;
    for (int a = 0; a < 3; ++a) {
      for (int i = 0; i < n; ++i) {
        axis_offsets[(static_cast<std::size_t>(v) * 3 + a) * n + i] = R.col(a) * grid.offsets[i];
      }
    }
  }
  const auto bin_position = [&](int bin) -> Eigen::Vector3d {
    return root_position_in_world +
           Eigen::Vector3d(grid.offsets[bin % n], grid.offsets[(bin / n) % n], grid.offsets[bin / (n * n)]);
  };
  detail::make_pixel_major(views, &ctx.prep);
  std::vector<float> belief(static_cast<std::size_t>(nj) * n3);
  {
    const int nt = std::max(1, options.num_threads);
    std::vector<std::vector<float>> part(nt);
    std::vector<std::vector<unsigned char>> sup(nt, std::vector<unsigned char>(static_cast<std::size_t>(nv) * nj, 0));
    detail::parallel_chunks(n3, nt, [&](int b, int e, int t) {
      part[t].resize(static_cast<std::size_t>(nj) * (e - b));
      const auto point_in_cam = [&](int v, int i) -> Eigen::Vector3d {
        const int bin = b + i;
        const Eigen::Vector3d* ax = axis_offsets.data() + static_cast<std::size_t>(v) * 3 * n;
        return cam_base[v] + ax[bin % n] + ax[n + (bin / n) % n] + ax[2 * n + bin / (n * n)];
      };
      detail::eval_unary(views, ctx.prep, options.combination, e - b, point_in_cam, part[t].data(),
                         sup[t].data());
      for (int j = 0; j < nj; ++j) {
        std::copy(part[t].begin() + static_cast<std::ptrdiff_t>(j) * (e - b),
                  part[t].begin() + static_cast<std::ptrdiff_t>(j + 1) * (e - b),
                  belief.begin() + static_cast<std::ptrdiff_t>(j) * n3 + b);
      }
    });
    // Flags [j * V + v] from the threads' [v * J + j].
    std::vector<unsigned char> flags(static_cast<std::size_t>(nv) * nj, 0);
    for (int v = 0; v < nv; ++v) {
      for (int j = 0; j < nj; ++j) {
        for (int t = 0; t < nt; ++t) flags[static_cast<std::size_t>(j) * nv + v] |= sup[t][static_cast<std::size_t>(v) * nj + j];
      }
    }
    const std::vector<int> none = detail::count_support(flags, ctx.prep, &result.support_views);
    if (!none.empty()) {
      result.status = Status::kNoSupport;
      result.message = detail::no_support_message(skeleton, none, result.support_views, "in the level-0 cube");
      result.timings.unary_ms = detail::ms_since(t1);
      return result;
    }
  }
  result.timings.unary_ms = detail::ms_since(t1);

  // ---- Pairwise: per limb the compatible bin offsets (once per limb).
  const auto t2 = detail::Clock::now();
  std::vector<detail::OffsetSet> offsets(nj);
  int pad = 0;
  for (const auto& [p, c] : skeleton.limbs()) {
    offsets[c] = detail::limb_offsets(detail::at_spacing(ctx.limbs[c], grid.spacing), options.pairwise,
                                      grid.spacing, n - 1);
    if (offsets[c].weight.empty()) {
      result.status = Status::kNoFeasiblePose;
      result.message = "limb '" + skeleton.name(p) + "' -> '" + skeleton.name(c) +
                       "': no bin offset at spacing " + std::to_string(grid.spacing) +
                       " has a length within the tolerance of " +
                       std::to_string(ctx.limbs[c].length) + "; raise the tolerance or the bin count";
      result.timings.pairwise_ms = detail::ms_since(t2);
      return result;
    }
    for (std::size_t i = 0; i < offsets[c].dz.size(); ++i) {
      pad = std::max({pad, std::abs(offsets[c].dz[i]), std::abs(offsets[c].dy[i]),
                      std::abs(offsets[c].dx[i])});
    }
  }
  result.timings.pairwise_ms = detail::ms_since(t2);

  // ---- Inference: max-sum leaves to root with shifted max filters.
  const auto t3 = detail::Clock::now();
  const int P = n + 2 * pad;
  const std::size_t p3 = static_cast<std::size_t>(P) * P * P;
  // Limbs grouped by depth so that limbs of one group can run in parallel.
  std::vector<int> depth(nj, 0);
  int max_depth = 0;
  for (int j : skeleton.topological_order()) {
    if (skeleton.parent(j) >= 0) depth[j] = depth[skeleton.parent(j)] + 1;
    max_depth = std::max(max_depth, depth[j]);
  }
  const int nt = std::max(1, options.num_threads);
  std::vector<std::vector<float>> padded(nt, std::vector<float>(p3, kNegInf));
  std::vector<std::vector<float>> windowed(nt, std::vector<float>(p3, kNegInf));
  std::vector<float> messages(static_cast<std::size_t>(nj) * n3, kNegInf);
  std::size_t pixel_major_bytes = 0;
  for (const auto& t : ctx.prep.pixel_major) pixel_major_bytes += t.size() * sizeof(float);
  result.workspace_bytes = (belief.size() + messages.size() + 2 * nt * p3) * sizeof(float) +
                           pixel_major_bytes + axis_offsets.size() * sizeof(Eigen::Vector3d);
  for (int d = max_depth; d >= 1; --d) {
    std::vector<int> group;
    for (int j = 0; j < nj; ++j) {
      if (depth[j] == d) group.push_back(j);
    }
    // Children at depth d are complete (their own children were folded in at d + 1).
    detail::parallel_chunks(static_cast<int>(group.size()), nt, [&](int b, int e, int t) {
      std::vector<float>& pv = padded[t];
      for (int gi = b; gi < e; ++gi) {
        const int c = group[gi];
        const float* bc = belief.data() + static_cast<std::size_t>(c) * n3;
        for (int z = 0; z < n; ++z) {
          for (int y = 0; y < n; ++y) {
            std::copy(bc + (z * n + y) * n, bc + (z * n + y + 1) * n,
                      pv.begin() + ((static_cast<std::size_t>(z + pad) * P + y + pad) * P + pad));
          }
        }
        float* msg = messages.data() + static_cast<std::size_t>(c) * n3;
        detail::limb_message(offsets[c], pv.data(), n, pad, windowed[t].data(), msg,
                             /*use_runs=*/true);
      }
    });
    // Fold the messages into the parents (sequential: siblings share a parent).
    for (int c : group) {
      float* bp = belief.data() + static_cast<std::size_t>(skeleton.parent(c)) * n3;
      const float* msg = messages.data() + static_cast<std::size_t>(c) * n3;
      for (int i = 0; i < n3; ++i) bp[i] += msg[i];
    }
  }
  const int root = skeleton.root();
  const float* br = belief.data() + static_cast<std::size_t>(root) * n3;
  const int best_root = static_cast<int>(std::max_element(br, br + n3) - br);
  if (br[best_root] == kNegInf) {
    result.status = Status::kNoFeasiblePose;
    result.message = "no level-0 configuration satisfies every limb constraint";
    result.timings.inference_ms = detail::ms_since(t3);
    return result;
  }
  std::vector<int> chosen(nj, 0);
  chosen[root] = best_root;
  for (int c : skeleton.topological_order()) {
    const int p = skeleton.parent(c);
    if (p < 0) continue;
    const int bp = chosen[p];
    const int px = bp % n, py = (bp / n) % n, pz = bp / (n * n);
    const float* bc = belief.data() + static_cast<std::size_t>(c) * n3;
    const detail::OffsetSet& o = offsets[c];
    float best = kNegInf;
    int best_bin = -1;
    for (std::size_t k = 0; k < o.dz.size(); ++k) {
      const int x = px + o.dx[k], y = py + o.dy[k], z = pz + o.dz[k];
      if (x < 0 || y < 0 || z < 0 || x >= n || y >= n || z >= n) continue;
      const int bin = (z * n + y) * n + x;
      const float s = bc[bin] + o.weight[k];
      if (s > best) {
        best = s;
        best_bin = bin;
      }
    }
    if (best_bin < 0) {
      // Cannot happen when the messages were finite (the parent's belief is
      // finite, so one compatible child bin is); kept so that a numerical
      // surprise is a status and never an index of -1.
      result.status = Status::kNoFeasiblePose;
      result.message = "limb '" + skeleton.name(p) + "' -> '" + skeleton.name(c) +
                       "': backtracking found no finite child bin (non-finite pairwise weights)";
      result.timings.inference_ms = detail::ms_since(t3);
      return result;
    }
    chosen[c] = best_bin;
  }
  Eigen::Matrix3Xd pose(3, nj);
  for (int j = 0; j < nj; ++j) pose.col(j) = bin_position(chosen[j]);
  result.psm_joints_in_world = pose;
  result.psm_completed = true;
  result.timings.inference_ms = detail::ms_since(t3);

  // ---- Recursive levels.
  const auto t4 = detail::Clock::now();
  std::size_t rec_bytes = 0;
  result.status = detail::run_recursion(ctx, options.cube_side / options.num_bins, options.num_levels, nullptr,
                                        &pose, &result.levels_completed, &result.message, &rec_bytes);
  result.workspace_bytes = std::max(result.workspace_bytes, rec_bytes);
  result.timings.recursion_ms = detail::ms_since(t4);
  if (result.status != Status::kSuccess) return result;
  const auto t5 = detail::Clock::now();
  result.polish_steps =
      detail::run_polish(ctx, options.polish_iterations, 1e-6 * options.cube_side / options.num_bins, &pose);
  result.timings.polish_ms = detail::ms_since(t5);
  result.joints_in_world = pose;
  result.joint_scores = detail::final_scores(ctx, pose);
  result.status = Status::kSuccess;
  result.message = "PSM + " + std::to_string(result.levels_completed) + " recursive levels, " +
                   std::to_string(result.polish_steps) + " polish steps";
  detail::report_views(ctx.prep, &result);
  return result;
}

}  // namespace crossview::rpsm
