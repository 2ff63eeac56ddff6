// Rng's two kinds: the numpy kind is exactly NumpyRandom (itself checked against numpy in
// test_numpy_random.cpp); companion streams; the samplers both kinds share.
#include <catch2/catch.hpp>

#include <cmath>
#include <algorithm>
#include <map>

#include "support/error.h"
#include "tasks/rng.h"

using namespace mnemo;

TEST_CASE("the numpy kind of Rng draws exactly what NumpyRandom draws", "[task][rng]") {
  Rng rng(12345, RngKind::Numpy);
  NumpyRandom np(12345);
  for (int i = 0; i < 200; ++i) {
    REQUIRE(rng.uniform() == np.randomSample());
    REQUIRE(rng.uniform(200, 500) == np.uniform(200, 500));
    REQUIRE(rng.below(7) == static_cast<uint64_t>(np.randint(0, 7)));
    REQUIRE(rng.normal() == np.standardNormal());
    REQUIRE(rng.exponential(600) == np.exponential(600));
    REQUIRE(rng.permutation(5) == np.permutation(5));
    REQUIRE(rng.weightedIndex({0.2, 0.3, 0.5}) == static_cast<size_t>(np.choiceIndex({0.2, 0.3, 0.5})));
  }
  CHECK(rng.kind() == RngKind::Numpy);
  CHECK(rng.numpy().state().pos == np.state().pos);
  CHECK_THROWS_WITH(Rng(1ull << 32, RngKind::Numpy), Catch::Contains("outside [0, 2^32 - 1]"));
  CHECK_THROWS_WITH(Rng(3).numpy(), Catch::Contains("not numpy's"));
}

TEST_CASE("generator kinds parse by name", "[task][rng]") {
  CHECK(parseRngKind("numpy") == RngKind::Numpy);
  CHECK(parseRngKind("mnemo") == RngKind::Mnemo);
  CHECK(std::string(rngKindName(RngKind::Numpy)) == "numpy");
  CHECK_THROWS_WITH(parseRngKind("pcg"), "unknown random generator 'pcg' (mnemo, numpy)");
}

TEST_CASE("companion streams: numpy's restart the seed, mnemo's are distinct, reseeding resets",
          "[task][rng]") {
  Rng main(9, RngKind::Numpy);
  main.uniform();
  Rng fresh(9, RngKind::Numpy);
  const double first = fresh.exponential(600);
  CHECK(main.stream(3).exponential(600) == first);  // like neurogym's TruncExp(seed = env seed)
  CHECK(main.stream(1).exponential(600) == first);  // each stream is its own RandomState(9)
  const double second = main.stream(3).exponential(600);
  CHECK(second != first);
  Rng copy = main;  // copies carry their streams' positions
  CHECK(copy.stream(3).exponential(600) == main.stream(3).exponential(600));
  main.seed(9);
  CHECK(main.stream(3).exponential(600) == first);

  Rng a(9), b(9);
  CHECK(a.stream(0).next() != b.next());
  CHECK(a.stream(0).next() != a.stream(1).next());
}

TEST_CASE("the mnemo kind's weighted choice, permutation and sampling without replacement",
          "[task][rng]") {
  Rng rng(5);
  std::map<size_t, int> counts;
  const int n = 40000;
  for (int i = 0; i < n; ++i) ++counts[rng.weightedIndex({0.1, 0.6, 0.3})];
  CHECK(std::fabs(counts[0] / double(n) - 0.1) < 0.01);
  CHECK(std::fabs(counts[1] / double(n) - 0.6) < 0.01);
  CHECK(std::fabs(counts[2] / double(n) - 0.3) < 0.01);
  CHECK_THROWS_WITH(rng.weightedIndex({0.5, 0.4}), Catch::Contains("do not sum to 1"));
  std::vector<int64_t> perm = rng.permutation(10);
  std::sort(perm.begin(), perm.end());
  CHECK(perm == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  std::vector<int64_t> some = rng.sampleWithoutReplacement(10, 4);
  CHECK(some.size() == 4);
  std::sort(some.begin(), some.end());
  CHECK(std::adjacent_find(some.begin(), some.end()) == some.end());
  CHECK_THROWS_WITH(rng.sampleWithoutReplacement(3, 4), Catch::Contains("without replacement"));
}
