// NumpyRandom against numpy.random.RandomState: the fixtures in tests/fixtures/numpy_random were
// drawn by numpy (tests/tasks/make_numpy_random_fixtures.py, which documents each array); here
// the same calls are replayed and every value must match to the bit.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "support/error.h"
#include "io/npz.h"
#include "tasks/numpy_random.h"

using namespace mnemo;

namespace {

const std::filesystem::path kDir =
    std::filesystem::path(MNEMO_SOURCE_DIR) / "tests" / "fixtures" / "numpy_random";

std::vector<double> f64(const NpzArchive& z, const std::string& name) {
  return z.get(name, NpyType::Float64).values<double>();
}
std::vector<int64_t> i64(const NpzArchive& z, const std::string& name) {
  return z.get(name, NpyType::Int64).values<int64_t>();
}

/// Bitwise equality of doubles, reporting the first mismatch.
void requireSameBits(const std::vector<double>& got, const std::vector<double>& want,
                     const std::string& what) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::memcmp(&got[i], &want[i], sizeof(double)) != 0) {
      INFO(what << "[" << i << "]: got " << got[i] << ", numpy " << want[i]);
      REQUIRE(false);
    }
  }
}

}  // namespace

TEST_CASE("NumpyRandom reproduces RandomState(seed) for every legacy method", "[task][numpy-rng]") {
  for (uint32_t seed : {0u, 1u, 12345u, 4294967295u}) {
    INFO("seed " << seed);
    const NpzArchive z = readNpz((kDir / ("seed" + std::to_string(seed) + ".npz")).string());
    NumpyRandom rs(seed);

    const std::vector<int64_t> key = i64(z, "key");
    REQUIRE(key.size() == 624);
    for (size_t i = 0; i < key.size(); ++i) REQUIRE(rs.state().key[i] == static_cast<uint32_t>(key[i]));

    std::vector<double> got;
    for (size_t i = 0; i < f64(z, "sample").size(); ++i) got.push_back(rs.randomSample());
    requireSameBits(got, f64(z, "sample"), "random_sample");

    const std::vector<double> ub = f64(z, "uniform_bounds");
    got.clear();
    for (size_t i = 0; i < ub.size() / 2; ++i) got.push_back(rs.uniform(ub[2 * i], ub[2 * i + 1]));
    requireSameBits(got, f64(z, "uniform"), "uniform");

    got.clear();
    for (int i = 0; i < 801; ++i) got.push_back(rs.standardNormal());
    requireSameBits(got, f64(z, "normal"), "standard_normal");
    got = {rs.normal(2.0, 0.5), rs.normal(2.0, 0.5)};
    for (int i = 0; i < 18; ++i) got.push_back(rs.standardNormal());
    requireSameBits(got, f64(z, "normal_after"), "normal after an odd count");

    got.clear();
    for (double s : f64(z, "exponential_scale")) got.push_back(rs.exponential(s));
    requireSameBits(got, f64(z, "exponential"), "exponential");

    const std::vector<int64_t> rb = i64(z, "randint_bounds");
    const std::vector<int64_t> ri = i64(z, "randint");
    REQUIRE(rb.size() == 2 * ri.size());
    for (size_t i = 0; i < ri.size(); ++i) {
      INFO("randint(" << rb[2 * i] << ", " << rb[2 * i + 1] << ") #" << i);
      REQUIRE(rs.randint(rb[2 * i], rb[2 * i + 1]) == ri[i]);
    }

    const std::vector<double> p = f64(z, "choice_p_probs");
    for (int64_t want : i64(z, "choice_p")) REQUIRE(rs.choiceIndex(p) == want);

    std::vector<int64_t> perms;
    for (int n = 1; n <= 12; ++n)
      for (int64_t v : rs.permutation(n)) perms.push_back(v);
    for (int64_t v : rs.permutation(100)) perms.push_back(v);
    REQUIRE(perms == i64(z, "perm"));

    std::vector<int64_t> noreplace;
    for (int i = 0; i < 20; ++i) {
      for (int64_t v : rs.choiceWithoutReplacement(4, 4)) noreplace.push_back(v);
      for (int64_t v : rs.choiceWithoutReplacement(3, 2)) noreplace.push_back(v);
    }
    REQUIRE(noreplace == i64(z, "noreplace"));

    got.clear();
    const double choices[] = {10, 20, 30};
    for (int i = 0; i < 200; ++i) {
      got.push_back(rs.standardNormal());
      got.push_back(rs.randomSample());
      got.push_back(static_cast<double>(rs.randint(0, 3 + i % 5)));
      got.push_back(rs.exponential(2.0));
      got.push_back(choices[rs.choiceIndex(3)]);
      for (int k = 0; k < i % 3 + 1; ++k) got.push_back(rs.standardNormal());
    }
    requireSameBits(got, f64(z, "mixed"), "mixed");

    const std::vector<int64_t> stateKey = i64(z, "state_key");
    for (size_t i = 0; i < stateKey.size(); ++i)
      REQUIRE(rs.state().key[i] == static_cast<uint32_t>(stateKey[i]));
    REQUIRE(rs.state().pos == i64(z, "state_pos")[0]);
    REQUIRE(rs.state().hasGauss == (i64(z, "state_has_gauss")[0] != 0));
    const double gauss = f64(z, "state_gauss")[0];
    REQUIRE(std::memcmp(&rs.state().gauss, &gauss, sizeof(double)) == 0);
  }
}

TEST_CASE("NumpyRandom array seeding matches RandomState of a list of words", "[task][numpy-rng]") {
  const NpzArchive z = readNpz((kDir / "array_seeds.npz").string());
  for (int i = 0; z.has("words_" + std::to_string(i)); ++i) {
    std::vector<uint32_t> words;
    for (int64_t w : i64(z, "words_" + std::to_string(i))) words.push_back(static_cast<uint32_t>(w));
    NumpyRandom rs;
    rs.seedByArray(words);
    std::vector<double> got;
    const std::vector<double> want = f64(z, "sample_" + std::to_string(i));
    for (size_t k = 0; k < want.size(); ++k) got.push_back(rs.randomSample());
    requireSameBits(got, want, "array seed " + std::to_string(i));
  }
}

TEST_CASE("NumpyRandom state round-trips and re-seeding clears the cached normal", "[task][numpy-rng]") {
  NumpyRandom a(7);
  a.standardNormal();  // leaves one deviate cached
  REQUIRE(a.state().hasGauss);
  NumpyRandom b(99);
  b.setState(a.state());
  for (int i = 0; i < 5; ++i) REQUIRE(a.standardNormal() == b.standardNormal());
  a.seed(7);
  NumpyRandom fresh(7);
  REQUIRE_FALSE(a.state().hasGauss);
  REQUIRE(a.standardNormal() == fresh.standardNormal());

  NumpyRandom::State bad = a.state();
  bad.pos = 625;
  REQUIRE_THROWS_WITH(b.setState(bad), Catch::Contains("position 625"));
  REQUIRE_THROWS_WITH(a.randint(3, 3), Catch::Contains("empty range"));
  REQUIRE_THROWS_WITH(a.choiceIndex(std::vector<double>{0.5, 0.6}), Catch::Contains("do not sum to 1"));
  REQUIRE_THROWS_WITH(a.choiceIndex(std::vector<double>{1.5, -0.5}), Catch::Contains(">= 0"));
  REQUIRE_THROWS_WITH(a.choiceWithoutReplacement(3, 4), Catch::Contains("without replacement"));
  // A one-value range consumes nothing (numpy draws no word for it).
  NumpyRandom c(5), d(5);
  REQUIRE(c.randint(4, 5) == 4);
  REQUIRE(c.randomSample() == d.randomSample());
}
