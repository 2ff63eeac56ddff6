// Biological constraints of examples/dale_rnn.mnemo: Dale's law holds exactly on the effective
// recurrent weights of a trained checkpoint (every weight from an excitatory unit >= 0, from an
// inhibitory unit <= 0) while the raw param the checkpoint stores has both signs in both kinds
// of rows; the dale and bernoulli initialisers; which derived tensors count as effective weights.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "analysis/runner.h"
#include "analysis/weights.h"
#include "training/checkpoint.h"
#include "frontend/init.h"
#include "frontend/dsl/model.h"
#include "training/trainer.h"
#include "support/error.h"
#include "ops/op_table.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

std::string daleSource() {
  std::ifstream in(std::string(MNEMO_SOURCE_DIR) + "/examples/dale_rnn.mnemo");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// examples/dale_rnn.mnemo trained for 60 steps at H=32, T=50, B=16 (lr 5e-3 so the weights
/// move), once per process.
const Checkpoint& trainedDale() {
  static const Checkpoint ckpt = [] {
    const int64_t steps = 60;
    TrainOptions o;
    o.run.modelSource = daleSource();
    o.run.modelFile = "examples/dale_rnn.mnemo";
    o.run.batch = 16, o.run.seqLen = 50, o.run.sizes["H"] = 32;
    o.run.lr = 5e-3, o.run.seed = 2, o.run.steps = steps;
    o.outDir = (fs::temp_directory_path() / ("mnemo_dale_" + std::to_string(::getpid()))).string();
    train(o);
    Checkpoint trained = loadCheckpoint((fs::path(o.outDir) / "checkpoint.npz").string());
    fs::remove_all(o.outDir);
    return trained;
  }();
  return ckpt;
}

}  // namespace

TEST_CASE("Dale: every effective recurrent weight of a trained checkpoint has its unit's sign", "[dale][train]") {
  const Checkpoint& ckpt = trainedDale();
  const std::map<std::string, EffectiveWeight> weights = effectiveWeights(ckpt);
  REQUIRE(weights.count("w_rec") == 1);
  const EffectiveWeight& w = weights.at("w_rec");
  CHECK(w.params == std::vector<std::string>{"w_rr"});
  REQUIRE(w.dims == Dims{32, 32});
  const std::vector<float> sign = fixedTensorValues(ckpt, "sign");
  REQUIRE(sign.size() == 32);
  int excitatory = 0;
  for (float s : sign) excitatory += s > 0;
  CHECK(excitatory == 26);  // round(0.8 * 32)
  const std::vector<float>& raw = ckpt.params.at("w_rr").values;
  // Counts over the whole matrix: effective weights of the wrong sign (must be none), of the
  // right sign (most of them: the rest are masked), and raw weights of either sign per row kind.
  int wrong = 0, right = 0, rawNegativeInE = 0, rawPositiveInI = 0;
  for (int64_t i = 0; i < 32; ++i)
    for (int64_t j = 0; j < 32; ++j) {
      const double v = w.values[static_cast<size_t>(i * 32 + j)];
      const float r = raw[static_cast<size_t>(i * 32 + j)];
      if (sign[static_cast<size_t>(i)] > 0) {
        wrong += v < 0, right += v > 0, rawNegativeInE += r < 0;
      } else {
        wrong += v > 0, right += v < 0, rawPositiveInI += r > 0;
      }
      if (i == j) CHECK(v == 0);  // no self-connections
    }
  CHECK(wrong == 0);
  CHECK(right > 32 * 31 * 3 / 4);  // about 90% of the off-diagonal connections exist
  // The constraint is the model's, not the raw values': they have both signs in both row kinds.
  CHECK(rawNegativeInE > 100);
  CHECK(rawPositiveInI > 20);
  // And the effective weight is the formula of the model file, element by element.
  const std::vector<float> connect = fixedTensorValues(ckpt, "connect");
  for (size_t k : {size_t{1}, size_t{40}, size_t{32 * 30 + 2}}) {
    const size_t row = k / 32;
    const double balance = sign[row] > 0 ? 1 : 4;
    CHECK(w.values[k] == Approx(std::fabs(raw[k]) * connect[k] * sign[row] * balance).margin(1e-12));
  }
}

TEST_CASE("dale(fraction) and bernoulli(p) or bernoulli(p, seed) initialisers", "[dale][init]") {
  const std::vector<float> d = sampleInit({"dale", {0.8}}, {10, 3}, 1);
  for (size_t k = 0; k < d.size(); ++k) CHECK(d[k] == (k / 3 < 8 ? 1.f : -1.f));
  CHECK(sampleInit({"dale", {0.5}}, {5}, 1) == std::vector<float>{1, 1, 1, -1, -1});  // round(2.5) = 3
  CHECK(sampleInit({"dale", {1}}, {4}, 9) == std::vector<float>{1, 1, 1, 1});

  const Dims big{100, 100};
  const std::vector<float> m1 = sampleInit({"bernoulli", {0.3}}, big, 1);
  double ones = 0;
  for (float v : m1) {
    REQUIRE((v == 0.f || v == 1.f));
    ones += v;
  }
  CHECK(std::fabs(ones / 1e4 - 0.3) < 5 * std::sqrt(0.3 * 0.7 / 1e4));
  CHECK(sampleInit({"bernoulli", {0.3}}, big, 2) != m1);                              // the stream's seed
  CHECK(sampleInit({"bernoulli", {0.3, 5}}, big, 1) == sampleInit({"bernoulli", {0.3, 5}}, big, 2));  // its own
  CHECK(sampleInit({"bernoulli", {0.3, 5}}, big, 1) != sampleInit({"bernoulli", {0.3, 6}}, big, 1));

  CHECK_THROWS_WITH(checkInitSpec({"dale", {1.5}}, {4}), "dale(excitatory_fraction) needs a fraction in [0, 1], got 1.5");
  CHECK_THROWS_WITH(checkInitSpec({"dale", {0.5}}, {}), Catch::Contains("dale needs a tensor"));
  CHECK_THROWS_WITH(checkInitSpec({"bernoulli", {-0.1}}, {4}), "bernoulli(p) needs a probability in [0, 1], got -0.1");
  CHECK_THROWS_WITH(checkInitSpec({"bernoulli", {0.5, 1.5}}, {4}), Catch::Contains("needs a non-negative integer seed"));
}

TEST_CASE("effective weights: derived tensors of params and fixed tensors only", "[dale][analyze]") {
  Checkpoint ckpt;
  ckpt.config.modelFile = "m.mnemo";
  ckpt.config.modelSource = R"(model m
size I = 2, H = 3, O = 2
input x : f32[T, B, I]
target labels : i64[T, B]
param w : [H, H] = normal(1)
param v : [I, H] = normal(1)
fixed mask : [H, H] = identity(2)
masked = w * mask
scaled = 3 * v
noisy = w + randn(H, H)
state h : [B, H] = zeros
step t {
  h = tanh(x[t] @ v + h @ masked)
  out o = h @ w[:, 0:2]
}
loss = cross_entropy(o, labels)
)";
  ckpt.params["w"] = StoredTensor{{3, 3}, {1, -2, 3, 4, 5, -6, 7, 8, 9}};
  ckpt.params["v"] = StoredTensor{{2, 3}, {1, 2, 3, 4, 5, 6}};
  const auto weights = effectiveWeights(ckpt);
  REQUIRE(weights.size() == 2);  // noisy reads a random draw: not a weight
  CHECK(weights.at("masked").values == std::vector<double>{2, 0, 0, 0, 10, 0, 0, 0, 18});
  CHECK(weights.at("scaled").values == std::vector<double>{3, 6, 9, 12, 15, 18});
  CHECK(weights.at("scaled").params == std::vector<std::string>{"v"});
  CHECK_THROWS_WITH(fixedTensorValues(ckpt, "w"), Catch::Contains("has no fixed tensor 'w'"));
}

TEST_CASE("analysis of a noisy model: with noise reproducible, without noise free of it", "[dale][analyze]") {
  const Checkpoint& ckpt = trainedDale();
  std::unique_ptr<Task> task = analysisTask(ckpt.config);
  auto hidden = [&](bool noise) {
    CompileCache cache(ckpt, "dale.npz", {}, true, "", noise);
    return runTrials(cache, *task, 6, 3).concatenatedHidden();
  };
  const std::vector<float> noisy = hidden(true), quiet = hidden(false);
  CHECK(hidden(true) == noisy);   // the noise is seeded: the same trials twice
  CHECK(hidden(false) == quiet);
  REQUIRE(noisy.size() == quiet.size());
  size_t differ = 0;
  for (size_t k = 0; k < noisy.size(); ++k) differ += noisy[k] != quiet[k];
  CHECK(differ > noisy.size() / 2);  // the noise reaches most units at most steps
  // Without noise the graph has no random op: the activity is the deterministic network's.
  CompileCache quietCache(ckpt, "dale.npz", {}, true, "", false);
  CompiledModel& cm = quietCache.get({1, 5});
  for (const Node* n : cm.graph().nodes()) CHECK(opInfo(n->kind()).category != Category::Random);
}
