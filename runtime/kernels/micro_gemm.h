// mnemo's own small-matrix product C = A·B, for the shapes where a library call costs more than
// the arithmetic (a recurrent step: 16×64 @ 64×64 is 0.13 MFLOP, about 1–2 µs of FMA work, while
// a oneDNN matmul call with post-ops costs 5–7 µs). Register-blocked micro-kernels read A by
// broadcasting single elements (so A may be stored transposed at no cost) and B by rows of 16
// (AVX-512) or 8 (AVX2) floats, so B must be row-major [K, N]; everything a step reads stays in
// L1 across the T steps of a recurrence. The instruction set is chosen at run time.
#pragma once

#include <cstdint>
#include <string>

namespace mnemo {

/// One step of an epilogue applied to C's tiles in registers before they are stored: the running
/// value v becomes op(v, other) (or op(other, v) when !resultFirst), where other is an element of
/// a full [M, N] operand, of a per-column [N] operand, or a constant.
struct VectorEpilogueOp {
  enum Op : uint8_t { Add, Sub, Mul, Max, Min, Relu, ReluGrad } op = Add;
  enum Operand : uint8_t { None, Full, Column, Constant } operand = None;
  bool resultFirst = true;
  const float* ptr = nullptr;  // Full: row i at ptr + i·ld; Column: ptr[j]
  int64_t ld = 0;
  float value = 0.f;  // Constant
};

/// C(i,j) = epilogue(Σ_p A(i,p)·B(p,j) + Σ_q A₂(i,q)·B₂(q,j)) with A(i,p) = a[i·aRow + p·aCol],
/// B(p,j) = b[p·ldb + j], the optional second product (k2 > 0) likewise from a2, b2, and
/// C(i,j) = c[i·ldc + j]; C is overwritten.
struct GemmOperands {
  int64_t m = 0, n = 0, k = 0;
  const float* a = nullptr;
  int64_t aRow = 0, aCol = 1;
  const float* b = nullptr;
  int64_t ldb = 0;
  int64_t k2 = 0;  // a second product added before the epilogue (0: none)
  const float* a2 = nullptr;
  int64_t a2Row = 0, a2Col = 1;
  const float* b2 = nullptr;
  int64_t ldb2 = 0;
  float* c = nullptr;
  int64_t ldc = 0;
  const VectorEpilogueOp* epilogue = nullptr;  // epilogueOps steps, in order
  int epilogueOps = 0;
};

/// The epilogue on one element: \p v is C(i,j) before it.
float applyEpilogue(const GemmOperands& g, int64_t i, int64_t j, float v);

enum class GemmIsa { Scalar, Avx2, Avx512 };
const char* gemmIsaName(GemmIsa isa);
/// Can this CPU run \p isa's micro-kernel? (Scalar always.)
bool cpuSupports(GemmIsa isa);
/// The widest instruction set this CPU has, lowered by the environment variable
/// MNEMO_GEMM_ISA=scalar|avx2|avx512 (to compare them; naming one the CPU lacks is an error).
GemmIsa bestGemmIsa();

/// Of one of mnemo's own loops built three ways (plain x86-64, AVX2, AVX-512F by target
/// attributes), the build for bestGemmIsa(): an AVX2 run on an AVX-512 machine (MNEMO_GEMM_ISA)
/// then stands for an AVX2 machine in those loops too.
template <class Fn>
Fn forBestGemmIsa(Fn generic, Fn avx2, Fn avx512) {
  switch (bestGemmIsa()) {
    case GemmIsa::Avx512: return avx512;
    case GemmIsa::Avx2: return avx2;
    default: return generic;
  }
}

/// The same three builds picked by name ("generic", "avx2", "avx512f", as expSpanBuilds() lists
/// them), for tests that compare the builds: null for a build this CPU cannot run.
template <class Fn>
Fn forNamedBuild(const char* build, Fn generic, Fn avx2, Fn avx512) {
  const std::string name = build;
  if (name == "generic") return generic;
  if (name == "avx2" && cpuSupports(GemmIsa::Avx2)) return avx2;
  if (name == "avx512f" && cpuSupports(GemmIsa::Avx512)) return avx512;
  return nullptr;
}

/// C = A·B with \p isa's micro-kernel (which the CPU must support).
void gemm(GemmIsa isa, const GemmOperands& g);

/// C = A·B for a product with at most 4 columns, as dot products of rows of A (row-major,
/// aCol = 1) with rows of Bᵀ: here g.b holds Bᵀ, [N, K] with row stride g.ldb. The products of
/// a few rows at once are summed across their lanes together (one vector of sums). No epilogue
/// or second product. (The tiles above would fill 3 of a vector's 16 lanes with B's columns.)
void gemmDot(GemmIsa isa, const GemmOperands& g);

// One per instruction set, each in its own file compiled for that set.
void gemmScalar(const GemmOperands& g);
void gemmAvx2(const GemmOperands& g);
void gemmAvx512(const GemmOperands& g);
void gemmDotScalar(const GemmOperands& g);
void gemmDotAvx2(const GemmOperands& g);
void gemmDotAvx512(const GemmOperands& g);

}  // namespace mnemo
