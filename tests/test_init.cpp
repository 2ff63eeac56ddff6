// Parameter initialisation: init strings, the spec's truncated kaiming_normal, uniform, normal,
// determinism per seed and errors naming the param.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "frontend/init.h"
#include "training/rnn_model.h"
#include "ops/builder.h"
#include "support/error.h"

using namespace mnemo;

namespace {

struct Moments {
  double mean = 0, std = 0, min = 0, max = 0;
};

Moments moments(const std::vector<float>& v) {
  Moments m;
  m.min = *std::min_element(v.begin(), v.end());
  m.max = *std::max_element(v.begin(), v.end());
  double s = 0, s2 = 0;
  for (float x : v) s += x;
  m.mean = s / v.size();
  for (float x : v) s2 += (x - m.mean) * (x - m.mean);
  m.std = std::sqrt(s2 / v.size());
  return m;
}

}  // namespace

TEST_CASE("init strings parse and print canonically", "[init]") {
  CHECK(parseInitSpec("kaiming_normal(1)") == InitSpec{"kaiming_normal", {1.0}});
  CHECK(parseInitSpec(" uniform( -0.125 , 0.125 ) ") == InitSpec{"uniform", {-0.125, 0.125}});
  CHECK(parseInitSpec("zeros") == InitSpec{"zeros", {}});
  CHECK(parseInitSpec("normal(1e-3)") == InitSpec{"normal", {1e-3}});
  CHECK(formatInitSpec({"uniform", {-0.125, 0.125}}) == "uniform(-0.125,0.125)");
  CHECK(formatInitSpec({"kaiming_normal", {1.0}}) == "kaiming_normal(1)");
  CHECK(formatInitSpec({"zeros", {}}) == "zeros");
  const double third = 1.0 / 3.0;
  CHECK(parseInitSpec(formatInitSpec({"constant", {third}})).args[0] == third);  // round-trips exactly
  CHECK(formatNumber(0.1) == "0.1");
  CHECK(formatNumber(-2) == "-2");
  CHECK(formatNumber(1e-5) == "1e-05");
  CHECK_THROWS_WITH(parseInitSpec("uniform(1,"), "expected a number at offset 10");
  CHECK_THROWS_WITH(parseInitSpec("uniform(1 2)"), "expected ',' or ')' at offset 10");
  CHECK_THROWS_WITH(parseInitSpec("zeros)"), "unexpected text at offset 5");
  CHECK_THROWS_WITH(parseInitSpec("(1)"), "expected an initialiser name");
}

TEST_CASE("init specs are checked against the param's shape", "[init]") {
  CHECK_NOTHROW(checkInitSpec({"kaiming_normal", {1}}, {2, 64}));
  CHECK_THROWS_WITH(checkInitSpec({"kaiming_normal", {1}}, {64}),
                    "kaiming_normal needs a param of rank >= 2 (in, out), got shape [64]");
  CHECK_THROWS_WITH(checkInitSpec({"kaiming_normal", {0}}, {2, 2}), "kaiming_normal(scale) needs scale > 0, got 0");
  CHECK_THROWS_WITH(checkInitSpec({"uniform", {1}}, {2}), "uniform takes 2 argument(s), got 1");
  CHECK_THROWS_WITH(checkInitSpec({"uniform", {0.5, 0.5}}, {2}), "uniform(lo, hi) needs lo < hi, got lo = 0.5, hi = 0.5");
  CHECK_THROWS_WITH(checkInitSpec({"normal", {-1}}, {2}), "normal(std) needs std >= 0, got -1");
  CHECK_THROWS_WITH(checkInitSpec({"xavier", {}}, {2}), Catch::StartsWith("unknown initialiser 'xavier'"));
  CHECK(fanIn({2, 64}) == 2);
  CHECK(fanIn({64, 3}) == 64);
  CHECK(fanIn({3, 5, 7}) == 15);  // receptive field 3 times shape[-2]
}

TEST_CASE("kaiming_normal is the spec's truncated normal with fan_in scaling", "[init]") {
  // 256 x 2000: fan_in 256, std sqrt(1/256) = 0.0625, hard bound 2 * 0.0625 / 0.8796... = 0.14211.
  const Dims dims{256, 2000};
  const std::vector<float> w = sampleInit({"kaiming_normal", {1}}, dims, 123);
  REQUIRE(w.size() == 512000u);
  const double stddev = std::sqrt(1.0 / 256) / kTruncatedNormalStd;
  const double bound = 2 * stddev;
  const Moments m = moments(w);
  CHECK(m.min > -bound);
  CHECK(m.max < bound);
  CHECK(m.max > 0.99 * bound);  // the tails are really used up to the truncation point
  CHECK(m.min < -0.99 * bound);
  CHECK(m.mean == Approx(0).margin(3e-4));
  CHECK(m.std == Approx(0.0625).epsilon(0.005));  // std error of the std here is ~0.1%
  // The untruncated part: about 95.45% of N(0,1) lies in (-2, 2); beyond one std 31.7% lies
  // outside (-1, 1), so after truncation 1 - 0.6827/0.9545 = 28.5% lies beyond z = 1.
  size_t beyondOne = std::count_if(w.begin(), w.end(), [&](float x) { return std::abs(x) > stddev; });
  CHECK(static_cast<double>(beyondOne) / w.size() == Approx(1 - 0.682689 / 0.954500).margin(0.003));

  // The scale multiplies the variance: scale 2 gives std sqrt(2/256).
  const Moments m2 = moments(sampleInit({"kaiming_normal", {2}}, dims, 9));
  CHECK(m2.std == Approx(std::sqrt(2.0 / 256)).epsilon(0.005));

  // The notebook's w_ir: fan_in 2, bound 1.6077 (spec table).
  const Moments ir = moments(sampleInit({"kaiming_normal", {1}}, {2, 64}, 5));
  CHECK(ir.max < 1.6077);
  CHECK(ir.min > -1.6077);
}

TEST_CASE("uniform, normal and filled initialisers", "[init]") {
  const std::vector<float> u = sampleInit({"uniform", {-0.125, 0.125}}, {400, 500}, 77);
  const Moments mu = moments(u);
  CHECK(mu.min >= -0.125);
  CHECK(mu.max < 0.125);
  CHECK(mu.min < -0.1249);
  CHECK(mu.max > 0.1249);
  CHECK(mu.mean == Approx(0).margin(5e-4));
  CHECK(mu.std == Approx(0.25 / std::sqrt(12.0)).epsilon(0.005));
  const Moments shifted = moments(sampleInit({"uniform", {1, 3}}, {100000}, 1));
  CHECK(shifted.mean == Approx(2).margin(0.01));

  const Moments mn = moments(sampleInit({"normal", {0.3}}, {200000}, 2));
  CHECK(mn.mean == Approx(0).margin(0.003));
  CHECK(mn.std == Approx(0.3).epsilon(0.006));
  CHECK(mn.max > 3 * 0.3);  // not truncated

  for (float x : sampleInit({"zeros", {}}, {3, 4}, 1)) CHECK(x == 0.0f);
  for (float x : sampleInit({"ones", {}}, {5}, 1)) CHECK(x == 1.0f);
  for (float x : sampleInit({"constant", {-0.5}}, {2, 2}, 1)) CHECK(x == -0.5f);
}

TEST_CASE("initParams is deterministic per seed and per param", "[init]") {
  RnnConfig cfg;
  cfg.batch = 2, cfg.seqLen = 2;
  auto g = buildNotebookRnn(cfg);
  const auto a = initParams(*g, 1);
  const auto b = initParams(*g, 1);
  const auto c = initParams(*g, 2);
  REQUIRE(a.size() == 5);
  CHECK(a == b);
  CHECK(a.at("w_rr") != c.at("w_rr"));
  CHECK(a.at("w_rr").size() == 64u * 64u);
  CHECK(a.at("b_ro").size() == 3u);
  CHECK(a.at("w_ir") != a.at("w_rr"));  // each param has its own stream
  for (float x : a.at("b_rr")) CHECK(std::abs(x) < 0.125f);
  for (float x : a.at("w_rr")) CHECK(std::abs(x) < 0.2843f);
  // A param's values depend on its name and the seed only, not on the other params.
  Graph h("other");
  Builder bh(h);
  bh.param("extra", {7}, "normal(1)");
  bh.param("w_rr", {64, 64}, "kaiming_normal(1)");
  CHECK(initParams(h, 1).at("w_rr") == a.at("w_rr"));
  // Pinned values for seed 1: the sampler is mnemo's own, so these hold on every platform and
  // change only if the sampling code does.
  CHECK(a.at("b_ro")[0] == Approx(-0.101158053).epsilon(1e-6));
  CHECK(a.at("w_rr")[0] == Approx(-0.0778328478).epsilon(1e-6));
  CHECK(a.at("w_rr")[1] == Approx(-0.0188485384).epsilon(1e-6));
}

TEST_CASE("a bad or missing init names the param", "[init]") {
  Graph g("bad");
  Builder b(g);
  b.param("w", {4}, "kaiming_normal(1)");
  CHECK_THROWS_WITH(initParams(g, 0), "param %w: bad init \"kaiming_normal(1)\": kaiming_normal needs a param of rank >= 2 "
                                      "(in, out), got shape [4]");
  Graph g2("bad2");
  Builder b2(g2);
  b2.param("v", {2, 2}, "uniform(0.1");
  CHECK_THROWS_WITH(initParams(g2, 0), "param %v: bad init \"uniform(0.1\": expected ',' or ')' at offset 11");
  Graph g3("bad3");
  Builder b3(g3);
  b3.param("u", {2});
  CHECK_THROWS_WITH(initParams(g3, 0), "param %u has no init attribute");
}
