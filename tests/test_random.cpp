// The random ops (random_normal, random_uniform) and the DSL's randn/rand noise: the generated
// values have the statistics of their distribution (bounds of five standard errors, so a correct
// generator fails with probability well under 1e-5 per check), the runtime kernel returns exactly
// the reference's doubles rounded to f32, every input of the generator (seed, counter, stream)
// changes the draw, a noisy model trains bit-identically twice at one thread with the same seed
// and differently with another, and noise switched off leaves no random op in the graph.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <unistd.h>

#include "training/compiled_model.h"
#include "frontend/dsl/model.h"
#include "training/trainer.h"
#include "ops/builder.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"
#include "ops/op_table.h"

using namespace mnemo;

namespace {

constexpr int64_t kCount = 200000;

/// A graph drawing kCount values of \p kind from state %seed with stream \p stream.
std::unique_ptr<Graph> drawGraph(OpKind kind, int64_t stream = 0) {
  auto g = std::make_unique<Graph>("draw");
  Builder b(*g);
  Node* seed = b.state("seed", TensorType::i64({2}));
  g->addOutput(b.create(kind, {seed}, {{"shape", Dims{kCount}}, {"stream", stream}}, "x"));
  return g;
}

std::vector<double> reference(OpKind kind, int64_t seed, int64_t counter, int64_t stream = 0) {
  auto g = drawGraph(kind, stream);
  ReferenceEvaluator ev(*g);
  ev.bind("seed", RefTensor(TensorType::i64({2}), {static_cast<double>(seed), static_cast<double>(counter)}));
  ev.run();
  return ev.value("x").data;
}

std::vector<float> runtime(OpKind kind, int64_t seed, int64_t counter, int64_t stream = 0) {
  auto g = drawGraph(kind, stream);
  Session s(*g);
  s.setRandomSeed(seed, counter);
  s.forward();
  return s.getF32("x");
}

/// Central moment \p k of \p x around \p mean.
double moment(const std::vector<double>& x, double mean, int k) {
  double m = 0;
  for (double v : x) m += std::pow(v - mean, k);
  return m / static_cast<double>(x.size());
}

double average(const std::vector<double>& x) {
  double m = 0;
  for (double v : x) m += v;
  return m / static_cast<double>(x.size());
}

/// Correlation of neighbouring elements (0 for independent draws).
double lagOneCorrelation(const std::vector<double>& x, double mean, double var) {
  double c = 0;
  for (size_t i = 0; i + 1 < x.size(); ++i) c += (x[i] - mean) * (x[i + 1] - mean);
  return c / static_cast<double>(x.size() - 1) / var;
}

}  // namespace

TEST_CASE("random_normal draws N(0, 1): mean, variance, kurtosis, mass within one sigma, independence", "[random]") {
  const std::vector<double> x = reference(OpKind::RandomNormal, 123, 4);
  const double n = static_cast<double>(x.size());
  const double mean = average(x), var = moment(x, mean, 2);
  CHECK(std::fabs(mean) < 5 / std::sqrt(n));                     // sd of the mean: 1/sqrt(n)
  CHECK(std::fabs(var - 1) < 5 * std::sqrt(2 / n));               // sd of the variance: sqrt(2/n)
  CHECK(std::fabs(moment(x, mean, 4) - 3) < 5 * std::sqrt(96 / n));  // sd of the 4th moment: sqrt(96/n)
  double within = 0;
  for (double v : x) within += std::fabs(v) < 1;
  const double p = 0.682689492137086;  // P(|z| < 1)
  CHECK(std::fabs(within / n - p) < 5 * std::sqrt(p * (1 - p) / n));
  CHECK(std::fabs(lagOneCorrelation(x, mean, var)) < 5 / std::sqrt(n));
}

TEST_CASE("random_uniform draws from 0 < u <= 1: range, mean, variance, independence", "[random]") {
  const std::vector<double> x = reference(OpKind::RandomUniform, 123, 4);
  const double n = static_cast<double>(x.size());
  for (double v : x) REQUIRE((v > 0 && v <= 1));
  const double mean = average(x), var = moment(x, mean, 2);
  CHECK(std::fabs(mean - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  CHECK(std::fabs(var - 1.0 / 12) < 5 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));  // mu4 - sigma^4 = 1/80 - 1/144
  CHECK(std::fabs(lagOneCorrelation(x, mean, var)) < 5 / std::sqrt(n));
}

TEST_CASE("random ops: the runtime returns the reference's values rounded to f32, seed, counter and stream each change them", "[random]") {
  for (OpKind kind : {OpKind::RandomNormal, OpKind::RandomUniform}) {
    INFO(opName(kind));
    const std::vector<double> want = reference(kind, 99, 7, 3);
    const std::vector<float> got = runtime(kind, 99, 7, 3);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == static_cast<float>(want[i]));
    const std::vector<float> again = runtime(kind, 99, 7, 3);
    CHECK(std::memcmp(got.data(), again.data(), got.size() * sizeof(float)) == 0);
    auto sameAs = [&](const std::vector<float>& other) {
      size_t same = 0;
      for (size_t i = 0; i < got.size(); ++i) same += got[i] == other[i];
      return same;
    };
    // A different seed, counter or stream gives unrelated values: equal only by chance (f32 has
    // 2^23 values in [0.5, 1), so a handful of coincidences among 200000 at most).
    CHECK(sameAs(runtime(kind, 100, 7, 3)) < 50);
    CHECK(sameAs(runtime(kind, 99, 8, 3)) < 50);
    CHECK(sameAs(runtime(kind, 99, 7, 4)) < 50);
  }
}

namespace {

// Recurrent noise as PsychRNN and Song et al. (2016) add it: inside the alpha-scaled drive,
// sqrt(2 / alpha) * sigma_rec * N(0, 1), so the state receives sqrt(2 alpha) sigma_rec N(0, 1).
const char* kNoisyModel = R"(model noisy
size I = 3, H = 16, O = 3
const alpha = 0.2, sigma_rec = 0.1, sigma_in = 0.05
input x : f32[T, B, I]
target labels : i64[T, B]
param w_ir : [I, H] = kaiming_normal(1)
param w_rr : [H, H] = normal(0.1)
param w_ro : [H, O] = kaiming_normal(1)
state h : [B, H] = zeros
step t {
  u = x[t] + sigma_in * randn(B, I)
  drive = u @ w_ir + h @ w_rr + sqrt(2 / alpha) * sigma_rec * randn(B, H)
  h = relu(h * (1 - alpha) + drive * alpha)
  out o = h @ w_ro
  out noise = sqrt(2 / alpha) * sigma_rec * randn(B, H)
}
loss = cross_entropy(o, labels)
)";

TrainOptions noisyRun(uint64_t seed) {
  TrainOptions o;
  o.run.modelSource = kNoisyModel;
  o.run.modelFile = "noisy.mnemo";
  o.run.batch = 8;
  o.run.seqLen = 20;
  o.run.lr = 5e-3;
  o.run.seed = seed;
  o.run.steps = 15;
  o.run.task = "PerceptualDecisionMaking-v0";
  return o;
}

}  // namespace

TEST_CASE("randn noise: two runs with the same seed are bit-identical at one thread, another seed differs", "[random][train]") {
  const TrainResult a = train(noisyRun(3)), b = train(noisyRun(3)), c = train(noisyRun(4));
  REQUIRE(a.finalParams.size() == b.finalParams.size());
  CHECK(std::memcmp(a.finalParams.data(), b.finalParams.data(), a.finalParams.size() * sizeof(float)) == 0);
  CHECK(a.loss == b.loss);
  // Another seed changes the initial weights, the data and the noise: the runs part at once.
  CHECK(a.loss.front() != c.loss.front());
}

TEST_CASE("randn noise: a run resumed from its checkpoint continues the same noise", "[random][train]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("mnemo_noise_resume_" + std::to_string(::getpid()));
  TrainOptions whole = noisyRun(5);
  whole.run.steps = 10;
  TrainOptions first = noisyRun(5);
  first.run.steps = 6;
  first.outDir = (dir / "first").string();
  train(first);
  TrainOptions rest = noisyRun(5);
  rest.run.steps = 4;
  rest.initCheckpoint = (dir / "first" / "checkpoint.npz").string();
  const TrainResult a = train(whole), b = train(rest);
  fs::remove_all(dir);
  REQUIRE(a.finalParams.size() == b.finalParams.size());
  CHECK(std::memcmp(a.finalParams.data(), b.finalParams.data(), a.finalParams.size() * sizeof(float)) == 0);
  CHECK(std::vector<double>(a.loss.begin() + 6, a.loss.end()) == b.loss);
}

TEST_CASE("randn noise: the data and weights fixed, the seed alone changes the trajectory", "[random][train]") {
  // Same model and run seed for init and data; only the noise state differs, through the session.
  ModelOptions opts;
  opts.batch = 4, opts.seqLen = 10;
  CompiledModel cm = compileModel(kNoisyModel, "noisy.mnemo", opts, {false, true, 1});
  Session& s = *cm.session;
  std::vector<float> x(static_cast<size_t>(10 * 4 * 3), 0.5f);
  s.setF32("x", x);
  for (const char* p : {"w_ir", "w_rr", "w_ro"}) {
    const Node* n = cm.graph().find(p);
    s.setF32(p, std::vector<float>(static_cast<size_t>(n->type().numel()), 0.1f));
  }
  auto logitsWith = [&](int64_t seed, int64_t counter) {
    s.setRandomSeed(seed, counter);
    s.forward();
    return s.getF32("logits");
  };
  const std::vector<float> first = logitsWith(1, 0);
  CHECK(logitsWith(1, 0) == first);
  CHECK(logitsWith(2, 0) != first);
  CHECK(logitsWith(1, 1) != first);
}

TEST_CASE("randn noise: the recurrent noise term has variance 2 sigma_rec^2 / alpha", "[random]") {
  ModelOptions opts;
  opts.batch = 64, opts.seqLen = 100;
  CompiledModel cm = compileModel(kNoisyModel, "noisy.mnemo", opts, {false, true, 1});
  Session& s = *cm.session;
  s.setF32("x", std::vector<float>(static_cast<size_t>(100 * 64 * 3), 0.f));
  s.setRandomSeed(11, 0);
  s.forward();
  std::vector<double> v;
  for (float e : s.getF32("noise")) v.push_back(e);
  const double n = static_cast<double>(v.size());  // T * B * H = 102400
  const double want = 2 * 0.1 * 0.1 / 0.2;         // 2 sigma_rec^2 / alpha = 0.1
  const double mean = average(v), var = moment(v, mean, 2);
  CHECK(std::fabs(mean) < 5 * std::sqrt(want / n));
  CHECK(std::fabs(var - want) < 5 * want * std::sqrt(2 / n));
}

TEST_CASE("randn noise switched off: no random op in the graph, randn is 0 and rand 0.5", "[random]") {
  ModelOptions opts;
  opts.batch = 2, opts.seqLen = 3;
  opts.noise = false;
  Model m = parseModel(kNoisyModel, "noisy.mnemo", opts);
  for (const Node* n : m.graph->nodes()) CHECK(opInfo(n->kind()).category != Category::Random);
  CHECK(m.graph->find(kRandomSeedName) == nullptr);
  CompiledModel cm = compileModel(kNoisyModel, "noisy.mnemo", opts, {false, true, 1});
  cm.session->setF32("x", std::vector<float>(static_cast<size_t>(3 * 2 * 3), 0.f));
  cm.session->forward();
  for (float e : cm.session->getF32("noise")) CHECK(e == 0.f);
  opts.noise = true;
  Model noisy = parseModel(kNoisyModel, "noisy.mnemo", opts);
  int draws = 0;
  for (const Node* n : noisy.graph->nodes()) draws += n->kind() == OpKind::RandomNormal;
  CHECK(draws == 3 * 3);  // three randn per step, three steps: each its own stream
}

TEST_CASE("randn and rand: bad dimensions are one-line errors at the call", "[random][dsl]") {
  auto parse = [](const std::string& call) {
    std::string text = std::string(kNoisyModel);
    text.replace(text.find("randn(B, I)"), 11, call);
    return parseModel(text, "noisy.mnemo", {});
  };
  CHECK_THROWS_WITH(parse("randn()"), Catch::Contains("noisy.mnemo:11:") && Catch::Contains("randn(d0, d1, ...) needs the dimensions"));
  CHECK_THROWS_WITH(parse("rand(B, 0.5)"), Catch::Contains("rand(): a dimension must be a positive integer constant"));
  CHECK_THROWS_WITH(parse("randn(B, x)"), Catch::Contains("a dimension must be a positive integer constant"));
}
