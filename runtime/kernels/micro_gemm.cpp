// The portable micro-kernel and the choice among mnemo's small-matrix products (micro_gemm.h).
#include "runtime/kernels/micro_gemm.h"

#include <cstdlib>
#include <cstring>

#include "support/error.h"

namespace mnemo {

const char* gemmIsaName(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::Avx512: return "avx512";
    case GemmIsa::Avx2: return "avx2";
    default: return "scalar";
  }
}

bool cpuSupports(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::Avx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    case GemmIsa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    default: return true;
  }
}

GemmIsa bestGemmIsa() {
  GemmIsa best = cpuSupports(GemmIsa::Avx512) ? GemmIsa::Avx512 : cpuSupports(GemmIsa::Avx2) ? GemmIsa::Avx2 : GemmIsa::Scalar;
  const char* env = std::getenv("MNEMO_GEMM_ISA");
  if (!env || !*env) return best;
  for (GemmIsa isa : {GemmIsa::Scalar, GemmIsa::Avx2, GemmIsa::Avx512}) {
    if (std::strcmp(env, gemmIsaName(isa)) != 0) continue;
    MNEMO_CHECK(cpuSupports(isa), "MNEMO_GEMM_ISA=" << env << ": this CPU lacks that instruction set");
    return isa;
  }
  MNEMO_FAIL("MNEMO_GEMM_ISA='" << env << "' is not one of scalar, avx2, avx512");
}

void gemm(GemmIsa isa, const GemmOperands& g) {
  switch (isa) {
    case GemmIsa::Avx512: return gemmAvx512(g);
    case GemmIsa::Avx2: return gemmAvx2(g);
    default: return gemmScalar(g);
  }
}

void gemmDot(GemmIsa isa, const GemmOperands& g) {
  switch (isa) {
    case GemmIsa::Avx512: return gemmDotAvx512(g);
    case GemmIsa::Avx2: return gemmDotAvx2(g);
    default: return gemmDotScalar(g);
  }
}

void gemmDotScalar(const GemmOperands& g) {
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = 0; j < g.n; ++j) {
      const float* a = g.a + i * g.aRow;
      const float* bt = g.b + j * g.ldb;
      float sum = 0.f;
      for (int64_t p = 0; p < g.k; ++p) sum += a[p] * bt[p];
      g.c[i * g.ldc + j] = sum;
    }
}

float applyEpilogue(const GemmOperands& g, int64_t i, int64_t j, float v) {
  for (int s = 0; s < g.epilogueOps; ++s) {
    const VectorEpilogueOp& e = g.epilogue[s];
    float o = 0.f;
    switch (e.operand) {
      case VectorEpilogueOp::Full: o = e.ptr[i * e.ld + j]; break;
      case VectorEpilogueOp::Column: o = e.ptr[j]; break;
      case VectorEpilogueOp::Constant: o = e.value; break;
      default: break;
    }
    const float x = e.resultFirst ? v : o, y = e.resultFirst ? o : v;
    switch (e.op) {
      case VectorEpilogueOp::Add: v = x + y; break;
      case VectorEpilogueOp::Sub: v = x - y; break;
      case VectorEpilogueOp::Mul: v = x * y; break;
      case VectorEpilogueOp::Max: v = x >= y ? x : y; break;  // as the op rows define them
      case VectorEpilogueOp::Min: v = x <= y ? x : y; break;
      case VectorEpilogueOp::Relu: v = v > 0.f ? v : 0.f; break;
      case VectorEpilogueOp::ReluGrad: v = x > 0.f ? y : 0.f; break;
    }
  }
  return v;
}

// Row by row, each row of C accumulated from rows of B (a loop the compiler vectorises).
void gemmScalar(const GemmOperands& g) {
  for (int64_t i = 0; i < g.m; ++i) {
    float* c = g.c + i * g.ldc;
    for (int64_t j = 0; j < g.n; ++j) c[j] = 0.f;
    for (int64_t p = 0; p < g.k; ++p) {
      const float a = g.a[i * g.aRow + p * g.aCol];
      const float* b = g.b + p * g.ldb;
      for (int64_t j = 0; j < g.n; ++j) c[j] += a * b[j];
    }
    for (int64_t q = 0; q < g.k2; ++q) {
      const float a = g.a2[i * g.a2Row + q * g.a2Col];
      const float* b = g.b2 + q * g.ldb2;
      for (int64_t j = 0; j < g.n; ++j) c[j] += a * b[j];
    }
    if (g.epilogueOps)
      for (int64_t j = 0; j < g.n; ++j) c[j] = applyEpilogue(g, i, j, c[j]);
  }
}

}  // namespace mnemo
