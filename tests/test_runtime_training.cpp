// A whole training step of the notebook model (T=100, B=16, H=64, I=2, O=3) on the oneDNN
// runtime against the reference evaluator: loss, every gradient, every updated parameter. And
// 50 steps on fixed random data make the loss fall.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <random>

#include "training/rnn_model.h"
#include "graph/passes/pass_manager.h"
#include "graph/passes/training.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"

using namespace mnemo;

namespace {

struct Batch {
  std::vector<float> x;
  std::vector<int64_t> labels;
};

Batch randomBatch(const RnnConfig& cfg, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  Batch b;
  b.x.resize(static_cast<size_t>(cfg.seqLen * cfg.batch * cfg.inputs));
  for (float& v : b.x) v = u(rng);
  b.labels.resize(static_cast<size_t>(cfg.seqLen * cfg.batch));
  for (int64_t& l : b.labels) l = static_cast<int64_t>(rng() % 3);
  return b;
}

/// Small random parameters, the same for both evaluators.
std::map<std::string, std::vector<float>> randomParams(const Graph& g, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> n(0.f, 1.f);
  std::map<std::string, std::vector<float>> params;
  for (const Node* p : g.nodes()) {
    if (p->kind() != OpKind::Param) continue;
    float scale = 1.f / std::sqrt(static_cast<float>(p->dims()[0]));
    std::vector<float> v(static_cast<size_t>(p->type().numel()));
    for (float& x : v) x = scale * n(rng);
    params[p->name()] = v;
  }
  return params;
}

RefTensor toRef(const Node* n, const std::vector<float>& v) {
  return RefTensor(n->type(), std::vector<double>(v.begin(), v.end()));
}

}  // namespace

TEST_CASE("one training step of the notebook model matches the reference evaluator", "[runtime][train]") {
  RnnConfig cfg;  // T=100, B=16, H=64
  auto g = buildNotebookRnn(cfg);
  TrainingOptions opts;
  opts.returnGradients = true;
  TrainingGraph tg = buildTrainingGraph(*g, opts);

  Batch batch = randomBatch(cfg, 1);
  auto params = randomParams(*g, 2);
  Session s(*g);
  ReferenceEvaluator ref(*g);
  s.setF32("x", batch.x);
  s.setI64("labels", batch.labels);
  ref.bind("x", toRef(g->find("x"), batch.x));
  ref.bind("labels", RefTensor(g->find("labels")->type(), std::vector<double>(batch.labels.begin(), batch.labels.end())));
  for (auto& [name, v] : params) {
    s.setF32(name, v);
    ref.bind(name, toRef(g->find(name), v));
  }
  for (const auto& slot : tg.adam.slots) {
    ref.bind(slot.m->name(), RefTensor(slot.m->type()));
    ref.bind(slot.v->name(), RefTensor(slot.v->type()));
  }
  ref.bind(tg.adam.hyper->name(), RefTensor(tg.adam.hyper->type(), {1e-3, 0.9, 0.999, 1e-8, 1}));

  float loss = s.trainStep();
  ref.run();
  CHECK(s.step() == 1);
  REQUIRE(loss == Approx(ref.value(tg.loss)[0]).epsilon(1e-5));

  for (size_t i = 0; i < tg.gradients.params.size(); ++i) {
    const Node* grad = tg.gradients.grads[i];
    std::vector<float> got = s.getF32(grad->name());
    const RefTensor& want = ref.value(grad);
    double scale = 0;
    for (double w : want.data) scale = std::max(scale, std::abs(w));
    REQUIRE(scale > 0);  // a gradient that is all zeros would prove nothing
    for (size_t e = 0; e < got.size(); ++e) {
      INFO("gradient of %" << tg.gradients.params[i]->name() << "[" << e << "]");
      REQUIRE(got[e] == Approx(want[e]).margin(1e-4 * scale));
    }
    // The update moves each entry by about lr·sign(g); where |g| is within float noise of zero
    // the sign is not determined, so those entries are allowed the full step either way.
    std::vector<float> updated = s.getF32(tg.gradients.params[i]->name());
    const RefTensor& wantUpdated = ref.value(tg.gradients.params[i]);
    for (size_t e = 0; e < updated.size(); ++e) {
      INFO("updated %" << tg.gradients.params[i]->name() << "[" << e << "]");
      double margin = std::abs(want[e]) < 1e-3 * scale ? 2.1e-3 : 2e-6;
      REQUIRE(updated[e] == Approx(wantUpdated[e]).margin(margin));
    }
  }
}

TEST_CASE("50 training steps on fixed random data decrease the loss", "[runtime][train]") {
  RnnConfig cfg;
  cfg.seqLen = 20;
  auto g = buildNotebookRnn(cfg);
  buildTrainingGraph(*g);
  Session s(*g);
  for (auto& [name, v] : randomParams(*g, 3)) s.setF32(name, v);
  s.setAdam(1e-2);
  Batch batch = randomBatch(cfg, 4);
  for (int64_t t = 0; t < cfg.seqLen; ++t)  // a learnable rule: the label follows the input
    for (int64_t b = 0; b < cfg.batch; ++b)
      batch.labels[t * cfg.batch + b] = batch.x[(t * cfg.batch + b) * 2] > 0.5f ? 1 : 2;
  s.setF32("x", batch.x);
  s.setI64("labels", batch.labels);
  float first = s.trainStep();
  float last = first;
  for (int i = 1; i < 50; ++i) last = s.trainStep();
  CHECK(std::isfinite(last));
  CHECK(last < 0.5f * first);
}

TEST_CASE("single-threaded execution is bit-for-bit deterministic", "[runtime][train]") {
  RnnConfig cfg;
  cfg.seqLen = 30;
  auto run = [&](int threads) {
    auto g = buildNotebookRnn(cfg);
    buildTrainingGraph(*g);
    CompileOptions opts;
    opts.threads = threads;
    Session s(*g, opts);
    for (auto& [name, v] : randomParams(*g, 5)) s.setF32(name, v);
    Batch batch = randomBatch(cfg, 6);
    s.setF32("x", batch.x);
    s.setI64("labels", batch.labels);
    for (int i = 0; i < 5; ++i) s.trainStep();
    return s.getF32("w_rr");
  };
  std::vector<float> a = run(1), b = run(1);
  CHECK(a == b);
  std::vector<float> c = run(2);
  REQUIRE(c.size() == a.size());
  for (size_t i = 0; i < a.size(); ++i) REQUIRE(c[i] == Approx(a[i]).margin(1e-5));
}

TEST_CASE("fused and unfused training steps agree", "[runtime][train][fusion]") {
  for (double tau : {100.0, 200.0}) {  // α = 1 and α = 0.5
    RnnConfig cfg;  // T=100, B=16, H=64
    cfg.tau = tau;
    auto build = [&](const std::string& pipeline) {
      auto g = buildNotebookRnn(cfg);
      PassManager pm;
      buildPipeline(pipeline, pm);
      pm.run(*g);
      return g;
    };
    auto fusedGraph = build("train");
    auto plainGraph = build("train-unfused");
    Session fused(*fusedGraph), plain(*plainGraph);
    CHECK(fused.executable().kernelCount(Stage::Opt) * 3 <= plain.executable().kernelCount(Stage::Opt));
    auto params = randomParams(*plainGraph, 8);
    for (auto& [name, v] : params) {
      fused.setF32(name, v);
      plain.setF32(name, v);
    }
    for (int step = 0; step < 3; ++step) {
      Batch batch = randomBatch(cfg, 20 + step);
      for (Session* s : {&fused, &plain}) {
        s->setF32("x", batch.x);
        s->setI64("labels", batch.labels);
      }
      float a = fused.trainStep(), b = plain.trainStep();
      INFO("tau " << tau << " step " << step);
      REQUIRE(a == Approx(b).epsilon(1e-5));
      std::vector<float> la = fused.getF32("logits"), lb = plain.getF32("logits");
      for (size_t i = 0; i < la.size(); ++i) REQUIRE(la[i] == Approx(lb[i]).margin(1e-4));
    }
    for (auto& [name, v] : params) {
      std::vector<float> pa = fused.getF32(name), pb = plain.getF32(name);
      // Adam moves each entry by about lr·sign(g) per step, so an entry whose gradient is float
      // noise may go either way: allow that for at most 1% of the entries, and a step's worth.
      size_t off = 0;
      for (size_t i = 0; i < pa.size(); ++i) {
        INFO(name << "[" << i << "]");
        REQUIRE(pa[i] == Approx(pb[i]).margin(2.5e-3));
        off += std::abs(pa[i] - pb[i]) > 1e-5f;
      }
      INFO(name << ": " << off << " of " << pa.size() << " entries differ by more than 1e-5");
      CHECK(off * 100 <= pa.size());
      double moved = 0;
      for (size_t i = 0; i < pa.size(); ++i) moved += std::abs(pa[i] - v[i]);
      CHECK(moved > 0);
    }
  }
}
