// expSpan (exp_of.h): the loss loops' exponentials in the CPU's widest vectors. The same loop is
// built for plain x86-64, AVX2 and AVX-512F by target attributes (the build has no -march) and
// the one matching the micro-kernel's instruction set (bestGemmIsa) is picked once. With 3 classes a row, a [1600,3] loss takes 4,800
// exponentials per step, which at SSE width were about half of the loss kernel.
#include <cstring>

#include "runtime/kernels/exp_of.h"
#include "runtime/kernels/micro_gemm.h"
#include "support/error.h"

namespace mnemo {

namespace {

inline void expLoop(float* v, size_t n) {
  for (size_t i = 0; i < n; ++i) v[i] = expOf(v[i]);
}

void expGeneric(float* v, size_t n) { expLoop(v, n); }

#if defined(__x86_64__) && defined(__GNUC__)
#define MNEMO_EXP_X86 1
__attribute__((target("avx2"))) void expAvx2(float* v, size_t n) { expLoop(v, n); }
__attribute__((target("avx512f"))) void expAvx512(float* v, size_t n) { expLoop(v, n); }
#endif

using ExpFn = void (*)(float*, size_t);

ExpFn pick(const char* build) {
  if (std::strcmp(build, "generic") == 0) return expGeneric;
#ifdef MNEMO_EXP_X86
  if (std::strcmp(build, "avx2") == 0 && __builtin_cpu_supports("avx2")) return expAvx2;
  if (std::strcmp(build, "avx512f") == 0 && __builtin_cpu_supports("avx512f")) return expAvx512;
#endif
  return nullptr;
}

}  // namespace

std::vector<const char*> expSpanBuilds() {
  std::vector<const char*> builds{"generic"};
#ifdef MNEMO_EXP_X86
  if (__builtin_cpu_supports("avx2")) builds.push_back("avx2");
  if (__builtin_cpu_supports("avx512f")) builds.push_back("avx512f");
#endif
  return builds;
}

void expSpan(float* v, size_t n) {
  // The micro-kernel's instruction set (MNEMO_GEMM_ISA lowers it), so that an AVX2 run on an
  // AVX-512 machine stands for an AVX2 machine in the loss loops too.
  static const ExpFn widest = [] {
    switch (bestGemmIsa()) {
      case GemmIsa::Avx512: return pick("avx512f");
      case GemmIsa::Avx2: return pick("avx2");
      default: return pick("generic");
    }
  }();
  widest(v, n);
}

void expSpanWith(const char* build, float* v, size_t n) {
  const ExpFn f = pick(build);
  MNEMO_CHECK(f, "expSpan has no build '" << build << "' on this CPU");
  f(v, n);
}

}  // namespace mnemo
