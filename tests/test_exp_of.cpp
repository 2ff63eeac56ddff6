// mnemo's vectorisable float exponential (runtime/kernels/exp_of.h), used by the loss loops,
// against the double-precision exponential over its whole range, and at its edges.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "runtime/kernels/exp_of.h"

using namespace mnemo;

TEST_CASE("expOf is within 2 ulp of e^x from -87.3 to 88.7, 0 below, +inf above, NaN as NaN", "[runtime][exp]") {
  double worst = 0;
  float at = 0;
  const int steps = 2000000;
  for (int i = 0; i <= steps; ++i) {
    const float x = -87.3f + static_cast<float>(176.0 * i / steps);
    if (x > 88.7f) break;
    const double want = std::exp(static_cast<double>(x));
    const double ulp = std::ldexp(1.0, std::ilogb(want) - 23);  // one float ulp at the result
    const double err = std::abs(static_cast<double>(expOf(x)) - want) / ulp;
    if (err > worst) worst = err, at = x;
  }
  INFO("worst error " << worst << " ulp at x = " << at);
  CHECK(worst <= 2.0);
  CHECK(expOf(0.f) == 1.f);
  CHECK(expOf(-100.f) == 0.f);
  CHECK(expOf(-std::numeric_limits<float>::infinity()) == 0.f);
  CHECK(expOf(100.f) == std::numeric_limits<float>::infinity());
  CHECK(std::isnan(expOf(std::nanf(""))));
  // Near the ends of the range the scale is still a normal float.
  CHECK(expOf(-87.f) == Approx(std::exp(-87.0)).epsilon(1e-6));
  CHECK(expOf(88.f) == Approx(std::exp(88.0)).epsilon(1e-6));
}

/// Each build's span (\p spanWith) gives \p scalar's bits on every value of \p x (NaN as NaN).
template <class SpanWith, class Scalar>
void checkEveryBuild(const std::vector<float>& x, SpanWith spanWith, Scalar scalar) {
  for (const char* build : expSpanBuilds()) {
    std::vector<float> v = x;
    spanWith(build, v.data(), v.size());
    for (size_t i = 0; i < x.size(); ++i) {
      INFO("build " << build << ", x = " << x[i]);
      const float want = scalar(x[i]);
      if (std::isnan(want)) CHECK(std::isnan(v[i]));
      else CHECK(v[i] == want);
    }
  }
}

TEST_CASE("expSpan gives expOf's bits in every instruction-set build this CPU has", "[runtime][exp]") {
  std::vector<float> x;
  for (int i = -900; i <= 900; ++i) x.push_back(static_cast<float>(i) * 0.1003f);
  for (float v : {-88.f, -87.3f, 88.7f, 89.f, std::numeric_limits<float>::infinity(), std::nanf("")}) x.push_back(v);
  x.push_back(-std::numeric_limits<float>::infinity());
  REQUIRE(expSpanBuilds().front() == std::string("generic"));
  checkEveryBuild(x, expSpanWith, expOf);
  std::vector<float> v = x;
  expSpan(v.data(), v.size());
  CHECK(v[900] == 1.f);  // x = 0
  CHECK_THROWS_WITH(expSpanWith("sse9", v.data(), 1), Catch::Contains("no build 'sse9'"));
}

TEST_CASE("logOf is within 2 ulp of ln x over every float exponent, and exact at the edges", "[runtime][exp]") {
  double worst = 0;
  float at = 0;
  // Every exponent from the smallest subnormals to the largest floats, 20,000 mantissas each.
  for (int exponent = -149; exponent <= 127; ++exponent)
    for (int i = 0; i < 20000; ++i) {
      const float x = std::ldexp(1.f + static_cast<float>(i) / 20000.f, exponent);
      if (!(x > 0.f) || std::isinf(x)) continue;
      const double want = std::log(static_cast<double>(x));
      if (want == 0) continue;
      const double ulp = std::ldexp(1.0, std::ilogb(want) - 23);
      const double err = std::abs(static_cast<double>(logOf(x)) - want) / ulp;
      if (err > worst) worst = err, at = x;
    }
  INFO("worst error " << worst << " ulp at x = " << at);
  CHECK(worst <= 2.0);
  CHECK(logOf(1.f) == 0.f);
  CHECK(std::abs(logOf(1.0000001f) - 1.1920928e-7f) <= 1.2e-14f);
  CHECK(logOf(0.f) == -std::numeric_limits<float>::infinity());
  CHECK(logOf(std::numeric_limits<float>::infinity()) == std::numeric_limits<float>::infinity());
  CHECK(std::isnan(logOf(-1.f)));
  CHECK(std::isnan(logOf(std::nanf(""))));
  CHECK(logOf(std::numeric_limits<float>::denorm_min()) ==
        Approx(std::log(static_cast<double>(std::numeric_limits<float>::denorm_min()))).epsilon(1e-6));
}

TEST_CASE("logSpan gives logOf's bits in every instruction-set build this CPU has", "[runtime][exp]") {
  std::vector<float> x;
  for (int i = 1; i <= 3000; ++i) x.push_back(static_cast<float>(i) * 0.0137f);
  for (float v : {0.f, -2.f, 1e-40f, 3e38f, std::numeric_limits<float>::infinity(), std::nanf("")}) x.push_back(v);
  checkEveryBuild(x, logSpanWith, logOf);
}
