// Tests for RingTuning (tasks/neurogym_util.h): the exact path is std::cos of each difference
// (neurogym's values; the numpy golden tests check the tasks built on it), the fast path, which
// mnemo's generator uses, agrees with it to a few units in the last place, and so a Reaching1D
// trial with mnemo's generator holds float32(cos(theta_k - target)) to within one float step.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "tasks/neurogym_util.h"
#include "tasks/reaching.h"

using namespace mnemo;

TEST_CASE("RingTuning: exact and fast rows of cos(theta_k - direction)", "[task][ring]") {
  for (int n : {1, 2, 16, 32, 33}) {
    RingTuning ring(n);
    REQUIRE(ring.theta() == ringAngles(n));
    std::vector<double> exact(n), fast(n);
    for (int i = 0; i < 2000; ++i) {
      const double direction = -7.0 + 14.0 * i / 1999;  // beyond one turn either way
      ring.fill(direction, 0.3, true, exact.data());
      ring.fill(direction, 0.3, false, fast.data());
      for (int k = 0; k < n; ++k) {
        REQUIRE(exact[size_t(k)] == std::cos(ring.theta()[size_t(k)] - direction) * 0.3);
        REQUIRE(std::fabs(fast[size_t(k)] - exact[size_t(k)]) < 4e-16);
      }
    }
  }
}

TEST_CASE("Reaching1D with mnemo's generator: the ring holds cos(theta_k - target) to a float step",
          "[task][ring]") {
  Reaching1D task;
  Rng rng(3);
  const std::vector<double> theta = ringAngles(16);
  for (int i = 0; i < 200; ++i) {
    Trial t = task.newTrial(rng);
    const double target = t.info.param("gt");
    const int reach = t.info.period("reach").start;
    for (int k = 0; k < 16; ++k) {
      const float want = static_cast<float>(std::cos(theta[size_t(k)] - target));
      const float step = std::nextafter(std::fabs(want), 2.0f) - std::fabs(want);
      REQUIRE(std::fabs(t.input(reach, k) - want) <= step + 4e-16);  // (near 0, the double's error)
    }
  }
}
