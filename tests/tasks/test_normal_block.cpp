// Tests for mnemo's bulk normal generators (tasks/normal_block.h, double and float32) and the Rng
// normal streams built on them: every value against libm's log/sqrt/cos/sin applied to the
// documented transform of the lanes' raw outputs; the distribution against N(0, 1) with bounds fixed by the sample size
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

/// n values of the float stream, widened to double for the statistics.
std::vector<double> floatDraws(uint64_t seed, size_t n) {
  Rng rng(seed);
  std::vector<float> z(n);
  rng.fillNormal(z.data(), n);
  return std::vector<double>(z.begin(), z.end());
}

/// Mean, variance, skewness, kurtosis, tail fractions and lag correlations of z against N(0, 1);
/// pairLag is the distance between the two values of a Box-Muller pair in the stream.
void checkMomentsTailsCorrelations(const std::vector<double>& z, size_t pairLag) {
  const size_t n = z.size();
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

  // Lag correlations (lag 1: neighbours; pairLag: the two values of a Box-Muller pair), standard
  // error 1/sqrt(N).
  for (size_t lag : {size_t{1}, pairLag, 2 * pairLag}) {
    double c = 0;
    for (size_t i = 0; i + lag < n; ++i) c += (z[i] - m1) * (z[i + lag] - m1);
    c /= (N - static_cast<double>(lag)) * m2;
    INFO("lag " << lag);
    CHECK(std::fabs(c) < 5 / std::sqrt(N));
  }
}

/// A 200-bin chi-square of z's normal CDF values and a Kolmogorov-Smirnov test on its first 1e6.
void checkChiSquareAndKs(const std::vector<double>& z) {
  const size_t n = z.size();
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

TEST_CASE("float normal kernel: each value is the documented transform, to float precision", "[task][rng][normal]") {
  FloatNormalLanes lanes;
  seedNormalLanes(lanes, 77, 36);
  uint64_t ref[kFloatNormalLanes][4];
  for (int l = 0; l < kFloatNormalLanes; ++l)
    for (int w = 0; w < 4; ++w) ref[l][w] = lanes.s[w][l];
  std::vector<float> out(kFloatNormalBlock);
  double worst = 0, largest = 0;
  for (int block = 0; block < 2000; ++block) {
    floatNormalBlock(lanes, out.data());
    for (int round = 0; round < kFloatNormalBlock / (2 * kFloatNormalLanes); ++round) {
      for (int l = 0; l < kFloatNormalLanes; ++l) {
        const uint64_t x = step(ref[l]);
        // u = (low 31 bits + 1/2) 2^-31 in float (24 bits), the angle from the top 2 bits
        // (quadrant) and the 23 below them.
        const float low = static_cast<float>(static_cast<int32_t>(static_cast<uint32_t>(x) >> 1));
        const double u = static_cast<double>(low * 0x1.0p-31f + 0x1.0p-32f);  // as the kernel rounds it
        const uint32_t y = static_cast<uint32_t>(x >> 32);
        const double f = static_cast<double>((y << 2) >> 9) * 0x1.0p-23 - 0.5;  // [-1/2, 1/2)
        const double angle = (static_cast<double>(y >> 30) + f) * M_PI / 2;
        const double r = std::sqrt(-2.0 * std::log(u));
        const double z0 = out[static_cast<size_t>(round * 2 * kFloatNormalLanes + l)];
        const double z1 = out[static_cast<size_t>(round * 2 * kFloatNormalLanes + kFloatNormalLanes + l)];
        worst = std::max(worst, std::fabs(z0 - r * std::cos(angle)) / std::max(1.0, r));
        worst = std::max(worst, std::fabs(z1 - r * std::sin(angle)) / std::max(1.0, r));
        largest = std::max({largest, std::fabs(z0), std::fabs(z1)});
      }
    }
  }
  INFO("largest error relative to max(1, r): " << worst << "; largest |z| " << largest);
  CHECK(worst < 1e-6);  // float's resolution is 6e-8: a few roundings of the series and products
  CHECK(largest < 6.67);  // the smallest u, 2^-32, bounds the radius at sqrt(64 ln 2)
}

TEST_CASE("float normal kernel: every instruction-set build gives the plain build's bits", "[task][rng][normal]") {
  FloatNormalLanes plain;
  seedNormalLanes(plain, 5, 36);
  std::vector<float> expected(kFloatNormalBlock * 500);
  for (int b = 0; b < 500; ++b) floatNormalBlockWith("generic", plain, expected.data() + b * kFloatNormalBlock);
  for (const char* build : normalBlockBuilds()) {
    FloatNormalLanes lanes;
    seedNormalLanes(lanes, 5, 36);
    std::vector<float> got(expected.size());
    for (int b = 0; b < 500; ++b) floatNormalBlockWith(build, lanes, got.data() + b * kFloatNormalBlock);
    INFO("build " << build);
    CHECK(std::memcmp(got.data(), expected.data(), sizeof(float) * got.size()) == 0);
    CHECK(std::memcmp(&lanes, &plain, sizeof lanes) == 0);
  }
  CHECK_THROWS_WITH(floatNormalBlockWith("sse9", plain, expected.data()),
                    "normal kernel build 'sse9' is unknown or not supported by this CPU");
}

TEST_CASE("mnemo normals: moments, tails and correlations of N(0, 1)", "[task][rng][normal]") {
  checkMomentsTailsCorrelations(draws(2024, 4000000), kNormalLanes);
}

TEST_CASE("mnemo normals: chi-square over 200 equiprobable bins and Kolmogorov-Smirnov", "[task][rng][normal]") {
  checkChiSquareAndKs(draws(99, 4000000));
}

TEST_CASE("mnemo float normals: moments, tails and correlations of N(0, 1)", "[task][rng][normal]") {
  checkMomentsTailsCorrelations(floatDraws(2024, 4000000), kFloatNormalLanes);
}

TEST_CASE("mnemo float normals: chi-square over 200 equiprobable bins and Kolmogorov-Smirnov",
          "[task][rng][normal]") {
  checkChiSquareAndKs(floatDraws(99, 4000000));
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

TEST_CASE("mnemo float normals: one stream however it is read, apart from the double one", "[task][rng][normal]") {
  Rng a(31), b(31), c(31);
  std::vector<float> bulk(3000);  // whole blocks go straight to the output: read across them too
  a.fillNormal(bulk.data(), bulk.size());
  std::vector<float> mixed;
  size_t chunk = 1;
  while (mixed.size() < bulk.size()) {  // chunks of 1, 4, 16, ... (up to 600) crossing blocks
    std::vector<float> part(std::min(chunk, bulk.size() - mixed.size()));
    chunk = std::min<size_t>(chunk * 4, 600);
    b.fillNormal(part.data(), part.size());
    mixed.insert(mixed.end(), part.begin(), part.end());
    b.normal();   // the double stream does not move the float one
    c.uniform();  // nor the uniform stream
  }
  CHECK(mixed == bulk);
  std::vector<float> fromC(bulk.size());
  c.fillNormal(fromC.data(), fromC.size());
  CHECK(fromC == bulk);
  // Nor the float stream the double one; reseeding restarts both.
  CHECK(b.normal() != Rng(31).normal());  // b has drawn doubles above
  Rng d(31);
  std::vector<float> first(5);
  d.fillNormal(first.data(), first.size());
  CHECK(d.normal() == Rng(31).normal());
  d.seed(31);
  std::vector<float> again(5);
  d.fillNormal(again.data(), again.size());
  CHECK(again == first);
  CHECK(std::vector<float>(bulk.begin(), bulk.begin() + 5) == first);
  // numpy's generator: the double normals rounded to float.
  Rng np1(3, RngKind::Numpy), np2(3, RngKind::Numpy);
  std::vector<float> npFloat(7);
  np1.fillNormal(npFloat.data(), npFloat.size());
  for (float v : npFloat) CHECK(v == static_cast<float>(np2.normal()));
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
