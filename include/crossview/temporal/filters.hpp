// crossview::temporal: filters for 3D tracks with gaps (packed sequences
// 3 x (F*J), see sequence.hpp), the same as scipy where scipy has them.
//
//   using namespace crossview;
//   temporal::ButterworthOptions o;                       // order 4, 6 Hz (Pose2Sim's default)
//   temporal::SequenceResult r = temporal::butterworth_filter(poses, num_joints, 60.0, o);
//   r.points;     // 3 x (F*J), filtered; NaN where the input was missing
//   r.states;     // per sample: kFiltered, kRaw (segment too short), kMissing
//
// | filter                 | equals                                                     |
// |------------------------|------------------------------------------------------------|
// | butterworth_filter     | scipy.signal.filtfilt(*scipy.signal.butter(order, cutoff,  |
// |                        |   fs=rate), x) per segment (padtype 'odd', padlen          |
// |                        |   3 max(len(a), len(b)), initial state from lfilter_zi)    |
// | median_filter          | scipy.ndimage.median_filter(x, size=window, mode=...)      |
// | gaussian_filter        | scipy.ndimage.gaussian_filter1d(x, sigma, mode=...,        |
// |                        |   truncate=...)                                            |
// | kalman_smoother        | (no scipy equivalent) the exact MAP estimate of the linear |
// |                        |   Gaussian model (Rauch-Tung-Striebel), per coordinate      |
// | one_euro_filter        | Casiez et al., CHI 2012 (online; beta = 0 is the           |
// |                        |   exponential filter scipy.signal.lfilter([alpha],         |
// |                        |   [1, alpha - 1], x, zi=[(1 - alpha) x0]))                 |
//
// Gaps: every joint is a separate track and every contiguous run of valid
// samples (a segment) is filtered on its own; nothing is interpolated across a
// gap by the filters (use fill_gaps in gap_filling.hpp first, or the Kalman
// smoother's max_gap_frames). Segments too short for a filter are left as they
// were and flagged SampleState::kRaw; the status is then kPartial and the
// message counts them. Butterworth needs a segment longer than its padding
// (3 (order + 1) samples: 16 for order 4, scipy raises an error below); the
// other filters accept any length.
//
// Units: the filters are linear in the coordinates (median: equivariant), so
// results are in the input's unit; frequencies in Hz, windows in frames.
// Cost: O(F J) for all of them (Butterworth ~2 x 2 x order multiply-adds per
// coordinate, median O(window) per coordinate, Gaussian O(radius)); see
// benchmarks/temporal for measured rates.
//
// Definitions: src/temporal/filters.cpp, src/temporal/kalman.cpp.
#pragma once

#include <crossview/temporal/sequence.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace crossview::temporal {

// ---------------------------------------------------------------------------
// Signal primitives (one-dimensional, exposed for tests and advanced use).

/// IIR filter coefficients, b (numerator) and a (denominator), a[0] = 1, as
/// returned by scipy.signal.butter(..., output='ba').
struct IirCoefficients {
  Eigen::VectorXd b;
  Eigen::VectorXd a;
};

/// Digital Butterworth low-pass of `order` (>= 1, <= 12) with cut-off
/// `cutoff_hz` at sampling rate `rate_hz` (0 < cutoff < rate / 2): scipy's
/// design (analog prototype, pre-warped bilinear transform, zeros-poles-gain to
/// polynomials), = scipy.signal.butter(order, cutoff_hz, fs=rate_hz). Throws
/// std::invalid_argument on invalid arguments. Note: this is the filter of one
/// pass; filtfilt applies it twice, so the zero-phase response is its square
/// (gain 1/2, not 1/sqrt(2), at the cut-off), as in scipy and Pose2Sim.
IirCoefficients butterworth_lowpass(int order, double cutoff_hz, double rate_hz);

/// scipy.signal.lfilter_zi(b, a): the state of the direct-form II transposed
/// filter in the steady state of a unit step (length max(len a, len b) - 1).
/// Throws std::invalid_argument if a is empty, a[0] == 0 or the steady state
/// does not exist (sum(a) == 0).
Eigen::VectorXd lfilter_zi(const IirCoefficients& filter);

/// The padding filtfilt uses by default: 3 * max(len(a), len(b)).
int filtfilt_padlen(const IirCoefficients& filter);

/// scipy.signal.filtfilt(b, a, x) with its defaults (padtype 'odd', padlen =
/// filtfilt_padlen, method 'pad'). Throws std::invalid_argument when
/// x.size() <= padlen (scipy raises ValueError there) or x is not finite.
Eigen::VectorXd filtfilt(const IirCoefficients& filter, const Eigen::VectorXd& x);

// ---------------------------------------------------------------------------
// Filters on sequences.

struct ButterworthOptions {
  int order = 4;            ///< Filter order, in [1, 12] (Pose2Sim: 4).
  double cutoff_hz = 6.0;   ///< Cut-off of one pass, 0 < cutoff < rate / 2 (Pose2Sim: 6 Hz).
  /// Throws std::invalid_argument naming the first invalid option (the
  /// cut-off is checked against the rate by the filter itself).
  void validate() const;
};

/// Zero-phase Butterworth low-pass of every valid segment of every joint (see
/// the file header). `rate_hz` is the frame rate (> 0, > 2 cutoff). Segments
/// of at most filtfilt_padlen samples are left raw (kRaw, status kPartial).
SequenceResult butterworth_filter(const ConstPointsRef& sequence, int num_joints, double rate_hz,
                                  const ButterworthOptions& options = {},
                                  const ConstScoresRef& validity = Eigen::VectorXd());

struct MedianOptions {
  int window = 9;  ///< Window length in frames, odd, >= 1 (Pose2Sim: 9).
  BoundaryMode mode = BoundaryMode::kReflect;  ///< How segment ends are extended.
  void validate() const;
};

/// Running median of every valid segment, = scipy.ndimage.median_filter(x,
/// size=window, mode=mode) per coordinate. Any segment length works.
SequenceResult median_filter(const ConstPointsRef& sequence, int num_joints,
                             const MedianOptions& options = {},
                             const ConstScoresRef& validity = Eigen::VectorXd());

struct GaussianOptions {
  double sigma_frames = 2.0;  ///< Standard deviation in frames, > 0 (Pose2Sim: 2).
  double truncate = 4.0;      ///< Kernel radius = int(truncate * sigma + 0.5), > 0 (scipy's default).
  BoundaryMode mode = BoundaryMode::kReflect;
  void validate() const;
};

/// Gaussian smoothing of every valid segment, = scipy.ndimage.gaussian_filter1d(
/// x, sigma_frames, mode=mode, truncate=truncate) per coordinate.
SequenceResult gaussian_filter(const ConstPointsRef& sequence, int num_joints,
                               const GaussianOptions& options = {},
                               const ConstScoresRef& validity = Eigen::VectorXd());

enum class MotionModel : std::uint8_t {
  kConstantVelocity = 0,  ///< State (position, velocity); white-noise acceleration.
  kConstantAcceleration,  ///< State (position, velocity, acceleration); white-noise jerk
                          ///< (Pose2Sim's Kalman filter model).
};

constexpr const char* to_string(MotionModel m) {
  switch (m) {
    case MotionModel::kConstantVelocity: return "constant velocity";
    case MotionModel::kConstantAcceleration: return "constant acceleration";
  }
  return "unknown";
}

/// Kalman filter / Rauch-Tung-Striebel smoother, each coordinate of each joint
/// independently (the three coordinates share the model, so they share gains).
/// The process noise is continuous white noise of spectral density q on the
/// highest derivative (acceleration for kConstantVelocity, jerk for
/// kConstantAcceleration), discretised exactly over dt = 1 / rate; the
/// measurement noise is isotropic with standard deviation measurement_noise.
struct KalmanOptions {
  MotionModel model = MotionModel::kConstantAcceleration;
  /// Standard deviation of a measured coordinate (length unit of the data, > 0).
  /// Default 0.01: 1 cm when the data are in metres.
  double measurement_noise = 0.01;
  /// sqrt(q) (length unit / s^1.5 for constant velocity, / s^2.5 for constant
  /// acceleration). 0 (default): derived from cutoff_hz, q = R dt (2 pi
  /// cutoff)^(2m) with R = measurement_noise^2 and m = 2 (velocity) or 3
  /// (acceleration), so that the smoother's gain is about 1/2 at cutoff_hz
  /// (the Wiener smoother of the continuous model, 1 / (1 + (f / cutoff)^(2m)),
  /// a good approximation well below the Nyquist rate). Then the smoothed
  /// positions depend on cutoff_hz only, not on the unit or on measurement_noise.
  double process_noise = 0.0;
  double cutoff_hz = 6.0;  ///< Used when process_noise == 0; 0 < cutoff < rate / 2.
  /// true: Rauch-Tung-Striebel smoother (uses the whole segment); false: the
  /// causal Kalman filter (each output uses the past only, as online).
  bool smooth = true;
  /// Missing runs of at most this many frames (>= 0) are bridged by prediction
  /// (one track continues across them); longer gaps start a new track with a
  /// fresh (diffuse) prior.
  int max_gap_frames = 10;
  /// Output the estimates inside bridged gaps (SampleState::kFilled) instead of NaN.
  bool fill_gaps = false;
  void validate() const;
};

/// Kalman filter / RTS smoother of every track (see KalmanOptions). Each track
/// starts from a diffuse prior (position at the first measurement, variances
/// 1e6 R, 1e6 R / dt^2, 1e6 R / dt^4); a single valid sample comes out as it
/// went in. The smoothed estimate is the exact minimiser of the model's
/// negative log-posterior (tests/temporal check it against a dense solve).
SequenceResult kalman_smoother(const ConstPointsRef& sequence, int num_joints, double rate_hz,
                               const KalmanOptions& options = {},
                               const ConstScoresRef& validity = Eigen::VectorXd());

/// One-euro filter (Casiez, Roussel, Vogel, CHI 2012): an exponential
/// low-pass whose cut-off rises with the speed, f_c = min_cutoff + beta |dx/dt|,
/// each coordinate separately, the derivative taken against the previous
/// filtered value and itself low-passed at derivative_cutoff_hz (the paper's
/// algorithm). Good for live use: each output depends on the past only.
struct OneEuroOptions {
  double min_cutoff_hz = 1.0;         ///< > 0 (Casiez's default).
  /// Speed coefficient, >= 0, in 1 / (length unit): with metres, beta = 1
  /// raises the cut-off by 1 Hz per m/s. 0 = a fixed exponential low-pass.
  double beta = 0.0;
  double derivative_cutoff_hz = 1.0;  ///< > 0.
  void validate() const;
};

/// Online one-euro filter of J joints. Feed one pose per call, in time order.
/// A missing joint (NaN or validity <= 0) outputs NaN and keeps its state; the
/// next valid sample uses the true elapsed time (alpha = 1 / (1 + tau / dt)),
/// so a long gap makes the filter follow the new value almost at once.
class OneEuroFilter {
 public:
  /// Throws std::invalid_argument on num_joints < 1 or invalid options.
  OneEuroFilter(int num_joints, const OneEuroOptions& options = {});
  /// Filters one pose (3 x J) at `time_s` (strictly increasing across calls
  /// that see a joint: a time not after the joint's previous one throws
  /// std::invalid_argument). Returns the filtered 3 x J pose.
  Points3d update(const ConstPointsRef& pose, double time_s,
                  const ConstScoresRef& validity = Eigen::VectorXd());
  /// Forgets every joint's state.
  void reset();
  int num_joints() const { return num_joints_; }

 private:
  int num_joints_;
  OneEuroOptions options_;
  Eigen::Matrix3Xd x_hat_;    ///< last filtered value per joint
  Eigen::Matrix3Xd dx_hat_;   ///< last filtered derivative per joint
  Eigen::VectorXd last_time_; ///< NaN = no state yet
};

/// The one-euro filter over a whole sequence at `rate_hz` (frame f at time f /
/// rate). Every valid sample is kFiltered.
SequenceResult one_euro_filter(const ConstPointsRef& sequence, int num_joints, double rate_hz,
                               const OneEuroOptions& options = {},
                               const ConstScoresRef& validity = Eigen::VectorXd());

// ---------------------------------------------------------------------------
// One entry point for tools (the CLI's --filter, the Python binding).

enum class FilterType : std::uint8_t {
  kButterworth = 0,
  kKalman,
  kOneEuro,
  kMedian,
  kGaussian,
};

constexpr const char* to_string(FilterType t) {
  switch (t) {
    case FilterType::kButterworth: return "butterworth";
    case FilterType::kKalman: return "kalman";
    case FilterType::kOneEuro: return "one_euro";
    case FilterType::kMedian: return "median";
    case FilterType::kGaussian: return "gaussian";
  }
  return "unknown";
}

/// Parses a name produced by to_string(FilterType); false when unknown.
bool filter_type_from_string(const std::string& name, FilterType* type);

struct FilterOptions {
  FilterType type = FilterType::kButterworth;
  /// Frame rate (Hz, > 0); needed by Butterworth, Kalman and one-euro.
  double rate_hz = 0.0;
  ButterworthOptions butterworth;
  KalmanOptions kalman;
  OneEuroOptions one_euro;
  MedianOptions median;
  GaussianOptions gaussian;
  /// Validates the options of `type` (and the rate when it needs one).
  void validate() const;
};

/// Runs the filter chosen by options.type.
SequenceResult filter_sequence(const ConstPointsRef& sequence, int num_joints,
                               const FilterOptions& options,
                               const ConstScoresRef& validity = Eigen::VectorXd());

}  // namespace crossview::temporal
