// Tests for mnemo's bulk normal generator (tasks/normal_block.h) and the Rng normal stream built
// on it: every value against libm's log/sqrt/cos/sin applied to the documented transform of the
// lanes' raw outputs; the distribution against N(0, 1) with bounds fixed by the sample size
// (each about 5 standard errors, or a p-value near 1e-6, so a correct generator fails one in
// ~10^6 runs and a wrong one by more than those margins fails); every kernel build bit for bit
// against the plain one; and the same stream however it is consumed or threaded.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "tasks/dataset.h"
#include "tasks/normal_block.h"
#include "tasks/registry.h"
#include "tasks/rng.h"

using namespace mnemo;

namespace {

// xoshiro256** on one lane, the published algorithm, for the oracle below.
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
uint64_t step(uint64_t s[4]) {
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}
double withMantissa(uint64_t bits52) {
  const uint64_t b = 0x3FF0000000000000ull | bits52;
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;  // in [1, 2)
}

// 0.5 erfc(-z / sqrt 2), the standard normal CDF.
double normalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

std::vector<double> draws(uint64_t seed, size_t n) {
  Rng rng(seed);
  std::vector<double> z(n);
  rng.fillNormal(z.data(), n);
  return z;
}

}  // namespace

TEST_CASE("normal kernel: each value is the documented Box-Muller transform, to 1e-13", "[task][rng][normal]") {
  NormalLanes lanes;
  seedNormalLanes(lanes, 77, 4);
  uint64_t ref[kNormalLanes][4];
  for (int l = 0; l < kNormalLanes; ++l)
    for (int w = 0; w < 4; ++w) ref[l][w] = lanes.s[w][l];
  std::vector<double> out(kNormalBlock);
  double worst = 0;
  for (int block = 0; block < 200; ++block) {
    normalBlock(lanes, out.data());
    for (int round = 0; round < kNormalBlock / (2 * kNormalLanes); ++round) {
      uint64_t x[kNormalLanes], y[kNormalLanes];
      for (int l = 0; l < kNormalLanes; ++l) x[l] = step(ref[l]);
      for (int l = 0; l < kNormalLanes; ++l) y[l] = step(ref[l]);
      for (int l = 0; l < kNormalLanes; ++l) {
        const double u = 2.0 - withMantissa(x[l] >> 12);                     // (0, 1]
        const double f = withMantissa((y[l] << 2) >> 12) - 1.5;               // [-1/2, 1/2)
        const double angle = (static_cast<double>(y[l] >> 62) + f) * M_PI / 2;
        const double r = std::sqrt(-2.0 * std::log(u));
        const double z0 = out[static_cast<size_t>(round * 2 * kNormalLanes + l)];
        const double z1 = out[static_cast<size_t>(round * 2 * kNormalLanes + kNormalLanes + l)];
        worst = std::max(worst, std::fabs(z0 - r * std::cos(angle)) / std::max(1.0, r));
        worst = std::max(worst, std::fabs(z1 - r * std::sin(angle)) / std::max(1.0, r));
      }
    }
  }
  INFO("largest error relative to max(1, r): " << worst);
  CHECK(worst < 1e-13);
}

TEST_CASE("normal kernel: every instruction-set build gives the plain build's bits", "[task][rng][normal]") {
  const std::vector<const char*> builds = normalBlockBuilds();
  REQUIRE(std::string(builds.front()) == "generic");
  NormalLanes plain;
  seedNormalLanes(plain, 5, 4);
  std::vector<double> expected(kNormalBlock * 500);
  for (int b = 0; b < 500; ++b) normalBlockWith("generic", plain, expected.data() + b * kNormalBlock);
  for (const char* build : builds) {
    NormalLanes lanes;
    seedNormalLanes(lanes, 5, 4);
    std::vector<double> got(expected.size());
    for (int b = 0; b < 500; ++b) normalBlockWith(build, lanes, got.data() + b * kNormalBlock);
    INFO("build " << build);
    CHECK(std::memcmp(got.data(), expected.data(), sizeof(double) * got.size()) == 0);
    CHECK(std::memcmp(&lanes, &plain, sizeof lanes) == 0);
  }
  CHECK_THROWS_WITH(normalBlockWith("sse9", plain, expected.data()),
                    "normal kernel build 'sse9' is unknown or not supported by this CPU");
}

TEST_CASE("mnemo normals: moments, tails and correlations of N(0, 1)", "[task][rng][normal]") {
  const size_t n = 4000000;
  const std::vector<double> z = draws(2024, n);
  const double N = static_cast<double>(n);
  double m1 = 0;
  for (double v : z) m1 += v;
  m1 /= N;
  double m2 = 0, m3 = 0, m4 = 0;
  for (double v : z) {
    const double d = v - m1, d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= N;
  m3 /= N;
  m4 /= N;
  const double skew = m3 / std::pow(m2, 1.5), kurt = m4 / (m2 * m2) - 3;
  // Standard errors for N(0, 1): mean 1/sqrt(N), variance sqrt(2/N), skewness sqrt(6/N),
  // excess kurtosis sqrt(24/N). Bounds: 5 of them.
  CHECK(std::fabs(m1) < 5 / std::sqrt(N));
  CHECK(std::fabs(m2 - 1) < 5 * std::sqrt(2 / N));
  CHECK(std::fabs(skew) < 5 * std::sqrt(6 / N));
  CHECK(std::fabs(kurt) < 5 * std::sqrt(24 / N));

  // Two-sided tail fractions against the normal's, within 5 binomial standard errors.
  for (double a : {1.0, 2.0, 3.0, 4.0, 4.5}) {
    const double p = 2 * normalCdf(-a);
    double count = 0;
    for (double v : z) count += std::fabs(v) > a;
    INFO("|z| > " << a << ": " << count << " of " << n << ", expected " << p * N);
    CHECK(std::fabs(count - p * N) < 5 * std::sqrt(N * p * (1 - p)));
  }

  // Lag correlations (lag 1: neighbours; lag 8: the two values of a Box-Muller pair), standard
  // error 1/sqrt(N).
  for (size_t lag : {size_t{1}, size_t{kNormalLanes}, size_t{2 * kNormalLanes}}) {
    double c = 0;
    for (size_t i = 0; i + lag < n; ++i) c += (z[i] - m1) * (z[i + lag] - m1);
    c /= (N - static_cast<double>(lag)) * m2;
    INFO("lag " << lag);
    CHECK(std::fabs(c) < 5 / std::sqrt(N));
  }
}

TEST_CASE("mnemo normals: chi-square over 200 equiprobable bins and Kolmogorov-Smirnov", "[task][rng][normal]") {
  const size_t n = 4000000;
  const std::vector<double> z = draws(99, n);
  const int bins = 200;
  std::vector<double> count(bins, 0);
  for (double v : z) count[static_cast<size_t>(std::min(bins - 1, static_cast<int>(normalCdf(v) * bins)))]++;
  const double expected = static_cast<double>(n) / bins;
  double chi2 = 0;
  for (double c : count) chi2 += (c - expected) * (c - expected) / expected;
  // The chi-square upper quantile at p = 1e-6 (normal quantile 4.753) by Wilson-Hilferty.
  const double dof = bins - 1, h = 2 / (9 * dof);
  const double limit = dof * std::pow(1 - h + 4.753 * std::sqrt(h), 3);
  INFO("chi2 " << chi2 << " with " << dof << " degrees of freedom, limit " << limit);
  CHECK(chi2 < limit);

  // KS on 1e6 of them: P(sqrt(n) D > x) ~ 2 exp(-2 x^2) = 1e-6 at x = 2.69.
  std::vector<double> s(z.begin(), z.begin() + 1000000);
  std::sort(s.begin(), s.end());
  const double m = static_cast<double>(s.size());
  double d = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const double F = normalCdf(s[i]);
    d = std::max({d, F - static_cast<double>(i) / m, static_cast<double>(i + 1) / m - F});
  }
  INFO("KS D = " << d);
  CHECK(std::sqrt(m) * d < 2.69);
}

TEST_CASE("mnemo normals: one stream however it is read, reseeding restarts it, uniforms do not move it",
          "[task][rng][normal]") {
  Rng a(31), b(31), c(31);
  std::vector<double> bulk(1000);
  a.fillNormal(bulk.data(), bulk.size());
  std::vector<double> mixed;
  size_t chunk = 1;
  while (mixed.size() < bulk.size()) {  // chunks of 1, 2, 3, ... crossing block boundaries
    std::vector<double> part(std::min(chunk++, bulk.size() - mixed.size()));
    b.fillNormal(part.data(), part.size());
    mixed.insert(mixed.end(), part.begin(), part.end());
    if (mixed.size() < bulk.size()) mixed.push_back(b.normal());
    c.uniform();  // advances c's uniform stream only
  }
  CHECK(mixed == bulk);
  std::vector<double> fromC(bulk.size());
  for (double& v : fromC) v = c.normal();
  CHECK(fromC == bulk);
  a.seed(31);
  CHECK(a.normal() == bulk[0]);
  CHECK(Rng(32).normal() != bulk[0]);
}

TEST_CASE("mnemo normals: Dataset batches are the same built on one thread or on several at once",
          "[task][rng][normal][dataset]") {
  std::shared_ptr<const Task> task(makeTask("yang19.ctxdm1-v0"));
  auto batches = [&](uint64_t seed) {
    Dataset d(task, DatasetConfig{16, 100, 0, seed, false});
    std::vector<float> all;
    Batch b;
    for (int i = 0; i < 15; ++i) {
      d.next(b);
      all.insert(all.end(), b.inputs.begin(), b.inputs.end());
    }
    return all;
  };
  std::vector<std::vector<float>> alone;
  for (uint64_t seed = 0; seed < 4; ++seed) alone.push_back(batches(seed));
  std::vector<std::vector<float>> threaded(4);
  std::vector<std::thread> threads;
  for (uint64_t seed = 0; seed < 4; ++seed) threads.emplace_back([&, seed] { threaded[seed] = batches(seed); });
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < 4; ++i) CHECK(threaded[i] == alone[i]);
  CHECK(alone[0] != alone[1]);
}
