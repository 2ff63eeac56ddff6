// effectiveWeights and fixedTensorValues (see analysis/weights.h).
#include "analysis/weights.h"

#include <functional>
#include <set>

#include "training/compiled_model.h"
#include "frontend/init.h"
#include "support/error.h"
#include "runtime/reference/evaluator.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

/// The model of \p ckpt at batch 1 and one step (weights do not depend on T or B), with its
/// noise, so that a value drawing noise is seen to be no weight.
Model weightModel(const Checkpoint& ckpt) {
  ModelOptions opts = runModelOptions(ckpt.config);
  opts.batch = 1, opts.seqLen = 1;
  return parseModel(ckpt.config.modelSource, ckpt.config.modelFile, opts);
}

/// The trained params \p n is computed from, or false if it also reads an input, a state or a
/// random draw.
bool paramsOnly(const Node* n, std::set<std::string>* params) {
  std::set<const Node*> seen;
  std::function<bool(const Node*)> walk = [&](const Node* m) {
    if (!seen.insert(m).second) return true;
    if (m->kind() == OpKind::Input || m->kind() == OpKind::State || opInfo(m->kind()).category == Category::Random) return false;
    if (m->kind() == OpKind::Param && !m->attr<bool>("fixed")) params->insert(m->name());
    for (const Node* op : m->operands())
      if (!walk(op)) return false;
    return true;
  };
  return walk(n);
}

}  // namespace

std::map<std::string, EffectiveWeight> effectiveWeights(const Checkpoint& ckpt) {
  Model model = weightModel(ckpt);
  Graph& g = *model.graph;
  std::map<std::string, EffectiveWeight> out;
  for (const std::string& name : model.derived) {
    std::set<std::string> params;
    const Node* n = g.find(name);
    if (!n || !paramsOnly(n, &params) || params.empty()) continue;
    out[name] = EffectiveWeight{n->dims(), {}, std::vector<std::string>(params.begin(), params.end())};
  }
  if (out.empty()) return out;
  ReferenceEvaluator ev(g);
  for (auto& [name, values] : initParams(g, ckpt.config.seed)) {
    const Node* p = g.find(name);
    if (!p->attr<bool>("fixed")) continue;
    ev.bind(name, RefTensor(p->type(), std::vector<double>(values.begin(), values.end())));
  }
  for (const std::string& p : model.params) {
    const std::vector<float>& v = storedValues(ckpt.params, p, p, g.find(p)->dims(), "the checkpoint");
    ev.bind(p, RefTensor(g.find(p)->type(), std::vector<double>(v.begin(), v.end())));
  }
  ev.bindRandom(0);  // inputs, states and the noise's seed: the weights do not read them
  ev.run(Stage::Fwd);
  for (auto& [name, w] : out) w.values = ev.value(name).data;
  return out;
}

std::vector<float> fixedTensorValues(const Checkpoint& ckpt, const std::string& name) {
  Model model = weightModel(ckpt);
  const Node* n = model.graph->find(name);
  if (!n || n->kind() != OpKind::Param || !n->attr<bool>("fixed"))
    MNEMO_FAIL("the model of the checkpoint has no fixed tensor '" << name << "'");
  return initParams(*model.graph, ckpt.config.seed).at(name);
}

}  // namespace mnemo
