// mnemo's small-matmul micro-kernels (runtime/kernels/micro_gemm.h), each instruction set
// against a double-precision product, over shapes that hit every row and column remainder of
// the register tiles, A stored plain or transposed, and strided rows. A kernel the CPU cannot
// run is skipped with a message.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "runtime/kernels/micro_gemm.h"

using namespace mnemo;

namespace {

/// The largest error of C(i, j) against the double product Σ_p A(i, p)·B(p, j), relative to
/// its scale (Σ|a·b| per element, which bounds float rounding by about k·2⁻²⁴); \p a, \p b and
/// \p c read the operands and the result.
template <class A, class B, class C>
double worstAgainstDouble(int64_t m, int64_t n, int64_t k, A a, B b, C c) {
  double worst = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0, scale = 1e-30;
      for (int64_t p = 0; p < k; ++p) {
        const double t = static_cast<double>(a(i, p)) * b(p, j);
        sum += t, scale += std::fabs(t);
      }
      worst = std::max(worst, std::fabs(c(i, j) - sum) / scale);
    }
  return worst;
}

/// Runs \p isa on an m×k by k×n product and returns the largest error relative to the double
/// product's scale (Σ|a·b| per element), which bounds float rounding by about k·2⁻²⁴.
double worstError(GemmIsa isa, int64_t m, int64_t n, int64_t k, bool transposedA, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  const int64_t lda = (transposedA ? m : k) + 3, ldb = n + 5, ldc = n + 2;  // padded rows
  std::vector<float> a(static_cast<size_t>((transposedA ? k : m) * lda)), b(static_cast<size_t>(k * ldb));
  for (float& x : a) x = u(rng);
  for (float& x : b) x = u(rng);
  std::vector<float> c(static_cast<size_t>(m * ldc), 12345.f);
  GemmOperands g;
  g.m = m, g.n = n, g.k = k;
  g.a = a.data(), g.aRow = transposedA ? 1 : lda, g.aCol = transposedA ? lda : 1;
  g.b = b.data(), g.ldb = ldb, g.c = c.data(), g.ldc = ldc;
  gemm(isa, g);
  // The padding between rows is not written.
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = n; j < ldc; ++j) REQUIRE(c[static_cast<size_t>(i * ldc + j)] == 12345.f);
  return worstAgainstDouble(
      m, n, k, [&](int64_t i, int64_t p) { return a[static_cast<size_t>(i * g.aRow + p * g.aCol)]; },
      [&](int64_t p, int64_t j) { return b[static_cast<size_t>(p * ldb + j)]; },
      [&](int64_t i, int64_t j) { return c[static_cast<size_t>(i * ldc + j)]; });
}

void checkIsa(GemmIsa isa) {
  if (!cpuSupports(isa)) {
    WARN("this CPU lacks " << gemmIsaName(isa) << ": its micro-kernel is not tested here");
    return;
  }
  std::mt19937_64 rng(11);
  for (int64_t m : {1, 2, 5, 6, 7, 12, 13, 16, 25})
    for (int64_t n : {1, 3, 8, 15, 16, 17, 31, 32, 33, 64, 70})
      for (int64_t k : {1, 4, 64})
        for (bool transposedA : {false, true}) {
          INFO(gemmIsaName(isa) << " " << m << "x" << k << "x" << n << (transposedA ? " A transposed" : ""));
          CHECK(worstError(isa, m, n, k, transposedA, rng) < 1e-6);
        }
}

}  // namespace

TEST_CASE("micro-kernel: scalar matches a double product", "[micro]") { checkIsa(GemmIsa::Scalar); }
TEST_CASE("micro-kernel: AVX2 matches a double product", "[micro]") { checkIsa(GemmIsa::Avx2); }
TEST_CASE("micro-kernel: AVX-512 matches a double product", "[micro]") { checkIsa(GemmIsa::Avx512); }

TEST_CASE("micro-kernel: MNEMO_GEMM_ISA chooses or is refused with a reason", "[micro]") {
  CHECK(cpuSupports(GemmIsa::Scalar));
  const char* outer = std::getenv("MNEMO_GEMM_ISA");  // the suite may run under a choice of its own
  const std::string outerChoice = outer ? outer : "";
  GemmIsa best = bestGemmIsa();
  CHECK(cpuSupports(best));
  setenv("MNEMO_GEMM_ISA", "scalar", 1);
  CHECK(bestGemmIsa() == GemmIsa::Scalar);
  setenv("MNEMO_GEMM_ISA", "sse9", 1);
  CHECK_THROWS_WITH(bestGemmIsa(), Catch::Contains("MNEMO_GEMM_ISA='sse9' is not one of scalar, avx2, avx512"));
  if (outer)
    setenv("MNEMO_GEMM_ISA", outerChoice.c_str(), 1);
  else
    unsetenv("MNEMO_GEMM_ISA");
  CHECK(bestGemmIsa() == best);
}

TEST_CASE("micro-kernel: every register epilogue step matches the scalar kernel's on each instruction set", "[micro]") {
  using V = VectorEpilogueOp;
  const int64_t m = 13, n = 37, k = 9;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n)), full(static_cast<size_t>(m * n)),
      column(static_cast<size_t>(n));
  for (auto* v : {&a, &b, &full, &column})
    for (float& x : *v) x = u(rng);
  full[3] = std::nanf("");  // NaN on either side of max, min and relu_grad's test
  column[5] = std::nanf("");
  for (GemmIsa isa : {GemmIsa::Avx2, GemmIsa::Avx512}) {
    if (!cpuSupports(isa)) {
      WARN("this CPU lacks " << gemmIsaName(isa) << ": its epilogue is not tested here");
      continue;
    }
    for (int op = V::Add; op <= V::ReluGrad; ++op)
      for (int operand = V::Full; operand <= V::Constant; ++operand)
        for (bool resultFirst : {true, false}) {
          V e;
          e.op = static_cast<V::Op>(op), e.operand = static_cast<V::Operand>(operand), e.resultFirst = resultFirst;
          e.ptr = operand == V::Full ? full.data() : column.data(), e.ld = n, e.value = 0.25f;
          V relu;
          relu.op = V::Relu;
          const V chain[] = {e, relu, e};
          std::vector<float> want(static_cast<size_t>(m * n)), got(want.size());
          GemmOperands g;
          g.m = m, g.n = n, g.k = k, g.a = a.data(), g.aRow = k, g.b = b.data(), g.ldb = n, g.ldc = n;
          g.epilogue = chain, g.epilogueOps = 3;
          g.c = want.data();
          gemmScalar(g);
          g.c = got.data();
          gemm(isa, g);
          INFO(gemmIsaName(isa) << " op " << op << " operand " << operand << (resultFirst ? " result first" : " result second"));
          for (size_t i = 0; i < want.size(); ++i) {
            INFO("element " << i << ": " << got[i] << " vs " << want[i]);
            REQUIRE(std::isnan(got[i]) == std::isnan(want[i]));
            if (!std::isnan(want[i])) REQUIRE(got[i] == Approx(want[i]).margin(1e-5));
          }
        }
  }
}

namespace {

/// gemmDot with \p isa on an m×k by k×n product (B given as Bᵀ, rows padded; C's rows
/// contiguous or padded): the largest error relative to the double product's scale.
double worstDotError(GemmIsa isa, int64_t m, int64_t n, int64_t k, bool paddedC, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  const int64_t lda = k + 3, ldbt = k + 5, ldc = paddedC ? n + 2 : n;
  std::vector<float> a(static_cast<size_t>(m * lda)), bt(static_cast<size_t>(n * ldbt));
  for (float& x : a) x = u(rng);
  for (float& x : bt) x = u(rng);
  std::vector<float> c(static_cast<size_t>(m * ldc + 16), 12345.f);  // 16 past the end: untouched
  GemmOperands g;
  g.m = m, g.n = n, g.k = k;
  g.a = a.data(), g.aRow = lda, g.aCol = 1;
  g.b = bt.data(), g.ldb = ldbt, g.c = c.data(), g.ldc = ldc;
  gemmDot(isa, g);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = n; j < ldc; ++j) REQUIRE(c[static_cast<size_t>(i * ldc + j)] == 12345.f);
  for (size_t at = static_cast<size_t>(m * ldc); at < c.size(); ++at) REQUIRE(c[at] == 12345.f);
  return worstAgainstDouble(
      m, n, k, [&](int64_t i, int64_t p) { return a[static_cast<size_t>(i * lda + p)]; },
      [&](int64_t p, int64_t j) { return bt[static_cast<size_t>(j * ldbt + p)]; },
      [&](int64_t i, int64_t j) { return c[static_cast<size_t>(i * ldc + j)]; });
}

}  // namespace

TEST_CASE("micro-kernel: dot products (few columns) match a double product on each instruction set", "[micro]") {
  std::mt19937_64 rng(17);
  for (GemmIsa isa : {GemmIsa::Scalar, GemmIsa::Avx2, GemmIsa::Avx512}) {
    if (!cpuSupports(isa)) {
      WARN("this CPU lacks " << gemmIsaName(isa) << ": its dot-product kernel is not tested here");
      continue;
    }
    for (int64_t m : {1, 2, 5, 6, 16, 33})
      for (int64_t n : {1, 2, 3, 4})
        for (int64_t k : {1, 7, 8, 16, 33, 64, 100})
          for (bool paddedC : {false, true}) {
            INFO(gemmIsaName(isa) << " " << m << "x" << k << "x" << n << (paddedC ? ", C's rows padded" : ""));
            CHECK(worstDotError(isa, m, n, k, paddedC, rng) < 1e-6);
          }
  }
}
