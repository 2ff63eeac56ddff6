// Shared by the DSL feature tests: a model's sizes, random inputs, parameters from the model's
// own initialisers, and a training step on the runtime (fused and unfused) against the reference
// evaluator's step.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "frontend/init.h"
#include "frontend/dsl/model.h"
#include "graph/passes/pass_manager.h"
#include "graph/passes/passes.h"
#include "graph/passes/training.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"

namespace mnemo {
namespace model_check {

inline ModelOptions sized(int64_t batch, int64_t seqLen) {
  ModelOptions o;
  o.batch = batch;
  o.seqLen = seqLen;
  return o;
}

/// Random inputs (x in [-1, 1], labels in [0, O)) for a model's graph, seeded.
inline void randomInputs(const Graph& g, uint64_t seed, std::vector<float>& x, std::vector<int64_t>& labels) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  x.assign(static_cast<size_t>(g.find("x")->type().numel()), 0.f);
  for (float& v : x) v = u(rng);
  labels.assign(static_cast<size_t>(g.find("labels")->type().numel()), 0);
  for (int64_t& l : labels) l = static_cast<int64_t>(rng() % 3);
}

inline RefTensor ref(const Node* n, const std::vector<float>& v) { return RefTensor(n->type(), std::vector<double>(v.begin(), v.end())); }

/// Binds params (from their initialisers, seed 5), x and labels into \p ev.
inline void bindModel(ReferenceEvaluator& ev, const Graph& g, const std::vector<float>& x, const std::vector<int64_t>& labels) {
  for (const auto& [name, values] : initParams(g, 5)) ev.bind(name, ref(g.find(name), values));
  ev.bind("x", ref(g.find("x"), x));
  ev.bind("labels", RefTensor(g.find("labels")->type(), std::vector<double>(labels.begin(), labels.end())));
  // A model's noise: the seed state of training step 1 (the session's setRandomSeed(5, 0)).
  if (g.find(kRandomSeedName)) ev.bind(kRandomSeedName, RefTensor(TensorType::i64({2}), {5, 1}));
}

/// One training step on the runtime (fused or not) against the reference evaluator's step:
/// the loss and every updated param; then two more steps, fused against unfused (the same noise
/// in both: a model's randn draws from seed 5).
inline void checkTrainingAgainstReference(const std::string& source, const std::string& file) {
  Model refModel = parseModel(source, file, sized(3, 5));
  Graph& rg = *refModel.graph;
  TrainingGraph tg = buildTrainingGraph(rg, {});
  std::vector<float> x;
  std::vector<int64_t> labels;
  randomInputs(rg, 21, x, labels);
  ReferenceEvaluator ev(rg);
  bindModel(ev, rg, x, labels);
  for (const auto& slot : tg.adam.slots) {
    ev.bind(slot.m->name(), RefTensor(slot.m->type()));
    ev.bind(slot.v->name(), RefTensor(slot.v->type()));
  }
  ev.bind(tg.adam.hyper->name(), RefTensor(tg.adam.hyper->type(), {1e-2, 0.9, 0.999, 1e-8, 1}));
  ev.run();

  std::vector<float> losses[2];
  std::map<std::string, std::vector<float>> finals[2];
  for (int fused = 0; fused < 2; ++fused) {
    INFO((fused ? "fused" : "unfused") << " pipeline");
    Model m = parseModel(source, file, sized(3, 5));
    PassManager pm;
    buildPipeline(fused ? "train" : "train-unfused", pm);
    pm.run(*m.graph);
    Session s(*m.graph);
    for (const auto& [name, values] : initParams(*m.graph, 5)) s.setF32(name, values);
    s.setAdam(1e-2);
    s.setRandomSeed(5, 0);
    s.setF32("x", x);
    s.setI64("labels", labels);
    losses[fused].push_back(s.trainStep());
    CHECK(losses[fused][0] == Approx(ev.value(tg.loss)[0]).epsilon(1e-5));
    for (const std::string& p : m.params) {
      std::vector<float> got = s.getF32(p);
      const RefTensor& want = ev.value(p);
      for (size_t e = 0; e < got.size(); ++e) {
        INFO("updated %" << p << "[" << e << "]");
        // Adam moves an entry by about lr; where the gradient is float noise its sign is not
        // determined, so allow a step's worth.
        CHECK(got[e] == Approx(want[e]).margin(2.1e-2));
      }
    }
    for (const std::string& f : m.fixed) CHECK(s.getF32(f) == initParams(*m.graph, 5).at(f));  // never updated
    for (int step = 0; step < 2; ++step) losses[fused].push_back(s.trainStep());
    for (const std::string& p : m.params) finals[fused][p] = s.getF32(p);
  }
  for (size_t i = 0; i < losses[0].size(); ++i) CHECK(losses[1][i] == Approx(losses[0][i]).epsilon(1e-4));
  for (const auto& [name, values] : finals[0])
    for (size_t e = 0; e < values.size(); ++e) CHECK(finals[1][name][e] == Approx(values[e]).margin(1e-3));
}

}  // namespace model_check
}  // namespace mnemo
