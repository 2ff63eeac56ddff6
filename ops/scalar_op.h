// Turns one scalar function into an elementwise op's ScalarFns (ops/op_table.h): the double and
// float versions and the span loop, all instantiated from the same expression. A family file
// writes the function once, as a struct with `template <typename T> static T f(T a)` (or
// `f(T a, T b)`), and passes it to unaryScalar<F>() or binaryScalar<F>().
#pragma once

#include <cstddef>

#include "ops/op_table.h"

namespace mnemo {

template <typename F>
void unarySpan(float* d, const float* a, const float*, size_t n) {
  for (size_t e = 0; e < n; ++e) d[e] = F::f(a[e]);
}

template <typename F>
void binarySpan(float* d, const float* a, const float* b, size_t n) {
  for (size_t e = 0; e < n; ++e) d[e] = F::f(a[e], b[e]);
}

template <typename F>
ScalarFns unaryScalar() {
  ScalarFns s;
  s.arity = 1;
  s.d1 = &F::template f<double>;
  s.f1 = &F::template f<float>;
  s.span = &unarySpan<F>;
  return s;
}

template <typename F>
ScalarFns binaryScalar() {
  ScalarFns s;
  s.arity = 2;
  s.d2 = &F::template f<double>;
  s.f2 = &F::template f<float>;
  s.span = &binarySpan<F>;
  return s;
}

}  // namespace mnemo
