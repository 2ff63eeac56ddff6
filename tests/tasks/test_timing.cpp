// Tests for TimingSpec (every neurogym form), flooring to dt and the Rng.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "support/error.h"
#include "tasks/rng.h"
#include "tasks/timing.h"

using namespace mnemo;

TEST_CASE("Rng is reproducible and seeds give different streams", "[task][rng]") {
  Rng a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.next();
    REQUIRE(x == b.next());
    differs |= x != c.next();
  }
  REQUIRE(differs);
}

TEST_CASE("Rng samplers have the right moments", "[task][rng]") {
  Rng r(123);
  const int n = 200000;
  double s = 0, s2 = 0, u = 0, e = 0;
  std::map<uint64_t, int> counts;
  for (int i = 0; i < n; ++i) {
    double z = r.normal();
    s += z;
    s2 += z * z;
    u += r.uniform();
    e += r.exponential(3.0);
    counts[r.below(5)]++;
  }
  CHECK(std::fabs(s / n) < 0.01);
  CHECK(std::fabs(s2 / n - 1.0) < 0.01);
  CHECK(std::fabs(u / n - 0.5) < 0.003);
  CHECK(std::fabs(e / n - 3.0) < 0.03);
  REQUIRE(counts.size() == 5);
  for (auto& [k, v] : counts) CHECK(std::fabs(v / double(n) - 0.2) < 0.005);
}

TEST_CASE("floorToDt follows Python's floor division", "[task][timing]") {
  CHECK(floorToDt(500, 100) == 500);
  CHECK(floorToDt(500, 300) == 300);
  CHECK(floorToDt(99, 100) == 0);
  CHECK(floorToDt(1234.5, 100) == 1200);
  CHECK(floorToDt(1.0, 0.1) == Approx(0.9));  // Python: 1.0 // 0.1 == 9.0
  CHECK(floorToDt(3200, 100) == 3200);
}

TEST_CASE("Rng::below draws what the plain rejection rule draws", "[task][rng]") {
  // The oracle: reject draws at or past UINT64_MAX - UINT64_MAX % n, then take x % n.
  for (uint64_t n : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{16}, uint64_t{1000}, (uint64_t{1} << 63) + 1,
                     (uint64_t{1} << 63), UINT64_MAX - 5, UINT64_MAX}) {
    INFO("n " << n);
    Rng fast(99), plain(99);
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (int i = 0; i < 20000; ++i) {
      uint64_t x;
      do {
        x = plain.next();
      } while (x >= limit);
      REQUIRE(fast.below(n) == x % n);
    }
  }
}

TEST_CASE("floorToDt of whole numbers is their integer floor division", "[task][timing]") {
  for (int64_t a = 0; a <= 3000; a += 7)
    for (int64_t b = 1; b <= 250; ++b) REQUIRE(floorToDt(double(a), double(b)) == double(a / b * b));
  const int64_t big = (int64_t{1} << 52) - 1;  // the largest the whole-number path takes
  for (int64_t b : {int64_t{3}, int64_t{100}, int64_t{99991}, big - 2})
    REQUIRE(floorToDt(double(big), double(b)) == double(big / b * b));
  CHECK(floorToDt(0x1p53, 3) == 0x1p53 - 2);  // past it, the general path: 2^53 // 3 * 3
}

namespace {

/// Python's float floor division times dt, step by step as CPython does it (fmod, then the
/// corrected floor): the oracle for floorToDt's path without fmod.
double pythonFloorTimesDt(double ms, double dt) {
  const double mod = std::fmod(ms, dt);
  double div = (ms - mod) / dt;
  if (mod != 0 && ((dt < 0) != (mod < 0))) div -= 1.0;
  double q = std::floor(div);
  if (div - q > 0.5) q += 1.0;
  return q * dt;
}

}  // namespace

TEST_CASE("floorToDt of fractional durations and a whole dt is Python's floor division", "[task][timing]") {
  Rng rng(11);
  for (double dt : {1.0, 3.0, 7.0, 20.0, 100.0, 1000.0, 99991.0}) {
    INFO("dt " << dt);
    for (int i = 0; i < 20000; ++i) {
      const double ms = rng.uniform(0, 5000);  // uniform(a, b) timings draw such values
      REQUIRE(floorToDt(ms, dt) == pythonFloorTimesDt(ms, dt));
    }
    // Next to every multiple, where a rounded quotient could land on the next integer.
    for (double k = 0; k < 3000; ++k) {
      const double below = std::nextafter(k * dt, 0.0), at = k * dt, above = std::nextafter(k * dt, 1e300);
      REQUIRE(floorToDt(below, dt) == pythonFloorTimesDt(below, dt));
      REQUIRE(floorToDt(at, dt) == pythonFloorTimesDt(at, dt));
      REQUIRE(floorToDt(above, dt) == pythonFloorTimesDt(above, dt));
    }
  }
  CHECK(floorToDt(std::nextafter(300.0, 0.0), 100) == 200);
  CHECK(floorToDt(450.75, 100) == 400);
  CHECK(floorToDt(0x1p52 - 0.5, 100) == pythonFloorTimesDt(0x1p52 - 0.5, 100));
}

TEST_CASE("TimingSpec forms sample what they say", "[task][timing]") {
  Rng rng(1);
  CHECK(TimingSpec(500).sample(rng, 0) == 500);
  CHECK(TimingSpec::constant(250).sample(rng, 1000) == 250);

  TimingSpec list{200, 400};  // a bare list is a uniform choice
  CHECK(list.kind() == TimingSpec::Kind::Choice);
  std::map<double, int> seen;
  for (int i = 0; i < 2000; ++i) seen[TimingSpec::choice({1, 2, 3}).sample(rng, 0)]++;
  REQUIRE(seen.size() == 3);
  for (auto& [v, c] : seen) CHECK(std::abs(c - 667) < 100);

  for (int i = 0; i < 1000; ++i) {
    double u = TimingSpec::uniform(100, 300).sample(rng, 0);
    REQUIRE(u >= 100);
    REQUIRE(u < 300);
    double t = TimingSpec::truncatedExponential(300, 100, 1000).sample(rng, 0);
    REQUIRE(t >= 100);
    REQUIRE(t < 1000);
  }
  CHECK(TimingSpec::truncatedExponential(300, 500, 500).sample(rng, 0) == 500);  // min >= max
  CHECK(TimingSpec::until(2000).sample(rng, 1500) == 500);
  CHECK_THROWS_AS(TimingSpec::until(1000).sample(rng, 1500), Error);
  auto f = TimingSpec::function([](Rng&) { return 42.0; }, "always 42");
  CHECK(f.sample(rng, 0) == 42);
  CHECK(f.str() == "always 42");
}

TEST_CASE("TimingSpec::parse accepts the command-line forms and rejects others", "[task][timing]") {
  CHECK(TimingSpec::parse("500").kind() == TimingSpec::Kind::Constant);
  CHECK(TimingSpec::parse("200,400,800").kind() == TimingSpec::Kind::Choice);
  CHECK(TimingSpec::parse("choice:200,400").values() == std::vector<double>{200, 400});
  CHECK(TimingSpec::parse("uniform:100,300").kind() == TimingSpec::Kind::Uniform);
  CHECK(TimingSpec::parse("truncexp:300,100,1000").values() == std::vector<double>{300, 100, 1000});
  CHECK(TimingSpec::parse("until:3000").kind() == TimingSpec::Kind::Until);
  CHECK(TimingSpec::parse("constant:500").str() == "500");
  CHECK(TimingSpec::parse("choice:200,400").str() == "choice(200, 400)");
  for (const char* bad : {"", "abc", "choice:", "uniform:1", "uniform:300,100", "constant:-5",
                          "foo:1", "200,,400", "until:1,2", "truncexp:0"})
    CHECK_THROWS_AS(TimingSpec::parse(bad), Error);
}
