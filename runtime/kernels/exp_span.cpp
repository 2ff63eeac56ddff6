// expSpan and logSpan (exp_of.h): the loss loops' exponentials and logarithms in the CPU's vectors.
// The same loop is built for plain x86-64, AVX2 and AVX-512F by target attributes (the build has
// no -march) and the one matching the micro-kernel's instruction set (bestGemmIsa) is picked
// once. With 3 classes a row, a [1600,3] loss takes 4,800 exponentials and 1,600 logarithms per
// step, which at SSE width (exp) and as libm calls (log) were about half of the loss kernel.

#include "runtime/kernels/exp_of.h"
#include "runtime/kernels/micro_gemm.h"
#include "support/error.h"

namespace mnemo {

namespace {

template <float (*F)(float)>
inline void mapLoop(float* v, size_t n) {
  for (size_t i = 0; i < n; ++i) v[i] = F(v[i]);
}

using SpanFn = void (*)(float*, size_t);

/// One function's loop in each build.
struct SpanBuilds {
  SpanFn generic, avx2, avx512;
};

template <float (*F)(float)>
void generic(float* v, size_t n) { mapLoop<F>(v, n); }
#if defined(__x86_64__) && defined(__GNUC__)
#define MNEMO_SPAN_X86 1
template <float (*F)(float)>
__attribute__((target("avx2"))) void avx2(float* v, size_t n) { mapLoop<F>(v, n); }
template <float (*F)(float)>
__attribute__((target("avx512f"))) void avx512(float* v, size_t n) { mapLoop<F>(v, n); }
template <float (*F)(float)>
constexpr SpanBuilds kBuilds{generic<F>, avx2<F>, avx512<F>};
#else
template <float (*F)(float)>
constexpr SpanBuilds kBuilds{generic<F>, nullptr, nullptr};
#endif

SpanFn pickWith(const SpanBuilds& b, const char* build) {
  const SpanFn f = forNamedBuild(build, b.generic, b.avx2, b.avx512);
  MNEMO_CHECK(f, "no build '" << build << "' of the loss loops on this CPU");
  return f;
}

}  // namespace

std::vector<const char*> expSpanBuilds() {
  std::vector<const char*> builds{"generic"};
#ifdef MNEMO_SPAN_X86
  if (__builtin_cpu_supports("avx2")) builds.push_back("avx2");
  if (__builtin_cpu_supports("avx512f")) builds.push_back("avx512f");
#endif
  return builds;
}

void expSpan(float* v, size_t n) {
  static const SpanFn f = forBestGemmIsa(kBuilds<expOf>.generic, kBuilds<expOf>.avx2, kBuilds<expOf>.avx512);
  f(v, n);
}

void logSpan(float* v, size_t n) {
  static const SpanFn f = forBestGemmIsa(kBuilds<logOf>.generic, kBuilds<logOf>.avx2, kBuilds<logOf>.avx512);
  f(v, n);
}

void expSpanWith(const char* build, float* v, size_t n) { pickWith(kBuilds<expOf>, build)(v, n); }
void logSpanWith(const char* build, float* v, size_t n) { pickWith(kBuilds<logOf>, build)(v, n); }

}  // namespace mnemo
