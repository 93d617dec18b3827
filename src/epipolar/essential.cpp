// crossview: 5-point essential-matrix solver and conversions; see
// include/crossview/epipolar/essential.hpp for the documentation.
#include <crossview/epipolar/essential.hpp>

#include <crossview/epipolar/detail/polynomial.hpp>
#include <crossview/triangulation/detail/polynomial.hpp>

#include "internal.hpp"

#include <Eigen/LU>
#include <Eigen/SVD>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::epipolar {

namespace detail {
namespace {

/// Polynomials in (x, y, z) of total degree <= 3, used by the 5-point solver.
/// Degree 1: [x, y, z, 1]. Degree 2: [x2, y2, z2, xy, xz, yz, x, y, z, 1].
/// Degree 3 (Nister's column order, so that the first 10 columns are eliminated):
///   [x3, y3, x2y, xy2, x2z, x2, y2z, y2, xyz, xy | xz2, xz, x, yz2, yz, y, z3, z2, z, 1].
using Poly1 = std::array<double, 4>;
using Poly2 = std::array<double, 10>;
using Poly3 = std::array<double, 20>;
/// The 10 cubic constraints, one per row, over the 20 degree-3 monomials. The
/// solver keeps them twice: row-major (a plain array) for the elimination, which
/// updates whole rows in place, and column-major for the polish, which sums scaled
/// columns.
using ConstraintRows = double[10][20];
using ConstraintColumns = Eigen::Matrix<double, 10, 20>;

struct Exponent {
  int x, y, z;
};
constexpr Exponent kExp1[4] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 0}};
constexpr Exponent kExp2[10] = {{2, 0, 0}, {0, 2, 0}, {0, 0, 2}, {1, 1, 0}, {1, 0, 1},
                                {0, 1, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 0}};
constexpr Exponent kExp3[20] = {{3, 0, 0}, {0, 3, 0}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1},
                                {2, 0, 0}, {0, 2, 1}, {0, 2, 0}, {1, 1, 1}, {1, 1, 0},
                                {1, 0, 2}, {1, 0, 1}, {1, 0, 0}, {0, 1, 2}, {0, 1, 1},
                                {0, 1, 0}, {0, 0, 3}, {0, 0, 2}, {0, 0, 1}, {0, 0, 0}};

template <int N>
constexpr int monomial_index(const Exponent (&table)[N], int x, int y, int z) {
  for (int i = 0; i < N; ++i) {
    if (table[i].x == x && table[i].y == y && table[i].z == z) return i;
  }
  return -1;
}

struct ProductTables {
  int p11[4][4];
  int p21[10][4];
};

constexpr ProductTables make_product_tables() {
  ProductTables tables{};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      tables.p11[i][j] = monomial_index(kExp2, kExp1[i].x + kExp1[j].x, kExp1[i].y + kExp1[j].y,
                                        kExp1[i].z + kExp1[j].z);
    }
  }
  for (int i = 0; i < 10; ++i) {
    for (int j = 0; j < 4; ++j) {
      tables.p21[i][j] = monomial_index(kExp3, kExp2[i].x + kExp1[j].x, kExp2[i].y + kExp1[j].y,
                                        kExp2[i].z + kExp1[j].z);
    }
  }
  return tables;
}

inline constexpr ProductTables kProductTables = make_product_tables();

/// out += a * b (degree 1 x degree 1).
void multiply_add(const Poly1& a, const Poly1& b, Poly2* out) {
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) (*out)[kProductTables.p11[i][j]] += a[i] * b[j];
  }
}
/// out += a * b (degree 2 x degree 1).
void multiply_add(const Poly2& a, const Poly1& b, Poly3* out) {
  for (int i = 0; i < 10; ++i) {
    for (int j = 0; j < 4; ++j) (*out)[kProductTables.p21[i][j]] += a[i] * b[j];
  }
}

/// Coefficients (lowest first) of the product of two univariate polynomials.
template <int A, int B>
std::array<double, A + B + 1> poly_mul(const std::array<double, A + 1>& a,
                                       const std::array<double, B + 1>& b) {
  std::array<double, A + B + 1> out{};
  for (int i = 0; i <= A; ++i) {
    for (int j = 0; j <= B; ++j) out[i + j] += a[i] * b[j];
  }
  return out;
}

/// Rows 4..9 (monomials x2z, x2, y2z, y2, xyz, xy) of C = M_left^-1 M_right, the
/// rows B(z) needs, for the left and right 10x10 blocks of the constraints M,
/// in place: on return, row 4 + r of M holds row r of C in its columns 10..19
/// (the rest of M is left with intermediate values). LU elimination with partial
/// pivoting (unit-diagonal U), then back substitution for the last six unknowns
/// only (rows 0..3 of C are never used). Each elimination step updates only the
/// columns right of its pivot (the step loop is unrolled so that these trip counts
/// are constants): ~900 multiply-adds instead of the ~1800 of a Gauss-Jordan
/// elimination on whole rows. Returns false if a pivot vanishes (singular block);
/// non-finite values are left to the caller's check of det B(z).
bool eliminate_leading_block(ConstraintRows& A) {
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 10
#endif
  for (int k = 0; k < 10; ++k) {
    int pivot = k;
    double largest = std::abs(A[k][k]);
    for (int r = k + 1; r < 10; ++r) {
      const double candidate = std::abs(A[r][k]);
      if (candidate > largest) {
        largest = candidate;
        pivot = r;
      }
    }
    if (!(largest > 0.0)) return false;
    if (pivot != k) {
      for (int c = k; c < 20; ++c) std::swap(A[k][c], A[pivot][c]);
    }
    const double inv = 1.0 / A[k][k];
    for (int c = k + 1; c < 20; ++c) A[k][c] *= inv;
    for (int r = k + 1; r < 10; ++r) {
      const double f = A[r][k];
      for (int c = k + 1; c < 20; ++c) A[r][c] -= f * A[k][c];
    }
  }
  // Back substitution from the last unknown: row k of C = U's right part of row k
  // minus U(k, j) times the rows j > k of C.
  for (int k = 8; k >= 4; --k) {
    for (int j = k + 1; j < 10; ++j) {
      const double f = A[k][j];
      for (int c = 10; c < 20; ++c) A[k][c] -= f * A[j][c];
    }
  }
  return true;
}

/// Rank of the 5x9 epipolar system: rejected (0 solutions) when a pivot of the
/// complete-pivoting elimination is not above this fraction of the first one.
constexpr double kRankTolerance = 1e-9;
/// Partial pivoting hands the system to complete pivoting below this pivot ratio
/// (as the 7- and 8-point solvers; see null_space_partial_then_complete): 5.3 % of
/// the 200 000 test-mix scenes are redone.
constexpr double kPartialPivotRatio = 1e-3;

/// Orthonormal basis X, Y, Z, W (the columns of N) of the null space of the 5x9
/// epipolar system A. The elimination's basis vectors [-B; I] (identity on the
/// free coefficients E12, E20, E21, E22 in the usual case) are neither orthogonal
/// nor generic: the coefficient of W would then be proportional to E22, which is
/// near zero in forward motion, and the hidden-variable solution (x, y, z, 1)
/// loses accuracy when that coefficient is small. So the basis is orthonormalised
/// (modified Gram-Schmidt) and then reflected by I - 2 h h^T, h = (1, 1, 1, 1) / 2
/// (each new vector is one old vector minus half their sum): an orthogonal change
/// of basis after which no coefficient is tied to one entry of E.
/// Measured on 200 000 noise-free scenes of the test's mix (a quarter forward
/// motion): found-true-E rate 97.3 % with the raw elimination basis, 99.92 %
/// orthonormalised, 99.98 % orthonormalised and reflected (the Householder QR
/// basis this replaces: 99.95 %).
/// Returns false for a rank-deficient or non-finite system.
bool null_space_5x9(const double (&A)[5][9], Eigen::Matrix<double, 9, 4>* N) {
  Eigen::Matrix<double, 9, 1> basis[4];
  if (!null_space_partial_then_complete<5>(A, kPartialPivotRatio, kRankTolerance, basis)) return false;
  for (int j = 0; j < 4; ++j) {
    Eigen::Matrix<double, 9, 1> v = basis[j];
    for (int k = 0; k < j; ++k) v -= N->col(k).dot(v) * N->col(k);
    const double norm = v.norm();
    if (!(norm > 0.0)) return false;
    N->col(j) = v / norm;
  }
  const Eigen::Matrix<double, 9, 1> half_sum = 0.5 * N->rowwise().sum();
  N->colwise() -= half_sum;
  return true;
}

/// lower[v][i]: for a degree-3 monomial i (kExp3 order) with a positive exponent
/// e of variable v (x, y, z), the monomial whose multiple e * it is the partial
/// derivative; -1 when the exponent is 0 (zero derivative).
struct DerivativeTables {
  int lower[3][20];
};

constexpr DerivativeTables make_derivative_tables() {
  DerivativeTables tables{};
  for (int i = 0; i < 20; ++i) {
    const Exponent& e = kExp3[i];
    tables.lower[0][i] = e.x > 0 ? monomial_index(kExp3, e.x - 1, e.y, e.z) : -1;
    tables.lower[1][i] = e.y > 0 ? monomial_index(kExp3, e.x, e.y - 1, e.z) : -1;
    tables.lower[2][i] = e.z > 0 ? monomial_index(kExp3, e.x, e.y, e.z - 1) : -1;
  }
  return tables;
}

inline constexpr DerivativeTables kDerivativeTables = make_derivative_tables();

/// The 20 degree-3 monomials (kExp3 order) at (x, y, z). The loop is unrolled, so
/// that the exponents are constants and the products are plain multiplications.
void cubic_monomials(double x, double y, double z, double (&m)[20]) {
  const double px[4] = {1.0, x, x * x, x * x * x};
  const double py[4] = {1.0, y, y * y, y * y * y};
  const double pz[4] = {1.0, z, z * z, z * z * z};
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 20
#endif
  for (int i = 0; i < 20; ++i) m[i] = px[kExp3[i].x] * py[kExp3[i].y] * pz[kExp3[i].z];
}

/// Polish of (x, y, z) on the 10 cubic constraints M * monomials(x, y, z) = 0
/// (M: 10x20 in the degree-3 order, column-major) by Gauss-Newton steps. The
/// Jacobian is re-evaluated only after a step above 1e-8 relative (the chord method
/// otherwise: near the solution the Jacobian barely changes, and a step then costs
/// one residual evaluation instead of a new Jacobian). Keeps a step only if it
/// lowers the residual; stops when the next step is at rounding level, after an
/// accepted step below 1e-10 relative (what remains is below rounding), or when a
/// step did not halve the residual (its rounding floor); at most
/// `kMaxPolishIterations` steps. Recovers the digits lost by the elimination and
/// root isolation in ill-conditioned configurations.
void polish_essential_coefficients(const ConstraintColumns& M, double* x,
                                   double* y, double* z) {
  constexpr int kMaxPolishIterations = 6;
  using Vector10 = Eigen::Matrix<double, 10, 1>;
  // Products written as sums of scaled columns of M (10 contiguous values:
  // vectorised); Eigen's default product would dispatch these sizes to its blocked
  // GEMM / GEMV kernels, several times slower. The last monomial is 1.
  auto residual = [&](double px, double py, double pz) {
    double m[20];
    cubic_monomials(px, py, pz, m);
    Vector10 sum = M.col(19);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 19
#endif
    for (int i = 0; i < 19; ++i) sum += m[i] * M.col(i);
    return sum;
  };
  // Jacobian J (only the monomials that contain a variable contribute to its
  // column: 10 of the 20 each) and the inverse of the normal matrix J^T J
  // (adjugate over determinant; refused unless positive and finite).
  Eigen::Matrix<double, 10, 3> J;
  Eigen::Matrix3d normal_inverse;
  auto linearise = [&](double px, double py, double pz) {
    double m[20];
    cubic_monomials(px, py, pz, m);
    // Accumulated in a local (not through the captured J, which the compiler would
    // have to assume aliases M).
    Eigen::Matrix<double, 10, 3> jacobian = Eigen::Matrix<double, 10, 3>::Zero();
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 20
#endif
    for (int i = 0; i < 20; ++i) {
      const int exponent[3] = {kExp3[i].x, kExp3[i].y, kExp3[i].z};
      for (int v = 0; v < 3; ++v) {
        if (exponent[v] > 0) {
          jacobian.col(v) += (exponent[v] * m[kDerivativeTables.lower[v][i]]) * M.col(i);
        }
      }
    }
    J = jacobian;
    const Eigen::Matrix3d A = J.transpose() * J;
    const Eigen::Matrix3d adjugate = detail::adjugate(A);
    const double det = A.row(0).dot(adjugate.col(0));
    if (!(det > 0.0) || !std::isfinite(det)) return false;
    normal_inverse = adjugate / det;
    return true;
  };
  if (!linearise(*x, *y, *z)) return;
  Vector10 r = residual(*x, *y, *z);
  double cost = r.squaredNorm();
  for (int it = 0; it < kMaxPolishIterations && cost > 0.0; ++it) {
    const Eigen::Vector3d step = normal_inverse * (J.transpose() * r);
    if (!step.allFinite()) return;
    const double scale = std::max({1.0, std::abs(*x), std::abs(*y), std::abs(*z)});
    if (step.cwiseAbs().maxCoeff() <= 1e-15 * scale) return;  // at rounding already
    const double nx = *x - step(0);
    const double ny = *y - step(1);
    const double nz = *z - step(2);
    const Vector10 r_new = residual(nx, ny, nz);
    const double cost_new = r_new.squaredNorm();
    if (!(cost_new < cost)) return;
    // Far from the solution (a step above 1e-8 relative) the Jacobian is refreshed
    // (Newton); close to it the chord steps already contract by ~|step|.
    const bool far = step.cwiseAbs().maxCoeff() > 1e-8 * scale;
    *x = nx;
    *y = ny;
    *z = nz;
    r = r_new;
    const bool stalled = cost_new > 0.25 * cost;  // residual not halved: at its noise floor
    cost = cost_new;
    if (stalled) return;
    // A step this small was taken with a Jacobian from at most 1e-8 (relative)
    // away: it leaves an error of order 1e-10 x 1e-8, below rounding, so the next
    // step would not change the digits (measured: same errors on 200 000 scenes,
    // one residual evaluation less per root).
    if (step.cwiseAbs().maxCoeff() <= 1e-10 * scale) return;
    if (far && !linearise(*x, *y, *z)) return;
  }
}

}  // namespace

/// The 5-point kernel on 5 rays per view (documented in essential.hpp; unchecked).
int essential_5point(const Eigen::Vector3d* rays1, const Eigen::Vector3d* rays2,
                     std::vector<Eigen::Matrix3d>* essentials) {
  using detail::Poly1;
  using detail::Poly2;
  using detail::Poly3;
  using detail::multiply_add;
  if (essentials == nullptr) return 0;
  essentials->clear();
  if (rays1 == nullptr || rays2 == nullptr) return 0;
  // 1. Null space of the 5x9 system (rays scaled to unit norm for conditioning).
  double A[5][9];
  for (int i = 0; i < 5; ++i) {
    const double n1 = rays1[i].norm();
    const double n2 = rays2[i].norm();
    if (!(n1 > 0.0) || !(n2 > 0.0) || !std::isfinite(n1) || !std::isfinite(n2)) return 0;
    const Eigen::Vector3d a = rays1[i] / n1;
    const Eigen::Vector3d b = rays2[i] / n2;
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) A[i][3 * r + c] = b(r) * a(c);
    }
  }
  Eigen::Matrix<double, 9, 4> N;
  if (!detail::null_space_5x9(A, &N)) return 0;
  // E entries as degree-1 polynomials [x, y, z, 1] in the basis X, Y, Z, W = the columns of N.
  Poly1 e[3][3];
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      const int k = 3 * r + c;
      e[r][c] = {N(k, 0), N(k, 1), N(k, 2), N(k, 3)};
    }
  }
  // 2. The 10 cubic constraints (rows of a 10x20 matrix in the degree-3 order).
  detail::ConstraintRows rows;
  detail::ConstraintColumns M;
  {
    // det(E) by cofactors along the first row.
    Poly3 det{};
    for (int c = 0; c < 3; ++c) {
      const int c1 = (c + 1) % 3;
      const int c2 = (c + 2) % 3;
      Poly2 cofactor{};
      multiply_add(e[1][c1], e[2][c2], &cofactor);
      Poly1 minus{};
      for (int i = 0; i < 4; ++i) minus[i] = -e[1][c2][i];
      multiply_add(minus, e[2][c1], &cofactor);
      multiply_add(cofactor, e[0][c], &det);
    }
    for (int i = 0; i < 20; ++i) rows[9][i] = M(9, i) = det[i];
    // E E^T (symmetric) and its trace.
    Poly2 eet[3][3];
    for (int i = 0; i < 3; ++i) {
      for (int j = i; j < 3; ++j) {
        eet[i][j] = Poly2{};
        for (int k = 0; k < 3; ++k) multiply_add(e[i][k], e[j][k], &eet[i][j]);
      }
    }
    Poly2 trace{};
    for (int i = 0; i < 10; ++i) trace[i] = eet[0][0][i] + eet[1][1][i] + eet[2][2][i];
    // 2 E E^T E - tr(E E^T) E = A E with A = 2 E E^T - tr(E E^T) I (symmetric):
    // three degree-2 x degree-1 products per entry instead of four.
    Poly2 a[3][3];
    for (int i = 0; i < 3; ++i) {
      for (int j = i; j < 3; ++j) {
        for (int m = 0; m < 10; ++m) a[i][j][m] = 2.0 * eet[i][j][m] - (i == j ? trace[m] : 0.0);
        a[j][i] = a[i][j];
      }
    }
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        Poly3 out{};
        for (int k = 0; k < 3; ++k) multiply_add(a[i][k], e[k][j], &out);
        for (int m = 0; m < 20; ++m) rows[3 * i + j][m] = M(3 * i + j, m) = out[m];
      }
    }
  }
  // Eliminate the first 10 monomials: rows 4..9 become mono_r + sum_j C(r, j) mono_{10+j}.
  if (!detail::eliminate_leading_block(rows)) return 0;
  // 3. B(z) [x, y, 1]^T = 0 from rows k = e - z f, l = g - z h, m = i - z j
  // (rows 4..9: x2z, x2, y2z, y2, xyz, xy). Trailing monomials (0..9):
  // xz2, xz, x, yz2, yz, y, z3, z2, z, 1.
  std::array<double, 4> bx[3];
  std::array<double, 4> by[3];
  std::array<double, 5> b1[3];
  for (int r = 0; r < 3; ++r) {
    const double* u = rows[4 + 2 * r] + 10;
    const double* v = rows[5 + 2 * r] + 10;
    bx[r] = {u[2], u[1] - v[2], u[0] - v[1], -v[0]};
    by[r] = {u[5], u[4] - v[5], u[3] - v[4], -v[3]};
    b1[r] = {u[9], u[8] - v[9], u[7] - v[8], u[6] - v[7], -v[6]};
  }
  // det B(z) = bx0 (by1 b12 - b11 by2) - by0 (bx1 b12 - b11 bx2) + b10 (bx1 by2 - by1 bx2).
  using detail::poly_mul;
  auto sub7 = [](const std::array<double, 8>& a, const std::array<double, 8>& b) {
    std::array<double, 8> out{};
    for (int i = 0; i < 8; ++i) out[i] = a[i] - b[i];
    return out;
  };
  auto sub6 = [](const std::array<double, 7>& a, const std::array<double, 7>& b) {
    std::array<double, 7> out{};
    for (int i = 0; i < 7; ++i) out[i] = a[i] - b[i];
    return out;
  };
  const auto m0 = sub7(poly_mul<3, 4>(by[1], b1[2]), poly_mul<3, 4>(by[2], b1[1]));
  const auto m1 = sub7(poly_mul<3, 4>(bx[1], b1[2]), poly_mul<3, 4>(bx[2], b1[1]));
  const auto m2 = sub6(poly_mul<3, 3>(bx[1], by[2]), poly_mul<3, 3>(by[1], bx[2]));
  const auto t0 = poly_mul<3, 7>(bx[0], m0);
  const auto t1 = poly_mul<3, 7>(by[0], m1);
  const auto t2 = poly_mul<4, 6>(b1[0], m2);
  std::array<double, 11> poly{};
  for (int i = 0; i < 11; ++i) poly[i] = t0[i] - t1[i] + t2[i];
  // Every entry of the eliminated rows enters a product of this determinant, so a
  // non-finite elimination result (near-singular block) shows here.
  for (int i = 0; i < 11; ++i) {
    if (!std::isfinite(poly[i])) return 0;
  }
  // Roots isolated by Sturm sequences and polished in their brackets to 1e-10
  // relative: the Gauss-Newton polish of (x, y, z) below takes them to rounding.
  constexpr double kRootTolerance = 1e-10;
  double roots[10];
  const int num_roots =
      triangulation::detail::real_roots_sturm(poly.data(), 10, roots, kRootTolerance);
  for (int k = 0; k < num_roots; ++k) {
    const double z = roots[k];
    Eigen::Matrix3d B;
    for (int r = 0; r < 3; ++r) {
      B(r, 0) = detail::evaluate(bx[r].data(), 3, z);
      B(r, 1) = detail::evaluate(by[r].data(), 3, z);
      B(r, 2) = detail::evaluate(b1[r].data(), 4, z);
    }
    const Eigen::Vector3d v = detail::null_vector_of_rows(B);
    if (!(std::abs(v(2)) > 0.0)) continue;
    double x = v(0) / v(2);
    double y = v(1) / v(2);
    double zz = z;
    detail::polish_essential_coefficients(M, &x, &y, &zz);
    Eigen::Matrix<double, 9, 1> evec =
        x * N.col(0) + y * N.col(1) + zz * N.col(2) + N.col(3);
    const double norm = evec.norm();
    if (!(norm > 0.0) || !evec.allFinite()) continue;
    evec /= norm;
    Eigen::Matrix3d E;
    E << evec(0), evec(1), evec(2), evec(3), evec(4), evec(5), evec(6), evec(7), evec(8);
    // Drop roots whose polish did not converge onto the essential manifold (spurious
    // roots of ill-conditioned polynomials): |2 E E^T E - tr(E E^T) E| and |det E| of the
    // unit-norm E must vanish to kEssentialConstraintTolerance.
    constexpr double kEssentialConstraintTolerance = 1e-8;
    const Eigen::Matrix3d EEt = E * E.transpose();
    const double residual = (2.0 * EEt * E - EEt.trace() * E).cwiseAbs().maxCoeff();
    if (!(residual <= kEssentialConstraintTolerance) ||
        !(std::abs(E.determinant()) <= kEssentialConstraintTolerance)) {
      continue;
    }
    essentials->push_back(E);
  }
  return static_cast<int>(essentials->size());
}

}  // namespace detail

int essential_5point(const ConstPointsRef& rays1, const ConstPointsRef& rays2,
                     std::vector<Eigen::Matrix3d>* essentials) {
  require_points(rays1, 3, "essential_5point: rays1", 5);
  require_points(rays2, 3, "essential_5point: rays2", 5);
  Eigen::Vector3d r1[5], r2[5];
  detail::copy_columns(rays1, r1);
  detail::copy_columns(rays2, r2);
  return detail::essential_5point(r1, r2, essentials);
}

/// F = K2^-T E K1^-1, the inverse of essential_from_fundamental (K upper triangular,
/// invertible). Not rescaled.
Eigen::Matrix3d fundamental_from_essential(const Eigen::Matrix3d& E,
                                           const Eigen::Matrix3d& K1,
                                           const Eigen::Matrix3d& K2) {
  const Eigen::Matrix3d K1_inv = K1.inverse();
  const Eigen::Matrix3d K2_inv = K2.inverse();
  return K2_inv.transpose() * E * K1_inv;
}

/// Closest essential matrix in Frobenius norm: singular values (s1, s2, s3) become
/// ((s1 + s2) / 2, (s1 + s2) / 2, 0). Scaled to unit Frobenius norm; returns the zero
/// matrix if E is zero or not finite.
Eigen::Matrix3d closest_essential(const Eigen::Matrix3d& E) {
  if (!E.allFinite()) return Eigen::Matrix3d::Zero();
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(E, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const double s = 0.5 * (svd.singularValues()(0) + svd.singularValues()(1));
  if (!(s > 0.0)) return Eigen::Matrix3d::Zero();
  const Eigen::Vector3d d(1.0, 1.0, 0.0);
  return svd.matrixU() * d.asDiagonal() * svd.matrixV().transpose() / std::sqrt(2.0);
}
}  // namespace crossview::epipolar
